//! AWS credential modes a customer uses, through the real binary against a real moto server (issue
//! 16): a named profile in a private `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, a profile
//! whose credentials come from `credential_process`, and the vendor's side through
//! `TRUSTBRIDGE_VENDOR_PROFILE`. Each has a control that fails the same command without it.

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "../../cloud/tests/common/moto.rs"]
mod moto;
use moto::Moto;

const PLAN: &str = r#"{"version":1,"platform":"custom","integration":{"name":"CRED_01","project_id":"demo"},
  "aws":{"account_id":"123456789012","region":"us-east-1","external_id":"Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
  "vendor":{"account_id":"210987654321"},"storage":[{"bucket":"cred-data"}]}}"#;

/// `trustbridge ARGS` with no AWS variable of this process's, only `env`.
fn tb(moto: &Moto, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trustbridge"));
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") || k.starts_with("TRUSTBRIDGE_VENDOR") {
            c.env_remove(k);
        }
    }
    c.env("AWS_ENDPOINT_URL", moto.url()).env("AWS_EC2_METADATA_DISABLED", "true").envs(env.iter().copied());
    c.args(args).stdin(Stdio::null()).output().expect("run trustbridge")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn a_profile_a_credential_process_and_the_vendor_profile_each_work() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan = write(d, "plan.json", PLAN);
    let marker = d.join("process-ran");
    let config = write(
        d,
        "config",
        &format!(
            "[profile customer]\nregion = us-east-1\n\n[profile by-process]\nregion = us-east-1\ncredential_process = /bin/sh -c 'touch {} && printf %s \"{{\\\"Version\\\":1,\\\"AccessKeyId\\\":\\\"testing\\\",\\\"SecretAccessKey\\\":\\\"testing\\\"}}\"'\n\n[profile vendor]\nregion = us-east-1\n",
            marker.display()
        ),
    );
    let creds = write(
        d,
        "credentials",
        "[customer]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n[vendor]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    );
    let files = [("AWS_CONFIG_FILE", config.as_str()), ("AWS_SHARED_CREDENTIALS_FILE", creds.as_str())];
    let with =
        |extra: &[(&'static str, &'static str)]| -> Vec<(&str, &str)> { files.iter().copied().chain(extra.iter().copied()).collect() };

    // Control: no profile and no keys: no credentials, exit 1, nothing acted on.
    let o = tb(&moto, &files, &["apply", "--dry-run", "--plan", &plan]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("aws.no_credentials") || text(&o).contains("no AWS credentials"), "{}", text(&o));

    // A named profile in the private files.
    let o = tb(&moto, &with(&[("AWS_PROFILE", "customer")]), &["apply", "--dry-run", "--plan", &plan]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("acting as arn:aws:") && text(&o).contains("(account 123456789012)"), "{}", text(&o));

    // credential_process: the process runs (its marker) and its keys sign the calls.
    assert!(!marker.exists());
    let o = tb(&moto, &with(&[("AWS_PROFILE", "by-process")]), &["apply", "--plan", &plan]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(marker.exists(), "credential_process ran");

    // The vendor's side: without TRUSTBRIDGE_VENDOR_PROFILE the vendor probes are skipped; with it,
    // the vendor's AssumeRole with the external id runs and passes.
    let verify = |extra: &[(&'static str, &'static str)]| {
        let o = tb(&moto, &with(extra), &["verify", "--json", "--plan", &plan]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
        v.as_array().unwrap().iter().find(|p| p["id"] == "aws:vendor_assume_role").map(|p| p["status"].as_str().unwrap().to_string())
    };
    let without = verify(&[("AWS_PROFILE", "customer")]);
    assert_ne!(without.as_deref(), Some("pass"), "not run without vendor credentials: {without:?}");
    let with_vendor = verify(&[("AWS_PROFILE", "customer"), ("TRUSTBRIDGE_VENDOR_PROFILE", "vendor")]);
    assert_eq!(with_vendor.as_deref(), Some("pass"), "the vendor-side AssumeRole ran");
}
