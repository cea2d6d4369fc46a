//! Use cases of the window that change a cloud only after the person's yes: each reads first (the
//! lint gate, pre-flight, a dry run), builds the confirmation from the validated plan
//! ([`crate::confirm`]), asks, and then changes exactly what was confirmed (a removal reads again
//! and changes nothing when that differs). Who answers is an [`Ask`]: the window's native dialog
//! (the Tauri adapter), or a test's script. A Tauri command is these plus argument conversion.
//! The same for writing files: the export into a typed folder is confirmed too.
//! (The CLI asks nothing: its flags say what to do; its sequences are `cli_aws` / `cli_clouds`.)

use std::future::Future;
use std::path::Path;

use trustbridge_cloud::aws::pack::PackSession;
use trustbridge_cloud::aws::{self, ApplyFailure, AwsSettings};
use trustbridge_cloud::CloudError;
use trustbridge_core::error::CoreCode;
use trustbridge_core::guardrail::{self, GuardFinding};
use trustbridge_core::pack::{self as role_pack, ResolvedPack};
use trustbridge_core::validate::Resolved;
use trustbridge_core::{export as bundle_export, lint, Bundle};
use trustbridge_secrets::SecretStore;

use crate::aws_apply::AwsApply;
use crate::cloud_apply::{self, Action, ApiCloud, CloudApplyResult};
use crate::cloud_signin::ApiSignIns;
use crate::confirm::{self, folder_key, Adoption, Approvals, Confirmation};
use crate::errors::AppCode;
use crate::ipc::{
    ApplyChange, ApplyResult, AwsCaller, AwsRevokeResult, CredentialStatus, ExportResult, GuardrailFinding, IpcError, PackApplyResult,
    RolePolicy,
};
use crate::verify_all::CloudSettings;

/// Who says yes to a confirmation.
pub trait Ask: Sync {
    /// Shows `c`; true only for the confirming answer (Cancel, Escape, closing it: false).
    fn ask(&self, c: &Confirmation) -> impl Future<Output = bool> + Send;
}

/// Nothing was applied: the person chose Cancel (or closed the dialog).
pub fn apply_cancelled() -> IpcError {
    IpcError::new(AppCode::ApplyCancelled, "nothing was applied: the apply was cancelled in the confirmation")
}

fn revoke_cancelled() -> IpcError {
    IpcError::new(AppCode::RevokeCancelled, "nothing was removed: the removal was cancelled in the confirmation")
}

fn cloud_error(e: &CloudError) -> IpcError {
    IpcError::from(e)
}

fn no_section(cloud: &'static str) -> IpcError {
    cloud_error(&CloudError::NoSection { cloud })
}

/// One AWS change as the window lists it: its first line, and its detail.
pub fn change(c: &aws::Change) -> ApplyChange {
    let summary = c.to_string().lines().next().unwrap_or_default().to_string();
    ApplyChange { kind: c.kind, summary, detail: c.detail.clone() }
}

/// The error, plus what already exists and what is left when apply stopped part way.
pub fn apply_error(f: &ApplyFailure) -> IpcError {
    let mut e = cloud_error(&f.error);
    let line = |c: &aws::Change| c.to_string().lines().next().unwrap_or_default().to_string();
    if !f.done.is_empty() {
        e.message.push_str(&format!(". Done before the failure: {}", f.done.iter().map(line).collect::<Vec<_>>().join("; ")));
    }
    if !f.not_done.is_empty() {
        e.message.push_str(&format!(". Not done: {}", f.not_done.iter().map(line).collect::<Vec<_>>().join("; ")));
        if e.fix.is_none() {
            e.fix = Some("Apply again: it reads what exists and only changes what differs.".into());
        }
    }
    e
}

fn need_aws(r: &Resolved) -> Result<(), IpcError> {
    r.aws.as_ref().map(|_| ()).ok_or_else(|| no_section("aws"))
}

