//! Many accounts with the `member-role` engine, against a real moto server holding a real AWS
//! Organization: the management account (moto's default 123456789012) creates the organization,
//! two OUs and the member accounts (each gets `OrganizationAccountAccessRole`, as AWS does), and
//! each member's bucket and bus are made with the member's own credentials. Apply, verify and
//! revoke then run with the management account's credentials only, assuming the member role into
//! each account; every result is read back through the member account itself.
//!
//! moto's gap, stated: its AssumeRole does not check that the role exists, so "an account without
//! the member role" is made by a gateway in front of moto that refuses that one AssumeRole as AWS
//! does (`common/missing_role.rs`). The other per-account failure proved is one moto itself
//! refuses: a same-named role in one account that trustbridge did not create.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::*;
use trustbridge_cloud::aws::org::{self, AccountOutcome};
use trustbridge_cloud::aws::{AwsSettings, Session};
use trustbridge_core::validate::Resolved;

const ROLE: &str = "mlcube-platform-access";

/// The organization: `n` member accounts, half in each of two OUs.
async fn organization_of(mgmt: &Session, n: usize) -> Vec<String> {
    organization(mgmt, &["Training", "Research"], n).await.1
}

async fn member(mgmt: &Session, account: &str) -> Session {
    member_session(mgmt, account).await
}

fn bucket_of(account: &str) -> String {
    format!("training-{account}")
}

fn org_plan(accounts: &[String], concurrency: usize) -> Resolved {
    let entries: Vec<String> = accounts
        .iter()
        .map(|a| format!(r#"{{"account_id":"{a}","storage":[{{"bucket":"{}"}}],"events":[{{"event_bus_name":"{BUS}"}}]}}"#, bucket_of(a)))
        .collect();
    resolved(&format!(
        r#"{{"version":1,"platform":"mlcube","integration":{{"name":"AWS_ORG","project_id":"p"}},
        "aws":{{"account_id":"123456789012","region":"{REGION}","role_name":"{ROLE}","external_id":"{EXTERNAL_ID}",
        "organization":{{"engine":"member-role","max_concurrency":{concurrency}}},"accounts":[{}]}}}}"#,
        entries.join(",")
    ))
}

async fn seed_members(mgmt: &Session, accounts: &[String]) {
    for a in accounts {
        let m = member(mgmt, a).await;
        create_bucket(&m, &bucket_of(a)).await;
        m.events.create_event_bus().name(BUS).send().await.unwrap();
    }
}

