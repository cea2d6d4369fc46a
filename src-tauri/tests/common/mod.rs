//! The app under Tauri's mock runtime with the real context (so the real capability file decides
//! what the window may call), and one IPC call as the webview makes it. Shared by the IPC tests.
#![allow(dead_code)]

use serde_json::Value;
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;

pub type App = tauri::App<tauri::test::MockRuntime>;

pub fn app() -> App {
    trustbridge::builder(mock_builder()).build(tauri::generate_context!()).expect("mock app")
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