/// Before asking: the lint gate, then pre-flight (a blocking finding refuses, `aws.preflight_blocked`
/// with its findings in the message, unless the person ticked "apply anyway"), then a dry run (reads
/// only; with a stand-in for an external id the vendor has not issued yet), so another account, a
/// role that may not be taken over, … are refused before the person is asked anything; with
/// `adopt`, the role's existing policies and the warnings read go into the question.
async fn aws_confirmation(
    flow: &mut AwsApply,
    r: &Resolved,
    adopt: bool,
    ignore_preflight: bool,
) -> Result<(Confirmation, Vec<GuardFinding>), IpcError> {
    // Lint-gated like export (a pending vendor-issued id is registered before, not here).
    let stand_in = r.with_stand_in_external_id();
    crate::load::refuse_lint_errors(&crate::load::apply_findings(r), AppCode::ApplyLintErrors, "applied")?;
    let findings = flow.preflight(&stand_in).await.map_err(|e| cloud_error(&e))?.findings;
    let blocking: Vec<&str> = guardrail::blocking(&findings).map(|f| f.message.as_str()).collect();
    if !blocking.is_empty() && !ignore_preflight {
        let mut e = cloud_error(&CloudError::PreflightBlocked { blocking: blocking.len() });
        e.message.push_str(&format!(": {}", blocking.join(" ")));
        // The window's own way out (the CLI's fix names a flag).
        e.fix = Some("Fix what the list under \"What could still stop\" names, then choose Check again; or tick \"Apply anyway\" if you know these rules do not apply here.".into());
        return Err(e);
    }
    let rep = flow.apply(&stand_in, true).await.map_err(|f| apply_error(&f))?;
    let adoption = adopt.then_some(Adoption { existing: rep.existing.as_deref(), warnings: &rep.warnings });
    // Who applies is part of what is confirmed: the approval does not cover another sign-in.
    let caller = flow.caller().map(|c| c.arn.clone()).unwrap_or_default();
    let c = confirm::apply_aws(r, adoption, &caller).ok_or_else(|| no_section("aws"))?;
    // Applying anyway is confirmed natively, naming what pre-flight found.
    let overridden: Vec<String> = if ignore_preflight { blocking.iter().map(|m| m.to_string()).collect() } else { Vec::new() };
    Ok((confirm::overriding_preflight(c, &overridden), findings))
}

async fn aws_run(flow: &AwsApply, r: &Resolved, dry_run: bool, preflight: Vec<GuardFinding>) -> Result<ApplyResult, IpcError> {
    let rep = flow.apply(r, dry_run).await.map_err(|f| apply_error(&f))?;
    Ok(ApplyResult {
        caller: AwsCaller::from(&rep.caller),
        role_arn: rep.role_arn.clone(),
        dry_run: rep.dry_run,
        changes: rep.changes.iter().map(change).collect(),
        existing: rep.existing.as_ref().map(|list| list.iter().map(RolePolicy::from).collect()),
        warnings: rep.warnings.clone(),
        preflight: preflight.iter().map(GuardrailFinding::from).collect(),
    })
}

/// The plan's AWS part applied (or its dry run: pre-flight and the changes, nothing asked). For
/// real: never before the vendor issued the external id; after the person's yes to exactly this
/// confirmation (a fresh approval of it from [`aws_approve`], or `ask` now).
pub async fn aws_apply(
    r: &Resolved,
    settings: &AwsSettings,
    dry_run: bool,
    ignore_preflight: bool,
    approvals: &Approvals,
    ask: &impl Ask,
) -> Result<ApplyResult, IpcError> {
    need_aws(r)?;
    let mut flow = AwsApply::connect(r, settings).await.map_err(|e| cloud_error(&e))?;
    if dry_run {
        let stand_in = r.with_stand_in_external_id();
        let findings = flow.preflight(&stand_in).await.map_err(|e| cloud_error(&e))?.findings;
        return aws_run(&flow, &stand_in, true, findings).await;
    }
    if r.aws.as_ref().is_some_and(|a| a.external_id_pending) {
        // Never ask about an apply that cannot happen: the vendor has not issued the id yet.
        return Err(cloud_error(&CloudError::ExternalIdPending { vendor: r.profile.display_name.clone() }));
    }
    let (c, findings) = aws_confirmation(&mut flow, r, settings.adopt, ignore_preflight).await?;
    if !approvals.take(&c.key()) && !ask.ask(&c).await {
        return Err(apply_cancelled());
    }
    aws_run(&flow, r, false, findings).await
}

/// The person's yes to applying the plan's AWS part, asked now and kept (once, for a few minutes)
/// for the [`aws_apply`] of exactly what it said: the wizard asks before registering the role with
/// the vendor, so that Cancel leaves nothing behind anywhere.
pub async fn aws_approve(
    r: &Resolved,
    settings: &AwsSettings,
    ignore_preflight: bool,
    approvals: &Approvals,
    ask: &impl Ask,
) -> Result<(), IpcError> {
    need_aws(r)?;
    let mut flow = AwsApply::connect(r, settings).await.map_err(|e| cloud_error(&e))?;
    let (c, _) = aws_confirmation(&mut flow, r, settings.adopt, ignore_preflight).await?;
    if !ask.ask(&c).await {
        return Err(apply_cancelled());
    }
    approvals.grant(c.key());
    Ok(())
}

