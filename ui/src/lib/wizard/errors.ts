// The sentence shown for a validation problem in the vendor wizard, GOV.UK's way: what is wrong and
// how to put it right, naming the field in the words of its own label (a repeated field by its
// position in words: "the folder for the second bucket"), never the plan's path, the page it is on
// or the value typed. Rust decides what is wrong (by field and rule); this only words it
// (../flow/wording.ts), and a rule without wording of its own reads as Rust states it. Pure.
import type { IpcError } from "../ipc/bindings/IpcError";
import { cleanRule, noun, ordinal, ruleOf, ruleSentence, sentence, type Noun } from "../flow/wording";
import { VENDOR_API_KEY } from "./answers";

/** A field's label words; `off`: its words off its own page (they say which cloud); `rust`: see `Noun`. */
type FieldWords = { label: string; off?: string; own?: "the" | "your"; rust?: readonly string[] };

const AWS_ACCOUNT_ID = ["AWS account id"];

/** The fields asked once, by their field path: the words of the label each page shows. */
const FIELDS: Record<string, FieldWords> = {
  "integration.name": { label: "integration name", rust: ["integration name"] },
  "integration.project_id": { label: "project ID on the platform", own: "your", rust: ["project id"] },
  "aws.account_id": { label: "AWS account ID", rust: AWS_ACCOUNT_ID },
  "aws.region": { label: "region", off: "AWS region", rust: ["AWS region"] },
  "aws.role_name": { label: "role name", off: "AWS role name", rust: ["role name"] },
  "aws.role_path": { label: "role path", off: "AWS role path", rust: ["role path"] },
  "aws.partition": { label: "partition", off: "AWS partition" },
  "aws.permissions_boundary_arn": { label: "permissions boundary", rust: ["permissions boundary"] },
  "aws.external_id": { label: "external ID", rust: ["external id"] },
  "aws.vendor.account_id": { label: "vendor's AWS account ID", own: "the", rust: AWS_ACCOUNT_ID },
  "gcp.project_id": { label: "Google Cloud project ID", rust: ["project id"] },
  "gcp.service_account": { label: "service account ID", off: "Google Cloud service account ID", rust: ["service-account id"] },
  "gcp.workload_identity.vendor_aws_account_id": { label: "vendor's AWS account ID", own: "the", rust: AWS_ACCOUNT_ID },
  "gcp.workload_identity.vendor_role_name": { label: "vendor's IAM role name", own: "the", rust: ["role name"] },
  "gcp.workload_identity.pool_id": { label: "workload identity pool ID", rust: ["pool id"] },
  "azure.vendor_app_id": { label: "vendor's application (client) ID", own: "the" },
  "azure.tenant_id": { label: "tenant ID", off: "Azure tenant ID" },
  "azure.subscription_id": { label: "subscription ID", off: "Azure subscription ID" },
  "azure.resource_group": { label: "resource group", off: "Azure resource group", rust: ["resource group name"] },
  "azure.service_principal_name": { label: "service principal name", rust: ["name"] },
};

/**
 * Repeated rows: what one row is, the cloud that says which off its page, and its fields (`label`
 * null: the row's name, "the name of the second bucket").
 */
type ListWords = { item: string; cloud: string; fields: Record<string, { label: string | null; rust: readonly string[] }> };

const LISTS: Record<string, ListWords> = {
  "aws.storage": {
    item: "bucket",
    cloud: "AWS",
    fields: {
      bucket: { label: null, rust: ["bucket name"] },
      prefix: { label: "folder", rust: ["prefix"] },
      kms_key_arn: { label: "KMS key ARN", rust: ["KMS key ARN"] },
    },
  },
  "aws.events": { item: "event bus", cloud: "AWS", fields: { event_bus_name: { label: null, rust: ["event bus name"] } } },
  "gcp.storage": { item: "bucket", cloud: "Google Cloud", fields: { bucket: { label: null, rust: ["bucket name"] } } },
  "gcp.events": { item: "topic", cloud: "Pub/Sub", fields: { topic: { label: null, rust: ["topic id"] } } },
  "azure.storage": {
    item: "container",
    cloud: "Azure",
    fields: {
      storage_account: { label: "storage account", rust: ["storage account name"] },
      container: { label: null, rust: ["container name"] },
    },
  },
  "azure.events": { item: "topic", cloud: "Event Grid", fields: { topic: { label: null, rust: ["Event Grid topic name"] } } },
};

const CLOUD_NAMES: Record<string, string> = { aws: "AWS", gcp: "Google Cloud", azure: "Azure" };

/** What the wording needs besides the problem. */
export type MessageContext = {
  /** The vendor's name as the pages show it ("ML cube Platform"), when known. */
  vendor?: string | null;
  /** How many rows a list has now (`aws.storage` → 2): one row is named without its position. */
  rows?: (list: string) => number;
};

/**
 * How a sentence names the field at `path` (null: no field the wizard asks). `onPage`: shown where
 * the field is asked (its label's words); else, on another page, words that also say which cloud.
 */
