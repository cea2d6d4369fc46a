// Typed wrappers, one per Rust command. Names and shapes follow `src-tauri/src/commands.rs`.
// Features whose backends are still being built (apply, AWS account detection, credentials, the
// connectivity test) each sit behind ONE function here that says so plainly; wiring a backend
// means changing that function and `isAvailable`, nothing in the views.
import { open } from "@tauri-apps/plugin-dialog";
import { call, type IpcError } from "./index";
import type { AppInfo } from "./bindings/AppInfo";
import type { Draft } from "./bindings/Draft";
import type { ExportResult } from "./bindings/ExportResult";
import type { Plan } from "./bindings/Plan";
import type { Preview } from "./bindings/Preview";
import type { ProfileSummary } from "./bindings/ProfileSummary";

export type { AppInfo } from "./bindings/AppInfo";
export type { Cloud } from "./bindings/Cloud";
export type { Draft } from "./bindings/Draft";
export type { ExportResult } from "./bindings/ExportResult";
export type { Plan } from "./bindings/Plan";
export type { Preview } from "./bindings/Preview";
export type { PreviewFile } from "./bindings/PreviewFile";
export type { ProfileSummary } from "./bindings/ProfileSummary";

/** Name and version of the running app. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

/** The vendor profiles the app knows (built-in ones first). */
export function listProfiles(): Promise<ProfileSummary[]> {
  return call<ProfileSummary[]>("list_profiles");
}

/** A fresh external id from the OS CSPRNG. */
export function newExternalId(): Promise<string> {
  return call<string>("new_external_id");
}

/**
 * Validates the plan in Rust. `fields` limits the answer to problems under those field-path
 * prefixes (the current step's fields); an empty array means valid.
 */
export function validatePlan(plan: Plan, fields?: readonly string[]): Promise<IpcError[]> {
  return call<IpcError[]>("validate_plan", fields ? { plan, fields } : { plan });
}

/** The generated documents and the plain-language "what this grants" lines. */
export function preview(plan: Plan): Promise<Preview> {
  return call<Preview>("preview", { plan });
}

/** Writes the bundle into a NEW folder under `parent`. */
export function exportBundle(plan: Plan, parent: string): Promise<ExportResult> {
  return call<ExportResult>("export_bundle", { plan, parent });
}

export function saveDraft(draft: Draft): Promise<void> {
  return call<void>("save_draft", { draft });
}

export function loadDraft(): Promise<Draft | null> {
  return call<Draft | null>("load_draft");
}

export function clearDraft(): Promise<void> {
  return call<void>("clear_draft");
}

export type ConsoleTarget = "aws-console" | "gcp-cloud-shell" | "azure-cloud-shell";

/** Opens the AWS console / Google Cloud Shell / Azure Cloud Shell in the browser (Rust allowlist). */
export function openConsole(target: ConsoleTarget): Promise<void> {
  return call<void>("open_console", { target });
}

/** The native folder picker. Resolves with the chosen folder, or null when cancelled. */
export async function pickFolder(title: string): Promise<string | null> {
  try {
    const chosen = await open({ directory: true, multiple: false, title });
    return typeof chosen === "string" ? chosen : null;
  } catch (reason) {
    const error: IpcError = {
      code: "dialog.failed",
      message: `The folder picker could not open: ${String(reason)}`,
      field: null,
      fix: "Type the folder path instead.",
    };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Not available yet in this build. Each is one function; the views ask `isAvailable` first and
// say plainly what is missing. They never pretend to succeed.
// ---------------------------------------------------------------------------------------------

export type Feature = "apply" | "aws-detect" | "credentials" | "connectivity-test";

/** Error code of a feature this build does not have yet. */
export const NOT_AVAILABLE = "feature.not_available";

const AVAILABLE: Record<Feature, boolean> = {
  apply: false, // issue 4
  "aws-detect": false, // issue 4 (GetCallerIdentity, ListBuckets, ListEventBuses)
  credentials: false, // issue 5 (OS keyring)
  "connectivity-test": false, // issues 4 and 5
};

export function isAvailable(feature: Feature): boolean {
  return AVAILABLE[feature];
}

function notAvailable(feature: Feature): Promise<never> {
  const error: IpcError = {
    code: NOT_AVAILABLE,
    message: `${feature}: not available yet in this build`,
    field: null,
    fix: null,
  };
  return Promise.reject(error);
}

/** Creates what the plan needs in the customer's cloud (issue 4). */
export function applyPlan(_plan: Plan): Promise<never> {
  return notAvailable("apply");
}

/** AWS account id, buckets and event buses from the customer's credentials (issue 4). */
export function detectAws(): Promise<never> {
  return notAvailable("aws-detect");
}

/** Stores a GCP key / Azure service-principal secret in the OS keyring (issue 5). */
export function storeCredentials(_cloud: "gcp" | "azure", _secret: string): Promise<never> {
  return notAvailable("credentials");
}

/** Runs the connectivity probes (issues 4 and 5). */
export function runConnectivityTest(_plan: Plan): Promise<never> {
  return notAvailable("connectivity-test");
}
