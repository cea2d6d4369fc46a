//! Role packs against a real moto server: apply → verify green; apply twice → no change;
//! tamper → verify names the drifted role; revoke → gone. The packs are the built-in ones, with
//! the fixture plans from tests/fixtures/packs.

mod common;

use std::path::Path;

use common::*;
use trustbridge_cloud::aws::pack::{apply_pack, revoke_pack, verify_pack};
use trustbridge_cloud::aws::{AwsSettings, ChangeKind, ProbeStatus, Session};
use trustbridge_core::pack::{validate_pack, PackPlan, ResolvedPack};

/// Moto leaves AWS-managed policies out unless asked; real accounts always have them.
fn moto() -> Moto {
    Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")])
}

fn pack(name: &str) -> ResolvedPack {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/packs").join(format!("{name}.json"));
    let plan = PackPlan::from_json(&std::fs::read_to_string(p).unwrap()).unwrap();
    validate_pack(&plan, None).unwrap_or_else(|e| panic!("{name}: {e:#?}"))
}

/// A moto server with the named pack applied, and a session to look at it with (keep the server:
/// it stops when dropped).
async fn applied(name: &str) -> (Moto, AwsSettings, ResolvedPack, Session) {
    let moto = moto();
    let settings = settings(&moto.url());
    let r = pack(name);
    apply_pack(&r, &settings, false).await.unwrap();
    let s = Session::for_region("us-east-1", &settings).await;
    (moto, settings, r, s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mlspace_pack_applies_converges_verifies_and_revokes() {
    let moto = moto();
    let settings = settings(&moto.url());
    let r = pack("mlspace");

    let preview = apply_pack(&r, &settings, true).await.unwrap();
    assert!(!preview.changes.is_empty());
    assert!(verify_pack(&r, &settings).await.unwrap().iter().all(|p| p.status == ProbeStatus::Fail), "a dry run writes nothing");
    let first = apply_pack(&r, &settings, false).await.unwrap();
    let lines = |cs: &[trustbridge_cloud::aws::Change]| cs.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(lines(&first.changes), lines(&preview.changes), "the dry run announced exactly what apply did");
    assert_eq!(first.caller.account, "123456789012");
    assert!(first.changes.len() >= r.roles.len() + r.managed_policies.len(), "{:#?}", first.changes);
    let again = apply_pack(&r, &settings, false).await.unwrap();
    assert!(again.changes.is_empty(), "second apply changed {:#?}", again.changes);

    let probes = verify_pack(&r, &settings).await.unwrap();
    assert_eq!(probes.len(), r.roles.len() + r.managed_policies.len());
    assert!(probes.iter().all(|p| p.status == ProbeStatus::Pass), "{probes:#?}");

    // Tamper: detach an AWS-managed policy from the app role.
    let s = Session::for_region("us-east-1", &settings).await;
    s.iam
        .detach_role_policy()
        .role_name("mlspace-app-role")
        .policy_arn("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
        .send()
        .await
        .unwrap();
    let probes = verify_pack(&r, &settings).await.unwrap();
    let failing: Vec<&str> = probes.iter().filter(|p| p.status == ProbeStatus::Fail).map(|p| p.id.as_str()).collect();
    assert_eq!(failing, ["aws:role:mlspace-app-role"], "{probes:#?}");
    let bad = probes.iter().find(|p| p.status == ProbeStatus::Fail).unwrap();
    assert!(bad.message.contains("AWSLambdaVPCAccessExecutionRole is not attached"), "{}", bad.message);
    assert!(bad.fix.as_deref().unwrap().contains("trustbridge apply"));
    let repaired = apply_pack(&r, &settings, false).await.unwrap();
    assert_eq!(repaired.changes.len(), 1, "{:#?}", repaired.changes);

    let gone = revoke_pack(&r, &settings, false).await.unwrap();
    let deleted = gone.changes.iter().filter(|c| matches!(c.kind, ChangeKind::DeleteRole | ChangeKind::DeleteManagedPolicy)).count();
    assert_eq!(deleted, r.roles.len() + r.managed_policies.len(), "{:#?}", gone.changes);
    let probes = verify_pack(&r, &settings).await.unwrap();
    assert!(probes.iter().all(|p| p.status == ProbeStatus::Fail), "{probes:#?}");
}

/// A pack is converged by the same engine as a vendor plan: a permissions boundary it names later
/// reaches a role it already made (and is read back by verify), and one it no longer names is
/// taken off. (Before, a pack's boundary was set only when the role was created: a pack tightened
/// by a boundary left its existing roles without one, and verify did not see it.)
/// The permissions boundary a role has now, read from IAM.
async fn boundary_of(s: &Session, role: &str) -> Option<String> {
    let got = s.iam.get_role().role_name(role).send().await.unwrap();
    got.role().and_then(|r| r.permissions_boundary()).and_then(|b| b.permissions_boundary_arn()).map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boundary_the_pack_adds_later_reaches_its_existing_role_and_verify_reads_it() {
    let moto = moto();
    let settings = settings(&moto.url());
    let r = pack("mlspace");
    apply_pack(&r, &settings, false).await.unwrap();
    let mut bounded = r.clone();
    let boundary = r.managed_policies[0].0.clone();
    bounded.roles[0].boundary = Some(boundary.clone());
    let role = bounded.roles[0].name.clone();

    let probes = verify_pack(&bounded, &settings).await.unwrap();
    let failing: Vec<&str> = probes.iter().filter(|p| p.status == ProbeStatus::Fail).map(|p| p.id.as_str()).collect();
    assert_eq!(failing, [format!("aws:role:{role}").as_str()], "{probes:#?}");
    assert!(probes.iter().any(|p| p.message.contains("permissions boundary is none")), "{probes:#?}");

    let put = apply_pack(&bounded, &settings, false).await.unwrap();
    let kinds: Vec<ChangeKind> = put.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::PutPermissionsBoundary], "{:#?}", put.changes);
    assert!(put.changes[0].detail[0].ends_with(&format!(":policy/{boundary}")), "{:?}", put.changes[0].detail);
    let s = Session::for_region("us-east-1", &settings).await;
    let arn = boundary_of(&s, &role).await;
    assert_eq!(arn, Some(format!("arn:aws:iam::123456789012:policy/{boundary}")));
    assert!(verify_pack(&bounded, &settings).await.unwrap().iter().all(|p| p.status == ProbeStatus::Pass));

    let lifted = apply_pack(&r, &settings, false).await.unwrap();
    let kinds: Vec<ChangeKind> = lifted.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::DeletePermissionsBoundary], "{:#?}", lifted.changes);
    assert!(verify_pack(&r, &settings).await.unwrap().iter().all(|p| p.status == ProbeStatus::Pass));

    // A boundary the customer's admin put on the role (not one of the pack's policies) is theirs:
    // apply never takes it off (that would widen the role), verify says it differs.
    let theirs = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    s.iam.put_role_permissions_boundary().role_name(&role).permissions_boundary(theirs).send().await.unwrap();
    let kept = apply_pack(&r, &settings, false).await.unwrap();
    assert!(kept.changes.is_empty(), "{:#?}", kept.changes);
    let arn = boundary_of(&s, &role).await;
    assert_eq!(arn.as_deref(), Some(theirs));

    // Nor is it swapped for the pack's own boundary when the pack names one: a guardrail of this
    // account that is not the pack's stays (swapping it may widen the role), and verify says so.
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    s.iam.create_policy().policy_name("team-guardrail").policy_document(doc).send().await.unwrap();
    let guardrail = "arn:aws:iam::123456789012:policy/team-guardrail";
    s.iam.put_role_permissions_boundary().role_name(&role).permissions_boundary(guardrail).send().await.unwrap();
    let swapped = apply_pack(&bounded, &settings, false).await.unwrap();
    assert!(swapped.changes.is_empty(), "{:#?}", swapped.changes);
    let arn = boundary_of(&s, &role).await;
    assert_eq!(arn.as_deref(), Some(guardrail));
    let probes = verify_pack(&bounded, &settings).await.unwrap();
    assert!(probes.iter().any(|p| p.status == ProbeStatus::Fail && p.message.contains("permissions boundary is")), "{probes:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_role_packs_apply_and_verify() {
    let moto = moto();
    let settings = settings(&moto.url());
    for name in ["sagemaker-service-role", "eks-service-account", "cross-account-data-sharing"] {
        let r = pack(name);
        apply_pack(&r, &settings, false).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        let probes = verify_pack(&r, &settings).await.unwrap();
        assert!(probes.iter().all(|p| p.status == ProbeStatus::Pass), "{name}: {probes:#?}");
        revoke_pack(&r, &settings, false).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pack_for_another_account_is_refused_before_anything_is_written() {
    let moto = moto();
    let settings = settings(&moto.url());
    let mut plan = PackPlan::from_json(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/packs/sagemaker-service-role.json"))
            .unwrap(),
    )
    .unwrap();
    plan.variables.insert("AWS_ACCOUNT".into(), "999999999999".into());
    let r = validate_pack(&plan, None).unwrap();
    let err = apply_pack(&r, &settings, false).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.account_mismatch");
    let s = Session::for_region("us-east-1", &settings).await;
    assert!(s.iam.get_role().role_name("sagemaker-execution-role").send().await.is_err(), "nothing was created");
}

/// An existing role of the pack's name that this pack did not create (no tags, admin rights):
/// apply (and its dry run) refuses it before writing anything, and revoke refuses to delete it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untagged_role_of_the_packs_name_is_never_taken_over_or_deleted() {
    let moto = moto();
    let settings = settings(&moto.url());
    let r = pack("sagemaker-service-role");
    let s = Session::for_region("us-east-1", &settings).await;
    let own_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
    s.iam.create_role().role_name("sagemaker-execution-role").assume_role_policy_document(own_trust).send().await.unwrap();
    s.iam
        .attach_role_policy()
        .role_name("sagemaker-execution-role")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    for dry_run in [true, false] {
        let err = apply_pack(&r, &settings, dry_run).await.unwrap_err();
        assert_eq!(err.error.code(), "aws.pack_resource_not_ours", "dry_run={dry_run}: {err}");
        assert!(err.to_string().contains("role sagemaker-execution-role"), "{err}");
    }
    let role = s.iam.get_role().role_name("sagemaker-execution-role").send().await.unwrap();
    // (URL-encoded or not, the service name's letters and dots read the same.)
    let trust = role.role().unwrap().assume_role_policy_document().unwrap();
    assert!(!trust.contains("sagemaker.amazonaws.com"), "the trust was not changed: {trust}");
    let inline = s.iam.list_role_policies().role_name("sagemaker-execution-role").send().await.unwrap();
    assert!(inline.policy_names().is_empty(), "no inline policy was put: {:?}", inline.policy_names());

    let err = revoke_pack(&r, &settings, false).await.unwrap_err();
    assert_eq!(err.error.code(), "aws.pack_resource_not_ours");
    let attached = s.iam.list_attached_role_policies().role_name("sagemaker-execution-role").send().await.unwrap();
    assert_eq!(attached.attached_policies().len(), 1, "revoke detached nothing and the role is still there");
}

/// A pack's removal goes through the same engine as a vendor plan's: a policy someone else put on
/// a pack's role, or an instance profile holding it, refuses the whole removal before anything
/// changes (before, a pack's revoke deleted their policy with the role); `force` removes their
/// policy too. (Before the engine was shared, a pack's revoke also failed part-way at DeleteRole
/// on an instance profile.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_policy_on_a_packs_role_stops_its_removal_unless_forced() {
    let (_moto, settings, r, s) = applied("sagemaker-service-role").await;
    let role = "sagemaker-execution-role";
    let theirs = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;
    s.iam.put_role_policy().role_name(role).policy_name("team-extra").policy_document(theirs).send().await.unwrap();
    let exists = || async { s.iam.get_role().role_name(role).send().await.is_ok() };

    let f = revoke_pack(&r, &settings, false).await.unwrap_err();
    assert_eq!(f.error.code(), "aws.delete_conflict", "{}", f.error);
    assert!(f.error.to_string().contains("inline policy team-extra") && f.done.is_empty(), "{}", f.error);
    assert!(exists().await, "nothing was removed");
    let inline = s.iam.list_role_policies().role_name(role).send().await.unwrap();
    assert_eq!(inline.policy_names().len(), 2, "the pack's and theirs are both kept: {:?}", inline.policy_names());

    s.iam.create_instance_profile().instance_profile_name("team-profile").send().await.unwrap();
    s.iam.add_role_to_instance_profile().instance_profile_name("team-profile").role_name(role).send().await.unwrap();
    let f = revoke_pack(&r, &settings, true).await.unwrap_err();
    assert_eq!(f.error.code(), "aws.role_in_instance_profile", "forced, still refused: {}", f.error);
    assert!(f.error.to_string().contains("team-profile") && f.done.is_empty(), "{}", f.error);
    let fix = f.error.fix().unwrap_or_default();
    assert!(fix.contains("remove-role-from-instance-profile --instance-profile-name team-profile"), "the fix says what to do: {fix}");
    assert!(exists().await);
    s.iam.remove_role_from_instance_profile().instance_profile_name("team-profile").role_name(role).send().await.unwrap();

    let gone = revoke_pack(&r, &settings, true).await.unwrap();
    let forced: Vec<String> = gone.changes.iter().filter(|c| c.detail.iter().any(|d| d == "forced")).map(|c| c.to_string()).collect();
    assert_eq!(forced.len(), 1, "only their policy is marked forced: {forced:?}");
    assert!(forced[0].contains("team-extra"), "{forced:?}");
    assert!(!exists().await, "forced removal deletes the role");
}

/// IAM cannot move a role: a pack's own role found at another path than the pack's is refused
/// (dry run and apply alike), changing nothing, with advice worded for a pack, not a plan's fields.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packs_role_at_another_path_is_refused_with_advice_for_packs() {
    let moto = moto();
    let settings = settings(&moto.url());
    let r = pack("sagemaker-service-role");
    let set = trustbridge_core::model::aws::RoleSet::from_pack(&r);
    let s = Session::for_region("us-east-1", &settings).await;
    let own_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let tag = |k: &str, v: &str| aws_sdk_iam::types::Tag::builder().key(k).value(v).build().unwrap();
    s.iam
        .create_role()
        .role_name("sagemaker-execution-role")
        .path("/elsewhere/")
        .assume_role_policy_document(own_trust)
        .tags(tag("managed-by", "trustbridge"))
        .tags(tag(&set.owner.key, &set.owner.value))
        .send()
        .await
        .unwrap();
    for dry_run in [true, false] {
        let err = apply_pack(&r, &settings, dry_run).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("exists at path /elsewhere/ but is to be at /"), "dry_run={dry_run}: {text}");
        assert!(text.contains("give the pack's role another name"), "advice for a pack: {text}");
        assert!(!text.contains("aws.role_path"), "no plan field named for a pack: {text}");
    }
    let inline = s.iam.list_role_policies().role_name("sagemaker-execution-role").send().await.unwrap();
    assert!(inline.policy_names().is_empty(), "nothing was put on the role: {:?}", inline.policy_names());
}

