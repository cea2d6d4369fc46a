//! IPC without a window: the commands through Tauri's mock runtime, the error shape that crosses
//! the boundary, and the committed TypeScript bindings (fails when they are stale; regenerate
//! with `UPDATE_BINDINGS=1 cargo test -p trustbridge --test ipc`).

use std::path::Path;

use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn app() -> tauri::App<tauri::test::MockRuntime> {
    // The real context: the real capability file decides what the window may call.
    trustbridge::builder(mock_builder()).build(tauri::generate_context!()).expect("mock app")
}

fn invoke(app: &tauri::App<tauri::test::MockRuntime>, cmd: &str) -> Result<serde_json::Value, serde_json::Value> {
    invoke_from(app, cmd, "tauri://localhost")
}

fn invoke_from(app: &tauri::App<tauri::test::MockRuntime>, cmd: &str, origin: &str) -> Result<serde_json::Value, serde_json::Value> {
    let webview = tauri::WebviewWindowBuilder::new(app, "main", Default::default()).build().unwrap();
    get_ipc_response(
        &webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: origin.parse().unwrap(),
            body: tauri::ipc::InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<serde_json::Value>().unwrap())
}

#[test]
fn list_profiles_over_ipc() {
    let app = app();
    let v = invoke(&app, "list_profiles").expect("list_profiles ok");
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["mlcube", "jfrog-ml", "custom"]);
    assert_eq!(v[1]["clouds"], serde_json::json!(["aws"]));
}

#[test]
fn a_remote_origin_may_not_call_commands() {
    let app = app();
    let err = invoke_from(&app, "list_profiles", "https://evil.example").expect_err("remote origin must be refused");
    assert!(err.to_string().contains("not allowed"), "{err}");
}

#[test]
fn app_info_over_ipc() {
    let app = app();
    let v = invoke(&app, "app_info").unwrap();
    assert_eq!(v["name"], "Trustbridge");
}

#[test]
fn error_shape_is_pinned() {
    let e = trustbridge::ipc::IpcError::from(
        &trustbridge_core::Problem::new("aws.account_id", "an AWS account id is exactly 12 digits", "12").with_fix("f"),
    );
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "code": "validation.aws.account_id",
            "message": "aws.account_id: an AWS account id is exactly 12 digits (got '12'); f",
            "field": "aws.account_id",
            "fix": "f"
        })
    );
}

#[test]
fn typescript_bindings_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/ipc/bindings");
    let update = std::env::var_os("UPDATE_BINDINGS").is_some();
    let mut stale = Vec::new();
    for (name, content) in trustbridge::ipc::typescript_bindings() {
        let path = dir.join(&name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &content).unwrap();
        }
        if std::fs::read_to_string(&path).unwrap_or_default() != content {
            stale.push(name);
        }
    }
    assert!(stale.is_empty(), "stale TypeScript bindings {stale:?}: run UPDATE_BINDINGS=1 cargo test -p trustbridge --test ipc");
}
