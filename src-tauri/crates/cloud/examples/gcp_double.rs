//! TEST DOUBLE runner for the GCP apply benchmark (tests/bench/gcp.sh) and manual tries: starts the
//! marked double of Google's IAM, Resource Manager, Storage-IAM and Pub/Sub-IAM endpoints
//! (tests/doubles/gcp_iam.rs) for project `my-project` with the buckets and topics named on the
//! command line (`bucket:NAME`, `topic:NAME`), writes an authorized-user Application Default
//! Credentials file for it to the path given first, prints one line of the environment the CLI
//! needs (`KEY=VALUE` pairs, shell-quoted), and serves until stdin closes.
//! Not part of the product: an example of the cloud crate.

#[path = "../tests/doubles/gcp_iam.rs"]
mod gcp_iam;
#[path = "../tests/doubles/server.rs"]
mod server;

use std::io::Read;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let adc = args.next().expect("usage: gcp_double ADC_PATH [bucket:NAME|topic:NAME]...");
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
    std::fs::write(&adc, file.to_string()).expect("write the ADC file");
    let u = &d.double.url;
    println!(
        "GOOGLE_APPLICATION_CREDENTIALS={adc} TRUSTBRIDGE_GCP_TOKEN_URI={u}/token TRUSTBRIDGE_GCP_IAM_ENDPOINT={u} TRUSTBRIDGE_GCP_RESOURCE_MANAGER_ENDPOINT={u} STORAGE_EMULATOR_HOST={u} PUBSUB_EMULATOR_HOST={u}"
    );
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
}
