//! Where a credential may go, against local TEST DOUBLES (see doubles/):
//! - a token endpoint that answers a redirect to another double is NOT followed: the second double
//!   receives no request, and the probe fails with `<cloud>.token_redirect`;
//! - a token endpoint or authority with userinfo (`http://127.0.0.1:1@<host>/token`, which slicing took
//!   for loopback) is refused before anything is sent, naming the setting's variable.

mod doubles;

use std::time::Duration;

use doubles::*;
use trustbridge_cloud::azure::{self, AzureSettings};
use trustbridge_cloud::gcp::{self, GcpSettings, ProbeEvent, ProbeResult, ProbeStatus};
use trustbridge_cloud::http::{client, request_token};
use trustbridge_cloud::probe::Outcome;
use trustbridge_core::validate::Resolved;
use trustbridge_core::{validate, Plan};
use trustbridge_secrets::{AzureClientSecret, GcpServiceAccountKey, Sensitive};

const PROJECT: &str = "my-project";
const SA: &str = "ml3-platform-sa@my-project.iam.gserviceaccount.com";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const APP: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const AZ_SECRET: &str = "CANARY~az.0123456789abcdefghijklmnopqrstuvw";

fn quiet(_: ProbeEvent) {}

fn plan(section: &str, v: serde_json::Value) -> Resolved {
    let mut p =
        serde_json::json!({"version": 1, "platform": "mlcube", "integration": {"name": "TB_01", "project_id": "x", "default": true}});
    p[section] = v;
    validate(&Plan::from_json(&p.to_string()).unwrap(), None).unwrap_or_else(|e| panic!("plan invalid: {e:?}"))
}

fn gcp_plan() -> Resolved {
    plan("gcp", serde_json::json!({"project_id": PROJECT, "service_account": "ml3-platform-sa", "storage": [{"bucket": "bkt-one"}]}))
}

fn azure_plan() -> Resolved {
    plan(
        "azure",
        serde_json::json!({"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "service_principal_name": "ML3PlatformSP",
            "storage": [{"storage_account": "devstoreaccount1", "container": "cont-one"}]}),
    )
}

