// The role-pack path's pure logic: its pages, the plan built from what was typed, the variables'
// labels and groups, and the sentence shown for a problem. Rust decides what is wrong; this only
// words it for a person. No Svelte, no IPC.
import type { IpcError } from "../ipc/bindings/IpcError";
import type { PackPlan } from "../ipc/bindings/PackPlan";
import type { PackSummary } from "../ipc/bindings/PackSummary";
import type { PackVariable } from "../ipc/bindings/PackVariable";
import type { VarKind } from "../ipc/bindings/VarKind";
import { routeOf, routePageTitle, type Route } from "../flow/route";
import { cleanRule, noun, ruleOf, ruleSentence, sentence, type Noun } from "../flow/wording";

export type PackStep = "pack-choose" | "pack-variables" | "pack-check" | "pack-route" | "pack-export";

/** As in the vendor wizard: after Check your answers, one question (apply or export), then only that route. */
export const PACK_STEPS: readonly PackStep[] = ["pack-choose", "pack-variables", "pack-check", "pack-route", "pack-export"];

export const PACK_STEP_TITLES: Record<PackStep, string> = {
  "pack-choose": "Choose a role pack",
  "pack-variables": "Fill in the variables",
  "pack-check": "Check your answers",
  "pack-route": "How to set up",
  "pack-export": routePageTitle("export"),
};

/** A page's short name; the last page's follows the route ("Apply to AWS" / "Export the setup files"). */
export function packStepTitle(step: PackStep, route?: Route | null): string {
  return step === "pack-export" && route ? routePageTitle(route) : PACK_STEP_TITLES[step];
}

/** Field path of the role-pack radios, and of the export page's "type a folder" input. */
export const PACK_FIELD = "pack";
export const PACK_EXPORT_FOLDER = "pack-export.folder";

/** What the person typed for each variable of one pack. */
export type Values = Record<string, string>;

export function nextStep(step: PackStep): PackStep | null {
  return PACK_STEPS[PACK_STEPS.indexOf(step) + 1] ?? null;
}

export function previousStep(step: PackStep): PackStep | null {
  return PACK_STEPS[PACK_STEPS.indexOf(step) - 1] ?? null;
}

/** A variable's field path (where Rust reports its problems). */
export function variablePath(name: string): string {
  return `variables.${name}`;
}

/** The variable a field path names, or null. */
export function variableOf(field: string | null | undefined): string | null {
  const m = /^variables\.([A-Z0-9_]+)$/.exec(field ?? "");
  return m ? m[1] : null;
}

/** The values a pack starts with: its defaults, everything else empty. */
export function initialValues(pack: PackSummary): Values {
  return Object.fromEntries(pack.variables.map((v) => [v.name, v.default ?? ""]));
}

/**
 * The pack plan Rust validates: every value trimmed, empty ones left out (then the variable takes
 * its default, or Rust reports the unfilled placeholder).
 */
export function buildPackPlan(pack: string, values: Values): PackPlan {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const v = value.trim();
    if (v !== "") variables[name] = v;
  }
  return { version: 1, pack, variables };
}

const WORDS: Record<string, string> = {
  AWS: "AWS",
  ARN: "ARN",
  ID: "ID",
  KMS: "KMS",
  VPC: "VPC",
  EMR: "EMR",
  EC2: "EC2",
  OIDC: "OIDC",
  K8S: "Kubernetes",
  S3: "S3",
  API: "API",
  MLSPACE: "MLSpace",
};

