//! The one AWS executor. The changes come from the one engine over the model's `RoleSet`
//! (`roleset.rs`), which vendor plans (`apply.rs`) and role packs (`pack.rs`) both call after their
//! own ownership rule (a plan's one role by integration and `--adopt`, a pack's roles and policies
//! by the pack's tags), and from a vendor plan's removal (`revoke.rs`); all are typed [`Change`]s
//! whose [`Op`] names everything it touches, and [`run`] makes them in order, reporting on the
//! first failure what was done and what was not.

use aws_sdk_iam::types::Tag;
use trustbridge_core::policy::PolicyDocument;
use trustbridge_core::render::aws::{INTEGRATION_TAG, MANAGED_BY_TAG};

use super::apply::{with_principal, ApplyFailure, Change};
use super::roleset::read_role;
use super::{compact, CallerIdentity, Session};
use crate::error::CloudError;

/// One IAM write. Each names the role or policy it changes, so one executor serves every path.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    CreateRole {
        role: String,
        path: String,
        description: String,
        trust: PolicyDocument,
        boundary: Option<String>,
        tags: Vec<(String, String)>,
    },
    UpdateTrust {
        role: String,
        trust: PolicyDocument,
    },
    PutBoundary {
        role: String,
        arn: String,
    },
    DeleteBoundary {
        role: String,
    },
    TagRole {
        role: String,
        tags: Vec<(String, String)>,
    },
    UntagRole {
        role: String,
        keys: Vec<String>,
    },
    PutInline {
        role: String,
        name: String,
        doc: PolicyDocument,
    },
    DeleteInline {
        role: String,
        name: String,
    },
    Attach {
        role: String,
        arn: String,
    },
    Detach {
        role: String,
        arn: String,
    },
    DeleteRole {
        role: String,
    },
    /// A customer-managed policy (role packs).
    CreatePolicy {
        name: String,
        description: String,
        doc: PolicyDocument,
        tags: Vec<(String, String)>,
    },
    NewPolicyVersion {
        arn: String,
        doc: PolicyDocument,
    },
    DeletePolicy {
        arn: String,
    },
}

fn iam_tags(action: &str, tags: &[(String, String)]) -> Result<Vec<Tag>, CloudError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder().key(k).value(v).build().map_err(|e| CloudError::Service {
                action: action.into(),
                code: "InvalidTag".into(),
                message: e.to_string(),
            })
        })
        .collect()
}

