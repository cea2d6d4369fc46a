//! Registration with ML cube's API ([`trustbridge_app::register`]) against the TEST DOUBLE of that API
//! (`crates/cloud/tests/doubles/vendor_api.rs`, built from the `ml3-platform-sdk` models), with an
//! in-memory keyring. The CLI, the real keyring and moto are in `cli_register.rs`.

use trustbridge_app::register::{self, Cloud};
use trustbridge_cloud::vendor::VendorSettings;
use trustbridge_cloud::{retry::RetryPolicy, CloudError, VendorErrorKind};
use trustbridge_core::{validate, Plan};
use trustbridge_secrets::{SecretKind, SecretStore, Sensitive, ValidatedSecret};

#[path = "session/mod.rs"]
mod session;
use session::gcp_key_json;

#[path = "../../cloud/tests/doubles/vendor_api.rs"]
mod vendor_api;
use vendor_api::{Hostile, VendorApi};

const KEY: &str = "mlc-test-key-0123456789abcdef";
const ML3: &str = "883313729965";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const APP: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

fn plan(api_url: &str, clouds: &[&str]) -> Plan {
    let mut v = serde_json::json!({"version": 1, "platform": "mlcube",
        "integration": {"name": "TB_REG", "project_id": "proj-1", "default": true, "api_url": api_url}});
    if clouds.contains(&"aws") {
        v["aws"] = serde_json::json!({"account_id": "123456789012", "region": "us-east-1", "storage": [{"bucket": "reg-data"}]});
    }
    if clouds.contains(&"gcp") {
        v["gcp"] = serde_json::json!({"project_id": "my-project", "storage": [{"bucket": "reg-gcs"}]});
    }
    if clouds.contains(&"azure") {
        v["azure"] = serde_json::json!({"tenant_id": TENANT, "subscription_id": "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
            "resource_group": "rg", "storage": [{"storage_account": "regacct", "container": "regcont"}]});
    }
    Plan::from_json(&v.to_string()).unwrap()
}

fn azure_json(password: &str) -> String {
    serde_json::json!({"appId": APP, "displayName": "ML3PlatformSP", "password": password, "tenant": TENANT}).to_string()
}

/// A keyring holding `secrets` for TB_REG; the vendor API key as given for the API at `url` (as the
/// wizard and `trustbridge secrets set` keep it).
fn store_with(url: &str, secrets: &[(SecretKind, &str)]) -> SecretStore {
    let (store, _b) = SecretStore::memory();
    for (kind, text) in secrets {
        let s = match ValidatedSecret::parse(*kind, &Sensitive::new(text.to_string())).unwrap() {
            ValidatedSecret::VendorApiKey(k) => ValidatedSecret::VendorApiKey(k.for_address(url)),
            other => other,
        };
        store.set("TB_REG", &s).unwrap();
    }
    store
}

fn settings() -> VendorSettings {
    VendorSettings {
        retry: RetryPolicy { max_attempts: 3, initial_backoff: std::time::Duration::from_millis(5), ..RetryPolicy::calls() },
        timeout: std::time::Duration::from_secs(3),
        ..VendorSettings::default()
    }
}

fn run(p: &Plan, store: &SecretStore, dry: bool, replace: bool) -> Result<(Plan, Vec<register::Step>), Box<register::Failure>> {
    let r = validate(p, None).unwrap();
    trustbridge_cloud::runtime().unwrap().block_on(register::register(&r, store, &settings(), &[], dry, replace))
}

fn vendor_kind(e: &CloudError) -> VendorErrorKind {
    match e {
        CloudError::Vendor { kind, .. } => *kind,
        other => panic!("not a vendor error: {other:?}"),
    }
}

