//! The app under Tauri's mock runtime with the real context (so the real capability file decides
//! what the window may call), and one IPC call as the webview makes it. Shared by the IPC tests.
#![allow(dead_code)]

use serde_json::Value;
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;

pub type App = tauri::App<tauri::test::MockRuntime>;

/// The app whose native dialogs answer yes (confirmations) and cancel (the folder picker).
pub fn app() -> App {
    app_asking(trustbridge::commands_confirm::Scripted::new(true, None))
}

/// The app with the environment's cloud settings; `asker` answers its native dialogs.
pub fn app_asking(asker: std::sync::Arc<trustbridge::commands_confirm::Scripted>) -> App {
    app_with(trustbridge::commands_cloud::CloudState::from_env(), asker)
}

/// The app with these cloud settings and keyring; `asker` answers its native dialogs.
pub fn app_with(cloud: trustbridge::commands_cloud::CloudState, asker: std::sync::Arc<trustbridge::commands_confirm::Scripted>) -> App {
    trustbridge::builder_asking(mock_builder(), cloud, trustbridge::commands_confirm::Asker::Scripted(asker))
        .build(tauri::generate_context!())
        .expect("mock app")
}

/// The app signed in to AWS with `aws` (a moto server's settings; 30 s per call), the other clouds'
/// settings from the environment, an in-memory keyring; `asker` answers its native dialogs.
pub fn app_on_aws(aws: &trustbridge_cloud::aws::AwsSettings, asker: std::sync::Arc<trustbridge::commands_confirm::Scripted>) -> App {
    let (secrets, _) = trustbridge_secrets::SecretStore::memory();
    let mut cloud = trustbridge::verify_all::CloudSettings::from_env().with_timeout(std::time::Duration::from_secs(30));
    cloud.aws = aws.clone();
    app_with(trustbridge::commands_cloud::CloudState::new(cloud, secrets), asker)
}

/// Invokes `cmd` with `args` as a page from `origin` would (the app's own origin is `tauri://localhost`).
pub fn invoke_with(app: &App, cmd: &str, origin: &str, args: Value) -> Result<Value, Value> {
    use tauri::Manager;
    let webview = app
        .get_webview_window("main")
        .unwrap_or_else(|| tauri::WebviewWindowBuilder::new(app, "main", Default::default()).build().unwrap());
    get_ipc_response(
        &webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: origin.parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

/// Points every Google Cloud and Azure endpoint the app reads from the environment at the loopback
/// doubles (`gcp`: the Google IAM/OAuth double's URL, `azure`: the Entra/Graph/ARM double's).
///
/// # Safety
/// Sets environment variables: only for a test binary that runs one test, while nothing else reads
/// the environment.
pub unsafe fn point_clouds_at(gcp: &str, azure: &str) {
    unsafe {
        std::env::set_var("TRUSTBRIDGE_GCP_TOKEN_URI", format!("{gcp}/token"));
        std::env::set_var("TRUSTBRIDGE_GCP_AUTH_URI", format!("{gcp}/auth"));
        for k in [
            "TRUSTBRIDGE_GCP_IAM_ENDPOINT",
            "TRUSTBRIDGE_GCP_RESOURCE_MANAGER_ENDPOINT",
            "TRUSTBRIDGE_GCP_ORG_POLICY_ENDPOINT",
            "TRUSTBRIDGE_GCP_ASSET_ENDPOINT",
            "STORAGE_EMULATOR_HOST",
            "PUBSUB_EMULATOR_HOST",
        ] {
            std::env::set_var(k, gcp);
        }
        for k in ["AZURE_AUTHORITY_HOST", "TRUSTBRIDGE_AZURE_GRAPH_ENDPOINT", "TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT"] {
            std::env::set_var(k, azure);
        }
    }
}
