//! Google Cloud pre-flight: would an organization policy stop the vendor even though apply grants
//! exactly what it should? Read through the Organization Policy API v2
//! (`projects.policies.getEffectivePolicy`, with the customer's own sign-in), for the project of the
//! plan:
//!
//! - `iam.disableServiceAccountKeyCreation` and its managed twin
//!   `iam.managed.disableServiceAccountKeyCreation`: enforced, the vendor's key cannot be made, so a
//!   plan that signs the vendor in with a key would not work (keyless would);
//! - `iam.workloadIdentityPoolAwsAccounts` (keyless plans): the AWS accounts a workload identity
//!   pool provider may trust; the vendor's must be allowed;
//! - `iam.allowedPolicyMemberDomains` (keyless plans): domain restricted sharing may refuse the
//!   binding of the pool's principal set to the service account;
//! - `iam.managed.allowedPolicyMembers` (every plan), its managed successor: an enforced rule's
//!   `parameters` list the members that may be bound (`allowedMemberSubjects`, such as
//!   `serviceAccount:…` or `principalSet://…`) and the organizations whose principals may
//!   (`allowedPrincipalSets`, `//cloudresourcemanager.googleapis.com/organizations/ID`): the member
//!   apply binds (the project's service account, or the keyless pool's principal set) listed is
//!   admitted; not listed, with no principal set, is refused; not listed beside a principal set is
//!   "may" (whether the project's organization is that one is not read here).
//!
//! Effective policies are read as Google documents them: a rule with `enforce`, `allowAll`,
//! `denyAll` or `values {allowedValues, deniedValues}` (values may carry the `is:` prefix); a rule
//! with a `condition` (tags) applies only to some resources, so what it decides is "may", never
//! "will". A policy that cannot be read is a finding, never a silent pass. Reads only.

use serde::Serialize;
use serde_json::Value;
use trustbridge_core::guardrail::{GuardCode, GuardFinding, GuardSeverity};
use trustbridge_core::validate::Resolved;

use super::apply::{connect_billed, gcp_section, refusal};
use super::credential::AdminCredential;
use super::GcpSettings;
use crate::CloudError;

/// What pre-flight found on Google Cloud, and what it checked.
#[derive(Debug, Clone, Serialize)]
pub struct GcpPreflight {
    /// Who read the policies ([`AdminCredential::describe`]).
    pub acting_as: String,
    pub findings: Vec<GuardFinding>,
    /// One line per constraint read, so a clean report says what it is clean of.
    pub checked: Vec<String>,
}

impl GcpPreflight {
    pub fn blocking(&self) -> bool {
        trustbridge_core::guardrail::blocking(&self.findings).next().is_some()
    }
}

/// How an effective policy decides one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Yes,
    No,
    /// A rule with a condition decides it for some resources only.
    Maybe,
}

fn rules(policy: &Value) -> Vec<&Value> {
    policy["spec"]["rules"].as_array().map(|r| r.iter().collect()).unwrap_or_default()
}

/// Whether a boolean constraint is enforced by the effective `policy`.
pub fn enforced(policy: &Value) -> Decision {
    let rs = rules(policy);
    if rs.iter().any(|r| r["condition"].is_null() && r["enforce"] == true) {
        return Decision::Yes;
    }
    if rs.iter().any(|r| !r["condition"].is_null() && r["enforce"] == true) {
        return Decision::Maybe;
    }
    Decision::No
}

fn values<'a>(r: &'a Value, which: &str) -> impl Iterator<Item = &'a str> {
    r["values"][which].as_array().into_iter().flatten().filter_map(Value::as_str).map(|v| v.strip_prefix("is:").unwrap_or(v))
}

