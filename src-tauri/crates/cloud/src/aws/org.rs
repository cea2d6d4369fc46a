//! Many accounts of an AWS Organization with the `member-role` engine: each listed account is
//! signed in to by assuming the organization's access role there (`OrganizationAccountAccessRole`,
//! `AWSControlTowerExecution`) with the credentials of the management (or delegated-administrator)
//! account, then set up, tested or revoked exactly as a single-account plan
//! ([`Resolved::for_account`]): the same typed changes, dry run, ownership checks and partial-failure
//! report per account. At most `max_concurrency` accounts are worked on at once; one account's
//! failure never stops the others, and each outcome is reported as it ends.

use std::future::Future;

use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use trustbridge_core::validate::{Resolved, ResolvedAws, ResolvedOrg};

use super::{sdk_config, ApplyFailure, ApplyReport, AwsSettings, ProbeEvent, RevokeReport, Session};
use crate::error::CloudError;
use crate::probe::{ProbeResult, Verdict};

/// What happened in one account.
#[derive(Debug, Clone, Serialize)]
pub struct AccountOutcome<T> {
    pub account_id: String,
    /// `None` for the account signed in to (the management account is worked on directly).
    pub via_role: Option<String>,
    #[serde(flatten)]
    pub result: AccountResult<T>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountResult<T> {
    Ok(T),
    Failed(ApplyFailure),
}

impl<T> AccountOutcome<T> {
    pub fn ok(&self) -> Option<&T> {
        match &self.result {
            AccountResult::Ok(t) => Some(t),
            AccountResult::Failed(_) => None,
        }
    }
    pub fn failure(&self) -> Option<&ApplyFailure> {
        match &self.result {
            AccountResult::Ok(_) => None,
            AccountResult::Failed(f) => Some(f),
        }
    }
}

/// The organization section of an organization-wide plan.
pub fn org_section(r: &Resolved) -> Result<&ResolvedOrg, CloudError> {
    r.aws_org.as_ref().ok_or(CloudError::NoSection { cloud: "aws" })
}

/// The settings that sign in to `account`: the ones given for the management account itself,
/// otherwise credentials of the member role assumed with them (fetched on first use, refreshed by
/// the SDK before they expire; the session name says who made the change in CloudTrail).
pub async fn account_settings(org: &ResolvedOrg, account: &ResolvedAws, base: &AwsSettings) -> Result<AwsSettings, CloudError> {
    if account.account_id == org.management_account_id {
        return Ok(base.clone());
    }
    member_settings(&org.member_role_arn(account), &account.region, base).await
}

/// The settings of the member role `role_arn`, assumed with `base`'s credentials (for the wizard's
/// pick lists of a member account too, before any plan exists). The role is assumed once first:
/// an account without it (AWS refuses) is [`CloudError::MemberRoleUnavailable`] before anything is
/// asked of that account, not an error of whatever call came first.
pub async fn member_settings(role_arn: &str, region: &str, base: &AwsSettings) -> Result<AwsSettings, CloudError> {
    let conf = sdk_config(region, base.profile.as_deref(), base.credentials.clone(), base).await;
    assumable(&conf, role_arn, base).await?;
    let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn).session_name("trustbridge").configure(&conf).build().await;
    // Pre-flight reads the organization's policies with the management account's credentials
    // (a member account cannot): the ones named for that, else the ones signed in with.
    let (org_profile, org_credentials) = match (&base.org_profile, &base.org_credentials) {
        (None, None) => (base.profile.clone(), base.credentials.clone()),
        (p, c) => (p.clone(), c.clone()),
    };
    let org_provider = base.org_provider.clone().or_else(|| conf.credentials_provider());
    Ok(AwsSettings {
        profile: None,
        credentials: None,
        provider: Some(super::SharedCredentialsProvider::new(provider)),
        org_profile,
        org_credentials,
        org_provider,
        ..base.clone()
    })
}

