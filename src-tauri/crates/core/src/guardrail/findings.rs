//! The findings: which SCP, RCP or resource policy (bucket, KMS key, event bus) stops which of the
//! plan's requests, worded with its way out; and the requests the plan implies (the vendor's, its
//! sign-in's, apply's). The decisions they rest on are in the parent module.

use super::*;

fn name_of(st: &AnyStatement, i: usize) -> String {
    st.sid.clone().map_or_else(|| format!("statement {}", i + 1), |s| format!("statement {s}"))
}

fn who(req: &Request) -> &'static str {
    match req.actor {
        Actor::Vendor => "the vendor",
        Actor::VendorSignIn => "the vendor's sign-in",
        Actor::Apply => "apply (your credentials)",
    }
}

/// A finding about the plan's AWS account.
fn aws_finding(facts: &Facts, code: GuardCode, severity: GuardSeverity, resource: &str, message: String, fix: String) -> GuardFinding {
    GuardFinding {
        code,
        cloud: "aws".into(),
        account_id: Some(facts.account_id.clone()),
        resource: Some(resource.to_string()),
        severity,
        message,
        fix,
    }
}

/// The SCPs on one level of the path from the root to the account.
#[derive(Debug, Clone)]
pub struct ScpLevel {
    /// "root r-…", "OU ou-… (Name)", "account 123…".
    pub level: String,
    /// (policy name, its statements) for every SCP attached there.
    pub policies: Vec<(String, Vec<AnyStatement>)>,
}

/// The other way out of a policy at `level`: a policy attached to the account itself is detached
/// from it; one on a parent is left by moving the account out from under that OU or root.
fn way_out(level: &str, policy: &str) -> String {
    if level.starts_with("account ") {
        format!("to detach {policy} from the account")
    } else {
        format!("to move the account out of {level}")
    }
}

/// Evaluates the SCPs on the path (root first) against every request.
pub fn scp_findings(path: &[ScpLevel], requests: &[Request], facts: &Facts) -> Vec<GuardFinding> {
    let mut out = Vec::new();
    let finding = |code, severity, resource: &str, message, fix| aws_finding(facts, code, severity, resource, message, fix);
    for req in requests {
        for level in path {
            let mut allowed = Match::No;
            for (policy, statements) in &level.policies {
                for (i, st) in statements.iter().enumerate() {
                    let m = statement_matches(st, req, facts);
                    if st.deny {
                        match m {
                            Match::Yes => out.push(finding(
                                GuardCode::ScpDenies,
                                GuardSeverity::Blocking,
                                policy,
                                format!(
                                    "The service control policy {policy} on {} denies {} {} on {} ({}).",
                                    level.level,
                                    who(req),
                                    req.action,
                                    req.resource,
                                    name_of(st, i)
                                ),
                                format!(
                                    "Ask your AWS Organizations administrator to exempt {} from {policy}'s {}, or {}.",
                                    req.principal_arn.as_deref().unwrap_or("the role"),
                                    name_of(st, i),
                                    way_out(&level.level, policy)
                                ),
                            )),
                            Match::Maybe(why) => out.push(finding(
                                GuardCode::ScpMayDeny,
                                GuardSeverity::Warning,
                                policy,
                                format!(
                                    "The service control policy {policy} on {} may deny {} {} on {}: it does when {why} ({}).",
                                    level.level,
                                    who(req),
                                    req.action,
                                    req.resource,
                                    name_of(st, i)
                                ),
                                format!("Check with your AWS Organizations administrator whether {why} holds for these requests."),
                            )),
                            Match::No => {}
                        }
                    } else if allowed != Match::Yes {
                        allowed = match m {
                            Match::Yes => Match::Yes,
                            Match::Maybe(w) => Match::Maybe(w),
                            Match::No => allowed,
                        };
                    }
                }
            }
            match allowed {
                Match::Yes => {}
                Match::Maybe(why) => out.push(finding(
                    GuardCode::ScpMayDeny,
                    GuardSeverity::Warning,
                    &level.level,
                    format!("The service control policies on {} allow {} {} only when {why}.", level.level, who(req), req.action),
                    format!("Check with your AWS Organizations administrator whether {why} holds for these requests."),
                )),
                Match::No => out.push(finding(
                    GuardCode::ScpNotAllowed,
                    GuardSeverity::Blocking,
                    &level.level,
                    format!(
                        "No service control policy on {} allows {} {}: SCPs are allow-lists, so it is denied.",
                        level.level,
                        who(req),
                        req.action
                    ),
                    format!("Ask your AWS Organizations administrator to allow {} in an SCP attached to {}.", req.action, level.level),
                )),
            }
        }
    }
    out
}

