//! AWS apply / verify / revoke against a real moto server, started and stopped by each test.
//! Without moto these tests FAIL, saying how to install it (`pip install 'moto[server]'`).

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;
use trustbridge_cloud::aws::{
    apply, apply_in, revoke, revoke_confirmed, revoke_dry_run, verify, AwsSettings, CallerIdentity, ChangeKind, PolicyKind, ProbeEvent,
    ProbeResult, ProbeStatus, Session, VendorCredentials,
};
use trustbridge_cloud::retry::RetryPolicy;
use trustbridge_core::render::aws::{EVENTS_POLICY_NAME, STORAGE_POLICY_NAME};

/// The plan's account on `moto`, with its bucket and bus: the settings and the plan.
async fn seeded(moto: &Moto) -> (AwsSettings, trustbridge_core::validate::Resolved) {
    let s = settings(&moto.url());
    let r = plan();
    seed(&r, &s).await;
    (s, r)
}

/// [`seeded`], then the plan applied.
async fn applied(moto: &Moto) -> (AwsSettings, trustbridge_core::validate::Resolved) {
    let (s, r) = seeded(moto).await;
    apply(&r, &s, false).await.expect("apply");
    (s, r)
}

fn no_progress(_: ProbeEvent) {}

fn by_id<'a>(rs: &'a [ProbeResult], id: &str) -> &'a ProbeResult {
    rs.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no probe {id} in {rs:#?}"))
}

fn failing(rs: &[ProbeResult]) -> Vec<&str> {
    rs.iter().filter(|r| r.status == ProbeStatus::Fail).map(|r| r.id.as_str()).collect()
}

/// Every probe passed — but `aws:permissions`, which moto (no policy simulator) lets check only
/// partly: the documents match, and it says that a boundary or SCP was not asked.
fn assert_all_green(rs: &[ProbeResult]) {
    assert!(failing(rs).is_empty(), "expected all green, got {rs:#?}");
    for r in rs {
        if r.id == "aws:permissions" {
            assert_eq!(r.status, ProbeStatus::Partial, "{r:#?}");
            assert!(r.message.contains("policy simulator was unavailable"), "{r:#?}");
            assert!(r.fix.as_deref().unwrap_or_default().contains("permissions boundary or service control policy"), "{r:#?}");
        } else {
            assert_eq!(r.status, ProbeStatus::Pass, "{r:#?}");
        }
    }
}