#[test]
fn aws_registration_records_the_vendor_issued_external_id_and_is_idempotent() {
    let api = VendorApi::start(KEY, ML3, &["proj-1"]);
    let store = store_with(&api.url, &[(SecretKind::VendorApiKey, KEY)]);
    let p = plan(&api.url, &["aws"]);
    let r = validate(&p, None).unwrap();
    assert!(r.aws.as_ref().unwrap().external_id_pending, "ML cube issues the external id: none is made here");

    // Dry run: reads only.
    let (same, steps) = run(&p, &store, true, false).unwrap();
    assert_eq!(same, p);
    assert_eq!(steps[0].action, "would_register");
    assert!(api.registrations().is_empty());

    let (p2, steps) = run(&p, &store, false, false).unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!((steps[0].cloud, steps[0].action, steps[0].name.as_str()), (Cloud::Aws, "registered", "TB_REG"));
    let regs = api.registrations();
    assert_eq!(regs.len(), 1);
    // What the double received is the SDK's request model, exactly.
    assert_eq!(
        regs[0]["_request"],
        serde_json::json!({"name": "TB_REG", "default": true, "project_id": "proj-1", "role_arn": "arn:aws:iam::123456789012:role/mlcube-platform-access"})
    );
    // The external id recorded is the one in the trust policy the double minted.
    let minted: serde_json::Value = serde_json::from_str(regs[0]["_trust_policy"].as_str().unwrap()).unwrap();
    let issued = minted["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"].as_str().unwrap();
    let a2 = p2.aws.as_ref().unwrap();
    assert_eq!(a2.external_id.as_deref(), Some(issued));
    assert_eq!(a2.vendor_credentials_id.as_deref(), regs[0]["credentials_id"].as_str());
    // And the role's trust, rendered from the plan, grants exactly what the vendor's document does.
    let r2 = validate(&p2, None).unwrap();
    let ours = trustbridge_core::render::aws::trust_policy(r2.aws.as_ref().unwrap());
    let theirs = trustbridge_cloud::aws::parse_policy(regs[0]["_trust_policy"].as_str().unwrap()).unwrap();
    assert_eq!(ours.grants(), theirs.grants());

    // Again: kept, no second registration, nothing changed.
    let (p3, steps) = run(&p2, &store, false, false).unwrap();
    assert_eq!(steps[0].action, "kept");
    assert_eq!(p3, p2);
    assert_eq!(api.registrations().len(), 1);
    let creates = api.requests().iter().filter(|q| q.method == "POST" && q.path.ends_with("/aws/credentials")).count();
    assert_eq!(creates, 1);
    // Every request carried the key, and only in X-Api-Key.
    for q in api.requests() {
        assert!(q.headers.iter().any(|(k, v)| k == "x-api-key" && v == KEY), "{q:?}");
        assert!(!q.path.contains(KEY));
    }
}

#[test]
fn hostile_trust_policies_are_refused_and_leave_no_registration() {
    let api = VendorApi::start(KEY, ML3, &["proj-1"]);
    let store = store_with(&api.url, &[(SecretKind::VendorApiKey, KEY)]);
    let p = plan(&api.url, &["aws"]);
    for h in [
        Hostile::WildcardPrincipal,
        Hostile::NoCondition,
        Hostile::OtherAccount,
        Hostile::ExtraStatement,
        Hostile::BroadAction,
        Hostile::NotJson,
    ] {
        api.set_hostile(h.clone());
        let f = run(&p, &store, false, false).expect_err(&format!("{h:?} accepted"));
        assert_eq!(vendor_kind(&f.error), VendorErrorKind::TrustRefused, "{h:?}: {}", f.error);
        assert_eq!(f.error.code(), "vendor.trust_refused");
        assert!(f.error.to_string().contains("the document received"), "the document is shown: {}", f.error);
        assert_eq!(f.plan, p, "{h:?}: nothing recorded");
        assert!(api.registrations().is_empty(), "{h:?}: the refused registration was deleted again");
    }
}

