// Answer handling: what the person typed (Answers) ↔ the plan Rust validates (Plan), which plan
// fields each step owns (for validate_plan, Change links and error routing), and DOM ids.
// Pure: no Svelte, no IPC.
import type { Cloud } from "../ipc/bindings/Cloud";
import type { Plan } from "../ipc/bindings/Plan";
import type { AwsPlan } from "../ipc/bindings/AwsPlan";
import type { GcpPlan } from "../ipc/bindings/GcpPlan";
import type { AzurePlan } from "../ipc/bindings/AzurePlan";
import type { ProfileSummary } from "../ipc/bindings/ProfileSummary";
import { routeOf, type Route } from "../flow/route";
import { CLOUD_ORDER, cloudOf, type StepContext, type StepId } from "./steps";

/**
 * Field path of the vendor's API key on the "Connect to {vendor}" page: not a plan field (the key
 * goes to the OS keyring, never into the answers or the draft).
 */
export const VENDOR_API_KEY = "vendor.api_key";

export type S3Row = { bucket: string; prefix: string; kms_key_arn: string };
export type NameRow = { name: string };
/** One member account chosen on "Which accounts?" (AWS Organizations), with its own bucket. */
/** One chosen account: its bucket (and folder, and the bucket's own KMS key), and the event bus the vendor publishes to there. */
export type OrgAccountAnswer = { account_id: string; bucket: string; prefix: string; bus: string; kms_key_arn?: string };

/** A newly chosen account: no bucket yet, the event bus every AWS account has. */
export function newOrgAccount(account_id: string): OrgAccountAnswer {
  return { account_id, bucket: "", prefix: "", bus: DEFAULTS.awsEventBus };
}
/** How the role reaches the accounts: each one's member role now, or a StackSet over units. */
export function emptyOrg(): OrgAnswers {
  return { on: false, engine: "member-role", member_role_name: "", units: [], max_concurrency: null, accounts: [] };
}

export type OrgEngine = "member-role" | "stack-set";
export type OrgAnswers = {
  on: boolean;
  /** `member-role` or `stack-set`; a saved plan's other value is kept as it is (Rust refuses it). */
  engine: string;
  member_role_name: string;
  /** The units (`ou-…`) or the root (`r-…`) a StackSet deploys to, and keeps deploying to. */
  units: string[];
  /** Kept from a saved plan (the form does not ask); absent: Rust's default. */
  max_concurrency: number | null;
  accounts: OrgAccountAnswer[];
};
export type AzureRow = { storage_account: string; container: string };
export type Access = "secret" | "keyless";

export type Answers = {
  platform: string;
  integration: {
    name: string;
    project_id: string;
    default: boolean;
    /** The vendor API's base URL (profiles whose registration API has none built in). */
    api_url: string;
  };
  clouds: Cloud[];
  /**
   * "How do you want to set this up?" (asked when the plan has AWS): apply from this computer or
   * export; null until answered (the page then preselects). Not a plan field: the draft keeps it
   * beside the plan (`withRoute`), never the plan Rust validates or exports.
   */
  route: Route | null;
  aws: {
    partition: string;
    account_id: string;
    region: string;
    role_name: string;
    role_path: string;
    permissions_boundary_arn: string;
    external_id: string;
    /** Written by registration with the vendor's API (never typed); kept so it is saved and exported. */
    vendor_credentials_id: string;
    vendor_account_id: string;
    /** One ArnLike pattern per line (custom vendor). */
    principal_patterns: string;
    storage: S3Row[];
    events: NameRow[];
    /**
     * "Many accounts (AWS Organizations)": the role goes into each chosen account, through the
     * organization's member role, each with its own bucket; `account_id` is then the management
     * account this computer signs in to, and `storage` is not used. Off: one account.
     */
    org: OrgAnswers;
  };
  gcp: {
    project_id: string;
    service_account: string;
    /** How the vendor signs in: a key the customer stores, or keyless (Workload Identity Federation). */
    access: Access;
    wif_vendor_account_id: string;
    wif_vendor_role_name: string;
    wif_pool_id: string;
    /** Written by registration with the vendor's API. */
    vendor_credentials_id: string;
    storage: NameRow[];
    events: NameRow[];
  };
  azure: {
    /** How the vendor signs in: a client secret the customer stores, or keyless (admin consent). */
    access: Access;
    vendor_app_id: string;
    tenant_id: string;
    subscription_id: string;
    resource_group: string;
    service_principal_name: string;
    /** Written by registration with the vendor's API. */
    vendor_credentials_id: string;
    storage: AzureRow[];
    events: NameRow[];
  };
};

