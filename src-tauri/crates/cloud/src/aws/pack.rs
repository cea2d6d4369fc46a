//! Role packs (MLSpace, service roles, data sharing) against AWS: apply converges the account to
//! the pack (customer-managed policies, roles, trust, inline policies, attachments), verify reads
//! everything back and compares it semantically, revoke removes what apply created.

use std::collections::BTreeSet;
use std::time::Instant;

use aws_sdk_iam::types::Tag;
use serde::Serialize;
use trustbridge_core::pack::ResolvedPack;
use trustbridge_core::policy::PolicyDocument;

use super::apply::{grant_diff, read_inline, read_role, with_principal, ApplyFailure, Change, ChangeKind, Op};
use super::{compact, parse_policy, AwsSettings, CallerIdentity, ProbeResult, ProbeStatus, Session};
use crate::error::{CloudCode, CloudError};

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

fn tag(k: &str, v: &str) -> Result<Tag, CloudError> {
    Tag::builder().key(k).value(v).build().map_err(|e| CloudError::Service {
        action: "iam:Tag".into(),
        code: "InvalidTag".into(),
        message: e.to_string(),
    })
}

/// One change of a pack's plan, executed by [`execute`]: roles and customer-managed policies by
/// name (a pack has many; a vendor plan's changes name its one role through the plan).
#[derive(Debug, Clone)]
pub enum PackOp {
    CreatePolicy { name: String, description: String, doc: PolicyDocument },
    NewPolicyVersion { arn: String, doc: PolicyDocument },
    DeletePolicy { arn: String },
    CreateRole { name: String, description: String, trust: PolicyDocument, boundary: Option<String> },
    UpdateTrust { role: String, trust: PolicyDocument },
    PutInline { role: String, name: String, doc: PolicyDocument },
    DeleteInline { role: String, name: String },
    Attach { role: String, arn: String },
    Detach { role: String, arn: String },
    DeleteRole { role: String },
}

fn change(kind: ChangeKind, target: String, detail: Vec<String>, op: PackOp) -> Change {
    Change { kind, target, detail, op: Op::Pack(op) }
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
                PackOp::NewPolicyVersion { arn, doc: doc.clone() },
            )),
            None => changes.push(change(
                ChangeKind::CreateManagedPolicy,
                format!("managed policy {name}"),
                grant_diff(&BTreeSet::new(), &doc.grants()),
                PackOp::CreatePolicy {
                    name: name.clone(),
                    description: if desc.is_empty() { name.clone() } else { desc.chars().take(1000).collect() },
                    doc: doc.clone(),
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
                PackOp::UpdateTrust { role: role.name.clone(), trust: role.trust.clone() },
            )),
            None => changes.push(change(
                ChangeKind::CreateRole,
                role.name.clone(),
                grant_diff(&BTreeSet::new(), &role.trust.grants()),
                PackOp::CreateRole {
                    name: role.name.clone(),
                    description: role.description.clone(),
                    trust: role.trust.clone(),
                    boundary: role.boundary.as_ref().map(|b| policy_arn(r, account, b)),
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
                PackOp::PutInline { role: role.name.clone(), name: pname.clone(), doc: doc.clone() },
            ));
        }
        let have = if exists { attached(s, &role.name).await? } else { BTreeSet::new() };
        let want = role.managed.iter().map(|m| policy_arn(r, account, m)).chain(role.aws_managed_arns.iter().cloned());
        for arn in want.filter(|a| !have.contains(a)) {
            changes.push(change(
                ChangeKind::AttachPolicy,
                format!("{arn} to role {}", role.name),
                Vec::new(),
                PackOp::Attach { role: role.name.clone(), arn },
            ));
        }
    }
    Ok(changes)
}

/// Runs `changes` in order; on the first failure, says what was done and what was not.
async fn run(s: &Session, r: &ResolvedPack, me: &CallerIdentity, changes: Vec<Change>) -> Result<Vec<Change>, ApplyFailure> {
    let mut done = Vec::new();
    let mut rest = changes.into_iter();
    while let Some(c) = rest.next() {
        let res = match &c.op {
            Op::Pack(op) => execute(s, r, op).await,
            _ => Err(CloudError::Service { action: "apply".into(), code: "NotAPackChange".into(), message: c.to_string() }),
        };
        if let Err(e) = res {
            let mut not_done = vec![c];
            not_done.extend(rest);
            return Err(ApplyFailure { error: with_principal(e, me), caller: Some(me.clone()), done, not_done });
        }
        done.push(c);
    }
    Ok(done)
}

/// Converges the account to the pack. Idempotent: a second run reports no changes. With
/// `dry_run`, reads everything and reports the changes it would make, writing nothing. Every
/// existing role and policy must be this pack's first; a failure part-way says what was done.
pub async fn apply_pack(r: &ResolvedPack, settings: &AwsSettings, dry_run: bool) -> Result<PackReport, ApplyFailure> {
    let (s, me) = session(r, settings).await?;
    let fail = |e: CloudError| ApplyFailure { error: e, caller: Some(me.clone()), done: Vec::new(), not_done: Vec::new() };
    check_ownership(&s, r, &me.account).await.map_err(fail)?;
    let changes = plan_apply(&s, r, &me.account).await.map_err(fail)?;
    let changes = if dry_run { changes } else { run(&s, r, &me, changes).await? };
    Ok(PackReport { caller: me, changes })
}

