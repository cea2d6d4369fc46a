//! Use cases of the window that change an organization's accounts only after the person's yes,
//! like [`crate::confirmed`] for one account: the plan checked to be one this engine runs, the
//! lint gate, the credentials checked to be the plan's account's, the confirmation built from the
//! validated plan ([`crate::confirm`]) naming every account (and, for "Apply anyway", every
//! blocking finding it goes past, read now by Rust), an [`Ask`], then exactly what was confirmed.
//! The work across the accounts ([`crate::org_apply`]) runs on a blocking thread of its own
//! ([`off_thread`]); each account's row or stack is told to the caller as it ends. A Tauri command
//! is these plus argument conversion and rows; `app/tests/confirmed_org_moto.rs` answers from a
//! script, without Tauri.

use std::collections::BTreeMap;
use std::future::Future;

use trustbridge_cloud::aws::org::AccountOutcome;
use trustbridge_cloud::aws::stackset::{self, StackInstance, StackSetReport};
use trustbridge_cloud::aws::{AwsSettings, RevokeReport};
use trustbridge_cloud::CloudError;
use trustbridge_core::validate::{OrgEngine, Resolved};

use crate::confirm;
use crate::confirmed::{apply_cancelled, change, Ask};
use crate::errors::AppCode;
use crate::ipc::{IpcError, OrgStep};
use crate::org_apply::{self, AccountApply, Confirmed, Override, StackSetApply};

fn cloud_error(e: &CloudError) -> IpcError {
    IpcError::from(e)
}

fn no_aws() -> IpcError {
    cloud_error(&CloudError::NoSection { cloud: "aws" })
}

/// What a use case does to the accounts: changes them (each engine's own), or reads them (the
/// connectivity test, with either engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    MemberRoleChanges,
    StackSetChanges,
    Reads,
}

/// `r` checked to be an organization-wide plan whose engine does `work`, narrowed to `only` (a
/// retry of the accounts that failed; an id the plan does not list is refused, never added).
pub fn org_plan(r: Resolved, only: Option<Vec<String>>, work: Work) -> Result<Resolved, IpcError> {
    match (r.aws_org.as_ref().map(|o| o.engine), work) {
        (None, _) => return Err(no_aws()),
        (Some(_), Work::Reads)
        | (Some(OrgEngine::MemberRole), Work::MemberRoleChanges)
        | (Some(OrgEngine::StackSet), Work::StackSetChanges) => {}
        (Some(OrgEngine::StackSet), _) => {
            return Err(IpcError::new(
                AppCode::OrgEngineMismatch,
                "this plan deploys a CloudFormation StackSet, which the StackSet's own page deploys, not the accounts' table",
            ))
        }
        (Some(OrgEngine::MemberRole), _) => {
            return Err(IpcError::new(AppCode::OrgEngineMismatch, "this plan sets up each account through its member role, not a StackSet"))
        }
    }
    match only {
        Some(ids) => org_apply::only_accounts(&r, &ids).map_err(|m| IpcError::new(AppCode::OrgUnknownAccount, m)),
        None => Ok(r),
    }
}

/// Refuses (`org.too_many_for_window`) more accounts or units than one native confirmation names,
/// each on a line of its own; `done` says what did not happen ("applied", "removed").
pub fn fits_one_dialog(r: &Resolved, done: &str) -> Result<(), IpcError> {
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
pub fn fits_findings(named: &[String], done: &str) -> Result<(), IpcError> {
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

/// Runs the accounts' work on a blocking thread of its own, driving `work`'s future there: the
/// per-account fan-out borrows the plan and the progress callbacks across its futures, which a
/// future that must be sent between threads (a Tauri command's) cannot hold.
pub async fn off_thread<T: Send + 'static, F: Future<Output = T>>(work: impl FnOnce() -> F + Send + 'static) -> Result<T, IpcError> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || runtime.block_on(work()))
        .await
        .map_err(|e| IpcError::new(AppCode::OrgWorkFailed, format!("the work across the accounts stopped unexpectedly: {e}")))
}