/// A customer-managed policy of a pack's name that someone else created is not given a new
/// default version (which would change what every role it is attached to can do), nor deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untagged_managed_policy_of_the_packs_name_is_never_updated_or_deleted() {
    let moto = moto();
    let settings = settings(&moto.url());
    let r = pack("mlspace");
    let (name, _, _) = r.managed_policies.first().expect("mlspace has customer-managed policies").clone();
    let s = Session::for_region("us-east-1", &settings).await;
    let theirs = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;
    s.iam.create_policy().policy_name(&name).policy_document(theirs).send().await.unwrap();
    let arn = format!("arn:aws:iam::123456789012:policy/{name}");
    for dry_run in [true, false] {
        let err = apply_pack(&r, &settings, dry_run).await.unwrap_err();
        assert_eq!(err.error.code(), "aws.pack_resource_not_ours", "{err}");
        assert!(err.to_string().contains(&name), "{err}");
    }
    let versions = s.iam.list_policy_versions().policy_arn(&arn).send().await.unwrap();
    assert_eq!(versions.versions().len(), 1, "no new version was created");
    for role in &r.roles {
        assert!(s.iam.get_role().role_name(&role.name).send().await.is_err(), "nothing else was created either: {}", role.name);
    }
    assert_eq!(revoke_pack(&r, &settings, false).await.unwrap_err().error.code(), "aws.pack_resource_not_ours");
    assert!(s.iam.get_policy().policy_arn(&arn).send().await.is_ok(), "their policy is still there");
}