export const emptyS3Row = (): S3Row => ({ bucket: "", prefix: "", kms_key_arn: "" });
export const emptyNameRow = (): NameRow => ({ name: "" });
export const emptyAzureRow = (): AzureRow => ({ storage_account: "", container: "" });

/** Smart defaults that cut typing. The external id is filled in by the wizard (CSPRNG, in Rust). */
export const DEFAULTS = {
  integrationName: "CLOUD_01",
  awsRegion: "us-east-1",
  /** Every AWS account has an event bus named "default". */
  awsEventBus: "default",
};

export function emptyAnswers(): Answers {
  return {
    platform: "",
    integration: { name: DEFAULTS.integrationName, project_id: "", default: true, api_url: "" },
    clouds: [],
    route: null,
    aws: {
      partition: "aws",
      account_id: "",
      region: DEFAULTS.awsRegion,
      role_name: "",
      role_path: "/",
      permissions_boundary_arn: "",
      external_id: "",
      vendor_credentials_id: "",
      vendor_account_id: "",
      principal_patterns: "",
      storage: [emptyS3Row()],
      events: [{ name: DEFAULTS.awsEventBus }],
      org: emptyOrg(),
    },
    gcp: {
      project_id: "",
      service_account: "",
      access: "secret",
      wif_vendor_account_id: "",
      wif_vendor_role_name: "",
      wif_pool_id: "",
      vendor_credentials_id: "",
      storage: [emptyNameRow()],
      events: [emptyNameRow()],
    },
    azure: {
      access: "secret",
      vendor_app_id: "",
      tenant_id: "",
      subscription_id: "",
      resource_group: "",
      service_principal_name: "",
      vendor_credentials_id: "",
      storage: [emptyAzureRow()],
      events: [emptyNameRow()],
    },
  };
}

/** The step-graph inputs that come from the answers and the chosen profile. */
export function stepContext(a: Answers, profile: ProfileSummary | null): StepContext {
  const d = profile?.defaults;
  return {
    profileClouds: profile ? profile.clouds : null,
    clouds: profile && profile.clouds.length === 1 ? profile.clouds : a.clouds,
    publishesEvents: {
      aws: d ? d.aws_publishes_events : true,
      gcp: d ? d.gcp_publishes_events : true,
      azure: d ? d.azure_publishes_events : true,
    },
    keylessOffered: { gcp: !!d?.gcp_keyless, azure: !!d?.azure_keyless },
    keylessChosen: {
      gcp: !!d?.gcp_keyless && a.gcp.access === "keyless",
      azure: !!d?.azure_keyless && a.azure.access === "keyless",
    },
    registration: profile?.registration
      ? { uploads: { gcp: profile.registration.uploads_gcp, azure: profile.registration.uploads_azure } }
      : null,
    awsOrg: a.aws.org.on,
    // Only AWS has a default (every account has a bus named "default"); topics must be named. The
    // AWS account page folds too, but on what was detected (the wizard adds it).
    folded: { "aws-events": awsEventsAreDefault(a) },
  };
}

/** The AWS events answer is exactly the default: the single bus named "default". */
export function awsEventsAreDefault(a: Answers): boolean {
  const buses = names(a.aws.events);
  return buses.length === 1 && buses[0] === DEFAULTS.awsEventBus;
}

/** The vendor issues the AWS external id when the role is registered with it: the wizard makes none. */
export function vendorIssuesExternalId(profile: ProfileSummary | null): boolean {
  return !!profile?.registration?.vendor_issues_external_id;
}

/** An AWS plan whose vendor issues the external id and that has none yet: register before apply or export. */
export function externalIdPending(a: Answers, profile: ProfileSummary | null): boolean {
  return vendorIssuesExternalId(profile) && stepContext(a, profile).clouds.includes("aws") && isBlank(a.aws.external_id);
}

/**
 * Takes what registration recorded in its answer's plan (the vendor-issued external id and the
 * vendor's credentials ids) into the answers, so they are autosaved and exported. Only fields the
 * registration writes; everything the person typed stays as it is.
 */
