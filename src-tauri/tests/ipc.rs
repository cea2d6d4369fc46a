//! IPC without a window: the commands through Tauri's mock runtime, the error shape that crosses
//! the boundary, and the committed TypeScript bindings (fails when they are stale; regenerate
//! with `UPDATE_BINDINGS=1 cargo test -p trustbridge --test ipc`).

use std::path::Path;

mod common;
use common::{app, app_asking, invoke_with};
use trustbridge::commands_confirm::Scripted;

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

/// The domain enums cross IPC as themselves (ts-rs derives, no `to_value(..).as_str()` shims):
/// the strings the window receives are the ones it received before.
#[test]
fn domain_enums_and_codes_cross_as_their_pinned_strings() {
    use trustbridge::errors::{AppCode, ErrorCode};
    use trustbridge::ipc::{ApplyChange, CredentialStatus, LintFinding, PackVariable, Probe};
    use trustbridge_cloud::aws::ChangeKind;
    use trustbridge_cloud::probe::{Code, Kind, ProbeStatus};
    use trustbridge_core::lint::Severity;
    use trustbridge_core::pack::VarKind;
    use trustbridge_secrets::SecretKind;

    let probe = Probe {
        id: "gcp:bucket:b".into(),
        title: "Cloud Storage bucket b".into(),
        status: ProbeStatus::Fail,
        duration_ms: 3,
        message: "m".into(),
        fix: Some("f".into()),
        code: Some(Code::gcp(Kind::PermissionMissing).into()),
    };
    let v = serde_json::to_value(&probe).unwrap();
    assert_eq!((v["status"].clone(), v["code"].clone()), (serde_json::json!("fail"), serde_json::json!("gcp.permission_missing")));
    let f =
        LintFinding { severity: Severity::Warning, code: "lint.size".into(), document: "d".into(), message: "m".into(), fix: "f".into() };
    assert_eq!(serde_json::to_value(&f).unwrap()["severity"], "warning");
    let c = ApplyChange { kind: ChangeKind::PutInlinePolicy, summary: "s".into(), detail: vec![] };
    assert_eq!(serde_json::to_value(&c).unwrap()["kind"], "put_inline_policy");
    let s = CredentialStatus { kind: SecretKind::VendorApiKey, stored: false, key_id: None, principal: None, scope: None };
    assert_eq!(serde_json::to_value(&s).unwrap()["kind"], "vendor-api-key");
    let p = PackVariable {
        name: "A".into(),
        kind: VarKind::KmsKeyId,
        description: "d".into(),
        example: "e".into(),
        default: None,
        required: true,
    };
    assert_eq!(serde_json::to_value(&p).unwrap()["kind"], "kms_key_id");
    let e = trustbridge::ipc::IpcError::new(AppCode::ApplyCancelled, "m");
    assert_eq!(serde_json::to_value(&e).unwrap()["code"], "apply.cancelled");
    assert_eq!(serde_json::to_value(ErrorCode::validation("aws.region")).unwrap(), "validation.aws.region");
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
    // The admin-consent page exists only for a keyless Azure plan (nothing is opened on refusal).
    let e = invoke_args(&app, "open_console", serde_json::json!({"target": "azure-admin-consent", "plan": fixture_plan()})).unwrap_err();
    assert_eq!(e["code"], "open.not_keyless");
    let e = invoke_args(&app, "open_console", serde_json::json!({"target": "azure-admin-consent"})).unwrap_err();
    assert_eq!(e["code"], "open.no_plan");
}

// ---------------------------------------------------------------------------------------------
// Cloud commands: AWS against a real moto server (started and stopped by PID here), credentials
// with an in-memory keyring, the connectivity test streaming through a channel.
// ---------------------------------------------------------------------------------------------

use std::time::Duration;

use trustbridge::commands_cloud::CloudState;
use trustbridge::verify_all::CloudSettings;
use trustbridge_cloud::aws::{AwsSettings, Credentials};

// The AWS access portal's test double, on the doubles' loopback server (`aws_sso` takes the server
// from its parent module, here the crate root).
#[path = "../crates/cloud/tests/doubles/server.rs"]
mod server;
use server::{json, serve, Double, Request, Response};
#[path = "../crates/cloud/tests/doubles/aws_sso.rs"]
mod aws_sso;
#[path = "../crates/cloud/tests/common/moto.rs"]
mod moto;
use moto::Moto;

fn cloud_state(endpoint: Option<&str>) -> (CloudState, std::sync::Arc<trustbridge_secrets::MemoryBackend>) {
    let (secrets, mem) = trustbridge_secrets::SecretStore::memory();
    let mut settings = CloudSettings::from_env().with_timeout(Duration::from_secs(3));
    settings.aws = AwsSettings {
        endpoint_url: endpoint.map(String::from),
        credentials: Some(Credentials::new("testing", "testing", None, None, "test")),
        timeout: Duration::from_secs(3),
        ..AwsSettings::default()
    };
    (CloudState::new(settings, secrets), mem)
}

/// The app on these settings; its native dialogs answer yes.
fn cloud_app(state: CloudState) -> tauri::App<tauri::test::MockRuntime> {
    common::app_with(state, Scripted::new(true, None))
}

fn aws_plan(account: &str) -> serde_json::Value {
    serde_json::json!({"version": 1, "platform": "mlcube", "integration": {"name": "AWS_01", "project_id": "demo"},
        "aws": {"account_id": account, "region": "us-east-1", "external_id": "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
        "storage": [{"bucket": "ipc-data"}], "events": [{"event_bus_name": "ipc-events"}]}})
}

fn seed(endpoint: &str) {
    let plan = trustbridge_core::Plan::from_json(&aws_plan("123456789012").to_string()).unwrap();
    let r = trustbridge_core::validate(&plan, None).unwrap();
    let (state, _) = cloud_state(Some(endpoint));
    // Setup, not what is tested: moto's first S3 call loads its S3 backend, which can take more than
    // the tests' 3 s on a loaded 2-core machine (a CI run failed so), so the seeding waits longer.
    let settings = AwsSettings { timeout: Duration::from_secs(30), ..state.settings.aws.clone() };
    let rt = trustbridge_cloud::runtime().unwrap();
    rt.block_on(async {
        let s = trustbridge_cloud::aws::Session::connect(r.aws.as_ref().unwrap(), &settings).await;
        s.s3.create_bucket().bucket("ipc-data").send().await.expect("create bucket");
        s.events.create_event_bus().name("ipc-events").send().await.expect("create bus");
    });
}

