//! The headless CLI: exit codes, messages, and no files left behind on error.
//! Runs the real binary with no display.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trustbridge"));
    c.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    c
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run trustbridge")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn help_and_version_exit_zero_without_a_display() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for cmd in ["profiles", "validate", "export", "external-id", "schema"] {
        assert!(text(&o).contains(cmd), "--help lists {cmd}");
    }
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_command_is_a_usage_error() {
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(run(&["export", "--plan"]).status.code(), Some(2));
}

#[test]
fn profiles_lists_the_builtins() {
    let o = run(&["profiles"]);
    assert_eq!(o.status.code(), Some(0));
    for id in ["mlcube", "jfrog-ml", "custom"] {
        assert!(text(&o).contains(id));
    }
    let o = run(&["profiles", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[0]["clouds"], serde_json::json!(["aws", "gcp", "azure"]));
}

#[test]
fn validate_ok_and_invalid() {
    let plan = fixtures().join("plans/three-clouds.json");
    let o = run(&["validate", "--plan", plan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("plan.json");
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    v["aws"]["account_id"] = "12345".into();
    v["gcp"]["service_account"] = "ml3PlatformServiceAccount".into();
    std::fs::write(&bad, v.to_string()).unwrap();
    let o = run(&["validate", "--plan", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("aws.account_id: an AWS account id is exactly 12 digits (got '12345')"), "{out}");
    assert!(out.contains("gcp.service_account:") && out.contains("ml3-platform-service-account"), "{out}");

    let o = run(&["validate", "--plan", bad.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["code"], "validation.aws.account_id");
}

#[test]
fn missing_and_garbage_plans_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(&["validate", "--plan", tmp.path().join("nope.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("cannot read"));
    let garbage = tmp.path().join("g.json");
    std::fs::write(&garbage, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let o = run(&["validate", "--plan", garbage.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn export_writes_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    let plan = fixtures().join("plans/three-clouds.json");
    let o = run(&["export", "--plan", plan.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(out.join("SUMMARY.md").is_file());
    assert!(out.join("azure/setup.sh").is_file());
}

#[test]
fn every_bad_input_exits_2_and_leaves_no_files() {
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("bad-inputs.json")).unwrap()).unwrap();
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("plans/three-clouds.json")).unwrap()).unwrap();
    for c in cases.iter().filter(|c| c.get("set").is_some()) {
        let mut plan = base.clone();
        for (ptr, value) in c["set"].as_object().unwrap() {
            let (parent, key) = ptr.rsplit_once('/').unwrap();
            match plan.pointer_mut(parent).unwrap() {
                serde_json::Value::Object(m) => {
                    m.insert(key.into(), value.clone());
                }
                serde_json::Value::Array(a) => a.push(value.clone()),
                _ => unreachable!(),
            }
        }
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("plan.json");
        std::fs::write(&p, plan.to_string()).unwrap();
        let out = tmp.path().join("out");
        let o = run(&["export", "--plan", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let kind = c["kind"].as_str().unwrap();
        assert_eq!(o.status.code(), Some(2), "{kind}: {}", text(&o));
        let field = c["field"].as_str().unwrap();
        assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("{field}: ")), "{kind}: {}", text(&o));
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("plan.json")], "{kind}: files left behind");
    }
}

#[test]
fn external_id_is_fresh_each_time() {
    let a = run(&["external-id"]);
    let b = run(&["external-id"]);
    assert_eq!(a.status.code(), Some(0));
    let (a, b) = (String::from_utf8_lossy(&a.stdout).trim().to_string(), String::from_utf8_lossy(&b.stdout).trim().to_string());
    assert!(a.len() >= 32 && a != b);
}

#[test]
fn schema_command_prints_the_shipped_schema() {
    let o = run(&["schema"]);
    let shipped = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/schema/plan.schema.json")).unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), shipped);
}

#[test]
fn lint_reports_sizes_and_exits_zero_when_clean() {
    let plan = fixtures().join("plans/three-clouds.json");
    let o = run(&["lint", "--plan", plan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("info: aws/trust-policy.json:") && text(&o).contains("role trust policy length"), "{}", text(&o));
    let o = run(&["lint", "--plan", plan.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().all(|f| f["severity"] != "error"));
}

/// `verify --json` on the fixture's GCP and Azure sections (its AWS section dropped) with no session
/// bus, so no keyring, in a private HOME under `tmp`: (the plan file written, the output).
fn verify_gcp_azure_without_keyring(fixture: &str, tmp: &Path) -> (PathBuf, Output) {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixtures().join(fixture)).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("aws");
    let plan = tmp.join("plan.json");
    std::fs::write(&plan, v.to_string()).unwrap();
    let o = bin()
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("HOME", tmp)
        .env("XDG_RUNTIME_DIR", tmp)
        .args(["verify", "--plan", plan.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    (plan, o)
}

#[test]
fn verify_covers_gcp_and_azure_and_names_missing_keyring_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, o) = verify_gcp_azure_without_keyring("plans/three-clouds.json", tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["gcp:credentials", "azure:credentials", "gcp:vendor_registration", "azure:vendor_registration"], "{}", text(&o));
    // Not registered with ML cube yet: said, and not counted as proven.
    for p in &v.as_array().unwrap()[2..] {
        assert_eq!(p["status"], "skip", "{p}");
        assert!(p["message"].as_str().unwrap().contains("not registered with ML cube Platform yet"), "{p}");
    }
    for p in &v.as_array().unwrap()[..2] {
        assert_eq!(p["status"], "fail");
        assert!(p["code"].as_str().unwrap().starts_with("keyring."), "{p}");
        assert!(!p["fix"].as_str().unwrap().is_empty());
    }
}

/// The cloud library returns an unreadable `TRUSTBRIDGE_CA_FILE` as a warning (it prints nothing);
/// the CLI shows it on stderr, once, and goes on (no extra CA is trusted).
#[test]
fn an_unreadable_ca_file_is_one_warning_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("plans/three-clouds.json")).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("aws");
    let plan = tmp.path().join("plan.json");
    std::fs::write(&plan, v.to_string()).unwrap();
    let missing = tmp.path().join("no-such-ca.pem");
    let o = bin()
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("HOME", tmp.path())
        .env("XDG_RUNTIME_DIR", tmp.path())
        .env("TRUSTBRIDGE_CA_FILE", &missing)
        .args(["verify", "--plan", plan.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let line = format!("warning: TRUSTBRIDGE_CA_FILE {}", missing.display());
    assert_eq!(err.matches(&line).count(), 1, "{}", text(&o));
    assert!(serde_json::from_slice::<serde_json::Value>(&o.stdout).is_ok(), "stdout stays one JSON document: {}", text(&o));
}

#[test]
fn pack_plans_are_loaded_by_every_plan_command() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("pack.json");
    std::fs::write(&bad, r#"{"version": 1, "pack": "sagemaker-service-role", "variables": {"DATA_BUCKET": "my-training-data"}}"#).unwrap();
    for cmd in ["validate", "lint", "apply", "verify", "revoke"] {
        let o = run(&[cmd, "--plan", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", text(&o));
        assert!(text(&o).contains("variables.AWS_ACCOUNT"), "{cmd}: {}", text(&o));
    }
    let good = fixtures().join("packs/sagemaker-service-role.json");
    let o = bin().env_remove("DBUS_SESSION_BUS_ADDRESS").args(["secrets", "status", "--plan", good.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("is a role-pack plan"), "{}", text(&o));
}

#[test]
fn verify_skips_keyless_clouds_instead_of_asking_for_a_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let (plan, o) = verify_gcp_azure_without_keyring("plans/custom-keyless.json", tmp.path());
    // Every probe skipped: nothing proven, which is not a pass (exit 1; tests/cli_behaviour.rs).
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let got: Vec<(&str, &str)> = v.as_array().unwrap().iter().map(|p| (p["id"].as_str().unwrap(), p["status"].as_str().unwrap())).collect();
    assert_eq!(got, [("gcp:keyless", "skip"), ("azure:keyless", "skip")], "{}", text(&o));
    assert!(v[0]["message"].as_str().unwrap().contains("Workload Identity Federation"));
    assert!(v[1]["message"].as_str().unwrap().contains("admin consent"));
    // And there is nothing to store for them.
    for kind in ["gcp", "azure"] {
        let o = bin()
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .args(["secrets", "set", "--plan", plan.to_str().unwrap(), "--kind", kind])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{kind}: {}", text(&o));
        assert!(text(&o).contains("keyless"), "{kind}: {}", text(&o));
    }
}

#[test]
fn apply_is_lint_gated_and_refuses_before_any_cloud_call() {
    // A vendor profile file (it passes the profile checks) whose GCP project role reads objects on the
    // whole project: a lint error, so nothing is applied — not even the AWS part, and no AWS call is
    // made (the endpoint below is closed: a call would fail with exit 1, not 2).
    let tmp = tempfile::tempdir().unwrap();
    let mut profile: serde_json::Value = serde_json::from_str(include_str!("../../core/profiles/custom.json")).unwrap();
    profile["id"] = "acme".into();
    profile["gcp"]["project_role"] = serde_json::json!({"id": "acmeRead", "title": "Acme read", "description": "reads",
        "permissions": ["storage.buckets.list", "storage.objects.get"]});
    std::fs::write(tmp.path().join("acme.json"), profile.to_string()).unwrap();
    let plan = tmp.path().join("plan.json");
    std::fs::write(
        &plan,
        serde_json::json!({"version": 1, "platform": "./acme.json", "integration": {"name": "A", "project_id": "p"},
            "aws": {"account_id": "123456789012", "region": "us-east-1", "external_id": "ext-id-0123456789",
                    "vendor": {"account_id": "210987654321"}, "storage": [{"bucket": "acme-data"}]},
            "gcp": {"project_id": "my-project", "storage": [{"bucket": "acme-gcs"}]}})
        .to_string(),
    )
    .unwrap();
    // The profile file is unsigned: this test is about its content, so it is allowed explicitly.
    let o = bin()
        .args(["apply", "--plan", plan.to_str().unwrap(), "--allow-unsigned-profile"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("lint.project_object_read") && text(&o).contains("nothing applied"), "{}", text(&o));
    assert!(!text(&o).contains("acting as"), "no AWS call: {}", text(&o));
}

#[test]
fn errors_lists_every_code_of_the_catalogue_with_its_fix() {
    let catalogue = trustbridge_app::errors::catalogue();
    let o = run(&["errors", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("errors --json prints JSON");
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), catalogue.len());
    // Codes from every owner, each with its fix (a sample of what the UI, e2e tests and docs match on).
    for (code, owner) in [
        ("plan.version", "trustbridge-core"),
        ("profile.unsigned", "trustbridge-core"),
        ("validation.<field path>", "trustbridge-core (validation)"),
        ("aws.role_not_ours", "trustbridge-cloud"),
        ("vendor.not_registered", "trustbridge-cloud"),
        ("gcp.permission_missing", "trustbridge-cloud (probe)"),
        ("azure.secret_expired", "trustbridge-cloud (probe)"),
        ("keyring.unavailable", "trustbridge-secrets"),
        ("secrets.gcp.project_mismatch", "trustbridge-secrets"),
        ("apply.cancelled", "trustbridge-app"),
        ("ipc.unavailable", "ui"),
        ("lint.wildcard_action", "trustbridge-core (lint)"),
        ("lint.broad_managed_policy", "trustbridge-core (lint)"),
        ("preflight.scp_denies", "trustbridge-core (pre-flight)"),
        ("preflight.gcp_key_creation_disabled", "trustbridge-core (pre-flight)"),
    ] {
        let item = items.iter().find(|i| i["code"] == code).unwrap_or_else(|| panic!("{code} missing from errors --json"));
        assert_eq!(item["owner"], owner, "{item}");
        assert!(item["fix"].as_str().is_some_and(|f| f.len() > 10), "{item}");
    }
    assert_eq!(items.iter().filter(|i| i["family"] == true).count(), 1);
    // The text form: every code, each followed by its fix.
    let o = run(&["errors"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for e in &catalogue {
        let at = out
            .find(&format!("{}  ({})\n", e.code, e.owner.as_str()))
            .unwrap_or_else(|| panic!("{} missing from `trustbridge errors`", e.code));
        assert!(out[at..].lines().nth(1).is_some_and(|l| l.trim() == e.fix), "{}: its fix follows it", e.code);
    }
    assert!(text(&run(&["--help"])).contains("errors"), "--help lists errors");
}