/// A failure part-way is reported like a vendor plan's apply: what was done (it exists now) and
/// what was not. Here moto is started WITHOUT the AWS-managed policies, so attaching
/// AmazonSageMakerFullAccess fails after the role and its inline policy were created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_part_way_says_what_was_done_and_what_was_not() {
    let moto = Moto::start();
    let settings = settings(&moto.url());
    let r = pack("sagemaker-service-role");
    let f = apply_pack(&r, &settings, false).await.unwrap_err();
    let kinds = |cs: &[trustbridge_cloud::aws::Change]| cs.iter().map(|c| c.kind).collect::<Vec<_>>();
    assert_eq!(kinds(&f.done), [ChangeKind::CreateRole, ChangeKind::PutInlinePolicy], "{f}: done {:#?}", f.done);
    assert_eq!(kinds(&f.not_done), [ChangeKind::AttachPolicy], "{f}: not done {:#?}", f.not_done);
    assert!(f.not_done[0].to_string().contains("AmazonSageMakerFullAccess"), "{}", f.not_done[0]);
    assert!(f.caller.is_some());
    // What was done is there: a re-run plans only what is missing.
    let again = apply_pack(&r, &settings, true).await.unwrap();
    assert_eq!(kinds(&again.changes), [ChangeKind::AttachPolicy], "{:#?}", again.changes);
}