/// The services whose resources resource control policies cover (AWS Organizations' user guide,
/// "Resource control policies": the list at their launch, and those added since).
pub const RCP_SERVICES: &[&str] = &["s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-idp", "logs", "dynamodb"];

/// The vendor's own principal assuming the role: the one request of the vendor made before it is
/// the role, and the one an identity perimeter of the customer's organization denies.
pub fn vendor_sign_in_request(role_arn: &str) -> Request {
    Request { actor: Actor::VendorSignIn, action: "sts:AssumeRole".into(), resource: role_arn.to_string(), principal_arn: None }
}

/// Evaluates the resource control policies on the path (root first) against the vendor's
/// requests on resources of the services RCPs cover (its sign-in included). Only `Deny`
/// statements count: RCPs grant nothing, and `RCPFullAWSAccess` allows everything everywhere.
pub fn rcp_findings(path: &[ScpLevel], requests: &[Request], facts: &Facts) -> Vec<GuardFinding> {
    let covered = |r: &Request| {
        let service = r.action.split(':').next().unwrap_or_default().to_ascii_lowercase();
        r.actor != Actor::Apply && RCP_SERVICES.contains(&service.as_str())
    };
    let mut out = Vec::new();
    for req in requests.iter().filter(|r| covered(r)) {
        for level in path {
            for (policy, statements) in &level.policies {
                for (i, st) in statements.iter().enumerate().filter(|(_, st)| st.deny) {
                    let exempt = match req.actor {
                        Actor::VendorSignIn => match &facts.vendor_account {
                            Some(v) => format!("the vendor's AWS account {v} (an aws:PrincipalAccount exception)"),
                            None => "the vendor's AWS account".to_string(),
                        },
                        _ => format!("the role {}", req.principal_arn.as_deref().unwrap_or("the role")),
                    };
                    let (code, severity, message, fix) = match statement_matches(st, req, facts) {
                        Match::No => continue,
                        Match::Yes => (
                            GuardCode::RcpDenies,
                            GuardSeverity::Blocking,
                            format!("The resource control policy {policy} on {} denies {} {} on {} ({}).", level.level, who(req), req.action, req.resource, name_of(st, i)),
                            format!("Ask your AWS Organizations administrator to exempt {exempt} from {policy}'s {}, or {}.", name_of(st, i), way_out(&level.level, policy)),
                        ),
                        Match::Maybe(why) => (
                            GuardCode::RcpMayDeny,
                            GuardSeverity::Warning,
                            format!("The resource control policy {policy} on {} may deny {} {} on {}: it does when {why} ({}).", level.level, who(req), req.action, req.resource, name_of(st, i)),
                            format!("Check with your AWS Organizations administrator whether {why} holds for these requests; if it does, exempt {exempt}."),
                        ),
                    };
                    out.push(aws_finding(facts, code, severity, policy, message, fix));
                }
            }
        }
    }
    out
}

/// What kind of resource policy a document is, for the findings' wording and codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourcePolicy {
    Bucket,
    KmsKey,
    EventBus,
}

/// The `Deny` statements of a resource policy (bucket, key, bus) that would hit a request. (Its
/// `Allow` statements do not matter: the role is in the same account, so its own policy grants.)
pub fn resource_policy_findings(
    kind: ResourcePolicy,
    resource: &str,
    statements: &[AnyStatement],
    requests: &[Request],
    facts: &Facts,
) -> Vec<GuardFinding> {
    let (denies, may, what) = match kind {
        ResourcePolicy::Bucket => (GuardCode::BucketPolicyDenies, GuardCode::BucketPolicyMayDeny, "bucket policy"),
        ResourcePolicy::KmsKey => (GuardCode::KmsKeyPolicyDenies, GuardCode::KmsKeyPolicyMayDeny, "key policy"),
        ResourcePolicy::EventBus => (GuardCode::BusPolicyDenies, GuardCode::BusPolicyMayDeny, "event bus policy"),
    };
    let mut out = Vec::new();
    for req in requests {
        for (i, st) in statements.iter().enumerate().filter(|(_, s)| s.deny) {
            let (code, severity, message) = match statement_matches(st, req, facts) {
                Match::No => continue,
                Match::Yes => (
                    denies,
                    GuardSeverity::Blocking,
                    format!("The {what} of {resource} denies {} {} ({}).", who(req), req.action, name_of(st, i)),
                ),
                Match::Maybe(why) => (
                    may,
                    GuardSeverity::Warning,
                    format!("The {what} of {resource} may deny {} {}: it does when {why} ({}).", who(req), req.action, name_of(st, i)),
                ),
            };
            let role = req.principal_arn.as_deref().unwrap_or("the role");
            let fix = format!(
                "Exempt the role from {}: add the condition {{\"ArnNotEquals\": {{\"aws:PrincipalArn\": \"{role}\"}}}} to it (or widen the condition it has).",
                name_of(st, i)
            );
            out.push(aws_finding(facts, code, severity, resource, message, fix));
        }
    }
    out
}