#[test]
fn api_errors_map_to_codes_with_fixes() {
    let api = VendorApi::start(KEY, ML3, &["proj-1"]);
    let p = plan(&api.url, &["aws"]);

    // No key stored.
    let f = run(&p, &store_with(&api.url, &[]), false, false).unwrap_err();
    assert_eq!(f.error.code(), "vendor.no_api_key");
    assert!(f.error.fix().unwrap().contains("--kind vendor-api-key"));

    // A wrong key: 401. A key without rights on the project: 403.
    let f = run(&p, &store_with(&api.url, &[(SecretKind::VendorApiKey, "wrong-key-0000000000")]), false, false).unwrap_err();
    assert_eq!(f.error.code(), "vendor.unauthorized");
    assert!(!f.error.to_string().contains("wrong-key"), "the key is never shown: {}", f.error);
    api.add_forbidden_key("forbidden-key-000000");
    let f = run(&p, &store_with(&api.url, &[(SecretKind::VendorApiKey, "forbidden-key-000000")]), false, false).unwrap_err();
    assert_eq!(f.error.code(), "vendor.forbidden");
    assert!(f.error.fix().unwrap().contains("UPDATE_PROJECT_INFORMATION"));

    let store = store_with(&api.url, &[(SecretKind::VendorApiKey, KEY)]);
    // Unknown project: 404.
    let mut other = p.clone();
    other.integration.project_id = "no-such-project".into();
    assert_eq!(run(&other, &store, false, false).unwrap_err().error.code(), "vendor.project_not_found");

    // 503 twice, then served: bounded retries succeed.
    api.fail_next(2, 503);
    let (registered, _) = run(&p, &store, false, false).unwrap();
    assert!(registered.aws.unwrap().vendor_credentials_id.is_some());

    // Always 503: gives up after the policy's attempts, says so.
    let p2 = plan(&api.url, &["aws"]);
    api.fail_next(100, 503);
    let f = run(&p2, &store, false, false).unwrap_err();
    assert_eq!(f.error.code(), "vendor.unavailable");
    assert!(f.error.fix().unwrap().contains("safe to re-run"));
    api.fail_next(0, 503);

    // The name is taken by other credentials (a GCP key named TB_REG): refused, not overwritten.
    let api2 = VendorApi::start(KEY, ML3, &["proj-1"]);
    let gcp = gcp_key_json();
    let both = store_with(&api2.url, &[(SecretKind::VendorApiKey, KEY), (SecretKind::Gcp, &gcp)]);
    run(&plan(&api2.url, &["gcp"]), &both, false, false).unwrap();
    let f = run(&plan(&api2.url, &["aws"]), &both, false, false).unwrap_err();
    assert_eq!(f.error.code(), "vendor.name_taken");

    // An http URL to a non-loopback host, or with userinfo, is refused before anything is sent:
    // by validation in the plan, and by the credential-URL rule for TRUSTBRIDGE_VENDOR_API_URL.
    let before = api.requests().len();
    for bad in ["http://example.com", "https://user:pw@example.com", "http://127.0.0.1:1@evil.example", "ftp://x"] {
        let mut q = p.clone();
        q.integration.api_url = Some(bad.into());
        let problems = validate(&q, None).unwrap_err();
        assert_eq!(problems[0].field, "integration.api_url", "{bad}");
        let r = validate(&p, None).unwrap();
        let s = VendorSettings { url_override: Some(bad.into()), ..settings() };
        let f = trustbridge_cloud::runtime().unwrap().block_on(register::register(&r, &store, &s, &[], false, false)).unwrap_err();
        assert_eq!(f.error.code(), "vendor.not_configured", "{bad}");
        assert!(!f.error.to_string().contains("pw@"), "no password echoed: {}", f.error);
    }
    assert_eq!(api.requests().len(), before);
}

#[test]
fn a_registration_whose_external_id_was_lost_needs_replace() {
    let api = VendorApi::start(KEY, ML3, &["proj-1"]);
    let store = store_with(&api.url, &[(SecretKind::VendorApiKey, KEY)]);
    let p = plan(&api.url, &["aws"]);
    run(&p, &store, false, false).unwrap();
    // The plan file was not saved (or was restored): the registration exists, its external id is unknown.
    let f = run(&p, &store, false, false).unwrap_err();
    assert_eq!(f.error.code(), "vendor.orphaned");
    assert!(f.error.fix().unwrap().contains("--replace"));
    let (p2, steps) = run(&p, &store, false, true).unwrap();
    assert_eq!(steps[0].action, "replaced");
    let regs = api.registrations();
    assert_eq!(regs.len(), 1, "the old one was deleted, one new one made");
    assert_eq!(p2.aws.unwrap().vendor_credentials_id.as_deref(), regs[0]["credentials_id"].as_str());
}