/// A policy on a pack's role that the pack does not name — one the pack has since dropped, or one
/// added by hand — is drift when it allows anything: verify names it, with the commands that take
/// it off (before, verify said the role matched while it held an extra policy). Apply never takes
/// it off: someone may rely on it, and removing what Trustbridge cannot show is the pack's is
/// revoke's, behind `--force`. A policy that only denies narrows the role (a guardrail, a
/// quarantine): said, not drift, and never in the fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_calls_a_policy_the_pack_does_not_name_drift_and_apply_takes_off_only_what_the_pack_put_there() {
    let (_moto, settings, r, s) = applied("mlspace").await;
    let i = r.roles.iter().position(|x| !x.aws_managed_arns.is_empty()).expect("a role with an AWS-managed attachment");
    let role = r.roles[i].name.clone();

    // The pack drops one of the role's AWS-managed attachments; someone adds policies of their own.
    let mut smaller = r.clone();
    let dropped = smaller.roles[i].aws_managed_arns.remove(0);
    let theirs = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;
    s.iam.put_role_policy().role_name(&role).policy_name("team-extra").policy_document(theirs).send().await.unwrap();
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    s.iam.put_role_policy().role_name(&role).policy_name("quarantine").policy_document(deny).send().await.unwrap();
    // PowerUserAccess-like (NotAction, which Trustbridge does not model), and one that allows and denies.
    let power = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#;
    s.iam.put_role_policy().role_name(&role).policy_name("power").policy_document(power).send().await.unwrap();
    let mixed = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#;
    s.iam.put_role_policy().role_name(&role).policy_name("mixed").policy_document(mixed).send().await.unwrap();
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    s.iam.attach_role_policy().role_name(&role).policy_arn(admin).send().await.unwrap();

    let probes = verify_pack(&smaller, &settings).await.unwrap();
    let failing: Vec<&str> = probes.iter().filter(|p| p.status == ProbeStatus::Fail).map(|p| p.id.as_str()).collect();
    assert_eq!(failing, [format!("aws:role:{role}").as_str()], "{probes:#?}");
    let bad = probes.iter().find(|p| p.status == ProbeStatus::Fail).unwrap();
    for extra in [
        "inline policy team-extra allows something and is not in the pack".to_string(),
        format!("{admin} (attached) allows something and is not in the pack"),
        format!("{dropped} (attached) allows something"),
        "inline policy power is not in the pack, and Trustbridge cannot read it as a policy".to_string(),
        "inline policy mixed allows something and is not in the pack; it also denies, so take off only its Allow statements".to_string(),
        "inline policy quarantine, which allows nothing and can only narrow it".to_string(),
    ] {
        assert!(bad.message.contains(&extra), "verify says {extra}: {}", bad.message);
    }
    let fix = bad.fix.as_deref().unwrap();
    for command in [
        format!("aws iam delete-role-policy --role-name {role} --policy-name team-extra"),
        format!("aws iam detach-role-policy --role-name {role} --policy-arn {admin}"),
        format!("aws iam detach-role-policy --role-name {role} --policy-arn {dropped}"),
    ] {
        assert!(fix.contains(&command), "the fix names {command}: {fix}");
    }
    for kept in ["quarantine", "power", "mixed"] {
        assert!(!fix.contains(&format!("--policy-name {kept}")), "taking {kept} off could lift a denial: {fix}");
    }

    // Apply takes off only what the pack put there and dropped (the role's record names it):
    // nothing someone else added.
    let preview = apply_pack(&smaller, &settings, true).await.unwrap();
    let kinds: Vec<ChangeKind> = preview.changes.iter().map(|c| c.kind).collect();
    // The role had one AWS-managed policy: its record goes with it.
    assert_eq!(kinds, [ChangeKind::DetachPolicy, ChangeKind::UntagRole], "{:#?}", preview.changes);
    assert_eq!(preview.changes[0].target, format!("{dropped} from role {role}"));
    assert!(preview.changes[0].detail[0].contains("record tag says the pack put it"), "{:#?}", preview.changes);
    assert_eq!(apply_pack(&smaller, &settings, false).await.unwrap().changes.len(), 2);
    assert!(apply_pack(&smaller, &settings, false).await.unwrap().changes.is_empty(), "converged");
    let inline = s.iam.list_role_policies().role_name(&role).send().await.unwrap();
    assert_eq!(inline.policy_names().iter().filter(|n| ["team-extra", "quarantine", "power", "mixed"].contains(&n.as_str())).count(), 4);
    let attached = s.iam.list_attached_role_policies().role_name(&role).send().await.unwrap();
    let attached: Vec<&str> = attached.attached_policies().iter().filter_map(|p| p.policy_arn()).collect();
    assert!(attached.contains(&admin) && !attached.contains(&dropped.as_str()), "{attached:?}");

    // The person takes off what the fix names and looks at the rest: the role matches, the
    // guardrail said.
    for extra in ["team-extra", "power", "mixed"] {
        s.iam.delete_role_policy().role_name(&role).policy_name(extra).send().await.unwrap();
    }
    s.iam.detach_role_policy().role_name(&role).policy_arn(admin).send().await.unwrap();
    let probes = verify_pack(&smaller, &settings).await.unwrap();
    assert!(probes.iter().all(|p| p.status == ProbeStatus::Pass), "{probes:#?}");
    let ok = probes.iter().find(|p| p.id.as_str() == format!("aws:role:{role}")).unwrap();
    assert!(ok.message.contains("quarantine, which allows nothing"), "{}", ok.message);
}

