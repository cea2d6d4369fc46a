//! Offline lint of what a plan renders, shown before apply and export: sizes against IAM limits,
//! unknown actions (from the IAM action catalog generated from AWS's Service Authorization
//! Reference), wildcards, `Principal: "*"`, unconditioned trust, partition mismatches, and
//! write-level access worth a second look. Each finding has a severity and a fix.

use serde::Serialize;

use crate::policy::{Grant, PolicyDocument, INLINE_POLICIES_AGGREGATE_MAX, TRUST_POLICY_MAX};
use crate::render::aws;
use crate::validate::{Resolved, ResolvedAws};

const CATALOG: &str = include_str!("../data/iam-actions.tsv");

/// IAM access levels from the Service Authorization Reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

/// One catalog line, `action<TAB>level`.
fn entry(line: &'static str) -> Option<(&'static str, AccessLevel)> {
    let (action, level) = line.split_once('\t')?;
    let level = match level.as_bytes().first() {
        Some(b'L') => AccessLevel::List,
        Some(b'R') => AccessLevel::Read,
        Some(b'P') => AccessLevel::PermissionsManagement,
        Some(b'T') => AccessLevel::Tagging,
        _ => AccessLevel::Write,
    };
    Some((action, level))
}

/// The catalog's entries, in the file's order: sorted by the ASCII-lowercased action (the
/// generator writes it so; a test checks it).
fn catalog() -> impl Iterator<Item = (&'static str, AccessLevel)> {
    CATALOG.lines().filter(|l| !l.starts_with('#')).filter_map(entry)
}