fn gcp_key(token_uri: &str) -> GcpServiceAccountKey {
    let (pem, _public) = fresh_rsa();
    let json = serde_json::json!({"type": "service_account", "project_id": PROJECT, "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem, "client_email": SA, "client_id": "1", "token_uri": token_uri});
    GcpServiceAccountKey::parse(&Sensitive::new(json.to_string())).unwrap()
}

fn az_secret() -> AzureClientSecret {
    let j = serde_json::json!({"appId": APP, "displayName": "ML3PlatformSP", "password": AZ_SECRET, "tenant": TENANT});
    AzureClientSecret::parse(&Sensitive::new(j.to_string())).unwrap()
}

/// A double that would hand out a token to anyone: where a followed redirect would land.
async fn elsewhere() -> Double {
    serve(|_| json(200, serde_json::json!({"access_token": "ya29.stolen", "token_type": "Bearer", "expires_in": 3600}))).await
}

/// A double that answers every request with `status` and `Location: {to}`.
async fn redirector(status: u16, to: String) -> Double {
    serve(move |_| Response { status, headers: vec![("location".into(), to.clone())], body: String::new() }).await
}

fn fail_code(o: &Outcome) -> &str {
    match o {
        Outcome::Fail { code, .. } => code.as_deref().unwrap_or_default(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn assert_fail(r: &ProbeResult, code: &str, message_contains: &str) {
    assert_eq!(r.status, ProbeStatus::Fail, "{r:#?}");
    assert_eq!(r.code.as_deref(), Some(code), "{r:#?}");
    assert!(r.message.contains(message_contains), "message lacks `{message_contains}`: {r:#?}");
}

#[tokio::test]
async fn a_redirected_token_request_is_not_followed() {
    let http = client(Duration::from_secs(5), &[]).unwrap();
    for status in [301, 302, 303, 307, 308] {
        let target = elsewhere().await;
        let token = redirector(status, format!("{}/token", target.url)).await;
        let body = Sensitive::new("grant_type=client_credentials&client_secret=CANARY".to_string());
        let res = request_token(&http, &format!("{}/token", token.url), &body, trustbridge_cloud::probe::Cloud::Gcp, "check").await;
        let o = match res {
            Err(o) => o,
            Ok(Ok(_)) => panic!("{status}: the redirect was followed and a token came back"),
            Ok(Err(r)) => panic!("{status}: a redirect should be its own error, got a refusal {}", r.status),
        };
        assert_eq!(fail_code(&o), "gcp.token_redirect", "{status}: {o:?}");
        let Outcome::Fail { message, .. } = &o else { unreachable!() };
        assert!(message.contains(&status.to_string()) && message.contains(&target.url), "{message}");
        assert!(!message.contains("CANARY"), "{message}");
        assert_eq!(token.requests.lock().unwrap().len(), 1, "{status}");
        assert_eq!(target.requests.lock().unwrap().len(), 0, "{status}: the second double received the redirected request");
    }
}

#[tokio::test]
async fn gcp_token_grant_does_not_follow_a_302() {
    let target = elsewhere().await;
    let token = redirector(302, format!("{}/token", target.url)).await;
    let key = gcp_key(&format!("{}/token", token.url));
    let settings = GcpSettings { timeout: Duration::from_secs(5), ..GcpSettings::default() };
    let rs = gcp::verify(&gcp_plan(), &key, &settings, &quiet).await.unwrap();
    assert_fail(&rs[0], "gcp.token_redirect", "302");
    assert_eq!(rs[1].status, ProbeStatus::Skip, "{rs:#?}");
    assert_eq!(token.requests.lock().unwrap().len(), 1);
    assert_eq!(target.requests.lock().unwrap().len(), 0, "the assertion was forwarded to the redirect target");
}

#[tokio::test]
async fn azure_client_secret_is_not_sent_on_after_a_307() {
    let target = elsewhere().await;
    // 307 keeps the method and body: following it would POST the client secret to the target.
    let entra = redirector(307, format!("{}/{TENANT}/oauth2/v2.0/token", target.url)).await;
    let settings = AzureSettings { timeout: Duration::from_secs(5), authority: entra.url.clone(), ..AzureSettings::default() };
    let rs = azure::verify(&azure_plan(), &az_secret(), &settings, &quiet).await.unwrap();
    assert_fail(&rs[0], "azure.token_redirect", "307");
    assert!(!format!("{rs:?}").contains(AZ_SECRET));
    assert_eq!(entra.requests.lock().unwrap().len(), 1);
    assert_eq!(target.requests.lock().unwrap().len(), 0, "the client secret was forwarded to the redirect target");
}

#[tokio::test]
async fn userinfo_in_a_token_endpoint_is_refused_before_sending() {
    // `http://127.0.0.1:1@127.0.0.1:PORT/token`: slicing saw host 127.0.0.1 (port 1); the request goes
    // to PORT. Any host could stand after the '@'; a local double makes it observable.
    let target = elsewhere().await;
    let port = target.url.rsplit(':').next().unwrap().to_string();
    let bypass = format!("http://127.0.0.1:1@127.0.0.1:{port}/token");

    let key = gcp_key("https://oauth2.googleapis.com/token");
    let settings = GcpSettings { timeout: Duration::from_secs(5), token_uri: Some(bypass.clone()), ..GcpSettings::default() };
    let rs = gcp::verify(&gcp_plan(), &key, &settings, &quiet).await.unwrap();
    assert_fail(&rs[0], "gcp.endpoint", "TRUSTBRIDGE_GCP_TOKEN_URI");
    assert!(!rs[0].message.contains("127.0.0.1:1@"), "{rs:#?}");

    let settings = AzureSettings {
        timeout: Duration::from_secs(5),
        authority: format!("http://127.0.0.1:1@127.0.0.1:{port}"),
        ..AzureSettings::default()
    };
    let rs = azure::verify(&azure_plan(), &az_secret(), &settings, &quiet).await.unwrap();
    assert_fail(&rs[0], "azure.endpoint", "AZURE_AUTHORITY_HOST");
    assert!(!rs[0].message.contains("127.0.0.1:1@"), "{rs:#?}");

    // The key file's own token_uri is refused when the key is parsed (secrets crate).
    let (pem, _) = fresh_rsa();
    let json = serde_json::json!({"type": "service_account", "project_id": PROJECT, "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem, "client_email": SA, "client_id": "1", "token_uri": bypass});
    let e = GcpServiceAccountKey::parse(&Sensitive::new(json.to_string())).unwrap_err();
    assert_eq!(e.code(), "secrets.gcp.token_uri");

    assert_eq!(target.requests.lock().unwrap().len(), 0, "a credential reached the host behind the '@'");
}

/// Google Cloud and Azure requests are retried, bounded, on an answer that says "try again": a
/// token endpoint that is unavailable once (503) still yields the token, with two requests; one
/// that always answers 400 is asked once (a refusal is not retried).
#[tokio::test]
async fn a_transient_503_is_retried_and_a_refusal_is_not() {
    let http = client(Duration::from_secs(5), &[]).unwrap();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = calls.clone();
    let flaky = serve(move |_| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            json(503, serde_json::json!({"error": "unavailable"}))
        } else {
            json(200, serde_json::json!({"access_token": "ya29.ok", "token_type": "Bearer", "expires_in": 3600}))
        }
    })
    .await;
    let body = Sensitive::new("grant_type=client_credentials".to_string());
    let got = request_token(&http, &format!("{}/token", flaky.url), &body, trustbridge_cloud::probe::Cloud::Azure, "check").await;
    assert!(matches!(got, Ok(Ok(_))), "the second attempt got the token");
    assert_eq!(flaky.requests.lock().unwrap().len(), 2);

    let refusing = serve(|_| json(400, serde_json::json!({"error": "invalid_client"}))).await;
    let got = request_token(&http, &format!("{}/token", refusing.url), &body, trustbridge_cloud::probe::Cloud::Azure, "check").await;
    assert!(matches!(got, Ok(Err(ref r)) if r.status == 400), "a refusal comes back as such");
    assert_eq!(refusing.requests.lock().unwrap().len(), 1, "a refusal is not retried");
}