/// Before an organization's change, for real: no more accounts or units than one dialog names,
/// the credentials checked to be the plan's account's, the confirmation built from the plan
/// (`text`, given who signs in; it may read the accounts first, nothing changed) — with "Apply
/// anyway", every blocking finding it goes past, read now (`read`: pre-flight in every listed
/// account, nothing changed) and named — and the person's yes (Cancel: `apply.cancelled`; `done`
/// says what did not happen when refused). What the yes goes past, by account.
async fn asked_before_change<F, T>(
    r: &Resolved,
    done: &str,
    base: &AwsSettings,
    text: impl FnOnce(String) -> T,
    ignore_preflight: bool,
    read: impl FnOnce() -> F + Send + 'static,
    ask: &impl Ask,
) -> Result<Confirmed, IpcError>
where
    F: Future<Output = Result<(Confirmed, Vec<String>), CloudError>>,
    T: Future<Output = Result<Option<confirm::Confirmation>, IpcError>>,
{
    fits_one_dialog(r, done)?;
    let me = org_apply::management_caller(r, base).await.map_err(|e| cloud_error(&e))?;
    let mut c = text(me.arn).await?.ok_or_else(no_aws)?;
    let mut confirmed = Confirmed::new();
    if ignore_preflight {
        let named;
        (confirmed, named) = off_thread(read).await?.map_err(|e| cloud_error(&e))?;
        fits_findings(&named, done)?;
        c = confirm::overriding_preflight(c, &named);
    }
    if !ask.ask(&c).await {
        return Err(apply_cancelled());
    }
    Ok(confirmed)
}

/// An organization-wide plan (`member-role` engine) applied in every listed account, or its dry
/// run (nothing asked). For real: the credentials checked to be the plan's account's, then the
/// person's yes to a confirmation naming every account and its grants (`confirm::apply_aws_org`;
/// Cancel: `apply.cancelled`, nothing applied). An account whose pre-flight finds a blocking rule
/// is left untouched unless `ignore_preflight` ("Apply anyway"): then pre-flight runs in every
/// account before asking, the dialog names each blocking finding with its account, and the apply
/// goes past exactly those (a rule found only afterwards still stops its account). `step` is told
/// each account's steps, `done` each account as it ends.
#[allow(clippy::too_many_arguments)] // the plan, the answers, the person, and two live feeds
pub async fn org_apply(
    r: Resolved,
    base: AwsSettings,
    dry_run: bool,
    ignore_preflight: bool,
    ask: &impl Ask,
    step: impl Fn(&str, OrgStep) + Send + Sync + 'static,
    done: impl Fn(&AccountOutcome<AccountApply>) + Send + Sync + 'static,
) -> Result<Vec<AccountOutcome<AccountApply>>, IpcError> {
    let r = org_plan(r, None, Work::MemberRoleChanges)?;
    crate::load::refuse_lint_errors(&crate::load::apply_findings(&r), AppCode::ApplyLintErrors, "applied")?;
    let confirmed = if dry_run {
        Confirmed::new()
    } else {
        let (plan, b) = (r.clone(), base.clone());
        let read = move || async move { org_apply::findings_to_confirm(&plan, &b).await };
        let text = |me: String| {
            let r = &r;
            async move { Ok(confirm::apply_aws_org(r, &me)) }
        };
        asked_before_change(&r, "applied", &base, text, ignore_preflight, read, ask).await?
    };
    off_thread(move || async move { org_apply::apply_told(&r, &base, dry_run, Override::Confirmed(&confirmed), &step, &done).await })
        .await?
        .map_err(|e| cloud_error(&e))
}