#[test]
fn aws_identity_apply_and_verify_over_ipc_against_moto() {
    let moto = Moto::start();
    let url = moto.url();
    seed(&url);
    let (state, _) = cloud_state(Some(&url));
    let app = cloud_app(state);

    // Account detection: who we are, and the pick lists.
    let id = invoke_args(&app, "aws_identity", serde_json::json!({"region": "us-east-1"})).expect("aws_identity");
    assert_eq!(id["caller"]["account"], "123456789012", "{id}");
    assert!(id["caller"]["arn"].as_str().unwrap().starts_with("arn:aws:"), "{id}");
    assert!(id["buckets"].as_array().unwrap().iter().any(|b| b == "ipc-data"), "{id}");
    assert!(id["event_buses"].as_array().unwrap().iter().any(|b| b == "ipc-events"), "{id}");
    let bad = invoke_args(&app, "aws_identity", serde_json::json!({"region": "../evil"})).unwrap_err();
    assert_eq!(bad["code"], "validation.aws.region");

    // Apply refuses another account, before changing anything.
    let e =
        invoke_args(&app, "apply_aws", serde_json::json!({"plan": aws_plan("111111111111"), "dryRun": true, "adopt": false})).unwrap_err();
    assert_eq!(e["code"], "aws.account_mismatch", "{e}");
    assert!(e["message"].as_str().unwrap().contains("123456789012"), "{e}");
    // Over IPC the fix is the window's (no AWS_PROFILE=…), and the way out is the account's answer.
    let fix = e["fix"].as_str().unwrap();
    assert!(fix.contains("change the account number") && !fix.contains("AWS_PROFILE"), "{e}");
    assert_eq!(e["field"], "aws.account_id", "{e}");

    // Dry run: the changes, nothing made; then apply; then a second apply changes nothing.
    let plan = aws_plan("123456789012");
    let dry = invoke_args(&app, "apply_aws", serde_json::json!({"plan": plan, "dryRun": true, "adopt": false})).expect("dry run");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["caller"]["account"], "123456789012");
    let kinds: Vec<&str> = dry["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["create_role", "put_inline_policy", "put_inline_policy"], "{dry}");
    assert!(dry["changes"][0]["summary"].as_str().unwrap().starts_with("create role mlcube-platform-access"), "{dry}");
    let done = invoke_args(&app, "apply_aws", serde_json::json!({"plan": plan, "dryRun": false, "adopt": false})).expect("apply");
    assert_eq!(done["changes"].as_array().unwrap().len(), 3);
    assert_eq!(done["role_arn"], "arn:aws:iam::123456789012:role/mlcube-platform-access");
    let again = invoke_args(&app, "apply_aws", serde_json::json!({"plan": plan, "dryRun": false, "adopt": false})).expect("apply again");
    assert_eq!(again["changes"], serde_json::json!([]));

    // The connectivity test: every customer-side probe passes (vendor probes skip without vendor
    // credentials) but the permissions probe, which moto (no policy simulator) lets check only partly.
    let report = invoke_args(&app, "verify_plan", serde_json::json!({"plan": plan, "onEvent": "__CHANNEL__:1"})).expect("verify");
    assert_eq!(report["verdict"], "partial", "Rust's verdict: {report}");
    let probes = report["probes"].as_array().unwrap();
    assert!(probes.len() >= 6, "{probes:?}");
    for p in probes {
        if p["id"] == "aws:permissions" {
            assert_eq!(p["status"], "partial", "{p}");
            assert!(
                p["fix"].as_str().unwrap().contains("was not") || p["fix"].as_str().unwrap().contains("whether"),
                "says what it did not check: {p}"
            );
        } else {
            assert!(p["status"] == "pass" || p["status"] == "skip", "{p}");
        }
        assert!(p["duration_ms"].is_u64(), "{p}");
    }
    assert!(probes.iter().filter(|p| p["status"] == "pass").count() >= 5, "{probes:?}");
}

/// "Remove access to AWS" in the window: nothing of ours there, nothing is asked; after apply, Rust's
/// native dialog names the account, the removals and the role's fate; Cancel removes nothing; yes
/// removes exactly that (read back from moto); a second removal finds nothing and asks nothing.
#[test]
fn aws_access_is_removed_from_the_window_only_after_the_native_yes() {
    let moto = Moto::start();
    let url = moto.url();
    seed(&url);
    let plan = aws_plan("123456789012");
    let asker = Scripted::new(true, None);
    let app = common::app_with(cloud_state(Some(&url)).0, asker.clone());
    let role_exists = || {
        let (state, _) = cloud_state(Some(&url));
        trustbridge_cloud::runtime().unwrap().block_on(async {
            let r = trustbridge_core::validate(&trustbridge_core::Plan::from_json(&plan.to_string()).unwrap(), None).unwrap();
            let s = trustbridge_cloud::aws::Session::connect(r.aws.as_ref().unwrap(), &state.settings.aws).await;
            s.iam.get_role().role_name("mlcube-platform-access").send().await.is_ok()
        })
    };

    let nothing = invoke_args(&app, "revoke_aws", serde_json::json!({"plan": plan})).expect("nothing to remove");
    assert_eq!(nothing["changes"], serde_json::json!([]), "{nothing}");
    assert!(asker.asked.lock().unwrap().is_empty(), "asked about removing nothing");

    invoke_args(&app, "apply_aws", serde_json::json!({"plan": plan, "dryRun": false, "adopt": false})).expect("apply");
    let asked_before = asker.asked.lock().unwrap().len();
    asker.answers.lock().unwrap().push_back(false);
    let e = invoke_args(&app, "revoke_aws", serde_json::json!({"plan": plan})).unwrap_err();
    assert_eq!(e["code"], "revoke.cancelled", "{e}");
    assert!(role_exists(), "a cancelled removal removed the role");
    let asked = asker.asked.lock().unwrap()[asked_before].clone();
    assert_eq!(asked.title, trustbridge::confirm::REVOKE_AWS_TITLE);
    assert_eq!(asked.ok, "Remove access");
    for want in ["AWS account 123456789012", "delete role mlcube-platform-access", "is deleted: Trustbridge created it"] {
        assert!(asked.message.contains(want), "missing {want:?} in:\n{}", asked.message);
    }

    let done = invoke_args(&app, "revoke_aws", serde_json::json!({"plan": plan})).expect("remove");
    assert_eq!(done["role_deleted"], true, "{done}");
    assert_eq!(done["changes"].as_array().unwrap().len(), 3, "{done}");
    assert!(!role_exists(), "the role is still there");
    let asked_now = asker.asked.lock().unwrap().len();
    let again = invoke_args(&app, "revoke_aws", serde_json::json!({"plan": plan})).expect("again");
    assert_eq!(again["changes"], serde_json::json!([]));
    assert_eq!(asker.asked.lock().unwrap().len(), asked_now, "asked about removing nothing");
}

