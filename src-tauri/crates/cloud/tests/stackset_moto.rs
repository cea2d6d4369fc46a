//! The `stack-set` engine from the app (`aws::stackset`), against a real moto server holding a real
//! AWS Organization with two OUs and twelve member accounts: apply creates the role in every account
//! of the OUs (read back through each account's own IAM), each listed account with its own grants
//! only, the management account's plain stack too; a second apply updates in place; the dry run
//! changes nothing; revoke removes it all; credentials of another account are refused.
//!
//! moto's gaps, stated: it deploys nothing to an account that joins an OU later, and does not
//! return the StackSet's automatic-deployment setting, so automatic deployment (with
//! `CAPABILITY_NAMED_IAM` and the operation preferences) is checked in what the engine asks for, in
//! moto's record of the requests, not in what moto deploys; `DeleteStackInstances` with OU
//! targets (what AWS documents for service-managed StackSets, and what revoke sends) deletes nothing
//! there, so revoke keeps the StackSet and says so — the test then deletes the stacks by account
//! (bridging the gap in the open) and revoke finishes the job.

mod common;

use common::*;
use trustbridge_cloud::aws::stackset::{apply_stack_set, revoke_stack_set};
use trustbridge_cloud::aws::{AwsSettings, Session};
use trustbridge_core::validate::Resolved;

const ROLE: &str = "mlcube-platform-access";

struct Org {
    ous: Vec<String>,
    members: Vec<String>,
}

async fn org_of(mgmt: &Session, n: usize) -> Org {
    let (ous, members) = organization(mgmt, &["Training", "Research"], n).await;
    Org { ous, members }
}

async fn member(mgmt: &Session, account: &str) -> Session {
    member_session(mgmt, account).await
}

fn plan(o: &Org, listed: &[&str]) -> Resolved {
    plan_in(o, "123456789012", listed)
}

/// The plan, signed in to `account` (the management account, or a delegated administrator).
fn plan_in(o: &Org, account: &str, listed: &[&str]) -> Resolved {
    let entries: Vec<String> = listed.iter().map(|a| format!(r#"{{"account_id":"{a}","storage":[{{"bucket":"data-{a}"}}]}}"#)).collect();
    let ous: Vec<String> = o.ous.iter().map(|u| format!("\"{u}\"")).collect();
    resolved(&format!(
        r#"{{"version":1,"platform":"mlcube","integration":{{"name":"AWS_ORG","project_id":"p"}},
        "aws":{{"account_id":"{account}","region":"{REGION}","role_name":"{ROLE}","external_id":"{EXTERNAL_ID}",
        "organization":{{"engine":"stack-set","organizational_units":[{}],"max_concurrency":4}},"accounts":[{}]}}}}"#,
        ous.join(","),
        entries.join(",")
    ))
}

/// The role's inline policies in `account` (None: no role), read through the account itself.
async fn grants_in(mgmt: &Session, account: &str) -> Option<Vec<String>> {
    let m = member(mgmt, account).await;
    m.iam.get_role().role_name(ROLE).send().await.ok()?;
    let names = m.iam.list_role_policies().role_name(ROLE).send().await.unwrap().policy_names().to_vec();
    let mut docs = Vec::new();
    for n in names {
        let d = m.iam.get_role_policy().role_name(ROLE).policy_name(&n).send().await.unwrap();
        docs.push(trustbridge_cloud::aws::url_decode(d.policy_document()));
    }
    Some(docs)
}