fn failed<T>(outcomes: &[AccountOutcome<T>]) -> Vec<(String, String)> {
    outcomes.iter().filter_map(|o| o.failure().map(|f| (o.account_id.clone(), f.error.code().to_string()))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_role_apply_verify_revoke_across_twelve_accounts_with_one_failing() {
    let moto = Moto::start();
    let base: AwsSettings = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    let accounts = organization_of(&mgmt, 12).await;
    seed_members(&mgmt, &accounts).await;
    // One account already has a role of that name that is not ours: apply must refuse it there,
    // and only there.
    let blocked = accounts[5].clone();
    member(&mgmt, &blocked)
        .await
        .iam
        .create_role()
        .role_name(ROLE)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .unwrap();
    let r = org_plan(&accounts, 4);

    // The dry run changes nothing anywhere.
    let dry = org::apply_org(&r, &base, true, &|_| {}).await.unwrap();
    assert_eq!(failed(&dry), [(blocked.clone(), "aws.role_not_ours".to_string())]);
    for a in &accounts {
        if *a != blocked {
            assert!(member(&mgmt, a).await.iam.get_role().role_name(ROLE).send().await.is_err(), "{a}: the dry run created the role");
        }
    }

    // Apply: every account but the blocked one, each reported as it ends, in the plan's order at the end.
    let seen = AtomicUsize::new(0);
    let outcomes = org::apply_org(&r, &base, false, &|_| {
        seen.fetch_add(1, Ordering::SeqCst);
    })
    .await
    .unwrap();
    assert_eq!(seen.load(Ordering::SeqCst), 12);
    assert_eq!(outcomes.iter().map(|o| o.account_id.clone()).collect::<Vec<_>>(), accounts);
    assert_eq!(failed(&outcomes), [(blocked.clone(), "aws.role_not_ours".to_string())]);
    for o in &outcomes {
        assert_eq!(o.via_role.as_deref(), Some(format!("arn:aws:iam::{}:role/OrganizationAccountAccessRole", o.account_id).as_str()));
        if let Some(rep) = o.ok() {
            assert_eq!(rep.caller.account, o.account_id, "signed in to the member account itself");
            assert!(!rep.changes.is_empty());
        }
    }
    // Read back through each member account: the role, its trust (the vendor, the external id) and
    // the account's own bucket in its storage policy.
    for a in accounts.iter().filter(|a| **a != blocked) {
        let m = member(&mgmt, a).await;
        let role = m.iam.get_role().role_name(ROLE).send().await.unwrap();
        let trust = trustbridge_cloud::aws::url_decode(role.role().unwrap().assume_role_policy_document().unwrap());
        assert!(trust.contains("883313729965") && trust.contains(EXTERNAL_ID), "{a}: {trust}");
        let doc =
            m.iam.get_role_policy().role_name(ROLE).policy_name(trustbridge_core::render::aws::STORAGE_POLICY_NAME).send().await.unwrap();
        let doc = trustbridge_cloud::aws::url_decode(doc.policy_document());
        assert!(doc.contains(&bucket_of(a)), "{a}: its own bucket: {doc}");
        let other = accounts.iter().find(|x| *x != a).unwrap();
        assert!(!doc.contains(&bucket_of(other)), "{a}: never another account's bucket: {doc}");
    }

    // The test across the organization: green everywhere the role exists; each account's checks
    // are told, with its id, as they finish.
    let finished: Mutex<Vec<(String, String)>> = Mutex::default();
    let tell = |id: &str, e: trustbridge_cloud::aws::ProbeEvent| {
        if let trustbridge_cloud::aws::ProbeEvent::Finished(p) = e {
            finished.lock().unwrap().push((id.to_string(), p.id.to_string()));
        }
    };
    let tested = org::verify_org_told(&r, &base, &tell, &|_| {}).await.unwrap();
    let finished = finished.into_inner().unwrap();
    for o in &tested {
        let told: Vec<&str> = finished.iter().filter(|(id, _)| *id == o.account_id).map(|(_, p)| p.as_str()).collect();
        let probes: Vec<String> = o.ok().map(|ps| ps.iter().map(|p| p.id.to_string()).collect()).unwrap_or_default();
        assert_eq!(told.len(), probes.len(), "{}: every check told once, under its own account", o.account_id);
    }
    let green: Vec<&str> = tested.iter().filter(|o| org::verified(o)).map(|o| o.account_id.as_str()).collect();
    assert_eq!(green.len(), 11, "{tested:#?}");
    assert!(!green.contains(&blocked.as_str()));

    // The blocked account's foreign role is removed by its owner; a re-run converges: it creates
    // the role there and changes nothing in the eleven others.
    let m = member(&mgmt, &blocked).await;
    m.iam.delete_role().role_name(ROLE).send().await.unwrap();
    let rerun = org::apply_org(&r, &base, false, &|_| {}).await.unwrap();
    assert!(failed(&rerun).is_empty(), "{:?}", failed(&rerun));
    for o in &rerun {
        let changes = o.ok().unwrap().changes.len();
        if o.account_id == blocked {
            assert!(changes > 0);
        } else {
            assert_eq!(changes, 0, "{}: a re-run changes nothing where it is done", o.account_id);
        }
    }
    assert!(org::verify_org(&r, &base, &|_| {}).await.unwrap().iter().all(org::verified));

    // Revoke removes the role from every account.
    let revoked = org::revoke_org(&r, &base, false, &|_| {}).await.unwrap();
    assert!(failed(&revoked).is_empty());
    for a in &accounts {
        assert!(member(&mgmt, a).await.iam.get_role().role_name(ROLE).send().await.is_err(), "{a}: revoked");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_is_bounded_by_the_plan() {
    let moto = Moto::start();
    let base = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    let accounts = organization_of(&mgmt, 6).await;
    let r = org_plan(&accounts, 2);
    let now = AtomicUsize::new(0);
    let most = Mutex::new(0usize);
    let work = |one: Resolved, _s: AwsSettings| {
        let (now, most) = (&now, &most);
        async move {
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            {
                let mut m = most.lock().unwrap();
                *m = (*m).max(n);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            Ok::<String, trustbridge_cloud::aws::ApplyFailure>(one.aws.unwrap().account_id)
        }
    };
    let outcomes = org::for_each_account(&r, &base, work, &|_| {}).await.unwrap();
    assert_eq!(*most.lock().unwrap(), 2, "at most max_concurrency accounts at once, and that many");
    assert_eq!(outcomes.iter().map(|o| o.ok().unwrap().clone()).collect::<Vec<_>>(), accounts);
}

/// The wizard's "Which accounts?" page reads the organization as it is: the root, the OUs nested
/// (one inside another here), and every account where AWS keeps it (the management account stays
/// under the root), read back against what the test made. An account in no organization is
/// `None`. (moto's gap: it lets a member account list the organization too, which AWS refuses;
/// that refusal is `Unlisted` with the reason, not tested here.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organization_tree_is_read_as_aws_keeps_it() {
    use trustbridge_cloud::aws::org_tree::{self, Organization};
    let moto = Moto::start();
    let base: AwsSettings = settings(&moto.url());
    let mgmt = Session::for_region(REGION, &base).await;
    assert_eq!(org_tree::organization(REGION, &base).await.unwrap(), Organization::None);

    let (ous, accounts) = organization(&mgmt, &["Training", "Research"], 4).await;
    let org = aws_sdk_organizations::Client::new(&mgmt.conf);
    let nested = org.create_organizational_unit().parent_id(&ous[0]).name("Nested").send().await.unwrap();
    let nested = nested.organizational_unit().unwrap().id().unwrap().to_string();
    org.move_account().account_id(&accounts[0]).source_parent_id(&ous[0]).destination_parent_id(&nested).send().await.unwrap();

    let Organization::Tree { management_account, caller_is_management, root, left_out, .. } =
        org_tree::organization(REGION, &base).await.unwrap()
    else {
        panic!("the management account lists its organization");
    };
    assert_eq!(management_account, "123456789012");
    assert!(caller_is_management);
    assert_eq!(left_out, 0);
    assert!(root.id.starts_with("r-"), "{}", root.id);
    assert_eq!(
        root.accounts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["123456789012"],
        "only the management account stays under the root"
    );
    let names: Vec<&str> = root.units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Training", "Research"]);
    let training = &root.units[0];
    assert_eq!(training.id, ous[0]);
    // Training held accounts 0 and 2; 0 moved into Nested.
    assert_eq!(training.accounts.iter().map(|a| a.id.clone()).collect::<Vec<_>>(), [accounts[2].clone()]);
    assert_eq!(training.units.len(), 1);
    assert_eq!(training.units[0].id, nested);
    assert_eq!(training.units[0].accounts[0].id, accounts[0]);
    assert_eq!(training.units[0].accounts[0].name, "member-0");
    assert!(training.units[0].accounts[0].active);
    assert_eq!(training.all_accounts().len(), 2);
    assert_eq!(root.units[1].accounts.iter().map(|a| a.id.clone()).collect::<Vec<_>>(), [accounts[1].clone(), accounts[3].clone()]);
    assert_eq!(root.all_accounts().len(), 5);
}

/// Fifty member accounts at concurrency 8, one of them without the member role (AWS refuses the
/// AssumeRole: the gateway in front of moto answers as AWS does, since moto assumes any role):
/// that account is reported with the fix for a missing member role, the 49 others are applied and
/// tested green, and once the role exists there a re-run converges, changing that account only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_accounts_at_concurrency_eight_with_one_member_role_missing() {
    let moto = Moto::start();
    let mgmt = Session::for_region(REGION, &settings(&moto.url())).await;
    let accounts = organization_of(&mgmt, 50).await;
    seed_members(&mgmt, &accounts).await;
    let missing = accounts[17].clone();
    let gateway = MissingRoleGateway::start(moto.port, &[missing.as_str()]).await;
    let base = settings(&gateway.url());
    let r = org_plan(&accounts, 8);

    let outcomes = org::apply_org(&r, &base, false, &|_| {}).await.unwrap();
    assert_eq!(outcomes.len(), 50);
    let f =
        outcomes.iter().find(|o| o.account_id == missing).and_then(|o| o.failure()).expect("the account without its member role failed");
    assert_eq!(failed(&outcomes), [(missing.clone(), "aws.member_role_unavailable".to_string())]);
    let text = f.error.to_string();
    assert!(text.contains(&missing) && text.contains("OrganizationAccountAccessRole"), "names the account and the role: {text}");
    assert!(gateway.refusals.load(Ordering::SeqCst) > 0, "the refusal was AWS's answer to AssumeRole");
    for a in accounts.iter().filter(|a| **a != missing) {
        let role = member(&mgmt, a).await.iam.get_role().role_name(ROLE).send().await;
        assert!(role.is_ok(), "{a}: applied although another account failed");
    }
    assert!(member(&mgmt, &missing).await.iam.get_role().role_name(ROLE).send().await.is_err(), "nothing made where it could not sign in");

    let tested = org::verify_org(&r, &base, &|_| {}).await.unwrap();
    let red: Vec<&str> = tested.iter().filter(|o| !org::verified(o)).map(|o| o.account_id.as_str()).collect();
    assert_eq!(red, [missing.as_str()], "the connectivity test fails there only");

    // Its owner makes the member role; a re-run changes that account and nothing else.
    gateway.role_made_in(&missing);
    let rerun = org::apply_org(&r, &base, false, &|_| {}).await.unwrap();
    assert!(failed(&rerun).is_empty(), "{:?}", failed(&rerun));
    for o in &rerun {
        let changes = o.ok().unwrap().changes.len();
        assert_eq!(changes > 0, o.account_id == missing, "{}: {changes} changes on the re-run", o.account_id);
    }
    assert!(org::verify_org(&r, &base, &|_| {}).await.unwrap().iter().all(org::verified));
}

/// The wizard's per-account pick lists: a member's buckets and event buses, listed through its
/// member role (that account's only); an account whose member role AWS refuses says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_buckets_and_buses_are_listed_through_its_member_role() {
    let moto = Moto::start();
    let mgmt = Session::for_region(REGION, &settings(&moto.url())).await;
    let accounts = organization_of(&mgmt, 2).await;
    seed_members(&mgmt, &accounts).await;
    let (a, b) = (&accounts[0], &accounts[1]);
    let gateway = MissingRoleGateway::start(moto.port, &[b.as_str()]).await;
    let base = settings(&gateway.url());
    let role = |id: &str| format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole");
    let (buckets, buses) = org::member_resources(&role(a), REGION, &base).await.unwrap();
    assert_eq!(buckets, [bucket_of(a)], "that account's buckets only");
    assert!(buses.contains(&BUS.to_string()) && buses.contains(&"default".to_string()), "{buses:?}");
    let e = org::member_resources(&role(b), REGION, &base).await.unwrap_err();
    assert_eq!(e.code(), "aws.member_role_unavailable", "{e}");
}
