//! Azure apply and revoke through Microsoft Graph and Resource Manager, against the marked TEST
//! DOUBLE of Entra ID's token endpoint, Graph's applications / servicePrincipals and Resource
//! Manager's role assignments (`doubles/azure_arm.rs`; no emulator of them exists here), signed in
//! as a service principal from the environment's variables.

mod doubles;

use doubles::azure_arm::{azure_double, AzureApi, ADMIN_APP, ADMIN_SECRET, VENDOR_APP};
use serde_json::json;
use trustbridge_cloud::azure::apply::{apply, assignment_id, assignment_name, revoke, revoke_confirmed, AzureChangeKind};
use trustbridge_cloud::azure::credential::AzureAdmin;
use trustbridge_cloud::azure::AzureSettings;
use trustbridge_core::validate::Resolved;
use trustbridge_core::{validate, Plan};
use trustbridge_secrets::{AzureClientSecret, Sensitive};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const READER: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const SENDER: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/providers/Microsoft.Authorization/roleDefinitions/d5a91429-5739-47e2-a06b-3470a27159e7";

fn scope_container(c: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.Storage/storageAccounts/acct1/blobServices/default/containers/{c}"
    )
}
fn scope_topic(t: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.EventGrid/topics/{t}")
}

fn plan(azure: serde_json::Value, platform: &str) -> Resolved {
    let p =
        json!({"version": 1, "platform": platform, "integration": {"name": "TB_01", "project_id": "x", "default": true}, "azure": azure});
    validate(&Plan::from_json(&p.to_string()).unwrap(), None).unwrap_or_else(|e| panic!("plan invalid: {e:?}"))
}

fn mlcube(name: &str) -> Resolved {
    plan(
        json!({"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "service_principal_name": name,
               "storage": [{"storage_account": "acct1", "container": "training"}, {"storage_account": "acct1", "container": "features"}],
               "events": [{"topic": "retrain"}]}),
        "mlcube",
    )
}

fn admin() -> AzureAdmin {
    let json = json!({"appId": ADMIN_APP, "password": ADMIN_SECRET, "tenant": TENANT}).to_string();
    AzureAdmin::ClientSecret(Box::new(AzureClientSecret::parse(&Sensitive::new(json)).unwrap()))
}

fn settings(d: &AzureApi) -> AzureSettings {
    let u = d.double.url.clone();
    AzureSettings { authority: u.clone(), management_endpoint: u.clone(), graph_endpoint: u, ..AzureSettings::default() }
}

async fn world() -> AzureApi {
    let d = azure_double(TENANT).await;
    {
        let mut s = d.state.lock().unwrap();
        for sc in [scope_container("training"), scope_container("features"), scope_topic("retrain")] {
            s.add_scope(&sc);
        }
    }
    d
}

fn kinds(c: &[trustbridge_cloud::azure::apply::AzureChange]) -> Vec<AzureChangeKind> {
    c.iter().map(|x| x.kind).collect()
}

#[tokio::test]
async fn dry_run_apply_and_a_rerun_that_changes_nothing() {
    let d = world().await;
    let r = mlcube("ML3PlatformSP");
    let s = settings(&d);
    use AzureChangeKind::*;
    let dry = apply(&r, &admin(), &s, true).await.unwrap();
    assert_eq!(dry.acting_as, "service principal tb-admin", "who from the token's claims");
    assert_eq!(kinds(&dry.changes), vec![CreateApp, CreateServicePrincipal, AssignRole, AssignRole, AssignRole]);
    assert!(d.state.lock().unwrap().apps.is_empty(), "a dry run creates nothing");

    let rep = apply(&r, &admin(), &s, false).await.unwrap();
    assert_eq!(rep.changes.len(), 5);
    let app_id = rep.app_id.clone().unwrap();
    {
        // The double's state is read in a block of its own: no lock is held across the awaits after it.
        let st = d.state.lock().unwrap();
        let app = st.apps.values().next().unwrap();
        assert_eq!(app["notes"], "managed-by=trustbridge integration=TB_01");
        assert_eq!(app["displayName"], "ML3PlatformSP");
        let sp = st.sp_of(&app_id).unwrap();
        let mut got = st.assigned();
        got.sort();
        let mut want = vec![
            (scope_container("features"), READER.to_string(), sp.clone(), "ServicePrincipal".to_string()),
            (scope_container("training"), READER.to_string(), sp.clone(), "ServicePrincipal".to_string()),
            (scope_topic("retrain"), SENDER.to_string(), sp.clone(), "ServicePrincipal".to_string()),
        ];
        want.sort();
        assert_eq!(got, want, "exactly the plan's roles on exactly its scopes");
        let names: Vec<String> = st.assignments.values().map(|a| a["name"].as_str().unwrap().to_string()).collect();
        assert!(names.contains(&assignment_name(&scope_topic("retrain"), SENDER, &sp)), "deterministic names");
    }
    println!("azure apply against the double: {} HTTP calls for {} changes", rep.http_calls, rep.changes.len());

    let again = apply(&r, &admin(), &s, false).await.unwrap();
    assert!(again.changes.is_empty(), "{:?}", again.changes);
}

#[tokio::test]
async fn replication_delays_are_waited_for_and_named() {
    let d = world().await;
    {
        let mut st = d.state.lock().unwrap();
        st.app_unreplicated = 2;
        st.principal_unreplicated = 2;
    }
    let rep = apply(&mlcube("ML3PlatformSP"), &admin(), &settings(&d), false).await.unwrap();
    assert!(rep.notes.iter().any(|n| n.contains("replicate in Microsoft Graph")), "{:?}", rep.notes);
    assert!(rep.notes.iter().any(|n| n.contains("reach Resource Manager")), "{:?}", rep.notes);
    assert_eq!(d.state.lock().unwrap().assignments.len(), 3);
}