/// AssumeRole of `role_arn`, answered: AWS's refusal (the role does not exist in the account, or
/// does not trust the caller) is the member role's problem; any other failure (network, expired
/// sign-in, a service control policy) keeps its own code and fix.
async fn assumable(conf: &aws_config::SdkConfig, role_arn: &str, base: &AwsSettings) -> Result<(), CloudError> {
    let call = aws_sdk_sts::Client::new(conf).assume_role().role_arn(role_arn).role_session_name("trustbridge").send();
    let err = match tokio::time::timeout(base.timeout, call).await {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(e)) => super::classify("sts:AssumeRole", e, base.timeout, &base.profile_label()),
        Err(_) => CloudError::Timeout { action: "sts:AssumeRole".into(), after: base.timeout },
    };
    Err(match err {
        CloudError::AccessDenied { message, .. } => CloudError::MemberRoleUnavailable {
            account: role_arn.split(':').nth(4).unwrap_or_default().to_string(),
            role_arn: role_arn.to_string(),
            message,
        },
        other => other,
    })
}

/// The buckets and the event buses (in `region`) the member role `role_arn` can see (ListBuckets,
/// ListEventBuses through it), for the wizard's per-account pick lists: read only. The role is
/// assumed once for both. A list the role may not read is empty (the field is typed instead), as
/// long as the other could be read; the role refused, or both lists, is the error.
pub async fn member_resources(role_arn: &str, region: &str, base: &AwsSettings) -> Result<(Vec<String>, Vec<String>), CloudError> {
    let settings = member_settings(role_arn, region, base).await?;
    let s = Session::for_region(region, &settings).await;
    match tokio::join!(s.bucket_names(), s.event_bus_names()) {
        (Err(e), Err(_)) => Err(e),
        (buckets, buses) => Ok((buckets.unwrap_or_default(), buses.unwrap_or_default())),
    }
}

/// Runs `work` in every account of the plan, at most `max_concurrency` at once, calling `done` as
/// each account ends; the outcomes come back in the plan's order.
pub async fn for_each_account<T, F, Fut>(
    r: &Resolved,
    base: &AwsSettings,
    work: F,
    done: &(dyn Fn(&AccountOutcome<T>) + Sync),
) -> Result<Vec<AccountOutcome<T>>, CloudError>
where
    F: Fn(Resolved, AwsSettings) -> Fut,
    Fut: Future<Output = Result<T, ApplyFailure>>,
{
    for_each_account_told(r, base, work, &|_| {}, done).await
}

/// [`for_each_account`], calling `started` with an account's id when its turn comes (before it is
/// signed in to), so a caller can tell an account being worked on from one still waiting.
pub async fn for_each_account_told<T, F, Fut>(
    r: &Resolved,
    base: &AwsSettings,
    work: F,
    started: &(dyn Fn(&str) + Sync),
    done: &(dyn Fn(&AccountOutcome<T>) + Sync),
) -> Result<Vec<AccountOutcome<T>>, CloudError>
where
    F: Fn(Resolved, AwsSettings) -> Fut,
    Fut: Future<Output = Result<T, ApplyFailure>>,
{
    let org = org_section(r)?;
    let work = &work;
    // One organization: what pre-flight reads of it (each OU's and the root's policies) is read
    // once for every account, not once per account.
    let shared = AwsSettings { org_reads: base.org_reads.clone().or_else(|| Some(std::sync::Arc::default())), ..base.clone() };
    let base = &shared;
    let mut outcomes: Vec<(usize, AccountOutcome<T>)> = stream::iter(org.accounts.iter().enumerate())
        .map(|(i, a)| async move {
            started(&a.account_id);
            let via_role = (a.account_id != org.management_account_id).then(|| org.member_role_arn(a));
            let result = match account_settings(org, a, base).await {
                Ok(settings) => match work(r.for_account(a), settings).await {
                    Ok(t) => AccountResult::Ok(t),
                    Err(f) => AccountResult::Failed(f),
                },
                Err(e) => AccountResult::Failed(ApplyFailure::from(e)),
            };
            let outcome = AccountOutcome { account_id: a.account_id.clone(), via_role, result };
            done(&outcome);
            (i, outcome)
        })
        .buffer_unordered(org.max_concurrency.max(1))
        .collect()
        .await;
    outcomes.sort_by_key(|(i, _)| *i);
    Ok(outcomes.into_iter().map(|(_, o)| o).collect())
}

