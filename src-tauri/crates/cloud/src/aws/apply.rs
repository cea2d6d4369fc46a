//! Apply: create or update the role, its trust policy, boundary, tags and inline policies so they
//! match the plan. Reads first and computes the changes (that is `--dry-run`), then makes only
//! those. Idempotent: a second run finds nothing to change. A failure reports what was done.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use trustbridge_core::model::aws::{Role, RoleSet};
use trustbridge_core::policy::{Effect, Grant, PolicyDocument};
use trustbridge_core::render::aws::{EVENTS_POLICY_NAME, MANAGED_BY_TAG, STORAGE_POLICY_NAME};
use trustbridge_core::validate::{one_line, Resolved, ResolvedAws};

pub(crate) use super::exec::Op;
pub use super::roleset::grant_diff;
use super::roleset::{self, attached_policies, inline_names, read_inline, read_role, Current, Existing};
use super::{aws_section, describe_grant, mentions_vendor, parse_policy, AwsSettings, CallerIdentity, Session};
use crate::error::CloudError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    CreateRole,
    UpdateTrustPolicy,
    PutPermissionsBoundary,
    DeletePermissionsBoundary,
    TagRole,
    UntagRole,
    PutInlinePolicy,
    DeleteInlinePolicy,
    DeleteRole,
    /// Role packs: customer-managed policies and attachments.
    CreateManagedPolicy,
    NewPolicyVersion,
    DeleteManagedPolicy,
    AttachPolicy,
    DetachPolicy,
}

/// One change apply (or revoke) makes, with a semantic diff where it updates a document.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// What it changes: the role name, `role/policy-name`, …
    pub target: String,
    /// Plain-language lines: `+ grant …`, `- grant …`, settings.
    pub detail: Vec<String>,
    #[serde(skip)]
    pub(crate) op: Op,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.kind {
            ChangeKind::CreateRole => "create role",
            ChangeKind::UpdateTrustPolicy => "update trust policy of",
            ChangeKind::PutPermissionsBoundary => "set permissions boundary of",
            ChangeKind::DeletePermissionsBoundary => "remove permissions boundary of",
            ChangeKind::TagRole => "tag role",
            ChangeKind::UntagRole => "untag role",
            ChangeKind::PutInlinePolicy => "put inline policy",
            ChangeKind::DeleteInlinePolicy => "delete inline policy",
            ChangeKind::DeleteRole => "delete role",
            ChangeKind::CreateManagedPolicy => "create",
            ChangeKind::NewPolicyVersion => "new default version of",
            ChangeKind::DeleteManagedPolicy => "delete",
            ChangeKind::AttachPolicy => "attach",
            ChangeKind::DetachPolicy => "detach",
        };
        // Targets and details hold names and policy text read from IAM: one line each.
        write!(f, "{verb} {}", one_line(&self.target))?;
        for d in &self.detail {
            write!(f, "\n    {}", one_line(d))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub caller: CallerIdentity,
    pub role_arn: String,
    pub dry_run: bool,
    /// Whether the role carried trustbridge's managed-by tag (or was created now).
    pub managed: bool,
    /// Changes made (or, with `dry_run`, that would be made). Empty: already up to date.
    pub changes: Vec<Change>,
    /// With `adopt` and an existing role: every inline and attached policy it had before this run.
    /// `None`: not asked for (no `adopt`), or the role did not exist.
    pub existing: Option<Vec<ExistingPolicy>>,
    /// What the user must know before the vendor gets the role: rights broader than the plan,
    /// other principals its trust keeps, another integration's tags. Empty without `adopt`.
    pub warnings: Vec<String>,
}

/// The tag apply adds, with the other two, to a role it adopted (that it did not create). Revoke
/// then removes only what apply added and keeps the role (unless forced). Defined in core, where
/// the exported scripts check it too.
pub use trustbridge_core::render::aws::ADOPTED_TAG;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    Inline,
    Managed,
}

/// A policy the role already had, as listed for an adoption.
#[derive(Debug, Clone, Serialize)]
pub struct ExistingPolicy {
    pub kind: PolicyKind,
    /// The inline policy's name, or the managed policy's name.
    pub name: String,
    /// Managed policies: the ARN.
    pub arn: Option<String>,
    /// One line per grant (`Allow s3:GetObject on arn:…`); empty when the document was not read.
    pub grants: Vec<String>,
    /// Why the grants are missing, or what apply does with it.
    pub note: Option<String>,
}