/// IAM deletes a customer-managed policy only once nothing uses it. A pack's policy someone
/// attached to a role or user of their own refuses the pack's removal before anything changes,
/// forced or not (that role is not the pack's to change), naming it and the command that detaches
/// it. Before, the removal failed part-way at DeletePolicy, after the pack's roles were gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packs_policy_attached_outside_the_pack_stops_its_removal_forced_or_not() {
    let (_moto, settings, r, s) = applied("mlspace").await;
    let policy = r.managed_policies[0].0.clone();
    let arn = format!("arn:aws:iam::123456789012:policy/{policy}");
    use_policy_elsewhere(&s, &arn).await;
    let roles_left = || roles_existing(&s, r.roles.iter().map(|x| x.name.as_str()));

    for force in [false, true] {
        let f = revoke_pack(&r, &settings, force).await.unwrap_err();
        assert_eq!(f.error.code(), "aws.policy_attached_elsewhere", "force {force}: {}", f.error);
        let text = f.error.to_string();
        assert!(text.contains(&format!("{policy} is used outside the pack")) && text.contains("role team-role, user team-user"), "{text}");
        assert!(f.done.is_empty(), "{:#?}", f.done);
        let fix = f.error.fix().unwrap_or_default();
        assert!(fix.contains(&format!("aws iam detach-role-policy --role-name team-role --policy-arn {arn}")), "{fix}");
        assert_eq!(roles_left().await, r.roles.len(), "nothing was removed");
    }
    let still = s.iam.list_attached_role_policies().role_name("team-role").send().await.unwrap();
    assert_eq!(still.attached_policies().len(), 1, "their role is unchanged");

    s.iam.detach_role_policy().role_name("team-role").policy_arn(&arn).send().await.unwrap();
    let f = revoke_pack(&r, &settings, false).await.unwrap_err();
    assert!(f.error.to_string().contains("(attached to, or the permissions boundary of, user team-user)"), "{}", f.error);
    assert!(f.error.fix().unwrap_or_default().contains("aws iam detach-user-policy --user-name team-user"), "{:?}", f.error.fix());
    s.iam.detach_user_policy().user_name("team-user").policy_arn(&arn).send().await.unwrap();
    revoke_pack(&r, &settings, false).await.unwrap();
    assert_eq!(roles_left().await, 0);
}