#[test]
fn gcp_key_and_azure_secret_arrive_as_stored_and_unregister_deletes_them() {
    let api = VendorApi::start(KEY, ML3, &["proj-1"]);
    let gcp = gcp_key_json();
    let password = "CANARY-azure-secret-~.Q8";
    let az = azure_json(password);
    let store = store_with(&api.url, &[(SecretKind::VendorApiKey, KEY), (SecretKind::Gcp, &gcp), (SecretKind::Azure, &az)]);
    let p = plan(&api.url, &["aws", "gcp", "azure"]);
    let (p2, steps) = run(&p, &store, false, false).unwrap();
    let names: Vec<(&str, &str)> = steps.iter().map(|s| (s.cloud.as_str(), s.name.as_str())).collect();
    assert_eq!(names, [("aws", "TB_REG_AWS"), ("gcp", "TB_REG_GCP"), ("azure", "TB_REG_AZURE")]);
    let regs = api.registrations();
    let stored_gcp: serde_json::Value = serde_json::from_str(&gcp).unwrap();
    let sent_gcp = &regs.iter().find(|r| r["type"] == "gcp").unwrap()["_request"];
    assert_eq!(&sent_gcp["account_info"], &stored_gcp, "every field of the key, byte for byte");
    assert_eq!(sent_gcp["scopes"], serde_json::Value::Null);
    let sent_az = &regs.iter().find(|r| r["type"] == "azure").unwrap()["_request"]["credentials"];
    assert_eq!(sent_az, &serde_json::json!({"app_id": APP, "display_name": "ML3PlatformSP", "password": password, "tenant": TENANT}));
    // The plan holds ids, never a secret.
    let text = p2.to_json_pretty();
    assert!(!text.contains(password) && !text.contains("PRIVATE KEY") && !text.contains(KEY));
    for (cloud, id) in [
        ("gcp", p2.gcp.as_ref().unwrap().vendor_credentials_id.as_deref()),
        ("azure", p2.azure.as_ref().unwrap().vendor_credentials_id.as_deref()),
    ] {
        assert_eq!(id, regs.iter().find(|r| r["type"] == cloud).unwrap()["credentials_id"].as_str());
    }
    // The hand-off says where the credentials went.
    let bundle = trustbridge_core::render(&validate(&p2, None).unwrap());
    let handoff: serde_json::Value = serde_json::from_str(&bundle.get("handoff.json").unwrap().content).unwrap();
    assert!(handoff["gcp"]["credentials"].as_str().unwrap().contains("was sent to ML cube Platform through its API"), "{handoff}");
    assert_eq!(handoff["azure"]["vendor_credentials_id"], regs.iter().find(|r| r["type"] == "azure").unwrap()["credentials_id"]);

    // The verify probes read the registrations back.
    let r2 = validate(&p2, None).unwrap();
    let rt = trustbridge_cloud::runtime().unwrap();
    let probes = rt.block_on(register::probes(&r2, &store, &settings(), &|_| {}));
    assert_eq!(probes.len(), 3);
    assert!(probes.iter().all(|p| p.status == trustbridge_cloud::aws::ProbeStatus::Pass), "{probes:#?}");

    // Revoke: every registration deleted, the plan's ids (and ML cube's external id) cleared.
    let (p3, steps) = rt.block_on(register::unregister(&r2, &store, &settings(), false)).unwrap();
    assert_eq!(steps.iter().filter(|s| s.action == "deleted").count(), 3);
    assert!(api.registrations().is_empty());
    assert!(p3.aws.as_ref().unwrap().external_id.is_none() && p3.gcp.as_ref().unwrap().vendor_credentials_id.is_none());
    // A registration deleted at the vendor shows as a failing probe.
    let probes = rt.block_on(register::probes(&r2, &store, &settings(), &|_| {}));
    assert!(probes.iter().all(|p| p.code.as_deref() == Some("vendor.not_registered")), "{probes:#?}");
}