impl fmt::Display for ExistingPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.arn) {
            (PolicyKind::Managed, Some(arn)) => write!(f, "managed policy {}", one_line(arn))?,
            (PolicyKind::Managed, None) => write!(f, "managed policy {}", one_line(&self.name))?,
            (PolicyKind::Inline, _) => write!(f, "inline policy {}", one_line(&self.name))?,
        }
        if let Some(n) = &self.note {
            write!(f, " ({})", one_line(n))?;
        }
        for g in &self.grants {
            write!(f, "\n    {}", one_line(g))?;
        }
        Ok(())
    }
}

/// Apply (or revoke) stopped part way: what was done, what was not, and why.
/// Serializes as `{error: {code, message, fix}, caller, done, not_done}`.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyFailure {
    #[serde(serialize_with = "error_info")]
    pub error: CloudError,
    pub caller: Option<CallerIdentity>,
    pub done: Vec<Change>,
    pub not_done: Vec<Change>,
}

fn error_info<S: serde::Serializer>(e: &CloudError, s: S) -> Result<S::Ok, S::Error> {
    e.info().serialize(s)
}

impl From<CloudError> for ApplyFailure {
    fn from(error: CloudError) -> Self {
        ApplyFailure { error, caller: None, done: Vec::new(), not_done: Vec::new() }
    }
}

impl fmt::Display for ApplyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.error, self.error.code())
    }
}

/// Who we act as; refuses another account than the plan's.
pub(crate) async fn check_account(s: &Session, a: &ResolvedAws) -> Result<CallerIdentity, CloudError> {
    let me = s.caller_identity().await?;
    if me.account != a.account_id {
        return Err(CloudError::AccountMismatch { expected: a.account_id.clone(), actual: me.account, arn: me.arn });
    }
    Ok(me)
}

/// A shared trust policy: keep every statement that does not trust the vendor, add ours.
pub(crate) fn merged_trust(current: &PolicyDocument, desired: &PolicyDocument, vendor_account: &str) -> PolicyDocument {
    let mut statements: Vec<_> = current
        .statement
        .iter()
        .filter(|st| {
            let one = PolicyDocument::new(vec![(*st).clone()]);
            !one.grants().iter().any(|g| mentions_vendor(g, vendor_account))
        })
        .cloned()
        .collect();
    statements.extend(desired.statement.iter().cloned());
    PolicyDocument::new(statements)
}

/// What apply found and would do.
struct Planned {
    managed: bool,
    changes: Vec<Change>,
    existing: Option<Vec<ExistingPolicy>>,
    warnings: Vec<String>,
}

/// Whether apply may change an existing role: one trustbridge created or adopted for this
/// integration, or any other role only when the user adopts it explicitly. `Ok(true)`: this run
/// adopts it. A role tagged as ours without an integration tag (older versions) is ours.
pub(crate) fn check_owner(cur: &Current, role: &str, integration: &str, adopt: bool) -> Result<bool, CloudError> {
    let other = cur.integration.as_deref().filter(|i| *i != integration);
    match (cur.managed, other) {
        (true, None) => Ok(false),
        _ if adopt => Ok(true),
        (false, _) => Err(CloudError::RoleNotOurs { role: role.to_string(), tag: format!("{}={}", MANAGED_BY_TAG.0, MANAGED_BY_TAG.1) }),
        (true, Some(o)) => {
            Err(CloudError::RoleOtherIntegration { role: role.to_string(), other: o.to_string(), integration: integration.to_string() })
        }
    }
}

/// The default version's document of a managed policy; the inner error says why it could not be
/// read as a plain policy (e.g. it uses `NotAction`).
async fn managed_document(s: &Session, arn: &str) -> Result<Result<PolicyDocument, String>, CloudError> {
    let p = s
        .call("iam:GetPolicy", || async { s.iam.get_policy().policy_arn(arn).send().await.map_err(|e| s.classify("iam:GetPolicy", e)) })
        .await?;
    let Some(version) = p.policy().and_then(|p| p.default_version_id()).map(str::to_string) else {
        return Ok(Err("no default version".into()));
    };
    let v = s
        .call("iam:GetPolicyVersion", || async {
            s.iam.get_policy_version().policy_arn(arn).version_id(&version).send().await.map_err(|e| s.classify("iam:GetPolicyVersion", e))
        })
        .await?;
    match v.policy_version().and_then(|p| p.document()) {
        Some(text) => Ok(parse_policy(text)),
        None => Ok(Err("no document in the default version".into())),
    }
}