/// The only policies a pack's apply takes off its roles are its own (customer-managed, with all
/// of the pack's tags, allowing only) that it no longer names there: one attached by hand to a
/// role the pack does not name it on is detached; one the pack drops altogether is detached and
/// deleted, unless something outside the pack uses it (then it stays, detached from the pack's
/// roles). The pack's own policy that also denies, someone else's, one with only the managed-by
/// tag and another pack's stay on the pack's role whatever apply does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packs_own_policy_it_no_longer_names_is_taken_off_and_deleted_once_dropped() {
    let (_moto, settings, r, s) = applied("mlspace").await;
    let arn = |name: &str| format!("arn:aws:iam::123456789012:policy/{name}");
    let reader = "mlspace-s3-reader-role";

    // The pack's own app policy (allow-only) attached by hand to the reader role comes off. What
    // stays: the pack's own notebook policy (it also denies: taking it off could lift a denial),
    // a policy someone else made, one with only the managed-by tag, one with another pack's tag.
    let pack_tags = s.iam.list_policy_tags().policy_arn(arn("mlspace-app-policy")).send().await.unwrap();
    let pack_tags: Vec<(String, String)> = pack_tags.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect();
    assert_eq!(pack_tags.len(), 2, "managed-by and the pack's own: {pack_tags:?}");
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;
    let tag = |k: &str, v: &str| aws_sdk_iam::types::Tag::builder().key(k).value(v).build().unwrap();
    let others: [(&str, Vec<aws_sdk_iam::types::Tag>); 3] = [
        ("team-extra", vec![]),
        ("managed-by-only", vec![tag("managed-by", "trustbridge")]),
        (
            "other-pack",
            pack_tags.iter().map(|(k, v)| if k == "managed-by" { tag(k, v) } else { tag(k, "sagemaker-service-role") }).collect(),
        ),
    ];
    for (name, tags) in &others {
        s.iam.create_policy().policy_name(*name).policy_document(doc).set_tags(Some(tags.clone())).send().await.unwrap();
        s.iam.attach_role_policy().role_name(reader).policy_arn(arn(name)).send().await.unwrap();
    }
    for own in ["mlspace-app-policy", "mlspace-notebook-policy"] {
        s.iam.attach_role_policy().role_name(reader).policy_arn(arn(own)).send().await.unwrap();
    }
    let preview = apply_pack(&r, &settings, true).await.unwrap();
    let listed: Vec<String> = preview.changes.iter().map(|c| c.to_string()).collect();
    assert_eq!(preview.changes.len(), 1, "{listed:#?}");
    assert_eq!(preview.changes[0].kind, ChangeKind::DetachPolicy);
    assert!(listed[0].starts_with(&format!("detach {} from role {reader}", arn("mlspace-app-policy"))), "{listed:#?}");
    assert!(listed[0].contains("no longer names on this role"), "{listed:#?}");
    let done = apply_pack(&r, &settings, false).await.unwrap();
    assert_eq!(done.changes.len(), 1, "{:#?}", done.changes);
    assert!(apply_pack(&r, &settings, false).await.unwrap().changes.is_empty(), "converged");
    let attached = |role: &'static str| {
        let s = &s;
        async move {
            let out = s.iam.list_attached_role_policies().role_name(role).send().await.unwrap();
            out.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_string)).collect::<Vec<_>>()
        }
    };
    let now = attached(reader).await;
    assert!(!now.contains(&arn("mlspace-app-policy")), "{now:?}");
    for stays in ["mlspace-notebook-policy", "team-extra", "managed-by-only", "other-pack", "mlspace-s3-reader-policy"] {
        assert!(now.contains(&arn(stays)), "{stays}: {now:?}");
    }
    for gone in ["mlspace-notebook-policy", "team-extra", "managed-by-only", "other-pack"] {
        s.iam.detach_role_policy().role_name(reader).policy_arn(arn(gone)).send().await.unwrap();
    }
    s.iam.attach_role_policy().role_name(reader).policy_arn(arn("team-extra")).send().await.unwrap();

    // The pack's next version drops the reader policy altogether: detached, then deleted.
    let mut dropped = r.clone();
    dropped.managed_policies.retain(|(name, _, _)| name != "mlspace-s3-reader-policy");
    for role in &mut dropped.roles {
        role.managed.retain(|m| m != "mlspace-s3-reader-policy");
    }
    let gone = apply_pack(&dropped, &settings, false).await.unwrap();
    let kinds: Vec<ChangeKind> = gone.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::DetachPolicy, ChangeKind::DeleteManagedPolicy], "{:#?}", gone.changes);
    assert!(s.iam.get_policy().policy_arn(arn("mlspace-s3-reader-policy")).send().await.is_err(), "deleted");
    assert_eq!(attached(reader).await, [arn("team-extra")], "someone else's policy stays");
    assert!(apply_pack(&dropped, &settings, false).await.unwrap().changes.is_empty(), "converged");

    // Back in the pack, then used outside it before the pack drops it again: detached from the
    // pack's role, kept for whoever uses it.
    apply_pack(&r, &settings, false).await.unwrap();
    use_policy_elsewhere(&s, &arn("mlspace-s3-reader-policy")).await;
    let kept = apply_pack(&dropped, &settings, false).await.unwrap();
    let kinds: Vec<ChangeKind> = kept.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::DetachPolicy], "{:#?}", kept.changes);
    assert!(s.iam.get_policy().policy_arn(arn("mlspace-s3-reader-policy")).send().await.is_ok(), "still used outside the pack");
    assert!(kept.changes[0].detail.iter().any(|d| d.contains("stays in the account, used by role team-role")), "{:#?}", kept.changes);
    assert_eq!(attached("team-role").await, [arn("mlspace-s3-reader-policy")]);
    assert!(apply_pack(&dropped, &settings, false).await.unwrap().changes.is_empty(), "converged");
}

