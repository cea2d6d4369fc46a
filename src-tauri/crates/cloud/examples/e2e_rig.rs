//! TEST RIG for the end-to-end tests (tests/e2e/gcp-azure.e2e.mjs): starts the same real emulators and
//! marked TEST DOUBLES as `tests/gcp_azure.rs` (tests/doubles/mod.rs) so the wizard's connectivity test
//! can go green in the real window, and keeps them up until its stdin closes.
//!
//! - real gcp-storage-emulator with the spec's buckets;
//! - DOUBLE of Google's token endpoint that verifies the RS256 signature of a key made here (the key
//!   file is written where the spec says, for the test to pick in the wizard);
//! - DOUBLE of Pub/Sub `testIamPermissions` granting publish on the spec's topics;
//! - real Azurite over https (`--oauth basic`, a self-signed certificate made here) with the spec's
//!   containers (`devstoreaccount1/<name>`);
//! - DOUBLE of Entra ID's client-credentials endpoint accepting the spec's app id and secret;
//! - DOUBLE of an Event Grid topic (sender allowed) for each of the spec's Azure topics.
//!
//! Protocol: one JSON spec line on stdin → one JSON line on stdout `{"env": {...}, "gcp_key_id": ...}`
//! with the environment the app needs → runs until stdin reaches EOF, then stops everything by PID.
//! Not part of the product: an example of the cloud crate, built by `cargo test`.

#[path = "../tests/doubles/mod.rs"]
mod doubles;

use std::collections::BTreeMap;
use std::io::BufRead;

use doubles::*;

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect()).unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let mut line = String::new();
    let mut stdin = std::io::stdin().lock();
    stdin.read_line(&mut line).expect("read the spec line");
    let spec: serde_json::Value = serde_json::from_str(&line).expect("the spec is one JSON line");
    let s = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_else(|| panic!("spec lacks {k}")).to_string();
    let mut env = BTreeMap::new();
    let mut keep_procs = Vec::new();
    let mut keep_doubles = Vec::new();
    let mut out = serde_json::json!({});

    let g = &spec["gcp"];
    if g.is_object() {
        let project = s(g, "project");
        let gcs = gcs_emulator();
        for b in strings(&g["buckets"]) {
            gcs_bucket(gcs.port, &project, &b).await;
        }
        let (pem, public) = fresh_rsa();
        let token = google_token_double(public, s(g, "client_email")).await;
        let mut id = [0u8; 20];
        aws_lc_rs::rand::fill(&mut id).unwrap();
        let key_id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let key = serde_json::json!({"type": "service_account", "project_id": project, "private_key_id": key_id, "private_key": pem,
            "client_email": s(g, "client_email"), "client_id": "1", "token_uri": format!("{}/token", token.double.url)});
        std::fs::write(s(g, "key_file"), key.to_string()).expect("write the key file");
        let topics = strings(&g["topics"]).into_iter().map(|t| (t, vec!["pubsub.topics.publish".to_string()])).collect();
        let pubsub = pubsub_double(&project, topics, token.token.clone()).await;
        env.insert("STORAGE_EMULATOR_HOST", format!("http://127.0.0.1:{}", gcs.port));
        env.insert("PUBSUB_EMULATOR_HOST", pubsub.url.clone());
        out["gcp_key_id"] = key_id.into();
        keep_procs.push(gcs);
        keep_doubles.push(token.double);
        keep_doubles.push(pubsub);
    }

    let z = &spec["azure"];
    let cert_dir = tempfile::Builder::new().prefix("tb-e2e-rig-").tempdir().unwrap();
    if z.is_object() {
        let (cert, key) = self_signed(cert_dir.path());
        let azurite = azurite(&cert, &key);
        let ca = std::fs::read(&cert).unwrap();
        let (tenant, app, secret) = (s(z, "tenant"), s(z, "app_id"), s(z, "secret"));
        let entra = entra_double(tenant.clone(), app.clone(), secret.clone()).await;
        for c in strings(&z["containers"]) {
            azurite_container(&azurite, &ca, &entra.url, &tenant, &app, &secret, &c).await;
        }
        let mut endpoints = Vec::new();
        for t in strings(&z["topics"]) {
            let eg = eventgrid_double(true).await;
            endpoints.push(format!("{t}={}/api/events", eg.url));
            keep_doubles.push(eg);
        }
        env.insert("AZURE_AUTHORITY_HOST", entra.url.clone());
        env.insert("TRUSTBRIDGE_AZURE_BLOB_ENDPOINT", format!("https://127.0.0.1:{}/{{account}}", azurite.port));
        env.insert("TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS", endpoints.join(","));
        env.insert("TRUSTBRIDGE_CA_FILE", cert.display().to_string());
        keep_procs.push(azurite);
        keep_doubles.push(entra);
    }

    out["env"] = serde_json::to_value(&env).unwrap();
    println!("{out}");
    // Up until the test closes our stdin (or exits).
    let mut rest = String::new();
    while stdin.read_line(&mut rest).map(|n| n > 0).unwrap_or(false) {
        rest.clear();
    }
    drop(keep_doubles);
    drop(keep_procs);
}