/// The guardrail pre-flight in the window: the dry run lists what would deny the vendor (here an
/// event bus policy denying the role PutEvents, on moto); a real apply is refused before anything
/// is asked or changed (`aws.preflight_blocked`, naming the policy) unless the person chose to
/// apply anyway.
#[test]
fn a_blocking_guardrail_refuses_apply_in_the_window_unless_applied_anyway() {
    let moto = Moto::start();
    let url = moto.url();
    seed(&url);
    let plan = aws_plan("123456789012");
    let r = trustbridge_core::validate(&trustbridge_core::Plan::from_json(&plan.to_string()).unwrap(), None).unwrap();
    let role = r.aws.as_ref().unwrap().role_arn();
    let (state, _) = cloud_state(Some(&url));
    trustbridge_cloud::runtime().unwrap().block_on(async {
        let s = trustbridge_cloud::aws::Session::connect(r.aws.as_ref().unwrap(), &state.settings.aws).await;
        let deny = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoVendor", "Effect": "Deny",
            "Principal": {"AWS": role}, "Action": "events:PutEvents", "Resource": "*"}]});
        s.events.put_permission().event_bus_name("ipc-events").policy(deny.to_string()).send().await.expect("bus policy");
    });

    let yes = Scripted::new(true, None);
    let app = common::app_with(cloud_state(Some(&url)).0, yes.clone());
    let dry = invoke_args(&app, "apply_aws", apply_args(&plan, true, false)).expect("dry run");
    let findings = dry["preflight"].as_array().unwrap();
    let blocking: Vec<&serde_json::Value> = findings.iter().filter(|f| f["severity"] == "blocking").collect();
    assert_eq!(blocking.len(), 1, "{dry}");
    assert_eq!(blocking[0]["code"], "preflight.bus_policy_denies");
    assert!(blocking[0]["message"].as_str().unwrap().contains("NoVendor"), "{dry}");

    let e = invoke_args(&app, "apply_aws", apply_args(&plan, false, false)).unwrap_err();
    assert_eq!(e["code"], "aws.preflight_blocked", "{e}");
    assert!(e["message"].as_str().unwrap().contains("NoVendor"), "{e}");
    let e = invoke_args(&app, "confirm_apply", serde_json::json!({"plan": plan, "adopt": false, "ignorePreflight": false})).unwrap_err();
    assert_eq!(e["code"], "aws.preflight_blocked", "{e}");
    assert!(yes.asked().is_empty(), "refused before the person is asked");
    let still = invoke_args(&app, "apply_aws", apply_args(&plan, true, false)).unwrap();
    assert_eq!(still["changes"].as_array().unwrap().len(), 3, "nothing was applied: {still}");

    let mut anyway = apply_args(&plan, false, false);
    anyway["ignorePreflight"] = serde_json::json!(true);
    let done = invoke_args(&app, "apply_aws", anyway).expect("applied anyway");
    assert_eq!(done["changes"].as_array().unwrap().len(), 3, "{done}");
    assert_eq!(yes.asked().len(), 1, "still confirmed in the native dialog");
    let asked = &yes.asked()[0].message;
    assert!(asked.contains("You chose to apply anyway") && asked.contains("NoVendor"), "the dialog names the override: {asked}");
}

fn apply_args(plan: &serde_json::Value, dry_run: bool, adopt: bool) -> serde_json::Value {
    serde_json::json!({"plan": plan, "dryRun": dry_run, "adopt": adopt})
}

