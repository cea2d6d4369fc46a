//! The window's organization use cases (`trustbridge_app::confirmed_org`), without Tauri: a
//! scripted [`Ask`] answers, against a real moto server holding a real AWS Organization. A dry run
//! asks nothing and changes nothing; Cancel applies or removes nothing in any account; yes changes
//! every account the dialog named; a removal of nothing asks nothing; a plan of the other engine is
//! refused before anything is asked.

#[path = "../../cloud/tests/common/mod.rs"]
mod common;
mod script;

use std::sync::Mutex;

use common::*;
use script::Script;
use trustbridge_app::confirmed_org;
use trustbridge_cloud::aws::Session;

const ROLE: &str = "mlcube-platform-access";

fn plan(engine: &str, accounts: &[String], ou: &str) -> trustbridge_core::validate::Resolved {
    let entries: Vec<String> =
        accounts.iter().map(|a| format!(r#"{{"account_id":"{a}","storage":[{{"bucket":"data-{a}"}}],"events":[]}}"#)).collect();
    let units = if engine == "stack-set" { format!(r#","organizational_units":["{ou}"]"#) } else { String::new() };
    resolved(&format!(
        r#"{{"version":1,"platform":"mlcube","integration":{{"name":"AWS_ORG","project_id":"p"}},
        "aws":{{"account_id":"123456789012","region":"{REGION}","role_name":"{ROLE}","external_id":"{EXTERNAL_ID}",
        "organization":{{"engine":"{engine}"{units}}},"accounts":[{}]}}}}"#,
        entries.join(",")
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_changes_only_after_a_yes_naming_every_account() {
    let moto = Moto::start();
    let base = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    let (ous, accounts) = organization(&mgmt, &["Training"], 2).await;
    for a in &accounts {
        create_bucket(&member_session(&mgmt, a).await, &format!("data-{a}")).await;
    }
    let r = plan("member-role", &accounts, &ous[0]);
    let roles = || async {
        let mut with = Vec::new();
        for a in &accounts {
            if member_session(&mgmt, a).await.iam.get_role().role_name(ROLE).send().await.is_ok() {
                with.push(a.clone());
            }
        }
        with
    };
    let no_step = |_: &str, _: trustbridge_app::ipc::OrgStep| {};
    let no_row = |_: &trustbridge_cloud::aws::org::AccountOutcome<trustbridge_app::org_apply::AccountApply>| {};

    // The dry run asks nothing and changes nothing.
    let no = Script::answering(&[]);
    let dry = confirmed_org::org_apply(r.clone(), base.clone(), true, false, &no, no_step, no_row).await.unwrap();
    assert_eq!(dry.len(), 2);
    assert!(dry.iter().all(|o| o.ok().and_then(|a| a.report.as_ref()).is_some_and(|rep| rep.dry_run && !rep.changes.is_empty())));
    assert_eq!(no.asked(), 0);
    // Cancel: nothing applied anywhere; the question named each account and its bucket.
    let e = confirmed_org::org_apply(r.clone(), base.clone(), false, false, &no, no_step, no_row).await.unwrap_err();
    assert_eq!(e.code, "apply.cancelled");
    for a in &accounts {
        assert!(no.last().contains(a.as_str()) && no.last().contains(&format!("data-{a}")), "{a} not in: {}", no.last());
    }
    assert!(roles().await.is_empty(), "applied without a yes");
    // A StackSet plan is not this engine's: refused before asking.
    let e = confirmed_org::org_apply(plan("stack-set", &accounts, &ous[0]), base.clone(), false, false, &no, no_step, no_row)
        .await
        .unwrap_err();
    assert_eq!(e.code, "org.engine_mismatch");
    let e = confirmed_org::stack_set_apply(r.clone(), base.clone(), false, false, &no, |_| {}).await.unwrap_err();
    assert_eq!(e.code, "org.engine_mismatch");
    assert_eq!(no.asked(), 1, "a plan of the other engine asked");

    // Yes: every account gets the role; each account is told as it ends.
    let yes = Script::answering(&[true]);
    let ended = std::sync::Arc::new(Mutex::new(Vec::new()));
    let told = ended.clone();
    let row = move |o: &trustbridge_cloud::aws::org::AccountOutcome<trustbridge_app::org_apply::AccountApply>| {
        told.lock().unwrap().push(o.account_id.clone())
    };
    let done = confirmed_org::org_apply(r.clone(), base.clone(), false, false, &yes, no_step, row).await.unwrap();
    assert!(done.iter().all(|o| o.ok().is_some_and(|a| !a.blocked())), "{done:#?}");
    assert_eq!(roles().await, accounts);
    let mut ended = ended.lock().unwrap().clone();
    ended.sort();
    let mut want = accounts.clone();
    want.sort();
    assert_eq!(ended, want);

    // The removal: Cancel removes nothing; yes removes the role from every account it named.
    let e = confirmed_org::org_revoke(r.clone(), base.clone(), &no).await.unwrap_err();
    assert_eq!(e.code, "revoke.cancelled");
    assert!(accounts.iter().all(|a| no.last().contains(a.as_str())), "{}", no.last());
    assert_eq!(roles().await, accounts, "removed without a yes");
    let gone = confirmed_org::org_revoke(r.clone(), base.clone(), &Script::answering(&[true])).await.unwrap();
    let order: Vec<&str> = gone.iter().map(|o| o.account_id.as_str()).collect();
    assert_eq!(order, accounts.iter().map(String::as_str).collect::<Vec<_>>(), "the plan's order");
    assert!(gone.iter().all(|o| o.ok().is_some_and(|rep| rep.role_deleted)), "{gone:#?}");
    assert!(roles().await.is_empty());
    // Nothing left to remove: nothing asked.
    let quiet = Script::answering(&[]);
    let nothing = confirmed_org::org_revoke(r, base, &quiet).await.unwrap();
    assert!(nothing.iter().all(|o| o.ok().is_some_and(|rep| rep.changes.is_empty())));
    assert_eq!(quiet.asked(), 0);
}

/// The StackSet's dialog says what deploying does as Rust read it just before asking — here, with
/// the management account listed, its own stack (StackSets do not reach the management account) —
/// and Cancel deploys nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stack_sets_dialog_names_each_step_read_before_asking() {
    let moto = Moto::start();
    let base = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    let (ous, accounts) = organization(&mgmt, &["Training"], 1).await;
    create_bucket(&member_session(&mgmt, &accounts[0]).await, &format!("data-{}", accounts[0])).await;
    create_bucket(&mgmt, "data-123456789012").await;
    let listed = vec![accounts[0].clone(), "123456789012".to_string()];
    let r = plan("stack-set", &listed, &ous[0]);

    // Signed in to another account than the plan's management account: refused, nothing asked. (The
    // use case now checks the sign-in before its dry run; the dry run checks it too, so this does
    // not tell the two orders apart.)
    let elsewhere: trustbridge_core::validate::Resolved = resolved(
        &serde_json::to_string(&r.plan)
            .unwrap()
            .replace("\"account_id\":\"123456789012\",\"region\"", "\"account_id\":\"210987654321\",\"region\""),
    );
    let quiet = Script::answering(&[]);
    let e = confirmed_org::stack_set_apply(elsewhere, base.clone(), false, false, &quiet, |_| {}).await.unwrap_err();
    assert_eq!(e.code, "aws.account_mismatch", "{e:?}");
    assert_eq!(quiet.asked(), 0);

    let no = Script::answering(&[]);
    let e = confirmed_org::stack_set_apply(r, base.clone(), false, false, &no, |_| {}).await.unwrap_err();
    assert_eq!(e.code, "apply.cancelled");
    let asked = no.last();
    let steps = &asked[asked.find("Step by step:").expect("the steps")..];
    assert!(steps.contains("create the StackSet"), "{asked}");
    assert!(steps.contains("in the management account 123456789012"), "{asked}");
    let cfn = aws_sdk_cloudformation::Client::new(&mgmt.conf);
    assert!(cfn.list_stack_sets().send().await.unwrap().summaries().is_empty(), "a cancelled deploy deployed");
}
