//! Role packs (MLSpace, service roles, data sharing) against AWS: apply converges the account to
//! the pack (customer-managed policies, roles, trust, inline policies, attachments), verify reads
//! everything back and compares it semantically, revoke removes what apply created.

use std::collections::BTreeSet;
use std::time::Instant;

use serde::Serialize;
use trustbridge_core::pack::ResolvedPack;
use trustbridge_core::policy::PolicyDocument;

use super::apply::{grant_diff, read_inline, read_role, ApplyFailure, Change, ChangeKind, Op};
use super::{parse_policy, AwsSettings, CallerIdentity, ProbeResult, ProbeStatus, Session};
use crate::error::{CloudCode, CloudError};
use crate::probe::{Check, Cloud, ProbeId};

/// What apply (or revoke) did, as the same typed changes a vendor plan's apply reports
/// (`changes` empty = already converged).
#[derive(Debug, Clone, Serialize)]
pub struct PackReport {
    pub caller: CallerIdentity,
    pub changes: Vec<Change>,
}

fn policy_arn(r: &ResolvedPack, account: &str, name: &str) -> String {
    format!("arn:{}:iam::{account}:policy/{name}", r.partition)
}

async fn session(r: &ResolvedPack, settings: &AwsSettings) -> Result<(Session, CallerIdentity), CloudError> {
    let region = r.region.clone().unwrap_or_else(|| "us-east-1".into());
    let s = Session::for_region(&region, settings).await;
    let me = s.caller_identity().await?;
    if let Some(want) = &r.account {
        if *want != me.account {
            return Err(CloudError::AccountMismatch { expected: want.clone(), actual: me.account.clone(), arn: me.arn.clone() });
        }
    }
    Ok((s, me))
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

async fn attached(s: &Session, role: &str) -> Result<BTreeSet<String>, CloudError> {
    let out = s
        .call("iam:ListAttachedRolePolicies", || async {
            s.iam.list_attached_role_policies().role_name(role).send().await.map_err(|e| s.classify("iam:ListAttachedRolePolicies", e))
        })
        .await?;
    Ok(out.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_string)).collect())
}

/// The tags apply puts on every role and customer-managed policy of a pack, and that must be there
/// before it changes or deletes one.
fn pack_tags(r: &ResolvedPack) -> [(String, String); 2] {
    [("managed-by".to_string(), "trustbridge".to_string()), ("trustbridge-pack".to_string(), r.pack.id.clone())]
}

fn tagged_ours(r: &ResolvedPack, tags: &[(String, String)]) -> bool {
    pack_tags(r).iter().all(|want| tags.contains(want))
}

fn not_ours(r: &ResolvedPack, what: String) -> CloudError {
    CloudError::PackResourceNotOurs { what, tag: format!("managed-by=trustbridge and trustbridge-pack={}", r.pack.id) }
}