#[test]
fn apply_is_confirmed_in_a_native_dialog_built_from_the_plan_and_cancel_applies_nothing() {
    let moto = Moto::start();
    let url = moto.url();
    seed(&url);
    let plan = aws_plan("123456789012");

    // Cancel: nothing applied. The question names the account, the role, the vendor, the bucket and the bus.
    let no = Scripted::new(false, None);
    let app = common::app_with(cloud_state(Some(&url)).0, no.clone());
    let e = invoke_args(&app, "apply_aws", apply_args(&plan, false, false)).unwrap_err();
    assert_eq!(e["code"], "apply.cancelled", "{e}");
    let asked = no.asked();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].title, trustbridge::confirm::APPLY_TITLE);
    assert_eq!((asked[0].ok.as_str(), asked[0].cancel.as_str()), ("Apply", "Cancel"));
    for want in [
        "AWS account 123456789012",
        "IAM role mlcube-platform-access (arn:aws:iam::123456789012:role/mlcube-platform-access)",
        "let ML cube Platform assume it",
        "every object in the S3 bucket ipc-data",
        "event bus ipc-events",
    ] {
        assert!(asked[0].message.contains(want), "missing {want:?} in:\n{}", asked[0].message);
    }
    let dry = invoke_args(&app, "apply_aws", apply_args(&plan, true, false)).unwrap();
    assert_eq!(dry["changes"].as_array().unwrap().len(), 3, "cancelled: nothing was applied: {dry}");
    // Presenter mode (switched by the page): the same dialog hides the account, the bucket and the
    // bus, and says so; the role and the vendor stay readable. Off again: in full.
    invoke_args(&app, "set_presenter", serde_json::json!({"on": true})).expect("presenter on");
    let e = invoke_args(&app, "confirm_apply", serde_json::json!({"plan": plan, "adopt": false})).unwrap_err();
    assert_eq!(e["code"], "apply.cancelled", "{e}");
    let shown = no.asked().last().unwrap().message.clone();
    for hidden in ["123456789012", "ipc-data", "ipc-events"] {
        assert!(!shown.contains(hidden), "{hidden} shown in presenter mode:\n{shown}");
    }
    assert!(shown.contains("IAM role mlcube-platform-access") && shown.ends_with(trustbridge::presenter::NOTE), "{shown}");
    invoke_args(&app, "set_presenter", serde_json::json!({"on": false})).expect("presenter off");
    no.asked.lock().unwrap().clear();
    // Another account is refused before anything is asked.
    let e = invoke_args(&app, "apply_aws", apply_args(&aws_plan("111111111111"), false, false)).unwrap_err();
    assert_eq!(e["code"], "aws.account_mismatch", "{e}");
    assert_eq!(no.asked().len(), 0, "not asked for another account");
    // Nor for a plan whose external id ML cube has not issued yet (register first).
    let mut pending = plan.clone();
    pending["aws"].as_object_mut().unwrap().remove("external_id");
    let e = invoke_args(&app, "apply_aws", apply_args(&pending, false, false)).unwrap_err();
    assert_eq!(e["code"], "aws.external_id_pending", "{e}");
    assert_eq!(no.asked().len(), 0, "not asked for a plan that cannot be applied yet");

    // confirm_apply asks once; the apply of exactly that plan then goes through without asking again.
    let yes = Scripted::new(true, None);
    let app = common::app_with(cloud_state(Some(&url)).0, yes.clone());
    let mut wider = plan.clone();
    wider["aws"]["storage"] = serde_json::json!([{"bucket": "ipc-data"}, {"bucket": "ipc-other"}]);
    invoke_args(&app, "confirm_apply", serde_json::json!({"plan": plan, "adopt": false})).expect("confirmed");
    assert_eq!(yes.asked().len(), 1);
    let first = invoke_args(&app, "apply_aws", apply_args(&plan, false, true)).expect("adopt is another question");
    assert_eq!(yes.asked().len(), 2, "the approval was for apply without adopt: asked again");
    assert_eq!(first["changes"].as_array().unwrap().len(), 3, "{first}");
    invoke_args(&app, "confirm_apply", serde_json::json!({"plan": plan, "adopt": false})).unwrap();
    invoke_args(&app, "apply_aws", apply_args(&wider, false, false)).expect("apply a wider plan");
    assert_eq!(yes.asked().len(), 4, "an approval covers exactly the plan it named: the wider one was asked");
    assert!(yes.asked()[3].message.contains("ipc-other"), "{}", yes.asked()[3].message);
    invoke_args(&app, "apply_aws", apply_args(&plan, false, false)).expect("the approved plan");
    assert_eq!(yes.asked().len(), 4, "its approval was used");
    invoke_args(&app, "apply_aws", apply_args(&plan, false, false)).expect("once more");
    assert_eq!(yes.asked().len(), 5, "an approval is used once");
}

#[test]
fn an_existing_role_we_did_not_create_is_refused_until_adopted_and_the_question_says_so() {
    let moto = Moto::start();
    let url = moto.url();
    seed(&url);
    // An untagged role of the customer's own, with a broad inline policy.
    let (state, _) = cloud_state(Some(&url));
    let rt = trustbridge_cloud::runtime().unwrap();
    let r = trustbridge_core::validate(&trustbridge_core::Plan::from_json(&aws_plan("123456789012").to_string()).unwrap(), None).unwrap();
    rt.block_on(async {
        let s = trustbridge_cloud::aws::Session::connect(r.aws.as_ref().unwrap(), &state.settings.aws).await;
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        s.iam.create_role().role_name("mlcube-platform-access").assume_role_policy_document(trust).send().await.expect("create role");
        let broad = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        s.iam.put_role_policy().role_name("mlcube-platform-access").policy_name("legacy-admin").policy_document(broad).send().await.expect("put policy");
    });
    let yes = Scripted::new(true, None);
    let app = common::app_with(state, yes.clone());
    let plan = aws_plan("123456789012");

    for dry_run in [true, false] {
        let e = invoke_args(&app, "apply_aws", apply_args(&plan, dry_run, false)).unwrap_err();
        assert_eq!(e["code"], "aws.role_not_ours", "{e}");
    }
    assert!(yes.asked().is_empty(), "refused before anything is asked");

    // Adopting: the dry run lists what the role already has and warns where it is broader.
    let dry = invoke_args(&app, "apply_aws", apply_args(&plan, true, true)).expect("adopt dry run");
    let existing = dry["existing"].as_array().expect("existing policies listed");
    assert!(existing.iter().any(|p| p["kind"] == "inline" && p["name"] == "legacy-admin"), "{dry}");
    assert!(dry["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("legacy-admin")), "{dry}");

    let done = invoke_args(&app, "apply_aws", apply_args(&plan, false, true)).expect("adopt");
    assert!(!done["changes"].as_array().unwrap().is_empty(), "{done}");
    let asked = yes.asked();
    assert_eq!(asked.len(), 1);
    for want in ["adopt the existing role mlcube-platform-access", "inline policy legacy-admin", "Warnings:"] {
        assert!(asked[0].message.contains(want), "missing {want:?} in:\n{}", asked[0].message);
    }
}

#[test]
fn a_typed_export_folder_is_confirmed_in_a_native_dialog_and_a_picked_one_is_not_asked_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().display().to_string();
    let no = Scripted::new(false, None);
    let app = app_asking(no.clone());
    let e = invoke_args(&app, "export_bundle", serde_json::json!({"plan": fixture_plan(), "parent": parent})).unwrap_err();
    assert_eq!(e["code"], "export.cancelled", "{e}");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "nothing written");
    let asked = no.asked();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].title, trustbridge::confirm::EXPORT_TITLE);
    let preview = invoke_args(&app, "preview", serde_json::json!({"plan": fixture_plan()})).unwrap();
    let n = preview["files"].as_array().unwrap().len();
    let want = format!("Write {n} files to the new folder {parent}/trustbridge-");
    assert!(asked[0].message.starts_with(&want), "{want:?} in:\n{}", asked[0].message);
    // A relative or missing folder is refused before anything is asked.
    for bad in ["exports".to_string(), format!("{parent}/missing")] {
        let e = invoke_args(&app, "export_bundle", serde_json::json!({"plan": fixture_plan(), "parent": bad})).unwrap_err();
        assert_eq!(e["code"], "export.io", "{bad}: {e}");
    }
    assert_eq!(no.asked().len(), 1);

    // The folder picker raised by Rust: its folder is written to without a second question, once.
    let picker = Scripted::new(false, Some(tmp.path().to_path_buf()));
    let app = app_asking(picker.clone());
    let chosen = invoke_args(&app, "pick_export_folder", serde_json::json!({})).unwrap();
    assert_eq!(chosen, serde_json::json!(parent));
    let r = invoke_args(&app, "export_bundle", serde_json::json!({"plan": fixture_plan(), "parent": chosen}))
        .expect("export to the picked folder");
    assert!(Path::new(r["dir"].as_str().unwrap()).join("SUMMARY.md").is_file());
    assert!(picker.asked().is_empty(), "the picked folder needs no question");
    let e = invoke_args(&app, "export_bundle", serde_json::json!({"plan": fixture_plan(), "parent": chosen})).unwrap_err();
    assert_eq!(e["code"], "export.cancelled", "the pick was used: a second export asks (and this one cancels)");
    assert_eq!(picker.asked().len(), 1);
    let none = invoke_args(&app_asking(Scripted::new(true, None)), "pick_export_folder", serde_json::json!({})).unwrap();
    assert_eq!(none, serde_json::Value::Null, "the picker cancelled");
}