/// The vendor's access removed from AWS: a dry run finds what Trustbridge made for this
/// integration (nothing there: nothing asked); the person confirms exactly those changes; they are
/// made only if the role still reads the same (`aws.revoke_changed` otherwise, nothing removed).
pub async fn aws_revoke(r: &Resolved, settings: &AwsSettings, ask: &impl Ask) -> Result<AwsRevokeResult, IpcError> {
    need_aws(r)?;
    let found = aws::revoke_dry_run(r, settings, false).await.map_err(|f| apply_error(&f))?;
    let removals: Vec<String> = found.changes.iter().map(|c| change(c).summary).collect();
    let done = if removals.is_empty() {
        found
    } else {
        let c = confirm::revoke_aws(r, &found.caller.arn, &removals, found.role_deleted).ok_or_else(|| no_section("aws"))?;
        if !ask.ask(&c).await {
            return Err(revoke_cancelled());
        }
        aws::revoke_confirmed(r, settings, false, &removals).await.map_err(|f| apply_error(&f))?
    };
    Ok(AwsRevokeResult {
        caller: AwsCaller::from(&done.caller),
        role_arn: done.role_arn.clone(),
        role_deleted: done.role_deleted && !done.changes.is_empty(),
        changes: done.changes.iter().map(change).collect(),
    })
}

/// What a Google Cloud or Azure apply is asked to do besides the plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudApplyAsk {
    /// Make the vendor's key or client secret once applied, straight into the keyring (only where
    /// the plan signs the vendor in with one and none is stored yet; the one confirmation says so).
    pub with_credentials: bool,
    /// Google Cloud: apply although pre-flight found an organization policy that would stop the
    /// vendor (the confirmation names it).
    pub ignore_preflight: bool,
}

/// The plan's Google Cloud or Azure section applied (or its dry run) as this computer's sign-in
/// there. For real: Google Cloud's pre-flight first (a blocking organization policy refuses before
/// anything is asked unless overridden), then the person's yes; then, when asked for, the vendor's
/// key or secret made into the keyring (its status, or why not, in the result).
// The plan, the cloud and what was asked, then what the use case runs with (sign-ins, keyring,
// settings, the native question): one argument each, as the Tauri command and the CLI hold them.
#[allow(clippy::too_many_arguments)]
pub async fn cloud_apply(
    r: &Resolved,
    cloud: ApiCloud,
    dry_run: bool,
    asked: CloudApplyAsk,
    sign_ins: &ApiSignIns,
    secrets: &SecretStore,
    settings: &CloudSettings,
    ask: &impl Ask,
) -> Result<CloudApplyResult, IpcError> {
    // One sign-in for both: the confirmation names exactly who the apply acts as.
    let chosen = cloud_apply::choose(r, cloud, sign_ins)?;
    let who = chosen.describe();
    let make = !dry_run
        && asked.with_credentials
        && confirm::create_credentials(r, cloud, &who).is_some()
        && !cloud_apply::secret_stored(r, cloud, secrets);
    if !dry_run {
        let blocking = cloud_apply::gcp_blocking(r, &chosen, settings).await?;
        if !blocking.is_empty() && !asked.ignore_preflight {
            let mut e = cloud_error(&CloudError::GcpPreflightBlocked { blocking: blocking.len() });
            e.message.push_str(&format!(": {}", blocking.join(" ")));
            return Err(e);
        }
        let section = if cloud == ApiCloud::Gcp { "gcp" } else { "azure" };
        let c = if make { confirm::apply_cloud_with_credentials(r, cloud, &who) } else { confirm::apply_cloud(r, cloud, &who) }
            .ok_or_else(|| no_section(section))?;
        if !ask.ask(&confirm::overriding_preflight(c, &blocking)).await {
            return Err(apply_cancelled());
        }
    }
    let mut done = cloud_apply::run(r, &chosen, Action::Apply, dry_run, settings).await?;
    if make {
        match cloud_apply::create_credentials(r, &chosen, secrets, settings).await {
            Ok((_, status)) => done.credentials = Some(CredentialStatus::from(&status)),
            Err(e) => done.credentials_error = Some(e),
        }
    }
    Ok(done)
}

