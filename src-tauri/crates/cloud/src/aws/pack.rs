//! Role packs (MLSpace, service roles, data sharing) against AWS: apply converges the account to
//! the pack (customer-managed policies, roles, trust, inline policies, attachments), verify reads
//! everything back and compares it semantically, revoke removes what apply created.

use std::collections::BTreeSet;
use std::time::Instant;

use aws_sdk_iam::types::Tag;
use serde::Serialize;
use trustbridge_core::pack::ResolvedPack;
use trustbridge_core::policy::PolicyDocument;

use super::apply::{read_inline, read_role};
use super::{compact, parse_policy, AwsSettings, CallerIdentity, ProbeResult, ProbeStatus, Session};
use crate::error::CloudError;

/// What apply did (`changes` empty = already converged).
#[derive(Debug, Clone, Serialize)]
pub struct PackReport {
    pub caller: CallerIdentity,
    pub changes: Vec<String>,
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

/// Converges the account to the pack. Idempotent: a second run reports no changes. With
/// `dry_run`, reads everything and reports the changes it would make, writing nothing.
pub async fn apply_pack(r: &ResolvedPack, settings: &AwsSettings, dry_run: bool) -> Result<PackReport, CloudError> {
    let (s, me) = session(r, settings).await?;
    check_ownership(&s, r, &me.account).await?;
    let tags = pack_tags(r).iter().map(|(k, v)| tag(k, v)).collect::<Result<Vec<_>, _>>()?;
    let mut changes = Vec::new();
    for (name, desc, doc) in &r.managed_policies {
        let arn = policy_arn(r, &me.account, name);
        let body = compact(doc);
        match read_managed(&s, &arn).await? {
            Some(cur) if cur.grants() == doc.grants() => {}
            Some(_) => {
                if !dry_run {
                    s.call("iam:CreatePolicyVersion", || async {
                        s.iam
                            .create_policy_version()
                            .policy_arn(&arn)
                            .policy_document(&body)
                            .set_as_default(true)
                            .send()
                            .await
                            .map_err(|e| s.classify("iam:CreatePolicyVersion", e))
                    })
                    .await?;
                }
                changes.push(format!("updated managed policy {name} (new default version)"));
            }
            None => {
                let description = if desc.is_empty() { name.clone() } else { desc.chars().take(1000).collect() };
                if !dry_run {
                    s.call("iam:CreatePolicy", || async {
                        s.iam
                            .create_policy()
                            .policy_name(name)
                            .description(&description)
                            .policy_document(&body)
                            .set_tags(Some(tags.clone()))
                            .send()
                            .await
                            .map_err(|e| s.classify("iam:CreatePolicy", e))
                    })
                    .await?;
                }
                changes.push(format!("created managed policy {name}"));
            }
        }
    }
    for role in &r.roles {
        let trust = compact(&role.trust);
        let existing = read_role(&s, &role.name).await?;
        // In a dry run a role that does not exist yet has no policies to read.
        let exists = existing.is_some() || !dry_run;
        match existing {
            Some(cur) if cur.trust.grants() == role.trust.grants() => {}
            Some(_) => {
                if !dry_run {
                    s.call("iam:UpdateAssumeRolePolicy", || async {
                        s.iam
                            .update_assume_role_policy()
                            .role_name(&role.name)
                            .policy_document(&trust)
                            .send()
                            .await
                            .map_err(|e| s.classify("iam:UpdateAssumeRolePolicy", e))
                    })
                    .await?;
                }
                changes.push(format!("updated the trust policy of role {}", role.name));
            }
            None => {
                let boundary = role.boundary.as_ref().map(|b| policy_arn(r, &me.account, b));
                if !dry_run {
                    s.call("iam:CreateRole", || async {
                        s.iam
                            .create_role()
                            .role_name(&role.name)
                            .assume_role_policy_document(&trust)
                            .description(&role.description)
                            .set_permissions_boundary(boundary.clone())
                            .set_tags(Some(tags.clone()))
                            .send()
                            .await
                            .map_err(|e| s.classify("iam:CreateRole", e))
                    })
                    .await?;
                }
                changes.push(format!("created role {}", role.name));
            }
        }
        for (pname, doc) in &role.inline {
            if exists && read_inline(&s, &role.name, pname).await?.is_some_and(|cur| cur.grants() == doc.grants()) {
                continue;
            }
            let body = compact(doc);
            if !dry_run {
                s.call("iam:PutRolePolicy", || async {
                    s.iam
                        .put_role_policy()
                        .role_name(&role.name)
                        .policy_name(pname)
                        .policy_document(&body)
                        .send()
                        .await
                        .map_err(|e| s.classify("iam:PutRolePolicy", e))
                })
                .await?;
            }
            changes.push(format!("put inline policy {pname} on role {}", role.name));
        }
        let have = if exists { attached(&s, &role.name).await? } else { BTreeSet::new() };
        let want: Vec<String> =
            role.managed.iter().map(|m| policy_arn(r, &me.account, m)).chain(role.aws_managed_arns.iter().cloned()).collect();
        for arn in want.iter().filter(|a| !have.contains(*a)) {
            if !dry_run {
                s.call("iam:AttachRolePolicy", || async {
                    s.iam
                        .attach_role_policy()
                        .role_name(&role.name)
                        .policy_arn(arn)
                        .send()
                        .await
                        .map_err(|e| s.classify("iam:AttachRolePolicy", e))
                })
                .await?;
            }
            changes.push(format!("attached {arn} to role {}", role.name));
        }
    }
    Ok(PackReport { caller: me, changes })
}

fn probe(id: String, started: Instant, outcome: Result<String, (String, String)>) -> ProbeResult {
    let duration_ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(message) => ProbeResult { id, status: ProbeStatus::Pass, duration_ms, message, fix: None, code: None },
        Err((message, fix)) => {
            ProbeResult { id, status: ProbeStatus::Fail, duration_ms, message, fix: Some(fix), code: Some("pack.drift".into()) }
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

/// Removes the pack's roles (inline policies and attachments first) and managed policies.
pub async fn revoke_pack(r: &ResolvedPack, settings: &AwsSettings) -> Result<PackReport, CloudError> {
    let (s, me) = session(r, settings).await?;
    check_ownership(&s, r, &me.account).await?;
    let mut changes = Vec::new();
    for role in &r.roles {
        let Some(cur) = read_role(&s, &role.name).await? else { continue };
        for pname in &cur.inline {
            s.call("iam:DeleteRolePolicy", || async {
                s.iam
                    .delete_role_policy()
                    .role_name(&role.name)
                    .policy_name(pname)
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:DeleteRolePolicy", e))
            })
            .await?;
        }
        for arn in attached(&s, &role.name).await? {
            s.call("iam:DetachRolePolicy", || async {
                s.iam
                    .detach_role_policy()
                    .role_name(&role.name)
                    .policy_arn(&arn)
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:DetachRolePolicy", e))
            })
            .await?;
        }
        s.call("iam:DeleteRole", || async {
            s.iam.delete_role().role_name(&role.name).send().await.map_err(|e| s.classify("iam:DeleteRole", e))
        })
        .await?;
        changes.push(format!("deleted role {}", role.name));
    }
    for (name, _, _) in &r.managed_policies {
        let arn = policy_arn(r, &me.account, name);
        let versions = match s
            .call("iam:ListPolicyVersions", || async {
                s.iam.list_policy_versions().policy_arn(&arn).send().await.map_err(|e| s.classify("iam:ListPolicyVersions", e))
            })
            .await
        {
            Ok(v) => v,
            Err(CloudError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        for v in versions.versions().iter().filter(|v| !v.is_default_version()) {
            let id = v.version_id().unwrap_or_default().to_string();
            s.call("iam:DeletePolicyVersion", || async {
                s.iam
                    .delete_policy_version()
                    .policy_arn(&arn)
                    .version_id(&id)
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:DeletePolicyVersion", e))
            })
            .await?;
        }
        s.call("iam:DeletePolicy", || async {
            s.iam.delete_policy().policy_arn(&arn).send().await.map_err(|e| s.classify("iam:DeletePolicy", e))
        })
        .await?;
        changes.push(format!("deleted managed policy {name}"));
    }
    Ok(PackReport { caller: me, changes })
}