async fn policy_tags(s: &Session, arn: &str) -> Result<Option<Vec<(String, String)>>, CloudError> {
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

/// Before anything is changed or deleted: every role and customer-managed policy of the pack that
/// already exists must carry this pack's tags. A same-named role or policy someone else made is
/// never updated, attached to, or deleted (checked for all first, so nothing is half done).
async fn check_ownership(s: &Session, r: &ResolvedPack, account: &str) -> Result<(), CloudError> {
    for (name, _, _) in &r.managed_policies {
        if let Some(tags) = policy_tags(s, &policy_arn(r, account, name)).await? {
            if !tagged_ours(r, &tags) {
                return Err(not_ours(r, format!("customer-managed policy {name}")));
            }
        }
    }
    for role in &r.roles {
        if let Some(cur) = read_role(s, &role.name).await? {
            if !tagged_ours(r, &cur.tags) {
                return Err(not_ours(r, format!("role {}", role.name)));
            }
        }
    }
    Ok(())
}

fn change(kind: ChangeKind, target: String, detail: Vec<String>, op: Op) -> Change {
    Change { kind, target, detail, op }
}

/// Reads the account and lists, in order, the changes that converge it to the pack (nothing is
/// written here: this is the dry run).
async fn plan_apply(s: &Session, r: &ResolvedPack, account: &str) -> Result<Vec<Change>, CloudError> {
    let mut changes = Vec::new();
    for (name, desc, doc) in &r.managed_policies {
        let arn = policy_arn(r, account, name);
        match read_managed(s, &arn).await? {
            Some(cur) if cur.grants() == doc.grants() => {}
            Some(cur) => changes.push(change(
                ChangeKind::NewPolicyVersion,
                format!("managed policy {name}"),
                grant_diff(&cur.grants(), &doc.grants()),
                Op::NewPolicyVersion { arn, doc: doc.clone() },
            )),
            None => changes.push(change(
                ChangeKind::CreateManagedPolicy,
                format!("managed policy {name}"),
                grant_diff(&BTreeSet::new(), &doc.grants()),
                Op::CreatePolicy {
                    name: name.clone(),
                    description: if desc.is_empty() { name.clone() } else { desc.chars().take(1000).collect() },
                    doc: doc.clone(),
                    tags: pack_tags(r).to_vec(),
                },
            )),
        }
    }
    for role in &r.roles {
        let existing = read_role(s, &role.name).await?;
        let exists = existing.is_some();
        match existing {
            Some(cur) if cur.trust.grants() == role.trust.grants() => {}
            Some(cur) => changes.push(change(
                ChangeKind::UpdateTrustPolicy,
                role.name.clone(),
                grant_diff(&cur.trust.grants(), &role.trust.grants()),
                Op::UpdateTrust { role: role.name.clone(), trust: role.trust.clone() },
            )),
            None => changes.push(change(
                ChangeKind::CreateRole,
                role.name.clone(),
                grant_diff(&BTreeSet::new(), &role.trust.grants()),
                Op::CreateRole {
                    role: role.name.clone(),
                    path: "/".into(),
                    description: role.description.clone(),
                    trust: role.trust.clone(),
                    boundary: role.boundary.as_ref().map(|b| policy_arn(r, account, b)),
                    tags: pack_tags(r).to_vec(),
                },
            )),
        }
        for (pname, doc) in &role.inline {
            let cur = if exists { read_inline(s, &role.name, pname).await? } else { None };
            if cur.as_ref().is_some_and(|c| c.grants() == doc.grants()) {
                continue;
            }
            let before = cur.map(|c| c.grants()).unwrap_or_default();
            changes.push(change(
                ChangeKind::PutInlinePolicy,
                format!("{}/{pname}", role.name),
                grant_diff(&before, &doc.grants()),
                Op::PutInline { role: role.name.clone(), name: pname.clone(), doc: doc.clone() },
            ));
        }
        let have = if exists { attached(s, &role.name).await? } else { BTreeSet::new() };
        let want = role.managed.iter().map(|m| policy_arn(r, account, m)).chain(role.aws_managed_arns.iter().cloned());
        for arn in want.filter(|a| !have.contains(a)) {
            changes.push(change(
                ChangeKind::AttachPolicy,
                format!("{arn} to role {}", role.name),
                Vec::new(),
                Op::Attach { role: role.name.clone(), arn },
            ));
        }
    }
    Ok(changes)
}

/// Converges the account to the pack. Idempotent: a second run reports no changes. With
/// `dry_run`, reads everything and reports the changes it would make, writing nothing. Every
/// existing role and policy must be this pack's first; a failure part-way says what was done.
pub async fn apply_pack(r: &ResolvedPack, settings: &AwsSettings, dry_run: bool) -> Result<PackReport, ApplyFailure> {
    let (s, me) = session(r, settings).await?;
    let fail = |e: CloudError| ApplyFailure { error: e, caller: Some(me.clone()), done: Vec::new(), not_done: Vec::new() };
    check_ownership(&s, r, &me.account).await.map_err(fail)?;
    let changes = plan_apply(&s, r, &me.account).await.map_err(fail)?;
    let changes = if dry_run { changes } else { super::exec::run(&s, &me, changes).await? };
    Ok(PackReport { caller: me, changes })
}

fn probe(id: ProbeId, started: Instant, outcome: Result<String, (String, String)>) -> ProbeResult {
    let duration_ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(message) => ProbeResult { id, status: ProbeStatus::Pass, duration_ms, message, fix: None, code: None },
        Err((message, fix)) => {
            ProbeResult { id, status: ProbeStatus::Fail, duration_ms, message, fix: Some(fix), code: Some(CloudCode::PackDrift.into()) }
        }
    }
}

