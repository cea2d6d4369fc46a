//! Guardrail pre-flight against AWS: reads what could deny the vendor (or apply) although the
//! role grants exactly what it should — the service control and resource control policies on the
//! path from the organization's root to the account, the buckets' policies and default encryption, the KMS key
//! policies (the bucket's default key, and every key the plan names), the event buses' policies — and lets `trustbridge_core::guardrail` decide. Reads only.
//!
//! A read that is refused or fails is a finding (`preflight.unreadable`, `preflight.scp_unreadable`),
//! never a silent pass: pre-flight says what it could not check.

use std::collections::BTreeMap;

use aws_sdk_organizations::types::{ParentType, PolicyType};
use aws_sdk_s3::error::ProvideErrorMetadata;
use serde::Serialize;
use trustbridge_core::guardrail::{
    self, apply_requests, key_policy_delegates, parse_any, rcp_findings, resource_policy_findings, scp_findings, vendor_requests,
    vendor_sign_in_request, AnyStatement, Facts, GuardCode, GuardFinding, GuardSeverity, Request, ResourcePolicy, ScpLevel,
};
use trustbridge_core::policy::PolicyDocument;
use trustbridge_core::render::aws::{bucket_arn, documents, event_bus_arn};
use trustbridge_core::validate::{Resolved, ResolvedAws};

use super::{sdk_config, CallerIdentity, Session};
use crate::error::CloudError;

/// The policies of one type attached to one target: (name, statements) each, and the ids of those
/// that could not be read.
type Attached = (Vec<(String, Vec<AnyStatement>)>, Vec<String>);

/// What pre-flight has read of one organization, shared by the pre-flights of its accounts
/// (`AwsSettings::org_reads`): each OU's and root's parent and attached policies are read once for
/// a whole organization instead of once per account. Only answers are kept, never a failure (the
/// next account reads again and says why it could not).
#[derive(Default)]
pub struct OrgReads {
    parents: std::sync::Mutex<BTreeMap<String, Option<(String, bool)>>>,
    attached: std::sync::Mutex<BTreeMap<(String, String), Attached>>,
    hits: std::sync::atomic::AtomicU32,
}

impl std::fmt::Debug for OrgReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OrgReads({} answered from what was read)", self.hits())
    }
}