export function fieldNoun(path: string, onPage: boolean, ctx: MessageContext = {}): Noun | null {
  if (path === "integration.api_url") return noun(`${ctx.vendor ?? "platform's"} API URL`, [], "the");
  if (path === VENDOR_API_KEY) return noun(onPage || !ctx.vendor ? "API key" : `${ctx.vendor} API key`, [], "the");
  const f = FIELDS[path];
  if (f) return noun(onPage ? f.label : (f.off ?? f.label), f.rust ?? [], f.own ?? null);
  // A row's field (`aws.storage[1].prefix`) or the row itself (`aws.storage[1]`, listed twice).
  const m = /^(\w+\.\w+)\[(\d+)\](?:\.(\w+))?$/.exec(path);
  const list = m ? LISTS[m[1]] : undefined;
  if (m && list) {
    const index = Number(m[2]);
    const several = Math.max(ctx.rows?.(m[1]) ?? 1, index + 1) > 1;
    const item = `${several ? `${ordinal(index)} ` : ""}${onPage ? "" : `${list.cloud} `}${list.item}`;
    if (!m[3]) return noun(item, [], "the");
    const field = list.fields[m[3]];
    if (!field) return null;
    if (!several && onPage) return noun(field.label ?? `${list.item} name`, field.rust);
    if (field.label === null) return { a: `a name for the ${item}`, the: `the name of the ${item}`, rust: field.rust };
    return noun(`${field.label} for the ${item}`, field.rust);
  }
  // The vendor's role patterns, one a line (`aws.vendor.principal_patterns[1]`).
  const p = /^aws\.vendor\.principal_patterns\[(\d+)\]$/.exec(path);
  if (p) return noun(`${ordinal(Number(p[1]))} vendor role pattern`, ["principal pattern"], "the");
  return null;
}

/** Every subject of a Rust rule this file words as the field's own (a test finds each in Rust's rules). */
export function ruleSubjects(): string[] {
  const lists = Object.values(LISTS).flatMap((l) => Object.values(l.fields).flatMap((f) => f.rust));
  return [...new Set([...Object.values(FIELDS).flatMap((f) => f.rust ?? []), ...lists, "principal pattern"])];
}

/** A field the wizard does not ask (a plan edited by hand): its path's last part in words ("the max concurrency"). */
function pathNoun(path: string): Noun | null {
  const last = path.replace(/\[\d+\]/g, "").split(".").pop() ?? "";
  if (!/^[a-z_]+$/.test(last)) return null;
  return noun(last.replace(/_/g, " ").replace(/\b(id|arn|url)\b/g, (w) => w.toUpperCase()), [], "the");
}

/**
 * The sentence for one validation problem. `input` is the field on this page that shows it (null:
 * the field is asked on another page), `value` what the person typed there: empty → "Enter the …".
 */
export function fieldMessage(error: IpcError, input: string | null, value: string, ctx: MessageContext = {}): string {
  const field = error.field ?? "";
  const { rule, empty } = ruleOf(error);
  const onPage = input !== null;
  if (field === "platform" && (input === "platform" || !onPage) && value.trim() === "") return "Select the platform you are connecting.";
  // The clouds: none chosen, or one the vendor does not support.
  if (field === "plan" && /^choose at least one cloud\b/.test(rule)) return "Select at least one cloud.";
  if (CLOUD_NAMES[field] && /does not support this cloud/.test(rule)) {
    return `${ctx.vendor ?? "This vendor"} does not support ${CLOUD_NAMES[field]}: unselect it.`;
  }
  // A cloud with nothing granted: "nothing to grant: add at least one bucket (or an event bus)".
  const nothing = /^nothing to grant(?: in this account)?: add at least one (.+?) \(or (.+)\)$/.exec(rule);
  if (nothing) return sentence(`Add at least one ${nothing[1]}, or ${nothing[2]}`);
  // Several accounts of an organization, none chosen.
  if (field === "aws.accounts" && /\blist at least one$/.test(rule)) return "Select at least one account, or add one by its account ID.";
  const n = fieldNoun(field, onPage, ctx) ?? pathNoun(field);
  if (!n) return cleanRule(rule, ctx.vendor);
  const shownHere = !onPage || field === input;
  if (error.code.startsWith("validation.") && shownHere && (empty ?? value.trim() === "")) return sentence(`Enter ${n.the}`);
  return ruleSentence(rule, n, ctx.vendor);
}

/**
 * Whether a fix from Rust speaks to someone editing a plan file or at a terminal (a plan path such
 * as `aws.organization`, an engine's name, a command in backticks or an `aws …` command line): the
 * wizard's pages do not list it, since its sentence already says what to do on the page.
 */
export function fixForPlanFiles(fix: string | null): boolean {
  if (!fix) return false;
  return /`|\b(?:aws|gcp|azure|integration)\.[a-z_]|\bengine '|\baws [a-z0-9]+ [a-z-]+/.test(fix);
}