/// An AWS-managed policy (`arn:<partition>:iam::aws:policy/…`), whose document AWS maintains.
fn aws_managed(arn: &str) -> bool {
    arn.contains(":iam::aws:policy/")
}

/// Why a document grants more than the plan, in words; empty when it does not.
fn broader_than_plan(doc: &PolicyDocument, plan: &BTreeSet<Grant>) -> Vec<String> {
    let allows: Vec<Grant> = doc.grants().into_iter().filter(|g| g.effect == Effect::Allow).collect();
    let mut why = Vec::new();
    if allows.iter().any(|g| g.action == "*" || g.action.starts_with("*:")) {
        why.push("every action ('*')".to_string());
    }
    if allows.iter().any(|g| g.resource == "*") {
        why.push("every resource ('*')".to_string());
    }
    let iam: BTreeSet<&str> =
        allows.iter().filter(|g| g.action.starts_with("iam:") && g.action.contains('*')).map(|g| g.action.as_str()).collect();
    if !iam.is_empty() {
        why.push(format!("IAM wildcards ({}) that can grant more", iam.into_iter().collect::<Vec<_>>().join(", ")));
    }
    let extra = allows.iter().filter(|g| !plan.contains(g)).count();
    if extra > 0 {
        why.push(format!("{extra} grant(s) not in the plan"));
    }
    why
}

/// With `adopt`: every inline and attached policy the role has, and a warning for each that
/// grants more than the plan (the vendor would get it too). Reads only.
async fn survey(s: &Session, a: &ResolvedAws, plan: &BTreeSet<Grant>) -> Result<(Vec<ExistingPolicy>, Vec<String>), CloudError> {
    let role = a.role_name.as_str();
    let (inline, attached) = tokio::join!(inline_names(s, role), attached_policies(s, role));
    let (inline, attached) = (inline?, attached?);
    let mut listed = Vec::new();
    let mut warnings = Vec::new();
    let lines = |d: &PolicyDocument| d.grants().iter().map(describe_grant).collect::<Vec<_>>();
    for name in inline {
        let ours = name == STORAGE_POLICY_NAME || name == EVENTS_POLICY_NAME;
        let label = format!("inline policy {name}");
        let (grants, note) = match read_inline(s, role, &name).await {
            Ok(Some(doc)) => {
                let why = broader_than_plan(&doc, plan);
                if !ours && !why.is_empty() {
                    warnings.push(format!("{label} grants more than the plan: {}", why.join(", ")));
                }
                (lines(&doc), ours.then(|| "trustbridge's policy name: apply makes it match the plan".to_string()))
            }
            Ok(None) => (Vec::new(), Some("gone while reading".to_string())),
            Err(CloudError::Service { code, message, .. }) if code == "UnreadablePolicy" => {
                if !ours {
                    warnings.push(format!("{label} could not be compared with the plan ({message}); treat it as broader"));
                }
                (Vec::new(), Some(format!("unreadable: {message}")))
            }
            Err(e) => return Err(e),
        };
        listed.push(ExistingPolicy { kind: PolicyKind::Inline, name, arn: None, grants, note });
    }
    for (name, arn) in attached {
        let (grants, note) = if aws_managed(&arn) {
            let what = match name.as_str() {
                "AdministratorAccess" => "full administrator rights on every service and resource".to_string(),
                "PowerUserAccess" => "every service except most of IAM and Organizations, on every resource".to_string(),
                _ => "rights AWS defines, none of them in the plan".to_string(),
            };
            warnings.push(format!("AWS-managed policy {name} is attached: {what}"));
            (Vec::new(), Some("AWS-managed".to_string()))
        } else {
            match managed_document(s, &arn).await? {
                Ok(doc) => {
                    let why = broader_than_plan(&doc, plan);
                    if !why.is_empty() {
                        warnings.push(format!("managed policy {name} grants more than the plan: {}", why.join(", ")));
                    }
                    (lines(&doc), Some("customer-managed, default version".to_string()))
                }
                Err(m) => {
                    warnings.push(format!("managed policy {name} could not be compared with the plan ({m}); treat it as broader"));
                    (Vec::new(), Some(format!("unreadable: {m}")))
                }
            }
        };
        listed.push(ExistingPolicy { kind: PolicyKind::Managed, name, arn: Some(arn), grants, note });
    }
    Ok((listed, warnings))
}