const LABELS: Record<string, string> = {
  AWS_PARTITION: "AWS partition",
  AWS_REGION: "AWS region",
  AWS_ACCOUNT: "AWS account ID",
  MLSPACE_KMS_KEY_ID: "KMS key ID",
  MLSPACE_VPC_SECURITY_GROUP: "VPC security group ID",
  MLSPACE_PRIVATE_SUBNET_1: "Private subnet 1",
  MLSPACE_PRIVATE_SUBNET_2: "Private subnet 2",
  MLSPACE_PRIVATE_SUBNET_3: "Private subnet 3",
  EMR_DEFAULT_ROLE_ARN: "EMR service role ARN",
  EMR_EC2_INSTANCE_ROLE_ARN: "EMR EC2 instance role ARN",
  MLSPACE_APP_ROLE_NAME: "Application role name",
  MLSPACE_SYSTEM_ROLE_NAME: "System role name",
  MLSPACE_NOTEBOOK_ROLE_NAME: "Notebook role name",
  ENDPOINT_CONFIG_INSTANCE_CONSTRAINT_POLICY_ARN: "Endpoint instance-constraint policy ARN",
  JOB_INSTANCE_CONSTRAINT_POLICY_ARN: "Job instance-constraint policy ARN",
  CONSUMER_ACCOUNT: "Consumer's AWS account ID",
  EXTERNAL_ID: "External ID",
  DATA_BUCKET: "Data bucket",
  ROLE_NAME: "Role name",
  MANAGED_POLICY: "AWS-managed policy",
  OIDC_PROVIDER: "OIDC provider",
  K8S_NAMESPACE: "Kubernetes namespace",
  K8S_SERVICE_ACCOUNT: "Kubernetes service account",
};

/** A short label for a variable: a known one, else its name in words (`DATA_BUCKET` → "Data bucket"). */
export function variableLabel(name: string): string {
  if (LABELS[name]) return LABELS[name];
  const words = name.split("_").filter(Boolean);
  return words
    .map((w, i) => WORDS[w] ?? (i === 0 ? w.charAt(0) + w.slice(1).toLowerCase() : w.toLowerCase()))
    .join(" ");
}

/** The hint under a variable's input: the pack's description, an example, its default, its placeholder. */
export function variableHint(v: PackVariable): string {
  const parts = [v.description.trim().replace(/\.?$/, ".")];
  if (v.default !== null) parts.push(`Leave it as ${v.default} unless you need another.`);
  else if (v.example) parts.push(`For example, ${v.example}.`);
  parts.push(`Fills {${v.name}}.`);
  return parts.join(" ");
}

export type VariableGroup = { title: string; variables: PackVariable[] };

/** A variable of one of these kinds. */
const ofKind =
  (...kinds: VarKind[]) =>
  (v: PackVariable): boolean =>
    kinds.includes(v.kind);

const GROUPS: { title: string; has: (v: PackVariable) => boolean }[] = [
  { title: "Where the roles are created", has: ofKind("partition", "region", "account_id") },
  { title: "Role names", has: ofKind("role_name") },
  { title: "Network", has: ofKind("subnet_id", "security_group_id") },
  { title: "Encryption", has: ofKind("kms_key_id") },
  { title: "Data", has: ofKind("bucket_name") },
  { title: "Who may assume the role", has: ofKind("external_id", "oidc_provider", "k8s_name") },
  {
    title: "Existing roles and policies",
    has: (v) => ofKind("role_arn", "aws_managed_policy", "policy_arn")(v) || (v.kind === "text" && v.name.endsWith("_ARN")),
  },
];

/** The variables in groups (one fieldset each), every variable exactly once, pack order inside a group. */
export function groupVariables(pack: PackSummary): VariableGroup[] {
  const out: VariableGroup[] = GROUPS.map((g) => ({ title: g.title, variables: [] as PackVariable[] }));
  const other: PackVariable[] = [];
  for (const v of pack.variables) {
    const i = GROUPS.findIndex((g) => g.has(v));
    if (i === -1) other.push(v);
    else out[i].variables.push(v);
  }
  out.push({ title: "Other settings", variables: other });
  return out.filter((g) => g.variables.length > 0);
}

/** Input width in characters for a kind (GOV.UK fixed-width inputs); undefined = full width. */
export function inputWidth(kind: VarKind): number | undefined {
  switch (kind) {
    case "partition":
      return 10;
    case "region":
    case "account_id":
      return 20;
    case "subnet_id":
    case "security_group_id":
    case "role_name":
    case "k8s_name":
      return 30;
    case "kms_key_id":
      return 40;
    default:
      return undefined;
  }
}

