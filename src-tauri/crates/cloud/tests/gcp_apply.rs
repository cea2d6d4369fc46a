//! GCP apply and revoke through the REST APIs, against the marked TEST DOUBLE of Google's IAM,
//! Resource Manager, Storage-IAM and Pub/Sub-IAM endpoints (`doubles/gcp_iam.rs`; no emulator of
//! these exists here), signed in with an authorized user's Application Default Credentials
//! exchanged at the double's OAuth token endpoint.

mod doubles;

use doubles::gcp_iam::{
    gcp_iam_double, GcpIam, CLIENT_SECRET, PROJECT_NUMBER, REFRESH_TOKEN, SIGNED_IN_EMAIL, SIGNED_IN_REFRESH, SIGN_IN_CLIENT,
    SIGN_IN_SECRET,
};
use serde_json::json;
use trustbridge_cloud::gcp::apply::{apply, revoke, revoke_confirmed, GcpChangeKind};
use trustbridge_cloud::gcp::credential::AdminCredential;
use trustbridge_cloud::gcp::GcpSettings;
use trustbridge_cloud::ApiFailure;
use trustbridge_core::validate::Resolved;
use trustbridge_core::{validate, Plan};
use trustbridge_secrets::Sensitive;

const PROJECT: &str = "my-project";
const SA: &str = "ml3-platform-sa@my-project.iam.gserviceaccount.com";
const MEMBER: &str = "serviceAccount:ml3-platform-sa@my-project.iam.gserviceaccount.com";
const ROLE: &str = "projects/my-project/roles/ml3PlatformStorageRole";

fn plan(gcp: serde_json::Value, platform: &str) -> Resolved {
    let p = json!({"version": 1, "platform": platform, "integration": {"name": "TB_01", "project_id": "x", "default": true}, "gcp": gcp});
    validate(&Plan::from_json(&p.to_string()).unwrap(), None).unwrap_or_else(|e| panic!("plan invalid: {e:?}"))
}

fn mlcube_plan(buckets: &[&str], topics: &[&str]) -> Resolved {
    let storage: Vec<_> = buckets.iter().map(|b| json!({"bucket": b})).collect();
    let events: Vec<_> = topics.iter().map(|t| json!({"topic": t})).collect();
    plan(json!({"project_id": PROJECT, "service_account": "ml3-platform-sa", "storage": storage, "events": events}), "mlcube")
}

