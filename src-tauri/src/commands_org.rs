//! Tauri commands of an organization-wide AWS plan (`member-role` engine): apply or its dry run,
//! the connectivity test and the removal of the vendor's access, in every listed account (apply's
//! and the test's rows sent to the page as each account ends). The work is `trustbridge_app::org_apply` (the CLI's too); these adapt arguments and rows.

use std::collections::BTreeMap;

use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use trustbridge_cloud::aws::org::AccountOutcome;
use trustbridge_cloud::aws::{ProbeResult, RevokeReport};
use trustbridge_cloud::probe::Verdict;
use trustbridge_cloud::CloudError;
use trustbridge_core::validate::{OrgEngine, Resolved};

use crate::commands::resolve;
use crate::commands_cloud::{apply_cancelled, apply_error, change, cloud_error, CloudState};
use crate::commands_confirm::ask;
use crate::confirm;
use crate::errors::AppCode;
use crate::imported::ProfileStore;
use crate::ipc::{
    GuardrailFinding, IpcError, OrgAccountRow, OrgAccountStatus, OrgApplyResult, OrgProbeUpdate, OrgStep, OrgStepEvent, OrgVerifyRow,
    Probe, ProbeUpdate,
};
use crate::org_apply::{self, AccountApply};

/// What a command does to the accounts: changes them through each account's member role (the
/// accounts' table; a StackSet plan's changes are `commands_stackset`'s), or reads them (the
/// connectivity test, through each listed account's member role, with either engine).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Work {
    Changes,
    Reads,
}

/// The plan, narrowed to `only` (a retry of the accounts that failed), checked to be an
/// organization-wide plan this page's commands run: changes with the `member-role` engine (a
/// StackSet's are `commands_stackset`'s), reads with either.
fn org_plan(store: &ProfileStore, plan: &serde_json::Value, only: Option<Vec<String>>, work: Work) -> Result<Resolved, IpcError> {
    let r = resolve(store, plan)?;
    match r.aws_org.as_ref().map(|o| o.engine) {
        Some(OrgEngine::MemberRole) => {}
        Some(OrgEngine::StackSet) if work == Work::Reads => {}
        Some(OrgEngine::StackSet) => {
            return Err(IpcError::new(
                AppCode::OrgEngineMismatch,
                "this plan deploys a CloudFormation StackSet, which the StackSet's own page deploys, not the accounts' table",
            ))
        }
        None => return Err(cloud_error(&CloudError::NoSection { cloud: "aws" })),
    }
    match only {
        Some(ids) => org_apply::only_accounts(&r, &ids).map_err(|m| IpcError::new(AppCode::OrgUnknownAccount, m)),
        None => Ok(r),
    }
}

/// Refuses (`org.too_many_for_window`) more accounts than one native confirmation names, each on
/// a line of its own; `done` says what did not happen ("applied", "removed").
pub(crate) fn fits_one_dialog(r: &Resolved, done: &str) -> Result<(), IpcError> {
    let (n, units) = r.aws_org.as_ref().map_or((0, 0), |o| (o.accounts.len(), o.organizational_units.len()));
    let max = confirm::MAX_ORG_ACCOUNTS_IN_WINDOW;
    if n <= max && units <= max {
        return Ok(());
    }
    Err(IpcError::new(
        AppCode::OrgTooManyForWindow,
        format!("{n} accounts and {units} organizational units: more than the {max} of each one confirmation names; nothing was {done}"),
    ))
}

/// "Apply anyway" names, in its dialog, every finding it goes past: refused (before asking) when
/// there are more than one confirmation names.
pub(crate) fn fits_findings(named: &[String], done: &str) -> Result<(), IpcError> {
    let max = confirm::MAX_ORG_ACCOUNTS_IN_WINDOW;
    if named.len() <= max {
        return Ok(());
    }
    Err(IpcError::new(
        AppCode::OrgTooManyForWindow,
        format!(
            "pre-flight found {} rules, more than the {max} one confirmation names; fix some, then apply anyway; nothing was {done}",
            named.len()
        ),
    ))
}

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