export function applyRegistration(a: Answers, plan: Plan): void {
  if (plan.aws) {
    if (plan.aws.external_id) a.aws.external_id = plan.aws.external_id;
    a.aws.vendor_credentials_id = plan.aws.vendor_credentials_id ?? "";
  }
  if (plan.gcp) a.gcp.vendor_credentials_id = plan.gcp.vendor_credentials_id ?? "";
  if (plan.azure) a.azure.vendor_credentials_id = plan.azure.vendor_credentials_id ?? "";
}

/**
 * Called when the person picks a (different) vendor: fills the vendor's default names where the
 * field is empty or still holds the previous vendor's default.
 */
export function applyProfileDefaults(a: Answers, next: ProfileSummary, previous: ProfileSummary | null): void {
  const swap = (current: string, oldDefault: string | null | undefined, newDefault: string | null) =>
    current.trim() === "" || current === (oldDefault ?? "") ? (newDefault ?? "") : current;
  a.aws.role_name = swap(a.aws.role_name, previous?.defaults.aws_role_name, next.defaults.aws_role_name);
  a.gcp.service_account = swap(
    a.gcp.service_account,
    previous?.defaults.gcp_service_account,
    next.defaults.gcp_service_account,
  );
  a.azure.service_principal_name = swap(
    a.azure.service_principal_name,
    previous?.defaults.azure_service_principal_name,
    next.defaults.azure_service_principal_name,
  );
  // Keyless is recommended wherever the vendor supports it (no long-lived secret exists at all).
  if (next.defaults.gcp_keyless && !previous?.defaults.gcp_keyless) a.gcp.access = "keyless";
  if (!next.defaults.gcp_keyless) a.gcp.access = "secret";
  if (next.defaults.azure_keyless && !previous?.defaults.azure_keyless) a.azure.access = "keyless";
  if (!next.defaults.azure_keyless) a.azure.access = "secret";
  if (next.clouds.length === 1) a.clouds = [...next.clouds];
  else a.clouds = a.clouds.filter((c) => next.clouds.includes(c));
}

const isBlank = (s: string) => s.trim() === "";
const opt = (s: string): string | undefined => (isBlank(s) ? undefined : s.trim());

function rowIsEmpty(row: Record<string, string>): boolean {
  return Object.values(row).every(isBlank);
}

/**
 * Drops rows the person left completely empty, keeping one empty row so the page still shows a
 * field. Empty rows only ever remain at the end, so answer row i is plan row i.
 */
export function compactRows<T extends Record<string, string>>(rows: T[], empty: () => T): T[] {
  const kept = rows.filter((r) => !rowIsEmpty(r));
  return kept.length > 0 ? kept : [empty()];
}

export function compactAnswers(a: Answers): void {
  a.aws.storage = compactRows(a.aws.storage, emptyS3Row);
  a.aws.events = compactRows(a.aws.events, emptyNameRow);
  a.gcp.storage = compactRows(a.gcp.storage, emptyNameRow);
  a.gcp.events = compactRows(a.gcp.events, emptyNameRow);
  a.azure.storage = compactRows(a.azure.storage, emptyAzureRow);
  a.azure.events = compactRows(a.azure.events, emptyNameRow);
}

function names(rows: NameRow[]): string[] {
  return rows.filter((r) => !isBlank(r.name)).map((r) => r.name.trim());
}