/// Reads every policy and role of the pack back and compares it with the pack, as grants.
pub async fn verify_pack(r: &ResolvedPack, settings: &AwsSettings) -> Result<Vec<ProbeResult>, CloudError> {
    let (s, me) = session(r, settings).await?;
    let fix = "run `trustbridge apply --plan <pack plan>` to converge".to_string();
    let mut out = Vec::new();
    for (name, _, doc) in &r.managed_policies {
        let t = Instant::now();
        let res = match read_managed(&s, &policy_arn(r, &me.account, name)).await? {
            None => Err((format!("managed policy {name} does not exist"), fix.clone())),
            Some(cur) if cur.grants() != doc.grants() => Err((format!("managed policy {name} differs from the pack"), fix.clone())),
            Some(_) => Ok(format!("managed policy {name} matches the pack")),
        };
        out.push(probe(ProbeId::on(Cloud::Aws, Check::ManagedPolicy, name.as_str()), t, res));
    }
    for role in &r.roles {
        let t = Instant::now();
        let res = match read_role(&s, &role.name).await? {
            None => Err((format!("role {} does not exist", role.name), fix.clone())),
            Some(cur) if cur.trust.grants() != role.trust.grants() => {
                Err((format!("the trust policy of {} differs from the pack", role.name), fix.clone()))
            }
            Some(_) => {
                let mut problems = Vec::new();
                for (pname, doc) in &role.inline {
                    if !read_inline(&s, &role.name, pname).await?.is_some_and(|cur| cur.grants() == doc.grants()) {
                        problems.push(format!("inline policy {pname} is missing or differs"));
                    }
                }
                let have = attached(&s, &role.name).await?;
                for arn in role.managed.iter().map(|m| policy_arn(r, &me.account, m)).chain(role.aws_managed_arns.iter().cloned()) {
                    if !have.contains(&arn) {
                        problems.push(format!("{arn} is not attached"));
                    }
                }
                if problems.is_empty() {
                    Ok(format!("role {}: trust, {} inline and {} attached policies match", role.name, role.inline.len(), have.len()))
                } else {
                    Err((format!("role {}: {}", role.name, problems.join("; ")), fix.clone()))
                }
            }
        };
        out.push(probe(ProbeId::on(Cloud::Aws, Check::Role, role.name.as_str()), t, res));
    }
    Ok(out)
}

/// Removes the pack's roles (inline policies and attachments first) and managed policies — only
/// what this pack created (checked for all first); a failure part-way says what was done.
pub async fn revoke_pack(r: &ResolvedPack, settings: &AwsSettings) -> Result<PackReport, ApplyFailure> {
    let (s, me) = session(r, settings).await?;
    let fail = |e: CloudError| ApplyFailure { error: e, caller: Some(me.clone()), done: Vec::new(), not_done: Vec::new() };
    check_ownership(&s, r, &me.account).await.map_err(fail)?;
    let mut changes = Vec::new();
    for role in &r.roles {
        let Some(cur) = read_role(&s, &role.name).await.map_err(fail)? else { continue };
        for pname in &cur.inline {
            changes.push(change(
                ChangeKind::DeleteInlinePolicy,
                format!("{}/{pname}", role.name),
                Vec::new(),
                Op::DeleteInline { role: role.name.clone(), name: pname.clone() },
            ));
        }
        for arn in attached(&s, &role.name).await.map_err(fail)? {
            changes.push(change(
                ChangeKind::DetachPolicy,
                format!("{arn} from role {}", role.name),
                Vec::new(),
                Op::Detach { role: role.name.clone(), arn },
            ));
        }
        changes.push(change(ChangeKind::DeleteRole, role.name.clone(), Vec::new(), Op::DeleteRole { role: role.name.clone() }));
    }
    for (name, _, _) in &r.managed_policies {
        let arn = policy_arn(r, &me.account, name);
        if policy_tags(&s, &arn).await.map_err(fail)?.is_some() {
            changes.push(change(ChangeKind::DeleteManagedPolicy, format!("managed policy {name}"), Vec::new(), Op::DeletePolicy { arn }));
        }
    }
    let changes = super::exec::run(&s, &me, changes).await?;
    Ok(PackReport { caller: me, changes })
}