/// Reads the account and computes the changes that would make it match the plan: the plan's
/// `RoleSet` through the one engine (`roleset.rs`). What is the plan's own is who may change an
/// existing role: one trustbridge created or adopted for this integration, or any other only when
/// adopted explicitly (`settings.adopt`), whose other trust statements are kept.
async fn plan_changes(s: &Session, r: &Resolved, a: &ResolvedAws) -> Result<Planned, CloudError> {
    let set = RoleSet::from_vendor(r).ok_or(CloudError::NoSection { cloud: "aws" })?;
    let Some(role) = set.roles.first() else { return Err(CloudError::NoSection { cloud: "aws" }) };
    let name = role.name.clone();
    let Some(cur) = read_role(s, &name).await? else {
        return Ok(Planned {
            managed: true,
            changes: roleset::create_role(&set, role, &a.account_id, Vec::new()),
            existing: None,
            warnings: Vec::new(),
        });
    };
    // Before anything else, and in a dry run too: never take over a role we did not create.
    let integration = r.plan.integration.name.as_str();
    let adopting = check_owner(&cur, &name, integration, s.settings.adopt)?;
    roleset::check_path(role, &cur, "change aws.role_path or aws.role_name")?;
    let plan_grants: BTreeSet<Grant> = role.inline.iter().flat_map(|d| d.policy.grants()).collect();
    let (existing_list, mut warnings) = if s.settings.adopt {
        let (listed, warnings) = survey(s, a, &plan_grants).await?;
        (Some(listed), warnings)
    } else {
        (None, Vec::new())
    };
    let mut changes = Vec::new();
    if adopting {
        if let Some(other) = cur.integration.as_deref().filter(|i| cur.managed && *i != integration) {
            warnings.push(format!(
                "role {name} is tagged for trustbridge integration '{other}': adopting retags it for '{integration}', and '{other}''s plan no longer manages it"
            ));
        }
        let mut want = roleset::owner_tags(&set);
        want.push((ADOPTED_TAG.0.to_string(), ADOPTED_TAG.1.to_string()));
        let missing: Vec<(String, String)> = want.into_iter().filter(|t| !cur.tags.contains(t)).collect();
        let mut detail =
            vec!["adopt: trustbridge did not create this role; revoke will remove only what apply adds and keep the role".to_string()];
        detail.extend(missing.iter().map(|(k, v)| format!("tag {k}={v}")));
        changes.push(Change {
            kind: ChangeKind::TagRole,
            target: name.clone(),
            detail,
            op: Op::TagRole { role: name.clone(), tags: missing },
        });
    }
    let created_by_us = cur.managed && !cur.adopted && !adopting;
    if s.settings.adopt && !created_by_us {
        let others: BTreeSet<String> = cur
            .trust
            .grants()
            .iter()
            .filter(|g| g.effect == Effect::Allow && !mentions_vendor(g, &a.vendor_account))
            .map(|g| if g.principal.is_empty() { "(no principal)".to_string() } else { g.principal.clone() })
            .collect();
        if !others.is_empty() {
            warnings.push(format!(
                "the trust policy of {name} also lets {} assume it; apply keeps those statements",
                others.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    changes.extend(roleset::update_role(s, &set, role, &a.account_id, existing(&cur, role, a, created_by_us, adopting)).await?);
    Ok(Planned { managed: cur.managed, changes, existing: existing_list, warnings })
}

/// Trustbridge's inline policy names on a vendor plan's role: one the plan no longer needs (the
/// event buses were removed) is deleted. The model's list, which the exported scripts use too.
pub(crate) use trustbridge_core::model::aws::VENDOR_INLINE as OUR_INLINE;

/// How apply may change the plan's existing role: a role trustbridge created has the plan's trust
/// only and loses a boundary the plan does not name; an adopted or shared one keeps its other
/// trust statements and its boundary.
fn existing<'a>(cur: &'a Current, role: &Role, a: &ResolvedAws, created_by_us: bool, adopting: bool) -> Existing<'a> {
    let trust = if created_by_us { role.trust.policy.clone() } else { merged_trust(&cur.trust, &role.trust.policy, &a.vendor_account) };
    Existing {
        cur,
        trust,
        own_boundary: created_by_us,
        add_tags: cur.managed && !adopting,
        retired: OUR_INLINE,
        retired_why: "no longer in the plan",
    }
}

/// Fills in who was refused, so AccessDenied names both the permission and the identity.
pub(crate) fn with_principal(e: CloudError, me: &CallerIdentity) -> CloudError {
    match e {
        CloudError::AccessDenied { action, principal, message } if principal.is_empty() => {
            CloudError::AccessDenied { action, principal: me.arn.clone(), message }
        }
        other => other,
    }
}

/// Creates or updates what the plan needs. With `dry_run`, only reads and reports the changes.
/// An existing role trustbridge did not create (or another integration's) is refused before any
/// change, unless `settings.adopt`: then the report lists its policies and warns where it already
/// grants more than the plan, and apply tags it as adopted.
pub async fn apply(r: &Resolved, settings: &AwsSettings, dry_run: bool) -> Result<ApplyReport, ApplyFailure> {
    apply_in(&Session::connect(aws_section(r)?, settings).await, r, dry_run, None).await
}

/// [`apply`] on clients already built. `caller`: who the session acts as, when pre-flight already
/// asked (checked against the plan's account again, but not asked again).
pub async fn apply_in(s: &Session, r: &Resolved, dry_run: bool, caller: Option<&CallerIdentity>) -> Result<ApplyReport, ApplyFailure> {
    let a = aws_section(r)?;
    if a.external_id_pending {
        // The vendor issues the external id at registration: never a role with an unconditioned trust.
        return Err(CloudError::ExternalIdPending { vendor: r.profile.display_name.clone() }.into());
    }
    let me = match caller {
        Some(me) if me.account == a.account_id => me.clone(),
        Some(me) => {
            return Err(
                CloudError::AccountMismatch { expected: a.account_id.clone(), actual: me.account.clone(), arn: me.arn.clone() }.into()
            )
        }
        None => check_account(s, a).await?,
    };
    let Planned { managed, changes, existing, warnings } = plan_changes(s, r, a).await.map_err(|e| ApplyFailure {
        error: with_principal(e, &me),
        caller: Some(me.clone()),
        done: Vec::new(),
        not_done: Vec::new(),
    })?;
    let changes = if dry_run { changes } else { super::exec::run(s, &me, changes).await? };
    Ok(ApplyReport { caller: me, role_arn: a.role_arn(), dry_run, managed, changes, existing, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_failure_json_shape_is_pinned() {
        let f = ApplyFailure {
            error: CloudError::Network { action: "iam:PutRolePolicy".into(), message: "connection reset".into() },
            caller: Some(CallerIdentity { account: "123456789012".into(), arn: "arn:aws:iam::123456789012:user/u".into() }),
            done: vec![Change {
                kind: ChangeKind::CreateRole,
                target: "r".into(),
                detail: vec!["path /".into()],
                op: Op::DeleteRole { role: "r".into() },
            }],
            not_done: Vec::new(),
        };
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["error"]["code"], "aws.network");
        assert!(v["error"]["fix"].as_str().unwrap().contains("safe to re-run"));
        assert_eq!(v["caller"]["account"], "123456789012");
        assert_eq!(v["done"], serde_json::json!([{"kind": "create_role", "target": "r", "detail": ["path /"]}]));
        assert_eq!(v["not_done"], serde_json::json!([]));
    }

    /// A policy read back from IAM may hold a line break or a terminal control in a Sid, an action
    /// or a condition value: listed, it stays on its own line and drives nothing.
    #[test]
    fn a_change_lists_each_value_on_its_own_line() {
        let c = Change {
            kind: ChangeKind::PutInlinePolicy,
            target: "r/p\u{9b}2J".into(),
            detail: vec!["- grant Allow s3:GetObject when x\n+ grant Allow *:* on *".into(), "\u{1b}[31mred\r".into()],
            op: Op::DeleteRole { role: "r".into() },
        };
        let text = c.to_string();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(!text.contains(['\u{9b}', '\u{1b}', '\r']), "{text:?}");
        assert!(text.contains("r/p\\u{9b}2J") && text.contains("when x\\n+ grant"), "{text}");
        let existing = ExistingPolicy {
            kind: PolicyKind::Inline,
            name: "n\n+ grant".into(),
            arn: None,
            note: Some("\u{1b}]0;title\u{7}".into()),
            grants: vec!["Allow a\nb".into()],
        };
        let text = existing.to_string();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains(['\u{1b}', '\u{7}']), "{text:?}");
    }
}
