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
