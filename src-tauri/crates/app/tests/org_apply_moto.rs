//! The organization-wide apply's live steps (`org_apply::apply_told`), without Tauri, against a
//! real moto server holding a real AWS Organization: each account is told as it is signed in to,
//! reaches pre-flight, then the apply, in that order; an account pre-flight stops never reaches the
//! apply step (nothing is changed there).

#[path = "../../cloud/tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;

use common::*;
use trustbridge_app::ipc::OrgStep;
use trustbridge_app::org_apply::{self, Override};
use trustbridge_cloud::aws::Session;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_account_is_told_as_it_reaches_each_step() {
    let moto = Moto::start();
    let base = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    let accounts = organization(&mgmt, &["Training"], 3).await.1;
    for a in &accounts {
        create_bucket(&member_session(&mgmt, a).await, &format!("data-{a}")).await;
    }
    // A bucket policy that admits only another organization's principals: pre-flight stops that account.
    let stopped = &accounts[1];
    let bucket = format!("data-{stopped}");
    let deny = org_only_policy(&bucket, "OrgOnly");
    member_session(&mgmt, stopped).await.s3.put_bucket_policy().bucket(&bucket).policy(deny).send().await.unwrap();
    let entries: Vec<String> =
        accounts.iter().map(|a| format!(r#"{{"account_id":"{a}","storage":[{{"bucket":"data-{a}"}}],"events":[]}}"#)).collect();
    let r = resolved(&format!(
        r#"{{"version":1,"platform":"mlcube","integration":{{"name":"AWS_ORG","project_id":"p"}},
        "aws":{{"account_id":"123456789012","region":"{REGION}","role_name":"mlcube-platform-access","external_id":"{EXTERNAL_ID}",
        "organization":{{"engine":"member-role","max_concurrency":2}},"accounts":[{}]}}}}"#,
        entries.join(",")
    ));
    let told: Mutex<BTreeMap<String, Vec<OrgStep>>> = Mutex::default();
    let ended: Mutex<Vec<String>> = Mutex::default();
    let step = |id: &str, s: OrgStep| {
        assert!(!ended.lock().unwrap().contains(&id.to_string()), "{id}: a step after it ended");
        told.lock().unwrap().entry(id.to_string()).or_default().push(s);
    };
    let done = |o: &trustbridge_cloud::aws::org::AccountOutcome<org_apply::AccountApply>| ended.lock().unwrap().push(o.account_id.clone());
    let outcomes = org_apply::apply_told(&r, &base, false, Override::None, &step, &done).await.unwrap();
    let told = told.into_inner().unwrap();
    for a in &accounts {
        let want = if a == stopped {
            vec![OrgStep::SignIn, OrgStep::Preflight]
        } else {
            vec![OrgStep::SignIn, OrgStep::Preflight, OrgStep::Apply]
        };
        assert_eq!(told.get(a), Some(&want), "{a}");
    }
    let blocked: Vec<&str> = outcomes.iter().filter(|o| o.ok().is_some_and(|x| x.blocked())).map(|o| o.account_id.as_str()).collect();
    assert_eq!(blocked, [stopped.as_str()]);
}
