//! The one AWS engine over the model's [`RoleSet`], for vendor plans and role packs alike: it reads
//! the account (roles, inline and attached policies, customer-managed policies, tags) and computes,
//! as typed [`Change`]s, what converges it to the set — the dry run is exactly this, and
//! `exec::run` makes the changes. It also reads a set back for drift ([`drift`]) and lists what a
//! set's removal deletes ([`removal`]).
//!
//! What differs between a vendor plan and a pack is only who may change an existing role: a plan's
//! role by its integration tag and `--adopt` (`apply.rs`, which may keep other principals' trust
//! statements), a pack's roles and policies by the pack's tags (`pack.rs`). The caller decides that
//! and says how in [`Existing`]; everything else — creation, trust, boundary, tags, inline policies,
//! attachments, customer-managed policies — is decided here, once.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use trustbridge_core::model::aws::{Boundary, Role, RoleSet};
use trustbridge_core::policy::{Effect, Grant, PolicyDocument};
use trustbridge_core::render::aws::{INTEGRATION_TAG, MANAGED_BY_TAG};

use super::apply::{Change, ChangeKind, ADOPTED_TAG};
use super::exec::Op;
use super::{describe_grant, parse_policy, ProbeResult, ProbeStatus, Session};
use crate::error::{CloudCode, CloudError};
use crate::probe::{Check, Cloud, ProbeId};

/// A role as it is now.
pub(crate) struct Current {
    pub path: String,
    /// Tagged `managed-by=trustbridge` (created or adopted by trustbridge).
    pub managed: bool,
    /// The `trustbridge-integration` tag's value.
    pub integration: Option<String>,
    /// Tagged as adopted: trustbridge did not create it.
    pub adopted: bool,
    pub trust: PolicyDocument,
    pub boundary: Option<String>,
    pub tags: Vec<(String, String)>,
    pub inline: Vec<String>,
}

