// Typed wrappers for the role-pack commands (`src-tauri/src/commands_pack.rs`), one per command.
import { call, type IpcError } from "./index";
import type { ExportResult } from "./bindings/ExportResult";
import type { PackApplyResult } from "./bindings/PackApplyResult";
import type { Probe } from "./bindings/Probe";
import type { PackPlan } from "./bindings/PackPlan";
import type { PackPreview } from "./bindings/PackPreview";
import type { PackSummary } from "./bindings/PackSummary";

export type { PackApplyResult } from "./bindings/PackApplyResult";
export type { PackPlan } from "./bindings/PackPlan";
export type { PackPreview } from "./bindings/PackPreview";
export type { PackRoleSummary } from "./bindings/PackRoleSummary";
export type { PackSummary } from "./bindings/PackSummary";
export type { PackValue } from "./bindings/PackValue";
export type { PackVariable } from "./bindings/PackVariable";
export type { VarKind } from "./bindings/VarKind";

/** The built-in role packs and the variables each asks for. */
export function listPacks(): Promise<PackSummary[]> {
  return call<PackSummary[]>("list_packs");
}

/**
 * Validates the pack plan in Rust. `fields` limits the answer to problems under those field-path
 * prefixes (`pack`, `variables`, `variables.AWS_ACCOUNT`); an empty array means valid.
 */
export function validatePackPlan(plan: PackPlan, fields?: readonly string[]): Promise<IpcError[]> {
  return call<IpcError[]>("validate_pack_plan", fields ? { plan, fields } : { plan });
}

/** The values used, the roles, every generated document and the offline policy checks. */
export function previewPack(plan: PackPlan): Promise<PackPreview> {
  return call<PackPreview>("preview_pack", { plan });
}

/**
 * Writes the pack's bundle into a NEW folder under `parent`: one chosen with `pickFolder` at once,
 * a typed one after a native confirmation raised by Rust (Cancel: `export.cancelled`).
 */
export function exportPack(plan: PackPlan, parent: string): Promise<ExportResult> {
  return call<ExportResult>("export_pack", { plan, parent });
}

/**
 * Creates or updates the pack's policies and roles in AWS; with `dryRun`, only says what would
 * change. Applying for real is confirmed in a native dialog raised by Rust (Cancel: `apply.cancelled`).
 */
export function applyPackAws(plan: PackPlan, dryRun: boolean): Promise<PackApplyResult> {
  return call<PackApplyResult>("apply_pack_aws", { plan, dryRun });
}

/**
 * Reads the pack's policies and roles back from AWS and compares them with the pack (the CLI's
 * `verify --plan`): one probe per customer-managed policy and per role. Reads only.
 */
export function verifyPackAws(plan: PackPlan): Promise<Probe[]> {
  return call<Probe[]>("verify_pack_aws", { plan });
}