/// Bridges moto's gap (module comment): deletes the stacks revoke left, account by account.
async fn delete_stacks_by_account(cfn: &aws_sdk_cloudformation::Client, rev: &trustbridge_cloud::aws::stackset::StackSetReport) {
    let accounts: Vec<String> = rev.instances.iter().map(|i| i.account_id.clone()).collect();
    cfn.delete_stack_instances()
        .stack_set_name(&rev.stack_set)
        .set_accounts(Some(accounts))
        .regions(REGION)
        .retain_stacks(false)
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stack_set_engine_deploys_to_every_account_of_the_ous_and_revokes() {
    let moto = Moto::start();
    let base: AwsSettings = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    let o = org_of(&mgmt, 12).await;
    let (a, b) = (o.members[0].clone(), o.members[1].clone());
    let r = plan(&o, &[&a, &b, "123456789012"]);

    // The dry run says what it would do and changes nothing.
    let quiet = |_: &trustbridge_cloud::aws::stackset::StackInstance| {};
    let dry = apply_stack_set(&r, &base, true, &quiet).await.unwrap();
    assert!(dry.dry_run && dry.steps.iter().any(|s| s.starts_with("create the StackSet")), "{:?}", dry.steps);
    assert!(dry.steps.iter().any(|s| s.contains("management account")), "{:?}", dry.steps);
    assert!(grants_in(&mgmt, &a).await.is_none(), "the dry run created the role");

    // Each account's stack is told as the operation is followed (live progress), ending as reported.
    let told = std::sync::Mutex::new(Vec::<(String, String)>::new());
    let tell = |i: &trustbridge_cloud::aws::stackset::StackInstance| told.lock().unwrap().push((i.account_id.clone(), i.status.clone()));
    let rep = apply_stack_set(&r, &base, false, &tell).await.unwrap();
    assert!(rep.ok(), "{rep:#?}");
    let told = told.into_inner().unwrap();
    for i in &rep.instances {
        let last = told.iter().rev().find(|(a, _)| *a == i.account_id).map(|(_, st)| st.as_str());
        assert_eq!(last, Some(i.status.as_str()), "{}: its stack was told as it ended: {told:?}", i.account_id);
    }
    assert_eq!(rep.operation_status.as_deref(), Some("SUCCEEDED"));
    let mut deployed: Vec<String> = rep.instances.iter().map(|i| i.account_id.clone()).collect();
    deployed.sort();
    let mut want = o.members.clone();
    want.sort();
    assert_eq!(deployed, want, "a stack in every account of the OUs");
    assert!(rep.management_stack.as_deref().is_some_and(|s| s.ends_with("_COMPLETE")), "{:?}", rep.management_stack);

    for m in &o.members {
        let docs = grants_in(&mgmt, m).await.unwrap_or_else(|| panic!("{m}: the role exists"));
        if *m == a || *m == b {
            assert_eq!(docs.len(), 1, "{m}: {docs:?}");
            assert!(docs[0].contains(&format!("data-{m}")), "{m}: its own bucket: {docs:?}");
            for other in o.members.iter().filter(|x| *x != m) {
                assert!(!docs[0].contains(&format!("data-{other}")), "{m} got {other}'s bucket");
            }
        } else {
            assert!(docs.is_empty(), "{m} is not listed: the role only ({docs:?})");
        }
    }
    // The management account's stack: the role with its own grant.
    let own = mgmt.iam.get_role_policy().role_name(ROLE).policy_name(trustbridge_core::render::aws::STORAGE_POLICY_NAME).send().await;
    assert!(trustbridge_cloud::aws::url_decode(own.unwrap().policy_document()).contains("data-123456789012"));
    // Service-managed, as CloudFormation holds it (moto does not return the automatic-deployment
    // setting, so that one is not read back).
    let cfn = aws_sdk_cloudformation::Client::new(&mgmt.conf);
    let held = cfn.describe_stack_set().stack_set_name(&rep.stack_set).send().await.unwrap();
    assert_eq!(held.stack_set().and_then(|s| s.permission_model()), Some(&aws_sdk_cloudformation::types::PermissionModels::ServiceManaged));

    // Applying again updates in place (the same stacks; the management stack has no change to make).
    let again = apply_stack_set(&r, &base, false, &quiet).await.unwrap();
    assert!(again.ok(), "{again:#?}");
    assert!(again.steps[0].starts_with("update the StackSet"), "{:?}", again.steps);
    assert_eq!(again.instances.len(), 12);

    // Another account's credentials are refused before anything is read or changed.
    let wrong = AwsSettings { credentials: Some(member_credentials(&mgmt, &a).await), ..base.clone() };
    let e = apply_stack_set(&r, &wrong, false, &quiet).await.unwrap_err();
    assert_eq!(e.code(), "aws.account_mismatch");

    // Revoke. On AWS one call removes every stack; on moto the OU-targeted delete removes none, so
    // revoke keeps the StackSet and says so; the stacks are then deleted by account (the gap,
    // bridged here) and revoke finishes.
    let mut rev = revoke_stack_set(&r, &base, &quiet).await.unwrap();
    if !rev.instances.is_empty() {
        assert!(rev.steps.iter().any(|s| s.starts_with("kept the StackSet")), "{:?}", rev.steps);
        delete_stacks_by_account(&cfn, &rev).await;
        rev = revoke_stack_set(&r, &base, &quiet).await.unwrap();
    }
    assert!(rev.steps.iter().any(|s| s.starts_with("deleted the StackSet")), "{:?}", rev.steps);
    for m in &o.members {
        assert!(grants_in(&mgmt, m).await.is_none(), "{m}: revoked");
    }
    assert!(mgmt.iam.get_role().role_name(ROLE).send().await.is_err(), "the management account's stack is deleted");
    // Nothing left to revoke is not an error.
    let none = revoke_stack_set(&r, &base, &quiet).await.unwrap();
    assert!(none.steps.is_empty(), "{:?}", none.steps);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listed_account_outside_the_ous_is_reported_unreached_and_the_apply_is_not_ok() {
    let moto = Moto::start();
    let base: AwsSettings = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    let mut o = org_of(&mgmt, 4).await;
    // Only the first OU is targeted; the second member (in the other OU) is listed all the same.
    let outside = o.members[1].clone();
    o.ous.truncate(1);
    let r = plan(&o, &[&o.members[0], &outside]);
    let quiet = |_: &trustbridge_cloud::aws::stackset::StackInstance| {};
    let rep = apply_stack_set(&r, &base, false, &quiet).await.unwrap();
    assert_eq!(rep.operation_status.as_deref(), Some("SUCCEEDED"));
    assert!(rep.failed().is_empty(), "{rep:#?}");
    assert_eq!(rep.unreached(), [outside.as_str()], "{rep:#?}");
    assert!(!rep.ok(), "a listed account without its stack is not a success");
    assert!(grants_in(&mgmt, &outside).await.is_none());
}

/// A moto server recording every request it serves (read with [`recorded`]): the folder holding
/// the record (kept while it lives), the record's path, the server.
fn recording_moto() -> (tempfile::TempDir, std::path::PathBuf, Moto) {
    let record = tempfile::tempdir().unwrap();
    let file = record.path().join("requests.jsonl");
    let moto = Moto::start_with(&[("MOTO_ENABLE_RECORDING", "True"), ("MOTO_RECORDER_FILEPATH", file.to_str().unwrap())]);
    (record, file, moto)
}

/// Every request moto recorded (its recorder, `MOTO_ENABLE_RECORDING`): the `X-Amz-Target` header
/// of JSON-protocol calls, then the body (the query protocol's `Action=…&CallAs=…`).
fn recorded(file: &std::path::Path) -> Vec<String> {
    use base64::Engine as _;
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|e| {
            let body = e["body"].as_str().unwrap_or_default();
            let body = if e["body_encoded"] == true {
                String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(body).unwrap_or_default()).into_owned()
            } else {
                body.to_string()
            };
            // JSON-protocol services (Organizations) name the action in a header.
            let target =
                e["headers"].as_object().and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))).map(|(_, v)| v);
            format!("{} {body}", target.and_then(|v| v.as_str()).unwrap_or_default())
        })
        .collect()
}

