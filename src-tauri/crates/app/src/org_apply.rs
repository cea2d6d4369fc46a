//! Use case: an organization-wide AWS plan (`member-role` engine) applied, or its dry run, in
//! every listed account — pre-flight first in each, a blocking finding stopping that account only
//! unless overridden — for the CLI (`cli_org`) and the window (`apply_aws_org`) alike. Also the
//! plan narrowed to some of its accounts, for "retry failed accounts", and the window's removal
//! across the accounts: a dry run in each, then only what the person confirmed, account by account.

use std::collections::{BTreeMap, BTreeSet};

use trustbridge_cloud::aws::org::{self, AccountOutcome};
use trustbridge_cloud::aws::preflight::{self, PreflightReport};
use trustbridge_cloud::aws::stackset::{self, StackProgress, StackSetReport};
use trustbridge_cloud::aws::{self, ApplyFailure, ApplyReport, AwsSettings, CallerIdentity, ProbeResult, RevokeReport, Session};
use trustbridge_cloud::CloudError;
use trustbridge_core::guardrail::{self, GuardFinding};
use trustbridge_core::validate::Resolved;

use crate::aws_apply::AwsApply;
use crate::ipc::OrgStep;

/// What apply did in one account: what pre-flight found there, and the apply (or dry run); no
/// report when a blocking finding stopped the account before any change.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountApply {
    pub preflight: PreflightReport,
    pub report: Option<ApplyReport>,
}

impl AccountApply {
    /// Pre-flight stopped this account: nothing was changed in it.
    pub fn blocked(&self) -> bool {
        self.report.is_none()
    }
}

/// The blocking findings, by account, that an apply goes past (each finding by its message).
pub type Confirmed = BTreeMap<String, BTreeSet<String>>;

/// Which blocking pre-flight findings an apply goes past; an account with any other blocking
/// finding is left untouched.
#[derive(Debug, Clone, Copy)]
pub enum Override<'a> {
    /// None.
    None,
    /// Every one (the CLI's `--ignore-preflight`).
    All,
    /// Only the ones the person confirmed for that account (the window's "Apply anyway": its
    /// native dialog named them): a rule that appeared after the confirmation still stops it.
    Confirmed(&'a Confirmed),
}

impl Override<'_> {
    /// Whether this blocking finding in `account` is gone past.
    fn admits(self, account: &str, finding: &GuardFinding) -> bool {
        match self {
            Override::All => true,
            Override::None => false,
            Override::Confirmed(c) => c.get(account).is_some_and(|these| these.contains(&finding.message)),
        }
    }

    /// How many of the account's blocking findings are not gone past.
    fn stopping(self, account: &str, preflight: &PreflightReport) -> usize {
        guardrail::blocking(&preflight.findings).filter(|f| !self.admits(account, f)).count()
    }
}

/// The blocking findings of pre-flight's accounts, by account (what "Apply anyway" confirms), and
/// each as the confirmation names it ("account …: …").
fn to_confirm<'a>(reports: impl Iterator<Item = (&'a str, &'a PreflightReport)>) -> (Confirmed, Vec<String>) {
    let found: Confirmed = reports
        .filter_map(|(account, rep)| {
            let these: BTreeSet<String> = guardrail::blocking(&rep.findings).map(|f| f.message.clone()).collect();
            (!these.is_empty()).then(|| (account.to_string(), these))
        })
        .collect();
    let named = found.iter().flat_map(|(id, these)| these.iter().map(move |m| format!("account {id}: {m}"))).collect();
    (found, named)
}

/// "Apply anyway": pre-flight read again in every account (a dry run: nothing changes), and what
/// it would go past.
pub async fn findings_to_confirm(r: &Resolved, base: &AwsSettings) -> Result<(Confirmed, Vec<String>), CloudError> {
    let outcomes = apply(r, base, true, Override::None, &|_| {}).await?;
    Ok(to_confirm(outcomes.iter().filter_map(|o| Some((o.account_id.as_str(), &o.ok()?.preflight)))))
}