/// The access portal's Option 1, with a secret and token that must never come back.
const PASTED_SECRET: &str = "CANARYpastedSECRETkeyCANARYpasted0123456";
const PASTED_TOKEN: &str = "IQoJCANARYpastedSESSIONtokenCANARYpasted+/==";

#[test]
fn signing_in_by_pasted_portal_credentials_or_a_picked_profile_signs_every_aws_call_and_no_secret_comes_back() {
    let moto = Moto::start();
    let url = moto.url();
    seed(&url);
    let (mut state, _) = cloud_state(Some(&url));
    // This computer has no AWS credentials: a default profile that does not exist, nothing explicit,
    // and config files of its own (one profile with keys moto accepts).
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("config"), "[profile moto-keys]\nregion = us-east-1\n").unwrap();
    std::fs::write(
        files.path().join("credentials"),
        "[moto-keys]\naws_access_key_id = AKIAMOTOEXAMPLE12345\naws_secret_access_key = CANARYprofileSECRETkeyCANARYprofile01234\n",
    )
    .unwrap();
    state.settings.aws.credentials = None;
    state.settings.aws.profile = Some("trustbridge-test-no-such-profile".into());
    state.settings.aws.config_file = Some(files.path().join("config"));
    state.settings.aws.credentials_file = Some(files.path().join("credentials"));
    let app = cloud_app(state);
    let mut answers = Vec::new();

    let before = invoke_args(&app, "aws_identity", serde_json::json!({"region": "us-east-1"})).unwrap_err();
    answers.push(before.clone());
    assert!(before["code"].as_str().unwrap().starts_with("aws."), "{before}");
    assert_eq!(invoke(&app, "aws_signed_in").unwrap(), serde_json::Value::Null);

    // A paste that is not the portal's credentials is refused in Rust, naming the field, keeping nothing.
    let half = format!("export AWS_ACCESS_KEY_ID=\"ASIAZZZZEXAMPLE7WXYZ\"\nexport AWS_SESSION_TOKEN=\"{PASTED_TOKEN}\"\n");
    let e = invoke_args(&app, "aws_use_credentials", serde_json::json!({"text": half, "region": "us-east-1"})).unwrap_err();
    answers.push(e.clone());
    assert_eq!(e["code"], "secrets.aws.missing_field", "{e}");
    assert_eq!(e["field"], "aws.credentials", "{e}");
    assert!(e["message"].as_str().unwrap().contains("AWS_SECRET_ACCESS_KEY"), "{e}");
    assert_eq!(invoke(&app, "aws_signed_in").unwrap(), serde_json::Value::Null);

    // Option 1 as the portal shows it: checked with STS, kept, and who they are comes back.
    let text = format!(
        "export AWS_ACCESS_KEY_ID=\"ASIAZZZZEXAMPLE7WXYZ\"\nexport AWS_SECRET_ACCESS_KEY=\"{PASTED_SECRET}\"\nexport AWS_SESSION_TOKEN=\"{PASTED_TOKEN}\"\n"
    );
    let signed = invoke_args(&app, "aws_use_credentials", serde_json::json!({"text": text, "region": "us-east-1"})).expect("signed in");
    answers.push(signed.clone());
    assert_eq!(signed["caller"]["account"], "123456789012", "{signed}");
    assert_eq!(signed["profile"], serde_json::Value::Null, "{signed}");
    assert_eq!(invoke(&app, "aws_signed_in").unwrap(), signed);

    // Every AWS command now signs with them: detection, the dry run, the connectivity test.
    let id = invoke_args(&app, "aws_identity", serde_json::json!({"region": "us-east-1"})).expect("detected with pasted credentials");
    assert!(id["buckets"].as_array().unwrap().iter().any(|b| b == "ipc-data"), "{id}");
    answers.push(id);
    let plan = aws_plan("123456789012");
    let dry = invoke_args(&app, "apply_aws", apply_args(&plan, true, false)).expect("dry run with pasted credentials");
    assert!(!dry["changes"].as_array().unwrap().is_empty(), "{dry}");
    answers.push(dry);

    // Signed out: back to this computer's (none).
    invoke(&app, "aws_sign_out").unwrap();
    assert_eq!(invoke(&app, "aws_signed_in").unwrap(), serde_json::Value::Null);
    let after = invoke_args(&app, "aws_identity", serde_json::json!({"region": "us-east-1"})).unwrap_err();
    answers.push(after);

    // The profile picker: the config files' profiles by name and kind; only those can be used.
    let profiles = invoke(&app, "aws_profiles").unwrap();
    assert_eq!(profiles, serde_json::json!([{"name": "moto-keys", "kind": "keys", "region": "us-east-1"}]));
    let e = invoke_args(&app, "aws_use_profile", serde_json::json!({"name": "../../etc/passwd"})).unwrap_err();
    assert_eq!(e["code"], "validation.aws.profile", "{e}");
    assert!(e["message"].as_str().unwrap().contains("moto-keys"), "{e}");
    let signed = invoke_args(&app, "aws_use_profile", serde_json::json!({"name": "moto-keys", "region": "us-east-1"})).expect("profile");
    assert_eq!(signed["profile"], "moto-keys", "{signed}");
    assert_eq!(signed["caller"]["account"], "123456789012", "{signed}");
    let id = invoke_args(&app, "aws_identity", serde_json::json!({"region": "us-east-1"})).expect("detected with the profile");
    answers.push(id);
    answers.push(profiles);

    let all = serde_json::to_string(&answers).unwrap();
    for secret in [PASTED_SECRET, PASTED_TOKEN, "ASIAZZZZEXAMPLE7WXYZ", "CANARYprofile", "AKIAMOTO"] {
        assert!(!all.contains(secret), "a pasted secret came back over IPC: {all}");
    }
}

