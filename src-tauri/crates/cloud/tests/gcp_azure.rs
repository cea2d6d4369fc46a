//! GCP and Azure connectivity tests against real emulators and marked TEST DOUBLES (see doubles/):
//! gcp-storage-emulator + a Google token double that verifies the RS256 signature + a Pub/Sub double;
//! Azurite over https with `--oauth basic` + an Entra token double + an Event Grid double.
//! Every failure mode yields its code and the exact gcloud / az command that fixes it.

mod doubles;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use doubles::*;
use trustbridge_cloud::azure::{self, AzureSettings};
use trustbridge_cloud::gcp::{self, GcpSettings, ProbeEvent, ProbeResult, ProbeStatus};
use trustbridge_core::validate::Resolved;
use trustbridge_core::{validate, Plan};
use trustbridge_secrets::{AzureClientSecret, GcpServiceAccountKey, Sensitive};

const PROJECT: &str = "my-project";
const SA: &str = "ml3-platform-sa@my-project.iam.gserviceaccount.com";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const APP: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const ACCOUNT: &str = "devstoreaccount1";

fn plan(gcp: serde_json::Value, azure: serde_json::Value) -> Resolved {
    let mut p =
        serde_json::json!({"version": 1, "platform": "mlcube", "integration": {"name": "TB_01", "project_id": "x", "default": true}});
    if !gcp.is_null() {
        p["gcp"] = gcp;
    }
    if !azure.is_null() {
        p["azure"] = azure;
    }
    validate(&Plan::from_json(&p.to_string()).unwrap(), None).unwrap_or_else(|e| panic!("plan invalid: {e:?}"))
}

fn gcp_plan(buckets: &[&str], topics: &[&str]) -> Resolved {
    let storage: Vec<_> = buckets.iter().map(|b| serde_json::json!({"bucket": b})).collect();
    let events: Vec<_> = topics.iter().map(|t| serde_json::json!({"topic": t})).collect();
    plan(
        serde_json::json!({"project_id": PROJECT, "service_account": "ml3-platform-sa", "storage": storage, "events": events}),
        serde_json::Value::Null,
    )
}