#[test]
fn a_gcp_key_for_another_service_account_is_not_sent() {
    let api = VendorApi::start(KEY, ML3, &["proj-1"]);
    let gcp = gcp_key_json().replace("ml3-platform-sa@", "someone-else@");
    let store = store_with(&api.url, &[(SecretKind::VendorApiKey, KEY), (SecretKind::Gcp, &gcp)]);
    let f = run(&plan(&api.url, &["gcp"]), &store, false, false).unwrap_err();
    assert!(f.error.to_string().contains("secrets.gcp.service_account_mismatch"), "{}", f.error);
    assert!(api.requests().iter().all(|q| q.method != "POST"), "nothing was sent");
}

#[test]
fn azure_credentials_of_another_app_under_the_same_name_are_not_adopted() {
    let api = VendorApi::start(KEY, ML3, &["proj-1"]);
    let p = plan(&api.url, &["azure"]);
    run(&p, &store_with(&api.url, &[(SecretKind::VendorApiKey, KEY), (SecretKind::Azure, &azure_json("pw-one"))]), false, false).unwrap();
    // Same name at the vendor, but this keyring holds another service principal.
    let other = azure_json("pw-two").replace(APP, "11111111-2222-3333-4444-555555555555");
    let f = run(&p, &store_with(&api.url, &[(SecretKind::VendorApiKey, KEY), (SecretKind::Azure, &other)]), false, false).unwrap_err();
    assert_eq!(f.error.code(), "vendor.name_taken", "{}", f.error);
    // The same app is adopted.
    let (adopted, steps) =
        run(&p, &store_with(&api.url, &[(SecretKind::VendorApiKey, KEY), (SecretKind::Azure, &azure_json("pw-one"))]), false, false)
            .unwrap();
    assert_eq!(steps[0].action, "adopted");
    assert!(adopted.azure.unwrap().vendor_credentials_id.is_some());
}

/// "Connect to {vendor}" lists the projects the key may see (the pick list), before the plan is
/// complete: with the key typed on the page or the stored one; a wrong key is refused as the API
/// refuses it; an answer with a project id that breaks the plan's rule is refused whole.
#[test]
fn the_vendor_page_lists_the_projects_the_key_may_see() {
    let rt = trustbridge_cloud::runtime().unwrap();
    let api = VendorApi::start(KEY, ML3, &["fraud-detection", "churn.v2"]);
    let profile = trustbridge_core::Profile::builtin("mlcube").unwrap();
    let page = register::VendorPage { profile: &profile, integration: "TB_REG", api_url: Some(&api.url) };
    let ids = |l: Vec<trustbridge_cloud::vendor::mlcube::Project>| l.into_iter().map(|p| p.project_id).collect::<Vec<_>>();

    // The key stored for the integration.
    let stored = store_with(&api.url, &[(SecretKind::VendorApiKey, KEY)]);
    let listed = rt.block_on(register::projects(&page, None, &stored, &settings())).unwrap();
    assert_eq!(ids(listed), ["fraud-detection", "churn.v2"]);
    assert_eq!(api.requests().last().map(|r| (r.method.clone(), r.path.clone())), Some(("GET".into(), "/sdk/v1/projects".into())));

    // The key as typed (nothing stored); a wrong one is the API's 401.
    let empty = store_with(&api.url, &[]);
    let typed = trustbridge_secrets::VendorApiKey::parse(&Sensitive::new(KEY.to_string())).unwrap();
    assert_eq!(ids(rt.block_on(register::projects(&page, Some(&typed), &empty, &settings())).unwrap()).len(), 2);
    let wrong = trustbridge_secrets::VendorApiKey::parse(&Sensitive::new("mlc-wrong-key-000000000000".to_string())).unwrap();
    let e = rt.block_on(register::projects(&page, Some(&wrong), &empty, &settings())).unwrap_err();
    assert_eq!(vendor_kind(&e), VendorErrorKind::Unauthorized, "{e}");
    assert!(!e.to_string().contains("mlc-wrong"), "the key is never in an error: {e}");
    let e = rt.block_on(register::projects(&page, None, &empty, &settings())).unwrap_err();
    assert_eq!(vendor_kind(&e), VendorErrorKind::NoApiKey, "{e}");

    // What the page sends is checked before anything is called.
    let bad_url = register::VendorPage { api_url: Some("http://example.com/x"), ..page };
    let before = api.requests().len();
    assert_eq!(
        vendor_kind(&rt.block_on(register::projects(&bad_url, None, &stored, &settings())).unwrap_err()),
        VendorErrorKind::NotConfigured
    );
    let bad_name = register::VendorPage { integration: "TB REG;rm", ..page };
    assert_eq!(
        vendor_kind(&rt.block_on(register::projects(&bad_name, None, &stored, &settings())).unwrap_err()),
        VendorErrorKind::InvalidRequest
    );
    assert_eq!(api.requests().len(), before, "nothing was called with a refused URL or name");

    // A hostile answer: a project id that could not go into a plan.
    let hostile = VendorApi::start(KEY, ML3, &["ok-1", "../../x y"]);
    let page = register::VendorPage { profile: &profile, integration: "TB_REG", api_url: Some(&hostile.url) };
    let e = rt
        .block_on(register::projects(&page, None, &store_with(&hostile.url, &[(SecretKind::VendorApiKey, KEY)]), &settings()))
        .unwrap_err();
    assert_eq!(vendor_kind(&e), VendorErrorKind::BadResponse, "{e}");
    assert!(e.to_string().contains("project id"), "{e}");
}

