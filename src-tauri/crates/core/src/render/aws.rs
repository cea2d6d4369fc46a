//! AWS: trust, storage and events policies from the typed model; the aws CLI scripts.

use crate::policy::{PolicyDocument, Statement, INLINE_POLICIES_AGGREGATE_MAX, TRUST_POLICY_MAX};
use crate::render::aws_sh;
use crate::validate::{Problem, Resolved, ResolvedAws};

pub const STORAGE_POLICY_NAME: &str = "trustbridge-storage-read";
pub const EVENTS_POLICY_NAME: &str = "trustbridge-events-publish";
pub use crate::render::aws_sh::{ADOPTED_TAG, MANAGED_BY_TAG};
pub const INTEGRATION_TAG: &str = "trustbridge-integration";

/// The three documents of an AWS integration.
#[derive(Debug, Clone)]
pub struct AwsDocuments {
    pub trust: PolicyDocument,
    pub storage: Option<PolicyDocument>,
    pub events: Option<PolicyDocument>,
}

impl AwsDocuments {
    /// Inline policies as (name, document), in apply order.
    pub fn inline(&self) -> Vec<(&'static str, &PolicyDocument)> {
        let mut v = Vec::new();
        if let Some(s) = &self.storage {
            v.push((STORAGE_POLICY_NAME, s));
        }
        if let Some(e) = &self.events {
            v.push((EVENTS_POLICY_NAME, e));
        }
        v
    }
}

pub fn bucket_arn(a: &ResolvedAws, bucket: &str) -> String {
    format!("arn:{}:s3:::{bucket}", a.partition.name)
}

pub fn event_bus_arn(a: &ResolvedAws, bus: &str) -> String {
    format!("arn:{}:events:{}:{}:event-bus/{bus}", a.partition.name, a.region, a.account_id)
}

pub fn trust_policy(a: &ResolvedAws) -> PolicyDocument {
    let base = |sid: String| {
        let mut st = Statement::allow(&sid, vec!["sts:AssumeRole".into()]).principal("AWS", vec![a.vendor_root()]);
        if let Some(x) = &a.external_id {
            st = st.when("StringEquals", "sts:ExternalId", vec![x.clone()]);
        }
        st
    };
    if a.principal_patterns.is_empty() {
        return PolicyDocument::new(vec![base("TrustVendorAccount".into())]);
    }
    PolicyDocument::new(
        a.principal_patterns
            .iter()
            .enumerate()
            .map(|(i, p)| base(format!("TrustVendorRoles{}", i + 1)).when("ArnLike", "aws:PrincipalArn", vec![p.clone()]))
            .collect(),
    )
}

pub fn storage_policy(a: &ResolvedAws) -> Option<PolicyDocument> {
    if a.storage.is_empty() {
        return None;
    }
    let p = &a.profile;
    let list = "s3:ListBucket";
    let mut statements = Vec::new();
    let mut buckets: Vec<String> = a.storage.iter().map(|s| bucket_arn(a, &s.bucket)).collect();
    buckets.dedup();
    let metadata: Vec<String> = p.bucket_actions.iter().filter(|x| x.as_str() != list).cloned().collect();
    if !metadata.is_empty() {
        statements.push(Statement::allow("ReadBucketMetadata", metadata).on(buckets.clone()));
    }
    if p.bucket_actions.iter().any(|x| x == list) {
        let whole: Vec<String> = a.storage.iter().filter(|s| s.prefix.is_none()).map(|s| bucket_arn(a, &s.bucket)).collect();
        if !whole.is_empty() {
            statements.push(Statement::allow("ListBuckets", vec![list.into()]).on(whole));
        }
        for (i, s) in a.storage.iter().enumerate().filter(|(_, s)| s.prefix.is_some()) {
            let prefix = s.prefix.as_deref().unwrap_or_default();
            statements.push(Statement::allow(&format!("ListPrefix{}", i + 1), vec![list.into()]).on(vec![bucket_arn(a, &s.bucket)]).when(
                "StringLike",
                "s3:prefix",
                vec![format!("{prefix}*")],
            ));
        }
    }
    if !p.object_actions.is_empty() {
        let objects: Vec<String> =
            a.storage.iter().map(|s| format!("{}/{}*", bucket_arn(a, &s.bucket), s.prefix.as_deref().unwrap_or_default())).collect();
        statements.push(Statement::allow("ReadObjects", p.object_actions.clone()).on(objects));
    }
    let mut keys: Vec<String> = a.storage.iter().filter_map(|s| s.kms_key_arn.clone()).collect();
    keys.sort();
    keys.dedup();
    if !keys.is_empty() {
        statements.push(Statement::allow("DecryptObjectsViaS3", vec!["kms:Decrypt".into()]).on(keys).when(
            "StringEquals",
            "kms:ViaService",
            vec![format!("s3.{}.{}", a.region, a.partition.dns_suffix())],
        ));
    }
    Some(PolicyDocument::new(statements))
}