/** The plan for these answers: only chosen clouds, blank optional fields left out. */
export function buildPlan(a: Answers, profile: ProfileSummary | null): Plan {
  const ctx = stepContext(a, profile);
  const clouds = CLOUD_ORDER.filter((c) => ctx.clouds.includes(c));
  const d = profile?.defaults;
  const plan: Plan = {
    version: 1,
    platform: a.platform,
    integration: {
      name: a.integration.name.trim(),
      project_id: a.integration.project_id.trim(),
      default: a.integration.default,
      api_url: profile?.registration ? opt(a.integration.api_url) : undefined,
    },
  };
  if (clouds.includes("aws")) {
    const x = a.aws;
    const aws: AwsPlan = {
      partition: x.partition.trim() || "aws",
      account_id: x.account_id.trim(),
      region: x.region.trim(),
      role_name: opt(x.role_name),
      role_path: x.role_path.trim() || "/",
      permissions_boundary_arn: opt(x.permissions_boundary_arn),
      external_id: d?.aws_external_id === "none" ? undefined : opt(x.external_id),
      vendor_credentials_id: profile?.registration ? opt(x.vendor_credentials_id) : undefined,
      vendor: d?.aws_vendor_account_from_plan
        ? {
            account_id: x.vendor_account_id.trim(),
            principal_patterns: x.principal_patterns
              .split("\n")
              .map((l) => l.trim())
              .filter((l) => l !== ""),
          }
        : undefined,
      storage: x.storage
        .filter((r) => !rowIsEmpty(r))
        .map((r) => ({ bucket: r.bucket.trim(), prefix: opt(r.prefix), kms_key_arn: opt(r.kms_key_arn) })),
      events: ctx.publishesEvents.aws ? names(x.events).map((event_bus_name) => ({ event_bus_name })) : [],
    };
    if (x.org.on) {
      // Each account names its own bucket and event bus (Rust refuses a grant at the top of an
      // organization-wide plan).
      aws.organization = stripUndefined({
        engine: x.org.engine,
        // The units only for a StackSet (Rust refuses units with the member-role engine).
        organizational_units: x.org.engine === "stack-set" ? x.org.units.map((u) => u.trim()).filter((u) => u !== "") : undefined,
        member_role_name: opt(x.org.member_role_name),
        max_concurrency: x.org.max_concurrency ?? undefined,
      }) as AwsPlan["organization"];
      aws.accounts = x.org.accounts.map((m) => ({
        account_id: m.account_id.trim(),
        storage:
          m.bucket.trim() === "" && m.prefix.trim() === "" && !m.kms_key_arn?.trim()
            ? []
            : [stripUndefined({ bucket: m.bucket.trim(), prefix: opt(m.prefix), kms_key_arn: opt(m.kms_key_arn ?? "") })],
        events: ctx.publishesEvents.aws && m.bus.trim() !== "" ? [{ event_bus_name: m.bus.trim() }] : [],
      }));
      aws.storage = [];
      aws.events = [];
    }
    plan.aws = stripUndefined(aws);
  }
  if (clouds.includes("gcp")) {
    const x = a.gcp;
    const gcp: GcpPlan = {
      project_id: x.project_id.trim(),
      service_account: opt(x.service_account),
      storage: names(x.storage).map((bucket) => ({ bucket })),
      events: ctx.publishesEvents.gcp ? names(x.events).map((topic) => ({ topic })) : [],
      workload_identity: ctx.keylessChosen?.gcp
        ? {
            vendor_aws_account_id: x.wif_vendor_account_id.trim(),
            vendor_role_name: x.wif_vendor_role_name.trim(),
            pool_id: opt(x.wif_pool_id),
          }
        : undefined,
      vendor_credentials_id: profile?.registration?.uploads_gcp ? opt(x.vendor_credentials_id) : undefined,
    };
    plan.gcp = stripUndefined(gcp);
  }
  if (clouds.includes("azure")) {
    const x = a.azure;
    const azure: AzurePlan = {
      tenant_id: x.tenant_id.trim(),
      subscription_id: x.subscription_id.trim(),
      resource_group: x.resource_group.trim(),
      service_principal_name: opt(x.service_principal_name),
      storage: x.storage
        .filter((r) => !rowIsEmpty(r))
        .map((r) => ({ storage_account: r.storage_account.trim(), container: r.container.trim() })),
      events: ctx.publishesEvents.azure ? names(x.events).map((topic) => ({ topic })) : [],
      vendor_app_id: ctx.keylessChosen?.azure ? x.vendor_app_id.trim() : undefined,
      vendor_credentials_id: profile?.registration?.uploads_azure ? opt(x.vendor_credentials_id) : undefined,
    };
    plan.azure = stripUndefined(azure);
  }
  return plan;
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[k] = v && typeof v === "object" && !Array.isArray(v) ? stripUndefined(v) : v;
  }
  return out as T;
}

// ---- Reading a saved plan back (from the draft on disk: never trusted to have any shape) ----

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : null);
const str = (o: Obj | null, k: string, fallback = ""): string =>
  o && typeof o[k] === "string" ? (o[k] as string) : fallback;
const strs = (o: Obj | null, k: string): string[] =>
  o && Array.isArray(o[k]) ? (o[k] as unknown[]).filter((x): x is string => typeof x === "string" && x !== "") : [];
