//! The wizard's role-pack commands through Tauri's mock runtime with the real capability file:
//! list, validate (problems at `variables.NAME` with rule and value), preview, export to disk
//! (every placeholder filled), a remote origin refused, pack files refused, and apply against moto.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use trustbridge::commands_cloud::CloudState;
use trustbridge::verify_all::CloudSettings;
use trustbridge_cloud::aws::{AwsSettings, Credentials};

mod common;
use common::{app, invoke_with, App};
use trustbridge::commands_confirm::Scripted;

fn invoke(app: &App, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_with(app, cmd, "tauri://localhost", args)
}

/// The MLSpace plan of the fixtures (every required variable filled).
fn mlspace() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/packs/mlspace.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out)
        } else {
            out.push(p)
        }
    }
}

#[test]
fn list_packs_gives_every_builtin_pack_with_its_variables() {
    let app = app();
    let v = invoke(&app, "list_packs", json!({})).expect("list_packs");
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["mlspace", "sagemaker-service-role", "eks-service-account", "cross-account-data-sharing"]);
    let ml = &v[0];
    assert_eq!(ml["roles"].as_array().unwrap().len(), 5, "{ml}");
    let var = |name: &str| ml["variables"].as_array().unwrap().iter().find(|x| x["name"] == name).cloned().unwrap();
    assert_eq!(var("AWS_ACCOUNT")["kind"], "account_id");
    assert_eq!(var("AWS_ACCOUNT")["required"], true);
    assert_eq!(var("AWS_ACCOUNT")["default"], Value::Null);
    assert_eq!(var("MLSPACE_PRIVATE_SUBNET_1")["kind"], "subnet_id");
    assert_eq!(var("MLSPACE_APP_ROLE_NAME")["default"], "mlspace-app-role");
    assert_eq!(var("MLSPACE_APP_ROLE_NAME")["required"], false);
    assert!(!var("EMR_DEFAULT_ROLE_ARN")["description"].as_str().unwrap().is_empty());
}

#[test]
fn a_valid_mlspace_plan_previews_and_exports_with_every_placeholder_filled() {
    let app = app();
    let plan = mlspace();
    assert_eq!(invoke(&app, "validate_pack_plan", json!({"plan": plan})).unwrap(), json!([]));

    let p = invoke(&app, "preview_pack", json!({"plan": plan})).expect("preview_pack");
    let roles: Vec<&str> = p["roles"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        roles,
        [
            "mlspace-notebook-role",
            "mlspace-app-role",
            "mlspace-system-role",
            "mlspace-s3-reader-role",
            "mlspace-apigateway-cloudwatch-role"
        ]
    );
    assert!(p["roles"][0]["trusted_by"].as_array().unwrap().iter().any(|t| t == "sagemaker.amazonaws.com"), "{}", p["roles"][0]);
    assert!(p["managed_policies"].as_array().unwrap().iter().any(|m| m == "mlspace-project-user-permission-boundary"));
    let value = |name: &str| p["values"].as_array().unwrap().iter().find(|v| v["name"] == name).cloned().unwrap();
    assert_eq!(value("AWS_ACCOUNT"), json!({"name": "AWS_ACCOUNT", "value": "123456789012", "defaulted": false}));
    assert_eq!(value("MLSPACE_APP_ROLE_NAME"), json!({"name": "MLSPACE_APP_ROLE_NAME", "value": "mlspace-app-role", "defaulted": true}));
    assert!(p["files"].as_array().unwrap().iter().any(|f| f["path"] == "aws/roles/mlspace-notebook-role/trust-policy.json"));
    assert!(p["findings"].as_array().unwrap().iter().any(|f| f["severity"] == "warning"), "the guide's wildcards are shown");
    for f in p["files"].as_array().unwrap() {
        assert!(!has_placeholder(f["content"].as_str().unwrap()), "{} keeps a placeholder", f["path"]);
    }

    let tmp = tempfile::tempdir().unwrap();
    let r = invoke(&app, "export_pack", json!({"plan": plan, "parent": tmp.path()})).expect("export_pack");
    let dir = Path::new(r["dir"].as_str().unwrap());
    assert_eq!(dir, tmp.path().join("trustbridge-mlspace"));
    for f in [
        "SUMMARY.md",
        "plan.json",
        "aws/setup.sh",
        "aws/cloudformation.yaml",
        "aws/main.tf",
        "aws/managed-policies/mlspace-app-policy.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} is exported");
    }
    for role in roles {
        assert!(dir.join(format!("aws/roles/{role}/trust-policy.json")).is_file(), "{role}'s trust policy is exported");
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    assert_eq!(files.len(), r["files"].as_array().unwrap().len());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!has_placeholder(&text), "{} keeps a placeholder", f.display());
    }
    let written: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
    assert_eq!(written["pack"], "mlspace");
    assert_eq!(written["variables"]["AWS_ACCOUNT"], "123456789012");
    let trust = std::fs::read_to_string(dir.join("aws/roles/mlspace-notebook-role/trust-policy.json")).unwrap();
    assert!(trust.contains("sagemaker.amazonaws.com"), "{trust}");

    let r2 = invoke(&app, "export_pack", json!({"plan": plan, "parent": tmp.path()})).unwrap();
    assert_eq!(Path::new(r2["dir"].as_str().unwrap()), tmp.path().join("trustbridge-mlspace-2"), "never overwrites");
}