/// Runs the accounts' work on a blocking thread of its own: the per-account fan-out borrows the
/// plan and the progress callback across its futures, which a command's future (sent between
/// threads) cannot hold.
pub(crate) async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| IpcError::new(AppCode::OrgWorkFailed, format!("the work across the accounts stopped unexpectedly: {e}")))
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
    let r = org_plan(&store, &plan, only, Work::Changes)?;
    crate::commands::refuse_lint_errors(&crate::load::apply_findings(&r), AppCode::ApplyLintErrors, "applied")?;
    let base = cloud.aws();
    let mut confirmed = org_apply::Confirmed::new();
    if !dry_run {
        fits_one_dialog(&r, "applied")?;
        let me = org_apply::management_caller(&r, &base).await.map_err(|e| cloud_error(&e))?;
        let mut c = confirm::apply_aws_org(&r, &me.arn).ok_or_else(|| cloud_error(&CloudError::NoSection { cloud: "aws" }))?;
        if ignore_preflight == Some(true) {
            // What "Apply anyway" goes past is read now, by Rust, and named in the dialog.
            let (r, base) = (r.clone(), base.clone());
            let named;
            (confirmed, named) = off_thread(move || tauri::async_runtime::block_on(org_apply::findings_to_confirm(&r, &base)))
                .await?
                .map_err(|e| cloud_error(&e))?;
            fits_findings(&named, "applied")?;
            c = confirm::overriding_preflight(c, &named);
        }
        if !ask(&app, &c).await {
            return Err(apply_cancelled());
        }
    }
    let outcomes = off_thread(move || {
        let send = |o: &AccountOutcome<AccountApply>| {
            let _ = on_event.send(row(o));
        };
        let step = |id: &str, step: OrgStep| {
            let _ = on_step.send(OrgStepEvent { account_id: id.to_string(), step });
        };
        tauri::async_runtime::block_on(org_apply::apply_told(&r, &base, dry_run, org_apply::Override::Confirmed(&confirmed), &step, &send))
    })
    .await?
    .map_err(|e| cloud_error(&e))?;
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
    let r = org_plan(&store, &plan, only, Work::Reads)?;
    let vendor = r.profile.display_name.clone();
    let base = cloud.aws();
    let outcomes = off_thread({
        let vendor = vendor.clone();
        move || {
            let send = |o: &AccountOutcome<Vec<ProbeResult>>| {
                let _ = on_event.send(verify_row(o, &vendor));
            };
            let probe = |id: &str, e: trustbridge_cloud::aws::ProbeEvent| {
                let _ = on_probe.send(OrgProbeUpdate { account_id: id.to_string(), update: ProbeUpdate::of(e, &vendor) });
            };
            tauri::async_runtime::block_on(org_apply::verify(&r, &base, &probe, &send))
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
    let r = org_plan(&store, &plan, None, Work::Changes)?;
    fits_one_dialog(&r, "removed")?;
    let base = cloud.aws();
    let me = org_apply::management_caller(&r, &base).await.map_err(|e| cloud_error(&e))?;
    let found = off_thread({
        let (r, base) = (r.clone(), base.clone());
        move || tauri::async_runtime::block_on(org_apply::revoke_dry_run(&r, &base))
    })
    .await?
    .map_err(|e| cloud_error(&e))?;
    let removals: Vec<confirm::AccountRemoval> = found
        .iter()
        .filter_map(|o| {
            let rep = o.ok().filter(|rep| !rep.changes.is_empty())?;
            Some(confirm::AccountRemoval {
                account_id: o.account_id.clone(),
                removals: rep.changes.iter().map(|c| change(c).summary).collect(),
                role_deleted: rep.role_deleted,
            })
        })
        .collect();
    if removals.is_empty() {
        return Ok(found.iter().map(revoke_row).collect());
    }
    let unread: Vec<String> = found.iter().filter(|o| o.failure().is_some()).map(|o| o.account_id.clone()).collect();
    let c = confirm::revoke_aws_org(&r, &me.arn, &removals, &unread).ok_or_else(|| cloud_error(&CloudError::NoSection { cloud: "aws" }))?;
    if !ask(&app, &c).await {
        return Err(IpcError::new(AppCode::RevokeCancelled, "nothing was removed: the removal was cancelled in the confirmation"));
    }
    let confirmed: BTreeMap<String, Vec<String>> = removals.into_iter().map(|a| (a.account_id, a.removals)).collect();
    let ids: Vec<String> = confirmed.keys().cloned().collect();
    let narrowed = org_apply::only_accounts(&r, &ids).map_err(|m| IpcError::new(AppCode::OrgUnknownAccount, m))?;
    let removed = off_thread(move || tauri::async_runtime::block_on(org_apply::revoke_confirmed(&narrowed, &base, &confirmed, &|_| {})))
        .await?
        .map_err(|e| cloud_error(&e))?;
    // The plan's order: the removal's row where it ran, the dry run's (nothing to remove, or not read) elsewhere.
    Ok(found.iter().map(|o| revoke_row(removed.iter().find(|x| x.account_id == o.account_id).unwrap_or(o))).collect())
}