#[tokio::test]
async fn an_assignment_made_elsewhere_under_another_name_counts_as_there() {
    let d = world().await;
    let r = mlcube("ML3PlatformSP");
    let s = settings(&d);
    apply(&r, &admin(), &s, false).await.unwrap();
    // Rename one assignment (as the exported script's random names would be): still there, no 409 error.
    {
        let mut st = d.state.lock().unwrap();
        let (k, mut a) = st.assignments.pop_first().unwrap();
        let new = k.rsplit_once('/').unwrap().0.to_string() + "/aaaaaaaa-0000-4000-8000-000000000001";
        a["id"] = json!(new);
        st.assignments.insert(new, a);
    }
    assert!(apply(&r, &admin(), &s, false).await.unwrap().changes.is_empty());
}

#[tokio::test]
async fn an_app_someone_else_made_or_two_of_the_name_are_refused() {
    let d = world().await;
    {
        let mut st = d.state.lock().unwrap();
        st.apps.insert("o1".into(), json!({"id": "o1", "appId": "a1", "displayName": "ML3PlatformSP", "notes": "payroll"}));
    }
    let f = apply(&mlcube("ML3PlatformSP"), &admin(), &settings(&d), false).await.unwrap_err();
    assert_eq!(f.error.code(), "azure.app_not_ours");
    assert!(f.error.to_string().contains("payroll"), "{}", f.error);
    let f = revoke(&mlcube("ML3PlatformSP"), &admin(), &settings(&d), false).await.unwrap_err();
    assert_eq!(f.error.code(), "azure.app_not_ours");
    {
        let mut st = d.state.lock().unwrap();
        st.apps.insert(
            "o2".into(),
            json!({"id": "o2", "appId": "a2", "displayName": "ML3PlatformSP", "notes": "managed-by=trustbridge integration=TB_01"}),
        );
    }
    let f = apply(&mlcube("ML3PlatformSP"), &admin(), &settings(&d), false).await.unwrap_err();
    assert!(f.error.to_string().contains("2 app registrations have this name"), "{}", f.error);
    let st = d.state.lock().unwrap();
    assert_eq!(st.apps.len(), 2);
    assert!(st.sps.is_empty() && st.assignments.is_empty(), "nothing was changed");
}

#[tokio::test]
async fn a_quote_in_the_name_is_an_exact_odata_literal() {
    let d = world().await;
    let r = mlcube("O'Brien SP");
    apply(&r, &admin(), &settings(&d), false).await.unwrap();
    assert!(apply(&r, &admin(), &settings(&d), false).await.unwrap().changes.is_empty(), "found again by its exact name");
    assert_eq!(d.state.lock().unwrap().apps.values().next().unwrap()["displayName"], "O'Brien SP");
}

#[tokio::test]
async fn a_missing_scope_and_a_denied_call_fail_before_or_with_what_was_done() {
    let d = azure_double(TENANT).await;
    d.state.lock().unwrap().add_scope(&scope_container("training"));
    // The reads prove every scope exists before anything is created.
    let r = mlcube("ML3PlatformSP");
    for dry_run in [true, false] {
        let f = apply(&r, &admin(), &settings(&d), dry_run).await.unwrap_err();
        assert_eq!(f.error.code(), "azure.not_found", "{}", f.error);
        assert!(f.error.to_string().contains("features") || f.error.to_string().contains("retrain"), "{}", f.error);
        assert!(f.done.is_empty());
        assert!(d.state.lock().unwrap().apps.is_empty(), "nothing was created");
    }

    let d = world().await;
    d.state.lock().unwrap().denied.push("/v1.0/applications".into());
    let f = apply(&r, &admin(), &settings(&d), false).await.unwrap_err();
    assert_eq!(f.error.code(), "azure.permission_denied");
    assert!(f.error.fix().unwrap().contains("Application Developer"));
}

#[tokio::test]
async fn a_wrong_secret_is_a_sign_in_failure_that_never_shows_it() {
    let d = world().await;
    let json = json!({"appId": ADMIN_APP, "password": "wrong-canary~secret", "tenant": TENANT}).to_string();
    let bad = AzureAdmin::ClientSecret(Box::new(AzureClientSecret::parse(&Sensitive::new(json)).unwrap()));
    let f = apply(&mlcube("ML3PlatformSP"), &bad, &settings(&d), true).await.unwrap_err();
    assert_eq!(f.error.code(), "azure.sign_in_failed");
    let shown = format!("{f} {:?} {} {bad:?}", f.error, serde_json::to_string(&f).unwrap());
    assert!(!shown.contains("wrong-canary"), "{shown}");
}

#[tokio::test]
async fn revoke_removes_exactly_what_apply_made() {
    let d = world().await;
    let r = mlcube("ML3PlatformSP");
    let s = settings(&d);
    apply(&r, &admin(), &s, false).await.unwrap();
    // Someone else's assignment on the same scope stays.
    {
        let mut st = d.state.lock().unwrap();
        let sc = scope_container("training");
        st.sps.insert("other".into(), json!({"id": "other", "appId": "x"}));
        let id = format!("{sc}/providers/Microsoft.Authorization/roleAssignments/keep");
        st.assignments.insert(id.clone(), json!({"id": id, "name": "keep", "properties": {"scope": sc, "roleDefinitionId": READER, "principalId": "other", "principalType": "User"}}));
    }
    use AzureChangeKind::*;
    let dry = revoke(&r, &admin(), &s, true).await.unwrap();
    assert_eq!(kinds(&dry.changes), vec![RemoveRoleAssignment, RemoveRoleAssignment, RemoveRoleAssignment, DeleteApp]);
    revoke(&r, &admin(), &s, false).await.unwrap();
    {
        // The double's state is read in a block of its own: no lock is held across the awaits after it.
        let st = d.state.lock().unwrap();
        assert!(st.apps.is_empty());
        assert_eq!(st.assigned().len(), 1, "only the other principal's assignment is left");
        assert_eq!(st.assigned()[0].2, "other");
    }
    let again = revoke(&r, &admin(), &s, false).await.unwrap();
    assert!(again.changes.is_empty() && again.notes.iter().any(|n| n.contains("nothing to revoke")));
}