/// Signed in to a member account the management account registered as a delegated administrator
/// for StackSets: every StackSet call says `CallAs=DELEGATED_ADMIN` (read in moto's own record of
/// the requests), the report names the organization's management account, and a plan that lists
/// the management account is refused before any change (no StackSet call at all).
///
/// moto's gaps, stated: it refuses to register a delegated administrator for StackSets (its list
/// of services lacks `member.org.stacksets.cloudformation.amazonaws.com`; Trustbridge does not read
/// the registration, AWS refuses `DELEGATED_ADMIN` from an account that lacks it), it ignores
/// `CallAs`, and resolves a StackSet's organizational units only
/// in the management account's own backend, so a delegated administrator's StackSet deploys to no
/// account there (the report says every listed account unreached, and the apply is not ok). What
/// this test checks is what Trustbridge sends and decides, not AWS's deployment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegated_administrator_says_so_on_every_stack_set_call_and_never_reaches_the_management_account() {
    let (_record, file, moto) = recording_moto();
    let base: AwsSettings = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    let o = org_of(&mgmt, 3).await;
    let admin = o.members[0].clone();
    let delegated = AwsSettings { credentials: Some(member_credentials(&mgmt, &admin).await), ..base.clone() };
    let plan_as = |listed: &[&str]| plan_in(&o, &admin, listed);
    let quiet = |_: &trustbridge_cloud::aws::stackset::StackInstance| {};

    // The plan lists the management account: refused before any StackSet call.
    moto.http("POST", "/moto-api/recorder/reset-recording", "").unwrap();
    let with_management = plan_as(&[&o.members[1], "123456789012"]);
    let e = apply_stack_set(&with_management, &delegated, false, &quiet).await.unwrap_err();
    assert_eq!(e.code(), "aws.management_unreachable", "{e}");
    assert!(e.to_string().contains("123456789012") && e.to_string().contains(&admin), "{e}");
    let calls = recorded(&file);
    assert!(calls.iter().any(|b| b.contains("AWSOrganizationsV20161128.DescribeOrganization")), "{calls:#?}");
    assert!(!calls.iter().any(|b| b.contains("StackSet") || b.contains("StackInstances")), "no StackSet call: {calls:#?}");
    let e = revoke_stack_set(&with_management, &delegated, &quiet).await.unwrap_err();
    assert_eq!(e.code(), "aws.management_unreachable");

    // Without it: every StackSet call says who calls.
    moto.http("POST", "/moto-api/recorder/reset-recording", "").unwrap();
    // The delegated administrator lists itself: a member like the others (the StackSet's), never a
    // plain stack (that is the management account's).
    let r = plan_as(&[&admin, &o.members[1], &o.members[2]]);
    let rep = apply_stack_set(&r, &delegated, false, &quiet).await.unwrap();
    assert_eq!(rep.call_as, "DELEGATED_ADMIN");
    assert_eq!(rep.management_account, "123456789012");
    assert!(rep.steps[0].starts_with("act as a delegated administrator"), "{:?}", rep.steps);
    assert!(rep.management_stack.is_none(), "a delegated administrator deploys no plain stack");
    assert_eq!(rep.expected, [admin.clone(), o.members[1].clone(), o.members[2].clone()]);
    let stack_set_calls: Vec<String> =
        recorded(&file).into_iter().filter(|b| b.contains("StackSet") || b.contains("StackInstances")).collect();
    for action in ["CreateStackSet", "CreateStackInstances", "DescribeStackSetOperation", "ListStackInstances"] {
        assert!(stack_set_calls.iter().any(|b| b.contains(&format!("Action={action}&"))), "{action} was called: {stack_set_calls:#?}");
    }
    for b in &stack_set_calls {
        assert!(b.contains("CallAs=DELEGATED_ADMIN"), "every StackSet call says it: {b}");
    }
    // moto's gap (above): nothing deployed, so not ok — never reported as a success.
    assert!(!rep.ok(), "{rep:#?}");

    // Revoke says it too.
    moto.http("POST", "/moto-api/recorder/reset-recording", "").unwrap();
    revoke_stack_set(&r, &delegated, &quiet).await.unwrap();
    let calls: Vec<String> =
        recorded(&file).into_iter().filter(|b| b.contains("Action=DeleteStack") || b.contains("Action=DescribeStackSet")).collect();
    assert!(calls.iter().any(|b| b.contains("Action=DeleteStackInstances&")), "{calls:#?}");
    for b in &calls {
        assert!(b.contains("CallAs=DELEGATED_ADMIN"), "{b}");
    }

    // The management account itself calls as SELF.
    let own = plan(&o, &[&o.members[1]]);
    let rep = apply_stack_set(&own, &base, true, &quiet).await.unwrap();
    assert_eq!((rep.call_as.as_str(), rep.management_account.as_str()), ("SELF", "123456789012"));
}