#[test]
fn signing_in_through_the_aws_access_portal_double_lists_roles_and_signs_with_the_one_picked() {
    use aws_sso::{sso_double, Person, ACCESS_TOKEN, CLIENT_SECRET, ROLE_SECRET};
    let moto = Moto::start();
    let url = moto.url();
    seed(&url);
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The SSO double (a test double of IAM Identity Center's OIDC and portal APIs) on its own runtime.
    let double = rt.block_on(sso_double(Person::Confirms { after_polls: 0 }, vec![("123456789012", "Data", vec!["AdministratorAccess"])]));
    let (mut state, _) = cloud_state(Some(&url));
    state.settings.aws.credentials = None;
    state.settings.aws.profile = Some("trustbridge-test-no-such-profile".into());
    state.settings.aws.sso_endpoint_url = Some(double.url.clone());
    let app = cloud_app(state);
    let mut answers = Vec::new();

    // Nothing under way yet; a start URL that is not https is refused, naming the field.
    let e = invoke(&app, "aws_sso_wait").unwrap_err();
    assert_eq!(e["code"], "aws.sso_not_started", "{e}");
    let e = invoke_args(&app, "aws_sso_start", serde_json::json!({"startUrl": "http://corp.awsapps.com/start", "region": "eu-west-1"}))
        .unwrap_err();
    assert_eq!(e["code"], "validation.aws.sso_start_url", "{e}");

    let device = invoke_args(
        &app,
        "aws_sso_start",
        serde_json::json!({"startUrl": "https://d-1234567890.awsapps.com/start", "region": "eu-west-1"}),
    )
    .expect("device sign-in");
    assert_eq!(device["user_code"], "WDJB-MJHT", "{device}");
    answers.push(device);
    let accounts = invoke(&app, "aws_sso_wait").expect("accounts after the person confirmed");
    assert_eq!(accounts, serde_json::json!([{"account_id": "123456789012", "account_name": "Data", "roles": ["AdministratorAccess"]}]));
    answers.push(accounts);

    // Only a role the portal offered; then every AWS call signs with it.
    let e = invoke_args(&app, "aws_sso_use", serde_json::json!({"accountId": "123456789012", "roleName": "OrganizationAccountAccessRole"}))
        .unwrap_err();
    assert_eq!(e["code"], "validation.aws.sso_role", "{e}");
    let signed = invoke_args(
        &app,
        "aws_sso_use",
        serde_json::json!({"accountId": "123456789012", "roleName": "AdministratorAccess", "region": "us-east-1"}),
    )
    .expect("signed in with the role");
    assert_eq!(signed["how"], "access_portal", "{signed}");
    assert_eq!(signed["caller"]["account"], "123456789012", "{signed}");
    let dry =
        invoke_args(&app, "apply_aws", apply_args(&aws_plan("123456789012"), true, false)).expect("dry run signed by the portal role");
    answers.push(dry);
    let all = serde_json::to_string(&answers).unwrap();
    for secret in [ACCESS_TOKEN, CLIENT_SECRET, ROLE_SECRET, "CANARYssoSESSIONtoken"] {
        assert!(!all.contains(secret), "a portal secret came back over IPC: {all}");
    }
    // The double saw the role credentials asked for with the portal token (the SDK used them).
    assert!(double.requests.lock().unwrap().iter().any(|r| r.path.starts_with("/federation/credentials")));
}

#[test]
fn a_portal_wait_ends_on_cancel_and_an_answer_after_a_sign_out_is_never_kept() {
    use aws_sso::{sso_double, Person};
    use trustbridge::aws_signin::{AwsSignIn, SignInError};
    let moto = Moto::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The person never confirms: without a cancel the wait would last until the code expires.
    let double = rt.block_on(sso_double(Person::Away, vec![("123456789012", "Data", vec!["Admin"])]));
    let (state, _) = cloud_state(Some(&moto.url()));
    let base = AwsSettings { sso_endpoint_url: Some(double.url.clone()), credentials: None, ..state.settings.aws.clone() };
    let s = AwsSignIn::default();
    rt.block_on(async {
        s.sso_start("https://d-1234567890.awsapps.com/start", "eu-west-1", &base).await.expect("started");
        let started = std::time::Instant::now();
        let (r, ()) = tokio::join!(s.sso_wait(), async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            s.sso_cancel();
        });
        assert!(matches!(r, Err(SignInError::Cancelled)), "{r:?}");
        assert!(started.elapsed() < Duration::from_millis(900), "the wait ended at the cancel, before AWS's first poll");
        assert!(matches!(s.sso_wait().await, Err(SignInError::NoSignInUnderWay)), "nothing is left under way");

        // Pasted credentials that AWS accepts only after the person signed out are not kept.
        let text =
            trustbridge_secrets::Sensitive::new(format!("aws_access_key_id=AKIAMOTOEXAMPLE12345\naws_secret_access_key={PASTED_SECRET}"));
        let (r, ()) = tokio::join!(s.use_pasted(text, "us-east-1", &base), async { s.sign_out() });
        assert!(matches!(r, Err(SignInError::Cancelled)), "{r:?}");
        assert!(s.signed_in().is_none(), "the sign-out stands");
    });
}