/// Whether a KMS key policy lets IAM policies of `account` grant use of the key: a statement
/// allowing the account's root (or the account id) `kms:Decrypt` (`kms:*`) on `*`, with no
/// condition, or allowing the role itself directly.
pub fn key_policy_delegates(statements: &[AnyStatement], partition: &str, account: &str, role_arn: &str) -> bool {
    let root = format!("arn:{partition}:iam::{account}:root");
    statements.iter().any(|st| {
        !st.deny
            && st.condition.is_empty()
            && st.principal.as_ref().is_some_and(|p| p.iter().any(|x| *x == root || *x == account || *x == role_arn))
            && st.action.as_ref().is_some_and(|a| a.iter().any(|x| wildcard(x, "kms:Decrypt", true)))
            && st.resource.as_ref().is_none_or(|r| r.iter().any(|x| x == "*"))
    })
}

/// The statement to add to a key policy so the role's IAM policy can use the key.
pub fn delegation_statement(partition: &str, account: &str) -> String {
    let st = serde_json::json!({
        "Sid": "EnableIAMUserPermissions",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
        "Action": "kms:*",
        "Resource": "*"
    });
    serde_json::to_string(&st).unwrap_or_default()
}

/// The vendor's requests: every action and resource the role's inline policies allow.
pub fn vendor_requests(role_arn: &str, inline: &[&PolicyDocument]) -> Vec<Request> {
    let mut out: Vec<Request> = Vec::new();
    // Statement by statement (not `grants()`, which lowercases): findings name actions as IAM does.
    for st in inline.iter().flat_map(|d| &d.statement).filter(|st| st.effect == crate::policy::Effect::Allow) {
        let resources = st.resource.as_ref().map(|r| r.values()).unwrap_or_else(|| vec!["*".to_string()]);
        for action in st.action.values() {
            for resource in &resources {
                let r = Request {
                    actor: Actor::Vendor,
                    action: action.clone(),
                    resource: resource.clone(),
                    principal_arn: Some(role_arn.to_string()),
                };
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// What apply calls on the role (the IAM actions of `trustbridge apply`, in `cloud/src/aws/apply.rs`).
pub const APPLY_ACTIONS: &[&str] = &[
    "iam:GetRole",
    "iam:CreateRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:ListRoleTags",
    "iam:UpdateAssumeRolePolicy",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:DeleteRolePermissionsBoundary",
];

/// Apply's requests on the role, by the caller (`caller_arn` as STS names it; `aws:PrincipalArn`
/// is known only for IAM users and the root: an assumed role's path is not in its session ARN).
pub fn apply_requests(role_arn: &str, caller_arn: &str, boundary: bool) -> Vec<Request> {
    let principal = (caller_arn.contains(":user/") || caller_arn.ends_with(":root")).then(|| caller_arn.to_string());
    APPLY_ACTIONS
        .iter()
        .copied()
        .chain(boundary.then_some("iam:PutRolePermissionsBoundary"))
        .map(|a| Request { actor: Actor::Apply, action: a.to_string(), resource: role_arn.to_string(), principal_arn: principal.clone() })
        .collect()
}

/// The region IAM (a global service) is called in, per partition: apply's `aws:RequestedRegion`.
pub fn iam_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => "us-east-1",
    }
}

/// The findings that stop apply (the one place that says which do).
pub fn blocking(findings: &[GuardFinding]) -> impl Iterator<Item = &GuardFinding> {
    findings.iter().filter(|f| f.severity == GuardSeverity::Blocking)
}
