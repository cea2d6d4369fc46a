//! The window's organization-wide apply, connectivity test and removal (`apply_aws_org`,
//! `verify_aws_org`, `revoke_aws_org`)
//! over IPC, against a real moto server holding a real AWS Organization: the management account
//! (moto's default 123456789012) makes two member accounts, each with its bucket and bus made with
//! the member's own credentials; one member already has a same-named role trustbridge did not make.
//! The window then works with the management account's credentials only, through each member's
//! `OrganizationAccountAccessRole`; every result is read back through the member account itself.
//! (An account without its member role is the cloud crate's `org_moto.rs`, through a gateway that
//! refuses that AssumeRole as AWS does: moto's own does not check that the role exists.)

#[path = "../crates/cloud/tests/common/mod.rs"]
mod cloud_common;
mod common;

use std::time::Duration;

use cloud_common::*;
use common::invoke_with;
use serde_json::{json, Value};
use trustbridge::commands_confirm::Scripted;
use trustbridge_cloud::aws::{AwsSettings, Session};

const ROLE: &str = "mlcube-platform-access";
/// The channel of an organization apply's steps (the mock runtime drops what is sent on it).
const STEPS: &str = "__CHANNEL__:2";
/// The channel of an organization test's checks (the mock runtime drops what is sent on it).
const PROBES: &str = "__CHANNEL__:3";

fn invoke(app: &tauri::App<tauri::test::MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_with(app, cmd, "tauri://localhost", args)
}

fn org_plan(management: &str, accounts: &[String], engine: &str) -> Value {
    let entries: Vec<Value> = accounts
        .iter()
        .map(|a| json!({"account_id": a, "storage": [{"bucket": format!("data-{a}")}], "events": [{"event_bus_name": BUS}]}))
        .collect();
    let mut org = json!({"engine": engine});
    if engine == "stack-set" {
        org["organizational_units"] = json!(["r-ab12"]);
    }
    json!({"version": 1, "platform": "mlcube", "integration": {"name": "AWS_ORG", "project_id": "p"},
        "aws": {"account_id": management, "region": REGION, "role_name": ROLE, "external_id": EXTERNAL_ID,
            "organization": org, "accounts": entries}})
}

