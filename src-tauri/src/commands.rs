//! `#[tauri::command]` adapters for plans, drafts and export: a few lines each over the use cases of
//! `trustbridge-app` (`load.rs`, `state.rs`) and the core crate.

use tauri::{AppHandle, Runtime, State};
use trustbridge_core::error::CoreCode;
use trustbridge_core::{external_id, render, Profile};

use crate::commands_confirm::pick_folder;
use crate::confirm::{folder_key, Approvals};
use crate::errors::AppCode;
use crate::imported::ProfileStore;
use crate::ipc::{profile_summary, AppInfo, ExportResult, IpcError, LintFinding, Preview, PreviewFile, ProfileSummary};
use crate::load::{self, LoadError, Source};
use crate::state::{allowed_url, console_url, AppState, Draft};

#[tauri::command]
pub fn app_info() -> AppInfo {
    AppInfo::current()
}

#[tauri::command]
pub fn list_profiles() -> Result<Vec<ProfileSummary>, IpcError> {
    Ok(Profile::builtins().iter().map(profile_summary).collect())
}

#[tauri::command]
pub fn new_external_id() -> Result<String, IpcError> {
    external_id::generate().map_err(IpcError::from)
}

/// Validates the plan; returns the problems (empty = valid) whose field is under one of `fields`
/// (all problems when `fields` is absent). The wizard calls it on every Continue.
#[tauri::command]
pub fn validate_plan(store: State<'_, ProfileStore>, plan: serde_json::Value, fields: Option<Vec<String>>) -> Vec<IpcError> {
    load_problems(load::load_vendor(&plan.to_string(), &Source::Window(&store)).map(drop), fields.as_deref())
}

/// The problems whose field is one of `fields` or lies under one (`aws.storage` covers
/// `aws.storage[0].bucket`); all of them when `fields` is None. For the per-page validation calls.
pub(crate) fn problems_under(problems: Vec<trustbridge_core::Problem>, fields: Option<&[String]>) -> Vec<IpcError> {
    let wanted = |f: &str| match fields {
        None => true,
        Some(list) => list.iter().any(|w| f == w || f.starts_with(&format!("{w}.")) || f.starts_with(&format!("{w}["))),
    };
    problems.iter().filter(|p| wanted(&p.field)).map(IpcError::from).collect()
}

#[tauri::command]
pub fn preview(store: State<'_, ProfileStore>, plan: serde_json::Value) -> Result<Preview, IpcError> {
    let resolved = resolve(&store, &plan)?;
    // Before the vendor issues the external id, the documents show a stand-in for it (the lint
    // findings below still say it is pending, and export refuses until it is not).
    let bundle = render(&resolved.with_stand_in_external_id());
    Ok(Preview {
        files: bundle.files.into_iter().map(|f| PreviewFile { path: f.path, content: f.content }).collect(),
        grants: render::summary::grant_lines(&resolved),
        findings: trustbridge_core::lint::lint(&resolved).iter().map(LintFinding::from).collect(),
        needs_secret: crate::verify_all::secrets_taken(&resolved),
    })
}

/// Exports into a new folder under `parent`: a folder chosen in the native folder picker
/// (`pick_export_folder`), or a typed one, which Rust confirms in a native dialog first ("Write N
/// files to …?"). The webview's string alone never makes Rust write.
#[tauri::command]
pub async fn export_bundle<R: Runtime>(
    app: AppHandle<R>,
    approvals: State<'_, Approvals>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    parent: String,
) -> Result<ExportResult, IpcError> {
    let resolved = resolve(&store, &plan)?;
    let findings = trustbridge_core::lint::lint(&resolved);
    export_checked(&app, &approvals, &findings, render(&resolved), &parent, &resolved.plan.integration.name).await
}

/// The native folder picker, raised by Rust. The folder chosen is remembered (once, for a few
/// minutes) so that exporting into it needs no second question; None when cancelled.
#[tauri::command]
pub async fn pick_export_folder<R: Runtime>(app: AppHandle<R>, approvals: State<'_, Approvals>) -> Result<Option<String>, IpcError> {
    let Some(folder) = pick_folder(&app, "Choose where to save the setup files").await? else { return Ok(None) };
    let folder = folder.to_str().map(String::from).ok_or_else(|| IpcError {
        fix: Some("Choose a folder whose path is plain text (UTF-8).".into()),
        ..IpcError::new(AppCode::ExportFolder, "the folder's path is not UTF-8 text")
    })?;
    approvals.grant(folder_key(&folder));
    Ok(Some(folder))
}

/// The export use case (`confirmed::export`) with the window's native dialog.
pub(crate) async fn export_checked<R: Runtime>(
    app: &AppHandle<R>,
    approvals: &Approvals,
    findings: &[trustbridge_core::lint::Finding],
    bundle: trustbridge_core::Bundle,
    parent: &str,
    name: &str,
) -> Result<ExportResult, IpcError> {
    crate::confirmed::export(findings, bundle, parent, name, approvals, &crate::commands_cloud::Dialog(app)).await
}

