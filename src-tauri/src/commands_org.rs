//! Tauri commands of an organization-wide AWS plan (`member-role` engine): apply or its dry run,
//! the connectivity test and the removal of the vendor's access, in every listed account (apply's
//! and the test's rows sent to the page as each account ends). The confirm-then-change sequences
//! are `trustbridge_app::confirmed_org` (asked through the native dialog here), the work
//! `trustbridge_app::org_apply` (the CLI's too); these adapt arguments and rows.

use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use trustbridge_cloud::aws::org::AccountOutcome;
use trustbridge_cloud::aws::{ProbeResult, RevokeReport};
use trustbridge_cloud::probe::Verdict;
use trustbridge_cloud::CloudError;

use crate::commands::resolve;
use crate::commands_cloud::{apply_error, change, cloud_error, CloudState, Dialog};
use crate::confirmed_org::{self, off_thread, Work};
use crate::imported::ProfileStore;
use crate::ipc::{
    GuardrailFinding, IpcError, OrgAccountRow, OrgAccountStatus, OrgApplyResult, OrgProbeUpdate, OrgStep, OrgStepEvent, OrgVerifyRow,
    Probe, ProbeUpdate,
};
use crate::org_apply::{self, AccountApply};

/// The buckets and event buses of member `account` as its member role sees them (the "Which
/// accounts?" page's pick lists; read only). `memberRole` absent: the organization's default access
/// role.
#[tauri::command]
pub async fn aws_member_resources(
    cloud: State<'_, CloudState>,
    account: String,
    member_role: Option<String>,
    partition: String,
    region: String,
) -> Result<crate::ipc::MemberResources, IpcError> {
    let role = member_role.filter(|r| !r.trim().is_empty()).unwrap_or_else(|| trustbridge_core::validate::DEFAULT_MEMBER_ROLE.to_string());
    org_apply::member_resources(&account, &role, &partition, &region, &cloud.aws()).await
}

fn row(o: &AccountOutcome<AccountApply>) -> OrgAccountRow {
    let base = |status, error| OrgAccountRow {
        account_id: o.account_id.clone(),
        via_role: o.via_role.clone(),
        status,
        role_arn: None,
        changes: Vec::new(),
        preflight: Vec::new(),
        error,
    };
    match (o.ok(), o.failure()) {
        (Some(a), _) => {
            let preflight: Vec<GuardrailFinding> = a.preflight.findings.iter().map(GuardrailFinding::from).collect();
            match &a.report {
                Some(rep) => OrgAccountRow {
                    role_arn: Some(rep.role_arn.clone()),
                    changes: rep.changes.iter().map(change).collect(),
                    preflight,
                    ..base(OrgAccountStatus::Done, None)
                },
                None => {
                    let blocking = trustbridge_core::guardrail::blocking(&a.preflight.findings).count();
                    OrgAccountRow {
                        preflight,
                        ..base(OrgAccountStatus::Blocked, Some(cloud_error(&CloudError::PreflightBlocked { blocking })))
                    }
                }
            }
        }
        (None, Some(f)) => {
            OrgAccountRow { changes: f.done.iter().map(change).collect(), ..base(OrgAccountStatus::Failed, Some(apply_error(f))) }
        }
        (None, None) => base(OrgAccountStatus::Failed, None),
    }
}

/// Applies an organization-wide plan (or, with `dry_run`, says what it would change) in every
/// listed account — or only in `only`, for "Retry failed accounts" — each account's row sent
/// through `on_event` as it ends. Applying for real first checks the credentials are the plan's
/// management account's and needs the person's yes in a native dialog Rust builds from the
/// validated plan (`confirm::apply_aws_org`); Cancel: `apply.cancelled`, nothing applied.
/// An account whose pre-flight found a blocking rule is left untouched (`blocked`, its findings
/// with their fixes in the row) unless `ignore_preflight` (the person ticked "Apply anyway"): then
/// pre-flight runs in every account first, the native dialog names each blocking finding with its
/// account, and the apply goes past exactly those — a rule found only afterwards still stops its
/// account.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // a command's arguments are the page's
pub async fn apply_aws_org<R: Runtime>(
    app: AppHandle<R>,
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    dry_run: bool,
    only: Option<Vec<String>>,
    ignore_preflight: Option<bool>,
    on_event: Channel<OrgAccountRow>,
    on_step: Channel<OrgStepEvent>,
) -> Result<OrgApplyResult, IpcError> {
    let r = confirmed_org::org_plan(resolve(&store, &plan)?, only, Work::MemberRoleChanges)?;
    let send = move |o: &AccountOutcome<AccountApply>| {
        let _ = on_event.send(row(o));
    };
    let step = move |id: &str, step: OrgStep| {
        let _ = on_step.send(OrgStepEvent { account_id: id.to_string(), step });
    };
    let outcomes = confirmed_org::org_apply(r, cloud.aws(), dry_run, ignore_preflight == Some(true), &Dialog(&app), step, send).await?;
    Ok(OrgApplyResult { dry_run, accounts: outcomes.iter().map(row).collect() })
}

