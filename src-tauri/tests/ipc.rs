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
    invoke_with(app, cmd, origin, serde_json::json!({}))
}

fn invoke_args(
    app: &tauri::App<tauri::test::MockRuntime>,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    invoke_with(app, cmd, "tauri://localhost", args)
}

fn invoke_with(
    app: &tauri::App<tauri::test::MockRuntime>,
    cmd: &str,
    origin: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
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

fn fixture_plan() -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/plans/three-clouds.json")).unwrap(),
    )
    .unwrap()
}

#[test]
fn validate_plan_returns_field_errors_for_the_asked_fields_only() {
    let app = app();
    let mut plan = fixture_plan();
    assert_eq!(invoke_args(&app, "validate_plan", serde_json::json!({"plan": plan})).unwrap(), serde_json::json!([]));
    plan["aws"]["account_id"] = "12".into();
    plan["gcp"]["project_id"] = "X".into();
    let all = invoke_args(&app, "validate_plan", serde_json::json!({"plan": plan})).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    let aws = invoke_args(&app, "validate_plan", serde_json::json!({"plan": plan, "fields": ["aws"]})).unwrap();
    assert_eq!(aws.as_array().unwrap().len(), 1);
    assert_eq!(aws[0]["field"], "aws.account_id");
    assert_eq!(aws[0]["code"], "validation.aws.account_id");
    let broken = invoke_args(&app, "validate_plan", serde_json::json!({"plan": {"version": 1, "bogus": true}})).unwrap();
    assert_eq!(broken[0]["field"], "plan");
}

#[test]
fn preview_and_export_over_ipc() {
    let app = app();
    let v = invoke_args(&app, "preview", serde_json::json!({"plan": fixture_plan()})).unwrap();
    assert!(v["files"].as_array().unwrap().iter().any(|f| f["path"] == "aws/trust-policy.json"));
    assert!(v["grants"].as_array().unwrap().iter().any(|g| g.as_str().unwrap().starts_with("Azure: `Storage Blob Data Reader`")));
    let tmp = tempfile::tempdir().unwrap();
    let r = invoke_args(&app, "export_bundle", serde_json::json!({"plan": fixture_plan(), "parent": tmp.path()})).unwrap();
    let dir = Path::new(r["dir"].as_str().unwrap());
    assert!(dir.join("SUMMARY.md").is_file());
    let r2 = invoke_args(&app, "export_bundle", serde_json::json!({"plan": fixture_plan(), "parent": tmp.path()})).unwrap();
    assert_ne!(r["dir"], r2["dir"], "a second export never overwrites the first");
}

#[test]
fn open_console_refuses_unknown_targets() {
    let app = app();
    let e = invoke_args(&app, "open_console", serde_json::json!({"target": "https://evil.example"})).unwrap_err();
    assert_eq!(e["code"], "open.not_allowed");
}