#[tauri::command]
pub fn save_draft(state: State<'_, AppState>, draft: Draft) -> Result<(), IpcError> {
    state.save_draft(&draft)
}

#[tauri::command]
pub fn load_draft(state: State<'_, AppState>) -> Option<Draft> {
    state.load_draft()
}

#[tauri::command]
pub fn clear_draft(state: State<'_, AppState>) -> Result<(), IpcError> {
    state.clear_draft()
}

/// Opens a cloud console or cloud shell in the browser (fixed https URLs on an allowlist), or, for
/// `azure-admin-consent`, the admin-consent page of the vendor's app in the plan's tenant (built from
/// the validated plan: two GUIDs).
#[tauri::command]
pub fn open_console(store: State<'_, ProfileStore>, target: String, plan: Option<serde_json::Value>) -> Result<(), IpcError> {
    let url = target_url(&store, &target, plan.as_ref())?;
    open::that_detached(url).map_err(|e| IpcError::new(AppCode::OpenFailed, format!("could not open the browser: {e}")))
}

/// The URL `open_console` opens for `target`; only https URLs on the allowlist.
pub(crate) fn target_url(store: &ProfileStore, target: &str, plan: Option<&serde_json::Value>) -> Result<String, IpcError> {
    let url = if target == "azure-admin-consent" {
        let plan = plan.ok_or_else(|| IpcError::new(AppCode::OpenNoPlan, "the admin-consent page needs the plan"))?;
        let r = resolve(store, plan)?;
        r.azure.and_then(|z| z.vendor_app_id.map(|app| trustbridge_core::render::azure::admin_consent_url(&z.tenant_id, &app))).ok_or_else(
            || IpcError::new(AppCode::OpenNotKeyless, "the plan's Azure access is not keyless: there is no admin-consent page to open"),
        )?
    } else {
        console_url(target)
            .map(String::from)
            .ok_or_else(|| IpcError::new(AppCode::OpenNotAllowed, format!("open: unknown target '{target}'")))?
    };
    if allowed_url(&url) {
        Ok(url)
    } else {
        Err(IpcError::new(AppCode::OpenNotAllowed, format!("open: '{url}' is not on the allowlist")))
    }
}

/// A vendor plan from the webview ([`trustbridge_app::load`]: built-in or imported profiles, never a
/// path), as the one error a command that needs a valid plan returns.
pub(crate) fn resolve(store: &ProfileStore, plan: &serde_json::Value) -> Result<trustbridge_core::validate::Resolved, IpcError> {
    load::load_vendor(&plan.to_string(), &Source::Window(store)).map_err(|e| match e {
        // No usable profile, nothing else matters: its own code (`profile.unsigned`,
        // `profile.unknown_key` send the wizard to the warning page; else `validation.platform`).
        LoadError::Invalid(problems) => match problems.iter().find(|p| p.field == "platform") {
            Some(p) => IpcError::from(p),
            None => invalid(&problems),
        },
        other => load_error(other),
    })
}

/// The problems of a plan the webview sent whose field is under one of `fields` (all of them when
/// None); a plan that cannot be parsed, or names what the window may not read, is one error.
pub(crate) fn load_problems(loaded: Result<(), LoadError>, fields: Option<&[String]>) -> Vec<IpcError> {
    match loaded {
        Ok(()) => Vec::new(),
        Err(LoadError::Invalid(problems)) => problems_under(problems, fields),
        Err(other) => vec![load_error(other)],
    }
}

/// A plan that could not be loaded, as an IPC error: a parse error names the plan as its field.
pub(crate) fn load_error(e: LoadError) -> IpcError {
    match e {
        LoadError::Parse(e) => IpcError { field: Some("plan".into()), ..IpcError::from(e) },
        LoadError::Refused(p) => IpcError::from(&p),
        LoadError::Invalid(problems) => invalid(&problems),
    }
}

/// A plan that does not validate, as one error for commands that need a valid plan: every problem
/// on its own line, the first one's field.
pub(crate) fn invalid(problems: &[trustbridge_core::Problem]) -> IpcError {
    IpcError {
        code: CoreCode::Validation.into(),
        message: problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"),
        field: problems.first().map(|p| p.field.clone()),
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::target_url;
    use crate::imported::ProfileStore;

    #[test]
    fn admin_consent_url_comes_from_a_keyless_plan_and_stays_on_the_allowlist() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/plans/custom-keyless.json")).unwrap();
        let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(Some(tmp.path()), vec![]);
        assert_eq!(
            target_url(&store, "azure-admin-consent", Some(&plan)).unwrap(),
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/adminconsent?client_id=11111111-2222-3333-4444-555555555555"
        );
        assert_eq!(target_url(&store, "azure-cloud-shell", None).unwrap(), "https://shell.azure.com/bash");
        assert_eq!(target_url(&store, "javascript:alert(1)", None).unwrap_err().code, "open.not_allowed");
    }
}