#[test]
fn verify_all_reports_each_probe_live_and_a_missing_credential_as_a_failing_probe() {
    let (state, _) = cloud_state(None);
    let plan = serde_json::json!({"version": 1, "platform": "mlcube", "integration": {"name": "G", "project_id": "demo"},
        "gcp": {"project_id": "my-project", "storage": [{"bucket": "my-bucket"}]}});
    let r = trustbridge_core::validate(&trustbridge_core::Plan::from_json(&plan.to_string()).unwrap(), None).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let progress =
        |e: trustbridge_cloud::aws::ProbeEvent| seen.lock().unwrap().push(trustbridge::ipc::ProbeUpdate::of(e, "ML cube Platform"));
    let fix = |k: trustbridge_secrets::SecretKind| format!("store the {}", k.as_str());
    let rt = trustbridge_cloud::runtime().unwrap();
    let results = rt.block_on(trustbridge::verify_all::verify_all(&r, &state.settings, &state.secrets, &fix, &progress)).unwrap();
    // The credentials probe, and (ML cube has a registration API) the registration, not made yet.
    assert_eq!(results.len(), 2, "{results:#?}");
    assert_eq!(results[1].id, "gcp:vendor_registration");
    assert_eq!(results[1].status, trustbridge_cloud::aws::ProbeStatus::Skip);
    assert!(results[1].message.contains("not registered with ML cube Platform yet"), "{results:#?}");
    assert_eq!(results[0].id, "gcp:credentials");
    assert_eq!(results[0].code.as_deref(), Some("secrets.not_found"));
    assert_eq!(results[0].fix.as_deref(), Some("store the gcp"));
    let seen = serde_json::to_value(&*seen.lock().unwrap()).unwrap();
    assert_eq!(seen[0]["event"], "finished", "{seen}");
    assert_eq!(seen[0]["probe"]["id"], "gcp:credentials", "{seen}");
    assert_eq!(seen[0]["probe"]["title"], "The Google Cloud key signs in", "{seen}");
    assert_eq!(seen[0]["probe"]["status"], "fail", "{seen}");

    // Over IPC the wizard's fix points at its Credentials step.
    let app = cloud_app(state);
    let report = invoke_args(&app, "verify_plan", serde_json::json!({"plan": plan, "onEvent": "__CHANNEL__:7"})).unwrap();
    assert_eq!(report["verdict"], "fail", "{report}");
    let v = &report["probes"];
    assert_eq!(v[0]["id"], "gcp:credentials");
    assert!(v[0]["fix"].as_str().unwrap().contains("Credentials step"), "{v}");
    assert_eq!(v[1]["id"], "gcp:vendor_registration");
    assert_eq!(v[1]["title"], "Registered with ML cube Platform: Google Cloud", "the vendor named, from Rust");
}

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CANARY: &str = "canary-Secret-4f1d9e-never-shown";

fn azure_plan() -> serde_json::Value {
    serde_json::json!({"version": 1, "platform": "mlcube", "integration": {"name": "AZ_01", "project_id": "demo"},
        "azure": {"tenant_id": TENANT, "subscription_id": "0b1f6471-1bf0-4dda-aec3-cb9272f09590", "resource_group": "my-rg",
        "storage": [{"storage_account": "mystorageacct", "container": "my-blob-container"}]}})
}