/// Case-insensitive (ASCII) order, the catalog file's order.
fn cmp_ci(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The catalog entry of an action, found by a binary search over the file's text itself: no table
/// is built. Building one (a hash map, later a sorted list of all 18,000 lines) read the whole
/// 600 KB file and was most of a CLI command's own time; a search reads about fifteen lines.
fn lookup(action: &str) -> Option<(&'static str, AccessLevel)> {
    let text = CATALOG.as_bytes();
    let line_at = |start: usize| {
        let end = text[start..].iter().position(|&b| b == b'\n').map_or(text.len(), |n| start + n);
        (&CATALOG[start..end], end)
    };
    // The entries start after the comment lines at the top; `lo` and `hi` are always line starts.
    let mut lo = 0;
    while CATALOG[lo..].starts_with('#') {
        lo = (line_at(lo).1 + 1).min(text.len());
    }
    let mut hi = text.len();
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = text[lo..mid].iter().rposition(|&b| b == b'\n').map_or(lo, |n| lo + n + 1);
        let (line, end) = line_at(start);
        let found = entry(line)?;
        match cmp_ci(found.0, action) {
            std::cmp::Ordering::Equal => return Some(found),
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    None
}

/// The access level of an IAM action (`service:Action`, case-insensitive), if AWS defines it.
pub fn action_level(action: &str) -> Option<AccessLevel> {
    lookup(action).map(|(_, level)| level)
}

/// An IAM action as AWS spells it (`s3:getobject` → `s3:GetObject`), if AWS defines it: grants are
/// compared case-insensitively (lower-cased), and shown in IAM's own case.
pub fn canonical_action(action: &str) -> Option<&'static str> {
    lookup(action).map(|(a, _)| a)
}

/// Catalog actions an IAM wildcard pattern (`*`, `?`) matches, case-insensitively (lowercased).
pub fn expand(pattern: &str) -> Vec<String> {
    fn matches(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => matches(&p[1..], t) || (!t.is_empty() && matches(p, &t[1..])),
            (Some(b'?'), Some(_)) => matches(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => matches(&p[1..], &t[1..]),
            _ => false,
        }
    }
    let p = pattern.to_ascii_lowercase();
    let mut v: Vec<String> = catalog().map(|(a, _)| a.to_ascii_lowercase()).filter(|a| matches(p.as_bytes(), a.as_bytes())).collect();
    v.sort();
    v
}

pub fn catalog_size() -> usize {
    catalog().count()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable code, e.g. `lint.unknown_action`.
    pub code: String,
    /// The document the finding is about, e.g. `aws/storage-policy.json`.
    pub document: String,
    pub message: String,
    pub fix: String,
}

crate::error_codes! {
    /// What the offline lint can find (a finding's `code`; its message and fix say it for the
    /// document at hand). In the one catalogue of codes with the general fix below.
    pub enum LintCode {
        WildcardResource = "lint.wildcard_resource" => "Name the exact resources (bucket, objects, bus, key) instead of '*' or a wildcard in the middle of an ARN.",
        PartitionMismatch = "lint.partition_mismatch" => "Use ARNs of the plan's AWS partition (aws, aws-us-gov or aws-cn) in every document.",
        WildcardAction = "lint.wildcard_action" => "Grant the exact actions the vendor needs instead of a wildcard.",
        UnknownAction = "lint.unknown_action" => "Check the action's spelling against the AWS service's list of actions; an unknown action grants nothing.",
        PermissionsManagement = "lint.permissions_management" => "Remove the permissions-management action: with it the vendor could change who may do what.",
        WriteAccess = "lint.write_access" => "Grant read and list actions only, unless the vendor must write (and the profile says so).",
        PrincipalStar = "lint.principal_star" => "Trust only the vendor's account or roles, never every principal ('*').",
        MissingExternalId = "lint.missing_external_id" => "Require the external ID in the trust policy (sts:ExternalId), or narrow the trust to the vendor's roles.",
        Size = "lint.size" => "Grant fewer resources per document (fewer buckets or buses per policy), or split them into more roles.",
        ExternalIdPending = "lint.external_id_pending" => "Register the role with the vendor first (apply or export does it): the vendor issues the external ID the trust needs.",
        ExternalIdNotVendorIssued = "lint.external_id_not_vendor_issued" => "Leave the external ID to the vendor, which issues it when the role is registered.",
        BroadRole = "lint.broad_role" => "Grant a narrower role: the exact storage and messaging roles the vendor needs, not a broad or primitive one.",
        ProjectObjectRead = "lint.project_object_read" => "Grant object reads on the named buckets only, not on the whole Google Cloud project.",
        EmptyGrant = "lint.empty_grant" => "Add a bucket, a container or a topic: as it is, nothing would be granted.",
        BroadManagedPolicy = "lint.broad_managed_policy" => "Attach the service's read-only policy, or an inline policy with the exact actions and resources, instead of a full-access one.",
    }
}

fn finding(severity: Severity, code: LintCode, document: &str, message: String, fix: &str) -> Finding {
    Finding { severity, code: code.as_str().to_string(), document: document.to_string(), message, fix: fix.to_string() }
}

/// Lints one policy document's grants.
pub fn lint_document(document: &str, doc: &PolicyDocument, partition: &str, is_trust: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let grants = doc.grants();
    let mut seen_actions = std::collections::BTreeSet::new();
    for g in &grants {
        if seen_actions.insert(g.action.clone()) {
            lint_action(document, &g.action, is_trust, &mut out);
        }
        if g.resource == "*" {
            out.push(finding(
                Severity::Warning,
                LintCode::WildcardResource,
                document,
                format!("'{}' is granted on every resource ('*')", g.action),
                "name the exact resource ARNs",
            ));
        } else if g.resource.contains('*') && !g.resource.ends_with("/*") && !g.resource.ends_with('*') {
            out.push(finding(
                Severity::Warning,
                LintCode::WildcardResource,
                document,
                format!("resource '{}' contains a wildcard", g.resource),
                "name the exact resource",
            ));
        }
        for arn in [&g.resource, &g.principal].into_iter().filter_map(|s| s.split_once("arn:").map(|(_, rest)| rest)) {
            let p = arn.split(':').next().unwrap_or_default();
            if !p.is_empty() && p != partition && !p.starts_with("${") {
                out.push(finding(
                    Severity::Error,
                    LintCode::PartitionMismatch,
                    document,
                    format!("ARN 'arn:{arn}' is in partition '{p}', but the plan's partition is '{partition}'"),
                    "use ARNs of the plan's partition",
                ));
            }
        }
        if is_trust {
            lint_trust_grant(document, g, &mut out);
        }
    }
    out
}

fn lint_action(document: &str, action: &str, is_trust: bool, out: &mut Vec<Finding>) {
    if action.contains('*') || action.contains('?') {
        // A narrow wildcard (`s3:Get*`) is shown with what it expands to; a service-wide or
        // global one, or one that matches nothing, is an error.
        let matched = expand(action);
        let (service, name) = action.split_once(':').unwrap_or(("", action));
        let broad = action == "*" || name.chars().all(|c| c == '*' || c == '?') || service.contains('*');
        if broad || matched.is_empty() {
            out.push(finding(
                Severity::Error,
                LintCode::WildcardAction,
                document,
                format!("action '{action}' is a wildcard matching {} action(s)", matched.len()),
                "list the exact actions the vendor needs",
            ));
        } else {
            let shown: Vec<&str> = matched.iter().take(6).map(|s| s.as_str()).collect();
            out.push(finding(
                Severity::Warning,
                LintCode::WildcardAction,
                document,
                format!(
                    "action '{action}' matches {} actions ({}{})",
                    matched.len(),
                    shown.join(", "),
                    if matched.len() > 6 { ", …" } else { "" }
                ),
                "list the exact actions needed; new actions AWS adds will match the wildcard too",
            ));
        }
        return;
    }
    match action_level(action) {
        None => out.push(finding(
            Severity::Error,
            LintCode::UnknownAction,
            document,
            format!("'{action}' is not an IAM action (not in the catalog of {} actions)", catalog_size()),
            "check the spelling against the AWS Service Authorization Reference",
        )),
        Some(AccessLevel::PermissionsManagement) if !is_trust => out.push(finding(
            Severity::Warning,
            LintCode::PermissionsManagement,
            document,
            format!("'{action}' can change permissions"),
            "grant it only if the vendor must manage access",
        )),
        Some(AccessLevel::Write) if !is_trust => out.push(finding(
            Severity::Info,
            LintCode::WriteAccess,
            document,
            format!("'{action}' is a write-level action"),
            "expected for event publishing and KMS decrypt; question any other",
        )),
        _ => {}
    }
}

fn lint_trust_grant(document: &str, g: &Grant, out: &mut Vec<Finding>) {
    if g.principal == "*" || g.principal == "AWS:*" {
        out.push(finding(
            Severity::Error,
            LintCode::PrincipalStar,
            document,
            "the trust policy lets anyone ('*') assume the role".into(),
            "trust the vendor's account with an external id",
        ));
    }
    let account_principal = g.principal.starts_with("AWS:arn:") && g.principal.ends_with(":root")
        || g.principal.starts_with("AWS:") && g.principal[4..].chars().all(|c| c.is_ascii_digit());
    let has_ext = g.condition.contains("sts:externalid=");
    let has_pattern = g.condition.contains("aws:principalarn=");
    if account_principal && !has_ext && !has_pattern {
        out.push(finding(
            Severity::Error,
            LintCode::MissingExternalId,
            document,
            format!("{} can assume the role with no condition (confused-deputy risk)", &g.principal[4..]),
            "add an sts:ExternalId condition or aws:PrincipalArn patterns",
        ));
    }
}

fn lint_aws(a: &ResolvedAws, out: &mut Vec<Finding>) {
    let docs = aws::documents(a);
    let p = &a.partition.name;
    out.extend(lint_document("aws/trust-policy.json", &docs.trust, p, true));
    if let Some(s) = &docs.storage {
        out.extend(lint_document("aws/storage-policy.json", s, p, false));
    }
    if let Some(e) = &docs.events {
        out.extend(lint_document("aws/events-policy.json", e, p, false));
    }
    let trust = docs.trust.iam_size();
    let inline: usize = docs.inline().iter().map(|(_, d)| d.iam_size()).sum();
    for (doc, size, max, name) in [
        ("aws/trust-policy.json", trust, TRUST_POLICY_MAX, "role trust policy length"),
        ("aws/storage-policy.json", inline, INLINE_POLICIES_AGGREGATE_MAX, "inline policies per role, aggregate"),
    ] {
        let (severity, fix) = if size > max {
            (Severity::Error, "split the grant or raise the quota before applying")
        } else if size * 10 > max * 8 {
            (Severity::Warning, "close to the limit: the next bucket may not fit")
        } else {
            (Severity::Info, "within the limit")
        };
        out.push(finding(
            severity,
            LintCode::Size,
            doc,
            format!("{size} of {max} characters of IAM limit '{name}' ({}%)", size * 100 / max),
            fix,
        ));
    }
}

/// Lints everything a resolved plan renders.
pub fn lint(r: &Resolved) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(a) = &r.aws {
        // A pending external id is one error (below), not also an unconditioned trust: the other
        // documents are linted as they will be, with a stand-in for the id.
        match r.with_stand_in_external_id().aws.as_ref() {
            Some(shown) if a.external_id_pending => lint_aws(shown, &mut out),
            _ => lint_aws(a, &mut out),
        }
        let vendor = &r.profile.display_name;
        if a.external_id_pending {
            out.push(finding(
                Severity::Error,
                LintCode::ExternalIdPending,
                "aws/trust-policy.json",
                format!("{vendor} issues the external id when the role is registered with it, and it has not yet: the trust policy cannot be written"),
                "register first (`trustbridge register --plan …`, or `trustbridge apply`, which registers before it creates the role)",
            ));
        } else if r.profile.vendor_issues_external_id() && a.vendor_credentials_id.is_none() {
            out.push(finding(
                Severity::Warning,
                LintCode::ExternalIdNotVendorIssued,
                "aws/trust-policy.json",
                format!("{vendor} issues the external id, but this one was made elsewhere: {vendor} will not present it"),
                "remove aws.external_id and register (`trustbridge register --plan …`): the id the vendor issues replaces it",
            ));
        }
    }
    // An organization-wide plan: each account's documents, named by their place in the bundle.
    for a in r.aws_org.iter().flat_map(|o| &o.accounts) {
        let mut found = Vec::new();
        lint_aws(a, &mut found);
        out.extend(found.into_iter().map(|mut f| {
            if let Some(rest) = f.document.strip_prefix("aws/") {
                f.document = format!("aws/accounts/{}/{rest}", a.account_id);
            }
            f
        }));
    }
    if let Some(g) = &r.gcp {
        for role in g.profile.bucket_roles.iter().chain(&g.profile.topic_roles) {
            if role.contains("admin") || role.ends_with(".editor") || role == "roles/owner" {
                out.push(finding(
                    Severity::Error,
                    LintCode::BroadRole,
                    "gcp/bindings.json",
                    format!("'{role}' is an administrative role"),
                    "use a viewer/publisher role",
                ));
            }
        }
        if let Some(role) = &g.profile.project_role {
            let reads: Vec<&String> = role.permissions.iter().filter(|p| p.to_ascii_lowercase().starts_with("storage.objects.")).collect();
            if !reads.is_empty() {
                out.push(finding(
                    Severity::Error,
                    LintCode::ProjectObjectRead,
                    "gcp/custom-role.json",
                    format!(
                        "the project role grants {} on the whole project: the vendor could read every bucket, not only the ones named",
                        reads.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    "grant object reads on the named buckets (a bucket role such as roles/storage.objectViewer), and keep the project role to listing buckets",
                ));
            }
        }
        if g.profile.project_role.is_none() && g.buckets.is_empty() && g.topics.is_empty() {
            out.push(finding(
                Severity::Warning,
                LintCode::EmptyGrant,
                "gcp/bindings.json",
                "nothing is granted".into(),
                "add a bucket or topic",
            ));
        }
    }
    out.sort_by(|a, b| a.severity.cmp(&b.severity).then(a.document.cmp(&b.document)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Statement;

    fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|x| x.code.as_str()).collect()
    }

    #[test]
    fn the_catalog_is_sorted_case_insensitively_and_has_no_duplicates() {
        let c: Vec<_> = catalog().collect();
        for w in c.windows(2) {
            assert_eq!(cmp_ci(w[0].0, w[1].0), std::cmp::Ordering::Less, "{} then {}", w[0].0, w[1].0);
        }
    }

    /// The search over the file's text finds every entry, in any case, and nothing between or
    /// around them.
    #[test]
    fn the_search_finds_every_entry_and_nothing_else() {
        let all: Vec<_> = catalog().collect();
        let known: std::collections::HashSet<String> = all.iter().map(|(a, _)| a.to_ascii_lowercase()).collect();
        for (action, level) in &all {
            assert_eq!(lookup(action), Some((*action, *level)), "{action}");
            assert_eq!(lookup(&action.to_ascii_uppercase()).map(|e| e.0), Some(*action));
            let longer = format!("{action}x");
            assert_eq!(lookup(&longer).is_some(), known.contains(&longer.to_ascii_lowercase()), "{longer}");
        }
        for absent in ["", "#", "a", "a:", "zzzz:Nothing", "\u{10FFFF}", "s3:GetObjec", "s3:GetObjectt"] {
            assert_eq!(lookup(absent), None, "{absent:?}");
        }
    }

    #[test]
    fn catalog_knows_our_actions_and_not_typos() {
        assert!(catalog_size() > 10_000);
        assert_eq!(action_level("s3:GetObject"), Some(AccessLevel::Read));
        assert_eq!(action_level("S3:getobject"), Some(AccessLevel::Read));
        assert_eq!(action_level("s3:ListBucket"), Some(AccessLevel::List));
        assert_eq!(action_level("events:PutEvents"), Some(AccessLevel::Write));
        assert_eq!(action_level("s3:GetObjects"), None);
    }

    #[test]
    fn each_rule_fires() {
        let bad = PolicyDocument::new(vec![
            Statement::allow("A", vec!["s3:*".into(), "s3:GetObjects".into(), "iam:PutRolePolicy".into()]).on(vec!["*".into()]),
            Statement::allow("B", vec!["s3:GetObject".into()]).on(vec!["arn:aws-cn:s3:::b/*".into()]),
        ]);
        let f = lint_document("x.json", &bad, "aws", false);
        for c in [
            "lint.wildcard_action",
            "lint.unknown_action",
            "lint.permissions_management",
            "lint.wildcard_resource",
            "lint.partition_mismatch",
        ] {
            assert!(codes(&f).contains(&c), "{c} missing from {:#?}", f);
        }
        let trust = PolicyDocument::new(vec![
            Statement::allow("T", vec!["sts:AssumeRole".into()]).principal("AWS", vec!["arn:aws:iam::123456789012:root".into()]),
            Statement {
                principal: Some(crate::policy::Principal::Everyone("*".into())),
                ..Statement::allow("S", vec!["sts:AssumeRole".into()])
            },
        ]);
        let f = lint_document("t.json", &trust, "aws", true);
        assert!(codes(&f).contains(&"lint.missing_external_id"), "{f:#?}");
        assert!(codes(&f).contains(&"lint.principal_star"), "{f:#?}");
    }
}