const CUSTOMER_PROBES: [&str; 6] = [
    "aws:credentials",
    "aws:role_exists",
    "aws:trust_policy",
    "aws:permissions",
    "aws:bucket:my-company-data-bucket",
    "aws:event_bus:retrain-events",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_then_verify_is_all_green_and_progress_is_live() {
    let moto = Moto::start();
    let (s, r) = seeded(&moto).await;

    let rep = apply(&r, &s, false).await.expect("apply");
    assert_eq!(rep.caller.account, "123456789012");
    let kinds: Vec<ChangeKind> = rep.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::CreateRole, ChangeKind::PutInlinePolicy, ChangeKind::PutInlinePolicy]);
    assert_eq!(rep.role_arn, "arn:aws:iam::123456789012:role/mlcube-platform-access");

    let events = Mutex::new(Vec::new());
    let progress = |e: ProbeEvent| events.lock().unwrap().push(e);
    let rs = verify(&r, &s, &progress).await.expect("verify");
    let ids: Vec<&str> = rs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, CUSTOMER_PROBES);
    assert_all_green(&rs);
    assert!(by_id(&rs, "aws:permissions").message.contains("policy simulator was unavailable"), "says it fell back: {rs:#?}");
    let ev = events.into_inner().unwrap();
    let started = ev.iter().filter(|e| matches!(e, ProbeEvent::Started { .. })).count();
    let finished = ev.iter().filter(|e| matches!(e, ProbeEvent::Finished(_))).count();
    assert_eq!((started, finished), (6, 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_changes_nothing_and_apply_twice_is_a_no_op() {
    let moto = Moto::start();
    let (s, r) = seeded(&moto).await;

    let dry = apply(&r, &s, true).await.expect("dry run");
    assert!(dry.dry_run);
    assert_eq!(dry.changes.len(), 3, "{:#?}", dry.changes);
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    assert!(sess.iam.get_role().role_name("mlcube-platform-access").send().await.is_err(), "dry run created the role");

    let first = apply(&r, &s, false).await.expect("apply");
    assert_eq!(first.changes.len(), 3);
    let second = apply(&r, &s, false).await.expect("apply again");
    assert!(second.changes.is_empty(), "second apply changed {:#?}", second.changes);
    let dry2 = apply(&r, &s, true).await.expect("dry run after apply");
    assert!(dry2.changes.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_named_by_exactly_the_failing_probe_and_apply_repairs_it() {
    let moto = Moto::start();
    let (s, r) = applied(&moto).await;
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let role = "mlcube-platform-access";

    // 1. A deleted inline policy.
    sess.iam.delete_role_policy().role_name(role).policy_name(STORAGE_POLICY_NAME).send().await.unwrap();
    let rs = verify(&r, &s, &no_progress).await.unwrap();
    assert_eq!(failing(&rs), ["aws:permissions"], "{rs:#?}");
    let p = by_id(&rs, "aws:permissions");
    assert!(p.message.contains("lacks") && p.message.contains("s3:GetObject"), "{}", p.message);
    assert!(p.fix.as_deref().unwrap().contains("trustbridge apply"));
    let fixed = apply(&r, &s, false).await.unwrap();
    assert_eq!(fixed.changes.len(), 1);
    assert_eq!(fixed.changes[0].target, format!("{role}/{STORAGE_POLICY_NAME}"));
    assert_all_green(&verify(&r, &s, &no_progress).await.unwrap());

    // 2. A different external id in the trust policy.
    let a = r.aws.as_ref().unwrap();
    let tampered = trustbridge_core::render::aws::trust_policy(a).to_pretty_json().replace(EXTERNAL_ID, "someone-elses-id");
    sess.iam.update_assume_role_policy().role_name(role).policy_document(tampered).send().await.unwrap();
    let rs = verify(&r, &s, &no_progress).await.unwrap();
    assert_eq!(failing(&rs), ["aws:trust_policy"], "{rs:#?}");
    let t = by_id(&rs, "aws:trust_policy");
    assert!(t.message.contains("external id 'someone-elses-id'") && t.message.contains(EXTERNAL_ID), "{}", t.message);
    assert!(t.fix.as_deref().unwrap().contains("trustbridge apply"));
    let fixed = apply(&r, &s, false).await.unwrap();
    assert_eq!(fixed.changes.iter().map(|c| c.kind).collect::<Vec<_>>(), [ChangeKind::UpdateTrustPolicy]);
    assert!(fixed.changes[0].detail.iter().any(|l| l.starts_with("- ") && l.contains("someone-elses-id")), "{:?}", fixed.changes[0].detail);
    assert_all_green(&verify(&r, &s, &no_progress).await.unwrap());

    // 3. A deleted bucket.
    sess.s3.delete_bucket().bucket(BUCKET).send().await.unwrap();
    let rs = verify(&r, &s, &no_progress).await.unwrap();
    assert_eq!(failing(&rs), [format!("aws:bucket:{BUCKET}")], "{rs:#?}");
    let b = by_id(&rs, &format!("aws:bucket:{BUCKET}"));
    assert!(b.message.contains("does not exist"), "{}", b.message);
    assert!(b.fix.as_deref().unwrap().contains(&format!("create bucket {BUCKET}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_removes_the_role_and_a_second_revoke_finds_nothing() {
    let moto = Moto::start();
    let (s, r) = applied(&moto).await;

    let rep = revoke(&r, &s, false).await.expect("revoke");
    assert!(rep.role_deleted);
    let kinds: Vec<ChangeKind> = rep.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::DeleteInlinePolicy, ChangeKind::DeleteInlinePolicy, ChangeKind::DeleteRole]);
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let e = sess.iam.get_role().role_name("mlcube-platform-access").send().await.unwrap_err();
    assert!(e.into_service_error().is_no_such_entity_exception());

    let rs = verify(&r, &s, &no_progress).await.unwrap();
    assert_eq!(failing(&rs), ["aws:role_exists"], "{rs:#?}");
    assert_eq!(by_id(&rs, "aws:trust_policy").status, ProbeStatus::Skip);
    let again = revoke(&r, &s, false).await.expect("revoke again");
    assert!(again.changes.is_empty());
}

/// A role Trustbridge made, to which someone added a policy of their own (inline, or an attached
/// managed one) or which they put in an instance profile: revoke (and its dry run) refuses before removing anything — removing only
/// Trustbridge's policies would leave the vendor's trust on theirs, and IAM refuses to delete the
/// role with them. Once their policy is gone, revoke removes the role; `--force` removes theirs too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_never_half_removes_a_role_someone_added_a_policy_to() {
    let moto = Moto::start();
    let (s, r) = applied(&moto).await;
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let role = "mlcube-platform-access";
    sess.iam
        .put_role_policy()
        .role_name(role)
        .policy_name("team-extra")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let inline = |sess: Session| async move { sess.iam.list_role_policies().role_name(role).send().await.unwrap().policy_names().len() };
    for dry in [true, false] {
        let f = if dry { revoke_dry_run(&r, &s, false).await } else { revoke(&r, &s, false).await }.unwrap_err();
        assert_eq!(f.error.code(), "aws.delete_conflict", "{}", f.error);
        assert!(f.error.to_string().contains("inline policy team-extra"), "{}", f.error);
        assert!(f.done.is_empty(), "nothing removed: {:?}", f.done);
        assert_eq!(inline(Session::connect(r.aws.as_ref().unwrap(), &s).await).await, 3, "every policy is still there");
    }
    // An attached managed policy counts the same.
    sess.iam.delete_role_policy().role_name(role).policy_name("team-extra").send().await.unwrap();
    let made = sess
        .iam
        .create_policy()
        .policy_name("team-managed")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let arn = made.policy().and_then(|p| p.arn()).unwrap().to_string();
    let arn = arn.as_str();
    sess.iam.attach_role_policy().role_name(role).policy_arn(arn).send().await.unwrap();
    let f = revoke(&r, &s, false).await.unwrap_err();
    assert!(f.error.to_string().contains(&format!("managed policy {arn}")), "{}", f.error);
    sess.iam.detach_role_policy().role_name(role).policy_arn(arn).send().await.unwrap();
    // So does an instance profile holding the role (IAM refuses DeleteRole then too).
    sess.iam.create_instance_profile().instance_profile_name("team-profile").send().await.unwrap();
    sess.iam.add_role_to_instance_profile().instance_profile_name("team-profile").role_name(role).send().await.unwrap();
    let f = revoke(&r, &s, false).await.unwrap_err();
    assert_eq!(f.error.code(), "aws.role_in_instance_profile", "{}", f.error);
    assert!(f.error.to_string().contains("instance profile(s) team-profile") && f.done.is_empty(), "{}", f.error);
    sess.iam.remove_role_from_instance_profile().instance_profile_name("team-profile").role_name(role).send().await.unwrap();
    let rep = revoke(&r, &s, false).await.expect("revoke once theirs is gone");
    assert!(rep.role_deleted);
}

/// The window's removal: a dry run names the changes (nothing removed); a removal confirmed for
/// other changes than the role now needs (someone changed it in between) removes nothing; one
/// confirmed for exactly these removes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removal_removes_only_what_was_confirmed() {
    let moto = Moto::start();
    let (s, r) = applied(&moto).await;
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;

    let dry = revoke_dry_run(&r, &s, false).await.expect("dry run");
    assert!(dry.role_deleted);
    assert_eq!(dry.changes.len(), 3);
    assert!(sess.iam.get_role().role_name(ROLE).send().await.is_ok(), "the dry run removed the role");
    let first_line = |c: &trustbridge_cloud::aws::Change| c.to_string().lines().next().unwrap().to_string();
    let confirmed: Vec<String> = dry.changes.iter().map(first_line).collect();

    // Between the confirmation and the removal, the events policy is removed by someone else:
    // what removal would do now is no longer what was confirmed.
    sess.iam.delete_role_policy().role_name(ROLE).policy_name(EVENTS_POLICY_NAME).send().await.unwrap();
    let e = revoke_confirmed(&r, &s, false, &confirmed).await.unwrap_err();
    assert_eq!(e.error.code(), "aws.revoke_changed", "{e:?}");
    assert!(sess.iam.get_role_policy().role_name(ROLE).policy_name(STORAGE_POLICY_NAME).send().await.is_ok(), "something was removed");

    // Confirmed again for what it is now: removed.
    let now: Vec<String> = revoke_dry_run(&r, &s, false).await.unwrap().changes.iter().map(first_line).collect();
    assert_eq!(now.len(), 2);
    let done = revoke_confirmed(&r, &s, false, &now).await.expect("revoke");
    assert_eq!(done.changes.len(), 2);
    assert!(sess.iam.get_role().role_name(ROLE).send().await.is_err(), "the role is still there");
}

const ROLE: &str = "mlcube-platform-access";
/// Someone else's statement in a role's trust policy.
const OPS_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Ops","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
const ADMIN_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const ADMIN_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// What a role looks like now, read back from IAM: trust grants, tags, inline names, attached ARNs.
struct RoleState {
    trust: std::collections::BTreeSet<trustbridge_core::policy::Grant>,
    tags: Vec<(String, String)>,
    inline: Vec<String>,
    attached: Vec<String>,
}

async fn role_state(sess: &Session, role: &str) -> RoleState {
    let got = sess.iam.get_role().role_name(role).send().await.expect("role exists");
    let trust = trustbridge_cloud::aws::parse_policy(got.role().unwrap().assume_role_policy_document().unwrap()).unwrap().grants();
    let tags = sess.iam.list_role_tags().role_name(role).send().await.unwrap();
    let mut tags: Vec<(String, String)> = tags.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect();
    tags.sort();
    let inline = sess.iam.list_role_policies().role_name(role).send().await.unwrap().policy_names().to_vec();
    let attached = sess.iam.list_attached_role_policies().role_name(role).send().await.unwrap();
    let attached = attached.attached_policies().iter().filter_map(|p| p.policy_arn().map(String::from)).collect();
    RoleState { trust, tags, inline, attached }
}

fn grants(doc: &str) -> std::collections::BTreeSet<trustbridge_core::policy::Grant> {
    trustbridge_core::policy::PolicyDocument::parse(doc).unwrap().grants()
}

/// An existing role trustbridge did not create: untagged, trusted by the account's own admins,
/// holding `*:*` inline and AdministratorAccess attached (moto must load AWS-managed policies).
async fn untagged_admin_role(sess: &Session) {
    sess.iam.create_role().role_name(ROLE).assume_role_policy_document(OPS_TRUST).send().await.unwrap();
    sess.iam.put_role_policy().role_name(ROLE).policy_name("admin").policy_document(ADMIN_POLICY).send().await.unwrap();
    sess.iam.attach_role_policy().role_name(ROLE).policy_arn(ADMIN_ARN).send().await.unwrap();
}

fn admin_moto() -> Moto {
    Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untagged_admin_role_is_refused_in_dry_run_and_apply_and_left_unchanged() {
    let moto = admin_moto();
    let s = settings(&moto.url());
    let r = plan();
    seed(&r, &s).await;
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    untagged_admin_role(&sess).await;

    for dry_run in [true, false] {
        let err = apply(&r, &s, dry_run).await.unwrap_err();
        assert_eq!(err.error.code(), "aws.role_not_ours", "dry_run={dry_run}: {err:?}");
        let msg = err.error.to_string();
        assert!(msg.contains(ROLE) && msg.contains("managed-by=trustbridge"), "{msg}");
        let fix = err.error.fix().unwrap();
        assert!(fix.contains("aws.role_name") && fix.contains("--adopt") && fix.contains("--dry-run"), "{fix}");
        assert!(err.done.is_empty() && err.not_done.is_empty(), "refused before any change: {err:?}");
        assert_eq!(err.caller.as_ref().unwrap().account, "123456789012");
    }
    // Nothing was changed: the vendor is not in the trust policy, no tag, no policy of ours.
    let now = role_state(&sess, ROLE).await;
    assert_eq!(now.trust, grants(OPS_TRUST));
    assert!(now.tags.is_empty(), "{:?}", now.tags);
    assert_eq!(now.inline, ["admin"]);
    assert_eq!(now.attached, [ADMIN_ARN]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopting_an_admin_role_lists_its_policies_warns_then_tags_it_and_revoke_keeps_it() {
    let moto = admin_moto();
    let s = settings(&moto.url());
    let r = plan();
    seed(&r, &s).await;
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    untagged_admin_role(&sess).await;
    // A customer-managed policy too: its default version (v2, not v1) is what is listed.
    let team = sess
        .iam
        .create_policy()
        .policy_name("team-read")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let team_arn = team.policy().unwrap().arn().unwrap().to_string();
    sess.iam
        .create_policy_version()
        .policy_arn(&team_arn)
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:role/x"}]}"#,
        )
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    sess.iam.attach_role_policy().role_name(ROLE).policy_arn(&team_arn).send().await.unwrap();
    let adopt = AwsSettings { adopt: true, ..s.clone() };

    let dry = apply(&r, &adopt, true).await.expect("dry run with adopt");
    let existing = dry.existing.as_ref().expect("adopt lists the existing policies");
    let listed: Vec<String> = existing.iter().map(|p| p.to_string()).collect();
    assert_eq!(existing.len(), 3, "{listed:#?}");
    let admin = existing.iter().find(|p| p.kind == PolicyKind::Inline && p.name == "admin").expect("inline admin listed");
    assert_eq!(admin.grants, ["Allow * on *"]);
    let aws_admin = existing.iter().find(|p| p.arn.as_deref() == Some(ADMIN_ARN)).expect("AdministratorAccess listed");
    assert_eq!(aws_admin.kind, PolicyKind::Managed);
    let team_listed = existing.iter().find(|p| p.arn.as_deref() == Some(team_arn.as_str())).expect("customer-managed listed");
    assert_eq!(team_listed.grants, ["Allow iam:* on arn:aws:iam::123456789012:role/x"], "the default version's document");
    let w = dry.warnings.join("\n");
    assert!(w.contains("inline policy admin grants more than the plan: every action ('*'), every resource ('*')"), "{w}");
    assert!(w.contains("AWS-managed policy AdministratorAccess is attached: full administrator rights"), "{w}");
    assert!(w.contains("managed policy team-read grants more than the plan: IAM wildcards (iam:*)"), "{w}");
    assert!(w.contains("also lets AWS:arn:aws:iam::123456789012:root assume it"), "{w}");
    let kinds: Vec<ChangeKind> = dry.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::TagRole, ChangeKind::UpdateTrustPolicy, ChangeKind::PutInlinePolicy, ChangeKind::PutInlinePolicy]);
    assert!(dry.changes[0].detail.iter().any(|l| l.contains("adopt")), "{:?}", dry.changes[0].detail);
    // The dry run changed nothing.
    let now = role_state(&sess, ROLE).await;
    assert!(now.tags.is_empty() && now.trust == grants(OPS_TRUST) && now.inline == ["admin"], "dry run changed the role");

    let rep = apply(&r, &adopt, false).await.expect("apply with adopt");
    assert!(!rep.managed);
    assert_eq!(rep.changes.len(), 4);
    assert!(!rep.warnings.is_empty(), "the apply report carries the warnings too");
    let now = role_state(&sess, ROLE).await;
    let tag = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(now.tags, [tag("managed-by", "trustbridge"), tag("trustbridge-adopted", "true"), tag("trustbridge-integration", "AWS_01")]);
    let a = r.aws.as_ref().unwrap();
    let ours = trustbridge_core::render::aws::trust_policy(a).grants();
    assert_eq!(now.trust, grants(OPS_TRUST).union(&ours).cloned().collect(), "adopting keeps the other statements");
    let mut inline = now.inline.clone();
    inline.sort();
    assert_eq!(inline, ["admin", EVENTS_POLICY_NAME, STORAGE_POLICY_NAME]);

    // Ours now: a re-run needs no --adopt and changes nothing.
    let again = apply(&r, &s, false).await.expect("apply again");
    assert!(again.changes.is_empty(), "{:#?}", again.changes);
    assert!(again.existing.is_none() && again.warnings.is_empty());

    // Revoke keeps a role that existed before trustbridge: only what apply added goes.
    let rev = revoke(&r, &s, false).await.expect("revoke");
    assert!(!rev.role_deleted);
    let kinds: Vec<ChangeKind> = rev.changes.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::DeleteInlinePolicy, ChangeKind::DeleteInlinePolicy, ChangeKind::UpdateTrustPolicy, ChangeKind::UntagRole],
        "{:#?}",
        rev.changes
    );
    let now = role_state(&sess, ROLE).await;
    assert_eq!(now.trust, grants(OPS_TRUST));
    assert!(now.tags.is_empty(), "{:?}", now.tags);
    assert_eq!(now.inline, ["admin"]);
    let mut attached = now.attached.clone();
    attached.sort();
    let mut want = vec![ADMIN_ARN.to_string(), team_arn.clone()];
    want.sort();
    assert_eq!(attached, want);
    // Not ours any more: apply refuses it again.
    assert_eq!(apply(&r, &s, true).await.unwrap_err().error.code(), "aws.role_not_ours");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adopted_role_that_trusts_only_the_vendor_is_not_emptied_by_revoke() {
    let moto = admin_moto();
    let s = settings(&moto.url());
    let r = plan();
    seed(&r, &s).await;
    let a = r.aws.as_ref().unwrap();
    let sess = Session::connect(a, &s).await;
    // Made by hand for the vendor (e.g. from an older setup script), untagged.
    let trust = trustbridge_core::render::aws::trust_policy(a).to_pretty_json();
    sess.iam.create_role().role_name(ROLE).assume_role_policy_document(&trust).send().await.unwrap();
    let adopt = AwsSettings { adopt: true, ..s.clone() };
    let dry = apply(&r, &adopt, true).await.expect("dry run");
    assert_eq!(dry.existing.as_ref().map(Vec::len), Some(0));
    assert!(dry.warnings.is_empty(), "nothing broader than the plan: {:?}", dry.warnings);
    apply(&r, &adopt, false).await.expect("adopt");

    let err = revoke(&r, &s, false).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.adopted_role_trusts_only_vendor", "{err:?}");
    assert!(err.error.fix().unwrap().contains("--force"));
    assert!(err.done.is_empty());
    assert_eq!(role_state(&sess, ROLE).await.inline.len(), 2, "nothing was removed");
    // A managed policy blocks DeleteRole: the forced revoke detaches it, and says so.
    sess.iam.attach_role_policy().role_name(ROLE).policy_arn(ADMIN_ARN).send().await.unwrap();
    let rev = revoke(&r, &s, true).await.expect("forced revoke");
    assert!(rev.role_deleted);
    let kinds: Vec<ChangeKind> = rev.changes.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::DeleteInlinePolicy, ChangeKind::DeleteInlinePolicy, ChangeKind::DetachPolicy, ChangeKind::DeleteRole],
        "{:#?}",
        rev.changes
    );
    assert!(rev.changes[2].target.contains(ADMIN_ARN));
    assert!(sess.iam.get_role().role_name(ROLE).send().await.is_err(), "the role is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_of_another_integration_is_refused_by_apply_and_revoke() {
    let moto = Moto::start();
    let (s, r) = seeded(&moto).await;
    apply(&r, &s, false).await.expect("integration AWS_01 creates the role");
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let before = role_state(&sess, ROLE).await;
    let other = resolved(&plan_json("123456789012").replace(r#""name":"AWS_01""#, r#""name":"AWS_02""#));
    assert_eq!(other.plan.integration.name, "AWS_02");

    for dry_run in [true, false] {
        let err = apply(&other, &s, dry_run).await.unwrap_err();
        assert_eq!(err.error.code(), "aws.role_other_integration", "{err:?}");
        let msg = err.error.to_string();
        assert!(msg.contains(ROLE) && msg.contains("'AWS_01'") && msg.contains("'AWS_02'"), "{msg}");
        assert!(err.error.fix().unwrap().contains("aws.role_name"));
        assert!(err.done.is_empty() && err.not_done.is_empty());
    }
    let err = revoke(&other, &s, false).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.role_other_integration", "{err:?}");
    assert!(err.done.is_empty());
    let now = role_state(&sess, ROLE).await;
    assert_eq!((now.trust, now.tags, now.inline.len()), (before.trust, before.tags, 2), "the other integration's role is untouched");

    // Adopting it is explicit, and says whose it was.
    let dry = apply(&other, &AwsSettings { adopt: true, ..s.clone() }, true).await.expect("dry run with adopt");
    assert!(dry.warnings.iter().any(|w| w.contains("tagged for trustbridge integration 'AWS_01'")), "{:?}", dry.warnings);
    assert!(dry.changes[0].detail.iter().any(|l| l == "tag trustbridge-integration=AWS_02"), "{:?}", dry.changes[0].detail);

    // Its own integration still revokes it.
    assert!(revoke(&r, &s, false).await.expect("revoke AWS_01").role_deleted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_trust_on_a_role_tagged_ours_is_replaced_by_the_plan_and_revoke_deletes_it() {
    // Today's behaviour, kept: a role trustbridge created holds the plan's trust only; a statement
    // someone added to it is shown as a removal in the diff and removed.
    let moto = Moto::start();
    let (s, r) = seeded(&moto).await;
    let a = r.aws.as_ref().unwrap();
    let sess = Session::connect(a, &s).await;
    let tag = |k: &str, v: &str| aws_sdk_iam::types::Tag::builder().key(k).value(v).build().unwrap();
    sess.iam
        .create_role()
        .role_name(ROLE)
        .assume_role_policy_document(OPS_TRUST)
        .tags(tag("managed-by", "trustbridge"))
        .tags(tag("trustbridge-integration", "AWS_01"))
        .send()
        .await
        .unwrap();

    let dry = apply(&r, &s, true).await.expect("dry run");
    assert!(dry.managed);
    assert_eq!(dry.changes[0].kind, ChangeKind::UpdateTrustPolicy);
    let d = &dry.changes[0].detail;
    assert!(d.iter().any(|l| l.starts_with("- ") && l.contains("arn:aws:iam::123456789012:root")), "{d:?}");
    apply(&r, &s, false).await.expect("apply");
    assert_eq!(role_state(&sess, ROLE).await.trust, trustbridge_core::render::aws::trust_policy(a).grants());
    assert_all_green(&verify(&r, &s, &no_progress).await.unwrap());
    let rev = revoke(&r, &s, false).await.expect("revoke");
    assert!(rev.role_deleted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_on_an_untagged_role_that_trusts_the_vendor_only_removes_the_vendor() {
    // A role someone shared with the vendor by hand (or an older trustbridge did): revoke without
    // --force never deletes it; it removes the vendor's statements and trustbridge's policies only.
    let moto = Moto::start();
    let (s, r) = seeded(&moto).await;
    let a = r.aws.as_ref().unwrap();
    let sess = Session::connect(a, &s).await;
    let docs = trustbridge_core::render::aws::documents(a);
    let mut shared = trustbridge_core::policy::PolicyDocument::parse(OPS_TRUST).unwrap();
    shared.statement.extend(docs.trust.statement.iter().cloned());
    sess.iam.create_role().role_name(ROLE).assume_role_policy_document(shared.to_pretty_json()).send().await.unwrap();
    for (name, doc) in docs.inline() {
        sess.iam.put_role_policy().role_name(ROLE).policy_name(name).policy_document(doc.to_pretty_json()).send().await.unwrap();
    }
    sess.iam.put_role_policy().role_name(ROLE).policy_name("admin").policy_document(ADMIN_POLICY).send().await.unwrap();

    let rev = revoke(&r, &s, false).await.expect("revoke");
    assert!(!rev.role_deleted);
    let now = role_state(&sess, ROLE).await;
    assert_eq!(now.trust, grants(OPS_TRUST));
    assert_eq!(now.inline, ["admin"]);
    let again = revoke(&r, &s, false).await.expect("revoke again");
    assert!(again.changes.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wrong_account_is_refused_before_anything_is_written() {
    let moto = Moto::start();
    let s = settings(&moto.url());
    let r = resolved(&plan_json("111111111111"));
    let err = apply(&r, &s, false).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.account_mismatch");
    assert!(err.error.fix().unwrap().contains("111111111111"));
    assert!(err.done.is_empty());
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    assert!(sess.iam.list_roles().send().await.unwrap().roles().iter().all(|x| x.role_name() != "mlcube-platform-access"));
}

/// One session for pre-flight and apply (what the CLI and the window do): apply trusts the caller
/// pre-flight found only for the plan's account, and creates the role without asking STS again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_on_preflights_session_checks_the_caller_it_was_given() {
    let moto = Moto::start();
    let (s, r) = seeded(&moto).await;
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let pre = trustbridge_cloud::aws::preflight::preflight_in(&sess, &r).await.expect("preflight");
    assert_eq!(pre.caller.account, "123456789012");

    let stranger = CallerIdentity { account: "222222222222".into(), arn: "arn:aws:iam::222222222222:user/u".into() };
    let err = apply_in(&sess, &r, false, Some(&stranger)).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.account_mismatch");
    assert!(err.done.is_empty());
    assert!(sess.iam.list_roles().send().await.unwrap().roles().iter().all(|x| x.role_name() != "mlcube-platform-access"));

    let rep = apply_in(&sess, &r, false, Some(&pre.caller)).await.expect("apply");
    assert_eq!(rep.caller, pre.caller);
    assert!(!rep.changes.is_empty());
    let rs = verify(&r, &s, &no_progress).await.expect("verify");
    assert_all_green(&rs);
}

/// Auth mode: a moto IAM user stands in for the vendor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_mode_a_wrong_external_id_is_refused_and_the_vendor_reads_only_the_permitted_bucket() {
    let moto = Moto::start();
    let r = plan();
    let open = settings(&moto.url());
    seed(&r, &open).await;
    let a = r.aws.as_ref().unwrap();
    let sess = Session::connect(a, &open).await;
    create_bucket(&sess, "another-bucket").await;
    // Before auth is on: an admin for the customer and a user standing in for the vendor.
    let admin = "arn:aws:iam::123456789012:user/customer-admin";
    sess.iam.create_user().user_name("customer-admin").send().await.unwrap();
    sess.iam
        .put_user_policy()
        .user_name("customer-admin")
        .policy_name("admin")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let k = sess.iam.create_access_key().user_name("customer-admin").send().await.unwrap();
    let k = k.access_key().unwrap();
    let customer = creds(k.access_key_id(), k.secret_access_key());
    sess.iam.create_user().user_name("vendor-standin").send().await.unwrap();
    sess.iam
        .put_user_policy()
        .user_name("vendor-standin")
        .policy_name("assume")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let k = sess.iam.create_access_key().user_name("vendor-standin").send().await.unwrap();
    let k = k.access_key().unwrap();
    let vendor = creds(k.access_key_id(), k.secret_access_key());
    sess.iam.create_user().user_name("no-iam").send().await.unwrap();
    let k = sess.iam.create_access_key().user_name("no-iam").send().await.unwrap();
    let k = k.access_key().unwrap();
    let no_iam = creds(k.access_key_id(), k.secret_access_key());
    // Apply before auth is on: moto's auth mode recomputes SigV4 over re-encoded form data (a
    // space becomes '+'), so a CreateRole whose description has spaces fails its signature check.
    let rep = apply(&r, &open, false).await.expect("apply");
    assert_eq!(rep.changes.len(), 3);
    moto.enable_auth();

    // Moto refuses unknown keys now.
    let err = apply(&r, &open, true).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.invalid_client_token", "{err:?}");

    // A user without IAM permissions: AccessDenied names the permission and who lacks it.
    let err = apply(&r, &AwsSettings { credentials: Some(no_iam), ..open.clone() }, true).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.access_denied", "{err:?}");
    assert!(err.error.to_string().contains("iam:GetRole") && err.error.to_string().contains("user/no-iam"), "{}", err.error);
    assert!(err.error.fix().unwrap().contains("lacks 'iam:GetRole'"));

    let s = AwsSettings { credentials: Some(customer), vendor: Some(VendorCredentials::Static(vendor.clone())), ..open.clone() };
    let dry = apply(&r, &s, true).await.expect("dry run as the customer admin");
    assert_eq!(dry.caller.arn, admin);

    // Moto matches trust principals only by exact ARN, so with the plan's `:root` principal the
    // stand-in is refused: the probe waits (bounded, announced) for propagation, then says so.
    let events = Mutex::new(Vec::new());
    let progress = |e: ProbeEvent| events.lock().unwrap().push(e);
    let rs = verify(&r, &s, &progress).await.unwrap();
    let p = by_id(&rs, "aws:vendor_assume_role");
    assert_eq!(p.code.as_deref(), Some("aws.role_not_assumable_yet"), "{rs:#?}");
    assert!(p.duration_ms <= 4000, "{p:#?}");
    let waits: Vec<String> = events
        .into_inner()
        .unwrap()
        .into_iter()
        .filter_map(|e| match e {
            ProbeEvent::Waiting { id, message } if id == "aws:vendor_assume_role" => Some(message),
            _ => None,
        })
        .collect();
    assert!(!waits.is_empty() && waits[0].contains("waiting for IAM to make"), "{waits:?}");
    assert_eq!(by_id(&rs, &format!("aws:vendor_list_objects:{BUCKET}")).status, ProbeStatus::Skip);

    // Narrow the vendor principal to the stand-in user's exact ARN (AWS would match the account
    // root), keeping the plan's external id condition. Compact JSON: no spaces (see above).
    let mut narrowed = trustbridge_core::render::aws::trust_policy(a);
    narrowed.statement[0].principal = trustbridge_core::render::aws::trust_policy(a).statement[0]
        .clone()
        .principal("AWS", vec!["arn:aws:iam::123456789012:user/vendor-standin".into()])
        .principal;
    let admin_sess = Session::connect(a, &s).await;
    admin_sess
        .iam
        .update_assume_role_policy()
        .role_name(&a.role_name)
        .policy_document(serde_json::to_string(&narrowed).unwrap())
        .send()
        .await
        .unwrap();

    let rs = verify(&r, &s, &no_progress).await.unwrap();
    assert_eq!(by_id(&rs, "aws:vendor_assume_role").status, ProbeStatus::Pass, "{rs:#?}");
    assert_eq!(by_id(&rs, "aws:vendor_wrong_external_id").status, ProbeStatus::Pass, "a wrong external id must be refused: {rs:#?}");
    assert_eq!(by_id(&rs, &format!("aws:vendor_list_objects:{BUCKET}")).status, ProbeStatus::Pass, "{rs:#?}");
    // Known moto limits (moto 5.x, checked here): a missing external id is not refused, and EventBridge is
    // checked against Resource "*" only. The probes report both honestly as failures.
    let none = by_id(&rs, "aws:vendor_no_external_id");
    assert_eq!(none.status, ProbeStatus::Fail);
    assert!(none.message.contains("without an external id"));
    assert_eq!(by_id(&rs, &format!("aws:vendor_put_events:{BUS}")).code.as_deref(), Some("aws.access_denied"));
    // The narrowed principal is not the plan's: the trust probe says so.
    assert_eq!(by_id(&rs, "aws:trust_policy").status, ProbeStatus::Fail);

    // As the assumed role: the permitted bucket reads, another is denied.
    let vendor_sess = Session::connect(a, &AwsSettings { credentials: Some(vendor), ..open.clone() }).await;
    let out = vendor_sess
        .sts
        .assume_role()
        .role_arn(a.role_arn())
        .role_session_name("t")
        .external_id(EXTERNAL_ID)
        .send()
        .await
        .expect("right external id assumes");
    let c = out.credentials().unwrap();
    let wrong = vendor_sess.sts.assume_role().role_arn(a.role_arn()).role_session_name("t").external_id("nope-nope").send().await;
    let refused = wrong.expect_err("a wrong external id must be refused");
    let raw = refused.raw_response().expect("an answer");
    assert_eq!(raw.status().as_u16(), 403);
    assert!(String::from_utf8_lossy(raw.body().bytes().unwrap()).contains("<Code>AccessDenied</Code>"));
    let assumed = Session::connect(
        a,
        &AwsSettings {
            credentials: Some(trustbridge_cloud::aws::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().into()),
                None,
                "t",
            )),
            ..open.clone()
        },
    )
    .await;
    assumed.s3.list_objects_v2().bucket(BUCKET).max_keys(1).send().await.expect("permitted bucket");
    let denied = assumed.s3.list_objects_v2().bucket("another-bucket").max_keys(1).send().await.unwrap_err();
    assert_eq!(denied.raw_response().map(|r| r.status().as_u16()), Some(403), "{denied:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_black_holed_endpoint_ends_every_probe_within_its_timeout() {
    let hole = BlackHole::start();
    let timeout = Duration::from_millis(1500);
    let s = AwsSettings { timeout, vendor: Some(VendorCredentials::Static(creds("vendor", "vendor"))), ..settings(&hole.url()) };
    let r = plan();
    let start = Instant::now();
    let rs = verify(&r, &s, &no_progress).await.unwrap();
    let wall = start.elapsed();
    let slack = Duration::from_millis(700);
    for p in &rs {
        match p.status {
            ProbeStatus::Fail => {
                assert_eq!(p.code.as_deref(), Some("aws.timeout"), "{p:#?}");
                assert!(Duration::from_millis(p.duration_ms) <= timeout + slack, "{p:#?}");
                assert!(
                    p.fix.as_deref().unwrap().contains("did not answer") || p.fix.as_deref().unwrap().contains("accepted the connection")
                );
            }
            ProbeStatus::Skip => assert!(
                p.id.as_str().starts_with("aws:vendor_list_objects") || p.id.as_str().starts_with("aws:vendor_put_events"),
                "{p:#?}"
            ),
            ProbeStatus::Pass | ProbeStatus::Partial => panic!("nothing can pass against a black hole: {p:#?}"),
        }
    }
    assert!(rs.iter().filter(|p| p.status == ProbeStatus::Fail).count() >= 9, "{rs:#?}");
    assert!(wall <= timeout + slack * 2, "verify took {wall:?}");

    let start = Instant::now();
    let err = apply(&r, &s, false).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.timeout");
    assert!(start.elapsed() <= timeout + slack, "apply took {:?}", start.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_reset_mid_apply_then_a_rerun_converges_without_duplicates() {
    let moto = Moto::start();
    let direct = settings(&moto.url());
    let r = plan();
    seed(&r, &direct).await;
    // Requests: 1 GetCallerIdentity, 2 GetRole, 3 CreateRole, 4 PutRolePolicy (reset after moto acted).
    let proxy = ResetProxy::start(moto.port, 4).await;
    let fragile = AwsSettings { sdk_max_attempts: 1, retry: RetryPolicy::none(), ..settings(&proxy.url()) };
    let err = apply(&r, &fragile, false).await.unwrap_err();
    assert_eq!(proxy.resets.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(err.error.code(), "aws.network", "{err:?}");
    assert_eq!(err.done.iter().map(|c| c.kind).collect::<Vec<_>>(), [ChangeKind::CreateRole], "reports what now exists");
    assert_eq!(err.not_done.len(), 2);

    // The re-run (through the same proxy, which resets no more) converges.
    let rep = apply(&r, &fragile, false).await.expect("re-run");
    assert_eq!(rep.changes.len(), 1, "only the events policy was missing: {:#?}", rep.changes);
    assert_eq!(rep.changes[0].target, format!("mlcube-platform-access/{EVENTS_POLICY_NAME}"));
    assert!(apply(&r, &fragile, false).await.unwrap().changes.is_empty());
    assert_all_green(&verify(&r, &direct, &no_progress).await.unwrap());

    let sess = Session::connect(r.aws.as_ref().unwrap(), &direct).await;
    let roles = sess.iam.list_roles().send().await.unwrap();
    assert_eq!(roles.roles().iter().filter(|x| x.role_name() == "mlcube-platform-access").count(), 1);
    let mut names = sess.iam.list_role_policies().role_name("mlcube-platform-access").send().await.unwrap().policy_names().to_vec();
    names.sort();
    assert_eq!(names, [EVENTS_POLICY_NAME, STORAGE_POLICY_NAME]);
    let tags = sess.iam.list_role_tags().role_name("mlcube-platform-access").send().await.unwrap();
    assert_eq!(tags.tags().len(), 2);

    // With the SDK's own retry on, a reset during CreateRole is absorbed in one run.
    sess.iam.delete_role_policy().role_name("mlcube-platform-access").policy_name(EVENTS_POLICY_NAME).send().await.unwrap();
    sess.iam.delete_role_policy().role_name("mlcube-platform-access").policy_name(STORAGE_POLICY_NAME).send().await.unwrap();
    sess.iam.delete_role().role_name("mlcube-platform-access").send().await.unwrap();
    let proxy = ResetProxy::start(moto.port, 3).await;
    let rep = apply(&r, &settings(&proxy.url()), false).await.expect("apply absorbs a reset during CreateRole");
    assert_eq!(proxy.resets.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(rep.changes.len(), 3);
    assert_all_green(&verify(&r, &direct, &no_progress).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sse_kms_bucket_without_a_planned_key_gets_a_kms_hint() {
    let moto = Moto::start();
    let (s, r) = applied(&moto).await;
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let by_default = aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
        .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
        .kms_master_key_id(key)
        .build()
        .unwrap();
    let conf = aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder()
        .rules(aws_sdk_s3::types::ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(by_default).build())
        .build()
        .unwrap();
    sess.s3.put_bucket_encryption().bucket(BUCKET).server_side_encryption_configuration(conf).send().await.unwrap();

    let rs = verify(&r, &s, &no_progress).await.unwrap();
    assert_eq!(failing(&rs), [format!("aws:bucket:{BUCKET}")], "{rs:#?}");
    let b = by_id(&rs, &format!("aws:bucket:{BUCKET}"));
    assert!(b.message.contains("SSE-KMS") && b.message.contains("kms:Decrypt"), "{}", b.message);
    assert!(b.fix.as_deref().unwrap().contains("kms_key_arn"));

    // With the key in the plan, apply adds kms:Decrypt (via S3 only) and the test is green.
    let with_key = resolved(
        &plan_json("123456789012")
            .replace(&format!(r#"{{"bucket":"{BUCKET}"}}"#), &format!(r#"{{"bucket":"{BUCKET}","kms_key_arn":"{key}"}}"#)),
    );
    let rep = apply(&with_key, &s, false).await.unwrap();
    assert_eq!(rep.changes.len(), 1);
    assert!(
        rep.changes[0].detail.iter().any(|l| l.starts_with("+ ") && l.contains("kms:Decrypt") && l.contains("kms:viaservice")),
        "{:?}",
        rep.changes[0].detail
    );
    let rs = verify(&with_key, &s, &no_progress).await.unwrap();
    assert_all_green(&rs);
    assert!(by_id(&rs, &format!("aws:bucket:{BUCKET}")).message.contains("SSE-KMS with the planned key"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_a_network_error_with_a_fix() {
    // A port nobody listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = settings(&format!("http://127.0.0.1:{port}"));
    let r = plan();
    let start = Instant::now();
    let err = apply(&r, &s, false).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.network", "{err:?}");
    assert!(err.error.to_string().contains("sts:GetCallerIdentity"));
    assert!(err.error.fix().unwrap().contains("AWS_ENDPOINT_URL"));
    assert!(start.elapsed() < Duration::from_secs(10), "bounded retry: {:?}", start.elapsed());
    let rs = verify(&r, &s, &no_progress).await.unwrap();
    assert!(rs.iter().all(|p| p.status == ProbeStatus::Fail && p.code.as_deref() == Some("aws.network")), "{rs:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_boundary_and_prefix_are_applied_and_converge() {
    let moto = Moto::start();
    let s = settings(&moto.url());
    let boundary = "arn:aws:iam::123456789012:policy/vendor-boundary";
    let text = plan_json("123456789012")
        .replace(r#""role_path":"/","#, &format!(r#""role_path":"/vendors/","permissions_boundary_arn":"{boundary}","#))
        .replace(&format!(r#"{{"bucket":"{BUCKET}"}}"#), &format!(r#"{{"bucket":"{BUCKET}","prefix":"training/"}}"#));
    let r = resolved(&text);
    seed(&r, &s).await;
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","events:*"],"Resource":"*"}]}"#;
    sess.iam.create_policy().policy_name("vendor-boundary").policy_document(doc).send().await.unwrap();

    let rep = apply(&r, &s, false).await.expect("apply");
    assert_eq!(rep.role_arn, "arn:aws:iam::123456789012:role/vendors/mlcube-platform-access");
    let role = sess.iam.get_role().role_name("mlcube-platform-access").send().await.unwrap();
    let role = role.role().unwrap();
    assert_eq!(role.path(), "/vendors/");
    assert_eq!(role.permissions_boundary().and_then(|b| b.permissions_boundary_arn()), Some(boundary));
    assert!(apply(&r, &s, false).await.unwrap().changes.is_empty(), "converged");
    let rs = verify(&r, &s, &no_progress).await.unwrap();
    assert_all_green(&rs);

    // Dropping the boundary from the plan removes it from our role.
    let without = resolved(&text.replace(&format!(r#""permissions_boundary_arn":"{boundary}","#), ""));
    let rep = apply(&without, &s, false).await.unwrap();
    assert_eq!(rep.changes.iter().map(|c| c.kind).collect::<Vec<_>>(), [ChangeKind::DeletePermissionsBoundary]);
    assert!(apply(&without, &s, false).await.unwrap().changes.is_empty());
}

/// The wizard fills in a bucket's region and its default KMS key instead of asking: a bucket in
/// eu-west-1 encrypted by default with a customer managed key named by its bare key id (the ARN
/// comes from KMS DescribeKey); a bucket in us-east-1 without a KMS default; a bucket that does
/// not exist is said to be unread, not guessed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buckets_region_and_default_kms_key_are_read_not_asked() {
    use trustbridge_cloud::aws::detect::bucket_facts;
    let moto = Moto::start();
    let s = settings(&moto.url());
    let eu = Session::for_region("eu-west-1", &s).await;
    eu.s3
        .create_bucket()
        .bucket("tb-eu-data")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let kms = aws_sdk_kms::Client::new(&eu.conf);
    let key = kms.create_key().send().await.unwrap().key_metadata().unwrap().clone();
    let rule = aws_sdk_s3::types::ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
                .kms_master_key_id(key.key_id())
                .build()
                .unwrap(),
        )
        .build();
    eu.s3
        .put_bucket_encryption()
        .bucket("tb-eu-data")
        .server_side_encryption_configuration(aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder().rules(rule).build().unwrap())
        .send()
        .await
        .unwrap();
    let us = Session::for_region("us-east-1", &s).await;
    us.s3.create_bucket().bucket("tb-us-data").send().await.unwrap();

    // Asked from us-east-1 (the wizard's default) about the eu-west-1 bucket.
    let f = bucket_facts("us-east-1", "aws", "tb-eu-data", &s).await.unwrap();
    assert_eq!(f.region.as_deref(), Some("eu-west-1"), "{f:?}");
    assert_eq!(f.kms_key_arn.as_deref(), key.arn(), "the bare key id is resolved to its ARN: {f:?}");
    assert!(f.unread.is_empty(), "{f:?}");

    let f = bucket_facts("us-east-1", "aws", "tb-us-data", &s).await.unwrap();
    assert_eq!((f.region.as_deref(), f.kms_key_arn.as_deref()), (Some("us-east-1"), None), "{f:?}");
    assert!(f.found.iter().any(|l| l.contains("not encrypted with a KMS key")), "{f:?}");

    let f = bucket_facts("us-east-1", "aws", "tb-nobody-has-this", &s).await.unwrap();
    assert_eq!((f.region.as_deref(), f.kms_key_arn.as_deref()), (None, None), "{f:?}");
    assert!(f.unread.iter().any(|l| l.contains("region of tb-nobody-has-this")), "{f:?}");
}
