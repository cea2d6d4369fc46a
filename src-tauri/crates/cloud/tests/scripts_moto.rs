//! The exported AWS scripts, run for real: bash + the aws CLI (pip `awscli`, as a customer runs
//! them) against a moto server. Proves the ownership rule of `aws/setup.sh` / `revoke.sh` (vendor
//! plans) and of role packs' scripts: a same-named role or policy Trustbridge did not create for
//! this integration or pack is refused before anything changes, revoke checks the account, and a
//! role the script created is updated on a re-run and deleted by revoke. After setup.sh,
//! `verify` (the engine's read-back) is green, and a pack's roles carry the records the engine's
//! apply reads.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use trustbridge_cloud::aws::pack::verify_pack;
use trustbridge_cloud::aws::{verify, ProbeStatus, Session};
use trustbridge_core::pack::{validate_pack, PackPlan};

/// The bundle of a resolved plan written to a fresh folder.
fn export(bundle: &trustbridge_core::render::Bundle) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = trustbridge_core::export::write_bundle(bundle, &dir.path().join("bundle")).unwrap();
    (dir, out)
}

/// The aws CLI `scripts/setup.sh` installs in a venv of its own (`TRUSTBRIDGE_AWS_CLI` overrides).
fn aws_cli() -> PathBuf {
    match std::env::var_os("TRUSTBRIDGE_AWS_CLI") {
        Some(p) => PathBuf::from(p),
        None => {
            let cache = std::env::var_os("TRUSTBRIDGE_CACHE").map(PathBuf::from).unwrap_or_else(|| "/var/tmp/trustbridge-cache".into());
            cache.join("awscli/bin/aws")
        }
    }
}