#[test]
fn an_unfilled_or_invalid_variable_comes_back_at_its_field_with_rule_and_value() {
    let app = app();
    let mut plan = mlspace();
    plan["variables"].as_object_mut().unwrap().remove("AWS_ACCOUNT");
    plan["variables"]["MLSPACE_PRIVATE_SUBNET_2"] = "subnet-XYZ".into();
    plan["variables"]["MLSPACE_VPC_SECURITY_GROUP"] = "".into(); // empty = left out

    let problems = invoke(&app, "validate_pack_plan", json!({"plan": plan})).unwrap();
    let fields: Vec<&str> = problems.as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        ["variables.AWS_ACCOUNT", "variables.MLSPACE_VPC_SECURITY_GROUP", "variables.MLSPACE_PRIVATE_SUBNET_2"],
        "{problems}"
    );
    let account = &problems[0];
    assert_eq!(account["code"], "validation.variables.AWS_ACCOUNT");
    assert!(account["message"].as_str().unwrap().contains("unfilled placeholder {AWS_ACCOUNT}"), "{account}");
    assert_eq!(account["fix"], "for example '123456789012'");
    let subnet = &problems[2];
    assert_eq!(subnet["code"], "validation.variables.MLSPACE_PRIVATE_SUBNET_2");
    let msg = subnet["message"].as_str().unwrap();
    assert!(msg.contains("a subnet id looks like subnet-0123456789abcdef0") && msg.contains("(got 'subnet-XYZ')"), "{msg}");

    // Only the asked fields: the choose-a-pack page asks for `pack` and sees nothing here.
    assert_eq!(invoke(&app, "validate_pack_plan", json!({"plan": plan, "fields": ["pack"]})).unwrap(), json!([]));
    let one = invoke(&app, "validate_pack_plan", json!({"plan": plan, "fields": ["variables.AWS_ACCOUNT"]})).unwrap();
    assert_eq!(one.as_array().unwrap().len(), 1);

    // An invalid value after defaults: a role name too long.
    let mut long = mlspace();
    long["variables"]["MLSPACE_APP_ROLE_NAME"] = "x".repeat(70).into();
    let p = invoke(&app, "validate_pack_plan", json!({"plan": long})).unwrap();
    assert_eq!(p[0]["field"], "variables.MLSPACE_APP_ROLE_NAME", "{p}");

    // Preview and export refuse, and nothing is written.
    let e = invoke(&app, "preview_pack", json!({"plan": plan})).unwrap_err();
    assert_eq!(e["code"], "validation");
    assert_eq!(e["field"], "variables.AWS_ACCOUNT");
    let tmp = tempfile::tempdir().unwrap();
    let e = invoke(&app, "export_pack", json!({"plan": plan, "parent": tmp.path()})).unwrap_err();
    assert_eq!(e["code"], "validation");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "nothing written");

    // Unknown variables and unknown keys are problems too.
    let mut extra = mlspace();
    extra["variables"]["NOT_A_VARIABLE"] = "x".into();
    assert_eq!(invoke(&app, "validate_pack_plan", json!({"plan": extra})).unwrap()[0]["field"], "variables.NOT_A_VARIABLE");
    let bogus = invoke(&app, "validate_pack_plan", json!({"plan": {"version": 1, "pack": "mlspace", "bogus": 1}})).unwrap();
    assert_eq!(bogus[0]["field"], "plan");
}

#[test]
fn only_builtin_packs_are_accepted_from_the_webview() {
    let app = app();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("evil-pack.json");
    std::fs::write(&file, "{}").unwrap();
    for pack in ["", "no-such-pack", file.to_str().unwrap(), "./pack.json"] {
        let plan = json!({"version": 1, "pack": pack, "variables": {}});
        let p = invoke(&app, "validate_pack_plan", json!({"plan": plan, "fields": ["pack"]})).unwrap();
        assert_eq!(p[0]["field"], "pack", "{pack}: {p}");
        assert_eq!(p[0]["code"], "validation.pack", "{pack}: {p}");
        assert!(p[0]["message"].as_str().unwrap().contains("built-in role packs: mlspace"), "{p}");
        let e = invoke(&app, "export_pack", json!({"plan": plan, "parent": tmp.path()})).unwrap_err();
        assert_eq!(e["field"], "pack");
    }
}