/// The window's removal: exactly what the person confirmed. One of our role assignments is removed
/// by someone else between the dry run and the removal: nothing is removed (`azure.revoke_changed`);
/// confirmed for what it is now, it is removed.
#[tokio::test]
async fn a_removal_removes_only_what_was_confirmed() {
    let d = world().await;
    let r = mlcube("ML3PlatformSP");
    let s = settings(&d);
    apply(&r, &admin(), &s, false).await.unwrap();
    let summaries = |rep: &trustbridge_cloud::azure::apply::AzureApplyReport| -> Vec<String> {
        rep.changes.iter().map(|c| c.to_string().lines().next().unwrap().to_string()).collect()
    };
    let confirmed = summaries(&revoke(&r, &admin(), &s, true).await.unwrap());
    {
        let mut st = d.state.lock().unwrap();
        let k = st.assignments.keys().next().cloned().unwrap();
        st.assignments.remove(&k);
    }
    let e = revoke_confirmed(&r, &admin(), &s, &confirmed).await.unwrap_err();
    assert_eq!(e.error.code(), "azure.revoke_changed", "{e}");
    assert!(!d.state.lock().unwrap().apps.is_empty(), "the app was removed");
    let now = summaries(&revoke(&r, &admin(), &s, true).await.unwrap());
    assert_eq!(now.len(), confirmed.len() - 1);
    revoke_confirmed(&r, &admin(), &s, &now).await.unwrap();
    assert!(d.state.lock().unwrap().apps.is_empty());
}

#[tokio::test]
async fn keyless_assigns_to_the_vendors_enterprise_app_and_keeps_it_on_revoke() {
    let d = world().await;
    let r = plan(
        json!({"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "vendor_app_id": VENDOR_APP,
               "storage": [{"storage_account": "acct1", "container": "training"}]}),
        "custom",
    );
    let s = settings(&d);
    use AzureChangeKind::*;
    let rep = apply(&r, &admin(), &s, false).await.unwrap();
    assert_eq!(kinds(&rep.changes), vec![CreateServicePrincipal, AssignRole]);
    let sp = d.state.lock().unwrap().sp_of(VENDOR_APP).unwrap();
    assert!(d.state.lock().unwrap().apps.is_empty(), "no app registration, no secret");
    assert_eq!(d.state.lock().unwrap().assigned()[0].2, sp);
    let rev = revoke(&r, &admin(), &s, false).await.unwrap();
    assert_eq!(kinds(&rev.changes), vec![RemoveRoleAssignment]);
    assert!(rev.notes.iter().any(|n| n.contains("enterprise app") && n.contains("kept")));
    assert!(d.state.lock().unwrap().sp_of(VENDOR_APP).is_some());
}