impl OrgReads {
    /// Reads answered from what an earlier account's pre-flight read.
    pub fn hits(&self) -> u32 {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn hit<T>(&self, v: Option<T>) -> Option<T> {
        if v.is_some() {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        v
    }

    fn parent(&self, child: &str) -> Option<Option<(String, bool)>> {
        self.hit(self.parents.lock().ok()?.get(child).cloned())
    }

    fn set_parent(&self, child: &str, parent: Option<(String, bool)>) {
        if let Ok(mut m) = self.parents.lock() {
            m.insert(child.to_string(), parent);
        }
    }

    fn attached(&self, target: &str, kind: &PolicyType) -> Option<Attached> {
        self.hit(self.attached.lock().ok()?.get(&(target.to_string(), kind.as_str().to_string())).cloned())
    }

    fn set_attached(&self, target: &str, kind: &PolicyType, policies: &[(String, Vec<AnyStatement>)], unparsable: &[String]) {
        if let Ok(mut m) = self.attached.lock() {
            m.insert((target.to_string(), kind.as_str().to_string()), (policies.to_vec(), unparsable.to_vec()));
        }
    }
}

/// What pre-flight found, and what it looked at.
#[derive(Debug, Clone, Serialize)]
pub struct PreflightReport {
    pub caller: CallerIdentity,
    pub findings: Vec<GuardFinding>,
    /// One line per thing checked ("service control policies: root r-…, OU ou-…, account …",
    /// "bucket policy of b", …), so a clean report says what it is clean of.
    pub checked: Vec<String>,
}

impl PreflightReport {
    pub fn blocking(&self) -> bool {
        guardrail::blocking(&self.findings).next().is_some()
    }
}

fn finding(a: &ResolvedAws, code: GuardCode, severity: GuardSeverity, resource: &str, message: String, fix: String) -> GuardFinding {
    GuardFinding {
        code,
        cloud: "aws".into(),
        account_id: Some(a.account_id.clone()),
        resource: Some(resource.to_string()),
        severity,
        message,
        fix,
    }
}

fn unreadable(a: &ResolvedAws, resource: &str, what: &str, e: &CloudError) -> GuardFinding {
    finding(
        a,
        GuardCode::Unreadable,
        GuardSeverity::Warning,
        resource,
        format!("Could not read {what}, so pre-flight could not check it: {e}"),
        GuardCode::Unreadable.fix().to_string(),
    )
}

/// The service code of a service error (`NoSuchBucketPolicy`, …), if it is one.
fn service_code(e: &CloudError) -> Option<&str> {
    match e {
        CloudError::Service { code, .. } => Some(code.as_str()),
        _ => None,
    }
}

/// Reads the vendor plan's guardrails. Refuses credentials of another account than the plan's.
/// Independent reads run concurrently: who we are and the organization first (the organization id
/// decides `aws:PrincipalOrgID` conditions), then the SCP path, every bucket and every event bus.
pub async fn preflight(r: &Resolved, settings: &super::AwsSettings) -> Result<PreflightReport, CloudError> {
    let a = r.aws.as_ref().ok_or(CloudError::NoSection { cloud: "aws" })?;
    preflight_in(&Session::connect(a, settings).await, r).await
}

/// [`preflight`] on clients already built (apply then goes on with the same session and the caller
/// this found, instead of building its clients and asking who it is again).
pub async fn preflight_in(s: &Session, r: &Resolved) -> Result<PreflightReport, CloudError> {
    let a = r.aws.as_ref().ok_or(CloudError::NoSection { cloud: "aws" })?;
    let org = aws_sdk_organizations::Client::new(&s.conf);
    let described = async {
        s.call("organizations:DescribeOrganization", || async {
            org.describe_organization().send().await.map_err(|e| s.classify("organizations:DescribeOrganization", e))
        })
        .await
    };
    let (caller, described) = tokio::join!(s.caller_identity(), described);
    let caller = caller?;
    if caller.account != a.account_id {
        return Err(CloudError::AccountMismatch {
            expected: a.account_id.clone(),
            actual: caller.account.clone(),
            arn: caller.arn.clone(),
        });
    }
    let role_arn = a.role_arn();
    let docs = documents(a);
    let inline: Vec<&PolicyDocument> = docs.inline().into_iter().map(|(_, d)| d).collect();
    let vendor = vendor_requests(&role_arn, &inline);
    let apply = apply_requests(&role_arn, &caller.arn, a.permissions_boundary_arn.is_some());
    // SCPs see the role's sessions and apply; RCPs see the vendor's sign-in too (its own principal).
    let all: Vec<Request> = vendor.iter().chain(&apply).cloned().chain([vendor_sign_in_request(&role_arn)]).collect();
    let not_in_use = matches!(&described, Err(e) if service_code(e) == Some("AWSOrganizationsNotInUseException"));
    let found = described.as_ref().ok().and_then(|d| d.organization().cloned());
    let facts = Facts {
        account_id: a.account_id.clone(),
        region: a.region.clone(),
        iam_region: trustbridge_core::guardrail::iam_region(&a.partition.name).to_string(),
        org_id: found.as_ref().and_then(|o| o.id().map(str::to_string)),
        no_org: not_in_use,
        vendor_account: Some(a.vendor_account.clone()),
    };

    let buckets: std::collections::BTreeSet<&str> = a.storage.iter().map(|x| x.bucket.as_str()).collect();
    let part = || (Vec::new(), Vec::new());
    let (scps, buckets, buses) = tokio::join!(
        async {
            let (mut out, mut checked) = part();
            organization(s, a, &all, described.map(|_| found.clone()), org, &facts, &mut out, &mut checked).await;
            (out, checked)
        },
        futures_util::future::join_all(buckets.into_iter().map(|b| {
            let (vendor, facts, s) = (&vendor, &facts, s);
            async move {
                let (mut out, mut checked) = part();
                storage(s, a, b, vendor, facts, &mut out, &mut checked).await;
                (out, checked)
            }
        })),
        futures_util::future::join_all(a.event_buses.iter().map(|b| {
            let (vendor, facts, s) = (&vendor, &facts, s);
            async move {
                let (mut out, mut checked) = part();
                event_bus(s, a, b, vendor, facts, &mut out, &mut checked).await;
                (out, checked)
            }
        })),
    );
    let (mut findings, mut checked): (Vec<GuardFinding>, Vec<String>) = part();
    // In a stable order: the organization, then each bucket, then each bus.
    for (f, c) in std::iter::once(scps).chain(buckets).chain(buses) {
        findings.extend(f);
        checked.extend(c);
    }
    Ok(PreflightReport { caller, findings, checked })
}

/// Organizations: is the account in one (`described`: DescribeOrganization's answer), is it the
/// management account, and the SCPs on the path.
#[allow(clippy::too_many_arguments)]
async fn organization(
    s: &Session,
    a: &ResolvedAws,
    requests: &[Request],
    described: Result<Option<aws_sdk_organizations::types::Organization>, CloudError>,
    org: aws_sdk_organizations::Client,
    facts: &Facts,
    out: &mut Vec<GuardFinding>,
    checked: &mut Vec<String>,
) {
    let o = match described {
        Ok(o) => o,
        Err(e) if service_code(&e) == Some("AWSOrganizationsNotInUseException") => {
            checked.push("service control policies: the account is not in an organization".into());
            out.push(finding(
                a,
                GuardCode::ScpNotApplicable,
                GuardSeverity::Info,
                &a.account_id,
                format!("Account {} is not in an AWS Organization, so no service control policy applies.", a.account_id),
                GuardCode::ScpNotApplicable.fix().into(),
            ));
            return;
        }
        Err(e) => {
            out.push(unreadable(a, &a.account_id, "the account's organization (organizations:DescribeOrganization)", &e));
            return;
        }
    };
    let Some(o) = o else {
        let e = CloudError::Service {
            action: "organizations:DescribeOrganization".into(),
            code: "NoOrganization".into(),
            message: "the answer named no organization".into(),
        };
        out.push(unreadable(a, &a.account_id, "the account's organization", &e));
        return;
    };
    if o.master_account_id() == Some(a.account_id.as_str()) {
        checked.push(format!("service control policies: {} is the management account", a.account_id));
        out.push(finding(
            a,
            GuardCode::ScpNotApplicable,
            GuardSeverity::Info,
            &a.account_id,
            format!("Account {} is its organization's management account: service control policies do not apply to it.", a.account_id),
            GuardCode::ScpNotApplicable.fix().into(),
        ));
        return;
    }
    // Member accounts cannot read their organization's policies: the management (or delegated
    // administrator) account's profile reads them when given.
    let st = &s.settings;
    let reader = match (&st.org_profile, &st.org_credentials) {
        (Some(p), _) => aws_sdk_organizations::Client::new(&sdk_config(&s.region, Some(p), None, st).await),
        (None, Some(c)) => aws_sdk_organizations::Client::new(&sdk_config(&s.region, None, Some(c.clone()), st).await),
        (None, None) => match &st.org_provider {
            Some(p) => {
                let with = super::AwsSettings { provider: Some(p.clone()), ..st.clone() };
                aws_sdk_organizations::Client::new(&sdk_config(&s.region, None, None, &with).await)
            }
            None => org,
        },
    };
    match scp_path(s, &reader, &a.account_id).await {
        Ok(path) => {
            checked.push(format!("service control policies: {}", path.iter().map(|l| l.level.as_str()).collect::<Vec<_>>().join(" → ")));
            for (level, e) in path.iter().flat_map(|l| l.unparsable.iter().map(move |e| (&l.level, e))) {
                out.push(finding(
                    a,
                    GuardCode::UnparsablePolicy,
                    GuardSeverity::Warning,
                    level,
                    format!("A policy of the organization (service or resource control policy) on {level} could not be read: {e}"),
                    GuardCode::UnparsablePolicy.fix().into(),
                ));
            }
            // Resource control policies, where they could be read (an organization without them
            // has only the allow-all RCPFullAWSAccess, or none).
            let rcps: Result<Vec<ScpLevel>, &CloudError> = path.iter().map(|l| l.rcps.as_ref().cloned()).collect();
            match rcps {
                Ok(levels) => {
                    checked.push(format!("resource control policies: {}", levels.iter().map(|l| l.level.as_str()).collect::<Vec<_>>().join(" → ")));
                    out.extend(rcp_findings(&levels, requests, facts));
                }
                Err(e) => out.push(finding(
                    a,
                    GuardCode::RcpUnreadable,
                    GuardSeverity::Warning,
                    &a.account_id,
                    format!("The resource control policies of account {} could not be read, so pre-flight could not check whether one denies the vendor's sign-in: {e}", a.account_id),
                    GuardCode::RcpUnreadable.fix().into(),
                )),
            }
            let scp_requests: Vec<Request> = requests.iter().filter(|r| r.actor != guardrail::Actor::VendorSignIn).cloned().collect();
            let levels: Vec<ScpLevel> = path.into_iter().map(|l| l.scps).collect();
            out.extend(scp_findings(&levels, &scp_requests, facts));
        }
        Err(e) => {
            let how = if st.org_profile.is_some() || st.org_credentials.is_some() || st.org_provider.is_some() {
                "with the organization's credentials given"
            } else {
                "with these credentials"
            };
            out.push(finding(
                a,
                GuardCode::ScpUnreadable,
                GuardSeverity::Warning,
                &a.account_id,
                format!(
                    "Account {} is in organization {}, but its service control policies could not be read {how} (only the management account or a delegated administrator can): {e}",
                    a.account_id,
                    o.id().unwrap_or("?")
                ),
                GuardCode::ScpUnreadable.fix().into(),
            ));
            // The resource control policies are on the same path: not read either, said too.
            out.push(finding(
                a,
                GuardCode::RcpUnreadable,
                GuardSeverity::Warning,
                &a.account_id,
                format!(
                    "The resource control policies of account {} could not be read {how} either, so pre-flight could not check whether one denies the vendor's sign-in.",
                    a.account_id
                ),
                GuardCode::RcpUnreadable.fix().into(),
            ));
        }
    }
}

struct PathLevel {
    level: String,
    scps: ScpLevel,
    /// This level's resource control policies, or why they could not be read.
    rcps: Result<ScpLevel, CloudError>,
    unparsable: Vec<String>,
}

/// Root first, then each OU down to the account, each with its attached SCPs and RCPs.
async fn scp_path(s: &Session, org: &aws_sdk_organizations::Client, account: &str) -> Result<Vec<PathLevel>, CloudError> {
    // Walk up with ListParents (an account has one parent; so has an OU) until the root.
    let shared = s.settings.org_reads.as_deref();
    let mut targets = vec![(account.to_string(), format!("account {account}"))];
    let mut child = account.to_string();
    for _ in 0..8 {
        // OUs nest at most five deep under the root (AWS Organizations quotas).
        let parent = match shared.and_then(|c| c.parent(&child)) {
            Some(known) => known,
            None => {
                let parents = s
                    .call("organizations:ListParents", || async {
                        org.list_parents().child_id(&child).send().await.map_err(|e| s.classify("organizations:ListParents", e))
                    })
                    .await?;
                let p = parents
                    .parents()
                    .first()
                    .map(|p| (p.id().unwrap_or_default().to_string(), p.r#type().is_some_and(|t| *t == ParentType::Root)));
                if let Some(c) = shared {
                    c.set_parent(&child, p.clone());
                }
                p
            }
        };
        let Some((id, root)) = parent else { break };
        targets.push((id.clone(), if root { format!("root {id}") } else { format!("OU {id}") }));
        if root {
            break;
        }
        child = id;
    }
    targets.reverse();
    let mut cache: BTreeMap<String, Result<Vec<AnyStatement>, String>> = BTreeMap::new();
    let mut path = Vec::new();
    for (target, level) in targets {
        let mut unparsable = Vec::new();
        let policies = attached(s, org, &target, PolicyType::ServiceControlPolicy, &mut cache, &mut unparsable).await?;
        let rcps = attached(s, org, &target, PolicyType::ResourceControlPolicy, &mut cache, &mut unparsable)
            .await
            .map(|policies| ScpLevel { level: level.clone(), policies });
        path.push(PathLevel { scps: ScpLevel { level: level.clone(), policies }, rcps, level, unparsable });
    }
    Ok(path)
}

/// The policies of `kind` attached to `target`, each read once (`cache`, by policy id); one that
/// cannot be parsed is named in `unparsable` instead.
async fn attached(
    s: &Session,
    org: &aws_sdk_organizations::Client,
    target: &str,
    kind: PolicyType,
    cache: &mut BTreeMap<String, Result<Vec<AnyStatement>, String>>,
    unparsable: &mut Vec<String>,
) -> Result<Vec<(String, Vec<AnyStatement>)>, CloudError> {
    let shared = s.settings.org_reads.as_deref();
    if let Some((policies, bad)) = shared.and_then(|c| c.attached(target, &kind)) {
        unparsable.extend(bad);
        return Ok(policies);
    }
    let unparsable_before = unparsable.len();
    let mut policies = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = s
            .call("organizations:ListPoliciesForTarget", || async {
                org.list_policies_for_target()
                    .target_id(target)
                    .filter(kind.clone())
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| s.classify("organizations:ListPoliciesForTarget", e))
            })
            .await?;
        for p in page.policies() {
            let (Some(id), name) = (p.id(), p.name().unwrap_or("(unnamed)")) else { continue };
            if !cache.contains_key(id) {
                let d = s
                    .call("organizations:DescribePolicy", || async {
                        org.describe_policy().policy_id(id).send().await.map_err(|e| s.classify("organizations:DescribePolicy", e))
                    })
                    .await?;
                let content = d.policy().and_then(|p| p.content()).unwrap_or_default();
                cache.insert(id.to_string(), parse_any(content));
            }
            match &cache[id] {
                Ok(statements) => policies.push((name.to_string(), statements.clone())),
                Err(e) => unparsable.push(format!("{name}: {e}")),
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            if let Some(c) = shared {
                c.set_attached(target, &kind, &policies, &unparsable[unparsable_before..]);
            }
            return Ok(policies);
        }
    }
}

/// One bucket: its policy's denies, its default encryption, and the KMS key behind it.
async fn storage(
    s: &Session,
    a: &ResolvedAws,
    bucket: &str,
    vendor: &[Request],
    facts: &Facts,
    out: &mut Vec<GuardFinding>,
    checked: &mut Vec<String>,
) {
    let arn = bucket_arn(a, bucket);
    let on_bucket: Vec<Request> =
        vendor.iter().filter(|r| r.resource == arn || r.resource.starts_with(&format!("{arn}/"))).cloned().collect();
    // "No policy" and "no encryption configuration" are 404s with codes of their own: told apart
    // here (the shared error mapping folds every 404 into "not found").
    let policy = s
        .call("s3:GetBucketPolicy", || async {
            match s.s3.get_bucket_policy().bucket(bucket).send().await {
                Ok(o) => Ok(Some(o)),
                Err(e) if e.as_service_error().and_then(|x| x.code()) == Some("NoSuchBucketPolicy") => Ok(None),
                Err(e) => Err(s.classify("s3:GetBucketPolicy", e)),
            }
        })
        .await;
    match policy {
        Ok(None) => checked.push(format!("bucket policy of {bucket}: none")),
        Ok(Some(p)) => {
            checked.push(format!("bucket policy of {bucket}"));
            match parse_any(p.policy().unwrap_or_default()) {
                Ok(statements) => out.extend(resource_policy_findings(ResourcePolicy::Bucket, bucket, &statements, &on_bucket, facts)),
                Err(e) => out.push(finding(
                    a,
                    GuardCode::UnparsablePolicy,
                    GuardSeverity::Warning,
                    bucket,
                    format!("The bucket policy of {bucket} could not be read: {e}"),
                    GuardCode::UnparsablePolicy.fix().into(),
                )),
            }
        }
        Err(e) => out.push(unreadable(a, bucket, &format!("the bucket policy of {bucket}"), &e)),
    }

    let planned: Vec<&str> = a.storage.iter().filter(|x| x.bucket == bucket).filter_map(|x| x.kms_key_arn.as_deref()).collect();
    let default_key = match s.default_kms_key(bucket).await {
        Ok(Some(key)) => kms_key(s, a, bucket, &key, &planned, facts, out, checked).await,
        Ok(None) => {
            checked.push(format!("default encryption of {bucket}: not KMS"));
            None
        }
        Err(e) => {
            out.push(unreadable(a, bucket, &format!("the default encryption of {bucket}"), &e));
            None
        }
    };
    // A key the plan names that is not the bucket's default (objects encrypted with it one by one):
    // its key policy must let the role use it all the same.
    let mut seen: Vec<&str> = Vec::new();
    for key in planned {
        if default_key.as_deref() != Some(key) && !seen.contains(&key) {
            seen.push(key);
            key_policy(s, a, bucket, key, facts, out, checked).await;
        }
    }
}

/// The bucket's default KMS key: AWS managed (nothing to do), or a customer managed key that the
/// plan must name and whose key policy must let the role's IAM policy use it. Returns the key's ARN
/// once described.
#[allow(clippy::too_many_arguments)]
async fn kms_key(
    s: &Session,
    a: &ResolvedAws,
    bucket: &str,
    key: &str,
    planned: &[&str],
    facts: &Facts,
    out: &mut Vec<GuardFinding>,
    checked: &mut Vec<String>,
) -> Option<String> {
    let kms = aws_sdk_kms::Client::new(&s.conf);
    let described = s
        .call("kms:DescribeKey", || async { kms.describe_key().key_id(key).send().await.map_err(|e| s.classify("kms:DescribeKey", e)) })
        .await;
    let meta = match described {
        Ok(d) => d.key_metadata().cloned(),
        Err(e) => {
            out.push(unreadable(a, key, &format!("the KMS key {key} that encrypts {bucket}"), &e));
            return None;
        }
    };
    let meta = meta?;
    let key_arn = meta.arn().unwrap_or(key).to_string();
    if meta.key_manager() != Some(&aws_sdk_kms::types::KeyManagerType::Customer) {
        checked.push(format!("default encryption of {bucket}: AWS managed key"));
        return Some(key_arn);
    }
    checked.push(format!("default encryption of {bucket}: customer managed key {key_arn}"));
    if !planned.iter().any(|k| *k == key_arn) {
        out.push(finding(
            a,
            GuardCode::KmsKeyNotInPlan,
            GuardSeverity::Blocking,
            &key_arn,
            format!("Bucket {bucket} is encrypted with the customer managed KMS key {key_arn}, which the plan does not name: the role may not decrypt its objects."),
            format!("Set storage kms_key_arn of bucket {bucket} to {key_arn} in the plan."),
        ));
    }
    key_policy(s, a, bucket, &key_arn, facts, out, checked).await;
    Some(key_arn)
}

/// A customer managed key the role decrypts `bucket`'s objects with: its key policy must let the
/// account's IAM policies (or the role) use it, and must not deny the role.
async fn key_policy(
    s: &Session,
    a: &ResolvedAws,
    bucket: &str,
    key_arn: &str,
    facts: &Facts,
    out: &mut Vec<GuardFinding>,
    checked: &mut Vec<String>,
) {
    let kms = aws_sdk_kms::Client::new(&s.conf);
    let key_arn = key_arn.to_string();
    let policy = s
        .call("kms:GetKeyPolicy", || async {
            kms.get_key_policy().key_id(&key_arn).policy_name("default").send().await.map_err(|e| s.classify("kms:GetKeyPolicy", e))
        })
        .await;
    let text = match policy {
        Ok(p) => p.policy().unwrap_or_default().to_string(),
        Err(e) => {
            out.push(unreadable(a, &key_arn, &format!("the key policy of {key_arn}"), &e));
            return;
        }
    };
    checked.push(format!("key policy of {key_arn}"));
    let statements = match parse_any(&text) {
        Ok(st) => st,
        Err(e) => {
            out.push(finding(
                a,
                GuardCode::UnparsablePolicy,
                GuardSeverity::Warning,
                &key_arn,
                format!("The key policy of {key_arn} could not be read: {e}"),
                GuardCode::UnparsablePolicy.fix().into(),
            ));
            return;
        }
    };
    let role_arn = a.role_arn();
    if !key_policy_delegates(&statements, &a.partition.name, &a.account_id, &role_arn) {
        out.push(finding(
            a,
            GuardCode::KmsNoDelegation,
            GuardSeverity::Blocking,
            &key_arn,
            format!("The key policy of {key_arn} lets neither the account's IAM policies nor the role use the key, so the role cannot decrypt objects in {bucket}."),
            format!("Add this statement to the key policy: {}", guardrail::delegation_statement(&a.partition.name, &a.account_id)),
        ));
    }
    let decrypt = [Request {
        actor: guardrail::Actor::Vendor,
        action: "kms:Decrypt".into(),
        resource: key_arn.clone(),
        principal_arn: Some(role_arn),
    }];
    out.extend(resource_policy_findings(ResourcePolicy::KmsKey, &key_arn, &statements, &decrypt, facts));
}

/// One event bus: its resource policy's denies of PutEvents.
async fn event_bus(
    s: &Session,
    a: &ResolvedAws,
    bus: &str,
    vendor: &[Request],
    facts: &Facts,
    out: &mut Vec<GuardFinding>,
    checked: &mut Vec<String>,
) {
    let arn = event_bus_arn(a, bus);
    let on_bus: Vec<Request> = vendor.iter().filter(|r| r.resource == arn).cloned().collect();
    let described = s
        .call("events:DescribeEventBus", || async {
            s.events.describe_event_bus().name(bus).send().await.map_err(|e| s.classify("events:DescribeEventBus", e))
        })
        .await;
    match described {
        Ok(d) => match d.policy() {
            None => checked.push(format!("event bus policy of {bus}: none")),
            Some(text) => {
                checked.push(format!("event bus policy of {bus}"));
                match parse_any(text) {
                    Ok(statements) => out.extend(resource_policy_findings(ResourcePolicy::EventBus, bus, &statements, &on_bus, facts)),
                    Err(e) => out.push(finding(
                        a,
                        GuardCode::UnparsablePolicy,
                        GuardSeverity::Warning,
                        bus,
                        format!("The event bus policy of {bus} could not be read: {e}"),
                        GuardCode::UnparsablePolicy.fix().into(),
                    )),
                }
            }
        },
        Err(e) => out.push(unreadable(a, bus, &format!("the event bus {bus}"), &e)),
    }
}