#[test]
fn export_into_a_missing_folder_fails_and_writes_nothing() {
    let app = app();
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("does-not-exist");
    let e = invoke(&app, "export_pack", json!({"plan": mlspace(), "parent": missing})).unwrap_err();
    assert_eq!(e["code"], "export.io", "{e}");
    assert!(!missing.exists());
}

#[test]
fn a_remote_origin_may_not_call_the_pack_commands() {
    let app = app();
    let tmp = tempfile::tempdir().unwrap();
    for (cmd, args) in [
        ("list_packs", json!({})),
        ("validate_pack_plan", json!({"plan": mlspace()})),
        ("preview_pack", json!({"plan": mlspace()})),
        ("export_pack", json!({"plan": mlspace(), "parent": tmp.path()})),
        ("apply_pack_aws", json!({"plan": mlspace(), "dryRun": true})),
        ("verify_pack_aws", json!({"plan": mlspace()})),
    ] {
        let err = invoke_with(&app, cmd, "https://evil.example", args).expect_err("a remote origin must be refused");
        assert!(err.to_string().contains("not allowed"), "{cmd}: {err}");
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "nothing written");
}

// ---------------------------------------------------------------------------------------------
// Apply against a real moto server (started on a free port here, stopped by PID on drop).
// ---------------------------------------------------------------------------------------------

#[path = "../crates/cloud/tests/common/moto.rs"]
mod moto;
use moto::Moto;

/// The window's cloud settings, AWS pointed at `moto` with its dummy credentials.
fn moto_settings(moto: &Moto) -> CloudSettings {
    let mut settings = CloudSettings::from_env().with_timeout(Duration::from_secs(5));
    settings.aws = AwsSettings {
        endpoint_url: Some(format!("http://127.0.0.1:{}", moto.port)),
        credentials: Some(Credentials::new("testing", "testing", None, None, "test")),
        timeout: Duration::from_secs(5),
        ..AwsSettings::default()
    };
    settings
}

#[test]
fn apply_pack_aws_dry_runs_then_applies_and_refuses_another_account() {
    // Moto leaves AWS-managed policies out unless asked; real accounts always have them.
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let settings = moto_settings(&moto);
    let (secrets, _) = trustbridge_secrets::SecretStore::memory();
    let asker = Scripted::new(false, None);
    let app = common::app_with(CloudState::new(settings.clone(), secrets), asker.clone());

    let mut other = mlspace();
    other["variables"]["AWS_ACCOUNT"] = "111111111111".into();
    let e = invoke(&app, "apply_pack_aws", json!({"plan": other, "dryRun": true})).unwrap_err();
    assert_eq!(e["code"], "aws.account_mismatch", "{e}");
    assert!(e["message"].as_str().unwrap().contains("123456789012"), "{e}");

    let plan = mlspace();
    let dry = invoke(&app, "apply_pack_aws", json!({"plan": plan, "dryRun": true})).expect("dry run");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["caller"]["account"], "123456789012");
    let changes = dry["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["kind"] == "create_role" && c["summary"] == "create role mlspace-notebook-role"), "{dry}");
    let policy = changes.iter().find(|c| c["kind"] == "create_managed_policy").expect("a managed policy is created");
    assert!(policy["detail"].as_array().unwrap().iter().any(|d| d.as_str().unwrap().starts_with("+ ")), "with its grants: {policy}");
    let again = invoke(&app, "apply_pack_aws", json!({"plan": plan, "dryRun": true})).unwrap();
    assert_eq!(again["changes"], dry["changes"], "a dry run changes nothing");

    // Applying asks first, in a native dialog whose text Rust builds from the pack plan; Cancel
    // applies nothing.
    let e = invoke(&app, "apply_pack_aws", json!({"plan": plan, "dryRun": false})).unwrap_err();
    assert_eq!(e["code"], "apply.cancelled", "{e}");
    let asked = asker.asked();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].title, trustbridge::confirm::APPLY_PACK_TITLE);
    assert!(asked[0].message.contains("AWS account 123456789012"), "{}", asked[0].message);
    assert!(asked[0].message.contains("IAM role mlspace-notebook-role"), "{}", asked[0].message);
    let still = invoke(&app, "apply_pack_aws", json!({"plan": plan, "dryRun": true})).unwrap();
    assert_eq!(still["changes"], dry["changes"], "cancelled: nothing was applied");
    // Another account is refused before anything is asked.
    assert_eq!(invoke(&app, "apply_pack_aws", json!({"plan": other, "dryRun": false})).unwrap_err()["code"], "aws.account_mismatch");
    assert_eq!(asker.asked().len(), 1, "not asked for another account");

    let (secrets, _) = trustbridge_secrets::SecretStore::memory();
    let app = common::app_with(CloudState::new(settings, secrets), Scripted::new(true, None));
    let done = invoke(&app, "apply_pack_aws", json!({"plan": plan, "dryRun": false})).expect("apply");
    assert_eq!(done["changes"], dry["changes"], "apply does what the dry run announced");
    let after = invoke(&app, "apply_pack_aws", json!({"plan": plan, "dryRun": true})).unwrap();
    assert_eq!(after["changes"], json!([]), "{after}");
}

