//! Role packs (MLSpace, service roles, data sharing) against AWS. A pack lowers into the model's
//! `RoleSet` and runs through the same engine as a vendor plan (`roleset.rs`: the diff, drift and
//! removal; `exec.rs`: the writes). What is the pack's own is its ownership rule: every role and
//! customer-managed policy it names that already exists must carry its tags.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use trustbridge_core::model::aws::{Role, RoleSet, AWS_MANAGED_RECORD_TAG, INLINE_RECORD_TAG};
use trustbridge_core::pack::ResolvedPack;

use super::apply::{ApplyFailure, Change, ChangeKind};
use super::exec::Op;
use super::roleset::{
    self, attached, attached_elsewhere, attachments, inline_only_allows, only_allows, owner_tags, policy_arn, policy_tags, read_role,
    Current, Existing,
};
use super::{AwsSettings, CallerIdentity, ProbeResult, Session};
use crate::error::CloudError;

/// What apply (or revoke) did, as the same typed changes a vendor plan's apply reports
/// (`changes` empty = already converged).
#[derive(Debug, Clone, Serialize)]
pub struct PackReport {
    pub caller: CallerIdentity,
    pub changes: Vec<Change>,
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

fn tagged_ours(set: &RoleSet, tags: &[(String, String)]) -> bool {
    owner_tags(set).iter().all(|want| tags.contains(want))
}

fn not_ours(set: &RoleSet, what: String) -> CloudError {
    CloudError::PackResourceNotOurs { what, tag: format!("managed-by=trustbridge and {}={}", set.owner.key, set.owner.value) }
}

/// Before anything is changed or deleted: every role and customer-managed policy of the pack that
/// already exists must carry this pack's tags. A same-named role or policy someone else made is
/// never updated, attached to, or deleted (checked for all first, so nothing is half done).
async fn check_ownership(s: &Session, set: &RoleSet, account: &str) -> Result<(), CloudError> {
    for p in &set.managed_policies {
        if let Some(tags) = policy_tags(s, &policy_arn(set, account, &p.document.name)).await? {
            if !tagged_ours(set, &tags) {
                return Err(not_ours(set, format!("customer-managed policy {}", p.document.name)));
            }
        }
    }
    for role in &set.roles {
        if let Some(cur) = read_role(s, &role.name).await? {
            if !tagged_ours(set, &cur.tags) {
                return Err(not_ours(set, format!("role {}", role.name)));
            }
        }
    }
    Ok(())
}

/// Which customer-managed policies of the account apply may take off the pack's roles, read once
/// each: this account's (`arn:PARTITION:iam::ACCOUNT:policy/`; AWS's and other accounts' never),
/// carrying every one of the pack's owner tags, and only allowing — one that denies anything, or
/// that Trustbridge cannot read, stays whatever its tags say (tags are not proof enough to lift a
/// denial: someone allowed to tag a policy may not be allowed to detach it).
struct OwnPolicies<'a> {
    set: &'a RoleSet,
    local: String,
    known: BTreeMap<String, bool>,
}

impl OwnPolicies<'_> {
    /// Whether `arn` is a pack's own policy met so far that the pack no longer has at all (`named`:
    /// the ARNs of the policies it has, [`named_arns`]).
    fn no_longer_had(&self, arn: &str, named: &[String]) -> bool {
        self.known.get(arn) == Some(&true) && !named.iter().any(|n| n == arn)
    }

    async fn removable(&mut self, s: &Session, arn: &str) -> Result<bool, CloudError> {
        if !arn.starts_with(&self.local) {
            return Ok(false);
        }
        if let Some(known) = self.known.get(arn) {
            return Ok(*known);
        }
        let own = policy_tags(s, arn).await?.is_some_and(|tags| tagged_ours(self.set, &tags)) && only_allows(s, arn).await?;
        self.known.insert(arn.to_string(), own);
        Ok(own)
    }
}

/// IAM's limit on a role's tags.
const MAX_ROLE_TAGS: usize = 50;

/// A role's tag of `key`, as IAM compares keys (case aside).
fn tag<'c>(cur: &'c Current, key: &str) -> Option<&'c (String, String)> {
    cur.tags.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))
}

/// The names a role's record of `key` holds now, once each (none without one).
fn recorded<'c>(cur: &'c Current, key: &str) -> BTreeSet<&'c str> {
    tag(cur, key).map(|(_, v)| v.split(' ').filter(|n| !n.is_empty()).collect()).unwrap_or_default()
}

