//! AWS: trust, storage and events policies from the typed model; the aws CLI scripts.

use crate::policy::{PolicyDocument, Statement, INLINE_POLICIES_AGGREGATE_MAX, TRUST_POLICY_MAX};
use crate::render::aws_sh::{self, Owner};
use crate::render::sh::{lit, var, Script, Word};
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
    let Some(a) = &r.aws else { return Vec::new() };
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
                "aws.storage",
                format!("IAM limit 'inline policies per role, aggregate' is {INLINE_POLICIES_AGGREGATE_MAX} characters (whitespace not counted)"),
                &format!("{inline} characters"),
            )
            .with_fix("grant fewer buckets or prefixes per role, or split them across two integrations"),
        );
    }
    out
}

fn iam(args: &[&str]) -> Vec<Word> {
    let mut v = vec![lit("aws"), lit("iam")];
    v.extend(args.iter().map(|a| lit(*a)));
    v
}

/// What a user can do about a same-named role that is not this integration's.
const FOREIGN_ROLE_FIX: &str = "Choose another aws.role_name in the plan, or, knowing the vendor gets everything the role can already do, adopt it with: trustbridge apply --plan plan.json --dry-run --adopt (read it), then without --dry-run.";

fn owner(r: &Resolved) -> Owner<'_> {
    Owner { key: INTEGRATION_TAG, value: &r.plan.integration.name, foreign_fix: FOREIGN_ROLE_FIX }
}

pub fn setup_sh(r: &Resolved, a: &ResolvedAws, docs: &AwsDocuments) -> String {
    let mut s = Script::new(
        "AWS: create or update the role the vendor assumes, and its inline policies.",
        &[
            "Needs: aws CLI v2 signed in to the target account (AWS_PROFILE, SSO or environment credentials).",
            "Safe to re-run: a role this integration created gets its trust policy updated; inline policies are replaced.",
            "It refuses a same-named role that Trustbridge did not create for this integration, and changes nothing.",
        ],
    );
    s.set("ROLE_NAME", &a.role_name).raw(&format!("export AWS_REGION=\"${{AWS_REGION:-{}}}\"", a.region)).blank();
    s.comment("1. Check who we are acting as: refuse to touch the wrong account.");
    aws_sh::check_account(&mut s, &a.account_id);
    s.blank().comment("2. Only a role this integration created is changed (its tags say so).");
    aws_sh::ownership_functions(&mut s, &owner(r));
    let state = aws_sh::require_absent_or_ours(&mut s, 1, "role", var("ROLE_NAME"));
    s.blank().comment("3. The role, trusted by the vendor (trust-policy.json).");
    let mut create = vec![
        lit("aws"),
        lit("iam"),
        lit("create-role"),
        lit("--role-name"),
        var("ROLE_NAME"),
        lit("--path"),
        lit(&a.role_path),
        lit("--assume-role-policy-document"),
        lit("file://trust-policy.json"),
        lit("--description"),
        lit(format!("Access for {} (integration {})", r.profile.display_name, r.plan.integration.name)),
        lit("--tags"),
        lit(format!("Key={},Value={}", MANAGED_BY_TAG.0, MANAGED_BY_TAG.1)),
        lit(format!("Key={INTEGRATION_TAG},Value={}", r.plan.integration.name)),
    ];
    if let Some(b) = &a.permissions_boundary_arn {
        create.push(lit("--permissions-boundary"));
        create.push(lit(b));
    }
    s.raw(&format!("if [ \"${state}\" = ours ]; then")).run_indented(
        &iam(&["update-assume-role-policy", "--role-name"])
            .into_iter()
            .chain([var("ROLE_NAME"), lit("--policy-document"), lit("file://trust-policy.json")])
            .collect::<Vec<_>>(),
    );
    if let Some(b) = &a.permissions_boundary_arn {
        s.run_indented(&[
            lit("aws"),
            lit("iam"),
            lit("put-role-permissions-boundary"),
            lit("--role-name"),
            var("ROLE_NAME"),
            lit("--permissions-boundary"),
            lit(b),
        ]);
    }
    s.raw("else").run_indented(&create).raw("fi").blank().comment("4. What the vendor may do (inline policies).");
    for (name, _) in docs.inline() {
        let file = if name == STORAGE_POLICY_NAME { "storage-policy.json" } else { "events-policy.json" };
        s.run(&[
            lit("aws"),
            lit("iam"),
            lit("put-role-policy"),
            lit("--role-name"),
            var("ROLE_NAME"),
            lit("--policy-name"),
            lit(name),
            lit("--policy-document"),
            lit(format!("file://{file}")),
        ]);
    }
    s.blank()
        .echo(&format!("Done. Role ARN: {}", a.role_arn()))
        .echo("Give this ARN (and the external id, if any) to the vendor: see ../handoff.json.");
    s.finish()
}

pub fn revoke_sh(r: &Resolved, a: &ResolvedAws, docs: &AwsDocuments) -> String {
    let mut s = Script::new(
        "AWS: revoke the vendor's access by deleting the role and its inline policies.",
        &[
            "Needs: aws CLI v2 signed in to the target account.",
            "Deletes only a role this integration created (its tags say so), in the plan's account.",
        ],
    );
    s.set("ROLE_NAME", &a.role_name).raw(&format!("export AWS_REGION=\"${{AWS_REGION:-{}}}\"", a.region)).blank();
    aws_sh::check_account(&mut s, &a.account_id);
    aws_sh::ownership_functions(&mut s, &owner(r));
    let state = aws_sh::require_absent_or_ours(&mut s, 1, "role", var("ROLE_NAME"));
    s.raw(&format!("if [ \"${state}\" = absent ]; then echo \"No role $ROLE_NAME in account $ACCOUNT: nothing to revoke.\"; exit 0; fi"))
        .blank();
    for (name, _) in docs.inline() {
        s.run(&[lit("aws"), lit("iam"), lit("delete-role-policy"), lit("--role-name"), var("ROLE_NAME"), lit("--policy-name"), lit(name)]);
    }
    s.run(&[lit("aws"), lit("iam"), lit("delete-role"), lit("--role-name"), var("ROLE_NAME")]);
    s.echo("Role deleted: the vendor can no longer assume it.");
    s.finish()
}