const arr = (o: Obj | null, k: string): Obj[] =>
  o && Array.isArray(o[k]) ? (o[k] as unknown[]).map(obj).filter((x): x is Obj => x !== null) : [];

/** Answers from a saved plan; anything missing or of the wrong type takes the empty answer. */
export function answersFromPlan(raw: unknown): Answers {
  const a = emptyAnswers();
  const p = obj(raw);
  if (!p) return a;
  a.platform = str(p, "platform");
  const i = obj(p.integration);
  a.integration.name = str(i, "name", a.integration.name);
  a.integration.project_id = str(i, "project_id");
  a.integration.default = i && typeof i.default === "boolean" ? i.default : a.integration.default;
  a.integration.api_url = str(i, "api_url");
  a.route = routeOf(p);

  const aws = obj(p.aws);
  if (aws) {
    a.clouds.push("aws");
    const vendor = obj(aws.vendor);
    const patterns = vendor && Array.isArray(vendor.principal_patterns) ? vendor.principal_patterns : [];
    Object.assign(a.aws, {
      partition: str(aws, "partition", "aws"),
      account_id: str(aws, "account_id"),
      region: str(aws, "region"),
      role_name: str(aws, "role_name"),
      role_path: str(aws, "role_path", "/"),
      permissions_boundary_arn: str(aws, "permissions_boundary_arn"),
      external_id: str(aws, "external_id"),
      vendor_credentials_id: str(aws, "vendor_credentials_id"),
      vendor_account_id: str(vendor, "account_id"),
      principal_patterns: patterns.filter((x): x is string => typeof x === "string").join("\n"),
    });
    a.aws.storage = compactRows(
      arr(aws, "storage").map((r) => ({
        bucket: str(r, "bucket"),
        prefix: str(r, "prefix"),
        kms_key_arn: str(r, "kms_key_arn"),
      })),
      emptyS3Row,
    );
    a.aws.events = compactRows(
      arr(aws, "events").map((r) => ({ name: str(r, "event_bus_name") })),
      emptyNameRow,
    );
    const org = obj(aws.organization);
    if (org) {
      const members = arr(aws, "accounts");
      const concurrency = org.max_concurrency;
      a.aws.org = {
        on: true,
        engine: str(org, "engine") || "member-role",
        units: strs(org, "organizational_units"),
        max_concurrency: typeof concurrency === "number" ? concurrency : null,
        member_role_name: str(org, "member_role_name"),
        accounts: members.map((m) => {
          const first = arr(m, "storage")[0] ?? null;
          // What the form cannot hold — a second bucket or bus, a KMS key, a region of its own — is
          // left out (reading a plan back never widens a grant), never given to another account.
          const bus = arr(m, "events").map((r) => str(r, "event_bus_name")).find((n) => n !== "") ?? "";
          const kms = str(first, "kms_key_arn");
          return { account_id: str(m, "account_id"), bucket: str(first, "bucket"), prefix: str(first, "prefix"), bus, ...(kms ? { kms_key_arn: kms } : {}) };
        }),
      };
    }
  }
  const gcp = obj(p.gcp);
  if (gcp) {
    a.clouds.push("gcp");
    a.gcp.project_id = str(gcp, "project_id");
    a.gcp.service_account = str(gcp, "service_account");
    a.gcp.storage = compactRows(arr(gcp, "storage").map((r) => ({ name: str(r, "bucket") })), emptyNameRow);
    a.gcp.events = compactRows(arr(gcp, "events").map((r) => ({ name: str(r, "topic") })), emptyNameRow);
    const wif = obj(gcp.workload_identity);
    a.gcp.access = wif ? "keyless" : "secret";
    a.gcp.wif_vendor_account_id = str(wif, "vendor_aws_account_id");
    a.gcp.wif_vendor_role_name = str(wif, "vendor_role_name");
    a.gcp.wif_pool_id = str(wif, "pool_id");
    a.gcp.vendor_credentials_id = str(gcp, "vendor_credentials_id");
  }
  const az = obj(p.azure);
  if (az) {
    a.clouds.push("azure");
    a.azure.tenant_id = str(az, "tenant_id");
    a.azure.subscription_id = str(az, "subscription_id");
    a.azure.resource_group = str(az, "resource_group");
    a.azure.service_principal_name = str(az, "service_principal_name");
    a.azure.storage = compactRows(
      arr(az, "storage").map((r) => ({ storage_account: str(r, "storage_account"), container: str(r, "container") })),
      emptyAzureRow,
    );
    a.azure.events = compactRows(arr(az, "events").map((r) => ({ name: str(r, "topic") })), emptyNameRow);
    a.azure.vendor_app_id = str(az, "vendor_app_id");
    a.azure.vendor_credentials_id = str(az, "vendor_credentials_id");
    a.azure.access = a.azure.vendor_app_id ? "keyless" : "secret";
  }
  return a;
}