#[tokio::test]
async fn a_client_secret_is_made_only_on_request_for_our_app() {
    use trustbridge_cloud::azure::apply::create_secret;
    let d = world().await;
    let r = mlcube("ML3PlatformSP");
    let s = settings(&d);
    assert_eq!(create_secret(&r, &admin(), &s).await.unwrap_err().code(), "azure.not_found", "no app yet");
    let rep = apply(&r, &admin(), &s, false).await.unwrap();
    assert_eq!(d.state.lock().unwrap().passwords, 0, "apply makes no secret");
    let made = create_secret(&r, &admin(), &s).await.unwrap();
    let secret = AzureClientSecret::parse(&made.text).expect("the create-for-rbac JSON the keyring takes");
    assert_eq!(Some(secret.app_id.clone()), rep.app_id);
    assert!(secret.check_plan(TENANT).is_ok());
    assert!(!format!("{made:?}").contains("Tb8Q~"), "Debug shows the id only");
    let keyless = plan(
        json!({"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "vendor_app_id": VENDOR_APP, "storage": [{"storage_account": "acct1", "container": "training"}]}),
        "custom",
    );
    assert!(create_secret(&keyless, &admin(), &s).await.unwrap_err().to_string().contains("keyless"));
}

fn keyless_plan() -> Resolved {
    plan(
        json!({"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "vendor_app_id": VENDOR_APP,
               "storage": [{"storage_account": "acct1", "container": "training"}]}),
        "custom",
    )
}

#[tokio::test]
async fn keyless_revoke_removes_only_the_assignment_apply_made_on_the_vendors_shared_app() {
    let d = world().await;
    let r = keyless_plan();
    let s = settings(&d);
    apply(&r, &admin(), &s, false).await.unwrap();
    // The same grant now exists only under another name (someone else made it for the vendor's app).
    {
        let mut st = d.state.lock().unwrap();
        let (k, mut a) = st.assignments.pop_first().unwrap();
        let new = k.rsplit_once('/').unwrap().0.to_string() + "/bbbbbbbb-0000-4000-8000-000000000002";
        a["id"] = json!(new);
        a["name"] = json!("bbbbbbbb-0000-4000-8000-000000000002");
        st.assignments.insert(new, a);
    }
    let rev = revoke(&r, &admin(), &s, false).await.unwrap();
    assert!(rev.changes.is_empty(), "{:?}", rev.changes);
    assert!(rev.notes.iter().any(|n| n.contains("kept") && n.contains("bbbbbbbb-0000-4000-8000-000000000002")), "{:?}", rev.notes);
    assert_eq!(d.state.lock().unwrap().assignments.len(), 1, "someone else's assignment stays");
}

#[tokio::test]
async fn an_assignment_with_a_condition_is_not_the_plans_and_is_never_changed() {
    let d = world().await;
    let r = keyless_plan();
    let s = settings(&d);
    apply(&r, &admin(), &s, false).await.unwrap();
    // Someone narrows the vendor's access with an ABAC condition (a new assignment, ours removed).
    let conditioned = {
        let mut st = d.state.lock().unwrap();
        let (k, mut a) = st.assignments.pop_first().unwrap();
        let new = k.rsplit_once('/').unwrap().0.to_string() + "/cccccccc-0000-4000-8000-000000000003";
        a["id"] = json!(new);
        a["properties"]["condition"] =
            json!("@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith 'public/'");
        a["properties"]["conditionVersion"] = json!("2.0");
        st.assignments.insert(new.clone(), a);
        new
    };
    let dry = apply(&r, &admin(), &s, true).await.unwrap();
    assert_eq!(kinds(&dry.changes), vec![AzureChangeKind::AssignRole], "a conditioned assignment is not the plan's grant");
    // Azure refuses a second assignment of the same role, principal and scope: said, not taken as done.
    let f = apply(&r, &admin(), &s, false).await.unwrap_err();
    assert!(f.error.to_string().contains("with a condition"), "{f}");
    assert_eq!(kinds(&f.not_done), vec![AzureChangeKind::AssignRole]);
    let rev = revoke(&r, &admin(), &s, false).await.unwrap();
    assert!(rev.changes.is_empty(), "{:?}", rev.changes);
    assert!(d.state.lock().unwrap().assignments.contains_key(&conditioned), "the conditioned assignment stays");
}

/// Device-code sign-in with the vendor profile's public client, then apply as that person.
#[tokio::test]
async fn a_device_code_sign_in_polls_as_told_and_then_applies_as_that_person() {
    use doubles::azure_arm::{DeviceAnswer, DEVICE_CODE, SIGNED_IN_REFRESH, SIGNED_IN_USER, SIGN_IN_CLIENT};
    use std::time::Duration;
    use trustbridge_cloud::azure::signin::DeviceSignIn;
    let d = world().await;
    let s = settings(&d);
    {
        let mut st = d.state.lock().unwrap();
        st.device_pending = 2;
        st.device_slow_down = 1;
    }
    let http = reqwest::Client::new();
    let dev = DeviceSignIn::start(&http, &s, TENANT, SIGN_IN_CLIENT).await.unwrap();
    assert_eq!((dev.user_code.as_str(), dev.verification_uri.as_str()), ("F7QX-K2LM", "https://microsoft.com/devicelogin"));
    assert!(!format!("{dev:?}").contains(DEVICE_CODE), "Debug shows no device code");
    let started = std::time::Instant::now();
    let cred = dev.finish_with(&http, &s, Duration::from_millis(300)).await.unwrap();
    assert_eq!(d.state.lock().unwrap().device_polls, 4, "slow_down, pending twice, then the answer");
    assert!(started.elapsed() >= Duration::from_millis(300), "slow_down lengthened the interval");
    assert!(!format!("{cred:?}").contains(SIGNED_IN_REFRESH), "Debug shows no refresh token");

    let r = mlcube("ML3PlatformSP");
    let rep = apply(&r, &cred, &s, false).await.unwrap();
    assert_eq!(rep.acting_as, format!("{SIGNED_IN_USER} (signed in to Azure in Trustbridge)"));
    assert!(!rep.changes.is_empty());

    // Declined in the browser, or never confirmed: a sign-in failure that shows no code or token.
    for (answer, says) in [(DeviceAnswer::Decline, "declined"), (DeviceAnswer::Expire, "expired")] {
        d.state.lock().unwrap().device_answer = answer;
        let dev = DeviceSignIn::start(&http, &s, TENANT, SIGN_IN_CLIENT).await.unwrap();
        let e = dev.finish(&http, &s).await.unwrap_err();
        assert_eq!(e.code(), "azure.sign_in_failed");
        assert!(e.to_string().contains(says), "{e}");
        assert!(!e.to_string().contains(DEVICE_CODE));
    }
    // A client the directory does not know.
    let e = DeviceSignIn::start(&http, &s, TENANT, "33333333-3333-3333-3333-333333333333").await.unwrap_err();
    assert!(e.to_string().contains("AADSTS700016"), "{e}");
}

/// The whole no-CLI path on Azure: apply, a client secret made by Entra ID for the vendor's app
/// registration, and the vendor's connectivity test with that secret — the token grant, the
/// container in real Azurite (`--oauth basic`: it checks the token, not the role) and the Event
/// Grid topic (its double checks the Data Sender assignment apply made) — all pass; without the
/// assignment the topic refuses; revoked, the secret no longer signs in.
#[tokio::test]
async fn after_apply_the_secret_made_for_the_vendor_passes_the_connectivity_test() {
    use doubles::azure_arm::eventgrid_topic;
    use trustbridge_cloud::azure::apply::create_secret;
    use trustbridge_cloud::probe::ProbeStatus;
    let d = azure_double(TENANT).await;
    let container = format!(
        "/subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1/blobServices/default/containers/training"
    );
    for sc in [container.clone(), scope_topic("retrain")] {
        d.state.lock().unwrap().add_scope(&sc);
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = doubles::self_signed(dir.path());
    let azurite = doubles::azurite(&cert, &key);
    let ca = std::fs::read(&cert).unwrap();
    let setup = doubles::entra_double(TENANT.into(), "setup".into(), "setup-secret".into()).await;
    doubles::azurite_container(&azurite, &ca, &setup.url, TENANT, "setup", "setup-secret", "devstoreaccount1/training").await;
    let topic = eventgrid_topic(d.state.clone(), scope_topic("retrain")).await;
    let mut s = settings(&d);
    s.blob_endpoint = format!("https://127.0.0.1:{}/{{account}}", azurite.port);
    s.event_grid_endpoints.insert("retrain".into(), format!("{}/api/events", topic.url));
    s.extra_roots_pem = vec![ca];
    let r = plan(
        json!({"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "service_principal_name": "ML3PlatformSP",
               "storage": [{"storage_account": "devstoreaccount1", "container": "training"}], "events": [{"topic": "retrain"}]}),
        "mlcube",
    );
    apply(&r, &admin(), &s, false).await.unwrap();
    let made = create_secret(&r, &admin(), &s).await.unwrap();
    let secret = AzureClientSecret::parse(&made.text).unwrap();
    let quiet = |_: trustbridge_cloud::probe::ProbeEvent| {};
    let run = || trustbridge_cloud::azure::verify(&r, &secret, &s, &quiet);
    let shown = |rs: &[trustbridge_cloud::probe::ProbeResult]| {
        rs.iter().map(|p| format!("{} {:?} {}", p.id, p.status, p.message)).collect::<Vec<_>>()
    };
    let rs = run().await.unwrap();
    assert_eq!(rs.len(), 3, "{:#?}", shown(&rs));
    assert!(rs.iter().all(|p| p.status == ProbeStatus::Pass), "{:#?}", shown(&rs));

    // Without the Data Sender assignment, the topic refuses.
    let sender =
        d.state.lock().unwrap().assignments.iter().find(|(_, a)| a.to_string().contains("d5a91429")).map(|(k, _)| k.clone()).unwrap();
    let kept = d.state.lock().unwrap().assignments.remove(&sender).unwrap();
    let rs = run().await.unwrap();
    let eg = rs.iter().find(|p| p.id.to_string().contains("retrain")).unwrap();
    assert_eq!(eg.status, ProbeStatus::Fail, "{:#?}", shown(&rs));
    d.state.lock().unwrap().assignments.insert(sender, kept);

    // Revoked: the app registration and its secrets are gone.
    revoke(&r, &admin(), &s, false).await.unwrap();
    let rs = run().await.unwrap();
    assert_eq!(rs[0].status, ProbeStatus::Fail, "{:#?}", shown(&rs));
}

/// Signed in before the tenant is known (the `organizations` authority): the tenant is the token's;
/// then the pick lists, across pages, each only within the Resource Manager endpoint.
#[tokio::test]
async fn a_sign_in_at_organizations_takes_the_tokens_tenant_and_lists_what_it_sees() {
    use doubles::azure_arm::{SIGNED_IN_USER, SIGN_IN_CLIENT};
    use trustbridge_cloud::azure::list::{list, AzureList};
    use trustbridge_cloud::azure::signin::{DeviceSignIn, ORGANIZATIONS};
    let d = world().await;
    let s = settings(&d);
    {
        let mut st = d.state.lock().unwrap();
        st.add_scope(&scope_container("archive"));
        st.add_scope(&format!("/subscriptions/{SUB}/resourceGroups/other-rg"));
        st.add_scope(&format!("/subscriptions/{SUB}/resourceGroups/third-rg"));
        st.add_scope(&scope_topic("drift"));
        st.other_subscriptions = vec![("11111111-1bf0-4dda-aec3-cb9272f09590".into(), "Disabled".into())];
    }
    let http = reqwest::Client::new();
    let dev = DeviceSignIn::start(&http, &s, ORGANIZATIONS, SIGN_IN_CLIENT).await.unwrap();
    let cred = dev.finish(&http, &s).await.unwrap();
    match &cred {
        AzureAdmin::SignedIn { tenant, .. } => assert_eq!(tenant, TENANT),
        other => panic!("{other:?}"),
    }
    let subs = list(&cred, &s, &AzureList::Subscriptions).await.unwrap();
    assert_eq!(subs.names, vec![SUB.to_string()], "the disabled one is not offered");
    assert_eq!(subs.acting_as, format!("{SIGNED_IN_USER} (signed in to Azure in Trustbridge)"));
    let groups = list(&cred, &s, &AzureList::ResourceGroups { subscription: SUB }).await.unwrap();
    assert_eq!(groups.names, vec!["my-rg", "other-rg", "third-rg"]);
    let accounts = list(&cred, &s, &AzureList::StorageAccounts { subscription: SUB, resource_group: "my-rg" }).await.unwrap();
    assert_eq!(accounts.names, vec!["acct1"]);
    let containers =
        list(&cred, &s, &AzureList::Containers { subscription: SUB, resource_group: "my-rg", storage_account: "acct1" }).await.unwrap();
    assert_eq!(containers.names, vec!["archive", "features", "training"]);
    let topics = list(&cred, &s, &AzureList::Topics { subscription: SUB, resource_group: "my-rg" }).await.unwrap();
    assert_eq!(topics.names, vec!["drift", "retrain"]);
    // 1 + 2 + 1 + 2 + 1 pages: every nextLink was followed.
    assert_eq!(d.state.lock().unwrap().list_calls, 7);

    // A group the sign-in may not read: Resource Manager's refusal as one of ours.
    d.state.lock().unwrap().denied = vec![format!("/subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.EventGrid")];
    let e = list(&cred, &s, &AzureList::Topics { subscription: SUB, resource_group: "my-rg" }).await.unwrap_err();
    assert_eq!(e.code(), "azure.permission_denied", "{e}");
    // A next page on another host is not followed (the token would go with it).
    let mut other = settings(&d);
    other.management_endpoint = other.management_endpoint.replace("127.0.0.1", "localhost");
    let e = list(&cred, &other, &AzureList::ResourceGroups { subscription: SUB }).await.unwrap_err();
    assert!(e.to_string().contains("was not followed"), "{e}");
}

const MARK: &str = "managed-by=trustbridge integration=TB_01";

/// Puts an assignment into the double as someone (or another run) made it: `name` is its name,
/// `description` its description, `condition` whether it has an ABAC condition.
fn plant(d: &AzureApi, scope: &str, role: &str, principal: &str, name: &str, description: Option<&str>, condition: bool) -> String {
    let id = assignment_id(scope, name);
    let mut a = json!({"id": id, "name": name, "type": "Microsoft.Authorization/roleAssignments",
        "properties": {"scope": scope, "roleDefinitionId": role, "principalId": principal, "principalType": "ServicePrincipal"}});
    if let Some(text) = description {
        a["properties"]["description"] = json!(text);
    }
    if condition {
        a["properties"]["condition"] =
            json!("@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith 'public/'");
        a["properties"]["conditionVersion"] = json!("2.0");
    }
    d.state.lock().unwrap().assignments.insert(id.clone(), a);
    id
}

/// The double after ML cube's plan was applied: its settings and our service principal.
async fn applied() -> (AzureApi, AzureSettings, String) {
    let d = world().await;
    let s = settings(&d);
    let rep = apply(&mlcube("ML3PlatformSP"), &admin(), &s, false).await.unwrap();
    let sp = d.state.lock().unwrap().sp_of(&rep.app_id.unwrap()).unwrap();
    (d, s, sp)
}

/// Trustbridge's own assignment of `role` on `scope` for `sp`, as apply makes it (name and mark).
fn ours(d: &AzureApi, scope: &str, role: &str, sp: &str) -> String {
    plant(d, scope, role, sp, &assignment_name(scope, role, sp), Some(MARK), false)
}

fn with_containers(containers: &[&str]) -> Resolved {
    let storage: Vec<_> = containers.iter().map(|c| json!({"storage_account": "acct1", "container": c})).collect();
    plan(
        json!({"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "service_principal_name": "ML3PlatformSP",
               "storage": storage, "events": [{"topic": "retrain"}]}),
        "mlcube",
    )
}

fn sorted_scopes(d: &AzureApi) -> Vec<String> {
    let mut v: Vec<String> = d.state.lock().unwrap().assigned().into_iter().map(|a| a.0).collect();
    v.sort();
    v
}

/// A container dropped from the plan loses the vendor's assignment on the next apply (this
/// integration made it: its deterministic name and its mark), after the plan's new grants; an
/// assignment someone else put on our service principal, and one of ours that someone narrowed
/// with a condition, stay and are named. The principal's assignments come over several pages (the
/// double answers two a page). Every assignment apply makes carries the mark.
#[tokio::test]
async fn an_assignment_the_plan_no_longer_lists_is_removed_by_the_next_apply() {
    let (d, s, sp) = applied().await;
    d.state.lock().unwrap().add_scope(&scope_container("fresh"));
    assert!(
        d.state.lock().unwrap().assignments.values().all(|a| a["properties"]["description"] == MARK),
        "apply marks every assignment it makes"
    );
    let manual = plant(&d, &scope_container("misc"), READER, &sp, "dddddddd-0000-4000-8000-000000000004", None, false);
    let narrowed_scope = scope_container("cond");
    let narrowed = plant(&d, &narrowed_scope, READER, &sp, &assignment_name(&narrowed_scope, READER, &sp), Some(MARK), true);
    // Made by an earlier Trustbridge (its name, no mark) on our own app, which is this integration's alone.
    let legacy_scope = scope_container("legacy");
    d.state.lock().unwrap().add_scope(&legacy_scope);
    plant(&d, &legacy_scope, READER, &sp, &assignment_name(&legacy_scope, READER, &sp), None, false);

    // "features" dropped, "fresh" added.
    let r = with_containers(&["training", "fresh"]);
    use AzureChangeKind::*;
    let dry = apply(&r, &admin(), &s, true).await.unwrap();
    assert_eq!(kinds(&dry.changes), vec![AssignRole, RemoveRoleAssignment, RemoveRoleAssignment], "{:?}", dry.changes);
    assert_eq!(dry.changes[1].target, scope_container("features"));
    assert_eq!(dry.changes[2].target, legacy_scope);
    assert!(dry.changes[1].to_string().contains("no longer lists"), "{}", dry.changes[1]);
    assert!(dry.notes.iter().any(|n| n.contains("/containers/misc kept") && n.contains("did not make it")), "{:?}", dry.notes);
    assert!(dry.notes.iter().any(|n| n.contains("/containers/cond kept") && n.contains("condition")), "{:?}", dry.notes);
    assert_eq!(d.state.lock().unwrap().assignments.len(), 6, "a dry run removes nothing");

    let done = apply(&r, &admin(), &s, false).await.unwrap();
    assert_eq!(kinds(&done.changes), vec![AssignRole, RemoveRoleAssignment, RemoveRoleAssignment], "the plan's grant first");
    let mut want = vec![
        scope_container("cond"),
        scope_container("fresh"),
        scope_container("misc"),
        scope_container("training"),
        scope_topic("retrain"),
    ];
    want.sort();
    assert_eq!(sorted_scopes(&d), want, "the dropped containers' assignments are gone, nothing else");
    assert!(d.state.lock().unwrap().assignments.contains_key(&manual) && d.state.lock().unwrap().assignments.contains_key(&narrowed));
    let again = apply(&r, &admin(), &s, false).await.unwrap();
    assert!(again.changes.is_empty(), "{:?}", again.changes);

    // Revoke takes what an earlier plan gave too, before the app goes; someone's assignment and
    // the narrowed one stay, named.
    ours(&d, &scope_container("features"), READER, &sp);
    let rev = revoke(&r, &admin(), &s, false).await.unwrap();
    assert_eq!(
        kinds(&rev.changes),
        vec![RemoveRoleAssignment, RemoveRoleAssignment, RemoveRoleAssignment, RemoveRoleAssignment, DeleteApp]
    );
    assert!(rev.notes.iter().any(|n| n.contains("/containers/misc kept")), "{:?}", rev.notes);
    assert_eq!(sorted_scopes(&d), vec![scope_container("cond"), scope_container("misc")]);
}

/// The vendor's multi-tenant app is shared by every integration with that vendor in the tenant:
/// of the assignments with Trustbridge's name, only those with this integration's mark are this
/// plan's to remove (wherever they are); another integration's, and one made before Trustbridge
/// marked its assignments, are kept and named; the vendor app's other grants are not looked at.
/// Revoke removes this integration's dropped ones too.
#[tokio::test]
async fn keyless_removes_only_this_integrations_dropped_assignments_from_the_vendors_app() {
    let d = world().await;
    let s = settings(&d);
    apply(&keyless_plan(), &admin(), &s, false).await.unwrap();
    let sp = d.state.lock().unwrap().sp_of(VENDOR_APP).unwrap();
    let elsewhere = format!(
        "/subscriptions/{SUB}/resourceGroups/team-b/providers/Microsoft.Storage/storageAccounts/acct9/blobServices/default/containers/data"
    );
    d.state.lock().unwrap().add_scope(&elsewhere);
    let moved = ours(&d, &elsewhere, READER, &sp);
    let dropped = ours(&d, &scope_container("features"), READER, &sp);
    let other_scope = scope_container("team-a");
    let another = plant(
        &d,
        &other_scope,
        READER,
        &sp,
        &assignment_name(&other_scope, READER, &sp),
        Some("managed-by=trustbridge integration=TA_02"),
        false,
    );
    let old_scope = scope_container("old");
    let unmarked = plant(&d, &old_scope, READER, &sp, &assignment_name(&old_scope, READER, &sp), None, false);
    let theirs = plant(&d, &scope_container("shared"), READER, &sp, "eeeeeeee-0000-4000-8000-000000000005", None, false);

    let dry = apply(&keyless_plan(), &admin(), &s, true).await.unwrap();
    let targets: Vec<&str> = dry.changes.iter().map(|c| c.target.as_str()).collect();
    let mut want = vec![elsewhere.as_str(), &scope_container("features")].into_iter().map(str::to_string).collect::<Vec<_>>();
    want.sort_by_key(|x| x.to_lowercase());
    assert_eq!(targets, want, "{:?}", dry.changes);
    assert!(dry.notes.iter().any(|n| n.contains("/containers/team-a kept") && n.contains("not for this integration")), "{:?}", dry.notes);
    assert!(dry.notes.iter().any(|n| n.contains("/containers/old kept")), "{:?}", dry.notes);
    assert!(!dry.notes.iter().any(|n| n.contains("/containers/shared")), "the vendor app's other grants: {:?}", dry.notes);
    apply(&keyless_plan(), &admin(), &s, false).await.unwrap();
    {
        let st = d.state.lock().unwrap();
        assert!(!st.assignments.contains_key(&dropped) && !st.assignments.contains_key(&moved));
        assert!(st.assignments.contains_key(&another) && st.assignments.contains_key(&unmarked) && st.assignments.contains_key(&theirs));
    }
    let again = ours(&d, &scope_container("features"), READER, &sp);
    let rev = revoke(&keyless_plan(), &admin(), &s, false).await.unwrap();
    assert_eq!(
        kinds(&rev.changes),
        vec![AzureChangeKind::RemoveRoleAssignment, AzureChangeKind::RemoveRoleAssignment],
        "{:?}",
        rev.changes
    );
    let st = d.state.lock().unwrap();
    assert!(!st.assignments.contains_key(&again));
    assert_eq!(st.assignments.len(), 3, "another integration's, the unmarked one and someone's stay");
}

/// What Resource Manager lists is not trusted to say where to delete: a row whose id is not the
/// one its scope and name make is kept and named, and one whose id is the plan's own assignment
/// under another scope is not taken for it; nothing is deleted (`assignment_path`'s unit test has
/// the other shapes).
#[tokio::test]
async fn a_listed_id_that_is_not_its_scope_and_name_is_never_deleted() {
    let (d, s, sp) = applied().await;
    let training = scope_container("training");
    let training_id = assignment_id(&training, &assignment_name(&training, READER, &sp));
    let bait_scope = scope_container("bait");
    let bait_name = assignment_name(&bait_scope, READER, &sp);
    // Named and marked as ours for "bait", but its id is under "training".
    let forged = assignment_id(&training, &bait_name);
    // Its scope says "features" while its id is the plan's own assignment on "training".
    let features = scope_container("features");
    {
        let mut st = d.state.lock().unwrap();
        st.assignments.insert(
            "zz-forged-1".into(),
            json!({"id": forged, "name": bait_name, "properties": {
            "scope": bait_scope, "roleDefinitionId": READER, "principalId": sp, "principalType": "ServicePrincipal", "description": MARK}}),
        );
        st.assignments.insert(
            "zz-forged-2".into(),
            json!({"id": training_id, "name": "x", "properties": {
            "scope": features, "roleDefinitionId": SENDER, "principalId": sp, "principalType": "ServicePrincipal", "description": MARK}}),
        );
    }
    let before = d.state.lock().unwrap().assignments.len();
    let dry = apply(&mlcube("ML3PlatformSP"), &admin(), &s, true).await.unwrap();
    assert!(dry.changes.is_empty(), "{:?}", dry.changes);
    assert!(dry.notes.iter().any(|n| n.contains("/containers/bait kept") && n.contains("its id is not")), "{:?}", dry.notes);
    assert!(dry.notes.iter().any(|n| n.contains("/containers/features kept")), "{:?}", dry.notes);
    apply(&mlcube("ML3PlatformSP"), &admin(), &s, false).await.unwrap();
    assert_eq!(d.state.lock().unwrap().assignments.len(), before, "nothing deleted");
    assert!(d.state.lock().unwrap().assignments.contains_key(&training_id));
}

/// An administrator with rights on the resource group alone cannot list at the subscription: the
/// resource group is looked at instead, and said; the plan's grants are made all the same.
#[tokio::test]
async fn a_subscription_listing_refused_falls_back_to_the_resource_group_and_says_so() {
    let (d, s, sp) = applied().await;
    d.state.lock().unwrap().list_denied.push(format!("/subscriptions/{SUB}"));
    let done = apply(&with_containers(&["training"]), &admin(), &s, false).await.unwrap();
    assert_eq!(kinds(&done.changes), vec![AzureChangeKind::RemoveRoleAssignment]);
    assert_eq!(done.changes[0].target, scope_container("features"));
    assert!(
        done.notes.iter().any(|n| n.contains("could not be read in subscription") && n.contains("only resource group my-rg")),
        "{:?}",
        done.notes
    );
    // Refused there too: said, and the plan's grants are not held back.
    d.state.lock().unwrap().list_denied.push(format!("/subscriptions/{SUB}/resourcegroups/my-rg"));
    ours(&d, &scope_container("features"), READER, &sp);
    let done = apply(&with_containers(&["training", "features"]), &admin(), &s, false).await.unwrap();
    assert!(done.changes.is_empty(), "{:?}", done.changes);
    assert!(done.notes.iter().any(|n| n.contains("were not looked for")), "{:?}", done.notes);
}

/// Our own assignment of a planned role, narrowed by someone with a condition, is never replaced:
/// a PUT of its name would drop the condition (Resource Manager's create-or-update) and widen the
/// grant. The dry run says so, and apply stops there without writing it.
#[tokio::test]
async fn our_planned_assignment_narrowed_with_a_condition_is_never_replaced() {
    let d = world().await;
    let s = settings(&d);
    let r = keyless_plan();
    apply(&r, &admin(), &s, false).await.unwrap();
    let id = {
        let mut st = d.state.lock().unwrap();
        let (id, a) = st.assignments.iter_mut().next().unwrap();
        a["properties"]["condition"] =
            json!("@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith 'public/'");
        id.clone()
    };
    let dry = apply(&r, &admin(), &s, true).await.unwrap();
    assert_eq!(kinds(&dry.changes), vec![AzureChangeKind::AssignRole]);
    assert!(dry.changes[0].to_string().contains("apply stops here"), "{}", dry.changes[0]);
    let f = apply(&r, &admin(), &s, false).await.unwrap_err();
    assert!(f.error.to_string().contains("with a condition"), "{f}");
    assert!(d.state.lock().unwrap().assignments[&id]["properties"]["condition"].is_string(), "the condition stays");
}

/// A run that stops part way still says what it found: the notes (here, that the assignments the
/// plan no longer lists could not be looked for) go with the failure, as with a finished run.
#[tokio::test]
async fn a_run_that_stops_part_way_keeps_its_notes() {
    let (d, s, _sp) = applied().await;
    {
        let mut st = d.state.lock().unwrap();
        st.list_denied.push(format!("/subscriptions/{SUB}"));
        st.list_denied.push(format!("/subscriptions/{SUB}/resourcegroups/my-rg"));
        st.assignments.retain(|id, _| !id.to_lowercase().contains("/containers/features/"));
        st.denied.push(format!("{}/providers/Microsoft.Authorization/roleAssignments/", scope_container("features")));
    }
    let f = apply(&mlcube("ML3PlatformSP"), &admin(), &s, false).await.unwrap_err();
    assert_eq!(f.error.code(), "azure.permission_denied", "{f}");
    assert!(f.notes.iter().any(|n| n.contains("were not looked for")), "{:?}", f.notes);
}

/// A plan of many containers: Resource Manager is called at most eight at a time (its throttling
/// is per principal), reading the assignments, making them and removing them — and still several
/// at once.
#[tokio::test]
async fn many_assignments_are_read_made_and_removed_eight_at_a_time() {
    use std::sync::atomic::Ordering;
    let d = world().await;
    let s = settings(&d);
    let many: Vec<String> = (0..20).map(|i| format!("c{i:02}")).collect();
    {
        let mut st = d.state.lock().unwrap();
        for c in &many {
            st.add_scope(&scope_container(c));
        }
    }
    d.double.load.hold_ms.store(20, Ordering::SeqCst);
    let names: Vec<&str> = many.iter().map(String::as_str).collect();
    let made = apply(&with_containers(&names), &admin(), &s, false).await.unwrap();
    assert_eq!(made.changes.iter().filter(|c| c.kind == AzureChangeKind::AssignRole).count(), 21, "{:?}", made.changes);
    let most = d.double.load.most();
    assert!((2..=8).contains(&most), "assigning: {most} requests at once");
    let writes = d.double.load.most_of("PUT");
    assert!((2..=8).contains(&writes), "assigning: {writes} assignments made at once");

    d.double.load.reset();
    let rep = revoke(&with_containers(&names), &admin(), &s, false).await.unwrap();
    assert_eq!(rep.changes.iter().filter(|c| c.kind == AzureChangeKind::RemoveRoleAssignment).count(), 21, "{:?}", rep.changes);
    let most = d.double.load.most();
    assert!((2..=8).contains(&most), "removing: {most} requests at once");
    let deletes = d.double.load.most_of("DELETE");
    assert!((2..=8).contains(&deletes), "removing: {deletes} assignments removed at once");
    assert!(d.state.lock().unwrap().assigned().is_empty());
}

/// While a new service principal has not reached Resource Manager, an assignment refused for
/// another reason stops the run: the assignments waiting give up at their next wait instead of
/// waiting out the replication budget, and the error told is the refusal that stopped the run.
#[tokio::test]
async fn a_refusal_while_others_wait_for_the_new_principal_stops_them_and_is_the_error_told() {
    let d = world().await;
    {
        let mut st = d.state.lock().unwrap();
        st.principal_unreplicated = 1_000; // never replicated in this test
        st.denied.push(format!("PUT {}/providers/Microsoft.Authorization/roleAssignments/", scope_container("features")));
    }
    let f = apply(&mlcube("ML3PlatformSP"), &admin(), &settings(&d), false).await.unwrap_err();
    assert_eq!(f.error.code(), "azure.permission_denied", "{f}");
    assert!(f.to_string().contains("features"), "{f}");
    let puts = d.double.requests.lock().unwrap().iter().filter(|r| r.method == "PUT").count();
    assert!(puts <= 3, "{puts} assignments tried: the waiting ones were not tried again after their wait");
    assert_eq!(f.not_done.iter().filter(|c| c.kind == AzureChangeKind::AssignRole).count(), 3, "{:?}", f.not_done);
}

/// An assignment asleep in its wait for the new principal is woken when another is refused: the
/// run ends when the refusal comes, not when the sleeps end. The refusal is held 2 s, so the
/// waiting assignments are in their third wait (0.5, 1 then 2 s: until 3.5 s) when it comes.
#[tokio::test]
async fn a_refusal_wakes_the_assignments_asleep_in_their_wait() {
    let d = world().await;
    let denied = format!("PUT {}/providers/Microsoft.Authorization/roleAssignments/", scope_container("features"));
    {
        let mut st = d.state.lock().unwrap();
        st.principal_unreplicated = 1_000; // never replicated in this test
        st.denied.push(denied.clone());
    }
    d.double.load.hold_on(&denied, 2_000);
    let started = std::time::Instant::now();
    let f = apply(&mlcube("ML3PlatformSP"), &admin(), &settings(&d), false).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(f.error.code(), "azure.permission_denied", "{f}");
    assert!(took >= std::time::Duration::from_secs(2), "the refusal was held 2 s: {took:?}");
    assert!(took < std::time::Duration::from_millis(3_200), "the run outlived the refusal by the sleeps: {took:?}");
}