fn azure_plan(containers: &[&str], topics: &[&str]) -> Resolved {
    let storage: Vec<_> = containers.iter().map(|c| serde_json::json!({"storage_account": ACCOUNT, "container": c})).collect();
    let events: Vec<_> = topics.iter().map(|t| serde_json::json!({"topic": t})).collect();
    plan(
        serde_json::Value::Null,
        serde_json::json!({"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "service_principal_name": "ML3PlatformSP", "storage": storage, "events": events}),
    )
}

fn gcp_key(pem: &str, token_uri: &str) -> GcpServiceAccountKey {
    let json = serde_json::json!({"type": "service_account", "project_id": PROJECT, "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem, "client_email": SA, "client_id": "1", "token_uri": token_uri});
    GcpServiceAccountKey::parse(&Sensitive::new(json.to_string())).unwrap()
}

fn quiet(_: ProbeEvent) {}

fn by_id<'a>(rs: &'a [ProbeResult], id: &str) -> &'a ProbeResult {
    rs.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no probe {id} in {rs:#?}"))
}

fn assert_fail(r: &ProbeResult, code: &str, fix_contains: &str) {
    assert_eq!(r.status, ProbeStatus::Fail, "{r:#?}");
    assert_eq!(r.code.as_deref(), Some(code), "{r:#?}");
    assert!(r.fix.as_deref().unwrap_or_default().contains(fix_contains), "fix of {} lacks `{fix_contains}`: {r:#?}", r.id);
}

fn assert_pass(rs: &[ProbeResult]) {
    for r in rs {
        assert_eq!(r.status, ProbeStatus::Pass, "{r:#?}");
        assert!(r.fix.is_none() && r.code.is_none());
    }
}

struct GcpRig {
    _gcs: Proc,
    token: GoogleToken,
    _pubsub: Double,
    settings: GcpSettings,
    key: GcpServiceAccountKey,
    pem: String,
}

/// The real gcp-storage-emulator with buckets `bkt-one`, `bkt-two`; the token DOUBLE holding the public half of
/// a fresh key; the Pub/Sub DOUBLE with `topic-ok` (publish granted) and `topic-denied` (nothing granted).
async fn gcp_rig() -> GcpRig {
    let gcs = gcs_emulator();
    gcs_bucket(gcs.port, PROJECT, "bkt-one").await;
    gcs_bucket(gcs.port, PROJECT, "bkt-two").await;
    let (pem, public) = fresh_rsa();
    let token = google_token_double(public, SA.into()).await;
    let key = gcp_key(&pem, &format!("{}/token", token.double.url));
    let topics =
        BTreeMap::from([("topic-ok".to_string(), vec!["pubsub.topics.publish".to_string()]), ("topic-denied".to_string(), vec![])]);
    let pubsub = pubsub_double(PROJECT, topics, token.token.clone()).await;
    let settings = GcpSettings {
        timeout: Duration::from_secs(5),
        token_uri: None,
        storage_endpoint: format!("http://127.0.0.1:{}", gcs.port),
        pubsub_endpoint: pubsub.url.clone(),
        ..GcpSettings::default()
    };
    GcpRig { _gcs: gcs, token, _pubsub: pubsub, settings, key, pem }
}

#[tokio::test]
async fn gcp_green_against_the_storage_emulator_and_doubles() {
    let rig = gcp_rig().await;
    let r = gcp_plan(&["bkt-one", "bkt-two"], &["topic-ok"]);
    let events = std::sync::Mutex::new(Vec::new());
    let progress = |e: ProbeEvent| events.lock().unwrap().push(e);
    let rs = gcp::verify(&r, &rig.key, &rig.settings, &progress).await.unwrap();
    assert_eq!(
        rs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["gcp:credentials", "gcp:bucket:bkt-one", "gcp:bucket:bkt-two", "gcp:topic:topic-ok"]
    );
    assert_pass(&rs);
    assert_eq!(*rig.token.verified.lock().unwrap(), 1, "the token double verified one RS256 assertion");
    assert!(by_id(&rs, "gcp:bucket:bkt-one").message.contains("storage.objects.get, storage.objects.list"));
    assert_eq!(events.lock().unwrap().iter().filter(|e| matches!(e, ProbeEvent::Finished(_))).count(), 4);
    // The JSON crossing IPC has the AWS shape.
    let v = serde_json::to_value(&rs[0]).unwrap();
    assert_eq!(v.as_object().unwrap().keys().cloned().collect::<Vec<_>>(), ["id", "status", "duration_ms", "message", "fix"]);
    // Nothing secret in the report.
    let all = serde_json::to_string(&rs).unwrap();
    assert!(!all.contains(&rig.token.token) && !all.contains(rig.pem.lines().nth(3).unwrap()));
}

/// Against the Pub/Sub emulator (PUBSUB_EMULATOR_HOST), which answers IAM methods with 501: the
/// topic probe says it could not check the grant (skipped), instead of failing obscurely; the
/// run as a whole still proves the buckets.
#[tokio::test]
async fn a_pubsub_emulator_s_501_is_a_skip_that_says_why() {
    let rig = gcp_rig().await;
    let emulator = pubsub_emulator_double().await;
    let settings = GcpSettings { pubsub_endpoint: emulator.url.clone(), ..rig.settings.clone() };
    let r = gcp_plan(&["bkt-one"], &["topic-ok"]);
    let rs = gcp::verify(&r, &rig.key, &settings, &quiet).await.unwrap();
    let t = by_id(&rs, "gcp:topic:topic-ok");
    assert_eq!(t.status, ProbeStatus::Skip, "{t:#?}");
    assert!(t.message.contains("does not implement testIamPermissions (HTTP 501") && t.message.contains(&emulator.url), "{}", t.message);
    assert_eq!(by_id(&rs, "gcp:bucket:bkt-one").status, ProbeStatus::Pass);
}

#[tokio::test]
async fn gcp_missing_bucket_topic_and_permission_each_name_the_gcloud_fix() {
    let rig = gcp_rig().await;
    let r = gcp_plan(&["bkt-one", "no-such-bucket"], &["topic-denied", "no-such-topic"]);
    let rs = gcp::verify(&r, &rig.key, &rig.settings, &quiet).await.unwrap();
    assert_eq!(by_id(&rs, "gcp:credentials").status, ProbeStatus::Pass);
    assert_eq!(by_id(&rs, "gcp:bucket:bkt-one").status, ProbeStatus::Pass);
    assert_fail(
        by_id(&rs, "gcp:bucket:no-such-bucket"),
        "gcp.bucket_not_found",
        "gcloud storage buckets create gs://no-such-bucket --project=my-project",
    );
    assert_fail(
        by_id(&rs, "gcp:topic:topic-denied"),
        "gcp.permission_missing",
        "gcloud pubsub topics add-iam-policy-binding topic-denied --project=my-project --member=serviceAccount:ml3-platform-sa@my-project.iam.gserviceaccount.com --role=roles/pubsub.publisher",
    );
    assert!(by_id(&rs, "gcp:topic:topic-denied").message.contains("pubsub.topics.publish"));
    assert_fail(
        by_id(&rs, "gcp:topic:no-such-topic"),
        "gcp.topic_not_found",
        "gcloud pubsub topics create no-such-topic --project=my-project",
    );
}

#[tokio::test]
async fn gcp_a_deleted_key_is_rejected_and_the_rest_is_skipped() {
    let rig = gcp_rig().await;
    // Same service account, another (e.g. deleted) key: the double's signature check fails.
    let (other_pem, _) = fresh_rsa();
    let key = gcp_key(&other_pem, &format!("{}/token", rig.token.double.url));
    let r = gcp_plan(&["bkt-one"], &["topic-ok"]);
    let rs = gcp::verify(&r, &key, &rig.settings, &quiet).await.unwrap();
    assert_fail(
        by_id(&rs, "gcp:credentials"),
        "gcp.key_rejected",
        "gcloud iam service-accounts keys create key.json --iam-account=ml3-platform-sa@my-project.iam.gserviceaccount.com",
    );
    assert!(by_id(&rs, "gcp:credentials").message.contains("Invalid JWT Signature"));
    assert_eq!(by_id(&rs, "gcp:bucket:bkt-one").status, ProbeStatus::Skip);
    assert_eq!(by_id(&rs, "gcp:topic:topic-ok").status, ProbeStatus::Skip);
    assert_eq!(*rig.token.verified.lock().unwrap(), 0);
}

#[tokio::test]
async fn gcp_a_key_for_another_project_fails_before_any_call() {
    let rig = gcp_rig().await;
    let r = plan(serde_json::json!({"project_id": "other-project", "storage": [{"bucket": "bkt-one"}]}), serde_json::Value::Null);
    let rs = gcp::verify(&r, &rig.key, &rig.settings, &quiet).await.unwrap();
    assert_fail(by_id(&rs, "gcp:credentials"), "secrets.gcp.project_mismatch", "other-project");
    assert!(rig.token.double.requests.lock().unwrap().is_empty());
}

#[tokio::test]
async fn gcp_a_black_holed_token_endpoint_is_bounded_by_the_probe_timeout() {
    let (pem, _) = fresh_rsa();
    let (url, hole) = black_hole().await;
    let key = gcp_key(&pem, &format!("{url}/token"));
    let settings = GcpSettings { timeout: Duration::from_millis(800), ..GcpSettings::default() };
    let start = Instant::now();
    let rs = gcp::verify(&gcp_plan(&["bkt-one"], &[]), &key, &settings, &quiet).await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    let c = by_id(&rs, "gcp:credentials");
    assert_eq!(c.status, ProbeStatus::Fail);
    assert!(matches!(c.code.as_deref(), Some("gcp.timeout") | Some("gcp.network")), "{c:#?}");
    hole.abort();
}

// --- Azure -------------------------------------------------------------------------------------

const AZ_SECRET: &str = "CANARY~az.0123456789abcdefghijklmnopqrstuvw";

fn az_secret(password: &str) -> AzureClientSecret {
    let j = serde_json::json!({"appId": APP, "displayName": "ML3PlatformSP", "password": password, "tenant": TENANT});
    AzureClientSecret::parse(&Sensitive::new(j.to_string())).unwrap()
}

struct AzureRig {
    _azurite: Proc,
    _dir: tempfile::TempDir,
    entra: Double,
    _eg_ok: Double,
    _eg_denied: Double,
    settings: AzureSettings,
}

/// The real Azurite (https, --oauth basic, a self-signed cert made now) with container `cont-one`; the Entra
/// DOUBLE; Event Grid DOUBLES `eg-ok` (sender) and `eg-denied` (no role).
async fn azure_rig() -> AzureRig {
    let dir = tempfile::Builder::new().prefix("tb-az-cert-").tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let azurite = azurite(&cert, &key);
    let entra = entra_double(TENANT.into(), APP.into(), AZ_SECRET.into()).await;
    let eg_ok = eventgrid_double(true).await;
    let eg_denied = eventgrid_double(false).await;
    let settings = AzureSettings {
        timeout: Duration::from_secs(5),
        authority: entra.url.clone(),
        blob_endpoint: format!("https://127.0.0.1:{}/{{account}}", azurite.port),
        management_endpoint: "http://127.0.0.1:9".into(),
        event_grid_endpoints: BTreeMap::from([
            ("eg-ok".to_string(), format!("{}/api/events", eg_ok.url)),
            ("eg-denied".to_string(), format!("{}/api/events", eg_denied.url)),
        ]),
        extra_roots_pem: vec![std::fs::read(&cert).unwrap()],
        ..AzureSettings::default()
    };
    azurite_container(&azurite, &settings.extra_roots_pem[0], &entra.url, TENANT, APP, AZ_SECRET, &format!("{ACCOUNT}/cont-one")).await;
    AzureRig { _azurite: azurite, _dir: dir, entra, _eg_ok: eg_ok, _eg_denied: eg_denied, settings }
}

#[tokio::test]
async fn azure_green_against_azurite_over_https_and_doubles() {
    let rig = azure_rig().await;
    let r = azure_plan(&["cont-one"], &["eg-ok"]);
    let rs = azure::verify(&r, &az_secret(AZ_SECRET), &rig.settings, &quiet).await.unwrap();
    assert_eq!(
        rs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["azure:credentials", "azure:container:devstoreaccount1/cont-one", "azure:topic:eg-ok"]
    );
    assert_pass(&rs);
    let all = serde_json::to_string(&rs).unwrap();
    assert!(!all.contains(AZ_SECRET) && !all.contains("CANARY"));
    // Two tokens (storage and Event Grid audiences) besides the one the rig used to create the container.
    assert_eq!(rig.entra.requests.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn azure_wrong_secret_missing_container_and_missing_roles_each_name_the_az_fix() {
    let rig = azure_rig().await;
    // Wrong secret: credentials fail, the rest is skipped, and the secret is never echoed.
    let rs = azure::verify(&azure_plan(&["cont-one"], &["eg-ok"]), &az_secret("wrong-secret-value"), &rig.settings, &quiet).await.unwrap();
    assert_fail(by_id(&rs, "azure:credentials"), "azure.secret_rejected", &format!("az ad app credential reset --id {APP}"));
    assert!(!serde_json::to_string(&rs).unwrap().contains("wrong-secret-value"));
    assert_eq!(by_id(&rs, "azure:container:devstoreaccount1/cont-one").status, ProbeStatus::Skip);

    let rs = azure::verify(&azure_plan(&["cont-one", "nope"], &["eg-denied"]), &az_secret(AZ_SECRET), &rig.settings, &quiet).await.unwrap();
    assert_eq!(by_id(&rs, "azure:container:devstoreaccount1/cont-one").status, ProbeStatus::Pass);
    assert_fail(
        by_id(&rs, "azure:container:devstoreaccount1/nope"),
        "azure.container_not_found",
        "az storage container create --account-name devstoreaccount1 --name nope --auth-mode login",
    );
    assert_fail(
        by_id(&rs, "azure:topic:eg-denied"),
        "azure.permission_missing",
        &format!("--role \"EventGrid Data Sender\" --scope /subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.EventGrid/topics/eg-denied"),
    );

    // Another tenant's secret fails before any call.
    let other = AzureClientSecret::parse(&Sensitive::new(
        serde_json::json!({"appId": APP, "password": AZ_SECRET, "tenant": "11111111-2222-3333-4444-555555555555"}).to_string(),
    ))
    .unwrap();
    let rs = azure::verify(&azure_plan(&["cont-one"], &[]), &other, &rig.settings, &quiet).await.unwrap();
    assert_fail(by_id(&rs, "azure:credentials"), "secrets.azure.tenant_mismatch", "az login --tenant");
}

#[tokio::test]
async fn azure_blob_permission_missing_names_the_role_assignment() {
    // DOUBLE of a Blob endpoint that refuses the principal (Azurite's basic OAuth has no RBAC).
    let entra = entra_double(TENANT.into(), APP.into(), AZ_SECRET.into()).await;
    let blob = status_double(
        403,
        vec![("x-ms-error-code".into(), "AuthorizationPermissionMismatch".into())],
        "<Error><Code>AuthorizationPermissionMismatch</Code></Error>",
    )
    .await;
    let settings = AzureSettings {
        authority: entra.url.clone(),
        blob_endpoint: format!("{}/{{account}}", blob.url),
        timeout: Duration::from_secs(5),
        ..AzureSettings::default()
    };
    let rs = azure::verify(&azure_plan(&["cont-one"], &[]), &az_secret(AZ_SECRET), &settings, &quiet).await.unwrap();
    assert_fail(
        by_id(&rs, "azure:container:devstoreaccount1/cont-one"),
        "azure.permission_missing",
        &format!("--role \"Storage Blob Data Reader\" --scope /subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1/blobServices/default/containers/cont-one"),
    );
}

#[tokio::test]
async fn azure_topic_endpoint_lookup_failure_explains_how_to_give_it() {
    let entra = entra_double(TENANT.into(), APP.into(), AZ_SECRET.into()).await;
    let arm = status_double(403, vec![], r#"{"error":{"code":"AuthorizationFailed"}}"#).await;
    let settings = AzureSettings {
        authority: entra.url.clone(),
        management_endpoint: arm.url.clone(),
        timeout: Duration::from_secs(5),
        ..AzureSettings::default()
    };
    let rs = azure::verify(&azure_plan(&[], &["topic-nine"]), &az_secret(AZ_SECRET), &settings, &quiet).await.unwrap();
    assert_fail(
        by_id(&rs, "azure:topic:topic-nine"),
        "azure.topic_endpoint_unknown",
        "TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS=topic-nine=$(az eventgrid topic show --name topic-nine",
    );
}