/// A pack placeholder left in a file: `{AWS_…}`, `{MLSPACE_…}`, `{EMR_…}` — but not a shell
/// variable of the exported scripts (`${AWS_REGION:-…}`).
fn has_placeholder(text: &str) -> bool {
    ["{AWS_", "{MLSPACE_", "{EMR_"].iter().any(|p| text.match_indices(p).any(|(i, _)| !text[..i].ends_with('$')))
}

/// The window's drift check for a pack (the CLI's `verify --plan`): everything matches after an
/// apply; a policy added by hand to a pack's role is drift, named, with a fix the window can show
/// (no terminal command of Trustbridge's). Reads only.
#[test]
fn verify_pack_aws_reads_the_pack_back_and_names_a_policy_it_does_not_hold() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let settings = moto_settings(&moto);
    let (secrets, _) = trustbridge_secrets::SecretStore::memory();
    let app = common::app_with(CloudState::new(settings.clone(), secrets), Scripted::new(true, None));
    let plan = mlspace();
    let before = invoke(&app, "verify_pack_aws", json!({"plan": plan})).expect("verify");
    assert!(before.as_array().unwrap().iter().all(|p| p["status"] == "fail"), "nothing applied yet: {before}");
    invoke(&app, "apply_pack_aws", json!({"plan": plan, "dryRun": false})).expect("apply");
    let after = invoke(&app, "verify_pack_aws", json!({"plan": plan})).expect("verify");
    let probes = after.as_array().unwrap();
    assert!(!probes.is_empty() && probes.iter().all(|p| p["status"] == "pass"), "{after}");
    assert!(probes.iter().any(|p| p["id"] == "aws:role:mlspace-notebook-role"), "{after}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = trustbridge_cloud::aws::Session::for_region("us-east-1", &settings.aws).await;
        s.iam
            .attach_role_policy()
            .role_name("mlspace-notebook-role")
            .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
            .send()
            .await
            .unwrap();
    });
    let drift = invoke(&app, "verify_pack_aws", json!({"plan": plan})).expect("verify");
    let bad: Vec<&Value> = drift.as_array().unwrap().iter().filter(|p| p["status"] == "fail").collect();
    assert_eq!(bad.len(), 1, "{drift}");
    assert_eq!(bad[0]["id"], "aws:role:mlspace-notebook-role");
    assert!(
        bad[0]["message"].as_str().unwrap().contains("AdministratorAccess (attached) allows something and is not in the pack"),
        "{drift}"
    );
    let fix = bad[0]["fix"].as_str().unwrap();
    assert!(!fix.contains("trustbridge ") && fix.contains("AWS console"), "a fix for the window: {fix}");
    assert_eq!(bad[0]["code"], "pack.drift");

    // A policy that allows and also denies: the window's fix must not tell the person to take it
    // off whole (that would lift its denials), only to check it as the message says.
    rt.block_on(async {
        let s = trustbridge_cloud::aws::Session::for_region("us-east-1", &settings.aws).await;
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]});
        s.iam
            .put_role_policy()
            .role_name("mlspace-app-role")
            .policy_name("guard-and-grant")
            .policy_document(doc.to_string())
            .send()
            .await
            .unwrap();
    });
    let drift = invoke(&app, "verify_pack_aws", json!({"plan": plan})).expect("verify");
    let app_role = drift.as_array().unwrap().iter().find(|p| p["id"] == "aws:role:mlspace-app-role").expect("the app role's probe");
    assert_eq!(app_role["status"], "fail", "{drift}");
    assert!(
        app_role["message"]
            .as_str()
            .unwrap()
            .contains("inline policy guard-and-grant allows something and is not in the pack; it also denies"),
        "{drift}"
    );
    let fix = app_role["fix"].as_str().unwrap();
    assert!(fix.contains("also denies") && fix.contains("lift its denials") && !fix.contains("trustbridge "), "{fix}");
}