/// A pack's own policy edited by hand gets a new default version; the dry run names the other
/// versions that go first (IAM keeps five), and exactly those go: the hand edit stays as the
/// version before the new default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_default_version_says_which_versions_it_deletes_and_deletes_only_those() {
    let (_moto, settings, r, s) = applied("mlspace").await;
    let arn = "arn:aws:iam::123456789012:policy/mlspace-app-policy";
    let doc = |action: &str| format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#);
    for (action, default) in [("s3:ListAllMyBuckets", false), ("iam:*", true)] {
        s.iam.create_policy_version().policy_arn(arn).policy_document(doc(action)).set_as_default(default).send().await.unwrap();
    }
    let ids = |out: aws_sdk_iam::operation::list_policy_versions::ListPolicyVersionsOutput| {
        let mut v: Vec<(String, bool)> =
            out.versions().iter().map(|v| (v.version_id().unwrap_or_default().to_string(), v.is_default_version())).collect();
        v.sort();
        v
    };
    let before = ids(s.iam.list_policy_versions().policy_arn(arn).send().await.unwrap());
    assert_eq!(before, [("v1".into(), false), ("v2".into(), false), ("v3".into(), true)]);

    let preview = apply_pack(&r, &settings, true).await.unwrap();
    assert_eq!(preview.changes.len(), 1, "{:#?}", preview.changes);
    let listed = preview.changes[0].to_string();
    assert_eq!(preview.changes[0].kind, ChangeKind::NewPolicyVersion, "{listed}");
    assert!(listed.contains("deletes its other versions first (v1, v2; IAM keeps five); v3, the default until now, stays"), "{listed}");
    apply_pack(&r, &settings, false).await.unwrap();
    let after = ids(s.iam.list_policy_versions().policy_arn(arn).send().await.unwrap());
    assert_eq!(after, [("v3".into(), false), ("v4".into(), true)], "the hand edit stays as the one before");
    assert!(apply_pack(&r, &settings, false).await.unwrap().changes.is_empty(), "converged");

    // Edited again, with no older version left: nothing is said to be deleted.
    s.iam.create_policy_version().policy_arn(arn).policy_document(doc("iam:*")).set_as_default(true).send().await.unwrap();
    for old in ["v3", "v4"] {
        s.iam.delete_policy_version().policy_arn(arn).version_id(old).send().await.unwrap();
    }
    let preview = apply_pack(&r, &settings, true).await.unwrap();
    assert_eq!(preview.changes.len(), 1, "{:#?}", preview.changes);
    assert!(!preview.changes[0].to_string().contains("other versions"), "{}", preview.changes[0]);
}

/// A pack's role records in its tags what apply put on it (inline policies, AWS-managed ones). A
/// later version of the pack that drops an inline policy gets it deleted by apply — the dry run
/// says so and why — while what someone else added stays: a policy the record does not name, and
/// one it names that also denies (a record is a tag; tags are not proof enough to lift a denial).
/// A role without a record (made by a version before records) loses nothing and gets one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packs_role_records_what_apply_put_there_and_a_later_apply_takes_off_only_what_the_pack_dropped() {
    let moto = moto();
    let settings = settings(&moto.url());
    let s = Session::for_region("us-east-1", &settings).await;
    let role = "sagemaker-execution-role";
    let r = pack("sagemaker-service-role");
    let allow = |action: &str| {
        trustbridge_core::policy::PolicyDocument::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
        ))
        .unwrap()
    };
    let mut bigger = r.clone();
    bigger.roles[0].inline.push(("model-registry-read".into(), allow("sagemaker:DescribeModelPackage")));
    apply_pack(&bigger, &settings, false).await.unwrap();
    let record = |tags: &[(String, String)], key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let tags = role_tags(&s, role).await;
    assert_eq!(record(&tags, "trustbridge-pack-inline").as_deref(), Some("model-registry-read training-data-read"), "{tags:?}");
    assert_eq!(record(&tags, "trustbridge-pack-aws-managed").as_deref(), Some("AmazonSageMakerFullAccess"), "{tags:?}");

    // Someone adds a policy of their own, a guardrail that denies, and PowerUserAccess (its
    // NotAction, which Trustbridge does not model, so it cannot tell what taking it off would
    // lift), and names the guardrail and PowerUserAccess in the records by hand.
    let put = |name: &'static str, doc: String| {
        let s = &s;
        async move { s.iam.put_role_policy().role_name(role).policy_name(name).policy_document(doc).send().await.unwrap() }
    };
    put("team-extra", allow("s3:ListAllMyBuckets").to_pretty_json()).await;
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#;
    put("guard", deny.to_string()).await;
    let tag = |k: &str, v: &str| aws_sdk_iam::types::Tag::builder().key(k).value(v).build().unwrap();
    s.iam
        .tag_role()
        .role_name(role)
        .tags(tag("trustbridge-pack-inline", "guard model-registry-read training-data-read"))
        .send()
        .await
        .unwrap();
    let power = "arn:aws:iam::aws:policy/PowerUserAccess";
    s.iam.attach_role_policy().role_name(role).policy_arn(power).send().await.unwrap();
    let both = tag("trustbridge-pack-aws-managed", "AmazonSageMakerFullAccess PowerUserAccess");
    s.iam.tag_role().role_name(role).tags(both).send().await.unwrap();

    // The pack's next version (the one built in) no longer has model-registry-read.
    let preview = apply_pack(&r, &settings, true).await.unwrap();
    let listed: Vec<String> = preview.changes.iter().map(|c| c.to_string()).collect();
    let kinds: Vec<ChangeKind> = preview.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::DeleteInlinePolicy, ChangeKind::TagRole], "{listed:#?}");
    assert!(listed[0].starts_with(&format!("delete inline policy {role}/model-registry-read")), "{listed:#?}");
    assert!(listed[0].contains("the pack put it on this role"), "{listed:#?}");
    assert!(listed[1].contains("tag trustbridge-pack-inline=training-data-read"), "{listed:#?}");
    apply_pack(&r, &settings, false).await.unwrap();
    assert_eq!(inline_names(&s, role).await, ["guard", "team-extra", "training-data-read"], "only the dropped one went");
    let attached = s.iam.list_attached_role_policies().role_name(role).send().await.unwrap();
    assert!(attached.attached_policies().iter().any(|p| p.policy_arn() == Some(power)), "PowerUserAccess stays");
    assert_eq!(record(&role_tags(&s, role).await, "trustbridge-pack-inline").as_deref(), Some("training-data-read"));
    assert!(apply_pack(&r, &settings, false).await.unwrap().changes.is_empty(), "converged");
    let probes = verify_pack(&r, &settings).await.unwrap();
    let bad = probes.iter().find(|p| p.status == ProbeStatus::Fail).expect("team-extra is drift");
    assert!(bad.message.contains("team-extra") && !bad.message.contains("model-registry-read"), "{}", bad.message);

    // A role without a record (an older version's apply): nothing comes off, the record is added.
    s.iam.untag_role().role_name(role).tag_keys("trustbridge-pack-inline").send().await.unwrap();
    put("model-registry-read", allow("sagemaker:DescribeModelPackage").to_pretty_json()).await;
    let again = apply_pack(&r, &settings, false).await.unwrap();
    let kinds: Vec<ChangeKind> = again.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::TagRole], "{:#?}", again.changes);
    assert!(inline_names(&s, role).await.contains(&"model-registry-read".to_string()), "not recorded: stays");
}