// ---- Which plan fields each step owns -----------------------------------------------------

/**
 * Field-path prefixes a step sends to validate_plan. `null`: the step checks nothing on Continue;
 * `"all"`: the whole plan.
 */
export function fieldsForStep(step: StepId, profile: ProfileSummary | null = null): string[] | "all" | null {
  switch (step) {
    case "start":
      // A vendor with a registration API: its projects are listed with the key, on "Connect to {vendor}".
      return profile?.registration ? ["platform", "integration.name", "integration.default", "version"] : ["platform", "integration", "version"];
    case "clouds":
      return ["plan", "aws", "gcp", "azure"]; // only the exact paths count: see problemsForStep
    case "check":
    case "export":
      return "all";
    case "vendor":
      return ["integration.api_url", "integration.project_id"];
    case "route": // a choice between two answers, one always selected; the plan was checked on Check
    case "credentials":
    case "send":
    case "test":
    case "done":
      return null;
  }
  const cloud = cloudOf(step);
  if (!cloud) return null;
  if (step === "aws-accounts") return ["aws.accounts", "aws.organization"];
  if (step.endsWith("-storage")) return [`${cloud}.storage`];
  if (step.endsWith("-events")) return [`${cloud}.events`];
  if (step.endsWith("-access")) return cloud === "gcp" ? ["gcp.workload_identity"] : ["azure.vendor_app_id"];
  // identity: every other field of the cloud's section
  if (cloud === "aws")
    return [
      "aws.partition",
      "aws.account_id",
      "aws.region",
      "aws.role_name",
      "aws.role_path",
      "aws.permissions_boundary_arn",
      "aws.external_id",
      "aws.vendor",
      "aws.trust_policy",
      "profile.aws",
    ];
  if (cloud === "gcp") return ["gcp.project_id", "gcp.service_account"];
  return ["azure.tenant_id", "azure.subscription_id", "azure.resource_group", "azure.service_principal_name"];
}

/**
 * Keeps only the problems a step should show: on the clouds page, the prefixes "aws"/"gcp"/"azure"
 * mean the section itself ("this vendor does not support this cloud"), not its fields.
 */
export function problemsForStep<T extends { field: string | null }>(step: StepId, problems: T[]): T[] {
  if (step !== "clouds") return problems;
  return problems.filter((p) => p.field === "plan" || p.field === "aws" || p.field === "gcp" || p.field === "azure");
}

