//! `#[tauri::command]` adapters for the wizard's "deploy a role pack" path: list the built-in packs,
//! validate a pack plan (problems at `variables.NAME`), preview it (roles, documents, lint), export
//! it, and apply it to AWS (dry run first). Thin: the work is in `trustbridge_core::pack`,
//! `trustbridge_core::export` and `trustbridge_cloud::aws::pack` — the same functions the CLI uses.
//!
//! The webview may only name a built-in pack: a pack *file* path would let it make Rust read any
//! file, so those stay CLI-only.

use tauri::{AppHandle, Runtime, State};
use trustbridge_core::pack::{self, Pack, ResolvedPack};

use crate::commands_cloud::CloudState;
use crate::confirm::Approvals;
use crate::imported::ProfileStore;
use crate::ipc::{
    ExportResult, IpcError, LintFinding, PackApplyResult, PackPreview, PackRoleSummary, PackSummary, PackValue, PackVariable, PreviewFile,
    Probe,
};
use crate::load::{self, Source};

/// The built-in role packs and the variables each asks for.
#[tauri::command]
pub fn list_packs() -> Vec<PackSummary> {
    Pack::builtins().iter().map(pack_summary).collect()
}

/// Validates a pack plan; returns every problem (empty = valid) whose field is under one of
/// `fields` (all of them when `fields` is absent). The pack path calls it on every Continue.
#[tauri::command]
pub fn validate_pack_plan(store: State<'_, ProfileStore>, plan: serde_json::Value, fields: Option<Vec<String>>) -> Vec<IpcError> {
    crate::commands::load_problems(load::load_pack(&plan.to_string(), &Source::Window(&store)).map(drop), fields.as_deref())
}

/// Check your answers: the values used, the roles, every generated document and the lint findings.
#[tauri::command]
pub fn preview_pack(store: State<'_, ProfileStore>, plan: serde_json::Value) -> Result<PackPreview, IpcError> {
    let r = resolve(&store, &plan)?;
    let bundle = pack::render_pack(&r);
    let values = r
        .pack
        .variables
        .iter()
        .filter_map(|v| {
            let value = r.vars.get(&v.name)?.clone();
            Some(PackValue { name: v.name.clone(), defaulted: !r.plan.variables.contains_key(&v.name), value })
        })
        .collect();
    Ok(PackPreview {
        pack: r.pack.id.clone(),
        display_name: r.pack.display_name.clone(),
        values,
        roles: r.roles.iter().map(role_summary).collect(),
        managed_policies: r.managed_policies.iter().map(|(name, _, _)| name.clone()).collect(),
        files: bundle.files.into_iter().map(|f| PreviewFile { path: f.path, content: f.content }).collect(),
        findings: pack::lint_pack(&r).iter().map(LintFinding::from).collect(),
    })
}

/// Exports the pack's bundle into a new folder under `parent`, like `trustbridge export --plan`:
/// lint errors block it, nothing is written on error. `parent` is a folder chosen in the native
/// picker (`pick_export_folder`) or a typed one that Rust confirms in a native dialog first.
#[tauri::command]
pub async fn export_pack<R: Runtime>(
    app: AppHandle<R>,
    approvals: State<'_, Approvals>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    parent: String,
) -> Result<ExportResult, IpcError> {
    let r = resolve(&store, &plan)?;
    crate::commands::export_checked(&app, &approvals, &pack::lint_pack(&r), pack::render_pack(&r), &parent, &r.pack.id).await
}

/// Creates or updates the pack's policies and roles in AWS with this computer's credentials (or,
/// with `dry_run`, says what it would change): `confirmed::pack_apply` (a dry run first, then the
/// native dialog; Cancel applies nothing) with the window's dialog.
#[tauri::command]
pub async fn apply_pack_aws<R: Runtime>(
    app: AppHandle<R>,
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    dry_run: bool,
) -> Result<PackApplyResult, IpcError> {
    let r = resolve(&store, &plan)?;
    crate::confirmed::pack_apply(&r, &cloud.aws(), dry_run, &crate::commands_cloud::Dialog(&app)).await
}

/// Reads the pack's policies and roles back from AWS with the window's sign-in and compares them
/// with the pack, as grants — the drift check `trustbridge verify --plan` runs for a pack: one
/// probe per customer-managed policy and per role, each failure with its fix. Reads only.
#[tauri::command]
pub async fn verify_pack_aws(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
) -> Result<Vec<Probe>, IpcError> {
    let r = resolve(&store, &plan)?;
    let probes = trustbridge_cloud::aws::pack::verify_pack(&r, &cloud.aws()).await.map_err(|e| crate::commands_cloud::cloud_error(&e))?;
    Ok(probes.iter().map(|p| Probe::of(p, "")).collect())
}

fn pack_summary(p: &Pack) -> PackSummary {
    PackSummary {
        id: p.id.clone(),
        display_name: p.display_name.clone(),
        description: p.description.clone(),
        variables: p
            .variables
            .iter()
            .map(|v| PackVariable {
                name: v.name.clone(),
                kind: v.kind,
                description: v.description.clone(),
                example: v.example.clone(),
                default: v.default.clone(),
                required: v.default.is_none(),
            })
            .collect(),
        roles: p.roles.iter().map(|r| r.name.clone()).collect(),
    }
}

fn role_summary(role: &pack::PackRole) -> PackRoleSummary {
    PackRoleSummary {
        name: role.name.clone(),
        description: role.description.clone(),
        trusted_by: role.trust.trusted_principals(),
        inline_policies: role.inline.iter().map(|(n, _)| n.clone()).collect(),
        attached: role.managed.iter().chain(role.aws_managed_arns.iter()).cloned().collect(),
        permissions_boundary: role.boundary.clone(),
    }
}

/// A role-pack plan from the webview ([`trustbridge_app::load`]: built-in packs only).
fn resolve(store: &ProfileStore, plan: &serde_json::Value) -> Result<ResolvedPack, IpcError> {
    load::load_pack(&plan.to_string(), &Source::Window(store)).map_err(crate::commands::load_error)
}
