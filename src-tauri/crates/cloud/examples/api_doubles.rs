//! TEST DOUBLE runner for the GCP and Azure apply benchmark (tests/bench/clouds.sh) and manual
//! tries. `api_doubles gcp ADC_PATH [bucket:NAME|topic:NAME]...` starts the marked double of
//! Google's IAM, Resource Manager, Storage-IAM and Pub/Sub-IAM endpoints (tests/doubles/gcp_iam.rs)
//! for project `my-project` and writes an authorized-user Application Default Credentials file
//! for it; `api_doubles azure TENANT [scope:SCOPE]...` starts the marked double of Entra ID,
//! Microsoft Graph and Resource Manager role assignments (tests/doubles/azure_arm.rs) with those
//! scopes existing. Either prints one line of the environment the CLI needs (`KEY=VALUE` pairs)
//! and serves until stdin closes. Not part of the product: an example of the cloud crate.

#[path = "../tests/doubles/azure_arm.rs"]
mod azure_arm;
#[path = "../tests/doubles/gcp_iam.rs"]
mod gcp_iam;
#[path = "../tests/doubles/server.rs"]
mod server;

use std::io::Read;

const USAGE: &str = "usage: api_doubles gcp ADC_PATH [bucket:NAME|topic:NAME]... | api_doubles azure TENANT [scope:SCOPE]...";

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().expect(USAGE);
    let first = args.next().expect(USAGE);
    // Kept alive until stdin closes.
    let _served: Box<dyn std::any::Any> = match which.as_str() {
        "gcp" => {
            let d = gcp_iam::gcp_iam_double("my-project").await;
            {
                let mut s = d.state.lock().unwrap();
                for a in args {
                    match a.split_once(':') {
                        Some(("bucket", b)) => s.add_bucket(b, serde_json::json!([])),
                        Some(("topic", t)) => s.add_topic(t, serde_json::json!([])),
                        _ => panic!("not bucket:NAME or topic:NAME: {a}"),
                    }
                }
            }
            let file = serde_json::json!({"type": "authorized_user", "client_id": "bench.apps.googleusercontent.com", "client_secret": gcp_iam::CLIENT_SECRET, "refresh_token": gcp_iam::REFRESH_TOKEN});
            std::fs::write(&first, file.to_string()).expect("write the ADC file");
            let u = &d.double.url;
            println!(
                "GOOGLE_APPLICATION_CREDENTIALS={first} TRUSTBRIDGE_GCP_TOKEN_URI={u}/token TRUSTBRIDGE_GCP_IAM_ENDPOINT={u} TRUSTBRIDGE_GCP_RESOURCE_MANAGER_ENDPOINT={u} TRUSTBRIDGE_GCP_ORG_POLICY_ENDPOINT={u} TRUSTBRIDGE_GCP_ASSET_ENDPOINT={u} STORAGE_EMULATOR_HOST={u} PUBSUB_EMULATOR_HOST={u}"
            );
            Box::new(d)
        }
        "azure" => {
            let d = azure_arm::azure_double(&first).await;
            {
                let mut s = d.state.lock().unwrap();
                for a in args {
                    match a.split_once(':') {
                        Some(("scope", sc)) => s.add_scope(sc),
                        _ => panic!("not scope:SCOPE: {a}"),
                    }
                }
            }
            let u = &d.double.url;
            println!(
                "AZURE_TENANT_ID={first} AZURE_CLIENT_ID={} AZURE_CLIENT_SECRET={} AZURE_AUTHORITY_HOST={u} TRUSTBRIDGE_AZURE_GRAPH_ENDPOINT={u} TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT={u}",
                azure_arm::ADMIN_APP,
                azure_arm::ADMIN_SECRET
            );
            Box::new(d)
        }
        _ => panic!("{USAGE}"),
    };
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
}