/// "Apply anyway" for a StackSet: pre-flight read again in every listed account (nothing is
/// deployed), and what it would go past.
pub async fn stack_set_findings_to_confirm(r: &Resolved, base: &AwsSettings) -> Result<(Confirmed, Vec<String>), CloudError> {
    let checked = preflight_listed(r, base, &|_| {}).await?;
    Ok(to_confirm(checked.iter().filter_map(|o| Some((o.account_id.as_str(), o.ok()?)))))
}

/// Pre-flight in every listed account, through its member role (`checked` as each ends).
async fn preflight_listed(
    r: &Resolved,
    base: &AwsSettings,
    checked: &(dyn Fn(&AccountOutcome<PreflightReport>) + Sync),
) -> Result<Vec<AccountOutcome<PreflightReport>>, CloudError> {
    let work = |one: Resolved, s: AwsSettings| async move { preflight::preflight(&one, &s).await.map_err(ApplyFailure::from) };
    org::for_each_account(r, base, work, checked).await
}

/// Pre-flight, then apply (or its dry run), in every account of `r` (at most the plan's
/// concurrency at once; `done` as each account ends). A dry run never stops at a finding: it
/// shows what would change and what was found. An apply leaves an account with a blocking finding
/// untouched unless `overriding` goes past it.
pub async fn apply(
    r: &Resolved,
    base: &AwsSettings,
    dry_run: bool,
    overriding: Override<'_>,
    done: &(dyn Fn(&AccountOutcome<AccountApply>) + Sync),
) -> Result<Vec<AccountOutcome<AccountApply>>, CloudError> {
    apply_told(r, base, dry_run, overriding, &|_, _| {}, done).await
}

/// [`apply`], calling `step` as each account reaches a step (signing in through its member role,
/// pre-flight, the apply or its dry run), for a live account × step table.
pub async fn apply_told(
    r: &Resolved,
    base: &AwsSettings,
    dry_run: bool,
    overriding: Override<'_>,
    step: &(dyn Fn(&str, OrgStep) + Sync),
    done: &(dyn Fn(&AccountOutcome<AccountApply>) + Sync),
) -> Result<Vec<AccountOutcome<AccountApply>>, CloudError> {
    let work = |one: Resolved, s: AwsSettings| async move {
        let account = one.aws.as_ref().map_or(String::new(), |a| a.account_id.clone());
        let mut flow = AwsApply::connect(&one, &s).await?;
        step(&account, OrgStep::Preflight);
        let preflight = flow.preflight(&one).await?;
        if !dry_run && overriding.stopping(&account, &preflight) > 0 {
            return Ok(AccountApply { preflight, report: None });
        }
        step(&account, OrgStep::Apply);
        let report = flow.apply(&one, dry_run).await?;
        Ok(AccountApply { preflight, report: Some(report) })
    };
    org::for_each_account_told(r, base, work, &|id| step(id, OrgStep::SignIn), done).await
}

/// What the StackSet engine's apply did: pre-flight in each listed account (or why it could not
/// run there), how many findings block, and the StackSet's report — none when pre-flight stopped it.
#[derive(Debug, Clone)]
pub struct StackSetApply {
    pub preflight: Vec<AccountOutcome<PreflightReport>>,
    pub blocking: usize,
    pub report: Option<StackSetReport>,
}