/// Executes one pack change.
pub(crate) async fn execute(s: &Session, r: &ResolvedPack, op: &PackOp) -> Result<(), CloudError> {
    let tags = || pack_tags(r).iter().map(|(k, v)| tag(k, v)).collect::<Result<Vec<_>, _>>();
    match op {
        PackOp::CreatePolicy { name, description, doc } => {
            let body = compact(doc);
            let tags = tags()?;
            s.call("iam:CreatePolicy", || async {
                s.iam
                    .create_policy()
                    .policy_name(name)
                    .description(description)
                    .policy_document(&body)
                    .set_tags(Some(tags.clone()))
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:CreatePolicy", e))
            })
            .await
            .map(|_| ())
        }
        PackOp::NewPolicyVersion { arn, doc } => {
            // IAM keeps five versions: drop the old ones (the policy is ours, checked first).
            drop_old_versions(s, arn).await?;
            let body = compact(doc);
            s.call("iam:CreatePolicyVersion", || async {
                s.iam
                    .create_policy_version()
                    .policy_arn(arn)
                    .policy_document(&body)
                    .set_as_default(true)
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:CreatePolicyVersion", e))
            })
            .await
            .map(|_| ())
        }
        PackOp::DeletePolicy { arn } => {
            drop_old_versions(s, arn).await?;
            match s
                .call("iam:DeletePolicy", || async {
                    s.iam.delete_policy().policy_arn(arn).send().await.map_err(|e| s.classify("iam:DeletePolicy", e))
                })
                .await
            {
                Ok(_) | Err(CloudError::NotFound { .. }) => Ok(()),
                Err(e) => Err(e),
            }
        }
        PackOp::CreateRole { name, description, trust, boundary } => {
            let doc = compact(trust);
            let tags = tags()?;
            s.call("iam:CreateRole", || async {
                s.iam
                    .create_role()
                    .role_name(name)
                    .assume_role_policy_document(&doc)
                    .description(description)
                    .set_permissions_boundary(boundary.clone())
                    .set_tags(Some(tags.clone()))
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:CreateRole", e))
            })
            .await
            .map(|_| ())
        }
        PackOp::UpdateTrust { role, trust } => {
            let doc = compact(trust);
            s.call("iam:UpdateAssumeRolePolicy", || async {
                s.iam
                    .update_assume_role_policy()
                    .role_name(role)
                    .policy_document(&doc)
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:UpdateAssumeRolePolicy", e))
            })
            .await
            .map(|_| ())
        }
        PackOp::PutInline { role, name, doc } => {
            let body = compact(doc);
            s.call("iam:PutRolePolicy", || async {
                s.iam
                    .put_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .policy_document(&body)
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:PutRolePolicy", e))
            })
            .await
            .map(|_| ())
        }
        PackOp::DeleteInline { role, name } => s
            .call("iam:DeleteRolePolicy", || async {
                s.iam.delete_role_policy().role_name(role).policy_name(name).send().await.map_err(|e| s.classify("iam:DeleteRolePolicy", e))
            })
            .await
            .map(|_| ()),
        PackOp::Attach { role, arn } => s
            .call("iam:AttachRolePolicy", || async {
                s.iam.attach_role_policy().role_name(role).policy_arn(arn).send().await.map_err(|e| s.classify("iam:AttachRolePolicy", e))
            })
            .await
            .map(|_| ()),
        PackOp::Detach { role, arn } => s
            .call("iam:DetachRolePolicy", || async {
                s.iam.detach_role_policy().role_name(role).policy_arn(arn).send().await.map_err(|e| s.classify("iam:DetachRolePolicy", e))
            })
            .await
            .map(|_| ()),
        PackOp::DeleteRole { role } => match s
            .call("iam:DeleteRole", || async {
                s.iam.delete_role().role_name(role).send().await.map_err(|e| s.classify("iam:DeleteRole", e))
            })
            .await
        {
            Ok(_) | Err(CloudError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        },
    }
}

/// Deletes every non-default version of a policy (IAM keeps at most five; a policy with versions
/// left cannot be deleted). A policy that is gone has none.
async fn drop_old_versions(s: &Session, arn: &str) -> Result<(), CloudError> {
    let versions = match s
        .call("iam:ListPolicyVersions", || async {
            s.iam.list_policy_versions().policy_arn(arn).send().await.map_err(|e| s.classify("iam:ListPolicyVersions", e))
        })
        .await
    {
        Ok(v) => v,
        Err(CloudError::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    for v in versions.versions().iter().filter(|v| !v.is_default_version()) {
        let id = v.version_id().unwrap_or_default().to_string();
        s.call("iam:DeletePolicyVersion", || async {
            s.iam.delete_policy_version().policy_arn(arn).version_id(&id).send().await.map_err(|e| s.classify("iam:DeletePolicyVersion", e))
        })
        .await?;
    }
    Ok(())
}

fn probe(id: String, started: Instant, outcome: Result<String, (String, String)>) -> ProbeResult {
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
        out.push(probe(format!("managed_policy:{name}"), t, res));
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
        out.push(probe(format!("role:{}", role.name), t, res));
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
                PackOp::DeleteInline { role: role.name.clone(), name: pname.clone() },
            ));
        }
        for arn in attached(&s, &role.name).await.map_err(fail)? {
            changes.push(change(
                ChangeKind::DetachPolicy,
                format!("{arn} from role {}", role.name),
                Vec::new(),
                PackOp::Detach { role: role.name.clone(), arn },
            ));
        }
        changes.push(change(ChangeKind::DeleteRole, role.name.clone(), Vec::new(), PackOp::DeleteRole { role: role.name.clone() }));
    }
    for (name, _, _) in &r.managed_policies {
        let arn = policy_arn(r, &me.account, name);
        if policy_tags(&s, &arn).await.map_err(fail)?.is_some() {
            changes.push(change(
                ChangeKind::DeleteManagedPolicy,
                format!("managed policy {name}"),
                Vec::new(),
                PackOp::DeletePolicy { arn },
            ));
        }
    }
    let changes = run(&s, r, &me, changes).await?;
    Ok(PackReport { caller: me, changes })
}