fn adc() -> AdminCredential {
    let file = json!({"type": "authorized_user", "client_id": "764086051850-x.apps.googleusercontent.com", "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN, "account": "admin@example.com"});
    AdminCredential::parse(&Sensitive::new(file.to_string()), "test ADC").unwrap()
}

fn settings(d: &GcpIam) -> GcpSettings {
    let u = d.double.url.clone();
    GcpSettings {
        token_uri: Some(format!("{u}/token")),
        storage_endpoint: u.clone(),
        pubsub_endpoint: u.clone(),
        iam_endpoint: u.clone(),
        crm_endpoint: u.clone(),
        orgpolicy_endpoint: u.clone(),
        asset_endpoint: u,
        ..GcpSettings::default()
    }
}

async fn world() -> GcpIam {
    let d = gcp_iam_double(PROJECT).await;
    {
        let mut s = d.state.lock().unwrap();
        s.add_bucket("training", json!([{"role": "roles/storage.objectViewer", "members": ["user:alice@example.com"]}]));
        s.add_bucket("features", json!([]));
        s.add_topic("retrain", json!([{"role": "roles/pubsub.subscriber", "members": ["user:bob@example.com"]}]));
    }
    d
}

fn kinds(changes: &[trustbridge_cloud::gcp::apply::GcpChange]) -> Vec<GcpChangeKind> {
    changes.iter().map(|c| c.kind).collect()
}

#[tokio::test]
async fn dry_run_then_apply_then_a_rerun_that_changes_nothing() {
    let d = world().await;
    let r = mlcube_plan(&["training", "features"], &["retrain"]);
    let s = settings(&d);

    let dry = apply(&r, &adc(), &s, true).await.unwrap();
    assert_eq!(dry.acting_as, "admin@example.com (gcloud application-default login)");
    use GcpChangeKind::*;
    assert_eq!(kinds(&dry.changes), vec![CreateServiceAccount, CreateRole, AddBinding, AddBinding, AddBinding, AddBinding]);
    assert!(dry.changes[1].detail.contains(&"+ storage.buckets.get".to_string()), "{:?}", dry.changes[1].detail);
    {
        let st = d.state.lock().unwrap();
        assert!(st.service_accounts.is_empty() && st.roles.is_empty() && st.writes.is_empty(), "a dry run changes nothing");
    }

    let rep = apply(&r, &adc(), &s, false).await.unwrap();
    assert_eq!(rep.changes.len(), 6);
    {
        let st = d.state.lock().unwrap();
        assert_eq!(st.service_accounts[SA]["description"], "managed-by=trustbridge integration=TB_01", "the account carries our mark");
        assert_eq!(st.roles["ml3PlatformStorageRole"]["includedPermissions"], json!(["storage.buckets.get", "storage.buckets.list"]));
        assert_eq!(st.members("project", ROLE), vec![MEMBER]);
        assert_eq!(st.members("project", "roles/owner"), vec!["user:owner@example.com"], "the owner is kept");
        assert_eq!(st.members("bucket/training", "roles/storage.objectViewer"), vec!["user:alice@example.com", MEMBER], "alice is kept");
        assert_eq!(st.members("bucket/features", "roles/storage.objectViewer"), vec![MEMBER]);
        assert_eq!(st.members("topic/retrain", "roles/pubsub.publisher"), vec![MEMBER]);
        assert_eq!(st.members("topic/retrain", "roles/pubsub.subscriber"), vec!["user:bob@example.com"]);
    }
    println!("gcp apply against the double: {} HTTP calls for {} changes", rep.http_calls, rep.changes.len());

    let again = apply(&r, &adc(), &s, false).await.unwrap();
    assert!(again.changes.is_empty(), "idempotent: {:?}", again.changes);
}

#[tokio::test]
async fn a_conflicting_write_is_read_and_made_again_and_gives_up_after_a_bound() {
    let d = world().await;
    let r = mlcube_plan(&["training"], &[]);
    let s = settings(&d);
    d.state.lock().unwrap().conflicts = 2;
    apply(&r, &adc(), &s, false).await.unwrap();
    assert_eq!(d.state.lock().unwrap().members("bucket/training", "roles/storage.objectViewer"), vec!["user:alice@example.com", MEMBER]);

    let d = world().await;
    let s = settings(&d);
    d.state.lock().unwrap().conflicts = 50;
    let f = apply(&r, &adc(), &s, false).await.unwrap_err();
    assert!(matches!(f.error, trustbridge_cloud::CloudError::Api { kind: ApiFailure::PolicyConflict, .. }), "{f}");
    assert_eq!(f.error.code(), "gcp.policy_conflict");
    assert_eq!(kinds(&f.done), vec![GcpChangeKind::CreateServiceAccount, GcpChangeKind::CreateRole], "what was done is reported");
    assert!(!f.not_done.is_empty(), "and what was not");
}

#[tokio::test]
async fn a_new_service_account_not_yet_known_to_iam_is_waited_for() {
    let d = world().await;
    let r = mlcube_plan(&["training"], &["retrain"]);
    let s = settings(&d);
    d.state.lock().unwrap().unpropagated = 2;
    let rep = apply(&r, &adc(), &s, false).await.unwrap();
    assert!(rep.notes.iter().any(|n| n.contains("waiting") && n.contains("new service account")), "the waits are named: {:?}", rep.notes);
    assert_eq!(d.state.lock().unwrap().members("topic/retrain", "roles/pubsub.publisher"), vec![MEMBER]);
}

#[tokio::test]
async fn a_service_account_someone_else_made_is_never_used() {
    let d = world().await;
    d.state.lock().unwrap().service_accounts.insert(SA.into(), json!({"email": SA, "description": "the data team's"}));
    let f = apply(&mlcube_plan(&["training"], &[]), &adc(), &settings(&d), false).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.service_account_not_ours");
    assert!(f.error.to_string().contains("the data team's"));
    assert!(d.state.lock().unwrap().writes.is_empty(), "nothing was written");
    let f = revoke(&mlcube_plan(&["training"], &[]), &adc(), &settings(&d), false).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.service_account_not_ours");
    assert!(d.state.lock().unwrap().service_accounts.contains_key(SA), "and revoke does not delete it");
}

#[tokio::test]
async fn a_missing_bucket_stops_apply_before_any_change() {
    let d = world().await;
    let f = apply(&mlcube_plan(&["training", "nope"], &[]), &adc(), &settings(&d), false).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.not_found");
    assert!(f.error.to_string().contains("nope"), "{}", f.error);
    let st = d.state.lock().unwrap();
    assert!(st.service_accounts.is_empty() && st.writes.is_empty());
}

#[tokio::test]
async fn permission_denied_and_a_refused_sign_in_say_what_to_do() {
    let d = world().await;
    d.state.lock().unwrap().denied.push("/v1/projects/my-project/roles".into());
    let f = apply(&mlcube_plan(&["training"], &[]), &adc(), &settings(&d), false).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.permission_denied");
    assert!(f.error.fix().unwrap().contains("Role Administrator"));

    let file = json!({"type": "authorized_user", "client_id": "c", "client_secret": CLIENT_SECRET, "refresh_token": "1//revoked-canary"});
    let cred = AdminCredential::parse(&Sensitive::new(file.to_string()), "adc.json").unwrap();
    let f = apply(&mlcube_plan(&["training"], &[]), &cred, &settings(&d), true).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.sign_in_failed");
    let shown = format!("{f} {:?} {}", f.error, serde_json::to_string(&f).unwrap());
    assert!(!shown.contains("revoked-canary") && !shown.contains(CLIENT_SECRET), "no secret in the error: {shown}");
    assert!(!format!("{cred:?}").contains(CLIENT_SECRET), "no secret in Debug");
}

#[tokio::test]
async fn revoke_removes_exactly_what_apply_added() {
    let d = world().await;
    let r = mlcube_plan(&["training"], &["retrain"]);
    let s = settings(&d);
    apply(&r, &adc(), &s, false).await.unwrap();
    // Someone else binds the custom role too: revoke keeps the role for them.
    {
        let mut st = d.state.lock().unwrap();
        let mut p = st.policy("project");
        p["bindings"].as_array_mut().unwrap().push(json!({"role": ROLE, "members": ["user:carol@example.com"]}));
        st.policies.insert("project".into(), p);
    }
    let dry = revoke(&r, &adc(), &s, true).await.unwrap();
    use GcpChangeKind::*;
    assert_eq!(kinds(&dry.changes), vec![RemoveBinding, RemoveBinding, RemoveBinding, DeleteServiceAccount]);
    assert!(dry.notes.iter().any(|n| n.contains("kept") && n.contains("carol")), "{:?}", dry.notes);
    revoke(&r, &adc(), &s, false).await.unwrap();
    {
        let st = d.state.lock().unwrap();
        assert!(!st.service_accounts.contains_key(SA));
        assert_eq!(st.members("bucket/training", "roles/storage.objectViewer"), vec!["user:alice@example.com"]);
        assert_eq!(st.members("topic/retrain", "roles/pubsub.publisher"), Vec::<String>::new());
        assert_eq!(st.members("topic/retrain", "roles/pubsub.subscriber"), vec!["user:bob@example.com"]);
        assert_eq!(st.members("project", ROLE), vec!["user:carol@example.com"]);
        assert!(st.roles["ml3PlatformStorageRole"].get("deleted").is_none(), "carol still uses the role");
    }
    let again = revoke(&r, &adc(), &s, false).await.unwrap();
    assert!(again.changes.is_empty() && again.notes.iter().any(|n| n.contains("nothing to revoke")));

    // Someone bound to the role on one of the plan's buckets (not the project) counts too.
    let d = world().await;
    let s = settings(&d);
    apply(&r, &adc(), &s, false).await.unwrap();
    {
        let mut st = d.state.lock().unwrap();
        let mut p = st.policy("bucket/training");
        p["bindings"].as_array_mut().unwrap().push(json!({"role": ROLE, "members": ["group:ml-readers@example.com"]}));
        st.policies.insert("bucket/training".into(), p);
    }
    let dry = revoke(&r, &adc(), &s, true).await.unwrap();
    assert!(!kinds(&dry.changes).contains(&DeleteRole), "{:?}", kinds(&dry.changes));
    assert!(dry.notes.iter().any(|n| n.contains("ml-readers")), "{:?}", dry.notes);

    // Without another user, the role goes too; a second apply undeletes it.
    let d = world().await;
    let s = settings(&d);
    apply(&r, &adc(), &s, false).await.unwrap();
    let rep = revoke(&r, &adc(), &s, false).await.unwrap();
    assert!(kinds(&rep.changes).contains(&DeleteRole));
    assert_eq!(d.state.lock().unwrap().roles["ml3PlatformStorageRole"]["deleted"], true);
    let rep = apply(&r, &adc(), &s, true).await.unwrap();
    assert!(kinds(&rep.changes).contains(&UndeleteRole), "{:?}", kinds(&rep.changes));
}

/// The window's removal: exactly what the person confirmed. Someone binds our custom role on the
/// project between the dry run and the removal (the role would now be kept): nothing is removed
/// (`gcp.revoke_changed`); confirmed for what it is now, it is removed.
#[tokio::test]
async fn a_removal_removes_only_what_was_confirmed() {
    let d = world().await;
    let r = mlcube_plan(&["training"], &["retrain"]);
    let s = settings(&d);
    apply(&r, &adc(), &s, false).await.unwrap();
    let summaries = |rep: &trustbridge_cloud::gcp::apply::GcpApplyReport| -> Vec<String> {
        rep.changes.iter().map(|c| c.to_string().lines().next().unwrap().to_string()).collect()
    };
    let confirmed = summaries(&revoke(&r, &adc(), &s, true).await.unwrap());
    assert!(confirmed.iter().any(|c| c.contains("ml3PlatformStorageRole")), "{confirmed:?}");
    {
        let mut st = d.state.lock().unwrap();
        let mut p = st.policy("project");
        p["bindings"].as_array_mut().unwrap().push(json!({"role": ROLE, "members": ["user:carol@example.com"]}));
        st.policies.insert("project".into(), p);
    }
    let e = revoke_confirmed(&r, &adc(), &s, &confirmed).await.unwrap_err();
    assert_eq!(e.error.code(), "gcp.revoke_changed", "{e}");
    assert!(e.done.is_empty());
    assert!(d.state.lock().unwrap().service_accounts.contains_key(SA), "something was removed");
    let now = summaries(&revoke(&r, &adc(), &s, true).await.unwrap());
    assert_ne!(now, confirmed);
    revoke_confirmed(&r, &adc(), &s, &now).await.unwrap();
    assert!(!d.state.lock().unwrap().service_accounts.contains_key(SA));
}

#[tokio::test]
async fn keyless_creates_the_pool_the_provider_and_the_impersonation_binding() {
    let d = world().await;
    let r = plan(
        json!({"project_id": PROJECT, "service_account": "vendor-platform-sa", "storage": [{"bucket": "training"}],
               "workload_identity": {"vendor_aws_account_id": "210987654321", "vendor_role_name": "acme-workers"}}),
        "custom",
    );
    let s = settings(&d);
    let rep = apply(&r, &adc(), &s, false).await.unwrap();
    use GcpChangeKind::*;
    assert_eq!(kinds(&rep.changes), vec![CreateServiceAccount, CreatePool, CreateProvider, AddBinding, AddBinding]);
    let sa = "vendor-platform-sa@my-project.iam.gserviceaccount.com";
    {
        let st = d.state.lock().unwrap();
        let pool = "projects/my-project/locations/global/workloadIdentityPools/trustbridge-vendor";
        assert_eq!(st.pools[pool]["description"], "managed-by=trustbridge integration=TB_01");
        let provider = &st.pools[&format!("{pool}/providers/aws-vendor")];
        assert_eq!(provider["aws"]["accountId"], "210987654321");
        assert_eq!(provider["attributeCondition"], "attribute.aws_role=='arn:aws:sts::210987654321:assumed-role/acme-workers'");
        let wif = format!(
            "principalSet://iam.googleapis.com/projects/{PROJECT_NUMBER}/locations/global/workloadIdentityPools/trustbridge-vendor/attribute.aws_role/arn:aws:sts::210987654321:assumed-role/acme-workers"
        );
        assert_eq!(
            st.members(&format!("sa/{sa}"), "roles/iam.workloadIdentityUser"),
            vec![wif],
            "the real project number, not a placeholder"
        );
    }
    assert!(apply(&r, &adc(), &s, false).await.unwrap().changes.is_empty(), "idempotent");
    let rep = revoke(&r, &adc(), &s, false).await.unwrap();
    assert!(kinds(&rep.changes).contains(&DeletePool), "{:?}", kinds(&rep.changes));
    assert!(!d.state.lock().unwrap().service_accounts.contains_key(sa));
}

#[test]
fn adc_files_are_checked_and_never_echoed() {
    for (text, want) in [
        ("not json", "is not JSON"),
        (r#"{"client_id": "x"}"#, "no \"type\" field"),
        (r#"{"type": "external_account"}"#, "type 'external_account'"),
        (
            r#"{"type": "authorized_user", "client_id": "x", "client_secret": "s3cr3t-canary"}"#,
            "needs client_id, client_secret and refresh_token",
        ),
        (r#"{"type": "authorized_user", "client_id": 7, "client_secret": "s3cr3t-canary", "refresh_token": "r"}"#, "needs string fields"),
    ] {
        let e = AdminCredential::parse(&Sensitive::new(text.into()), "adc.json").unwrap_err();
        assert_eq!(e.code(), "gcp.no_credentials");
        assert!(e.to_string().contains(want), "{text}: {e}");
        assert!(!e.to_string().contains("s3cr3t-canary"));
    }
}

#[tokio::test]
async fn a_key_is_made_only_for_our_service_account_and_an_org_policy_refusal_says_keyless() {
    use trustbridge_cloud::gcp::apply::create_key;
    let d = world().await;
    let r = mlcube_plan(&["training"], &[]);
    let s = settings(&d);
    let e = create_key(&r, &adc(), &s).await.unwrap_err();
    assert_eq!(e.code(), "gcp.not_found", "no service account yet: {e}");
    apply(&r, &adc(), &s, false).await.unwrap();
    let k = create_key(&r, &adc(), &s).await.unwrap();
    let key = trustbridge_secrets::GcpServiceAccountKey::parse(&k.text).expect("a key file the keyring takes");
    assert_eq!(key.client_email, SA);
    assert!(key.check_plan(PROJECT, Some(SA)).is_ok());
    assert!(!format!("{k:?}").contains("PRIVATE KEY"), "Debug shows the id only");

    d.state.lock().unwrap().keys_forbidden = true;
    let e = create_key(&r, &adc(), &s).await.unwrap_err();
    assert!(e.to_string().contains("keyless access (Workload Identity Federation)"), "{e}");

    d.state.lock().unwrap().service_accounts.get_mut(SA).unwrap()["description"] = json!("someone else's");
    assert_eq!(create_key(&r, &adc(), &s).await.unwrap_err().code(), "gcp.service_account_not_ours");
}

const ROLE_MARK: &str = "[managed-by=trustbridge integration=TB_01]";

#[tokio::test]
async fn a_custom_role_someone_else_made_is_never_changed_bound_or_deleted() {
    let d = world().await;
    let r = mlcube_plan(&["training"], &[]);
    let s = settings(&d);
    d.state.lock().unwrap().roles.insert(
        "ml3PlatformStorageRole".into(),
        json!({"name": ROLE, "title": "Storage", "description": "the data team's role", "includedPermissions": ["storage.objects.delete"]}),
    );
    let f = apply(&r, &adc(), &s, true).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.resource_not_ours", "{f}");
    assert!(f.error.to_string().contains(ROLE_MARK), "the error names the mark: {f}");
    assert!(f.error.fix().unwrap().contains("another id"), "{:?}", f.error.fix());
    {
        let st = d.state.lock().unwrap();
        assert!(st.service_accounts.is_empty() && st.writes.is_empty(), "nothing was made");
        assert_eq!(st.roles["ml3PlatformStorageRole"]["includedPermissions"], json!(["storage.objects.delete"]), "the role is untouched");
    }

    // Ours once (apply marked it), then taken over by someone else: revoke removes our grant and keeps the role.
    let d = world().await;
    let s = settings(&d);
    apply(&r, &adc(), &s, false).await.unwrap();
    {
        let st = d.state.lock().unwrap();
        let desc = st.roles["ml3PlatformStorageRole"]["description"].as_str().unwrap().to_string();
        assert!(desc.ends_with(ROLE_MARK) && desc.starts_with("Role that allows"), "the profile's words, then the mark: {desc}");
    }
    d.state.lock().unwrap().roles.get_mut("ml3PlatformStorageRole").unwrap()["description"] = json!("now the data team's");
    let rep = revoke(&r, &adc(), &s, false).await.unwrap();
    assert!(!kinds(&rep.changes).contains(&GcpChangeKind::DeleteRole), "{:?}", kinds(&rep.changes));
    assert!(rep.notes.iter().any(|n| n.contains("did not create it")), "{:?}", rep.notes);
    let st = d.state.lock().unwrap();
    assert!(st.roles["ml3PlatformStorageRole"].get("deleted").is_none(), "the role stays");
    assert!(st.members("project", ROLE).is_empty(), "our binding to it is gone");
}

fn keyless_plan() -> Resolved {
    plan(
        json!({"project_id": PROJECT, "service_account": "vendor-platform-sa", "storage": [{"bucket": "training"}],
               "workload_identity": {"vendor_aws_account_id": "210987654321", "vendor_role_name": "acme-workers"}}),
        "custom",
    )
}

const POOL: &str = "projects/my-project/locations/global/workloadIdentityPools/trustbridge-vendor";

#[tokio::test]
async fn a_workload_identity_pool_someone_else_made_is_never_trusted_or_deleted() {
    let d = world().await;
    d.state.lock().unwrap().pools.insert(POOL.into(), json!({"name": POOL, "description": "CI pool", "state": "ACTIVE"}));
    let f = apply(&keyless_plan(), &adc(), &settings(&d), false).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.resource_not_ours", "{f}");
    assert!(f.error.to_string().contains("CI pool"), "{f}");
    {
        let st = d.state.lock().unwrap();
        assert!(st.service_accounts.is_empty() && st.writes.is_empty());
        assert_eq!(st.pools.len(), 1, "no provider was added to it");
    }
}

#[tokio::test]
async fn our_pool_and_provider_are_brought_back_to_the_plan_when_they_drifted_or_were_deleted() {
    let d = world().await;
    let r = keyless_plan();
    let s = settings(&d);
    apply(&r, &adc(), &s, false).await.unwrap();
    let provider = format!("{POOL}/providers/aws-vendor");
    let want = d.state.lock().unwrap().pools[&provider].clone();
    {
        let mut st = d.state.lock().unwrap();
        let p = st.pools.get_mut(&provider).unwrap();
        p["aws"]["accountId"] = json!("999999999999");
        p["attributeCondition"] = json!("true");
        p["disabled"] = json!(true);
    }
    let dry = apply(&r, &adc(), &s, true).await.unwrap();
    assert_eq!(kinds(&dry.changes), vec![GcpChangeKind::UpdateProvider], "{:?}", dry.changes);
    let detail = dry.changes[0].detail.join("\n");
    assert!(detail.contains("999999999999") && detail.contains("210987654321"), "{detail}");
    assert!(detail.contains("condition") && detail.contains("disabled"), "{detail}");
    apply(&r, &adc(), &s, false).await.unwrap();
    {
        let st = d.state.lock().unwrap();
        let p = &st.pools[&provider];
        assert_eq!(p["aws"], want["aws"]);
        assert_eq!(p["attributeCondition"], want["attributeCondition"], "only the vendor's role again");
        assert_eq!(p["disabled"], false);
    }
    assert!(apply(&r, &adc(), &s, false).await.unwrap().changes.is_empty(), "idempotent");

    // Revoked (the pool is soft-deleted), then applied again: the pool is undeleted, not re-created.
    revoke(&r, &adc(), &s, false).await.unwrap();
    assert_eq!(d.state.lock().unwrap().pools[POOL]["state"], "DELETED");
    let rep = apply(&r, &adc(), &s, false).await.unwrap();
    assert!(kinds(&rep.changes).contains(&GcpChangeKind::UndeletePool), "{:?}", kinds(&rep.changes));
    assert_eq!(d.state.lock().unwrap().pools[POOL]["state"], "ACTIVE");
}

#[tokio::test]
async fn several_roles_on_one_resource_are_one_read_modify_write() {
    let d = world().await;
    let mut r = mlcube_plan(&["training"], &[]);
    // A profile granting two roles on each bucket (the engine's grouping, not the profile rules, is under test).
    r.gcp.as_mut().unwrap().profile.bucket_roles.push("roles/storage.legacyBucketReader".into());
    let s = settings(&d);
    let rep = apply(&r, &adc(), &s, false).await.unwrap();
    assert_eq!(rep.changes.iter().filter(|c| c.kind == GcpChangeKind::AddBinding).count(), 3);
    let st = d.state.lock().unwrap();
    assert_eq!(st.writes.iter().filter(|w| *w == "bucket/training").count(), 1, "one write for both roles: {:?}", st.writes);
    assert_eq!(st.members("bucket/training", "roles/storage.legacyBucketReader"), vec![MEMBER]);
    assert_eq!(st.members("bucket/training", "roles/storage.objectViewer"), vec!["user:alice@example.com", MEMBER]);
}

/// "Sign in with Google": the browser opens Google's page, Google redirects to the loopback
/// listener, the code and the PKCE verifier are exchanged; apply then acts as that person.
#[tokio::test]
async fn sign_in_with_google_in_the_browser_then_apply_as_that_account() {
    use trustbridge_cloud::gcp::signin::BrowserSignIn;
    let d = world().await;
    let mut s = settings(&d);
    s.auth_uri = format!("{}/auth", d.double.url);
    let browser = reqwest::Client::new();

    let signin = BrowserSignIn::start(&s, SIGN_IN_CLIENT, Sensitive::new(SIGN_IN_SECRET.into())).await.unwrap();
    let url = url::Url::parse(&signin.url).unwrap();
    let q: std::collections::BTreeMap<String, String> = url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["redirect_uri"].starts_with("http://127.0.0.1:"));
    assert!(!signin.url.contains(SIGN_IN_SECRET), "the client secret is not in the URL");
    let redirect = q["redirect_uri"].clone();
    let finishing = tokio::spawn({
        let s = s.clone();
        async move { signin.finish(&reqwest::Client::new(), &s).await }
    });
    // Something else knocking at the port (no state, or a wrong one) is turned away.
    assert_eq!(browser.get(format!("{redirect}/favicon.ico")).send().await.unwrap().status(), 404);
    assert_eq!(browser.get(format!("{redirect}/?code=4/forged&state=guess")).send().await.unwrap().status(), 404);
    // The browser: Google's page, then its 302 to the listener.
    let page = browser.get(url.as_str()).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("You can close this tab"), "{page}");
    let cred = finishing.await.unwrap().unwrap();
    assert_eq!(cred.describe(), format!("{SIGNED_IN_EMAIL} (signed in with Google in Trustbridge)"));
    assert!(!format!("{cred:?}").contains(SIGNED_IN_REFRESH), "Debug shows no refresh token");

    let rep = apply(&mlcube_plan(&["training"], &[]), &cred, &s, true).await.unwrap();
    assert!(rep.acting_as.starts_with(SIGNED_IN_EMAIL), "{}", rep.acting_as);
    assert!(!rep.changes.is_empty());
    // Pre-flight as that sign-in names no project to bill: Google bills the vendor's OAuth client.
    let pre = trustbridge_cloud::gcp::preflight::preflight(&mlcube_plan(&["training"], &[]), &cred, &s).await.unwrap();
    assert!(pre.findings.is_empty(), "{pre:#?}");
    {
        let billed = &d.state.lock().unwrap().billed_to;
        assert!(!billed.is_empty() && billed.iter().all(|b| b.contains(SIGN_IN_CLIENT)), "{billed:?}");
    }

    // Google Cloud access unticked on the consent page: said at sign-in, not as a 403 at apply.
    d.state.lock().unwrap().narrow_consent = true;
    let signin = BrowserSignIn::start(&s, SIGN_IN_CLIENT, Sensitive::new(SIGN_IN_SECRET.into())).await.unwrap();
    let url = signin.url.clone();
    let finishing = tokio::spawn({
        let s = s.clone();
        async move { signin.finish(&reqwest::Client::new(), &s).await }
    });
    browser.get(&url).send().await.unwrap();
    let e = finishing.await.unwrap().unwrap_err();
    assert!(e.to_string().contains("did not allow Google Cloud access"), "{e}");
    d.state.lock().unwrap().narrow_consent = false;

    // A connection that sends nothing does not hold up the browser's redirect.
    let signin = BrowserSignIn::start(&s, SIGN_IN_CLIENT, Sensitive::new(SIGN_IN_SECRET.into())).await.unwrap();
    let url = signin.url.clone();
    let redirect = url::Url::parse(&url).unwrap().query_pairs().find(|(k, _)| k == "redirect_uri").unwrap().1.into_owned();
    let finishing = tokio::spawn({
        let s = s.clone();
        async move { signin.finish(&reqwest::Client::new(), &s).await }
    });
    let _silent = tokio::net::TcpStream::connect(redirect.trim_start_matches("http://")).await.unwrap();
    let started = std::time::Instant::now();
    browser.get(&url).send().await.unwrap();
    assert!(finishing.await.unwrap().is_ok());
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "served at once: {:?}", started.elapsed());

    // Refused in the browser: a sign-in failure.
    d.state.lock().unwrap().refuse_sign_in = true;
    let signin = BrowserSignIn::start(&s, SIGN_IN_CLIENT, Sensitive::new(SIGN_IN_SECRET.into())).await.unwrap();
    let url = signin.url.clone();
    let finishing = tokio::spawn({
        let s = s.clone();
        async move { signin.finish(&reqwest::Client::new(), &s).await }
    });
    browser.get(&url).send().await.unwrap();
    let e = finishing.await.unwrap().unwrap_err();
    assert_eq!(e.code(), "gcp.sign_in_failed");
    assert!(e.to_string().contains("refused"), "{e}");
}

/// The whole no-CLI path on Google Cloud: apply, a key made by Google for the vendor's service
/// account, and the vendor's connectivity test with that key — the token grant (its RS256
/// signature checked by the double with openssl), the bucket and the topic — all pass; before the
/// apply's grants, or with another account's key, they would not.
#[tokio::test]
async fn after_apply_the_key_made_for_the_vendor_passes_the_connectivity_test() {
    use trustbridge_cloud::gcp::apply::create_key;
    use trustbridge_cloud::probe::ProbeStatus;
    let d = world().await;
    let r = mlcube_plan(&["training"], &["retrain"]);
    let s = settings(&d);
    apply(&r, &adc(), &s, false).await.unwrap();
    let made = create_key(&r, &adc(), &s).await.unwrap();
    let key = trustbridge_secrets::GcpServiceAccountKey::parse(&made.text).unwrap();
    let quiet = |_: trustbridge_cloud::probe::ProbeEvent| {};
    let rs = trustbridge_cloud::gcp::verify(&r, &key, &s, &quiet).await.unwrap();
    let shown: Vec<String> = rs.iter().map(|p| format!("{} {:?} {}", p.id, p.status, p.message)).collect();
    assert_eq!(rs.len(), 3, "{shown:#?}");
    assert!(rs.iter().all(|p| p.status == ProbeStatus::Pass), "{shown:#?}");

    // Revoked: the service account and its keys are deleted, so the key no longer signs in.
    revoke(&r, &adc(), &s, false).await.unwrap();
    let rs = trustbridge_cloud::gcp::verify(&r, &key, &s, &quiet).await.unwrap();
    assert_eq!(rs[0].status, ProbeStatus::Fail, "{:?}", rs[0]);
}

/// Pre-flight reads the project's effective organization policies (Organization Policy API v2,
/// against the double): key creation forbidden blocks a plan that signs the vendor in with a key;
/// an AWS-accounts allow-list without the vendor's blocks a keyless plan; domain restricted
/// sharing is a warning there; a policy that cannot be read is a finding, never a pass; a
/// constraint the organization does not have is skipped.
#[tokio::test]
async fn preflight_reads_the_organization_policies_that_would_stop_the_vendor() {
    use trustbridge_cloud::gcp::preflight::preflight;
    use trustbridge_core::guardrail::GuardSeverity;
    let d = world().await;
    let s = settings(&d);
    let codes = |p: &trustbridge_cloud::gcp::preflight::GcpPreflight| {
        p.findings.iter().map(|f| (f.code.as_str().to_string(), f.severity)).collect::<Vec<_>>()
    };

    // Nothing set: clean, and it says what it read.
    let r = mlcube_plan(&["training"], &[]);
    let rep = preflight(&r, &adc(), &s).await.unwrap();
    assert!(rep.findings.is_empty() && !rep.blocking(), "{rep:#?}");
    assert!(rep.checked.iter().any(|c| c.contains("iam.disableServiceAccountKeyCreation")), "{rep:#?}");

    // Key creation forbidden (the legacy constraint), the managed one unknown to this organization.
    {
        let mut st = d.state.lock().unwrap();
        st.org_policies.insert("iam.disableServiceAccountKeyCreation".into(), json!({"rules": [{"enforce": true}]}));
        st.unknown_constraints.push("iam.managed.disableServiceAccountKeyCreation".into());
    }
    let rep = preflight(&r, &adc(), &s).await.unwrap();
    assert_eq!(codes(&rep), [("preflight.gcp_key_creation_disabled".to_string(), GuardSeverity::Blocking)], "{rep:#?}");
    assert!(rep.blocking() && rep.findings[0].fix.contains("keyless"), "{rep:#?}");
    // Keyless needs no key: that policy does not matter to it, the AWS accounts one does.
    let k = keyless_plan();
    let rep = preflight(&k, &adc(), &s).await.unwrap();
    assert!(rep.findings.is_empty(), "{rep:#?}");
    d.state
        .lock()
        .unwrap()
        .org_policies
        .insert("iam.workloadIdentityPoolAwsAccounts".into(), json!({"rules": [{"values": {"allowedValues": ["111111111111"]}}]}));
    let rep = preflight(&k, &adc(), &s).await.unwrap();
    assert_eq!(codes(&rep), [("preflight.gcp_aws_account_not_allowed".to_string(), GuardSeverity::Blocking)], "{rep:#?}");
    assert!(rep.findings[0].message.contains("210987654321"), "{rep:#?}");
    d.state.lock().unwrap().org_policies.insert(
        "iam.workloadIdentityPoolAwsAccounts".into(),
        json!({"rules": [{"values": {"allowedValues": ["111111111111", "is:210987654321"]}}]}),
    );
    d.state
        .lock()
        .unwrap()
        .org_policies
        .insert("iam.allowedPolicyMemberDomains".into(), json!({"rules": [{"values": {"allowedValues": ["C03xyz123"]}}]}));
    let rep = preflight(&k, &adc(), &s).await.unwrap();
    assert_eq!(codes(&rep), [("preflight.gcp_member_domains_restricted".to_string(), GuardSeverity::Warning)], "{rep:#?}");
    assert!(!rep.blocking());

    // The managed successor, iam.managed.allowedPolicyMembers: a member it does not list is refused
    // (blocking, naming the member to add); beside an organization's principal set, "may"; listed,
    // nothing. The keyless plan binds its pool's principal set; the key plan its own service account.
    d.state.lock().unwrap().org_policies.remove("iam.allowedPolicyMemberDomains");
    let members = |params: serde_json::Value| json!({"rules": [{"enforce": true, "parameters": params}]});
    let set = |p: serde_json::Value| d.state.lock().unwrap().org_policies.insert("iam.managed.allowedPolicyMembers".into(), p);
    set(members(json!({"allowedMemberSubjects": ["user:ops@example.com"]})));
    let rep = preflight(&k, &adc(), &s).await.unwrap();
    assert_eq!(codes(&rep), [("preflight.gcp_policy_members_restricted".to_string(), GuardSeverity::Blocking)], "{rep:#?}");
    assert!(rep.findings[0].message.contains("principalSet://") && rep.findings[0].message.contains("allowedMemberSubjects"), "{rep:#?}");
    let pool = k.gcp.as_ref().unwrap().workload_identity.as_ref().unwrap().2.clone();
    set(members(
        json!({"allowedMemberSubjects": [format!("principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/{pool}/*")]}),
    ));
    assert!(preflight(&k, &adc(), &s).await.unwrap().findings.is_empty(), "its pool's principal set listed");
    let email = r.gcp.as_ref().unwrap().service_account_email();
    d.state.lock().unwrap().org_policies.remove("iam.disableServiceAccountKeyCreation");
    let rep = preflight(&r, &adc(), &s).await.unwrap();
    assert_eq!(
        codes(&rep),
        [("preflight.gcp_policy_members_restricted".to_string(), GuardSeverity::Blocking)],
        "the key plan's own service account is not listed: {rep:#?}"
    );
    assert!(rep.findings[0].message.contains(&format!("serviceAccount:{email}")), "{rep:#?}");
    set(members(json!({"allowedPrincipalSets": ["//cloudresourcemanager.googleapis.com/organizations/123"]})));
    let rep = preflight(&r, &adc(), &s).await.unwrap();
    assert_eq!(codes(&rep), [("preflight.gcp_policy_members_restricted".to_string(), GuardSeverity::Warning)], "{rep:#?}");
    set(members(json!({"allowedMemberSubjects": [format!("serviceAccount:{email}")]})));
    assert!(preflight(&r, &adc(), &s).await.unwrap().findings.is_empty());

    // The Organization Policy API bills the caller: a person's sign-in names the plan's project
    // (no quota project in the ADC file), else Google refuses every read.
    {
        let billed = &d.state.lock().unwrap().billed_to;
        assert!(!billed.is_empty() && billed.iter().all(|p| p == PROJECT), "{billed:?}");
    }

    // Not allowed to read the policies: said, not passed.
    d.state.lock().unwrap().denied.push("/v2/".into());
    let rep = preflight(&r, &adc(), &s).await.unwrap();
    assert_eq!(rep.findings.len(), 3, "both key-creation constraints and the policy members one: {rep:#?}");
    assert!(
        rep.findings.iter().all(|f| f.code.as_str() == "preflight.gcp_org_policy_unreadable" && f.severity == GuardSeverity::Warning),
        "{rep:#?}"
    );
    assert!(rep.findings[0].message.contains("403"), "{rep:#?}");
}

#[tokio::test]
async fn the_sign_in_lists_active_projects_buckets_and_topics_across_pages() {
    use trustbridge_cloud::gcp::list;
    let d = world().await;
    {
        let mut s = d.state.lock().unwrap();
        s.other_projects = vec![
            ("ml-staging".into(), "ACTIVE".into()),
            ("old-project".into(), "DELETE_REQUESTED".into()),
            ("another-one".into(), "ACTIVE".into()),
            ("Not A Project".into(), "ACTIVE".into()),
        ];
        s.add_bucket("archive", json!([]));
        s.add_topic("audit", json!([]));
        s.add_topic("drift", json!([]));
    }
    let s = settings(&d);
    let p = list::projects(&adc(), &s).await.unwrap();
    // Four active projects in two pages of two (the filter leaves the deleted one out); the one no plan could name is not offered.
    assert_eq!(p.names, vec!["another-one", "ml-staging", PROJECT]);
    assert!(!p.truncated);
    assert_eq!(p.acting_as, "admin@example.com (gcloud application-default login)");
    let b = list::buckets(&adc(), &s, PROJECT).await.unwrap();
    assert_eq!(b.names, vec!["archive", "features", "training"]);
    let t = list::topics(&adc(), &s, PROJECT).await.unwrap();
    assert_eq!(t.names, vec!["audit", "drift", "retrain"]);
    // Each listing followed every nextPageToken: 2 + 2 + 2 pages.
    assert_eq!(d.state.lock().unwrap().list_calls, 6);

    // Another project's buckets: Google's refusal, said as one of ours; a bad id never leaves.
    let e = list::buckets(&adc(), &s, "someone-elses").await.unwrap_err();
    assert_eq!(e.code(), "gcp.permission_denied", "{e}");
    let calls = d.state.lock().unwrap().list_calls;
    let e = list::topics(&adc(), &s, "../x").await.unwrap_err();
    assert!(e.to_string().contains("is not a project id"), "{e}");
    assert_eq!(d.state.lock().unwrap().list_calls, calls);
}

/// A bucket or topic dropped from the plan loses our service account's grant at the next apply,
/// after the plan's new grants. Our account's binding there in a role Trustbridge does not grant,
/// or with a condition, stays and is named; everyone else's bindings stay. The project's buckets
/// and topics come over several pages (the double answers two a page).
#[tokio::test]
async fn a_bucket_or_topic_the_plan_no_longer_names_loses_the_grant_at_the_next_apply() {
    let d = world().await;
    let s = settings(&d);
    {
        let mut st = d.state.lock().unwrap();
        st.add_bucket("archive", json!([]));
        st.add_bucket("fresh", json!([]));
        st.add_bucket("other", json!([{"role": "roles/storage.objectViewer", "members": ["user:carol@example.com"]}]));
        st.add_topic("old-events", json!([]));
    }
    apply(&mlcube_plan(&["training", "features", "archive"], &["retrain", "old-events"]), &adc(), &s, false).await.unwrap();
    {
        let mut st = d.state.lock().unwrap();
        let p = st.policies.get_mut("bucket/archive").unwrap();
        p["bindings"].as_array_mut().unwrap().push(json!({"role": "roles/storage.legacyBucketReader", "members": [MEMBER]}));
        let p = st.policies.get_mut("bucket/features").unwrap();
        p["bindings"].as_array_mut().unwrap().push(json!({"role": "roles/storage.objectViewer", "members": [MEMBER],
            "condition": {"title": "public only", "expression": "resource.name.startsWith('projects/_/buckets/features/objects/public/')"}}));
    }

    // "features", "archive" and "old-events" dropped, "fresh" added.
    let r = mlcube_plan(&["training", "fresh"], &["retrain"]);
    use GcpChangeKind::*;
    let dry = apply(&r, &adc(), &s, true).await.unwrap();
    assert_eq!(kinds(&dry.changes), vec![AddBinding, RemoveBinding, RemoveBinding, RemoveBinding], "{:?}", dry.changes);
    let removed: Vec<&str> = dry.changes[1..].iter().map(|c| c.target.as_str()).collect();
    assert_eq!(
        removed,
        vec![
            "//storage.googleapis.com/projects/_/buckets/archive",
            "//storage.googleapis.com/projects/_/buckets/features",
            "//pubsub.googleapis.com/projects/my-project/topics/old-events"
        ]
    );
    assert!(dry.changes[1].to_string().contains("no longer names"), "{}", dry.changes[1]);
    assert!(
        dry.notes
            .iter()
            .any(|n| n.contains("roles/storage.legacyBucketReader on //storage.googleapis.com/projects/_/buckets/archive kept")),
        "{:?}",
        dry.notes
    );
    assert!(dry.notes.iter().any(|n| n.contains("buckets/features kept") && n.contains("with a condition")), "{:?}", dry.notes);
    assert!(!dry.notes.iter().any(|n| n.contains("buckets/other")), "{:?}", dry.notes);
    assert_eq!(d.state.lock().unwrap().members("bucket/archive", "roles/storage.objectViewer"), vec![MEMBER], "a dry run removes nothing");

    let done = apply(&r, &adc(), &s, false).await.unwrap();
    assert_eq!(kinds(&done.changes), vec![AddBinding, RemoveBinding, RemoveBinding, RemoveBinding], "the plan's grant first");
    {
        let st = d.state.lock().unwrap();
        assert!(st.members("bucket/archive", "roles/storage.objectViewer").is_empty());
        assert_eq!(st.members("bucket/archive", "roles/storage.legacyBucketReader"), vec![MEMBER], "another role stays");
        let features = st.policy("bucket/features");
        let viewer: Vec<&serde_json::Value> =
            features["bindings"].as_array().unwrap().iter().filter(|b| b["role"] == "roles/storage.objectViewer").collect();
        assert_eq!(viewer.len(), 1, "{features}");
        assert!(viewer[0]["condition"].is_object(), "only the conditioned binding is left: {features}");
        assert!(st.members("topic/old-events", "roles/pubsub.publisher").is_empty());
        assert_eq!(st.members("bucket/fresh", "roles/storage.objectViewer"), vec![MEMBER]);
        assert_eq!(st.members("bucket/training", "roles/storage.objectViewer"), vec!["user:alice@example.com", MEMBER]);
        assert_eq!(st.members("bucket/other", "roles/storage.objectViewer"), vec!["user:carol@example.com"]);
        assert_eq!(st.members("topic/retrain", "roles/pubsub.publisher"), vec![MEMBER]);
    }
    let again = apply(&r, &adc(), &s, false).await.unwrap();
    assert!(again.changes.is_empty(), "{:?}", again.changes);
}

/// The clean-up does not hold the plan's grants back: a project whose buckets cannot be listed is
/// said in the notes, and the plan's own grants are made.
#[tokio::test]
async fn a_bucket_list_refused_is_said_and_the_plans_grants_are_made() {
    let d = world().await;
    let s = settings(&d);
    apply(&mlcube_plan(&["training"], &[]), &adc(), &s, false).await.unwrap();
    d.state.lock().unwrap().denied.push("/storage/v1/b$".into()); // the list alone, not each bucket
    let rep = apply(&mlcube_plan(&["training", "features"], &[]), &adc(), &s, false).await.unwrap();
    assert_eq!(kinds(&rep.changes), vec![GcpChangeKind::AddBinding]);
    assert!(rep.notes.iter().any(|n| n.contains("buckets the plan no longer names were not looked at")), "{:?}", rep.notes);
}

/// A bucket of another project the plan dropped: Cloud Storage lists buckets by project, so it is
/// found through Cloud Asset Inventory, searched over the project's organization (billed to the
/// plan's project: the sign-in names no quota project), over several pages, and loses the grant
/// at the next apply; revoke finds and removes it too. What the search names is read live first:
/// a bucket whose grant is already gone (the index lags) changes nothing.
#[tokio::test]
async fn a_bucket_of_another_project_the_plan_dropped_is_found_through_the_organization() {
    let d = world().await;
    let s = settings(&d);
    {
        let mut st = d.state.lock().unwrap();
        st.ancestry = vec![("folder".into(), "456".into()), ("organization".into(), "123".into())];
        st.add_bucket_in("data-lake", "shared-data", json!([{"role": "roles/storage.objectViewer", "members": ["user:erin@example.com"]}]));
        st.add_bucket_in("data-lake", "raw-data", json!([]));
        st.add_bucket_in("data-lake", "cold-data", json!([]));
    }
    apply(&mlcube_plan(&["training", "shared-data", "raw-data", "cold-data"], &[]), &adc(), &s, false).await.unwrap();
    {
        // Someone removed the grant on cold-data by hand; the search's index still names it.
        let mut st = d.state.lock().unwrap();
        assert_eq!(st.members("bucket/cold-data", "roles/storage.objectViewer"), vec![MEMBER]);
        st.policies.get_mut("bucket/cold-data").unwrap()["bindings"] = json!([]);
        st.stale_search.push("cold-data".into());
    }
    d.double.requests.lock().unwrap().clear();
    let r = mlcube_plan(&["training"], &[]);
    let dry = apply(&r, &adc(), &s, true).await.unwrap();
    let removed: Vec<&str> = dry.changes.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(
        removed,
        vec!["//storage.googleapis.com/projects/_/buckets/raw-data", "//storage.googleapis.com/projects/_/buckets/shared-data"],
        "{:?}",
        dry.changes
    );
    assert!(dry.notes.is_empty(), "the organization was searched: {:?}", dry.notes);
    {
        let requests = d.double.requests.lock().unwrap();
        let searched: Vec<&str> = requests.iter().filter(|r| r.path.contains(":searchAllIamPolicies")).map(|r| r.path.as_str()).collect();
        assert!(searched.len() >= 2, "the answer's pages were followed: {searched:?}");
        assert!(searched.iter().all(|p| p.starts_with("/v1/organizations/123:searchAllIamPolicies?")), "{searched:?}");
        assert!(searched.iter().all(|p| p.contains("storage.googleapis.com%2FBucket")), "{searched:?}");
        assert!(
            requests.iter().any(|r| r.method == "GET" && r.path.starts_with("/storage/v1/b/cold-data/iam")),
            "read live before deciding"
        );
    }
    assert!(d.state.lock().unwrap().billed_to.iter().all(|p| p == PROJECT), "{:?}", d.state.lock().unwrap().billed_to);
    apply(&r, &adc(), &s, false).await.unwrap();
    assert_eq!(d.state.lock().unwrap().members("bucket/shared-data", "roles/storage.objectViewer"), vec!["user:erin@example.com"]);
    assert!(d.state.lock().unwrap().members("bucket/raw-data", "roles/storage.objectViewer").is_empty());

    // Revoke finds a grant there too before the account goes (an undeleted account keeps its bindings).
    apply(&mlcube_plan(&["training", "shared-data"], &[]), &adc(), &s, false).await.unwrap();
    let gone = revoke(&r, &adc(), &s, false).await.unwrap();
    assert!(gone.changes.iter().any(|c| c.target.ends_with("/buckets/shared-data")), "{:?}", gone.changes);
    assert_eq!(d.state.lock().unwrap().members("bucket/shared-data", "roles/storage.objectViewer"), vec!["user:erin@example.com"]);
}

/// A bucket of another project the person may read but not change: the removal of the vendor's
/// grant there is refused, said, and the run goes on — apply reports success with the note, and
/// revoke still deletes the service account (the grant left grants nothing then).
#[tokio::test]
async fn a_clean_up_refused_on_another_projects_bucket_is_said_and_revoke_still_deletes_the_account() {
    let d = world().await;
    let s = settings(&d);
    {
        let mut st = d.state.lock().unwrap();
        st.ancestry = vec![("organization".into(), "123".into())];
        st.add_bucket_in("data-lake", "locked-data", json!([]));
        st.add_bucket("archive", json!([]));
    }
    apply(&mlcube_plan(&["training", "locked-data", "archive"], &[]), &adc(), &s, false).await.unwrap();
    d.state.lock().unwrap().denied.push("PUT /storage/v1/b/locked-data/iam".into());
    let r = mlcube_plan(&["training"], &[]);
    let rep = apply(&r, &adc(), &s, false).await.unwrap();
    let done: Vec<&str> = rep.changes.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(done, vec!["//storage.googleapis.com/projects/_/buckets/archive"], "what was done, only: {:?}", rep.changes);
    assert!(
        rep.notes.iter().any(|n| n.contains(&format!("{MEMBER} in role roles/storage.objectViewer on //storage.googleapis.com/projects/_/buckets/locked-data kept: its removal was refused"))),
        "{:?}",
        rep.notes
    );
    assert!(d.state.lock().unwrap().members("bucket/archive", "roles/storage.objectViewer").is_empty());

    let gone = revoke(&r, &adc(), &s, false).await.unwrap();
    assert!(gone.changes.iter().any(|c| c.kind == GcpChangeKind::DeleteServiceAccount), "{:?}", gone.changes);
    assert!(!gone.changes.iter().any(|c| c.target.ends_with("/locked-data")), "{:?}", gone.changes);
    assert!(gone.notes.iter().any(|n| n.contains("locked-data kept: its removal was refused")), "{:?}", gone.notes);
    assert!(!d.state.lock().unwrap().service_accounts.contains_key(SA), "the account is deleted all the same");
}

/// The organization cannot be searched (no Cloud Asset permission there): the widest folder below
/// it that can be is searched, and said; none can: the run goes on, the grant elsewhere is kept,
/// and the note says what was not looked at and what would let it be. The sign-in's quota project
/// is the one billed (and named).
#[tokio::test]
async fn an_organization_that_cannot_be_searched_is_said_and_a_folder_is_searched_instead() {
    let d = world().await;
    let s = settings(&d);
    let file = json!({"type": "authorized_user", "client_id": "764086051850-x.apps.googleusercontent.com", "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN, "quota_project_id": "billing-123"});
    let adc = AdminCredential::parse(&Sensitive::new(file.to_string()), "test ADC").unwrap();
    {
        let mut st = d.state.lock().unwrap();
        st.ancestry = vec![("folder".into(), "456".into()), ("organization".into(), "123".into())];
        st.add_bucket_in("data-lake", "shared-data", json!([]));
        st.denied.push("GET /v1/organizations/".into());
    }
    apply(&mlcube_plan(&["training", "shared-data"], &[]), &adc, &s, false).await.unwrap();
    let dry = apply(&mlcube_plan(&["training"], &[]), &adc, &s, true).await.unwrap();
    assert_eq!(dry.changes.len(), 1, "found in the folder: {:?}", dry.changes);
    assert!(
        dry.notes.iter().any(|n| n.contains("looked at in folders/456 only") && n.contains("organizations/123 could not be searched")),
        "{:?}",
        dry.notes
    );

    d.state.lock().unwrap().denied.push("GET /v1/folders/".into());
    let rep = apply(&mlcube_plan(&["training"], &[]), &adc, &s, false).await.unwrap();
    assert!(rep.changes.is_empty(), "{:?}", rep.changes);
    assert!(
        rep.notes.iter().any(|n| n.contains("buckets of other projects were not looked at")
            && n.contains("organizations/123 could not be searched")
            && n.contains("in project billing-123")
            && n.contains("roles/cloudasset.viewer")),
        "{:?}",
        rep.notes
    );
    assert_eq!(d.state.lock().unwrap().members("bucket/shared-data", "roles/storage.objectViewer"), vec![MEMBER], "kept, and said");
    assert!(d.state.lock().unwrap().billed_to.iter().all(|p| p == "billing-123"), "{:?}", d.state.lock().unwrap().billed_to);
}

/// A run that stops part way still says what it found: the notes go with the failure.
#[tokio::test]
async fn a_run_that_stops_part_way_keeps_its_notes() {
    let d = world().await;
    let s = settings(&d);
    apply(&mlcube_plan(&["training"], &[]), &adc(), &s, false).await.unwrap();
    {
        let mut st = d.state.lock().unwrap();
        st.denied.push("/storage/v1/b$".into());
        st.conflicts = 50;
    }
    let f = apply(&mlcube_plan(&["training", "features"], &[]), &adc(), &s, false).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.policy_conflict", "{f}");
    assert!(f.notes.iter().any(|n| n.contains("buckets the plan no longer names were not looked at")), "{:?}", f.notes);
}

/// A bucket or topic the plan names, where the vendor's account holds more than the plan grants
/// there (a role an earlier vendor profile granted, someone's own grant, a binding with a
/// condition): kept and said at apply and at revoke, never taken for the plan's own grant; another
/// member's bindings are not named.
#[tokio::test]
async fn more_than_the_plan_grants_on_a_bucket_or_topic_it_names_is_kept_and_said() {
    let d = world().await;
    let s = settings(&d);
    let r = mlcube_plan(&["training"], &["retrain"]);
    apply(&r, &adc(), &s, false).await.unwrap();
    {
        let mut st = d.state.lock().unwrap();
        let p = st.policies.get_mut("bucket/training").unwrap();
        let b = p["bindings"].as_array_mut().unwrap();
        b.push(json!({"role": "roles/storage.legacyBucketReader", "members": [MEMBER]}));
        b.push(json!({"role": "roles/storage.objectAdmin", "members": ["user:alice@example.com"]}));
        let p = st.policies.get_mut("topic/retrain").unwrap();
        p["bindings"].as_array_mut().unwrap().push(json!({"role": "roles/pubsub.publisher", "members": [MEMBER],
            "condition": {"title": "weekdays", "expression": "request.time.getDayOfWeek() < 5"}}));
    }
    let rep = apply(&r, &adc(), &s, false).await.unwrap();
    assert!(rep.changes.is_empty(), "nothing to change: {:?}", rep.changes);
    let bucket = format!(
        "{MEMBER} in role roles/storage.legacyBucketReader on //storage.googleapis.com/projects/_/buckets/training kept: the plan grants roles/storage.objectViewer there and nothing else"
    );
    let topic = format!(
        "{MEMBER} in role roles/pubsub.publisher with a condition on //pubsub.googleapis.com/projects/{PROJECT}/topics/retrain kept"
    );
    assert!(rep.notes.iter().any(|n| n.starts_with(&bucket)), "{:?}", rep.notes);
    assert!(rep.notes.iter().any(|n| n.starts_with(&topic) && n.contains("without a condition")), "{:?}", rep.notes);
    assert!(
        !rep.notes.iter().any(|n| n.contains("objectAdmin") || n.contains("objectViewer on")),
        "another member's binding is not named: {:?}",
        rep.notes
    );
    assert_eq!(d.state.lock().unwrap().members("bucket/training", "roles/storage.legacyBucketReader"), vec![MEMBER]);

    let dry = revoke(&r, &adc(), &s, true).await.unwrap();
    let left = |n: &String, what: &str| n.starts_with(what) && n.contains("not removed") && n.contains("undeleted");
    let bucket = bucket.split(" kept").next().unwrap();
    let topic = topic.split(" kept").next().unwrap();
    assert!(dry.notes.iter().any(|n| left(n, bucket)), "{:?}", dry.notes);
    assert!(dry.notes.iter().any(|n| left(n, topic)), "{:?}", dry.notes);
    assert!(!dry.notes.iter().any(|n| n.contains(" kept: the plan grants")), "{:?}", dry.notes);
}

/// Twenty empty buckets, old-00 to old-19, in the double's project.
fn twenty_buckets(d: &GcpIam) -> Vec<String> {
    let many: Vec<String> = (0..20).map(|i| format!("old-{i:02}")).collect();
    let mut st = d.state.lock().unwrap();
    for b in &many {
        st.add_bucket(b, json!([]));
    }
    many
}

/// A project with many buckets: their policies are read and written at most eight at a time
/// (Google's IAM quotas are per minute, and a project may hold hundreds), at the plan's grants and
/// at the removal of those the plan no longer names — and still several at once.
#[tokio::test]
async fn many_policies_are_read_and_written_eight_at_a_time() {
    use std::sync::atomic::Ordering;
    let d = world().await;
    let s = settings(&d);
    let many = twenty_buckets(&d);
    d.double.load.hold_ms.store(20, Ordering::SeqCst);
    let names: Vec<&str> = many.iter().map(String::as_str).collect();
    let made = apply(&mlcube_plan(&names, &[]), &adc(), &s, false).await.unwrap();
    assert_eq!(made.changes.iter().filter(|c| c.kind == GcpChangeKind::AddBinding && c.target.contains("/buckets/old-")).count(), 20);
    let most = d.double.load.most();
    assert!((2..=8).contains(&most), "granting: {most} requests at once");
    let writes = d.double.load.most_of("PUT"); // Cloud Storage's setIamPolicy
    assert!((2..=8).contains(&writes), "granting: {writes} policy writes at once");

    d.double.load.reset();
    let rep = apply(&mlcube_plan(&["training"], &[]), &adc(), &s, false).await.unwrap();
    assert_eq!(rep.changes.iter().filter(|c| c.kind == GcpChangeKind::RemoveBinding).count(), 20, "{:?}", rep.changes);
    let most = d.double.load.most();
    assert!((2..=8).contains(&most), "removing: {most} requests at once");
    let writes = d.double.load.most_of("PUT");
    assert!((2..=8).contains(&writes), "removing: {writes} policy writes at once");
    let st = d.state.lock().unwrap();
    assert!(many.iter().all(|b| st.members(&format!("bucket/{b}"), "roles/storage.objectViewer").is_empty()));
}

/// A write of the plan's own that fails stops the run as soon as it can: the writes under way
/// finish, no other is started, and each change is told as done or not done (revoke of twenty-one
/// buckets and the project's custom role binding where every write conflicts: the account is not
/// deleted).
#[tokio::test]
async fn a_failed_write_starts_no_other() {
    let d = world().await;
    let s = settings(&d);
    let many = twenty_buckets(&d);
    let names: Vec<&str> = many.iter().map(String::as_str).chain(["training"]).collect();
    apply(&mlcube_plan(&names, &[]), &adc(), &s, false).await.unwrap();
    d.state.lock().unwrap().conflicts = 10_000; // every policy write is refused as changed underneath
    d.double.requests.lock().unwrap().clear();
    let f = revoke(&mlcube_plan(&names, &[]), &adc(), &s, false).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.policy_conflict", "{f}");
    let removals = |cs: &[trustbridge_cloud::gcp::apply::GcpChange]| cs.iter().filter(|c| c.kind == GcpChangeKind::RemoveBinding).count();
    assert_eq!(removals(&f.not_done), 22, "none was made (the buckets and the project's custom role): {:?}", f.not_done);
    assert_eq!(removals(&f.done), 0);
    assert!(f.not_done.iter().any(|c| c.kind == GcpChangeKind::DeleteServiceAccount), "{:?}", f.not_done);
    let writes = d.double.requests.lock().unwrap().iter().filter(|r| r.method == "PUT" || r.path.contains(":setIamPolicy")).count();
    assert_eq!(writes, 8 * 5, "the first eight resources tried five times each, the others never");
}

/// While a new service account is not known to IAM yet, a change that fails for another reason
/// stops the run: the changes waiting give up at their next wait instead of waiting out the minute,
/// and the error told is the one that stopped the run, not a wait that gave up because of it.
#[tokio::test]
async fn a_failure_while_others_wait_for_a_new_account_stops_them_and_is_the_error_told() {
    let d = world().await;
    let s = settings(&d);
    {
        let mut st = d.state.lock().unwrap();
        st.unpropagated = 1_000; // IAM never learns of the new account in this test
        st.denied.push("PUT /storage/v1/b/features/iam".into());
    }
    let f = apply(&mlcube_plan(&["training", "features"], &["retrain"]), &adc(), &s, false).await.unwrap_err();
    assert_eq!(f.error.code(), "gcp.permission_denied", "{f}");
    assert!(f.to_string().contains("features"), "{f}");
    let writes = d.double.requests.lock().unwrap().iter().filter(|r| r.method == "PUT" || r.path.contains("setIamPolicy")).count();
    assert!(writes <= 4, "{writes} policy writes: the waiting changes were not tried again after their wait");
    assert_eq!(f.not_done.iter().filter(|c| c.kind == GcpChangeKind::AddBinding).count(), 4, "{:?}", f.not_done);
}

/// A change asleep in its wait for a new account is woken when another fails: the run ends when
/// the refusal comes, not when the sleeps end. The refusal is held 2 s, so the waiting changes are
/// in their third wait (0.5, 1 then 2 s: until 3.5 s) when it comes.
#[tokio::test]
async fn a_failure_wakes_the_changes_asleep_in_their_wait() {
    let d = world().await;
    let s = settings(&d);
    let denied = "PUT /storage/v1/b/features/iam";
    {
        let mut st = d.state.lock().unwrap();
        st.unpropagated = 1_000; // IAM never learns of the new account in this test
        st.denied.push(denied.into());
    }
    d.double.load.hold_on(denied, 2_000);
    let started = std::time::Instant::now();
    let f = apply(&mlcube_plan(&["training", "features"], &["retrain"]), &adc(), &s, false).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(f.error.code(), "gcp.permission_denied", "{f}");
    assert!(took >= std::time::Duration::from_secs(2), "the refusal was held 2 s: {took:?}");
    assert!(took < std::time::Duration::from_millis(3_200), "the run outlived the refusal by the sleeps: {took:?}");
}