/// A delete of something already gone is done (revoke is idempotent).
fn gone_is_done<T>(res: Result<T, CloudError>) -> Result<(), CloudError> {
    match res {
        Ok(_) | Err(CloudError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Right after CreateRole, IAM may not know the role everywhere yet: a write to the role waits
/// for it (bounded by the session's retry policy). A missing AWS-managed policy is not waited for:
/// its name is wrong, and waiting would only spend the retry budget before saying so.
async fn on_new_role<T, F, Fut>(s: &Session, action: &str, f: F) -> Result<T, CloudError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, CloudError>>,
{
    crate::retry::retry(s.settings.retry, waits_for_new_role, |_| {}, |_| async { s.call(action, &f).await }).await
}

/// What a write to a just-created role waits out: transient failures, and the role not known yet.
fn waits_for_new_role(e: &CloudError) -> bool {
    e.is_transient() || (matches!(e, CloudError::NotFound { .. }) && !e.is_missing_aws_managed_policy())
}

/// Makes one change. A create whose answer was lost counts as done when the role now there is the
/// one we would have made: tagged `managed-by=trustbridge`, none of our tags contradicted (another
/// integration's or pack's is refused), the same trust.
pub(crate) async fn execute(s: &Session, op: &Op) -> Result<(), CloudError> {
    match op {
        Op::CreateRole { role, path, description, trust, boundary, tags } => {
            let doc = compact(trust);
            let iam = iam_tags("iam:CreateRole", tags)?;
            let res = s
                .call("iam:CreateRole", || async {
                    s.iam
                        .create_role()
                        .role_name(role)
                        .path(path)
                        .assume_role_policy_document(&doc)
                        .description(description)
                        .set_permissions_boundary(boundary.clone())
                        .set_tags(Some(iam.clone()))
                        .send()
                        .await
                        .map_err(|e| s.classify("iam:CreateRole", e))
                })
                .await;
            match res {
                Ok(_) => Ok(()),
                Err(CloudError::EntityAlreadyExists { what, message }) => match read_role(s, role).await? {
                    Some(cur) if ours_as_created(&cur.tags, tags) && cur.trust.grants() == trust.grants() => Ok(()),
                    _ => Err(CloudError::EntityAlreadyExists { what: format!("role {role} ({what})"), message }),
                },
                Err(e) => Err(e),
            }
        }
        Op::UpdateTrust { role, trust } => {
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
        Op::PutBoundary { role, arn } => s
            .call("iam:PutRolePermissionsBoundary", || async {
                s.iam
                    .put_role_permissions_boundary()
                    .role_name(role)
                    .permissions_boundary(arn)
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:PutRolePermissionsBoundary", e))
            })
            .await
            .map(|_| ()),
        Op::DeleteBoundary { role } => s
            .call("iam:DeleteRolePermissionsBoundary", || async {
                s.iam
                    .delete_role_permissions_boundary()
                    .role_name(role)
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:DeleteRolePermissionsBoundary", e))
            })
            .await
            .map(|_| ()),
        Op::TagRole { role, tags } => {
            let iam = iam_tags("iam:TagRole", tags)?;
            s.call("iam:TagRole", || async {
                s.iam.tag_role().role_name(role).set_tags(Some(iam.clone())).send().await.map_err(|e| s.classify("iam:TagRole", e))
            })
            .await
            .map(|_| ())
        }
        Op::UntagRole { role, keys } => s
            .call("iam:UntagRole", || async {
                s.iam.untag_role().role_name(role).set_tag_keys(Some(keys.clone())).send().await.map_err(|e| s.classify("iam:UntagRole", e))
            })
            .await
            .map(|_| ()),
        Op::PutInline { role, name, doc } => {
            let body = compact(doc);
            on_new_role(s, "iam:PutRolePolicy", || async {
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
        Op::DeleteInline { role, name } => gone_is_done(
            s.call("iam:DeleteRolePolicy", || async {
                s.iam.delete_role_policy().role_name(role).policy_name(name).send().await.map_err(|e| s.classify("iam:DeleteRolePolicy", e))
            })
            .await,
        ),
        Op::Attach { role, arn } => on_new_role(s, "iam:AttachRolePolicy", || async {
            s.iam.attach_role_policy().role_name(role).policy_arn(arn).send().await.map_err(|e| s.classify("iam:AttachRolePolicy", e))
        })
        .await
        .map(|_| ()),
        Op::Detach { role, arn } => gone_is_done(
            s.call("iam:DetachRolePolicy", || async {
                s.iam.detach_role_policy().role_name(role).policy_arn(arn).send().await.map_err(|e| s.classify("iam:DetachRolePolicy", e))
            })
            .await,
        ),
        Op::DeleteRole { role } => gone_is_done(
            s.call("iam:DeleteRole", || async {
                s.iam.delete_role().role_name(role).send().await.map_err(|e| s.classify("iam:DeleteRole", e))
            })
            .await,
        ),
        Op::CreatePolicy { name, description, doc, tags } => {
            let body = compact(doc);
            let iam = iam_tags("iam:CreatePolicy", tags)?;
            s.call("iam:CreatePolicy", || async {
                s.iam
                    .create_policy()
                    .policy_name(name)
                    .description(description)
                    .policy_document(&body)
                    .set_tags(Some(iam.clone()))
                    .send()
                    .await
                    .map_err(|e| s.classify("iam:CreatePolicy", e))
            })
            .await
            .map(|_| ())
        }
        Op::NewPolicyVersion { arn, doc } => {
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
        Op::DeletePolicy { arn } => {
            drop_old_versions(s, arn).await?;
            gone_is_done(
                s.call("iam:DeletePolicy", || async {
                    s.iam.delete_policy().policy_arn(arn).send().await.map_err(|e| s.classify("iam:DeletePolicy", e))
                })
                .await,
            )
        }
    }
}

/// The role found after a lost create answer is the one we would have made: every tag we put on
/// it is there — only the integration tag may be missing (older versions did not set it; a pack's
/// tag never may, so a vendor plan's role is never taken for a pack's).
fn ours_as_created(found: &[(String, String)], ours: &[(String, String)]) -> bool {
    let managed = found.iter().any(|(k, v)| k == MANAGED_BY_TAG.0 && v == MANAGED_BY_TAG.1);
    managed
        && ours
            .iter()
            .all(|(k, v)| found.contains(&(k.clone(), v.clone())) || (k == INTEGRATION_TAG && found.iter().all(|(fk, _)| fk != k)))
}

/// A policy's versions, oldest first: (id, is the default). None when the policy is gone. IAM keeps
/// at most five, in one page.
pub(crate) async fn policy_versions(s: &Session, arn: &str) -> Result<Option<Vec<(String, bool)>>, CloudError> {
    let out = match s
        .call("iam:ListPolicyVersions", || async {
            s.iam.list_policy_versions().policy_arn(arn).send().await.map_err(|e| s.classify("iam:ListPolicyVersions", e))
        })
        .await
    {
        Ok(v) => v,
        Err(CloudError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut versions: Vec<(String, bool)> =
        out.versions().iter().map(|v| (v.version_id().unwrap_or_default().to_string(), v.is_default_version())).collect();
    // "v10" after "v9": by number, not by text.
    versions.sort_by_key(|(id, _)| (id.trim_start_matches('v').parse::<u64>().unwrap_or(u64::MAX), id.clone()));
    Ok(Some(versions))
}

/// Deletes every non-default version of a policy (IAM keeps at most five; a policy with versions
/// left cannot be deleted). A policy that is gone has none.
async fn drop_old_versions(s: &Session, arn: &str) -> Result<(), CloudError> {
    for (id, _) in policy_versions(s, arn).await?.unwrap_or_default().into_iter().filter(|(_, default)| !default) {
        s.call("iam:DeletePolicyVersion", || async {
            s.iam.delete_policy_version().policy_arn(arn).version_id(&id).send().await.map_err(|e| s.classify("iam:DeletePolicyVersion", e))
        })
        .await?;
    }
    Ok(())
}

/// Makes `changes` in order; on the first failure, says what was done and what was not (the
/// failing change first), with who was refused filled into an AccessDenied.
pub(crate) async fn run(s: &Session, me: &CallerIdentity, changes: Vec<Change>) -> Result<Vec<Change>, ApplyFailure> {
    let mut done = Vec::new();
    let mut rest = changes.into_iter();
    while let Some(c) = rest.next() {
        if let Err(e) = execute(s, &c.op).await {
            let mut not_done = vec![c];
            not_done.extend(rest);
            return Err(ApplyFailure { error: with_principal(e, me), caller: Some(me.clone()), done, not_done });
        }
        done.push(c);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::{ours_as_created, waits_for_new_role};
    use crate::error::CloudError;

    #[test]
    fn a_new_role_is_waited_for_but_a_wrong_aws_managed_policy_is_not() {
        let nf = |what: &str| CloudError::NotFound { what: what.into() };
        assert!(waits_for_new_role(&nf("The role with name r cannot be found.")));
        assert!(waits_for_new_role(&CloudError::Throttled { action: "iam:AttachRolePolicy".into(), message: "m".into() }));
        assert!(!waits_for_new_role(&nf("Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.")));
        assert!(!waits_for_new_role(&CloudError::AccessDenied { action: "a".into(), principal: "p".into(), message: "m".into() }));
    }

    fn t(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn a_lost_create_is_done_only_for_the_role_we_would_have_made() {
        let ours = [t("managed-by", "trustbridge"), t("trustbridge-integration", "AWS_01")];
        assert!(ours_as_created(&ours, &ours));
        // An older version's role: no integration tag, still ours.
        assert!(ours_as_created(&[t("managed-by", "trustbridge")], &ours));
        // Another integration's, or nobody's.
        assert!(!ours_as_created(&[t("managed-by", "trustbridge"), t("trustbridge-integration", "AWS_02")], &ours));
        assert!(!ours_as_created(&[t("trustbridge-integration", "AWS_01")], &ours));
        assert!(!ours_as_created(&[], &ours));
        // A pack's role must carry the pack's tag: a vendor plan's role is not the pack's.
        let pack = [t("managed-by", "trustbridge"), t("trustbridge-pack", "mlspace")];
        assert!(ours_as_created(&pack, &pack));
        assert!(!ours_as_created(&[t("managed-by", "trustbridge"), t("trustbridge-integration", "AWS_01")], &pack));
        assert!(!ours_as_created(&[t("managed-by", "trustbridge"), t("trustbridge-pack", "other")], &pack));
    }
}