/// The vendor's access removed from every listed account: what would go is read in each first (a
/// dry run through its member role), the confirmation names every account with exactly that
/// (`confirm::revoke_aws_org`), and then each account loses only what was confirmed there (an
/// account whose role changed meanwhile keeps it: `aws.revoke_changed` in its outcome). Nothing to
/// remove anywhere: nothing is asked. Cancel: `revoke.cancelled`, nothing removed. One outcome per
/// account, in the plan's order: the removal's where it ran, the dry run's elsewhere.
pub async fn org_revoke(r: Resolved, base: AwsSettings, ask: &impl Ask) -> Result<Vec<AccountOutcome<RevokeReport>>, IpcError> {
    let r = org_plan(r, None, Work::MemberRoleChanges)?;
    fits_one_dialog(&r, "removed")?;
    let me = org_apply::management_caller(&r, &base).await.map_err(|e| cloud_error(&e))?;
    let found = off_thread({
        let (r, base) = (r.clone(), base.clone());
        move || async move { org_apply::revoke_dry_run(&r, &base).await }
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
        return Ok(found);
    }
    let unread: Vec<String> = found.iter().filter(|o| o.failure().is_some()).map(|o| o.account_id.clone()).collect();
    let c = confirm::revoke_aws_org(&r, &me.arn, &removals, &unread).ok_or_else(no_aws)?;
    if !ask.ask(&c).await {
        return Err(IpcError::new(AppCode::RevokeCancelled, "nothing was removed: the removal was cancelled in the confirmation"));
    }
    let confirmed: BTreeMap<String, Vec<String>> = removals.into_iter().map(|a| (a.account_id, a.removals)).collect();
    let ids: Vec<String> = confirmed.keys().cloned().collect();
    let narrowed = org_apply::only_accounts(&r, &ids).map_err(|m| IpcError::new(AppCode::OrgUnknownAccount, m))?;
    let removed = off_thread(move || async move { org_apply::revoke_confirmed(&narrowed, &base, &confirmed, &|_| {}).await })
        .await?
        .map_err(|e| cloud_error(&e))?;
    let mut removed: BTreeMap<String, AccountOutcome<RevokeReport>> = removed.into_iter().map(|o| (o.account_id.clone(), o)).collect();
    Ok(found.into_iter().map(|o| removed.remove(&o.account_id).unwrap_or(o)).collect())
}

/// The plan's StackSet deployed (or its dry run: pre-flight in every listed account and what
/// deploying would do, nothing asked). For real: the credentials checked to be the plan's
/// account's, then the person's yes to a confirmation naming the StackSet, its units, each listed
/// account's grants and what deploying does step by step, as its dry run reads it just before
/// asking (`confirm::apply_aws_stack_set`; Cancel: `apply.cancelled`, nothing deployed). A blocking finding in any listed account stops the StackSet unless
/// `ignore_preflight`: then the dialog names each, and only those are gone past. `stack` is told
/// each account's stack as its status changes.
pub async fn stack_set_apply(
    r: Resolved,
    base: AwsSettings,
    dry_run: bool,
    ignore_preflight: bool,
    ask: &impl Ask,
    stack: impl Fn(&StackInstance) + Send + Sync + 'static,
) -> Result<StackSetApply, IpcError> {
    let r = org_plan(r, None, Work::StackSetChanges)?;
    crate::load::refuse_lint_errors(&crate::load::apply_findings(&r), AppCode::ApplyLintErrors, "applied")?;
    let confirmed = if dry_run {
        Confirmed::new()
    } else {
        let (plan, b) = (r.clone(), base.clone());
        let read = move || async move { org_apply::stack_set_findings_to_confirm(&plan, &b).await };
        // What deploying does, read once the sign-in is known to be the plan's (create or update,
        // the management account's own stack…), so the dialog names it.
        let text = |me: String| {
            let (r, plan, b) = (&r, r.clone(), base.clone());
            async move {
                let dry = off_thread(move || async move { stackset::apply_stack_set(&plan, &b, true, &|_| {}).await }).await?;
                let steps = dry.map_err(|e| cloud_error(&e))?.steps;
                Ok(confirm::apply_aws_stack_set(r, &me, &steps))
            }
        };
        asked_before_change(&r, "deployed", &base, text, ignore_preflight, read, ask).await?
    };
    off_thread(
        move || async move { org_apply::apply_stack_set(&r, &base, dry_run, Override::Confirmed(&confirmed), &|_| {}, &stack).await },
    )
    .await?
    .map_err(|e| cloud_error(&e))
}

/// The plan's StackSet removed after the person's yes to a confirmation naming the StackSet and
/// its units (`confirm::revoke_aws_stack_set`; Cancel: `revoke.cancelled`, nothing removed): the
/// units' stacks go (the role with each), then the StackSet, then the management account's own
/// stack. A stack CloudFormation cannot delete keeps the StackSet (the report says which).
pub async fn stack_set_revoke(
    r: Resolved,
    base: AwsSettings,
    ask: &impl Ask,
    stack: impl Fn(&StackInstance) + Send + Sync + 'static,
) -> Result<StackSetReport, IpcError> {
    let r = org_plan(r, None, Work::StackSetChanges)?;
    fits_one_dialog(&r, "removed")?;
    let me = org_apply::management_caller(&r, &base).await.map_err(|e| cloud_error(&e))?;
    let c = confirm::revoke_aws_stack_set(&r, &me.arn).ok_or_else(no_aws)?;
    if !ask.ask(&c).await {
        return Err(IpcError::new(AppCode::RevokeCancelled, "nothing was removed: the removal was cancelled in the confirmation"));
    }
    off_thread(move || async move { stackset::revoke_stack_set(&r, &base, &stack).await }).await?.map_err(|e| cloud_error(&e))
}