fn statuses(result: &Value) -> Vec<(String, String)> {
    result["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["account_id"].as_str().unwrap().to_string(), a["status"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn the_window_applies_tests_and_retries_an_organization_through_each_member_role() {
    let moto = Moto::start();
    let base = AwsSettings { timeout: Duration::from_secs(30), ..settings(&moto.url()) };
    let rt = trustbridge_cloud::runtime().unwrap();
    let (accounts, blocked) = rt.block_on(async {
        let mgmt = Session::for_region(REGION, &base).await;
        let accounts = organization(&mgmt, &["Training"], 2).await.1;
        for a in &accounts {
            let m = member_session(&mgmt, a).await;
            create_bucket(&m, &format!("data-{a}")).await;
            m.events.create_event_bus().name(BUS).send().await.unwrap();
        }
        let blocked = accounts[1].clone();
        member_session(&mgmt, &blocked)
            .await
            .iam
            .create_role()
            .role_name(ROLE)
            .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
            .send()
            .await
            .unwrap();
        (accounts, blocked)
    });
    let has_role = |account: &str| {
        rt.block_on(async {
            let mgmt = Session::for_region(REGION, &base).await;
            let m = member_session(&mgmt, account).await;
            m.iam
                .get_role()
                .role_name(ROLE)
                .send()
                .await
                .ok()
                .and_then(|r| r.role().map(|r| r.assume_role_policy_document().map(String::from)))
        })
    };
    let asker = Scripted::new(true, None);
    asker.answers.lock().unwrap().push_back(false);
    let app = common::app_on_aws(&base, asker.clone());
    let plan = org_plan("123456789012", &accounts, "member-role");
    let channel = "__CHANNEL__:1";

    // The dry run: each account's row, in the plan's order; the foreign role refused in its account only.
    let dry = invoke(&app, "apply_aws_org", json!({"plan": plan, "dryRun": true, "onEvent": channel, "onStep": STEPS})).expect("dry run");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(statuses(&dry), [(accounts[0].clone(), "done".into()), (blocked.clone(), "failed".into())], "{dry}");
    let first = &dry["accounts"][0];
    assert_eq!(first["via_role"], format!("arn:aws:iam::{}:role/OrganizationAccountAccessRole", accounts[0]));
    let kinds: Vec<&str> = first["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["create_role", "put_inline_policy", "put_inline_policy"], "{first}");
    assert_eq!(dry["accounts"][1]["error"]["code"], "aws.role_not_ours", "{dry}");
    assert!(has_role(&accounts[0]).is_none(), "the dry run created the role");

    // Cancel in the native confirmation: nothing anywhere. The dialog named the management
    // account, the member role and each account with its bucket.
    let e = invoke(&app, "apply_aws_org", json!({"plan": plan, "dryRun": false, "onEvent": channel, "onStep": STEPS})).unwrap_err();
    assert_eq!(e["code"], "apply.cancelled", "{e}");
    assert!(has_role(&accounts[0]).is_none(), "a cancelled apply created the role");
    let asked = asker.asked.lock().unwrap().last().cloned().expect("asked");
    assert_eq!(asked.title, trustbridge::confirm::APPLY_ORG_TITLE);
    for needle in ["2 accounts", "123456789012", "OrganizationAccountAccessRole", &format!("data-{}", accounts[0]), &blocked] {
        assert!(asked.message.contains(needle), "{needle} not in: {}", asked.message);
    }

    // Apply: the first account gets the role (read back through the member itself: the vendor's
    // trust with the external id); the foreign role is left as it was.
    let done = invoke(&app, "apply_aws_org", json!({"plan": plan, "dryRun": false, "onEvent": channel, "onStep": STEPS})).expect("apply");
    assert_eq!(statuses(&done), [(accounts[0].clone(), "done".into()), (blocked.clone(), "failed".into())], "{done}");
    let trust = has_role(&accounts[0]).flatten().expect("role made");
    let trust = urlencoding_decode(&trust);
    assert!(trust.contains(EXTERNAL_ID), "{trust}");
    assert!(!urlencoding_decode(&has_role(&blocked).flatten().unwrap()).contains(EXTERNAL_ID), "the foreign role was changed");

    // Retry only the failed account once its owner removed the foreign role; an account the plan
    // does not list is refused, never added.
    rt.block_on(async {
        let mgmt = Session::for_region(REGION, &base).await;
        member_session(&mgmt, &blocked).await.iam.delete_role().role_name(ROLE).send().await.unwrap();
    });
    let stranger =
        invoke(&app, "apply_aws_org", json!({"plan": plan, "dryRun": true, "only": ["999999999999"], "onEvent": channel, "onStep": STEPS}))
            .unwrap_err();
    assert_eq!(stranger["code"], "org.unknown_account", "{stranger}");
    let retried =
        invoke(&app, "apply_aws_org", json!({"plan": plan, "dryRun": false, "only": [blocked], "onEvent": channel, "onStep": STEPS}))
            .expect("retry");
    assert_eq!(statuses(&retried), [(blocked.clone(), "done".into())], "{retried}");
    // The retry's confirmation named the account it covers, and not the one already done.
    let asked = asker.asked.lock().unwrap().last().cloned().expect("asked");
    assert!(asked.message.contains("one account") && asked.message.contains(&blocked), "{}", asked.message);
    assert!(!asked.message.contains(&accounts[0]), "the retry's dialog names an account it does not touch: {}", asked.message);
    let empty =
        invoke(&app, "apply_aws_org", json!({"plan": plan, "dryRun": true, "only": [], "onEvent": channel, "onStep": STEPS})).unwrap_err();
    assert_eq!(empty["code"], "org.unknown_account", "{empty}");
    assert!(urlencoding_decode(&has_role(&blocked).flatten().unwrap()).contains(EXTERNAL_ID));
    let again =
        invoke(&app, "apply_aws_org", json!({"plan": plan, "dryRun": true, "onEvent": channel, "onStep": STEPS})).expect("dry run again");
    for a in again["accounts"].as_array().unwrap() {
        assert_eq!(a["changes"], json!([]), "a re-run changes nothing: {a}");
    }

    // The connectivity test, per account: the customer-side probes pass (moto lets the
    // permissions probe check only partly), each row naming its account.
    let rows = invoke(&app, "verify_aws_org", json!({"plan": plan, "onEvent": channel, "onProbe": PROBES})).expect("verify");
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (row, account) in rows.iter().zip(&accounts) {
        assert_eq!(row["account_id"], account.as_str());
        assert_eq!(row["verdict"], "partial", "{row}");
        assert!(row["probes"].as_array().unwrap().iter().all(|p| p["status"] != "fail"), "{row}");
    }

    // Remove access from every account: Rust reads what would go in each account, names
    // every account with exactly that in its native dialog; Cancel removes nothing; yes removes it,
    // read back through each member itself; a second time there is nothing to remove, nothing asked.
    asker.answers.lock().unwrap().push_back(false);
    let e = invoke(&app, "revoke_aws_org", json!({"plan": plan})).unwrap_err();
    assert_eq!(e["code"], "revoke.cancelled", "{e}");
    assert!(has_role(&accounts[0]).is_some() && has_role(&blocked).is_some(), "a cancelled removal removed a role");
    let asked = asker.asked.lock().unwrap().last().cloned().expect("asked");
    assert_eq!(asked.title, trustbridge::confirm::REVOKE_AWS_ORG_TITLE);
    assert!(asked.message.contains("from 2 accounts") && asked.message.contains("123456789012"), "{}", asked.message);
    for a in &accounts {
        let line = asked.message.lines().find(|l| l.contains("•") && l.contains(a.as_str()));
        assert!(line.is_some_and(|l| l.contains(ROLE) && l.contains("the role is deleted")), "{a}: {}", asked.message);
    }
    // While the dialog is open, someone adds a policy of their own to the first account's role:
    // nothing is removed in that account (removing only Trustbridge's policies would leave the
    // vendor's trust on theirs, and IAM refuses to delete a role with them), the other account's
    // removal goes ahead.
    let (changed, meanwhile_base) = (accounts[0].clone(), base.clone());
    asker.meanwhile(move || {
        std::thread::spawn(move || {
            trustbridge_cloud::runtime().unwrap().block_on(async {
                let mgmt = Session::for_region(REGION, &meanwhile_base).await;
                member_session(&mgmt, &changed)
                    .await
                    .iam
                    .put_role_policy()
                    .role_name(ROLE)
                    .policy_name("added-meanwhile")
                    .policy_document(
                        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#,
                    )
                    .send()
                    .await
                    .unwrap();
            })
        })
        .join()
        .unwrap();
    });
    let removed = invoke(&app, "revoke_aws_org", json!({"plan": plan})).expect("revoke");
    let removed = removed.as_array().unwrap();
    let ids: Vec<&str> = removed.iter().map(|r| r["account_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [accounts[0].as_str(), blocked.as_str()], "one row per account, in the plan's order");
    assert_eq!(removed[0]["status"], "failed", "{:?}", removed[0]);
    assert_eq!(removed[0]["error"]["code"], "aws.delete_conflict", "{:?}", removed[0]);
    assert!(removed[0]["error"]["message"].as_str().unwrap().contains("added-meanwhile"), "{:?}", removed[0]);
    assert_eq!(removed[0]["changes"], json!([]), "nothing was removed there: {:?}", removed[0]);
    assert_eq!(removed[1]["status"], "done", "{:?}", removed[1]);
    assert!(!removed[1]["changes"].as_array().unwrap().is_empty(), "{:?}", removed[1]);
    assert!(has_role(&accounts[0]).is_some(), "the changed account's role was removed all the same");
    assert!(has_role(&blocked).is_none(), "the unchanged account's role is left");
    // Its owner takes the policy off again: removing again asks about that account only, and removes it.
    rt.block_on(async {
        let mgmt = Session::for_region(REGION, &base).await;
        member_session(&mgmt, &accounts[0])
            .await
            .iam
            .delete_role_policy()
            .role_name(ROLE)
            .policy_name("added-meanwhile")
            .send()
            .await
            .unwrap();
    });
    let removed = invoke(&app, "revoke_aws_org", json!({"plan": plan})).expect("revoke again");
    let asked = asker.asked.lock().unwrap().last().cloned().expect("asked");
    assert!(
        asked.message.contains(&accounts[0]) && !asked.message.lines().any(|l| l.contains("•") && l.contains(blocked.as_str())),
        "{}",
        asked.message
    );
    for row in removed.as_array().unwrap() {
        assert_eq!(row["status"], "done", "{row}");
    }
    assert!(has_role(&accounts[0]).is_none() && has_role(&blocked).is_none(), "a role is left after the removal");
    let asked_before = asker.asked.lock().unwrap().len();
    let again = invoke(&app, "revoke_aws_org", json!({"plan": plan})).expect("revoke again");
    assert!(again.as_array().unwrap().iter().all(|r| r["status"] == "done" && r["changes"] == json!([])), "{again}");
    assert_eq!(asker.asked.lock().unwrap().len(), asked_before, "asked about a removal of nothing");

    // Signed in to another account than the plan's management account: refused before asking.
    let asked_before = asker.asked.lock().unwrap().len();
    let e = invoke(
        &app,
        "apply_aws_org",
        json!({"plan": org_plan("111111111111", &accounts, "member-role"), "dryRun": false, "onEvent": channel, "onStep": STEPS}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "aws.account_mismatch", "{e}");
    assert_eq!(asker.asked.lock().unwrap().len(), asked_before, "asked about an apply that cannot happen");
    // A StackSet plan is exported (or applied with the CLI), not applied from the window.
    let e = invoke(
        &app,
        "apply_aws_org",
        json!({"plan": org_plan("123456789012", &accounts, "stack-set"), "dryRun": true, "onEvent": channel, "onStep": STEPS}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "org.engine_mismatch", "{e}");
    // Its connectivity test reads each listed account through its member role, as for member-role
    // (the roles were removed above: each account answers, and none is green).
    let tested = invoke(
        &app,
        "verify_aws_org",
        json!({"plan": org_plan("123456789012", &accounts, "stack-set"), "onEvent": channel, "onProbe": PROBES}),
    )
    .expect("a StackSet plan's test runs in the window");
    let ids: Vec<&str> = tested.as_array().unwrap().iter().map(|r| r["account_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [accounts[0].as_str(), blocked.as_str()]);
    assert!(tested.as_array().unwrap().iter().all(|r| r["verdict"] != "pass"), "{tested}");
}

/// "Apply anyway" for an organization: without it an account with a blocking pre-flight finding
/// is left untouched; with it, Rust reads every account's findings first and its native dialog
/// names each with its account, and the apply goes past exactly those — a rule that appears while
/// the dialog is open still stops its account; confirmed again, the account is set up.
#[test]
fn apply_anyway_goes_past_the_findings_the_dialog_named_and_no_others() {
    let moto = Moto::start();
    let base = AwsSettings { timeout: Duration::from_secs(30), ..settings(&moto.url()) };
    let rt = trustbridge_cloud::runtime().unwrap();
    let accounts = rt.block_on(async {
        let mgmt = Session::for_region(REGION, &base).await;
        let accounts = organization(&mgmt, &["Training"], 2).await.1;
        for a in &accounts {
            let m = member_session(&mgmt, a).await;
            create_bucket(&m, &format!("data-{a}")).await;
            m.events.create_event_bus().name(BUS).send().await.unwrap();
        }
        let stopped = &accounts[1];
        let bucket = format!("data-{stopped}");
        member_session(&mgmt, stopped)
            .await
            .s3
            .put_bucket_policy()
            .bucket(&bucket)
            .policy(org_only_policy(&bucket, "OrgOnly"))
            .send()
            .await
            .unwrap();
        accounts
    });
    let stopped = accounts[1].clone();
    let has_role = |account: &str| {
        rt.block_on(async {
            let mgmt = Session::for_region(REGION, &base).await;
            member_session(&mgmt, account).await.iam.get_role().role_name(ROLE).send().await.is_ok()
        })
    };
    let asker = Scripted::new(true, None);
    let app = common::app_on_aws(&base, asker.clone());
    let plan = org_plan("123456789012", &accounts, "member-role");
    let channel = "__CHANNEL__:1";

    // Without "Apply anyway": the account is stopped, the other set up; the dialog overrides nothing.
    let done = invoke(&app, "apply_aws_org", json!({"plan": plan, "dryRun": false, "onEvent": channel, "onStep": STEPS})).expect("apply");
    assert_eq!(statuses(&done), [(accounts[0].clone(), "done".into()), (stopped.clone(), "blocked".into())], "{done}");
    let finding =
        done["accounts"][1]["preflight"].as_array().unwrap().iter().find(|f| f["severity"] == "blocking").cloned().expect("the finding");
    let message = finding["message"].as_str().unwrap().to_string();
    assert!(!asker.asked.lock().unwrap().last().unwrap().message.contains("apply anyway"));
    assert!(has_role(&accounts[0]) && !has_role(&stopped));

    // "Apply anyway", and while its dialog is open the bucket's owner adds another such rule.
    let (meanwhile_base, who) = (base.clone(), stopped.clone());
    asker.meanwhile(move || owner_restricts_bucket(&meanwhile_base, &who, "AddedMeanwhile"));
    let again = json!({"plan": plan, "dryRun": false, "only": [stopped], "ignorePreflight": true, "onEvent": channel, "onStep": STEPS});
    let retried = invoke(&app, "apply_aws_org", again.clone()).expect("apply anyway");
    let asked = asker.asked.lock().unwrap().last().cloned().expect("asked");
    assert!(asked.message.contains("You chose to apply anyway"), "{}", asked.message);
    let named = format!("account {stopped}: ");
    assert!(
        asked.message.lines().any(|l| l.contains(&named) && l.contains("OrgOnly")),
        "the dialog names the finding with its account: {}",
        asked.message
    );
    assert!(asked.message.contains(&message), "the finding as pre-flight said it: {}", asked.message);
    assert!(!asked.message.contains("AddedMeanwhile"));
    assert_eq!(statuses(&retried), [(stopped.clone(), "blocked".into())], "a rule found after the dialog still stops it: {retried}");
    assert!(!has_role(&stopped));

    // Confirmed again, now naming the rule as it is: the account is set up past it.
    let retried = invoke(&app, "apply_aws_org", again).expect("apply anyway again");
    let asked = asker.asked.lock().unwrap().last().cloned().expect("asked");
    assert!(asked.message.lines().any(|l| l.contains(&named) && l.contains("AddedMeanwhile")), "{}", asked.message);
    assert_eq!(statuses(&retried), [(stopped.clone(), "done".into())], "{retried}");
    assert!(has_role(&stopped));
}

/// IAM returns the trust policy URL-encoded.
fn urlencoding_decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
