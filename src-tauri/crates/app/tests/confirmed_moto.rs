//! The window's confirm-then-change use cases (`trustbridge_app::confirmed`), without Tauri: a
//! scripted [`Ask`] answers, against a real moto server. Nothing changes on Cancel; a yes given
//! ahead (`aws_approve`) covers exactly one apply; a removal of nothing asks nothing.

#[path = "../../cloud/tests/common/mod.rs"]
mod common;
mod script;

use common::*;
use script::Script;
use trustbridge_app::confirm::Approvals;
use trustbridge_app::confirmed;
use trustbridge_cloud::aws::Session;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aws_apply_and_removal_change_nothing_without_a_yes() {
    let moto = Moto::start();
    let s = settings(&moto.url());
    let r = plan();
    seed(&r, &s).await;
    let role_exists = || async {
        Session::connect(r.aws.as_ref().unwrap(), &s).await.iam.get_role().role_name("mlcube-platform-access").send().await.is_ok()
    };
    let approvals = Approvals::default();

    // The dry run asks nothing and changes nothing.
    let no = Script::answering(&[]);
    let dry = confirmed::aws_apply(&r, &s, true, false, &approvals, &no).await.unwrap();
    assert!(dry.dry_run && !dry.changes.is_empty());
    assert_eq!(no.asked(), 0);
    // Cancel: nothing applied; the question named the role.
    let e = confirmed::aws_apply(&r, &s, false, false, &approvals, &no).await.unwrap_err();
    assert_eq!(e.code, "apply.cancelled");
    assert!(no.asked.lock().unwrap()[0].message.contains("mlcube-platform-access"));
    assert!(!role_exists().await, "applied without a yes");

    // A yes given ahead covers the next apply of exactly that, once.
    let yes = Script::answering(&[true]);
    confirmed::aws_approve(&r, &s, false, &approvals, &yes).await.unwrap();
    let done = confirmed::aws_apply(&r, &s, false, false, &approvals, &no).await.unwrap();
    assert!(!done.dry_run && !done.changes.is_empty());
    assert_eq!(no.asked(), 1, "the approval was used, nothing asked again");
    assert!(role_exists().await);

    // Removal: Cancel removes nothing; yes removes; nothing left, nothing asked.
    let e = confirmed::aws_revoke(&r, &s, &no).await.unwrap_err();
    assert_eq!(e.code, "revoke.cancelled");
    assert!(role_exists().await, "removed without a yes");
    let yes = Script::answering(&[true]);
    let gone = confirmed::aws_revoke(&r, &s, &yes).await.unwrap();
    assert!(gone.role_deleted, "{gone:?}");
    assert!(!role_exists().await);
    let again = confirmed::aws_revoke(&r, &s, &yes).await.unwrap();
    assert!(again.changes.is_empty());
    assert_eq!(yes.asked(), 1, "a removal of nothing asks nothing");
}

/// A role pack from the repository's fixtures, validated.
fn pack(name: &str) -> trustbridge_core::pack::ResolvedPack {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/packs").join(format!("{name}.json"));
    let plan = trustbridge_core::pack::PackPlan::from_json(&std::fs::read_to_string(p).unwrap()).unwrap();
    trustbridge_core::pack::validate_pack(&plan, None).unwrap_or_else(|e| panic!("{name}: {e:#?}"))
}