/// A pack's revoke takes off, as the pack's own, what its apply would, and says why: the inline and
/// AWS-managed policies the role's record says apply put there and the pack has since dropped, and
/// the pack's own policy it no longer has (detached and kept: another plan of the same pack may use
/// it) — no `force` needed (before, revoke refused them as someone else's until an apply had taken
/// them off). Not the pack's to lift: a recorded inline policy that also denies, and a policy with
/// the pack's tags that denies; each still stops the removal unless forced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_takes_off_what_apply_would_as_the_packs_own() {
    let (_moto, settings, mlspace, s) = applied("mlspace").await;
    let arn = |name: &str| format!("arn:aws:iam::123456789012:policy/{name}");
    let reader = "mlspace-s3-reader-role";
    let allow = |action: &str| {
        trustbridge_core::policy::PolicyDocument::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
        ))
        .unwrap()
    };
    // The pack's earlier version also put an inline policy and an AWS-managed one on the reader role.
    let mut earlier = mlspace.clone();
    let at = earlier.roles.iter().position(|x| x.name == reader).unwrap();
    earlier.roles[at].inline.push(("model-registry-read".into(), allow("sagemaker:DescribeModelPackage")));
    earlier.roles[at].aws_managed_arns.push("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".into());
    apply_pack(&earlier, &settings, false).await.unwrap();
    let record = role_tags(&s, reader).await;
    assert!(record.iter().any(|(k, v)| k == "trustbridge-pack-inline" && v.contains("model-registry-read")), "{record:?}");

    // Someone puts a guardrail that denies on it and names it in the record by hand, and attaches
    // the pack's own notebook policy (it denies too) to it.
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#;
    s.iam.put_role_policy().role_name(reader).policy_name("guard").policy_document(deny).send().await.unwrap();
    let (_, names) = record.iter().find(|(k, _)| k == "trustbridge-pack-inline").unwrap();
    let tag = aws_sdk_iam::types::Tag::builder().key("trustbridge-pack-inline").value(format!("guard {names}")).build().unwrap();
    s.iam.tag_role().role_name(reader).tags(tag).send().await.unwrap();
    let notebook = arn("mlspace-notebook-policy");
    s.iam.attach_role_policy().role_name(reader).policy_arn(&notebook).send().await.unwrap();

    // The pack's next version has neither, nor its reader policy; revoke runs before any apply.
    let mut now = mlspace.clone();
    now.managed_policies.retain(|(name, _, _)| name != "mlspace-s3-reader-policy");
    for role in &mut now.roles {
        role.managed.retain(|m| m != "mlspace-s3-reader-policy");
    }
    let f = revoke_pack(&now, &settings, false).await.unwrap_err();
    assert_eq!(f.error.code(), "aws.delete_conflict", "{}", f.error);
    let said = f.error.to_string();
    assert!(said.contains("inline policy guard") && said.contains(&notebook) && f.done.is_empty(), "{said}");
    for ours in ["model-registry-read", "AmazonS3ReadOnlyAccess", "mlspace-s3-reader-policy"] {
        assert!(!said.contains(ours), "{ours} is the pack's own: {said}");
    }

    s.iam.delete_role_policy().role_name(reader).policy_name("guard").send().await.unwrap();
    s.iam.detach_role_policy().role_name(reader).policy_arn(&notebook).send().await.unwrap();
    let gone = revoke_pack(&now, &settings, false).await.unwrap();
    let listed: Vec<String> = gone.changes.iter().map(|c| c.to_string()).collect();
    assert!(gone.changes.iter().all(|c| !c.detail.iter().any(|d| d == "forced")), "nothing forced: {listed:#?}");
    let with = |start: &str| listed.iter().find(|c| c.starts_with(start)).unwrap_or_else(|| panic!("{start}: {listed:#?}")).clone();
    assert!(with(&format!("delete inline policy {reader}/model-registry-read")).contains("the pack put it on this role"));
    let aws_managed = with(&format!("detach arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess from role {reader}"));
    assert!(aws_managed.contains("the pack put it on this role"), "{aws_managed}");
    let dropped = with(&format!("detach {} from role {reader}", arn("mlspace-s3-reader-policy")));
    assert!(dropped.contains("no longer names on this role") && dropped.contains("it stays in the account"), "{dropped}");
    assert!(!listed.iter().any(|c| c.starts_with("delete managed policy mlspace-s3-reader-policy")), "{listed:#?}");
    assert!(s.iam.get_role().role_name(reader).send().await.is_err(), "the role is gone");
    let kept = s.iam.get_policy().policy_arn(arn("mlspace-s3-reader-policy")).send().await;
    assert!(kept.is_ok(), "the dropped policy is kept: another plan of the pack may use it");
}