/// What the engine asks CloudFormation for, read in moto's own record of the requests (moto accepts
/// but does not act on automatic deployment, capabilities or operation preferences, so what it
/// deploys cannot show them): a service-managed StackSet with automatic deployment (stacks of
/// accounts leaving an OU deleted, not kept) and `CAPABILITY_NAMED_IAM`, created and updated alike;
/// stacks deployed to the plan's OUs with its concurrency (failures never tolerated, soft mode so
/// the concurrency is not capped at one); revoke deletes the stacks of the OUs first (never kept)
/// and the StackSet only once none is left, in that order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stack_set_calls_ask_for_automatic_deployment_named_iam_and_the_plans_concurrency() {
    let (_record, file, moto) = recording_moto();
    let base: AwsSettings = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    let o = org_of(&mgmt, 3).await;
    let r = plan(&o, &[&o.members[0]]);
    let quiet = |_: &trustbridge_cloud::aws::stackset::StackInstance| {};
    let calls_of =
        |action: &str| -> Vec<String> { recorded(&file).into_iter().filter(|b| b.contains(&format!("Action={action}&"))).collect() };
    let asks = |body: &str, params: &[&str]| {
        for p in params {
            assert!(body.split('&').any(|kv| kv == *p), "{p} in {body}");
        }
    };
    let stack_set = [
        "PermissionModel=SERVICE_MANAGED",
        "AutoDeployment.Enabled=true",
        "AutoDeployment.RetainStacksOnAccountRemoval=false",
        "Capabilities.member.1=CAPABILITY_NAMED_IAM",
    ];
    let preferences = [
        "OperationPreferences.MaxConcurrentCount=4",
        "OperationPreferences.FailureToleranceCount=0",
        "OperationPreferences.ConcurrencyMode=SOFT_FAILURE_TOLERANCE",
    ];
    let ous: Vec<String> =
        o.ous.iter().enumerate().map(|(i, u)| format!("DeploymentTargets.OrganizationalUnitIds.member.{}={u}", i + 1)).collect();
    let ous: Vec<&str> = ous.iter().map(String::as_str).collect();

    moto.http("POST", "/moto-api/recorder/reset-recording", "").unwrap();
    let rep = apply_stack_set(&r, &base, false, &quiet).await.unwrap();
    assert!(rep.ok(), "{rep:#?}");
    let create = calls_of("CreateStackSet");
    assert_eq!(create.len(), 1, "{create:#?}");
    asks(&create[0], &stack_set);
    let instances = calls_of("CreateStackInstances");
    assert_eq!(instances.len(), 1, "{instances:#?}");
    asks(&instances[0], &preferences);
    asks(&instances[0], &ous);

    // Applied again: the StackSet is updated with the same settings.
    moto.http("POST", "/moto-api/recorder/reset-recording", "").unwrap();
    apply_stack_set(&r, &base, false, &quiet).await.unwrap();
    let update = calls_of("UpdateStackSet");
    assert_eq!(update.len(), 1, "{update:#?}");
    asks(&update[0], &stack_set);
    asks(&update[0], &preferences);
    assert!(calls_of("CreateStackSet").is_empty());

    // Revoke: the OUs' stacks first, never retained; moto deletes none of them (its gap, see the
    // module comment), so the StackSet is not deleted yet.
    moto.http("POST", "/moto-api/recorder/reset-recording", "").unwrap();
    let rev = revoke_stack_set(&r, &base, &quiet).await.unwrap();
    let delete = calls_of("DeleteStackInstances");
    assert_eq!(delete.len(), 1, "{delete:#?}");
    asks(&delete[0], &["RetainStacks=false"]);
    asks(&delete[0], &preferences);
    asks(&delete[0], &ous);
    assert!(!rev.instances.is_empty(), "moto kept the stacks: {rev:#?}");
    assert!(calls_of("DeleteStackSet").is_empty(), "a StackSet with stacks left is never deleted");

    // With the stacks gone (deleted by account here), revoke deletes the StackSet, after its stacks.
    delete_stacks_by_account(&aws_sdk_cloudformation::Client::new(&mgmt.conf), &rev).await;
    moto.http("POST", "/moto-api/recorder/reset-recording", "").unwrap();
    revoke_stack_set(&r, &base, &quiet).await.unwrap();
    let order: Vec<String> = recorded(&file)
        .into_iter()
        .filter_map(|b| {
            ["DeleteStackInstances", "DeleteStackSet"].into_iter().find(|a| b.contains(&format!("Action={a}&"))).map(String::from)
        })
        .collect();
    assert_eq!(order, ["DeleteStackInstances", "DeleteStackSet"]);
}