/// A role pack applies only after a yes to a question naming the sign-in its dry run read, and as
/// that sign-in; the dry run asks nothing and writes nothing; a pack whose role someone else made
/// is refused before anything is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pack_applies_only_after_a_yes_naming_who_signs_in() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let s = settings(&moto.url());
    let r = pack("sagemaker-service-role");
    let iam = Session::for_region("us-east-1", &s).await.iam;
    let role_exists = || async { iam.get_role().role_name("sagemaker-execution-role").send().await.is_ok() };

    let no = Script::answering(&[]);
    let dry = confirmed::pack_apply(&r, &s, true, &no).await.unwrap();
    assert!(dry.dry_run && !dry.changes.is_empty(), "{dry:?}");
    assert_eq!(no.asked(), 0, "a dry run asks nothing");
    assert!(!role_exists().await, "a dry run wrote");

    let e = confirmed::pack_apply(&r, &s, false, &no).await.unwrap_err();
    assert_eq!(e.code, "apply.cancelled");
    let asked = no.last();
    assert!(asked.contains(&format!("signed in as {}", dry.caller.arn)), "the question names the dry run's sign-in: {asked}");
    assert!(asked.contains("sagemaker-execution-role"), "{asked}");
    assert!(!role_exists().await, "applied without a yes");

    let yes = Script::answering(&[true]);
    let done = confirmed::pack_apply(&r, &s, false, &yes).await.unwrap();
    assert!(!done.dry_run && !done.changes.is_empty());
    assert_eq!(done.caller.arn, dry.caller.arn);
    assert!(role_exists().await);

    // Someone else's role of the pack's name: refused by the dry run, before any question.
    iam.delete_role_policy().role_name("sagemaker-execution-role").policy_name("sagemaker-data-access").send().await.ok();
    let attached = iam.list_attached_role_policies().role_name("sagemaker-execution-role").send().await.unwrap();
    for p in attached.attached_policies() {
        iam.detach_role_policy().role_name("sagemaker-execution-role").policy_arn(p.policy_arn().unwrap()).send().await.unwrap();
    }
    let inline = iam.list_role_policies().role_name("sagemaker-execution-role").send().await.unwrap();
    for n in inline.policy_names() {
        iam.delete_role_policy().role_name("sagemaker-execution-role").policy_name(n).send().await.unwrap();
    }
    iam.delete_role().role_name("sagemaker-execution-role").send().await.unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
    iam.create_role().role_name("sagemaker-execution-role").assume_role_policy_document(trust).send().await.unwrap();
    let quiet = Script::answering(&[true]);
    let e = confirmed::pack_apply(&r, &s, false, &quiet).await.unwrap_err();
    assert_eq!(e.code, "aws.pack_resource_not_ours", "{e:?}");
    assert_eq!(quiet.asked(), 0);
}

/// What a pack's apply takes off (its own allow-only policy, attached by hand where the pack does
/// not name it) is named in the question, each one; Cancel leaves it attached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packs_apply_names_what_it_takes_off_in_the_question() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let s = settings(&moto.url());
    let r = pack("mlspace");
    let yes = Script::answering(&[true]);
    confirmed::pack_apply(&r, &s, false, &yes).await.unwrap();
    assert!(!yes.last().contains("takes off"), "{}", yes.last());
    let iam = Session::for_region("us-east-1", &s).await.iam;
    let own = "arn:aws:iam::123456789012:policy/mlspace-app-policy";
    iam.attach_role_policy().role_name("mlspace-s3-reader-role").policy_arn(own).send().await.unwrap();

    let no = Script::answering(&[]);
    let e = confirmed::pack_apply(&r, &s, false, &no).await.unwrap_err();
    assert_eq!(e.code, "apply.cancelled");
    let asked = no.last();
    assert!(asked.contains("takes off") && asked.contains(&format!("detach {own} from role mlspace-s3-reader-role")), "{asked}");
    let attached = iam.list_attached_role_policies().role_name("mlspace-s3-reader-role").send().await.unwrap();
    assert!(attached.attached_policies().iter().any(|p| p.policy_arn() == Some(own)), "Cancel took it off");

    // A yes covers what it names: the pack's own policy attached to another of its roles while the
    // person is asked is not taken off under that yes — nothing changes at all.
    let meanwhile = AttachesMeanwhile {
        s: Session::for_region("us-east-1", &s).await,
        role: "mlspace-apigateway-cloudwatch-role",
        arn: own.to_string(),
        asked: std::sync::Mutex::new(Vec::new()),
    };
    let e = confirmed::pack_apply(&r, &s, false, &meanwhile).await.unwrap_err();
    assert_eq!(e.code, "aws.pack_apply_changed", "{e:?}");
    assert!(e.message.contains("mlspace-apigateway-cloudwatch-role"), "{}", e.message);
    let named = meanwhile.asked.lock().unwrap().concat();
    assert!(named.contains("from role mlspace-s3-reader-role") && !named.contains("from role mlspace-apigateway"), "{named}");
    let attached = iam.list_attached_role_policies().role_name("mlspace-s3-reader-role").send().await.unwrap();
    assert!(attached.attached_policies().iter().any(|p| p.policy_arn() == Some(own)), "applied although the account changed");

    // Asked again, both are named; the yes takes off both.
    let yes = Script::answering(&[true]);
    let done = confirmed::pack_apply(&r, &s, false, &yes).await.unwrap();
    assert!(
        yes.last().contains("from role mlspace-apigateway-cloudwatch-role") && yes.last().contains("from role mlspace-s3-reader-role"),
        "{}",
        yes.last()
    );
    assert_eq!(done.changes.len(), 2, "{:?}", done.changes);
}