/// The `stack-set` engine: who is signed in first (another account, or a delegated administrator
/// with the management account listed, is refused before pre-flight reaches into any account),
/// then pre-flight in every listed account through its member role (`checked` as each ends), then
/// the StackSet (or its dry run; `progress` as each account's stack changes). A blocking finding
/// anywhere stops the StackSet, which deploys to every account at once, unless `overriding` goes
/// past it; an account pre-flight could not reach blocks like a finding would (not checked is not
/// clear) unless every finding is gone past (`Override::All`).
pub async fn apply_stack_set(
    r: &Resolved,
    base: &AwsSettings,
    dry_run: bool,
    overriding: Override<'_>,
    checked: &(dyn Fn(&AccountOutcome<PreflightReport>) + Sync),
    progress: StackProgress<'_>,
) -> Result<StackSetApply, CloudError> {
    stackset::check_signed_in(r, base).await?;
    let preflight = preflight_listed(r, base, checked).await?;
    let blocking = preflight
        .iter()
        .map(|o| match (o.ok(), o.failure()) {
            (Some(rep), _) => overriding.stopping(&o.account_id, rep),
            (None, Some(_)) => usize::from(!matches!(overriding, Override::All)),
            (None, None) => 0,
        })
        .sum();
    if blocking > 0 && !dry_run {
        return Ok(StackSetApply { preflight, blocking, report: None });
    }
    let report = stackset::apply_stack_set(r, base, dry_run, progress).await?;
    Ok(StackSetApply { preflight, blocking, report: Some(report) })
}

/// Who these credentials act as, checked to be the account the plan signs in to (`aws.account_id`:
/// the management or a delegated-administrator account), through which every member role is
/// assumed. (Whether that account may assume the member roles is AWS's to say, account by account:
/// this only refuses credentials of another account before anything is asked.) Asked in the plan's
/// own region, the one its account is known to use.
pub async fn management_caller(r: &Resolved, base: &AwsSettings) -> Result<CallerIdentity, CloudError> {
    let org = org::org_section(r)?;
    let region = r.plan.aws.as_ref().map_or("us-east-1", |a| a.region.as_str());
    let me = Session::for_region(region, base).await.caller_identity().await?;
    if me.account != org.management_account_id {
        return Err(CloudError::AccountMismatch { expected: org.management_account_id.clone(), actual: me.account, arn: me.arn });
    }
    Ok(me)
}

/// The buckets and event buses of a member account, for "Which accounts?" before any plan exists:
/// its id, the member role and the partition are checked by the plan's rules first (they make the
/// role's ARN), then ListBuckets and ListEventBuses through that role. Read only; a name the plan's
/// rules would refuse is left out (it comes from the customer's cloud).
pub async fn member_resources(
    account: &str,
    member_role: &str,
    partition: &str,
    region: &str,
    base: &AwsSettings,
) -> Result<crate::ipc::MemberResources, crate::ipc::IpcError> {
    use trustbridge_core::validate::rules;
    let refused = |field: &str, rule: String| crate::ipc::IpcError {
        field: Some(field.to_string()),
        ..crate::ipc::IpcError::new(crate::errors::ErrorCode::validation(field), rule)
    };
    rules::aws_account_id(account).map_err(|r| refused("aws.accounts", r))?;
    rules::aws_role_name(member_role).map_err(|r| refused("aws.organization.member_role_name", r))?;
    rules::partition(partition).map_err(|r| refused("aws.partition", r))?;
    rules::aws_region(region, partition).map_err(|r| refused("aws.region", r))?;
    let arn = format!("arn:{partition}:iam::{account}:role/{member_role}");
    let (buckets, buses) = org::member_resources(&arn, region, base).await.map_err(|e| crate::ipc::IpcError::from(&e))?;
    Ok(crate::ipc::MemberResources {
        buckets: buckets.into_iter().filter(|b| rules::s3_bucket(b).is_ok()).collect(),
        event_buses: buses.into_iter().filter(|b| rules::event_bus_name(b).is_ok()).collect(),
    })
}

/// The connectivity test in every account of `r` (`done` as each ends), in the plan's order.
pub async fn verify(
    r: &Resolved,
    base: &AwsSettings,
    probe: &(dyn Fn(&str, trustbridge_cloud::aws::ProbeEvent) + Send + Sync),
    done: &(dyn Fn(&AccountOutcome<Vec<ProbeResult>>) + Sync),
) -> Result<Vec<AccountOutcome<Vec<ProbeResult>>>, CloudError> {
    org::verify_org_told(r, base, probe, done).await
}