const RECORDED_WHY: &str = "the role's record tag says the pack put it on this role, and the pack no longer names it there";

/// The inline policies on a pack's role that its record names and the pack no longer does there,
/// each only allowing (see [`INLINE_RECORD_TAG`]).
async fn retired_inline<'c>(s: &Session, role: &Role, cur: &'c Current) -> Result<Vec<&'c str>, CloudError> {
    let mut retired = Vec::new();
    for name in recorded(cur, INLINE_RECORD_TAG) {
        if cur.inline.iter().any(|n| n == name)
            // IAM does not tell names apart by case: a pack renaming one only by case keeps it.
            && !role.inline.iter().any(|d| d.name.eq_ignore_ascii_case(name))
            && inline_only_allows(s, &role.name, name).await?
        {
            retired.push(name);
        }
    }
    Ok(retired)
}

/// Why a policy attached to a pack's role that the pack does not name there may come off it: the
/// pack's own (see [`OwnPolicies`]), or an AWS-managed one the role's record names, only allowing.
/// None: it stays.
async fn detach_why(s: &Session, own: &mut OwnPolicies<'_>, cur: &Current, arn: &str) -> Result<Option<&'static str>, CloudError> {
    if own.removable(s, arn).await? {
        return Ok(Some("the pack's own policy, which the pack no longer names on this role"));
    }
    let aws = own.set.aws_managed_prefix();
    let recorded_aws = arn.strip_prefix(&aws).is_some_and(|n| recorded(cur, AWS_MANAGED_RECORD_TAG).contains(n));
    Ok((recorded_aws && only_allows(s, arn).await?).then_some(RECORDED_WHY))
}

/// The ARNs of the customer-managed policies the set has, in `account`.
fn named_arns(set: &RoleSet, account: &str) -> Vec<String> {
    set.managed_policies.iter().map(|p| policy_arn(set, account, &p.document.name)).collect()
}

/// The pack's own policies met so far (`own`) that the pack no longer has at all, but those in
/// `keep`, each with whatever outside the pack still uses it (IAM deletes only a policy nothing
/// uses).
async fn dropped_own(
    s: &Session,
    set: &RoleSet,
    account: &str,
    own: &OwnPolicies<'_>,
    keep: &[String],
) -> Result<Vec<(String, Vec<String>)>, CloudError> {
    let named = named_arns(set, account);
    let mut out = Vec::new();
    for arn in own.known.keys() {
        if own.no_longer_had(arn, &named) && !keep.contains(arn) {
            out.push((arn.clone(), attached_elsewhere(s, set, arn).await?));
        }
    }
    Ok(out)
}

/// What a pack's revoke says of the pack's own policy that the pack no longer has, which it detaches
/// from the pack's roles and keeps: the pack's tags name the pack, not one plan of it, so another
/// plan of the same pack in the account may hold it (some such policies are attached nowhere by
/// design); a person who knows it is no one's deletes it.
fn kept_dropped(arn: &str) -> String {
    format!(
        "the pack no longer has it; it stays in the account (the pack's tags name the pack, not this plan of it, so another plan of the same pack may use it); if none does: aws iam list-policy-versions --policy-arn {arn}, aws iam delete-policy-version --policy-arn {arn} --version-id ID for each version but the default, then aws iam delete-policy --policy-arn {arn}"
    )
}

/// Deletes a pack's own policy that the pack no longer has and nothing outside it uses.
fn delete_dropped(arn: String) -> Change {
    Change {
        kind: ChangeKind::DeleteManagedPolicy,
        target: format!("managed policy {}", arn.rsplit('/').next().unwrap_or(&arn)),
        detail: vec![
            "the pack's own policy, which the pack no longer has; nothing outside the pack uses it".into(),
            format!(
                "should this stop before it, delete it by hand: its versions other than the default first (aws iam list-policy-versions --policy-arn {arn}, then aws iam delete-policy-version --policy-arn {arn} --version-id ID for each), then aws iam delete-policy --policy-arn {arn}"
            ),
        ],
        op: Op::DeletePolicy { arn },
    }
}

/// The tag changes that bring an existing role's records up to date (made last: see
/// [`INLINE_RECORD_TAG`]). A record that would take the role past IAM's 50 tags is not made.
fn record_changes(name: &str, wanted: [(&str, Option<String>); 2], cur: &Current) -> Vec<Change> {
    let (mut put, mut drop, mut why) = (Vec::new(), Vec::new(), Vec::new());
    let mut wanted_new = Vec::new();
    for (key, want) in wanted {
        let have = tag(cur, key);
        match (want, have) {
            // The key as the role spells it: IAM replaces its value.
            (Some(v), Some((k, now))) if !v.is_empty() && *now != v => put.push((k.clone(), v)),
            (Some(v), Some(_)) if !v.is_empty() => {}
            (Some(v), None) if !v.is_empty() => wanted_new.push((key.to_string(), v)),
            (Some(_), Some((k, _))) => {
                drop.push(k.clone());
                why.push(format!("remove tag {k}: the pack puts nothing of this kind on the role now"));
            }
            (None, Some((k, _))) => {
                drop.push(k.clone());
                why.push(format!(
                    "remove tag {k}: the names do not fit in a tag (a comma, a space or another character a tag value cannot hold, or over 256 characters), so what the pack drops later stays on the role for verify to report"
                ));
            }
            _ => {}
        }
    }
    // A new key counts against IAM's 50 tags, after the keys taken off in the same run.
    let room = MAX_ROLE_TAGS.saturating_sub(cur.tags.len() - drop.len());
    put.extend(wanted_new.into_iter().take(room));
    let name = name.to_string();
    let mut out = Vec::new();
    if !drop.is_empty() {
        out.push(Change {
            kind: ChangeKind::UntagRole,
            target: name.clone(),
            detail: why,
            op: Op::UntagRole { role: name.clone(), keys: drop },
        });
    }
    if !put.is_empty() {
        let detail = put
            .iter()
            .map(|(k, v)| format!("tag {k}={v} (what the pack puts on the role: a later apply takes off what the pack drops)"))
            .collect();
        out.push(Change { kind: ChangeKind::TagRole, target: name.clone(), detail, op: Op::TagRole { role: name.clone(), tags: put } });
    }
    out
}

/// A dry run's changes, each in full (its lines of detail too): what a confirmed apply must still be.
pub fn listing(changes: &[Change]) -> Vec<String> {
    changes.iter().map(|c| c.to_string()).collect()
}

/// The changes of a pack's apply that take something off (or replace it), one line each as the dry
/// run lists them: what the window's confirmation names.
pub fn removals(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .filter(|c| {
            use ChangeKind::*;
            // A boundary put where there was none adds a limit; one replacing another takes that off.
            let replaces = c.kind == PutPermissionsBoundary && !c.detail.first().is_some_and(|d| d.starts_with("none →"));
            replaces || matches!(c.kind, DetachPolicy | DeleteManagedPolicy | DeleteInlinePolicy | DeletePermissionsBoundary | DeleteRole)
        })
        .map(|c| {
            let line = c.to_string().lines().next().unwrap_or_default().to_string();
            // A boundary's change says from what to what (`old → new`).
            match (c.kind, c.detail.first()) {
                (ChangeKind::PutPermissionsBoundary | ChangeKind::DeletePermissionsBoundary, Some(d)) => {
                    format!("{line}: {}", trustbridge_core::validate::one_line(d))
                }
                _ => line,
            }
        })
        .collect()
}

/// Reads the account and lists, in order, the changes that converge it to the pack (nothing is
/// written here: this is the dry run). Every role it names is the pack's own (checked first).
///
/// Apply adds and updates; the only policies it takes off a role are the pack's own (see
/// [`OwnPolicies`]) that the pack no longer names on that role — detached, and deleted in the same
/// run once the pack has dropped them and nothing outside it uses them —, the allow-only inline and
/// AWS-managed policies the role's record says apply put there (see [`INLINE_RECORD_TAG`]) and the
/// pack no longer names, and a boundary that is one of the policies the pack names. A policy
/// someone else made stays on the pack's roles, however it reads, and so does a boundary that is
/// not one of the pack's named policies: verify reports them.
async fn plan_apply(s: &Session, set: &RoleSet, account: &str) -> Result<Vec<Change>, CloudError> {
    let mut own = OwnPolicies { set, local: format!("arn:{}:iam::{account}:policy/", set.partition), known: BTreeMap::new() };
    let mut changes = roleset::policy_changes(s, set, account).await?;
    let mut detaches = Vec::new();
    let mut boundaries = Vec::new();
    let mut tags = Vec::new();
    for role in &set.roles {
        let Some(cur) = read_role(s, &role.name).await? else {
            let record = set.records(role).into_iter().filter_map(|(k, v)| Some((k.to_string(), v.filter(|v| !v.is_empty())?)));
            changes.extend(roleset::create_role(set, role, account, record.collect()));
            continue;
        };
        let retired = retired_inline(s, role, &cur).await?;
        // Only a boundary that is one of the pack's own policies is the pack's to take off: one
        // someone else put on the role (their guardrail) stays.
        // (Taking a boundary off widens the role: a dropped policy of the pack's own that is still a
        // role's boundary stays, and is not deleted below.)
        let own_boundary =
            cur.boundary.as_ref().is_some_and(|b| set.managed_policies.iter().any(|p| policy_arn(set, account, &p.document.name) == *b));
        let ex = Existing {
            cur: &cur,
            trust: role.trust.policy.clone(),
            own_boundary,
            add_tags: true,
            retired: &retired,
            retired_why: RECORDED_WHY,
        };
        let role_changes = roleset::update_role(s, set, role, account, ex).await?;
        // The boundary the role keeps after apply (one replaced or taken off is not).
        let replaced =
            role_changes.iter().any(|c| matches!(c.kind, ChangeKind::PutPermissionsBoundary | ChangeKind::DeletePermissionsBoundary));
        boundaries.extend(cur.boundary.clone().filter(|_| !replaced));
        changes.extend(role_changes);
        let want = attachments(set, role, account);
        for arn in attached(s, &role.name).await? {
            if want.contains(&arn) {
                continue;
            }
            let Some(why) = detach_why(s, &mut own, &cur, &arn).await? else { continue };
            detaches.push(Change {
                kind: ChangeKind::DetachPolicy,
                target: format!("{arn} from role {}", role.name),
                detail: vec![why.into()],
                op: Op::Detach { role: role.name.clone(), arn },
            });
        }
        tags.extend(record_changes(&role.name, set.records(role), &cur));
    }
    changes.extend(detaches);
    // A policy of the pack's own that the pack no longer has at all: deleted once nothing outside
    // the pack uses it; otherwise it stays, detached from the pack's roles, and is said. Found only
    // through a pack role holding it: one left detached by an earlier run is not looked for in the
    // account (the pack's tags name the pack, not this plan of it: another plan of the same pack in
    // the account holds policies with the same tags, some of them attached nowhere by design), so
    // each delete says how to finish by hand. Still a pack role's boundary (kept above): in use, kept.
    for (arn, elsewhere) in dropped_own(s, set, account, &own, &boundaries).await? {
        if elsewhere.is_empty() {
            changes.push(delete_dropped(arn));
        } else if let Some(c) = changes.iter_mut().rev().find(|c| matches!(&c.op, Op::Detach { arn: a, .. } if *a == arn)) {
            c.detail.push(format!("the pack no longer has it; it stays in the account, used by {}", elsewhere.join(", ")));
        }
    }
    changes.extend(tags);
    Ok(changes)
}

/// One sign-in for a pack's dry run, the person's confirmation and the apply: the confirmation
/// names this caller, and a sign-in changed while the person is asked does not redirect what was
/// confirmed (the SDK session keeps the credentials it resolved).
pub struct PackSession {
    s: Session,
    me: CallerIdentity,
    set: RoleSet,
}

impl PackSession {
    /// Signs in (refusing another account than the pack names).
    pub async fn connect(r: &ResolvedPack, settings: &AwsSettings) -> Result<PackSession, CloudError> {
        let (s, me) = session(r, settings).await?;
        Ok(PackSession { s, me, set: RoleSet::from_pack(r) })
    }

    /// Who the dry run and the apply act as.
    pub fn caller(&self) -> &CallerIdentity {
        &self.me
    }

    /// Converges the account to the pack. Idempotent: a second run reports no changes. With
    /// `dry_run`, reads everything and reports the changes it would make, writing nothing. Every
    /// existing role and policy must be this pack's first; a failure part-way says what was done.
    pub async fn apply(&self, dry_run: bool) -> Result<PackReport, ApplyFailure> {
        let (s, me, set) = (&self.s, &self.me, &self.set);
        let fail = |e: CloudError| ApplyFailure { error: e, caller: Some(me.clone()), done: Vec::new(), not_done: Vec::new() };
        check_ownership(s, set, &me.account).await.map_err(fail)?;
        let changes = plan_apply(s, set, &me.account).await.map_err(fail)?;
        let changes = if dry_run { changes } else { super::exec::run(s, me, changes).await? };
        Ok(PackReport { caller: me.clone(), changes })
    }

    /// Applies exactly the dry run a person confirmed (`confirmed`, its changes as `listing` words
    /// them): the account is read again, and should apply now make any other change (the account
    /// changed while they were asked: a policy attached, a trust statement added, a document
    /// edited), nothing is changed (`aws.pack_apply_changed`).
    pub async fn apply_confirmed(&self, confirmed: &[String]) -> Result<PackReport, ApplyFailure> {
        let (s, me, set) = (&self.s, &self.me, &self.set);
        let fail = |e: CloudError| ApplyFailure { error: e, caller: Some(me.clone()), done: Vec::new(), not_done: Vec::new() };
        check_ownership(s, set, &me.account).await.map_err(fail)?;
        let changes = plan_apply(s, set, &me.account).await.map_err(fail)?;
        let now = listing(&changes);
        if now != confirmed {
            let what = now.iter().find(|c| !confirmed.contains(c)).or_else(|| confirmed.iter().find(|c| !now.contains(c))).cloned();
            return Err(fail(CloudError::PackApplyChanged { what: what.unwrap_or_default().replace('\n', " ") }));
        }
        let changes = super::exec::run(s, me, changes).await?;
        Ok(PackReport { caller: me.clone(), changes })
    }
}

/// [`PackSession::apply`] on a sign-in of its own.
pub async fn apply_pack(r: &ResolvedPack, settings: &AwsSettings, dry_run: bool) -> Result<PackReport, ApplyFailure> {
    PackSession::connect(r, settings).await?.apply(dry_run).await
}

/// Reads every policy and role of the pack back and compares it with the pack, as grants.
pub async fn verify_pack(r: &ResolvedPack, settings: &AwsSettings) -> Result<Vec<ProbeResult>, CloudError> {
    let (s, me) = session(r, settings).await?;
    let fix = "run `trustbridge apply --plan <pack plan>` to converge";
    roleset::drift(&s, &RoleSet::from_pack(r), &me.account, "the pack", fix).await
}

/// Removes the pack's roles (their inline policies and attachments first) and managed policies —
/// only what this pack created (checked for all first). What apply would take off a role is the
/// pack's too, each said why (what the role's record says apply put there and the pack has since
/// dropped, allow-only; the pack's own policies it no longer names there — one the pack no longer
/// has at all is detached and kept: see [`kept_dropped`]). A policy or instance profile someone else
/// put on a pack's role refuses the removal before anything changes (`aws.delete_conflict`),
/// unless `force` removes their policies too, as a vendor plan's revoke does; a failure part-way
/// says what was done.
pub async fn revoke_pack(r: &ResolvedPack, settings: &AwsSettings, force: bool) -> Result<PackReport, ApplyFailure> {
    let (s, me) = session(r, settings).await?;
    let set = RoleSet::from_pack(r);
    let fail = |e: CloudError| ApplyFailure { error: e, caller: Some(me.clone()), done: Vec::new(), not_done: Vec::new() };
    check_ownership(&s, &set, &me.account).await.map_err(fail)?;
    let mut own = OwnPolicies { set: &set, local: format!("arn:{}:iam::{}:policy/", set.partition, me.account), known: BTreeMap::new() };
    let named = named_arns(&set, &me.account);
    let more = async |role: &Role, cur: &Current, attached: &BTreeSet<String>| {
        let mut more = roleset::MoreOwn::default();
        for name in retired_inline(&s, role, cur).await? {
            more.inline.insert(name.to_string(), vec![RECORDED_WHY.to_string()]);
        }
        let want = attachments(&set, role, &me.account);
        for arn in attached.iter().filter(|a| !want.contains(*a)) {
            let Some(why) = detach_why(&s, &mut own, cur, arn).await? else { continue };
            let mut why = vec![why.to_string()];
            if own.no_longer_had(arn, &named) {
                why.push(kept_dropped(arn));
            }
            more.attached.insert(arn.clone(), why);
        }
        Ok(more)
    };
    let changes = roleset::removal(&s, &set, &me.account, force, more).await.map_err(fail)?;
    let changes = super::exec::run(&s, &me, changes).await?;
    Ok(PackReport { caller: me, changes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: ChangeKind, target: &str, detail: &[&str]) -> Change {
        Change {
            kind,
            target: target.into(),
            detail: detail.iter().map(|d| d.to_string()).collect(),
            op: Op::DeleteRole { role: "r".into() },
        }
    }

    fn role_tagged(tags: &[(&str, &str)]) -> Current {
        Current {
            path: "/".into(),
            managed: true,
            integration: None,
            adopted: false,
            trust: trustbridge_core::policy::PolicyDocument::new(Vec::new()),
            boundary: None,
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            inline: Vec::new(),
        }
    }

    fn said(changes: &[Change]) -> Vec<String> {
        changes.iter().map(|c| c.to_string()).collect()
    }

    /// An existing role's record: made where missing, replaced where it differs (under the key as
    /// the role spells it), left where it matches, taken off when the pack puts nothing of its kind
    /// there or the names do not fit a tag; never past IAM's 50 tags.
    #[test]
    fn a_roles_record_is_brought_up_to_date_in_every_case() {
        let (i, a) = (INLINE_RECORD_TAG, AWS_MANAGED_RECORD_TAG);
        let want = |inline: Option<&str>, aws: Option<&str>| [(i, inline.map(str::to_string)), (a, aws.map(str::to_string))];
        assert!(record_changes("r", want(Some("p"), Some("")), &role_tagged(&[(i, "p")])).is_empty());
        assert_eq!(
            said(&record_changes("r", want(Some("p q"), Some("X")), &role_tagged(&[("Trustbridge-Pack-Inline", "p")]))),
            [format!(
                "tag role r\n    tag Trustbridge-Pack-Inline=p q (what the pack puts on the role: a later apply takes off what the pack drops)\n    tag {a}=X (what the pack puts on the role: a later apply takes off what the pack drops)"
            )]
        );
        let gone = record_changes("r", want(Some(""), None), &role_tagged(&[(i, "p"), (a, "X")]));
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].kind, ChangeKind::UntagRole);
        assert!(gone[0].detail[0].contains("puts nothing of this kind"), "{:?}", gone[0].detail);
        assert!(gone[0].detail[1].contains("do not fit in a tag"), "{:?}", gone[0].detail);
        assert!(matches!(&gone[0].op, Op::UntagRole { keys, .. } if *keys == [i, a]));
        assert!(record_changes("r", want(None, Some("")), &role_tagged(&[])).is_empty(), "nothing to record, nothing there");
        let full: Vec<(String, String)> = (0..49).map(|n| (format!("k{n}"), String::new())).collect();
        let full: Vec<(&str, &str)> = full.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let one = record_changes("r", want(Some("p"), Some("X")), &role_tagged(&full));
        assert!(matches!(&one[0].op, Op::TagRole { tags, .. } if tags.len() == 1), "one more tag fits, not two: {:?}", said(&one));
        // At 50, with a record taken off in the same run: room for the other, made after the untag.
        let mut fifty = full.clone();
        fifty.push((i, "p"));
        let swap = record_changes("r", want(Some(""), Some("X")), &role_tagged(&fifty));
        assert_eq!(swap.iter().map(|c| c.kind).collect::<Vec<_>>(), [ChangeKind::UntagRole, ChangeKind::TagRole], "{:?}", said(&swap));
    }

    /// What the window's question names: every removal, a boundary replaced (from what to what),
    /// never an addition.
    #[test]
    fn removals_name_what_comes_off_or_is_replaced_and_nothing_added() {
        let changes = [
            change(ChangeKind::CreateRole, "r", &["path /"]),
            change(ChangeKind::PutInlinePolicy, "r/p", &["+ grant Allow s3:GetObject"]),
            change(ChangeKind::PutPermissionsBoundary, "r", &["none → arn:aws:iam::1:policy/b"]),
            change(ChangeKind::PutPermissionsBoundary, "q", &["arn:aws:iam::1:policy/a → arn:aws:iam::1:policy/b"]),
            change(ChangeKind::DeletePermissionsBoundary, "s", &["arn:aws:iam::1:policy/a → none"]),
            change(ChangeKind::DetachPolicy, "arn:aws:iam::1:policy/a from role r", &["the pack's own policy"]),
            change(ChangeKind::DeleteManagedPolicy, "managed policy a", &[]),
        ];
        assert_eq!(
            removals(&changes),
            [
                "set permissions boundary of q: arn:aws:iam::1:policy/a → arn:aws:iam::1:policy/b",
                "remove permissions boundary of s: arn:aws:iam::1:policy/a → none",
                "detach arn:aws:iam::1:policy/a from role r",
                "delete managed policy a",
            ]
        );
        assert_eq!(listing(&changes[..1]), ["create role r\n    path /"]);
    }
}