pub fn events_policy(a: &ResolvedAws) -> Option<PolicyDocument> {
    if a.event_buses.is_empty() || a.profile.event_bus_actions.is_empty() {
        return None;
    }
    let buses = a.event_buses.iter().map(|b| event_bus_arn(a, b)).collect();
    Some(PolicyDocument::new(vec![Statement::allow("PublishRetrainEvents", a.profile.event_bus_actions.clone()).on(buses)]))
}

pub fn documents(a: &ResolvedAws) -> AwsDocuments {
    AwsDocuments { trust: trust_policy(a), storage: storage_policy(a), events: events_policy(a) }
}

/// IAM size limits, checked before anything is written or applied.
pub fn size_problems(r: &Resolved) -> Vec<Problem> {
    match (&r.aws, &r.aws_org) {
        (Some(a), _) => account_size_problems(a, "aws"),
        // An organization-wide plan: every account's documents, reported at the account.
        (None, Some(o)) => {
            o.accounts.iter().enumerate().flat_map(|(i, a)| account_size_problems(a, &format!("aws.accounts[{i}]"))).collect()
        }
        (None, None) => Vec::new(),
    }
}

fn account_size_problems(a: &ResolvedAws, prefix: &str) -> Vec<Problem> {
    let docs = documents(a);
    let mut out = Vec::new();
    let trust = docs.trust.iam_size();
    if trust > TRUST_POLICY_MAX {
        out.push(
            Problem::new(
                "aws.trust_policy",
                format!("IAM limit 'role trust policy length' is {TRUST_POLICY_MAX} characters (whitespace not counted)"),
                &format!("{trust} characters"),
            )
            .with_fix("use fewer principal patterns, or ask AWS Service Quotas to raise 'Role trust policy length' (up to 4096)"),
        );
    }
    let inline: usize = docs.inline().iter().map(|(_, d)| d.iam_size()).sum();
    if inline > INLINE_POLICIES_AGGREGATE_MAX {
        out.push(
            Problem::new(
                format!("{prefix}.storage"),
                format!("IAM limit 'inline policies per role, aggregate' is {INLINE_POLICIES_AGGREGATE_MAX} characters (whitespace not counted)"),
                &format!("{inline} characters"),
            )
            .with_fix("grant fewer buckets or prefixes per role, or split them across two integrations"),
        );
    }
    out
}

/// What a user can do about a same-named role that is not this integration's.
const FOREIGN_ROLE_FIX: &str = "Choose another aws.role_name in the plan, or, knowing the vendor gets everything the role can already do, adopt it with: trustbridge apply --plan plan.json --dry-run --adopt (read it), then without --dry-run.";

/// `aws/setup.sh`: the plan's role set ([`crate::model::RoleSet`]) through the one AWS script renderer.
pub fn setup_sh(r: &Resolved, a: &ResolvedAws) -> String {
    let Some(set) = crate::model::RoleSet::from_vendor(r) else { return String::new() };
    let done = [
        format!("Done. Role ARN: {}", a.role_arn()),
        "Give this ARN (and the external id, if any) to the vendor: see handoff.json at the top of the export folder.".to_string(),
    ];
    aws_sh::setup_sh(&set, FOREIGN_ROLE_FIX, &done)
}

/// `aws/revoke.sh`, likewise.
pub fn revoke_sh(r: &Resolved) -> String {
    let Some(set) = crate::model::RoleSet::from_vendor(r) else { return String::new() };
    aws_sh::revoke_sh(&set, FOREIGN_ROLE_FIX)
}