/** The subjects Rust starts a kind's rules with ("a subnet id looks like …"): see `Noun`. */
export const RUST_SUBJECTS: Partial<Record<VarKind, readonly string[]>> = {
  region: ["AWS region"],
  account_id: ["AWS account id"],
  kms_key_id: ["KMS key id"],
  subnet_id: ["subnet id"],
  security_group_id: ["security group id"],
  role_name: ["role name"],
  role_arn: ["role ARN"],
  bucket_name: ["bucket name"],
  aws_managed_policy: ["AWS-managed policy name"],
  oidc_provider: ["OIDC provider"],
  external_id: ["external id"],
  text: ["name"],
};

/** How a sentence names a variable: by its label ("an AWS account ID"; "private subnet 2" takes no article). */
export function variableNoun(name: string, kind?: VarKind): Noun {
  const label = lowerFirst(variableLabel(name));
  return noun(label, (kind && RUST_SUBJECTS[kind]) ?? [], /\d$/.test(label) ? "none" : null);
}

/**
 * The sentence for one problem at a variable, GOV.UK's way: what is wrong and how to put it right,
 * naming the variable by its label (never its name, the path or the value typed). `value` is what
 * was typed there: empty → "Enter the …". `kind`: the variable's kind, which says whose rules are
 * its own (a rule about a part of its value reads as Rust states it).
 */
export function variableMessage(error: IpcError, value: string, kind?: VarKind): string {
  const name = variableOf(error.field);
  const { rule, empty } = ruleOf(error);
  if (!name) return cleanRule(rule);
  const n = variableNoun(name, kind);
  if (error.code.startsWith("validation.") && (empty ?? value.trim() === "")) return sentence(`Enter ${n.the}`);
  // The value is fine alone but breaks a name the pack makes with it (Rust names the pack's field).
  const breaks = /^makes the (.+?) at \S+ invalid: (.+)$/.exec(rule);
  if (breaks) return `${sentence(`${n.the} makes the ${breaks[1]} invalid`)} ${cleanRule(breaks[2])}`;
  return ruleSentence(rule, n);
}

/** "AWS account ID" stays, "Private subnet 1" → "private subnet 1" (acronyms keep their case). */
function lowerFirst(label: string): string {
  const first = label.split(" ")[0];
  return first.length > 1 && first === first.toUpperCase() ? label : label.charAt(0).toLowerCase() + label.slice(1);
}

/** The sentence for a problem that is not at a variable (the pack choice, a role, the plan). */
export function otherMessage(error: IpcError): string {
  if (error.field === PACK_FIELD && error.code === "validation.pack") return "Select the role pack to deploy.";
  return cleanRule(ruleOf(error).rule);
}

/** Values the presenter mode hides (account ids and external ids typed for this pack). */
export function sensitivePackValues(pack: PackSummary | null, values: Values): string[] {
  if (!pack) return [];
  return pack.variables
    .filter((v) => v.kind === "account_id" || v.kind === "external_id" || v.kind === "kms_key_id")
    .map((v) => (values[v.name] ?? "").trim())
    .filter((v) => v.length >= 3);
}

/**
 * A saved role-pack draft (`{version, pack, variables}` with every typed value, blanks included, and
 * `route` once the set-up question is answered), or null when the saved plan is not one. Never trusted to have any shape: it comes from disk.
 */
export function packDraftOf(raw: unknown): { pack: string; variables: Values; route: Route | null } | null {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (typeof o.pack !== "string" || o.pack === "") return null;
  const vars = o.variables && typeof o.variables === "object" && !Array.isArray(o.variables) ? (o.variables as Record<string, unknown>) : {};
  const variables: Values = {};
  for (const [k, v] of Object.entries(vars)) if (typeof v === "string") variables[k] = v;
  return { pack: o.pack, variables, route: routeOf(raw) };
}

export function isPackStep(step: string): step is PackStep {
  return (PACK_STEPS as readonly string[]).includes(step);
}