/// Runs `script` with bash, the aws CLI first on PATH, pointed at moto with its dummy credentials.
fn run(script: &Path, moto: &Moto) -> Output {
    let cli = aws_cli();
    let dir = cli.parent().expect("the aws CLI's folder");
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    Command::new("bash")
        .arg(script)
        .env("PATH", path)
        .env("AWS_ENDPOINT_URL", moto.url())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", REGION)
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("bash and the aws CLI are required (pip install awscli; the README's setup installs it)")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_aws_cli_is_here() {
    let o = Command::new(aws_cli()).arg("--version").output().expect("the aws CLI is required: scripts/setup.sh installs it");
    assert!(o.status.success(), "{}", text(&o));
}

const ROLE: &str = "mlcube-platform-access";
const OPS_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
const ADMIN_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

async fn trust_of(sess: &Session, role: &str) -> std::collections::BTreeSet<trustbridge_core::policy::Grant> {
    let got = sess.iam.get_role().role_name(role).send().await.expect("role exists");
    trustbridge_cloud::aws::parse_policy(got.role().unwrap().assume_role_policy_document().unwrap()).unwrap().grants()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_sh_creates_then_updates_its_own_role_and_verify_is_green_then_revoke_sh_deletes_it() {
    let moto = Moto::start();
    let s = settings(&moto.url());
    let r = plan();
    seed(&r, &s).await;
    let (_d, out) = export(&trustbridge_core::render::render(&r));

    let first = run(&out.join("aws/setup.sh"), &moto);
    assert!(first.status.success(), "{}", text(&first));
    let again = run(&out.join("aws/setup.sh"), &moto);
    assert!(again.status.success(), "a re-run updates its own role: {}", text(&again));
    let probes = verify(&r, &s, &|_| {}).await.unwrap();
    let bad: Vec<_> = probes.iter().filter(|p| p.status == ProbeStatus::Fail).collect();
    assert!(bad.is_empty(), "{bad:#?}");

    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let gone = run(&out.join("aws/revoke.sh"), &moto);
    assert!(gone.status.success(), "{}", text(&gone));
    assert!(sess.iam.get_role().role_name(ROLE).send().await.is_err(), "revoke.sh deleted the role");
    let twice = run(&out.join("aws/revoke.sh"), &moto);
    assert!(
        twice.status.success() && String::from_utf8_lossy(&twice.stdout).to_lowercase().contains("nothing to revoke"),
        "{}",
        text(&twice)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_sh_and_revoke_sh_refuse_an_untagged_admin_role_and_change_nothing() {
    let moto = Moto::start();
    let s = settings(&moto.url());
    let r = plan();
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    sess.iam.create_role().role_name(ROLE).assume_role_policy_document(OPS_TRUST).send().await.unwrap();
    sess.iam.put_role_policy().role_name(ROLE).policy_name("admin").policy_document(ADMIN_POLICY).send().await.unwrap();
    let before = trust_of(&sess, ROLE).await;
    let (_d, out) = export(&trustbridge_core::render::render(&r));

    let setup = run(&out.join("aws/setup.sh"), &moto);
    assert!(!setup.status.success(), "{}", text(&setup));
    assert!(String::from_utf8_lossy(&setup.stderr).contains("is not tagged managed-by=trustbridge"), "{}", text(&setup));
    assert_eq!(trust_of(&sess, ROLE).await, before, "the vendor was not added to the admin role's trust");
    let inline = sess.iam.list_role_policies().role_name(ROLE).send().await.unwrap();
    assert_eq!(inline.policy_names(), ["admin"], "no inline policy was put");

    let revoke = run(&out.join("aws/revoke.sh"), &moto);
    assert!(!revoke.status.success(), "{}", text(&revoke));
    assert!(sess.iam.get_role().role_name(ROLE).send().await.is_ok(), "revoke.sh did not delete a role it did not create");
    let inline = sess.iam.list_role_policies().role_name(ROLE).send().await.unwrap();
    assert_eq!(inline.policy_names(), ["admin"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_sh_refuses_a_role_of_another_integration_and_an_adopted_one() {
    let moto = Moto::start();
    let s = settings(&moto.url());
    let r = plan();
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let tag = |k: &str, v: &str| aws_sdk_iam::types::Tag::builder().key(k).value(v).build().unwrap();
    let (_d, out) = export(&trustbridge_core::render::render(&r));
    for (tags, says) in [
        (vec![tag("managed-by", "trustbridge"), tag("trustbridge-integration", "someone-else")], "is not tagged"),
        (
            vec![tag("managed-by", "trustbridge"), tag("trustbridge-integration", "AWS_01"), tag("trustbridge-adopted", "true")],
            "existed before",
        ),
    ] {
        let _ = sess.iam.delete_role().role_name(ROLE).send().await;
        sess.iam.create_role().role_name(ROLE).assume_role_policy_document(OPS_TRUST).set_tags(Some(tags)).send().await.unwrap();
        let before = trust_of(&sess, ROLE).await;
        let setup = run(&out.join("aws/setup.sh"), &moto);
        assert!(!setup.status.success() && String::from_utf8_lossy(&setup.stderr).contains(says), "{}", text(&setup));
        assert_eq!(trust_of(&sess, ROLE).await, before);
        let revoke = run(&out.join("aws/revoke.sh"), &moto);
        assert!(!revoke.status.success() && String::from_utf8_lossy(&revoke.stderr).contains(says), "{}", text(&revoke));
        assert!(sess.iam.get_role().role_name(ROLE).send().await.is_ok());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_sh_refuses_the_wrong_account() {
    let moto = Moto::start();
    let s = settings(&moto.url());
    // moto's account is 123456789012; this plan is for another one.
    let r = resolved(&plan_json("210987654321"));
    let ours = plan();
    let (_d, out) = export(&trustbridge_core::render::render(&ours));
    assert!(run(&out.join("aws/setup.sh"), &moto).status.success());
    let (_d2, other) = export(&trustbridge_core::render::render(&r));
    let revoke = run(&other.join("aws/revoke.sh"), &moto);
    assert!(!revoke.status.success(), "{}", text(&revoke));
    assert!(String::from_utf8_lossy(&revoke.stderr).contains("this plan is for 210987654321"), "{}", text(&revoke));
    let sess = Session::connect(ours.aws.as_ref().unwrap(), &s).await;
    assert!(sess.iam.get_role().role_name(ROLE).send().await.is_ok(), "nothing was deleted in the wrong account");
}

fn pack_plan(name: &str) -> trustbridge_core::pack::ResolvedPack {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/packs").join(format!("{name}.json"));
    validate_pack(&PackPlan::from_json(&std::fs::read_to_string(p).unwrap()).unwrap(), None).unwrap()
}

/// MLSpace: setup.sh twice (the second run gives the managed policies a new version and drops the
/// old one), verify green, revoke.sh removes all; a same-named untagged policy stops setup.sh
/// before any role is created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pack_scripts_converge_verify_and_revoke_and_refuse_a_foreign_policy() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let s = settings(&moto.url());
    let r = pack_plan("mlspace");
    let (_d, out) = export(&trustbridge_core::pack::render_pack(&r));
    let setup = out.join("aws/setup.sh");
    assert!(setup.exists(), "{:?}", std::fs::read_dir(&out).unwrap().collect::<Vec<_>>());
    for _ in 0..2 {
        let o = run(&setup, &moto);
        assert!(o.status.success(), "{}", text(&o));
    }
    let probes = verify_pack(&r, &s).await.unwrap();
    assert!(probes.iter().all(|p| p.status == ProbeStatus::Pass), "{probes:#?}");
    let o = run(&out.join("aws/revoke.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    assert!(verify_pack(&r, &s).await.unwrap().iter().all(|p| p.status == ProbeStatus::Fail), "everything is gone");

    let sess = Session::for_region("us-east-1", &s).await;
    let (name, _, _) = r.managed_policies.first().unwrap().clone();
    sess.iam.create_policy().policy_name(&name).policy_document(ADMIN_POLICY).send().await.unwrap();
    let o = run(&setup, &moto);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains(&name), "{}", text(&o));
    for role in &r.roles {
        assert!(sess.iam.get_role().role_name(&role.name).send().await.is_err(), "no role was created: {}", role.name);
    }
    let arn = format!("arn:aws:iam::123456789012:policy/{name}");
    assert_eq!(sess.iam.list_policy_versions().policy_arn(&arn).send().await.unwrap().versions().len(), 1);
    let o = run(&out.join("aws/revoke.sh"), &moto);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(sess.iam.get_policy().policy_arn(&arn).send().await.is_ok(), "their policy is still there");
}

/// The exported revoke.sh refuses as the engine does: a pack's customer-managed policy someone
/// attached to a role or a user of their own stops it before anything is removed, naming them
/// (before, it deleted the pack's roles and then failed at delete-policy, part-way).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pack_revoke_sh_stops_before_anything_when_its_policy_is_used_outside_the_pack() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let s = settings(&moto.url());
    let r = pack_plan("mlspace");
    let (_d, out) = export(&trustbridge_core::pack::render_pack(&r));
    let o = run(&out.join("aws/setup.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    let sess = Session::for_region("us-east-1", &s).await;
    let (name, _, _) = r.managed_policies.first().unwrap().clone();
    let arn = format!("arn:aws:iam::123456789012:policy/{name}");
    use_policy_elsewhere(&sess, &arn).await;
    let pack_roles_left = || roles_existing(&sess, r.roles.iter().map(|x| x.name.as_str()));

    let o = run(&out.join("aws/revoke.sh"), &moto);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains(&format!("Policy {arn} is used outside this set")), "{}", text(&o));
    assert!(err.contains("role team-role, user team-user") && err.contains("Nothing was removed"), "{}", text(&o));
    assert_eq!(pack_roles_left().await, r.roles.len(), "nothing was removed: {}", text(&o));

    sess.iam.detach_role_policy().role_name("team-role").policy_arn(&arn).send().await.unwrap();
    sess.iam.detach_user_policy().user_name("team-user").policy_arn(&arn).send().await.unwrap();
    let o = run(&out.join("aws/revoke.sh"), &moto);
    assert!(o.status.success(), "the pack's own roles using it are not 'outside': {}", text(&o));
    assert_eq!(pack_roles_left().await, 0);
    assert!(sess.iam.get_role().role_name("team-role").send().await.is_ok(), "their role is kept");
}

/// The exported setup.sh records on each role what it put there, under the tags the engine's apply
/// writes (the model's `RoleSet::records`), and a later setup.sh of a pack that dropped policies
/// takes them off as the engine's apply does, each only when it allows only: a recorded inline
/// policy deleted, a recorded AWS-managed one detached, the pack's own customer-managed ones
/// detached and, once nothing uses them, deleted (one a user still has stays). A recorded one that
/// also denies stays on the role with a warning, and stays in the record (under the key as the
/// role spells it, one tag per key) for the next run to look at again; a name the old record held
/// whose policy is gone is not kept. The engine's apply then only brings the record to the pack's
/// names; setup.sh again changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pack_setup_sh_records_what_it_put_there_and_takes_off_what_the_pack_dropped() {
    use trustbridge_cloud::aws::pack::apply_pack;
    use trustbridge_core::model::aws::{RoleSet, AWS_MANAGED_RECORD_TAG, INLINE_RECORD_TAG};
    use trustbridge_core::policy::PolicyDocument;
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let settings = settings(&moto.url());
    let s = Session::for_region("us-east-1", &settings).await;
    let r = pack_plan("sagemaker-service-role");
    let role = r.roles[0].name.clone();
    let mut bigger = r.clone();
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:DescribeModelPackage","Resource":"*"}]}"#;
    let mixed = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#;
    bigger.roles[0].inline.push(("model-registry-read".into(), PolicyDocument::parse(allow).unwrap()));
    bigger.roles[0].inline.push(("mixed-guard".into(), PolicyDocument::parse(mixed).unwrap()));
    let s3_read = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
    bigger.roles[0].aws_managed_arns.push(s3_read.into());
    for (name, doc) in [("extra-read", allow), ("extra-shared", allow), ("extra-mixed", mixed), ("extra-kept", allow)] {
        bigger.managed_policies.push((name.into(), "a policy the pack drops".into(), PolicyDocument::parse(doc).unwrap()));
        bigger.roles[0].managed.push(name.into());
    }
    // The next version keeps extra-kept among its policies but attaches it to no role.
    let mut smaller_pack = r.clone();
    smaller_pack.managed_policies.push(("extra-kept".into(), "a policy the pack drops".into(), PolicyDocument::parse(allow).unwrap()));
    let arn = |name: &str| format!("arn:aws:iam::123456789012:policy/{name}");
    // Every record key once (IAM compares keys without case), and its spelling and value.
    let record = |tags: &[(String, String)], key: &str| {
        let found: Vec<&(String, String)> = tags.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key)).collect();
        assert!(found.len() <= 1, "one tag per record key: {tags:?}");
        found.first().map(|(k, v)| (k.clone(), v.clone()))
    };

    let (_d, out) = export(&trustbridge_core::pack::render_pack(&bigger));
    let o = run(&out.join("aws/setup.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    let tags = role_tags(&s, &role).await;
    let set = RoleSet::from_pack(&bigger);
    for (key, want) in set.records(&set.roles[0]) {
        assert_eq!(record(&tags, key).map(|(_, v)| v), want, "{key}: what the engine's apply would record; {tags:?}");
    }
    assert_eq!(record(&tags, INLINE_RECORD_TAG).unwrap().1, "mixed-guard model-registry-read training-data-read");
    assert_eq!(record(&tags, AWS_MANAGED_RECORD_TAG).unwrap().1, "AmazonS3ReadOnlyAccess AmazonSageMakerFullAccess");

    // Someone re-spells the inline record's key and names in it a policy no longer on the role, and
    // gives a user one of the pack's policies; the pack's next version drops the extra policies.
    s.iam.untag_role().role_name(&role).tag_keys(INLINE_RECORD_TAG).send().await.unwrap();
    let tag = aws_sdk_iam::types::Tag::builder()
        .key("Trustbridge-Pack-Inline")
        .value("gone-policy mixed-guard model-registry-read training-data-read")
        .build()
        .unwrap();
    s.iam.tag_role().role_name(&role).tags(tag).send().await.unwrap();
    s.iam.create_user().user_name("team-user").send().await.unwrap();
    s.iam.attach_user_policy().user_name("team-user").policy_arn(arn("extra-shared")).send().await.unwrap();
    // Someone's own policy on the pack's role, allowing only: not the pack's, it stays, unsaid.
    s.iam.create_policy().policy_name("team-read").policy_document(allow).send().await.unwrap();
    s.iam.attach_role_policy().role_name(&role).policy_arn(arn("team-read")).send().await.unwrap();
    let r = smaller_pack;
    let (_d2, smaller) = export(&trustbridge_core::pack::render_pack(&r));
    let o = run(&smaller.join("aws/setup.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    let (said, warned) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(inline_names(&s, &role).await, ["mixed-guard", "training-data-read"], "{}", text(&o));
    assert!(said.contains(&format!("Deleted inline policy model-registry-read from role {role}")), "{}", text(&o));
    assert!(
        warned.contains(&format!("warning: inline policy mixed-guard stays on role {role}")) && warned.contains("also denies"),
        "{}",
        text(&o)
    );
    assert!(warned.contains(&format!("warning: {} stays on role {role}", arn("extra-mixed"))), "{}", text(&o));
    assert_eq!(warned.matches("warning").count(), 2, "{}", text(&o));
    let attached = s.iam.list_attached_role_policies().role_name(&role).send().await.unwrap();
    let mut attached: Vec<&str> = attached.attached_policies().iter().filter_map(|p| p.policy_arn()).collect();
    attached.sort();
    assert_eq!(
        attached,
        [arn("extra-mixed").as_str(), arn("team-read").as_str(), "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"],
        "the pack's own that also denies and someone else's stay: {}",
        text(&o)
    );
    assert!(!said.contains(&arn("team-read")) && said.contains(&format!("Detached {} from role", arn("extra-kept"))), "{}", text(&o));
    assert!(s.iam.get_policy().policy_arn(arn("extra-mixed")).send().await.is_ok());
    assert!(s.iam.get_policy().policy_arn(arn("extra-kept")).send().await.is_ok(), "the pack still has it: {}", text(&o));
    assert!(s.iam.get_policy().policy_arn(arn("extra-read")).send().await.is_err(), "deleted: nothing uses it; {}", text(&o));
    assert!(s.iam.get_policy().policy_arn(arn("extra-shared")).send().await.is_ok(), "the user still has it");
    assert!(
        said.contains(&format!("Policy {}, this pack's own, which the pack no longer has, stays", arn("extra-shared"))),
        "{}",
        text(&o)
    );
    let tags = role_tags(&s, &role).await;
    assert_eq!(
        record(&tags, INLINE_RECORD_TAG),
        Some(("Trustbridge-Pack-Inline".into(), "mixed-guard training-data-read".into())),
        "the name left on the role stays recorded under the role's spelling; the gone and the taken-off ones do not"
    );
    assert_eq!(record(&tags, AWS_MANAGED_RECORD_TAG).unwrap().1, "AmazonSageMakerFullAccess");

    // The engine's apply leaves the policy that also denies, as the script did, and records the
    // pack's names only.
    let applied = apply_pack(&r, &settings, false).await.unwrap();
    let changes: Vec<String> = applied.changes.iter().map(|c| c.to_string()).collect();
    assert!(changes.iter().all(|c| c.contains("tag")), "only the record: {changes:#?}");
    assert_eq!(inline_names(&s, &role).await, ["mixed-guard", "training-data-read"]);
    let tags = role_tags(&s, &role).await;
    assert_eq!(record(&tags, INLINE_RECORD_TAG).map(|(_, v)| v).as_deref(), Some("training-data-read"));

    let o = run(&smaller.join("aws/setup.sh"), &moto);
    let warned = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && warned.matches("warning").count() == 1 && warned.contains("extra-mixed"), "{}", text(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("Deleted"), "{}", text(&o));
    assert_eq!(role_tags(&s, &role).await, tags, "converged: setup.sh changes no record");
    assert!(apply_pack(&r, &settings, false).await.unwrap().changes.is_empty(), "and the engine agrees");
}

/// A pack role's permissions boundary under the exported setup.sh, as under the engine's apply:
/// replaced or taken off only when it is none or one of the pack's own policies; a guardrail
/// someone else put on the role stays, with a warning (swapping it for the pack's could widen the
/// role).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pack_setup_sh_changes_a_boundary_only_when_it_is_the_packs() {
    use trustbridge_core::policy::PolicyDocument;
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let s = Session::for_region("us-east-1", &settings(&moto.url())).await;
    let mut r = pack_plan("sagemaker-service-role");
    let role = r.roles[0].name.clone();
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"}]}"#;
    r.managed_policies.push(("pack-boundary".into(), "the pack's boundary".into(), PolicyDocument::parse(allow).unwrap()));
    r.roles[0].boundary = Some("pack-boundary".into());
    let pack_arn = "arn:aws:iam::123456789012:policy/pack-boundary";
    let boundary = || async {
        let got = s.iam.get_role().role_name(&role).send().await.unwrap();
        got.role().and_then(|r| r.permissions_boundary()).and_then(|b| b.permissions_boundary_arn()).map(str::to_string)
    };
    let (_d, out) = export(&trustbridge_core::pack::render_pack(&r));
    let o = run(&out.join("aws/setup.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(boundary().await.as_deref(), Some(pack_arn));

    // Someone's guardrail in its place: it stays, said.
    let theirs = s.iam.create_policy().policy_name("their-guardrail").policy_document(allow).send().await.unwrap();
    let their_arn = theirs.policy().unwrap().arn().unwrap().to_string();
    s.iam.put_role_permissions_boundary().role_name(&role).permissions_boundary(&their_arn).send().await.unwrap();
    let o = run(&out.join("aws/setup.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!("the permissions boundary of role {role} is not one of this pack's policies")),
        "{}",
        text(&o)
    );
    assert_eq!(boundary().await.as_deref(), Some(their_arn.as_str()));

    // The pack's own again, and the pack's next version gives the role none: taken off.
    s.iam.put_role_permissions_boundary().role_name(&role).permissions_boundary(pack_arn).send().await.unwrap();
    let mut none = r.clone();
    none.roles[0].boundary = None;
    let (_d2, out2) = export(&trustbridge_core::pack::render_pack(&none));
    let o = run(&out2.join("aws/setup.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(boundary().await, None, "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("Took the permissions boundary {pack_arn} off role {role}")),
        "{}",
        text(&o)
    );
    let o = run(&out.join("aws/setup.sh"), &moto);
    assert!(o.status.success() && !String::from_utf8_lossy(&o.stderr).contains("warning"), "{}", text(&o));
    assert_eq!(boundary().await.as_deref(), Some(pack_arn), "none: the pack's is put");
}

/// A vendor plan that drops its events: the exported setup.sh deletes the role's events policy
/// (one of Trustbridge's two fixed names, which the engine's apply takes off too), so the role
/// grants no more than the plan; revoke.sh then removes the role. A policy someone else put on the
/// role stops revoke.sh before anything is removed, naming it (removing only Trustbridge's would
/// leave the vendor able to use theirs), and so does an instance profile holding the role; once
/// they are off, revoke.sh finishes, the events policy the role no longer has notwithstanding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_scripts_take_off_a_dropped_policy_and_revoke_sh_stops_on_someone_elses() {
    use trustbridge_core::render::aws::{EVENTS_POLICY_NAME, STORAGE_POLICY_NAME};
    let moto = Moto::start();
    let s = settings(&moto.url());
    let r = plan();
    seed(&r, &s).await;
    let sess = Session::connect(r.aws.as_ref().unwrap(), &s).await;
    let (_d, out) = export(&trustbridge_core::render::render(&r));
    let o = run(&out.join("aws/setup.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(inline_names(&sess, ROLE).await, [EVENTS_POLICY_NAME, STORAGE_POLICY_NAME]);

    let no_events = resolved(&plan_json("123456789012").replace(&format!(r#","events":[{{"event_bus_name":"{BUS}"}}]"#), ""));
    assert!(no_events.aws.as_ref().unwrap().event_buses.is_empty());
    let (_d2, out2) = export(&trustbridge_core::render::render(&no_events));
    let o = run(&out2.join("aws/setup.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(inline_names(&sess, ROLE).await, [STORAGE_POLICY_NAME], "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("Deleted inline policy {EVENTS_POLICY_NAME}")), "{}", text(&o));
    let o = run(&out2.join("aws/setup.sh"), &moto);
    assert!(o.status.success() && !String::from_utf8_lossy(&o.stdout).contains("Deleted"), "converged: {}", text(&o));

    // Someone's policy on the role: revoke.sh stops before removing anything, naming it.
    sess.iam.put_role_policy().role_name(ROLE).policy_name("team-extra").policy_document(ADMIN_POLICY).send().await.unwrap();
    let o = run(&out.join("aws/revoke.sh"), &moto);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success()
            && err.contains(&format!("Role {ROLE} holds what this script may not remove"))
            && err.contains("inline policy team-extra"),
        "{}",
        text(&o)
    );
    assert!(err.contains("Nothing was removed"), "{}", text(&o));
    assert_eq!(inline_names(&sess, ROLE).await, ["team-extra", STORAGE_POLICY_NAME], "nothing was removed");

    // An instance profile holding the role stops it too (IAM refuses to delete such a role).
    sess.iam.delete_role_policy().role_name(ROLE).policy_name("team-extra").send().await.unwrap();
    sess.iam.create_instance_profile().instance_profile_name("team-profile").send().await.unwrap();
    sess.iam.add_role_to_instance_profile().instance_profile_name("team-profile").role_name(ROLE).send().await.unwrap();
    let o = run(&out.join("aws/revoke.sh"), &moto);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("instance profile team-profile"), "{}", text(&o));
    assert_eq!(inline_names(&sess, ROLE).await, [STORAGE_POLICY_NAME], "nothing was removed");
    sess.iam.remove_role_from_instance_profile().instance_profile_name("team-profile").role_name(ROLE).send().await.unwrap();

    // Taken off by its owner; revoke.sh removes the role (the plan's policy list names the events
    // policy the role no longer has: removed where it is).
    let o = run(&out.join("aws/revoke.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    assert!(sess.iam.get_role().role_name(ROLE).send().await.is_err(), "revoke.sh deleted the role: {}", text(&o));
}

/// A pack's revoke.sh removes what the pack's own run would take off its roles with them — a
/// recorded allow-only inline policy deleted, a recorded allow-only AWS-managed one detached, the
/// pack's own allow-only customer-managed one detached and kept (another plan of the pack may use
/// it: said, with the commands that delete it) — and stops before anything on a policy that is not
/// the pack's, or a recorded or pack-tagged one that also denies, naming them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pack_revoke_sh_removes_the_packs_dropped_policies_and_stops_on_anything_else() {
    use trustbridge_core::policy::PolicyDocument;
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let s = Session::for_region("us-east-1", &settings(&moto.url())).await;
    let r = pack_plan("sagemaker-service-role");
    let role = r.roles[0].name.clone();
    let mut bigger = r.clone();
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:DescribeModelPackage","Resource":"*"}]}"#;
    let mixed = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}"#;
    bigger.roles[0].inline.push(("model-registry-read".into(), PolicyDocument::parse(allow).unwrap()));
    bigger.roles[0].inline.push(("mixed-guard".into(), PolicyDocument::parse(mixed).unwrap()));
    bigger.roles[0].aws_managed_arns.push("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".into());
    for (name, doc) in [("extra-own", allow), ("extra-mixed", mixed)] {
        bigger.managed_policies.push((name.into(), "a policy the pack drops".into(), PolicyDocument::parse(doc).unwrap()));
        bigger.roles[0].managed.push(name.into());
    }
    let arn = |name: &str| format!("arn:aws:iam::123456789012:policy/{name}");
    let (_d, big) = export(&trustbridge_core::pack::render_pack(&bigger));
    let o = run(&big.join("aws/setup.sh"), &moto);
    assert!(o.status.success(), "{}", text(&o));
    let attached = || async {
        let got = s.iam.list_attached_role_policies().role_name(&role).send().await.unwrap();
        let mut arns: Vec<String> = got.attached_policies().iter().filter_map(|p| p.policy_arn()).map(str::to_string).collect();
        arns.sort();
        arns
    };
    let before = attached().await;
    assert_eq!(before.len(), 4, "{before:?}");

    // The smaller pack's revoke.sh, with every dropped policy still on the role (its setup.sh not run).
    let (_d2, small) = export(&trustbridge_core::pack::render_pack(&r));
    let o = run(&small.join("aws/revoke.sh"), &moto);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("inline policy mixed-guard") && err.contains(&format!("managed policy {}", arn("extra-mixed"))),
        "{}",
        text(&o)
    );
    for own in ["model-registry-read", "extra-own", "AmazonS3ReadOnlyAccess"] {
        assert!(!err.contains(own), "{own} is the pack's to remove: {}", text(&o));
    }
    assert_eq!(inline_names(&s, &role).await, ["mixed-guard", "model-registry-read", "training-data-read"], "nothing was removed");
    assert_eq!(attached().await, before, "nothing was removed");

    // Those taken off by hand, and an AWS-managed policy the record does not name put on: it stops.
    sess_delete(&s, &role, "mixed-guard").await;
    s.iam.detach_role_policy().role_name(&role).policy_arn(arn("extra-mixed")).send().await.unwrap();
    let ec2_read = "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess";
    s.iam.attach_role_policy().role_name(&role).policy_arn(ec2_read).send().await.unwrap();
    let o = run(&small.join("aws/revoke.sh"), &moto);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains(&format!("managed policy {ec2_read}")), "not recorded: {}", text(&o));
    s.iam.detach_role_policy().role_name(&role).policy_arn(ec2_read).send().await.unwrap();

    let o = run(&small.join("aws/revoke.sh"), &moto);
    assert!(o.status.success(), "the recorded and the pack's own allow-only ones are the pack's: {}", text(&o));
    assert!(s.iam.get_role().role_name(&role).send().await.is_err(), "{}", text(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains(&format!("Detached {}, this pack's own policy", arn("extra-own"))) && said.contains("aws iam delete-policy"),
        "{}",
        text(&o)
    );
    assert!(s.iam.get_policy().policy_arn(arn("extra-own")).send().await.is_ok(), "kept: another plan of the pack may use it");
}

async fn sess_delete(s: &Session, role: &str, name: &str) {
    s.iam.delete_role_policy().role_name(role).policy_name(name).send().await.unwrap();
}

/// The query a pack's setup.sh and revoke.sh read a policy with before taking it off, evaluated by
/// the JMESPath library the aws CLI evaluates `--query` with: only a document whose every statement
/// is an Allow with an Action, and none with NotAction, NotResource or NotPrincipal, reads as
/// allowing only; a lone statement object, no statement, a Deny, or a statement without an Action
/// does not.
#[test]
fn the_scripts_read_as_allowing_only_exactly_the_plain_allow_documents() {
    let (_d, out) = export(&trustbridge_core::pack::render_pack(&pack_plan("sagemaker-service-role")));
    let script = std::fs::read_to_string(out.join("aws/setup.sh")).unwrap();
    let line = script.lines().find(|l| l.starts_with("ONLY_ALLOWS='")).expect("the query is in the script");
    let query = line.trim_start_matches("ONLY_ALLOWS='").trim_end_matches('\'');
    let python = aws_cli().parent().unwrap().join("python");
    let allow = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#;
    for (doc, want) in [
        (format!(r#"{{"Statement":[{allow}]}}"#), true),
        (format!(r#"{{"Statement":[{allow},{allow}]}}"#), true),
        (format!(r#"{{"Statement":{allow}}}"#), false),
        (r#"{"Statement":[]}"#.to_string(), false),
        (r#"{}"#.to_string(), false),
        (format!(r#"{{"Statement":[{allow},{{"Effect":"Deny","Action":"s3:*","Resource":"*"}}]}}"#), false),
        (r#"{"Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}"#.to_string(), false),
        (r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotResource":"*"}]}"#.to_string(), false),
        (r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotPrincipal":{"AWS":"x"},"Resource":"*"}]}"#.to_string(), false),
        (r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#.to_string(), false),
        (r#"{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}"#.to_string(), false),
    ] {
        let o = Command::new(&python)
            .args([
                "-c",
                "import json, sys, jmespath; print(jmespath.search('@ | ' + sys.argv[1], json.loads(sys.argv[2])) is True)",
                query,
                &doc,
            ])
            .output()
            .expect("the aws CLI's Python");
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), if want { "True" } else { "False" }, "{doc}");
    }
}