/** The step that owns a plan field path (for error routing and Change links); null if none. */
export function stepForField(field: string | null, steps: readonly StepId[]): StepId | null {
  if (!field) return null;
  const root = field.split(/[.[]/)[0];
  let step: StepId | null = null;
  if (field === "integration.api_url" || field === VENDOR_API_KEY) step = "vendor";
  else if (field === "integration.project_id" && steps.includes("vendor")) step = "vendor";
  else if (field === "route") step = "route";
  else if (root === "platform" || root === "integration" || root === "version") step = "start";
  else if (field === "plan" || field === "aws" || field === "gcp" || field === "azure") step = "clouds";
  else {
    const path = field.startsWith("profile.") ? field.slice("profile.".length) : field;
    const cloud = path.split(/[.[]/)[0] as Cloud;
    if (CLOUD_ORDER.includes(cloud)) {
      const rest = path.slice(cloud.length + 1);
      if (cloud === "aws" && (rest.startsWith("accounts") || rest.startsWith("organization"))) step = "aws-accounts";
      else if (rest.startsWith("storage")) step = `${cloud}-storage`;
      else if (rest.startsWith("events")) step = `${cloud}-events`;
      else if (cloud !== "aws" && (rest.startsWith("workload_identity") || rest.startsWith("vendor_app_id")))
        step = `${cloud}-access`;
      else step = `${cloud}-identity`;
    }
  }
  if (step === "clouds" && !steps.includes("clouds")) step = "start";
  return step && steps.includes(step) ? step : null;
}

/** The input fields a step shows, as plan field paths, in page order. */
export function inputsForStep(step: StepId, a: Answers, profile: ProfileSummary | null): string[] {
  const d = profile?.defaults;
  switch (step) {
    case "start":
      return profile?.registration ? ["platform", "integration.name"] : ["platform", "integration.name", "integration.project_id"];
    case "clouds":
      return ["clouds"];
    case "vendor":
      // The address first where the profile has none; else it is under "More options", last.
      return profile?.registration?.needs_api_url
        ? ["integration.api_url", VENDOR_API_KEY, "integration.project_id"]
        : [VENDOR_API_KEY, "integration.project_id", "integration.api_url"];
    case "aws-identity": {
      const out = ["aws.account_id", "aws.region", "aws.role_name"];
      if (d?.aws_external_id !== "none" && !vendorIssuesExternalId(profile)) out.push("aws.external_id");
      if (d?.aws_vendor_account_from_plan) out.push("aws.vendor.account_id", "aws.vendor.principal_patterns");
      out.push("aws.partition", "aws.role_path", "aws.permissions_boundary_arn");
      return out;
    }
    case "aws-storage":
      return a.aws.storage.flatMap((_, i) => [
        `aws.storage[${i}].bucket`,
        `aws.storage[${i}].prefix`,
        `aws.storage[${i}].kms_key_arn`,
      ]);
    case "aws-accounts":
      return [
        ...(a.aws.org.accounts.length === 0 ? ["aws.accounts"] : []),
        ...a.aws.org.accounts.flatMap((_, i) => [
          `aws.accounts[${i}].account_id`,
          `aws.accounts[${i}].storage[0].bucket`,
          `aws.accounts[${i}].storage[0].prefix`,
          `aws.accounts[${i}].storage[0].kms_key_arn`,
          `aws.accounts[${i}].events[0].event_bus_name`,
        ]),
        "aws.organization.member_role_name",
        "aws.organization.engine",
        "aws.organization.organizational_units",
        "aws.organization.max_concurrency",
      ];
    case "aws-events":
      return a.aws.events.map((_, i) => `aws.events[${i}].event_bus_name`);
    case "gcp-identity":
      return ["gcp.project_id", "gcp.service_account"];
    case "gcp-access":
      return a.gcp.access === "keyless"
        ? [
            "gcp.access",
            "gcp.workload_identity.vendor_aws_account_id",
            "gcp.workload_identity.vendor_role_name",
            "gcp.workload_identity.pool_id",
          ]
        : ["gcp.access"];
    case "azure-access":
      return a.azure.access === "keyless" ? ["azure.access", "azure.vendor_app_id"] : ["azure.access"];
    case "gcp-storage":
      return a.gcp.storage.map((_, i) => `gcp.storage[${i}].bucket`);
    case "gcp-events":
      return a.gcp.events.map((_, i) => `gcp.events[${i}].topic`);
    case "azure-identity":
      return ["azure.tenant_id", "azure.subscription_id", "azure.resource_group", "azure.service_principal_name"];
    case "azure-storage":
      return a.azure.storage.flatMap((_, i) => [
        `azure.storage[${i}].storage_account`,
        `azure.storage[${i}].container`,
      ]);
    case "azure-events":
      return a.azure.events.map((_, i) => `azure.events[${i}].topic`);
    default:
      return [];
  }
}

const under = (child: string, parent: string) =>
  child.startsWith(`${parent}.`) || child.startsWith(`${parent}[`);

/**
 * The input an error belongs to: the same path; else the first input inside the error's path
 * (`aws.storage` → the first bucket); else the input the error's path lies inside
 * (`aws.vendor.principal_patterns[1]` → the patterns box). Clouds-level errors go to the cloud
 * checkboxes. Null when no input on the page matches.
 */
export function inputFor(field: string | null, inputs: readonly string[]): string | null {
  if (!field) return null;
  if (inputs.includes(field)) return field;
  if (inputs.includes("clouds") && ["plan", "aws", "gcp", "azure"].includes(field)) return "clouds";
  return inputs.find((i) => under(i, field)) ?? inputs.find((i) => under(field, i)) ?? null;
}

/** The DOM id of a field's input, e.g. `aws.storage[0].bucket` → `f-aws-storage-0-bucket`. */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-+$/, "")}`;
}

/** Radio and checkbox groups focus their first option. */
export function focusId(path: string): string {
  return path === "platform" || path === "clouds" || path.endsWith(".access") ? `${fieldId(path)}-0` : fieldId(path);
}

/** The answer at a field path (for "Enter …" messages); "" when unknown. */
export function valueAt(a: Answers, path: string): string {
  const m = /^(aws|gcp|azure)\.(storage|events)\[(\d+)\]\.(\w+)$/.exec(path);
  if (m) {
    const [, cloud, list, index, key] = m;
    const rows = (a[cloud as Cloud] as unknown as Record<string, Record<string, string>[]>)[list];
    const row = rows?.[Number(index)];
    if (!row) return "";
    // AWS buckets and Azure containers keep the plan's keys; the other lists hold one `name`.
    const k = list === "storage" && cloud !== "gcp" ? key : "name";
    return row[k] ?? "";
  }
  const member = /^aws\.accounts\[(\d+)\]\.(account_id|storage\[0\]\.bucket|storage\[0\]\.prefix|storage\[0\]\.kms_key_arn|events\[0\]\.event_bus_name)$/.exec(path);
  if (member) {
    const row = a.aws.org.accounts[Number(member[1])];
    if (!row) return "";
    const field = member[2];
    if (field.endsWith("kms_key_arn")) return row.kms_key_arn ?? "";
    return field === "account_id" ? row.account_id : field.endsWith("bucket") ? row.bucket : field.endsWith("prefix") ? row.prefix : row.bus;
  }
  switch (path) {
    case "aws.organization.member_role_name":
      return a.aws.org.member_role_name;
    case "aws.organization.engine":
      return a.aws.org.engine;
    case "aws.organization.organizational_units":
      return a.aws.org.units.join(", ");
    case "aws.organization.max_concurrency":
      return a.aws.org.max_concurrency === null ? "" : String(a.aws.org.max_concurrency);
    case "platform":
      return a.platform;
    case "integration.name":
      return a.integration.name;
    case "integration.project_id":
      return a.integration.project_id;
    case "integration.api_url":
      return a.integration.api_url;
    case "aws.vendor.account_id":
      return a.aws.vendor_account_id;
    case "aws.vendor.principal_patterns":
      return a.aws.principal_patterns;
    case "gcp.workload_identity.vendor_aws_account_id":
      return a.gcp.wif_vendor_account_id;
    case "gcp.workload_identity.vendor_role_name":
      return a.gcp.wif_vendor_role_name;
    case "gcp.workload_identity.pool_id":
      return a.gcp.wif_pool_id;
  }
  const [cloud, key] = path.split(".");
  const section = a[cloud as Cloud] as unknown as Record<string, unknown> | undefined;
  const v = section?.[key];
  return typeof v === "string" ? v : "";
}

/** Names too generic to hide: masking them would garble the page, and they identify nobody. */
const NOT_IDENTIFYING = new Set(["default", "data", "events", "test"]);

/**
 * Values presenter mode hides wherever they appear: account ids, the external id, tenant and
 * subscription, the customer's project at the vendor, and every identifier of the customer's own
 * resources — the GCP project (and so the
 * service account's e-mail), buckets, storage accounts and containers, the resource group, event
 * buses and topics, KMS keys.
 */
export function sensitiveValues(a: Answers): string[] {
  return [
    a.aws.account_id,
    a.aws.external_id,
    a.aws.vendor_account_id,
    a.gcp.wif_vendor_account_id,
    a.azure.tenant_id,
    a.azure.subscription_id,
    a.integration.project_id,
    a.gcp.project_id,
    a.azure.resource_group,
    ...a.aws.storage.flatMap((r) => [r.bucket, r.kms_key_arn]),
    ...a.aws.org.accounts.flatMap((m) => [m.account_id, m.bucket, m.bus, m.kms_key_arn ?? ""]),
    ...a.aws.org.units,
    ...a.aws.events.map((r) => r.name),
    ...a.gcp.storage.map((r) => r.name),
    ...a.gcp.events.map((r) => r.name),
    ...a.azure.storage.flatMap((r) => [r.storage_account, r.container]),
    ...a.azure.events.map((r) => r.name),
  ]
    .map((v) => v.trim())
    .filter((v) => v.length >= 3 && !NOT_IDENTIFYING.has(v.toLowerCase()));
}