pub(crate) async fn read_role(s: &Session, name: &str) -> Result<Option<Current>, CloudError> {
    let got =
        s.call("iam:GetRole", || async { s.iam.get_role().role_name(name).send().await.map_err(|e| s.classify("iam:GetRole", e)) }).await;
    let out = match got {
        Ok(o) => o,
        Err(CloudError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(role) = out.role() else { return Ok(None) };
    let trust = parse_policy(role.assume_role_policy_document().unwrap_or_default()).map_err(|m| CloudError::Service {
        action: "iam:GetRole".into(),
        code: "UnreadableTrustPolicy".into(),
        message: m,
    })?;
    let mut tags: Vec<(String, String)> = role.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect();
    if tags.is_empty() {
        // Some endpoints leave tags out of GetRole.
        let t = s
            .call("iam:ListRoleTags", || async {
                s.iam.list_role_tags().role_name(name).send().await.map_err(|e| s.classify("iam:ListRoleTags", e))
            })
            .await?;
        tags = t.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect();
    }
    let inline = inline_names(s, name).await?;
    let managed = tags.iter().any(|(k, v)| k == MANAGED_BY_TAG.0 && v == MANAGED_BY_TAG.1);
    let integration = tags.iter().find(|(k, _)| k == INTEGRATION_TAG).map(|(_, v)| v.clone());
    let adopted = tags.iter().any(|(k, v)| k == ADOPTED_TAG.0 && v == ADOPTED_TAG.1);
    Ok(Some(Current {
        path: role.path().to_string(),
        managed,
        integration,
        adopted,
        trust,
        boundary: role.permissions_boundary().and_then(|b| b.permissions_boundary_arn()).map(str::to_string),
        tags,
        inline,
    }))
}

pub(crate) async fn read_inline(s: &Session, role: &str, name: &str) -> Result<Option<PolicyDocument>, CloudError> {
    let got = s
        .call("iam:GetRolePolicy", || async {
            s.iam.get_role_policy().role_name(role).policy_name(name).send().await.map_err(|e| s.classify("iam:GetRolePolicy", e))
        })
        .await;
    match got {
        Ok(o) => parse_policy(o.policy_document()).map(Some).map_err(|m| CloudError::Service {
            action: "iam:GetRolePolicy".into(),
            code: "UnreadablePolicy".into(),
            message: m,
        }),
        Err(CloudError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The default version's document of a customer-managed policy, if the policy exists.
async fn read_managed(s: &Session, arn: &str) -> Result<Option<PolicyDocument>, CloudError> {
    let got = s
        .call("iam:GetPolicy", || async { s.iam.get_policy().policy_arn(arn).send().await.map_err(|e| s.classify("iam:GetPolicy", e)) })
        .await;
    let version = match got {
        Ok(o) => o.policy().and_then(|p| p.default_version_id()).unwrap_or("v1").to_string(),
        Err(CloudError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let v = s
        .call("iam:GetPolicyVersion", || async {
            s.iam.get_policy_version().policy_arn(arn).version_id(&version).send().await.map_err(|e| s.classify("iam:GetPolicyVersion", e))
        })
        .await?;
    let text = v.policy_version().and_then(|p| p.document()).unwrap_or_default().to_string();
    parse_policy(&text).map(Some).map_err(|m| CloudError::Service {
        action: "iam:GetPolicyVersion".into(),
        code: "UnreadablePolicy".into(),
        message: m,
    })
}

/// At most this many pages of a listing (a role has a handful of policies; a misbehaving
/// endpoint must not loop forever).
const MAX_PAGES: usize = 50;

/// Every inline policy name of the role (all pages).
pub(crate) async fn inline_names(s: &Session, role: &str) -> Result<Vec<String>, CloudError> {
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = s
            .call("iam:ListRolePolicies", || async {
                s.iam
                    .list_role_policies()
                    .role_name(role)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:ListRolePolicies", e))
            })
            .await?;
        names.extend(out.policy_names().iter().cloned());
        match out.marker() {
            Some(m) if out.is_truncated() && marker.as_deref() != Some(m) => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(names)
}

/// Every attached managed policy of the role (all pages): (name, ARN).
pub(crate) async fn attached_policies(s: &Session, role: &str) -> Result<Vec<(String, String)>, CloudError> {
    let mut out_list = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = s
            .call("iam:ListAttachedRolePolicies", || async {
                s.iam
                    .list_attached_role_policies()
                    .role_name(role)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:ListAttachedRolePolicies", e))
            })
            .await?;
        // An entry without an ARN names nothing that can be detached or compared: left out.
        for p in out.attached_policies() {
            let Some(arn) = p.policy_arn().filter(|a| !a.is_empty()).map(str::to_string) else { continue };
            let name = p.policy_name().map(str::to_string).unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_string());
            out_list.push((name, arn));
        }
        match out.marker() {
            Some(m) if out.is_truncated() && marker.as_deref() != Some(m) => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(out_list)
}

/// The ARNs of the managed policies attached to a role (all pages).
pub(crate) async fn attached(s: &Session, role: &str) -> Result<BTreeSet<String>, CloudError> {
    Ok(attached_policies(s, role).await?.into_iter().map(|(_, arn)| arn).collect())
}

/// A customer-managed policy's tags; `None` when it does not exist.
pub(crate) async fn policy_tags(s: &Session, arn: &str) -> Result<Option<Vec<(String, String)>>, CloudError> {
    let got = s
        .call("iam:ListPolicyTags", || async {
            s.iam.list_policy_tags().policy_arn(arn).send().await.map_err(|e| s.classify("iam:ListPolicyTags", e))
        })
        .await;
    match got {
        Ok(o) => Ok(Some(o.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect())),
        Err(CloudError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `+`/`-` lines between two documents, compared as sets of grants.
pub fn grant_diff(before: &BTreeSet<Grant>, after: &BTreeSet<Grant>) -> Vec<String> {
    let mut out: Vec<String> = before.difference(after).map(|g| format!("- {}", describe_grant(g))).collect();
    out.extend(after.difference(before).map(|g| format!("+ {}", describe_grant(g))));
    out
}

/// The ARN of one of the set's customer-managed policies in `account`.
pub(crate) fn policy_arn(set: &RoleSet, account: &str, name: &str) -> String {
    format!("arn:{}:iam::{account}:policy/{name}", set.partition)
}

/// The tags every role and customer-managed policy of the set carries: `managed-by=trustbridge` and
/// the owner's (integration or pack).
pub(crate) fn owner_tags(set: &RoleSet) -> Vec<(String, String)> {
    vec![(MANAGED_BY_TAG.0.to_string(), MANAGED_BY_TAG.1.to_string()), (set.owner.key.clone(), set.owner.value.clone())]
}

fn boundary_arn(set: &RoleSet, account: &str, b: &Boundary) -> String {
    match b {
        Boundary::Arn(arn) => arn.clone(),
        Boundary::Managed(name) => policy_arn(set, account, name),
    }
}

/// Every policy a role of the set should have attached: its own customer-managed ones, then AWS's.
pub(crate) fn attachments(set: &RoleSet, role: &Role, account: &str) -> Vec<String> {
    role.managed.iter().map(|m| policy_arn(set, account, m)).chain(role.aws_managed_arns.iter().cloned()).collect()
}

fn change(kind: ChangeKind, target: String, detail: Vec<String>, op: Op) -> Change {
    Change { kind, target, detail, op }
}

/// How the caller's ownership rule lets an existing role be changed.
pub(crate) struct Existing<'a> {
    pub cur: &'a Current,
    /// The trust the role should have: the set's, or, for a role shared with others, the set's
    /// statements beside theirs.
    pub trust: PolicyDocument,
    /// The role's boundary is the set's own to change (the role was created by the set, or the
    /// boundary is one of the set's policies): replaced by the set's, or removed when the set names
    /// none. Otherwise someone else's boundary stays, whatever the set names (taking a guardrail
    /// off, or swapping it for another, may widen the role): drift reports it.
    pub own_boundary: bool,
    /// Owner tags it lacks are added (a role of ours tagged by an older version).
    pub add_tags: bool,
    /// Inline policies the set's owner may have put there before and no longer holds: deleted.
    pub retired: &'a [&'a str],
    /// Why each of them goes, as the change's detail says.
    pub retired_why: &'a str,
}

/// The changes that converge the set's customer-managed policies (created, or a new default
/// version where the grants differ). Their ownership is checked by the caller first.
pub(crate) async fn policy_changes(s: &Session, set: &RoleSet, account: &str) -> Result<Vec<Change>, CloudError> {
    let mut changes = Vec::new();
    for p in &set.managed_policies {
        let (name, doc) = (&p.document.name, &p.document.policy);
        let arn = policy_arn(set, account, name);
        match read_managed(s, &arn).await? {
            Some(cur) if cur.grants() == doc.grants() => {}
            Some(cur) => {
                let mut detail = grant_diff(&cur.grants(), &doc.grants());
                // What `exec` does to make room (IAM keeps five versions), said before it is done.
                let versions = super::exec::policy_versions(s, &arn).await?.unwrap_or_default();
                let older: Vec<&str> = versions.iter().filter(|(_, default)| !default).map(|(id, _)| id.as_str()).collect();
                if !older.is_empty() {
                    let kept = versions.iter().find(|(_, default)| *default).map_or("the default", |(id, _)| id.as_str());
                    detail.push(format!(
                        "deletes its other versions first ({}; IAM keeps five); {kept}, the default until now, stays as the one before",
                        older.join(", ")
                    ));
                }
                changes.push(change(
                    ChangeKind::NewPolicyVersion,
                    format!("managed policy {name}"),
                    detail,
                    Op::NewPolicyVersion { arn, doc: doc.clone() },
                ))
            }
            None => changes.push(change(
                ChangeKind::CreateManagedPolicy,
                format!("managed policy {name}"),
                grant_diff(&BTreeSet::new(), &doc.grants()),
                Op::CreatePolicy {
                    name: name.clone(),
                    description: p.description.chars().take(1000).collect(),
                    doc: doc.clone(),
                    tags: owner_tags(set),
                },
            )),
        }
    }
    Ok(changes)
}

/// A role that does not exist yet: create it (path, trust, boundary, the owner's tags and the
/// caller's `more_tags`), then its inline policies and attachments.
pub(crate) fn create_role(set: &RoleSet, role: &Role, account: &str, more_tags: Vec<(String, String)>) -> Vec<Change> {
    let name = &role.name;
    let boundary = role.boundary.as_ref().map(|b| boundary_arn(set, account, b));
    let mut tags = owner_tags(set);
    tags.extend(more_tags);
    let mut detail = vec![format!("path {}", role.path)];
    detail.extend(grant_diff(&BTreeSet::new(), &role.trust.policy.grants()));
    if let Some(b) = &boundary {
        detail.push(format!("permissions boundary {b}"));
    }
    detail.push(tags.iter().map(|(k, v)| format!("tag {k}={v}")).collect::<Vec<_>>().join(", "));
    let mut changes = vec![change(
        ChangeKind::CreateRole,
        name.clone(),
        detail,
        Op::CreateRole {
            role: name.clone(),
            path: role.path.clone(),
            description: role.description.clone(),
            trust: role.trust.policy.clone(),
            boundary,
            tags,
        },
    )];
    for d in &role.inline {
        changes.push(change(
            ChangeKind::PutInlinePolicy,
            format!("{name}/{}", d.name),
            grant_diff(&BTreeSet::new(), &d.policy.grants()),
            Op::PutInline { role: name.clone(), name: d.name.clone(), doc: d.policy.clone() },
        ));
    }
    for arn in attachments(set, role, account) {
        changes.push(change(ChangeKind::AttachPolicy, format!("{arn} to role {name}"), Vec::new(), Op::Attach { role: name.clone(), arn }));
    }
    changes
}

/// IAM cannot move a role: an existing one at another path than the set's is refused, with
/// `advice` worded for what named the role (a plan's fields, a pack's role).
pub(crate) fn check_path(role: &Role, cur: &Current, advice: &str) -> Result<(), CloudError> {
    if cur.path == role.path {
        return Ok(());
    }
    Err(CloudError::Service {
        action: "iam:GetRole".into(),
        code: "RolePathDiffers".into(),
        message: format!("role {} exists at path {} but is to be at {} (IAM cannot move a role): {advice}", role.name, cur.path, role.path),
    })
}

/// An existing role the caller may change (`ex`): its trust, boundary, tags, inline policies and
/// attachments made to match the set. IAM cannot move a role, so another path is refused.
pub(crate) async fn update_role(
    s: &Session,
    set: &RoleSet,
    role: &Role,
    account: &str,
    ex: Existing<'_>,
) -> Result<Vec<Change>, CloudError> {
    let (name, cur) = (&role.name, ex.cur);
    // A plan's apply checked the path first, with its own advice: this is a pack's role.
    check_path(role, cur, "give the pack's role another name, or delete the existing role first")?;
    let mut changes = Vec::new();
    let (before, after) = (cur.trust.grants(), ex.trust.grants());
    if before != after {
        changes.push(change(
            ChangeKind::UpdateTrustPolicy,
            name.clone(),
            grant_diff(&before, &after),
            Op::UpdateTrust { role: name.clone(), trust: ex.trust },
        ));
    }
    match (&cur.boundary, role.boundary.as_ref().map(|b| boundary_arn(set, account, b))) {
        (have, Some(want)) if have.as_deref() != Some(want.as_str()) && (have.is_none() || ex.own_boundary) => changes.push(change(
            ChangeKind::PutPermissionsBoundary,
            name.clone(),
            vec![format!("{} → {want}", have.as_deref().unwrap_or("none"))],
            Op::PutBoundary { role: name.clone(), arn: want },
        )),
        (Some(b), None) if ex.own_boundary => changes.push(change(
            ChangeKind::DeletePermissionsBoundary,
            name.clone(),
            vec![format!("{b} → none")],
            Op::DeleteBoundary { role: name.clone() },
        )),
        _ => {}
    }
    if ex.add_tags {
        let missing: Vec<(String, String)> = owner_tags(set).into_iter().filter(|t| !cur.tags.contains(t)).collect();
        if !missing.is_empty() {
            changes.push(change(
                ChangeKind::TagRole,
                name.clone(),
                missing.iter().map(|(k, v)| format!("tag {k}={v}")).collect(),
                Op::TagRole { role: name.clone(), tags: missing },
            ));
        }
    }
    for d in &role.inline {
        let now = if cur.inline.contains(&d.name) { read_inline(s, name, &d.name).await? } else { None };
        let (before, after) = (now.as_ref().map(|p| p.grants()).unwrap_or_default(), d.policy.grants());
        if now.is_none() || before != after {
            changes.push(change(
                ChangeKind::PutInlinePolicy,
                format!("{name}/{}", d.name),
                grant_diff(&before, &after),
                Op::PutInline { role: name.clone(), name: d.name.clone(), doc: d.policy.clone() },
            ));
        }
    }
    for old in ex.retired {
        if cur.inline.iter().any(|n| n == old) && !role.inline.iter().any(|d| d.name == *old) {
            changes.push(change(
                ChangeKind::DeleteInlinePolicy,
                format!("{name}/{old}"),
                vec![ex.retired_why.into()],
                Op::DeleteInline { role: name.clone(), name: old.to_string() },
            ));
        }
    }
    let want = attachments(set, role, account);
    if !want.is_empty() {
        let have = attached(s, name).await?;
        for arn in want.into_iter().filter(|a| !have.contains(a)) {
            changes.push(change(
                ChangeKind::AttachPolicy,
                format!("{arn} to role {name}"),
                Vec::new(),
                Op::Attach { role: name.clone(), arn },
            ));
        }
    }
    Ok(changes)
}

fn drift_probe(id: ProbeId, started: Instant, outcome: Result<String, String>, fix: &str) -> ProbeResult {
    let duration_ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(message) => ProbeResult { id, status: ProbeStatus::Pass, duration_ms, message, fix: None, code: None },
        Err(message) => ProbeResult {
            id,
            status: ProbeStatus::Fail,
            duration_ms,
            message,
            fix: Some(fix.to_string()),
            code: Some(CloudCode::PackDrift.into()),
        },
    }
}

/// Reads every customer-managed policy and role of the set back and compares it with the set, as
/// grants: one probe per policy and per role (trust, boundary, inline policies, attachments).
/// `against` names what it is compared with ("the pack"); `fix` is how to converge again.
///
/// A policy on a role that the set does not name — one the set has since dropped, or one added by
/// hand — is drift when it allows anything: the role then grants more than the set says. Apply
/// takes it off only when it is the set's own, allows only, and the set no longer names it there (a
/// pack's own customer-managed policies, and what a pack role's record says apply put there:
/// `aws/pack.rs`); anything else someone may rely on, so the probe's fix names the commands that
/// take it off, for a person to run after checking — except for a policy that also denies or that
/// cannot be read, whose removal could lift a denial: said, to look at by hand.
/// One that allows nothing narrows the role (a guardrail, a quarantine): said in the passing
/// message, not drift.
pub(crate) async fn drift(s: &Session, set: &RoleSet, account: &str, against: &str, fix: &str) -> Result<Vec<ProbeResult>, CloudError> {
    let mut out = Vec::new();
    for p in &set.managed_policies {
        let (name, doc) = (&p.document.name, &p.document.policy);
        let t = Instant::now();
        let res = match read_managed(s, &policy_arn(set, account, name)).await? {
            None => Err(format!("managed policy {name} does not exist")),
            Some(cur) if cur.grants() != doc.grants() => Err(format!("managed policy {name} differs from {against}")),
            Some(_) => Ok(format!("managed policy {name} matches {against}")),
        };
        out.push(drift_probe(ProbeId::on(Cloud::Aws, Check::ManagedPolicy, name.as_str()), t, res, fix));
    }
    for role in &set.roles {
        let t = Instant::now();
        let name = &role.name;
        let mut removals: Vec<String> = Vec::new();
        let res = match read_role(s, name).await? {
            None => Err(format!("role {name} does not exist")),
            Some(cur) if cur.trust.grants() != role.trust.policy.grants() => {
                Err(format!("the trust policy of {name} differs from {against}"))
            }
            Some(cur) => {
                let mut problems = Vec::new();
                let want = role.boundary.as_ref().map(|b| boundary_arn(set, account, b));
                if cur.boundary != want {
                    problems.push(format!(
                        "its permissions boundary is {}, not {}",
                        cur.boundary.as_deref().unwrap_or("none"),
                        want.as_deref().unwrap_or("none")
                    ));
                }
                for d in &role.inline {
                    if read_inline(s, name, &d.name).await?.is_none_or(|cur| cur.grants() != d.policy.grants()) {
                        problems.push(format!("inline policy {} is missing or differs", d.name));
                    }
                }
                let have = attached(s, name).await?;
                let want = attachments(set, role, account);
                for arn in &want {
                    if !have.contains(arn) {
                        problems.push(format!("{arn} is not attached"));
                    }
                }
                let mut guardrails = Vec::new();
                for other in cur.inline.iter().filter(|n| !role.inline.iter().any(|d| d.name == **n)) {
                    let what = format!("inline policy {other}");
                    let remove = format!("aws iam delete-role-policy --role-name {name} --policy-name {other}");
                    match extra(read_inline(s, name, other).await)? {
                        Extra::AllowsNothing => guardrails.push(what),
                        e => problems.push(e.problem(&what, against, remove, &mut removals)),
                    }
                }
                for arn in have.iter().filter(|a| !want.contains(*a)) {
                    let what = format!("{arn} (attached)");
                    let remove = format!("aws iam detach-role-policy --role-name {name} --policy-arn {arn}");
                    match extra(read_managed(s, arn).await)? {
                        Extra::AllowsNothing => guardrails.push(arn.clone()),
                        e => problems.push(e.problem(&what, against, remove, &mut removals)),
                    }
                }
                let narrowed = if guardrails.is_empty() {
                    String::new()
                } else {
                    let verb = if guardrails.len() == 1 { "allows" } else { "allow" };
                    format!(" (and {}, which {verb} nothing and can only narrow it)", guardrails.join(", "))
                };
                if problems.is_empty() {
                    Ok(format!("role {name}: trust, {} inline and {} attached policies match{narrowed}", role.inline.len(), want.len()))
                } else {
                    Err(format!("role {name}: {}{narrowed}", problems.join("; ")))
                }
            }
        };
        let fix = if removals.is_empty() {
            fix.to_string()
        } else {
            format!(
                "{fix} (it adds what is missing, and takes off only {against}'s own policies it no longer names); take off what {against} does not name after checking that nothing else relies on it: {}",
                removals.join("; ")
            )
        };
        out.push(drift_probe(ProbeId::on(Cloud::Aws, Check::Role, name.as_str()), t, res, &fix));
    }
    Ok(out)
}

/// A policy on a role that its set does not name, by what it can do to the role.
enum Extra {
    /// Every statement denies (or there is none): it can only narrow the role — a guardrail.
    AllowsNothing,
    /// It allows something and denies nothing: taking it off narrows the role.
    Allows,
    /// It allows something and also denies: taking it off would lift its denials too.
    AllowsAndDenies,
    /// A document Trustbridge does not model (`NotAction`, a lone statement object, …): it may
    /// allow anything, and may hold denials.
    Unreadable(String),
}

/// A customer-managed policy that allows something and denies nothing (read now): taking it off
/// narrows whatever holds it and lifts no denial. Anything else — a guardrail, a policy that also
/// denies, one Trustbridge cannot read, one gone — is not.
pub(crate) async fn only_allows(s: &Session, arn: &str) -> Result<bool, CloudError> {
    Ok(matches!(extra(read_managed(s, arn).await)?, Extra::Allows))
}

/// Whether a role's inline policy allows something and denies nothing (read as [`only_allows`]).
pub(crate) async fn inline_only_allows(s: &Session, role: &str, name: &str) -> Result<bool, CloudError> {
    Ok(matches!(extra(read_inline(s, role, name).await)?, Extra::Allows))
}

/// What a policy read back is, as an [`Extra`]; one gone while reading allows nothing.
fn extra(read: Result<Option<PolicyDocument>, CloudError>) -> Result<Extra, CloudError> {
    let doc = match read {
        Ok(Some(doc)) => doc,
        Ok(None) => return Ok(Extra::AllowsNothing),
        Err(CloudError::Service { code, message, .. }) if code == "UnreadablePolicy" => return Ok(Extra::Unreadable(message)),
        Err(e) => return Err(e),
    };
    let grants = doc.grants();
    let allows = grants.iter().any(|g| g.effect == Effect::Allow);
    let denies = grants.iter().any(|g| g.effect == Effect::Deny);
    Ok(match (allows, denies) {
        (false, _) => Extra::AllowsNothing,
        (true, false) => Extra::Allows,
        (true, true) => Extra::AllowsAndDenies,
    })
}

impl Extra {
    /// The drift it is, said. Its removal command joins the fix only when taking it off lifts no
    /// denial: one that also denies, or that cannot be read, is for a person to look at first.
    fn problem(self, what: &str, against: &str, remove: String, removals: &mut Vec<String>) -> String {
        match self {
            // The callers count these as guardrails; said as they are all the same.
            Extra::AllowsNothing => format!("{what} allows nothing and is not in {against}"),
            Extra::Allows => {
                removals.push(remove);
                format!("{what} allows something and is not in {against}")
            }
            Extra::AllowsAndDenies => format!(
                "{what} allows something and is not in {against}; it also denies, so take off only its Allow statements, after checking what its denials protect"
            ),
            Extra::Unreadable(why) => format!(
                "{what} is not in {against}, and Trustbridge cannot read it as a policy ({why}): it may allow anything; check it by hand"
            ),
        }
    }
}

/// What is a role's own when it is removed: the inline policies (by name) and attached managed
/// policies (by ARN) its owner put there.
pub(crate) struct Own<'a> {
    pub inline: &'a [&'a str],
    pub attached: &'a BTreeSet<String>,
}

/// A role its owner may delete, removed: its own inline policies and attachments (`attached`: the
/// ARNs attached to it, as the caller read them), then the role (`why`: the delete's detail). An
/// instance profile holding it refuses the whole removal before anything changes
/// (`aws.role_in_instance_profile`: IAM refuses DeleteRole then, and Trustbridge never changes
/// instance profiles, forced or not); so does a policy that is not the owner's
/// (`aws.delete_conflict`: removing only the owner's would leave theirs with the role's trust),
/// unless `force`: then their policies go too.
pub(crate) async fn role_removal(
    s: &Session,
    name: &str,
    cur: &Current,
    attached: BTreeSet<String>,
    own: Own<'_>,
    force: bool,
    why: Vec<String>,
) -> Result<Vec<Change>, CloudError> {
    let profiles = s
        .call("iam:ListInstanceProfilesForRole", || async {
            s.iam
                .list_instance_profiles_for_role()
                .role_name(name)
                .send()
                .await
                .map_err(|e| s.classify("iam:ListInstanceProfilesForRole", e))
        })
        .await?;
    let profiles: Vec<String> = profiles.instance_profiles().iter().map(|p| p.instance_profile_name().to_string()).collect();
    if !profiles.is_empty() {
        return Err(CloudError::RoleInInstanceProfile { role: name.to_string(), profiles });
    }
    if !force {
        let mut foreign: Vec<String> =
            cur.inline.iter().filter(|n| !own.inline.contains(&n.as_str())).map(|n| format!("inline policy {n}")).collect();
        foreign.extend(attached.iter().filter(|a| !own.attached.contains(*a)).map(|arn| format!("managed policy {arn}")));
        if !foreign.is_empty() {
            return Err(CloudError::DeleteConflict {
                what: format!("role {name}"),
                message: format!(
                    "it has {} that Trustbridge did not add or that the plan or pack no longer names, or, named in a pack role's record, that also denies or cannot be read ({}); nothing was removed, since removing only the rest would leave whoever the role trusts able to use them",
                    if foreign.len() == 1 { "a policy" } else { "policies" },
                    foreign.join(", ")
                ),
            });
        }
    }
    let mut changes = Vec::new();
    for pname in &cur.inline {
        let detail = if own.inline.contains(&pname.as_str()) { Vec::new() } else { vec!["forced".to_string()] };
        changes.push(change(
            ChangeKind::DeleteInlinePolicy,
            format!("{name}/{pname}"),
            detail,
            Op::DeleteInline { role: name.to_string(), name: pname.clone() },
        ));
    }
    for arn in attached {
        let detail = if own.attached.contains(&arn) { Vec::new() } else { vec!["forced".to_string()] };
        changes.push(change(
            ChangeKind::DetachPolicy,
            format!("{arn} from role {name}"),
            detail,
            Op::Detach { role: name.to_string(), arn },
        ));
    }
    changes.push(change(ChangeKind::DeleteRole, name.to_string(), why, Op::DeleteRole { role: name.to_string() }));
    Ok(changes)
}

/// Who else a customer-managed policy of the set is attached to: roles outside the set, users and
/// groups, as "role NAME", "user NAME", "group NAME" (empty when the policy does not exist).
pub(crate) async fn attached_elsewhere(s: &Session, set: &RoleSet, arn: &str) -> Result<Vec<String>, CloudError> {
    let ours = |n: &str| set.roles.iter().any(|r| r.name == n);
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = s
            .call("iam:ListEntitiesForPolicy", || async {
                s.iam
                    .list_entities_for_policy()
                    .policy_arn(arn)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:ListEntitiesForPolicy", e))
            })
            .await;
        let page = match page {
            Ok(p) => p,
            Err(CloudError::NotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        out.extend(page.policy_roles().iter().filter_map(|r| r.role_name()).filter(|n| !ours(n)).map(|n| format!("role {n}")));
        out.extend(page.policy_users().iter().filter_map(|u| u.user_name()).map(|n| format!("user {n}")));
        out.extend(page.policy_groups().iter().filter_map(|g| g.group_name()).map(|n| format!("group {n}")));
        match page.marker() {
            Some(m) if page.is_truncated() && marker.as_deref() != Some(m) => marker = Some(m.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// What is a role's own when it is removed beyond what the set names, read from the account by the
/// set's owner (a pack: what its apply would take off the role), each with why (the removal's detail):
/// inline policies by name, attached ones by ARN.
#[derive(Default)]
pub(crate) struct MoreOwn {
    pub inline: BTreeMap<String, Vec<String>>,
    pub attached: BTreeMap<String, Vec<String>>,
}

/// What removing a set that is wholly its owner's deletes, read now: each existing role as
/// [`role_removal`] removes it (someone else's policy on it refuses, unless `force`; what `more_own`
/// says of the role, read as it is now with its attached policies, is the owner's too, and its
/// removal says why), then the customer-managed policies. Ownership of the roles and policies is
/// checked by the caller first.
/// A customer-managed policy of the set attached to a role, user or group outside it refuses the
/// whole removal before anything changes, forced or not (`aws.policy_attached_elsewhere`): IAM
/// deletes a policy only once it is detached everywhere, and someone else's role is not ours to
/// change.
pub(crate) async fn removal(
    s: &Session,
    set: &RoleSet,
    account: &str,
    force: bool,
    mut more_own: impl AsyncFnMut(&Role, &Current, &BTreeSet<String>) -> Result<MoreOwn, CloudError>,
) -> Result<Vec<Change>, CloudError> {
    for p in &set.managed_policies {
        let arn = policy_arn(set, account, &p.document.name);
        let elsewhere = attached_elsewhere(s, set, &arn).await?;
        if !elsewhere.is_empty() {
            return Err(CloudError::PolicyAttachedElsewhere { policy: p.document.name.clone(), arn, entities: elsewhere });
        }
    }
    let mut changes = Vec::new();
    for role in &set.roles {
        let Some(cur) = read_role(s, &role.name).await? else { continue };
        let attached = attached(s, &role.name).await?;
        let more = more_own(role, &cur, &attached).await?;
        let inline: Vec<&str> = role.inline.iter().map(|d| d.name.as_str()).chain(more.inline.keys().map(String::as_str)).collect();
        let mut own_attached: BTreeSet<String> = attachments(set, role, account).into_iter().collect();
        own_attached.extend(more.attached.keys().cloned());
        let own = Own { inline: &inline, attached: &own_attached };
        let mut removed = role_removal(s, &role.name, &cur, attached, own, force, Vec::new()).await?;
        for c in &mut removed {
            let why = match &c.op {
                Op::DeleteInline { name, .. } => more.inline.get(name),
                Op::Detach { arn, .. } => more.attached.get(arn),
                _ => None,
            };
            c.detail.extend(why.into_iter().flatten().cloned());
        }
        changes.extend(removed);
    }
    for p in &set.managed_policies {
        let name = &p.document.name;
        let arn = policy_arn(set, account, name);
        if policy_tags(s, &arn).await?.is_some() {
            changes.push(change(ChangeKind::DeleteManagedPolicy, format!("managed policy {name}"), Vec::new(), Op::DeletePolicy { arn }));
        }
    }
    Ok(changes)
}