/// Apply (or its dry run) in every account.
pub async fn apply_org(
    r: &Resolved,
    base: &AwsSettings,
    dry_run: bool,
    done: &(dyn Fn(&AccountOutcome<ApplyReport>) + Sync),
) -> Result<Vec<AccountOutcome<ApplyReport>>, CloudError> {
    for_each_account(r, base, |one, s| async move { super::apply(&one, &s, dry_run).await }, done).await
}

/// The connectivity test in every account (customer side, and the vendor side when vendor
/// credentials are configured). A test that could not run at all is the account's failure.
pub async fn verify_org(
    r: &Resolved,
    base: &AwsSettings,
    done: &(dyn Fn(&AccountOutcome<Vec<ProbeResult>>) + Sync),
) -> Result<Vec<AccountOutcome<Vec<ProbeResult>>>, CloudError> {
    verify_org_told(r, base, &|_, _| {}, done).await
}

/// [`verify_org`], calling `probe` with the account's id as each of its checks starts, waits and
/// finishes (for a live account × check table).
pub async fn verify_org_told(
    r: &Resolved,
    base: &AwsSettings,
    probe: &(dyn Fn(&str, ProbeEvent) + Send + Sync),
    done: &(dyn Fn(&AccountOutcome<Vec<ProbeResult>>) + Sync),
) -> Result<Vec<AccountOutcome<Vec<ProbeResult>>>, CloudError> {
    let work = |one: Resolved, s: AwsSettings| async move {
        let account = one.aws.as_ref().map_or(String::new(), |a| a.account_id.clone());
        let tell = move |e: ProbeEvent| probe(&account, e);
        super::verify(&one, &s, &tell).await.map_err(ApplyFailure::from)
    };
    for_each_account(r, base, work, done).await
}

/// Revoke in every account.
pub async fn revoke_org(
    r: &Resolved,
    base: &AwsSettings,
    force: bool,
    done: &(dyn Fn(&AccountOutcome<RevokeReport>) + Sync),
) -> Result<Vec<AccountOutcome<RevokeReport>>, CloudError> {
    for_each_account(r, base, |one, s| async move { super::revoke(&one, &s, force).await }, done).await
}

/// Whether an account's connectivity test passed: it ran, no probe failed, and something was
/// proven (the single-account test's verdict: all skipped is not a pass).
pub fn verified(o: &AccountOutcome<Vec<ProbeResult>>) -> bool {
    o.ok().is_some_and(|probes| matches!(Verdict::of(probes), Verdict::Pass | Verdict::Partial))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{ProbeId, ProbeStatus};

    fn outcome(statuses: &[ProbeStatus]) -> AccountOutcome<Vec<ProbeResult>> {
        let probes = statuses
            .iter()
            .map(|s| ProbeResult {
                id: ProbeId::new(crate::probe::Cloud::Aws, crate::probe::Check::Credentials),
                status: *s,
                duration_ms: 1,
                message: String::new(),
                fix: None,
                code: None,
            })
            .collect();
        AccountOutcome { account_id: "210987654321".into(), via_role: None, result: AccountResult::Ok(probes) }
    }

    #[test]
    fn an_account_is_verified_only_when_something_was_proven_and_nothing_failed() {
        assert!(verified(&outcome(&[ProbeStatus::Pass, ProbeStatus::Skip])));
        assert!(verified(&outcome(&[ProbeStatus::Pass, ProbeStatus::Partial])));
        assert!(!verified(&outcome(&[ProbeStatus::Pass, ProbeStatus::Fail])));
        assert!(!verified(&outcome(&[ProbeStatus::Skip, ProbeStatus::Skip])), "nothing proven is not a pass");
        assert!(!verified(&outcome(&[])), "no probe at all is not a pass");
    }
}