/// The stored API key goes only to the address it was given for: a plan (or the page) naming
/// another https address gets a refusal, and that address receives nothing. A key kept without an
/// address (stored before Trustbridge kept it) goes only to the profile's built-in address.
#[test]
fn the_stored_key_is_sent_only_to_the_address_it_was_given_for() {
    let rt = trustbridge_cloud::runtime().unwrap();
    let api = VendorApi::start(KEY, ML3, &["proj-1"]);
    let elsewhere = VendorApi::start(KEY, ML3, &["proj-1"]);
    let store = store_with(&api.url, &[(SecretKind::VendorApiKey, KEY)]);
    run(&plan(&api.url, &["aws"]), &store, true, false).expect("the address it was given for");

    let f = run(&plan(&elsewhere.url, &["aws"]), &store, true, false).unwrap_err();
    assert_eq!(vendor_kind(&f.error), VendorErrorKind::NoApiKey, "{}", f.error);
    assert!(f.error.to_string().contains("not sent there"), "{}", f.error);
    let profile = trustbridge_core::Profile::builtin("mlcube").unwrap();
    let page = register::VendorPage { profile: &profile, integration: "TB_REG", api_url: Some(&elsewhere.url) };
    let e = rt.block_on(register::projects(&page, None, &store, &settings())).unwrap_err();
    assert_eq!(vendor_kind(&e), VendorErrorKind::NoApiKey, "{e}");
    assert!(elsewhere.requests().is_empty(), "the other address received nothing: {:?}", elsewhere.requests().len());

    // Kept without an address: only ML cube's own address would get it, not this one.
    let (unbound, _b) = SecretStore::memory();
    unbound.set("TB_REG", &ValidatedSecret::parse(SecretKind::VendorApiKey, &Sensitive::new(KEY.to_string())).unwrap()).unwrap();
    let f = run(&plan(&api.url, &["aws"]), &unbound, true, false).unwrap_err();
    assert_eq!(vendor_kind(&f.error), VendorErrorKind::NoApiKey, "{}", f.error);
    let key = unbound.vendor_api_key("TB_REG").unwrap();
    let reg = profile.registration.as_ref().unwrap();
    assert!(register::stored_key_may_go_to("ML cube", key.address(), reg, "https://api.platform.mlcube.com").is_ok());
    assert!(register::stored_key_may_go_to("ML cube", key.address(), reg, "https://api.platform.mlcube.com.evil.example").is_err());
    // The keyring keeps the address with the key (its fingerprint's scope, never the key).
    assert_eq!(store.vendor_api_key("TB_REG").unwrap().address(), Some(api.url.as_str()));
}
