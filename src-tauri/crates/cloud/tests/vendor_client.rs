//! ML cube's API client against a TEST DOUBLE (a fixed-answer server from `doubles/`) that answers
//! with credentials ids that are not plain ids: every call refuses them (`vendor.bad_response`), so
//! a hostile answer can neither be recorded in the plan nor become a URL path.

mod doubles;

use doubles::{json, serve};
use trustbridge_cloud::vendor::{mlcube::Client, VendorSettings};
use trustbridge_secrets::{Sensitive, VendorApiKey};

fn creds(id: &str) -> serde_json::Value {
    serde_json::json!({"credentials_id": id, "name": "N", "default": true, "type": "gcp",
        "gcp_project_id": "p", "client_email": "sa@p.iam.gserviceaccount.com", "client_id": "1"})
}

#[tokio::test]
async fn credentials_ids_that_are_not_plain_ids_are_refused_on_every_call() {
    let key = VendorApiKey::parse(&Sensitive::new("test-key-0123456789".to_string())).unwrap();
    for bad in ["../../project/x", "a/b", "", "id with space", "%2e%2e"] {
        let (one, list) = (creds(bad), serde_json::json!([creds("ok-1"), creds(bad)]));
        let d = serve(move |req| if req.path.contains("/project/") { json(200, list.clone()) } else { json(200, one.clone()) }).await;
        let c = Client::new("ML cube Platform", &d.url, &key, &VendorSettings::default()).unwrap();
        let e = c.get("ok-1").await.unwrap_err();
        assert_eq!(e.code(), "vendor.bad_response", "{bad}: {e}");
        assert_eq!(c.list("p").await.unwrap_err().code(), "vendor.bad_response", "{bad}");
        let key_json = Sensitive::new(
            serde_json::json!({"type": "service_account", "project_id": "p", "private_key_id": "1", "private_key": "k",
                "client_email": "sa@p.iam.gserviceaccount.com", "client_id": "1", "auth_uri": "a", "token_uri": "t",
                "auth_provider_x509_cert_url": "c", "client_x509_cert_url": "x", "universe_domain": "u"})
            .to_string(),
        );
        assert_eq!(c.create_gcp("N", true, "p", &key_json).await.unwrap_err().code(), "vendor.bad_response", "{bad}");
    }
    // A plain id is accepted.
    let d = serve(|_| json(200, creds("cred-0123_abc.def:9"))).await;
    let c = Client::new("ML cube Platform", &d.url, &key, &VendorSettings::default()).unwrap();
    assert_eq!(c.get("cred-0123_abc.def:9").await.unwrap().unwrap().credentials_id, "cred-0123_abc.def:9");
}