#[test]
fn store_credentials_keeps_the_secret_in_the_keyring_and_answers_with_the_fingerprint_only() {
    let (state, mem) = cloud_state(None);
    let service = state.secrets.service().to_string();
    let app = cloud_app(state);
    let plan = azure_plan();
    let status = invoke_args(&app, "credentials_status", serde_json::json!({"plan": plan})).unwrap();
    assert_eq!(status, serde_json::json!([{"kind": "azure", "stored": false, "key_id": null, "principal": null, "scope": null}]));

    let app_id = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    let secret = serde_json::json!({"appId": app_id, "displayName": "ML3PlatformSP", "password": CANARY, "tenant": TENANT}).to_string();

    // Wrong tenant, bad JSON, wrong kind, empty: refused, and no answer carries the secret.
    let other_tenant = secret.replace(TENANT, "11111111-2222-3333-4444-555555555555");
    for (kind, json) in [("azure", other_tenant.as_str()), ("azure", &secret[..40]), ("gcp", secret.as_str()), ("azure", "  ")] {
        let e = invoke_args(&app, "store_credentials", serde_json::json!({"plan": plan, "kind": kind, "json": json})).unwrap_err();
        assert!(!e.to_string().contains(CANARY), "{e}");
        assert!(!e["code"].as_str().unwrap().is_empty(), "{e}");
    }
    assert!(mem.users(&service).is_empty(), "nothing stored on a refusal");
    // Malformed pastes with the secret in odd places: no error message echoes it.
    let odd = [
        format!(r#"{{"password": "{CANARY}""#),
        format!(r#"["{CANARY}"]"#),
        format!(r#""{CANARY}""#),
        format!(r#"{{"appId": ["{CANARY}"], "password": "{CANARY}", "tenant": "{TENANT}"}}"#),
        format!(r#"{{"appId": "{app_id}", "password": {{"x": "{CANARY}"}}, "tenant": "{TENANT}"}}"#),
        CANARY.to_string(),
    ];
    for json in &odd {
        for kind in ["azure", "gcp"] {
            let plan = if kind == "gcp" { fixture_plan() } else { plan.clone() };
            let e = invoke_args(&app, "store_credentials", serde_json::json!({"plan": plan, "kind": kind, "json": json})).unwrap_err();
            assert!(!e.to_string().contains(CANARY), "{kind} {json}: {e}");
        }
    }

    let st = invoke_args(&app, "store_credentials", serde_json::json!({"plan": plan, "kind": "azure", "json": secret})).unwrap();
    assert!(!st.to_string().contains(CANARY), "{st}");
    assert_eq!(st["stored"], true);
    assert_eq!(st["principal"], app_id);
    assert_eq!(st["scope"], TENANT);
    assert!(!mem.users(&service).is_empty(), "stored in the keyring");
    let status = invoke_args(&app, "credentials_status", serde_json::json!({"plan": plan})).unwrap();
    assert_eq!(status[0]["stored"], true);
    assert!(!status.to_string().contains(CANARY), "{status}");
}

#[test]
fn the_webview_cannot_make_rust_read_a_file_through_platform() {
    let app = app();
    let dir = tempfile::tempdir().unwrap();
    // A file with content the page must never see, and a FIFO that would block a read forever.
    let file = dir.path().join("secret.json");
    std::fs::write(&file, r#"{"format": "CONTENT-7f3a-never-echoed"}"#).unwrap();
    let fifo = dir.path().join("pipe.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for platform in [file.display().to_string(), fifo.display().to_string(), "../profiles/x.json".into(), "C:\\vendor.json".into()] {
        let mut plan = fixture_plan();
        plan["platform"] = platform.clone().into();
        for cmd in ["preview", "export_bundle"] {
            let args = serde_json::json!({"plan": plan, "parent": dir.path().display().to_string()});
            let e = invoke_args(&app, cmd, args).expect_err(cmd);
            assert_eq!(e["code"], "validation.platform", "{cmd} {platform}: {e}");
            assert!(e["message"].as_str().unwrap().contains("built-in vendor profiles"), "{e}");
            assert!(!e.to_string().contains("CONTENT-7f3a"), "{e}");
        }
        let v = invoke_args(&app, "validate_plan", serde_json::json!({"plan": plan})).unwrap();
        assert_eq!(v[0]["code"], "validation.platform", "{v}");
    }
    // The command line still reads a vendor's file, but never a FIFO or a folder.
    let e = trustbridge_core::Profile::resolve(&fifo.display().to_string(), None).unwrap_err().to_string();
    assert!(e.contains("not a regular file"), "{e}");
}

#[path = "../crates/cloud/tests/doubles/vendor_api.rs"]
mod vendor_api;

/// "Connect to ML cube" through the commands themselves, against the TEST DOUBLE of ML cube's API:
/// the projects the typed key can see; the key stored by the page is kept with the address it was
/// given for, listed with there, and never sent elsewhere — a page naming another address gets a
/// refusal, that address receives nothing, and the key status says none is stored for it.
#[test]
fn the_stored_vendor_key_goes_only_to_the_address_it_was_given_for() {
    const KEY: &str = "mlc-ipc-key-0123456789abcdef";
    let api = vendor_api::VendorApi::start(KEY, "883313729965", &["fraud-detection"]);
    let elsewhere = vendor_api::VendorApi::start(KEY, "883313729965", &["fraud-detection"]);
    let app = cloud_app(cloud_state(None).0);
    let page = |url: &str, key: Option<&str>| serde_json::json!({"platform": "mlcube", "integration": "AWS_01", "apiUrl": url, "key": key});

    let listed = invoke_args(&app, "vendor_projects", page(&api.url, Some(KEY))).expect("typed key");
    assert_eq!(listed, serde_json::json!([{"project_id": "fraud-detection", "name": "fraud-detection"}]));
    let e = invoke_args(&app, "vendor_projects", page(&api.url, Some("short"))).unwrap_err();
    assert_eq!(e["field"], "vendor.api_key", "{e}");
    assert!(!e.to_string().contains("short\""), "the typed key is not echoed: {e}");

    let mut plan = aws_plan("123456789012");
    plan["integration"]["api_url"] = serde_json::json!(api.url);
    invoke_args(&app, "store_credentials", serde_json::json!({"plan": plan, "kind": "vendor-api-key", "json": KEY})).expect("stored");
    let status = |url: &str| {
        invoke_args(&app, "vendor_key_status", serde_json::json!({"platform": "mlcube", "integration": "AWS_01", "apiUrl": url})).unwrap()
    };
    assert_eq!(status(&api.url)["stored"], true);
    assert_eq!(status(&api.url)["scope"], serde_json::json!(api.url), "kept with its address");
    invoke_args(&app, "vendor_projects", page(&api.url, None)).expect("the stored key, at its own address");

    let e = invoke_args(&app, "vendor_projects", page(&elsewhere.url, None)).unwrap_err();
    assert_eq!(e["code"], "vendor.no_api_key", "{e}");
    assert_eq!(status(&elsewhere.url)["stored"], false, "for this address no key is stored");
    let mut other = plan.clone();
    other["integration"]["api_url"] = serde_json::json!(elsewhere.url);
    let e = invoke_args(&app, "register_vendor", serde_json::json!({"plan": other, "clouds": ["aws"], "dryRun": true})).unwrap_err();
    assert_eq!(e["code"], "vendor.no_api_key", "{e}");
    assert!(elsewhere.requests().is_empty(), "the other address received nothing");
    assert!(!api.requests().is_empty() && api.requests().iter().all(|r| r.path.starts_with("/sdk/v1/")));
}