fn verify_row(o: &AccountOutcome<Vec<ProbeResult>>, vendor: &str) -> OrgVerifyRow {
    match (o.ok(), o.failure()) {
        (Some(probes), _) => OrgVerifyRow {
            account_id: o.account_id.clone(),
            via_role: o.via_role.clone(),
            verdict: Verdict::of(probes),
            probes: probes.iter().map(|p| Probe::of(p, vendor)).collect(),
            error: None,
        },
        (None, f) => OrgVerifyRow {
            account_id: o.account_id.clone(),
            via_role: o.via_role.clone(),
            verdict: Verdict::Fail,
            probes: Vec::new(),
            error: f.map(apply_error),
        },
    }
}

/// The connectivity test in every listed account (or only in `only`), each account's row sent
/// through `on_event` as it ends, and each of its checks through `on_probe` as it starts, waits and
/// finishes; reads only.
#[tauri::command]
pub async fn verify_aws_org(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    only: Option<Vec<String>>,
    on_event: Channel<OrgVerifyRow>,
    on_probe: Channel<OrgProbeUpdate>,
) -> Result<Vec<OrgVerifyRow>, IpcError> {
    let r = confirmed_org::org_plan(resolve(&store, &plan)?, only, Work::Reads)?;
    let vendor = r.profile.display_name.clone();
    let base = cloud.aws();
    let outcomes = off_thread({
        let vendor = vendor.clone();
        move || async move {
            let send = |o: &AccountOutcome<Vec<ProbeResult>>| {
                let _ = on_event.send(verify_row(o, &vendor));
            };
            let probe = |id: &str, e: trustbridge_cloud::aws::ProbeEvent| {
                let _ = on_probe.send(OrgProbeUpdate { account_id: id.to_string(), update: ProbeUpdate::of(e, &vendor) });
            };
            org_apply::verify(&r, &base, &probe, &send).await
        }
    })
    .await?
    .map_err(|e| cloud_error(&e))?;
    Ok(outcomes.iter().map(|o| verify_row(o, &vendor)).collect())
}

/// An account's row of a removal: what was removed (or found to remove nothing), or why not.
fn revoke_row(o: &AccountOutcome<RevokeReport>) -> OrgAccountRow {
    let base = OrgAccountRow {
        account_id: o.account_id.clone(),
        via_role: o.via_role.clone(),
        status: OrgAccountStatus::Done,
        role_arn: None,
        changes: Vec::new(),
        preflight: Vec::new(),
        error: None,
    };
    match (o.ok(), o.failure()) {
        (Some(rep), _) => OrgAccountRow { role_arn: Some(rep.role_arn.clone()), changes: rep.changes.iter().map(change).collect(), ..base },
        (None, Some(f)) => OrgAccountRow {
            status: OrgAccountStatus::Failed,
            changes: f.done.iter().map(change).collect(),
            error: Some(apply_error(f)),
            ..base
        },
        (None, None) => OrgAccountRow { status: OrgAccountStatus::Failed, ..base },
    }
}

/// Removes the vendor's access from every listed account of an organization-wide plan. Rust reads
/// what would go in each account first (a dry run through its member role), names every account
/// with exactly that in its native dialog (`confirm::revoke_aws_org`), and then removes, account
/// by account, only what was confirmed there (an account whose role changed meanwhile keeps it:
/// `aws.revoke_changed` in its row). Nothing to remove anywhere: nothing is asked. Cancel:
/// `revoke.cancelled`, nothing removed. One row per account, in the plan's order.
#[tauri::command]
pub async fn revoke_aws_org<R: Runtime>(
    app: AppHandle<R>,
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
) -> Result<Vec<OrgAccountRow>, IpcError> {
    let outcomes = confirmed_org::org_revoke(resolve(&store, &plan)?, cloud.aws(), &Dialog(&app)).await?;
    Ok(outcomes.iter().map(revoke_row).collect())
}