/// What removing the vendor's access would remove in every account of `r`, read now in each
/// (through its member role); nothing is changed.
pub async fn revoke_dry_run(r: &Resolved, base: &AwsSettings) -> Result<Vec<AccountOutcome<RevokeReport>>, CloudError> {
    org::for_each_account(r, base, |one, s| async move { aws::revoke_dry_run(&one, &s, false).await }, &|_| {}).await
}

/// Removes, in each account `confirmed` names, exactly what was confirmed there (the first lines
/// of that account's dry-run changes); `r` is already narrowed to those accounts. Each account's
/// role is read again first: where it changed, nothing is removed there (`aws.revoke_changed`),
/// and the other accounts go on. A role Trustbridge did not create keeps all but the vendor's part.
pub async fn revoke_confirmed(
    r: &Resolved,
    base: &AwsSettings,
    confirmed: &BTreeMap<String, Vec<String>>,
    done: &(dyn Fn(&AccountOutcome<RevokeReport>) + Sync),
) -> Result<Vec<AccountOutcome<RevokeReport>>, CloudError> {
    let work = |one: Resolved, s: AwsSettings| {
        // An account with no entry was confirmed for nothing: an empty list removes nothing.
        let these = one.aws.as_ref().and_then(|a| confirmed.get(&a.account_id)).cloned().unwrap_or_default();
        async move { aws::revoke_confirmed(&one, &s, false, &these).await }
    };
    org::for_each_account(r, base, work, done).await
}

/// The plan with only the listed accounts of its organization (in the plan's order): for a retry
/// of the ones that failed. An id the plan does not list is refused, never added.
pub fn only_accounts(r: &Resolved, ids: &[String]) -> Result<Resolved, String> {
    let org = r.aws_org.as_ref().ok_or("the plan has no AWS organization section")?;
    if ids.is_empty() {
        return Err("no account to retry was named".into());
    }
    if let Some(stranger) = ids.iter().find(|id| !org.accounts.iter().any(|a| &a.account_id == *id)) {
        return Err(format!("account {stranger} is not one of the plan's accounts"));
    }
    let mut narrowed = r.clone();
    if let Some(o) = narrowed.aws_org.as_mut() {
        o.accounts.retain(|a| ids.contains(&a.account_id));
    }
    if let Some(a) = narrowed.plan.aws.as_mut() {
        a.accounts.retain(|m| ids.contains(&m.account_id));
    }
    Ok(narrowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Resolved {
        let text = std::fs::read_to_string(format!("{}/../../../tests/fixtures/plans/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        trustbridge_core::validate::validate(&trustbridge_core::plan::Plan::from_json(&text).unwrap(), None).unwrap()
    }

    #[test]
    fn a_retry_narrows_the_plan_to_the_accounts_named_and_never_adds_one() {
        let r = fixture("org-member-role.json");
        let one = only_accounts(&r, &["345678901234".into()]).unwrap();
        let ids: Vec<&str> = one.aws_org.as_ref().unwrap().accounts.iter().map(|a| a.account_id.as_str()).collect();
        assert_eq!(ids, ["345678901234"]);
        let kept: Vec<&str> = one.plan.aws.as_ref().unwrap().accounts.iter().map(|a| a.account_id.as_str()).collect();
        assert_eq!(kept, ["345678901234"]);
        assert!(only_accounts(&r, &[]).is_err(), "an empty retry is refused, not a run over nothing");
        let e = only_accounts(&r, &["999999999999".into()]).unwrap_err();
        assert!(e.contains("999999999999"), "{e}");
        assert!(only_accounts(&fixture("mlcube-aws.json"), &[]).is_err());
    }
}
