//! Revoke: delete our inline policies and then the role (only a role trustbridge created for this
//! integration, unless forced), or, for a shared role (untagged, or adopted: it existed before
//! trustbridge), just remove the vendor's statements from its trust policy, our inline policies and
//! our tags. A role of another integration is refused unless forced.

use std::collections::BTreeSet;

use serde::Serialize;
use trustbridge_core::policy::PolicyDocument;
use trustbridge_core::render::aws::{INTEGRATION_TAG, MANAGED_BY_TAG};
use trustbridge_core::validate::Resolved;

use super::apply::{check_account, ApplyFailure, Change, ChangeKind, Op, ADOPTED_TAG, OUR_INLINE};
use super::roleset::{grant_diff, read_role, role_removal, Own};
use super::{aws_section, mentions_vendor, AwsSettings, CallerIdentity, Session};
use crate::changes::Removal;
use crate::error::CloudError;

#[derive(Debug, Clone, Serialize)]
pub struct RevokeReport {
    pub caller: CallerIdentity,
    pub role_arn: String,
    /// The role was deleted (false: only the vendor's access was removed from a shared role).
    pub role_deleted: bool,
    /// What was removed; empty when there was nothing to revoke.
    pub changes: Vec<Change>,
}

pub async fn revoke(r: &Resolved, settings: &AwsSettings, force: bool) -> Result<RevokeReport, ApplyFailure> {
    revoke_as(r, settings, force, Removal::Now).await
}

/// What [`revoke`] would remove, read now; nothing is changed (the report's changes are not made).
pub async fn revoke_dry_run(r: &Resolved, settings: &AwsSettings, force: bool) -> Result<RevokeReport, ApplyFailure> {
    revoke_as(r, settings, force, Removal::DryRun).await
}

/// [`revoke`] of exactly what the person confirmed: `confirmed` is the first line of each of the
/// dry run's changes. The role is read again; when what would be removed now differs (the role
/// changed in between), nothing is removed (`aws.revoke_changed`).
pub async fn revoke_confirmed(
    r: &Resolved,
    settings: &AwsSettings,
    force: bool,
    confirmed: &[String],
) -> Result<RevokeReport, ApplyFailure> {
    revoke_as(r, settings, force, Removal::Confirmed(confirmed)).await
}

async fn revoke_as(r: &Resolved, settings: &AwsSettings, force: bool, how: Removal<'_>) -> Result<RevokeReport, ApplyFailure> {
    let a = aws_section(r)?;
    let s = Session::connect(a, settings).await;
    let me = check_account(&s, a).await?;
    let fail = |e: CloudError| ApplyFailure {
        error: super::apply::with_principal(e, &me),
        caller: Some(me.clone()),
        done: Vec::new(),
        not_done: Vec::new(),
    };
    let role = a.role_name.clone();
    let Some(cur) = read_role(&s, &role).await.map_err(fail)? else {
        return Ok(RevokeReport { caller: me, role_arn: a.role_arn(), role_deleted: false, changes: Vec::new() });
    };
    // Another integration's role is not ours to touch (its own plan revokes it), unless forced.
    let integration = r.plan.integration.name.as_str();
    if let Some(other) = cur.integration.as_deref().filter(|i| *i != integration && !force) {
        return Err(fail(CloudError::RoleOtherIntegration {
            role: role.clone(),
            other: other.to_string(),
            integration: integration.to_string(),
        }));
    }
    // Only a role trustbridge created is deleted; an adopted one existed before and is kept.
    let adopted = cur.managed && cur.adopted;
    let delete_role = (cur.managed && !cur.adopted) || force;
    let mut changes = Vec::new();
    if delete_role {
        // The engine's removal of a role: Trustbridge's inline policies, then the role; someone
        // else's policy or an instance profile refuses it (a dry run says so too, so the person is
        // never asked about it), unless forced.
        let why = if cur.managed { format!("tagged {}={}", MANAGED_BY_TAG.0, MANAGED_BY_TAG.1) } else { "forced".to_string() };
        let own = Own { inline: OUR_INLINE, attached: &BTreeSet::new() };
        let attached = super::roleset::attached(&s, &role).await.map_err(fail)?;
        changes = role_removal(&s, &role, &cur, attached, own, force, vec![why]).await.map_err(fail)?;
    } else {
        // A shared role: Trustbridge's inline policies, and only the vendor's statements.
        for name in cur.inline.iter().filter(|n| OUR_INLINE.contains(&n.as_str())) {
            changes.push(Change {
                kind: ChangeKind::DeleteInlinePolicy,
                target: format!("{role}/{name}"),
                detail: Vec::new(),
                op: Op::DeleteInline { role: role.clone(), name: name.clone() },
            });
        }
        let kept: Vec<_> = cur
            .trust
            .statement
            .iter()
            .filter(|st| !PolicyDocument::new(vec![(*st).clone()]).grants().iter().any(|g| mentions_vendor(g, &a.vendor_account)))
            .cloned()
            .collect();
        if kept.len() != cur.trust.statement.len() {
            if kept.is_empty() && adopted {
                return Err(fail(CloudError::AdoptedRoleTrustsOnlyVendor { role: role.clone() }));
            }
            if kept.is_empty() {
                return Err(fail(CloudError::NotManaged { role: role.clone(), tag: format!("{}={}", MANAGED_BY_TAG.0, MANAGED_BY_TAG.1) }));
            }
            let after = PolicyDocument::new(kept);
            changes.push(Change {
                kind: ChangeKind::UpdateTrustPolicy,
                target: role.clone(),
                detail: grant_diff(&cur.trust.grants(), &after.grants()),
                op: Op::UpdateTrust { role: role.clone(), trust: after },
            });
        }
        if adopted {
            // Last: until it is done, a re-run still knows the role as adopted.
            let keys: Vec<String> = cur
                .tags
                .iter()
                .map(|(k, _)| k.clone())
                .filter(|k| k == MANAGED_BY_TAG.0 || k == INTEGRATION_TAG || k == ADOPTED_TAG.0)
                .collect();
            changes.push(Change {
                kind: ChangeKind::UntagRole,
                target: role.clone(),
                detail: vec![format!("the role existed before trustbridge adopted it: kept, without {}", keys.join(", "))],
                op: Op::UntagRole { role: role.clone(), keys },
            });
        }
    }
    if how.dry_run() {
        return Ok(RevokeReport { caller: me, role_arn: a.role_arn(), role_deleted: delete_role, changes });
    }
    if !how.allows(&changes) {
        return Err(fail(CloudError::RevokeChanged { role: role.clone() }));
    }
    let changes = super::exec::run(&s, &me, changes).await?;
    Ok(RevokeReport { caller: me, role_arn: a.role_arn(), role_deleted: delete_role, changes })
}