/// The vendor's access removed from Google Cloud or Azure as this computer's sign-in there: a dry
/// run finds what Trustbridge made for this integration (nothing there: nothing asked, and a key or
/// secret still kept for this very identity leaves the keyring); the person confirms exactly that;
/// it is read again and removed only as confirmed; the key or secret, which opens nothing any more,
/// leaves the keyring.
pub async fn cloud_revoke(
    r: &Resolved,
    cloud: ApiCloud,
    sign_ins: &ApiSignIns,
    secrets: &SecretStore,
    settings: &CloudSettings,
    ask: &impl Ask,
) -> Result<CloudApplyResult, IpcError> {
    let chosen = cloud_apply::choose(r, cloud, sign_ins)?;
    let mut found = cloud_apply::run(r, &chosen, Action::Revoke, true, settings).await?;
    if found.changes.is_empty() {
        if cloud_apply::stored_is_for_plan(r, cloud, secrets) {
            cloud_apply::forget_revoked(r, cloud, secrets, &mut found);
        }
        return Ok(found);
    }
    let removals: Vec<String> = found.changes.iter().map(|c| c.summary.clone()).collect();
    let section = if cloud == ApiCloud::Gcp { "gcp" } else { "azure" };
    let removal = confirm::Removal { removals: &removals, kept: &found.notes, stored: cloud_apply::secret_stored(r, cloud, secrets) };
    let c = confirm::revoke_cloud(r, cloud, &chosen.describe(), &removal).ok_or_else(|| no_section(section))?;
    if !ask.ask(&c).await {
        return Err(revoke_cancelled());
    }
    let mut done = cloud_apply::revoke_confirmed(r, &chosen, &removals, settings).await?;
    cloud_apply::forget_revoked(r, cloud, secrets, &mut done);
    Ok(done)
}

/// The window's export of a plan's or a pack's bundle, in the order of `trustbridge export`: lint
/// errors block it (nothing is written), then the bundle goes into a new folder `name` (or
/// `name-2`, …) under `parent`, atomically — a folder the person chose in the native picker (its
/// approval, given there, is used once), or a typed one they confirm in a dialog that names the new
/// folder and the number of files (Cancel: `export.cancelled`, nothing written).
pub async fn export(
    findings: &[lint::Finding],
    bundle: Bundle,
    parent: &str,
    name: &str,
    approvals: &Approvals,
    ask: &impl Ask,
) -> Result<ExportResult, IpcError> {
    crate::load::refuse_lint_errors(findings, AppCode::ExportLintErrors, "written")?;
    let parent_path = Path::new(parent);
    if !parent_path.is_absolute() || !parent_path.is_dir() {
        return Err(IpcError {
            field: None,
            fix: Some("Type the full path of a folder that exists, starting with /, or choose one.".into()),
            ..IpcError::new(CoreCode::ExportIo, format!("{parent}: not the full path of an existing folder; nothing was written"))
        });
    }
    let dir = crate::state::unique_export_dir(parent_path, name);
    if !approvals.take(&folder_key(parent)) && !ask.ask(&confirm::export(&dir, bundle.files.len())).await {
        return Err(IpcError::new(AppCode::ExportCancelled, "nothing was written: the export was cancelled"));
    }
    let dir = bundle_export::write_bundle(&bundle, &dir)?;
    Ok(ExportResult { dir: dir.display().to_string(), files: bundle.files.into_iter().map(|f| f.path).collect() })
}

/// A role pack's policies and roles created or updated in AWS (or, with `dry_run`, what would
/// change; nothing asked). For real: the lint gate, then a dry run on the same sign-in (another
/// account, or a role or policy this pack did not create, is refused before anything is asked),
/// then the person's yes to a confirmation built from the validated pack naming that sign-in and
/// each removal of the dry run (`confirm::apply_pack`; Cancel: `apply.cancelled`, nothing
/// applied), then the apply as that same sign-in, making exactly that dry run's changes or none
/// (`aws.pack_apply_changed` when the account changed meanwhile).
pub async fn pack_apply(r: &ResolvedPack, settings: &AwsSettings, dry_run: bool, ask: &impl Ask) -> Result<PackApplyResult, IpcError> {
    if !dry_run {
        crate::load::refuse_lint_errors(&role_pack::lint_pack(r), AppCode::ApplyLintErrors, "applied")?;
    }
    let signed_in = PackSession::connect(r, settings).await.map_err(|e| cloud_error(&e))?;
    let planned = signed_in.apply(true).await.map_err(|f| apply_error(&f))?;
    let rep = if dry_run {
        planned
    } else {
        // What it takes off is named in the question, each one; apply then makes exactly the
        // changes of this dry run, or none.
        if !ask.ask(&confirm::apply_pack(r, signed_in.caller(), &aws::pack::removals(&planned.changes))).await {
            return Err(apply_cancelled());
        }
        signed_in.apply_confirmed(&aws::pack::listing(&planned.changes)).await.map_err(|f| apply_error(&f))?
    };
    Ok(PackApplyResult { caller: AwsCaller::from(&rep.caller), dry_run, changes: rep.changes.iter().map(change).collect() })
}