/// The person says yes, and meanwhile someone attaches a policy (as if while the dialog was open).
struct AttachesMeanwhile {
    s: Session,
    role: &'static str,
    arn: String,
    asked: std::sync::Mutex<Vec<String>>,
}

impl trustbridge_app::confirmed::Ask for AttachesMeanwhile {
    fn ask(&self, c: &trustbridge_app::confirm::Confirmation) -> impl std::future::Future<Output = bool> + Send {
        self.asked.lock().unwrap().push(c.message.clone());
        let (iam, role, arn) = (self.s.iam.clone(), self.role, self.arn.clone());
        async move {
            iam.attach_role_policy().role_name(role).policy_arn(arn).send().await.unwrap();
            true
        }
    }
}

/// The window's export: into a typed folder only after a yes naming the new folder; into a folder
/// chosen in the picker (its approval) without a second question, once; never over a relative or
/// missing folder; never with a lint error; and never over anything that exists.
#[tokio::test]
async fn the_export_writes_only_where_the_person_said() {
    use trustbridge_app::confirm::folder_key;
    let r = plan();
    let bundle = || trustbridge_core::render::render(&r);
    let findings = trustbridge_core::lint::lint(&r);
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().to_str().unwrap().to_string();
    let approvals = Approvals::default();
    let entries = || std::fs::read_dir(tmp.path()).unwrap().count();

    for bad in ["relative/folder", &format!("{parent}/missing")] {
        let no = Script::answering(&[true]);
        let e = confirmed::export(&findings, bundle(), bad, "acme", &approvals, &no).await.unwrap_err();
        assert_eq!(e.code, "export.io", "{bad}: {e:?}");
        assert_eq!(no.asked(), 0);
    }

    let no = Script::answering(&[]);
    let e = confirmed::export(&findings, bundle(), &parent, "acme", &approvals, &no).await.unwrap_err();
    assert_eq!(e.code, "export.cancelled");
    assert!(no.last().contains("trustbridge-acme"), "the question names the new folder: {}", no.last());
    assert_eq!(entries(), 0, "a cancelled export wrote");

    let yes = Script::answering(&[true]);
    let first = confirmed::export(&findings, bundle(), &parent, "acme", &approvals, &yes).await.unwrap();
    assert!(first.dir.ends_with("trustbridge-acme") && !first.files.is_empty(), "{first:?}");
    assert!(std::path::Path::new(&first.dir).join(&first.files[0]).is_file());

    // The picker's approval: no question, a new folder beside the first; used once.
    approvals.grant(folder_key(&parent));
    let quiet = Script::answering(&[]);
    let second = confirmed::export(&findings, bundle(), &parent, "acme", &approvals, &quiet).await.unwrap();
    assert!(second.dir.ends_with("trustbridge-acme-2"), "{second:?}");
    assert_eq!(quiet.asked(), 0);
    let e = confirmed::export(&findings, bundle(), &parent, "acme", &approvals, &quiet).await.unwrap_err();
    assert_eq!(e.code, "export.cancelled", "the approval was used once");

    // A lint error: refused before anything is asked or written.
    let mut bad = findings.clone();
    bad.push(trustbridge_core::lint::Finding {
        severity: trustbridge_core::lint::Severity::Error,
        code: "lint.unknown_action".into(),
        document: "aws/storage-policy.json".into(),
        message: "m".into(),
        fix: "f".into(),
    });
    let asked = Script::answering(&[true]);
    let e = confirmed::export(&bad, bundle(), &parent, "acme", &approvals, &asked).await.unwrap_err();
    assert_eq!(e.code, "export.lint_errors", "{e:?}");
    assert_eq!(asked.asked(), 0);
    assert_eq!(entries(), 2, "only the two exports that were confirmed");
}