/// Whether a list constraint's effective `policy` denies `value`.
pub fn denies(policy: &Value, value: &str) -> Decision {
    let decide = |r: &Value| -> Option<bool> {
        if r["denyAll"] == true || values(r, "deniedValues").any(|v| v == value) {
            Some(true)
        } else if r["allowAll"] == true || values(r, "allowedValues").any(|v| v == value) {
            Some(false)
        } else if values(r, "allowedValues").next().is_some() {
            Some(true) // an allow-list without it
        } else {
            None
        }
    };
    let rs = rules(policy);
    let (plain, conditional): (Vec<&Value>, Vec<&Value>) = rs.iter().partition(|r| r["condition"].is_null());
    let plain: Vec<bool> = plain.iter().filter_map(|r| decide(r)).collect();
    if plain.contains(&true) && !plain.contains(&false) {
        return Decision::Yes;
    }
    if conditional.iter().any(|r| decide(r) == Some(true)) || (plain.contains(&true) && plain.contains(&false)) {
        return Decision::Maybe;
    }
    Decision::No
}

fn strs(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

/// Whether `iam.managed.allowedPolicyMembers`' effective `policy` refuses binding the member that
/// `ours` recognises among `allowedMemberSubjects`: an enforced rule listing it admits it; one with
/// principal sets may (they are organizations); one with neither refuses it — for some resources
/// only when the rule has a condition.
pub fn refuses_member(policy: &Value, ours: impl Fn(&str) -> bool) -> Decision {
    let mut maybe = false;
    for r in rules(policy).into_iter().filter(|r| r["enforce"] == true) {
        let p = &r["parameters"];
        if strs(&p["allowedMemberSubjects"]).any(&ours) {
            continue;
        }
        if strs(&p["allowedPrincipalSets"]).next().is_some() || !r["condition"].is_null() {
            maybe = true;
        } else {
            return Decision::Yes;
        }
    }
    if maybe {
        Decision::Maybe
    } else {
        Decision::No
    }
}

/// Reads the effective policy of `constraint` on `project`: `Ok(None)` when the constraint does
/// not exist in this organization (an older or newer name).
async fn effective(
    api: &super::apply::Api<'_>,
    settings: &GcpSettings,
    project: &str,
    constraint: &str,
) -> Result<Option<Value>, CloudError> {
    let url =
        format!("{}/v2/projects/{project}/policies/{constraint}:getEffectivePolicy", settings.orgpolicy_endpoint.trim_end_matches('/'));
    let action = format!("orgpolicy.policies.getEffectivePolicy {constraint}");
    // The Organization Policy API bills the caller ([`AdminCredential::billed_project`]).
    let a = api.billed_call(reqwest::Method::GET, &url, &action).await?;
    match a.status {
        200..=299 => Ok(Some(a.body)),
        404 => Ok(None),
        400 if a.body["error"]["message"].as_str().is_some_and(|m| m.to_lowercase().contains("constraint")) => Ok(None),
        _ => Err(refusal(&action, &a)),
    }
}

/// Google Cloud pre-flight of the plan's GCP section, as `cred`.
pub async fn preflight(r: &Resolved, cred: &AdminCredential, settings: &GcpSettings) -> Result<GcpPreflight, CloudError> {
    let g = gcp_section(r)?;
    let (api, acting_as) = connect_billed(cred, settings, &g.project_id).await?;
    let project = &g.project_id;
    let mut findings = Vec::new();
    let mut checked = Vec::new();
    let finding = |code: GuardCode, severity: GuardSeverity, resource: String, message: String| GuardFinding {
        code,
        cloud: "gcp".into(),
        account_id: Some(project.clone()),
        resource: Some(resource),
        severity,
        message,
        fix: code.fix().into(),
    };
    let read = |constraint: &'static str| {
        let api = &api;
        async move { (constraint, effective(api, settings, project, constraint).await) }
    };
    let unreadable = |findings: &mut Vec<GuardFinding>, constraint: &str, e: &CloudError| {
        findings.push(finding(
            GuardCode::GcpOrgPolicyUnreadable,
            GuardSeverity::Warning,
            format!("constraints/{constraint}"),
            format!("The organization policy {constraint} of project {project} could not be read ({e}), so Trustbridge could not tell whether it stops the vendor."),
        ))
    };
    match &g.workload_identity {
        None => {
            for constraint in ["iam.disableServiceAccountKeyCreation", "iam.managed.disableServiceAccountKeyCreation"] {
                match read(constraint).await.1 {
                    Ok(None) => {}
                    Ok(Some(p)) => {
                        checked.push(format!("organization policy {constraint} of project {project}"));
                        let severity = match enforced(&p) {
                            Decision::Yes => GuardSeverity::Blocking,
                            Decision::Maybe => GuardSeverity::Warning,
                            Decision::No => continue,
                        };
                        findings.push(finding(
                            GuardCode::GcpKeyCreationDisabled,
                            severity,
                            format!("constraints/{constraint}"),
                            format!(
                                "The organization policy {constraint} {} key creation in project {project}: the vendor's service-account key cannot be made, and the plan signs the vendor in with one.",
                                if severity == GuardSeverity::Blocking { "forbids" } else { "may forbid (a conditional rule)" }
                            ),
                        ));
                    }
                    Err(e) => unreadable(&mut findings, constraint, &e),
                }
            }
            checked.push(format!(
                "domain restricted sharing: not a concern (every member the plan binds is project {project}'s own service account)"
            ));
        }
        Some((acct, _role, pool)) => {
            let constraint = "iam.workloadIdentityPoolAwsAccounts";
            match read(constraint).await.1 {
                Ok(None) => {}
                Ok(Some(p)) => {
                    checked.push(format!("organization policy {constraint} of project {project}"));
                    let severity = match denies(&p, acct) {
                        Decision::Yes => Some(GuardSeverity::Blocking),
                        Decision::Maybe => Some(GuardSeverity::Warning),
                        Decision::No => None,
                    };
                    if let Some(severity) = severity {
                        findings.push(finding(
                            GuardCode::GcpAwsAccountNotAllowed,
                            severity,
                            format!("constraints/{constraint}"),
                            format!(
                                "The organization policy {constraint} {} the vendor's AWS account {acct} for workload identity pool providers in project {project}: keyless access could not be set up.",
                                if severity == GuardSeverity::Blocking { "does not allow" } else { "may not allow (a conditional rule)" }
                            ),
                        ));
                    }
                }
                Err(e) => unreadable(&mut findings, constraint, &e),
            }
            let constraint = "iam.allowedPolicyMemberDomains";
            match read(constraint).await.1 {
                Ok(None) => {}
                Ok(Some(p)) => {
                    checked.push(format!("organization policy {constraint} of project {project}"));
                    let restricted = rules(&p).iter().any(|r| r["allowAll"] != true && values(r, "allowedValues").next().is_some());
                    let admits_pools = rules(&p).iter().any(|r| values(r, "allowedValues").any(|v| v.starts_with("principalSet://")));
                    if restricted && !admits_pools {
                        findings.push(finding(
                            GuardCode::GcpMemberDomainsRestricted,
                            GuardSeverity::Warning,
                            format!("constraints/{constraint}"),
                            format!("Domain restricted sharing ({constraint}) is enforced in project {project} and names no principal set: it may refuse binding the keyless principal of pool {pool} to the service account."),
                        ));
                    }
                }
                Err(e) => unreadable(&mut findings, constraint, &e),
            }
        }
    }
    // The member apply binds, as allowedMemberSubjects would name it (the keyless pool's principal
    // set carries the project's number, which pre-flight does not read: any subject of that pool counts).
    let email = g.service_account_email();
    type Ours = Box<dyn Fn(&str) -> bool + Send + Sync>;
    let (member, ours): (String, Ours) = match &g.workload_identity {
        None => {
            let subject = format!("serviceAccount:{email}");
            (subject.clone(), Box::new(move |s: &str| s.eq_ignore_ascii_case(&subject)))
        }
        Some((acct, role, pool)) => {
            let inside = format!("/workloadIdentityPools/{pool}/");
            (
                trustbridge_core::model::gcp::wif_member(acct, role, pool, "PROJECT_NUMBER"),
                Box::new(move |s: &str| (s.starts_with("principalSet://") || s.starts_with("principal://")) && s.contains(&inside)),
            )
        }
    };
    let constraint = "iam.managed.allowedPolicyMembers";
    match read(constraint).await.1 {
        Ok(None) => {}
        Ok(Some(p)) => {
            checked.push(format!("organization policy {constraint} of project {project}"));
            let severity = match refuses_member(&p, ours) {
                Decision::Yes => Some(GuardSeverity::Blocking),
                Decision::Maybe => Some(GuardSeverity::Warning),
                Decision::No => None,
            };
            if let Some(severity) = severity {
                findings.push(finding(
                    GuardCode::GcpPolicyMembersRestricted,
                    severity,
                    format!("constraints/{constraint}"),
                    format!(
                        "The organization policy {constraint} {} binding {member} in project {project}: add it to allowedMemberSubjects{}.",
                        if severity == GuardSeverity::Blocking {
                            "refuses"
                        } else {
                            "may refuse (only its organizations' principals, or a conditional rule)"
                        },
                        if member.contains("PROJECT_NUMBER") { " (PROJECT_NUMBER: the project's number)" } else { "" }
                    ),
                ));
            }
        }
        Err(e) => unreadable(&mut findings, constraint, &e),
    }
    Ok(GcpPreflight { acting_as, findings, checked })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn boolean_constraints_are_enforced_only_by_an_unconditional_rule() {
        assert_eq!(enforced(&json!({})), Decision::No);
        assert_eq!(enforced(&json!({"spec": {"rules": [{"enforce": false}]}})), Decision::No);
        assert_eq!(enforced(&json!({"spec": {"rules": [{"enforce": true}]}})), Decision::Yes);
        let tagged = json!({"spec": {"rules": [{"enforce": true, "condition": {"expression": "resource.matchTag('123/env', 'prod')"}}, {"enforce": false}]}});
        assert_eq!(enforced(&tagged), Decision::Maybe);
    }

    #[test]
    fn list_constraints_deny_what_they_do_not_allow() {
        let acct = "210987654321";
        assert_eq!(denies(&json!({}), acct), Decision::No, "no policy: the default allows");
        assert_eq!(denies(&json!({"spec": {"rules": [{"allowAll": true}]}}), acct), Decision::No);
        assert_eq!(denies(&json!({"spec": {"rules": [{"denyAll": true}]}}), acct), Decision::Yes);
        assert_eq!(denies(&json!({"spec": {"rules": [{"values": {"allowedValues": ["111111111111"]}}]}}), acct), Decision::Yes);
        assert_eq!(denies(&json!({"spec": {"rules": [{"values": {"allowedValues": ["is:210987654321"]}}]}}), acct), Decision::No);
        assert_eq!(denies(&json!({"spec": {"rules": [{"values": {"deniedValues": [acct]}}]}}), acct), Decision::Yes);
        let tagged = json!({"spec": {"rules": [{"denyAll": true, "condition": {"expression": "x"}}, {"allowAll": true}]}});
        assert_eq!(denies(&tagged, acct), Decision::Maybe);
    }

    #[test]
    fn the_managed_policy_members_constraint_refuses_a_member_it_does_not_list() {
        let sa = "serviceAccount:mlcube@p.iam.gserviceaccount.com";
        let ours = |s: &str| s == sa;
        let rule = |params: serde_json::Value| json!({"spec": {"rules": [{"enforce": true, "parameters": params}]}});
        assert_eq!(refuses_member(&json!({}), ours), Decision::No, "not set: anyone may be bound");
        assert_eq!(refuses_member(&json!({"spec": {"rules": [{"enforce": false}]}}), ours), Decision::No);
        assert_eq!(refuses_member(&rule(json!({"allowedMemberSubjects": [sa]})), ours), Decision::No, "listed");
        assert_eq!(refuses_member(&rule(json!({"allowedMemberSubjects": ["user:a@example.com"]})), ours), Decision::Yes);
        let org = "//cloudresourcemanager.googleapis.com/organizations/123";
        assert_eq!(
            refuses_member(&rule(json!({"allowedPrincipalSets": [org]})), ours),
            Decision::Maybe,
            "its organization may be that one"
        );
        let tagged =
            json!({"spec": {"rules": [{"enforce": true, "condition": {"expression": "x"}, "parameters": {"allowedMemberSubjects": []}}]}});
        assert_eq!(refuses_member(&tagged, ours), Decision::Maybe);
    }
}
