//! `trustbridge apply / verify / revoke` as a user runs them, against a real moto server started
//! and stopped (by PID) here. Without moto this FAILS, saying how to install it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "../../cloud/tests/common/moto.rs"]
mod moto;
use moto::Moto;

const VENDOR_SECRET: &str = "vendor-secret-must-never-be-printed";

fn trustbridge(endpoint: &str, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trustbridge"));
    c.args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("TRUSTBRIDGE_VENDOR_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .stdin(Stdio::null());
    c.output().expect("run trustbridge")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn write_plan(dir: &Path, aws: bool) -> PathBuf {
    let p = dir.join(if aws { "plan.json" } else { "gcp-only.json" });
    let body = if aws {
        r#"{"version":1,"platform":"mlcube","integration":{"name":"AWS_01","project_id":"demo"},
           "aws":{"account_id":"123456789012","region":"us-east-1","external_id":"Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
           "storage":[{"bucket":"cli-data"}],"events":[{"event_bus_name":"cli-events"}]}}"#
    } else {
        r#"{"version":1,"platform":"mlcube","integration":{"name":"G","project_id":"demo"},
           "gcp":{"project_id":"my-project","storage":[{"bucket":"my-bucket"}]}}"#
    };
    std::fs::write(&p, body).unwrap();
    p
}

/// moto's dummy credentials against `endpoint`, for seeding and reading back from the test itself.
fn moto_settings(endpoint: &str) -> trustbridge_cloud::aws::AwsSettings {
    trustbridge_cloud::aws::AwsSettings {
        endpoint_url: Some(endpoint.into()),
        credentials: Some(trustbridge_cloud::aws::Credentials::new("testing", "testing", None, None, "test")),
        ..Default::default()
    }
}

fn seed(endpoint: &str) {
    let plan = trustbridge_core::Plan::from_json(
        r#"{"version":1,"platform":"mlcube","integration":{"name":"AWS_01","project_id":"demo"},
           "aws":{"account_id":"123456789012","region":"us-east-1","external_id":"Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
           "storage":[{"bucket":"cli-data"}],"events":[{"event_bus_name":"cli-events"}]}}"#,
    )
    .unwrap();
    let r = trustbridge_core::validate(&plan, None).unwrap();
    let settings = moto_settings(endpoint);
    let rt = trustbridge_cloud::runtime().unwrap();
    rt.block_on(async {
        let s = trustbridge_cloud::aws::Session::connect(r.aws.as_ref().unwrap(), &settings).await;
        s.s3.create_bucket().bucket("cli-data").send().await.expect("create bucket");
        s.events.create_event_bus().name("cli-events").send().await.expect("create bus");
    });
}

#[test]
fn apply_verify_revoke_from_the_command_line_with_exit_codes() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(dir.path(), true);
    let p = plan.to_str().unwrap();
    let url = moto.url();
    seed(&url);

    // Invalid input: exit 2, nothing done.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"version":1,"platform":"mlcube","integration":{"name":"x","project_id":"y"},"aws":{"account_id":"12","region":"eu-west-1","storage":[]}}"#).unwrap();
    for cmd in ["apply", "verify", "revoke"] {
        let o = trustbridge(&url, &[cmd, "--plan", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {:?}", text(&o));
        assert!(text(&o).1.contains("aws.account_id"), "{cmd}: {:?}", text(&o));
    }
    let gcp_only = write_plan(dir.path(), false);
    let o = trustbridge(&url, &["apply", "--plan", gcp_only.to_str().unwrap(), "--cloud", "aws"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("no 'aws' section"));

    let o = trustbridge(&url, &["apply", "--plan", p, "--dry-run"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("acting as arn:aws:") && out.contains("(account 123456789012)"), "{out}");
    assert!(out.contains("dry run: would make 3 change(s)") && out.contains("nothing was changed"), "{out}");

    let o = trustbridge(&url, &["apply", "--plan", p]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("applied 3 change(s); role ARN: arn:aws:iam::123456789012:role/mlcube-platform-access"), "{out}");
    let o = trustbridge(&url, &["apply", "--plan", p]);
    assert!(text(&o).0.contains("no changes"), "{:?}", text(&o));

    let o = trustbridge(&url, &["verify", "--plan", p]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    // The sixth-plus-one probe: the registration with ML cube, not made in this test (skipped, said so).
    // moto has no policy simulator: the permissions probe is checked only partly, and says what not.
    assert!(out.contains("connectivity test passed only partly (see the probes marked part): 5 of 7 probes ok, 1 checked only partly, 0 failing, 1 skipped"), "{out}");
    assert!(out.contains("part aws:permissions") && out.contains("     not checked: whether a permissions boundary"), "{out}");
    assert!(out.contains("skip aws:vendor_registration"), "{out}");

    let o = trustbridge(&url, &["verify", "--plan", p, "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("verify --json prints JSON");
    let probes: Vec<&serde_json::Value> = v.as_array().unwrap().iter().filter(|p| p["id"] != "aws:vendor_registration").collect();
    assert_eq!(probes.len(), 6);
    for pr in probes {
        let keys: Vec<&str> = pr.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(&keys[..5], ["id", "status", "duration_ms", "message", "fix"], "{pr}");
        assert_eq!(pr["status"], if pr["id"] == "aws:permissions" { "partial" } else { "pass" }, "{pr}");
    }

    let o = trustbridge(&url, &["revoke", "--plan", p]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("role arn:aws:iam::123456789012:role/mlcube-platform-access deleted"), "{out}");

    let o = trustbridge(&url, &["verify", "--plan", p, "--json"]);
    assert_eq!(o.status.code(), Some(1), "a failing probe exits 1");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let failing: Vec<&str> = v.as_array().unwrap().iter().filter(|x| x["status"] == "fail").map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(failing, ["aws:role_exists"]);
}

#[test]
fn a_black_holed_endpoint_fails_within_the_timeout_and_never_prints_a_secret() {
    let hole = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", hole.local_addr().unwrap());
    // Accept and hold connections; never answer.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in hole.incoming().take(64) {
            held.push(c);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(dir.path(), true);
    let start = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_trustbridge"))
        .args(["verify", "--plan", plan.to_str().unwrap(), "--timeout", "1", "--json"])
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", &url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "customer-secret-never-printed")
        .env("TRUSTBRIDGE_VENDOR_ACCESS_KEY_ID", "vendor")
        .env("TRUSTBRIDGE_VENDOR_SECRET_ACCESS_KEY", VENDOR_SECRET)
        .output()
        .unwrap();
    let wall = start.elapsed();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(wall < Duration::from_secs(4), "verify took {wall:?} with a 1 s timeout");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for p in v.as_array().unwrap() {
        if p["status"] == "fail" {
            assert_eq!(p["code"], "aws.timeout", "{p}");
            assert!(p["duration_ms"].as_u64().unwrap() <= 1700, "{p}");
        }
    }
    assert!(!out.contains(VENDOR_SECRET) && !err.contains(VENDOR_SECRET));
    assert!(!out.contains("customer-secret-never-printed") && !err.contains("customer-secret-never-printed"));
}

/// An existing role trustbridge did not create, named as the plan's role: untagged, trusted by the
/// account's admins, holding `*:*` inline and AdministratorAccess attached.
fn untagged_admin_role(endpoint: &str) {
    let settings = moto_settings(endpoint);
    let plan = trustbridge_core::Plan::from_json(
        r#"{"version":1,"platform":"mlcube","integration":{"name":"AWS_01","project_id":"demo"},
           "aws":{"account_id":"123456789012","region":"us-east-1","external_id":"Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
           "storage":[{"bucket":"cli-data"}]}}"#,
    )
    .unwrap();
    let r = trustbridge_core::validate(&plan, None).unwrap();
    let rt = trustbridge_cloud::runtime().unwrap();
    rt.block_on(async {
        let s = trustbridge_cloud::aws::Session::connect(r.aws.as_ref().unwrap(), &settings).await;
        s.iam.create_role().role_name("mlcube-platform-access").assume_role_policy_document(OPS_TRUST).send().await.expect("create role");
        s.iam
            .put_role_policy()
            .role_name("mlcube-platform-access")
            .policy_name("admin")
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
            .send()
            .await
            .expect("put admin policy");
        s.iam
            .attach_role_policy()
            .role_name("mlcube-platform-access")
            .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
            .send()
            .await
            .expect("attach AdministratorAccess");
    });
}

const OPS_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

#[test]
fn apply_refuses_a_role_it_did_not_create_and_adopt_dry_run_lists_what_it_grants() {
    let moto = Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(dir.path(), true);
    let p = plan.to_str().unwrap();
    let url = moto.url();
    seed(&url);
    untagged_admin_role(&url);

    for args in [vec!["apply", "--plan", p], vec!["apply", "--plan", p, "--dry-run"]] {
        let o = trustbridge(&url, &args);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {out}{err}");
        assert!(
            err.contains("error [aws.role_not_ours]: role mlcube-platform-access already exists and is not tagged managed-by=trustbridge"),
            "{err}"
        );
        assert!(err.contains("fix: choose another aws.role_name") && err.contains("--adopt"), "{err}");
        assert!(!out.contains("applied") && !err.contains("not done:"), "{out}{err}");
    }
    // A plan whose vendor issues the external id is refused before anything is registered there.
    let pending = dir.path().join("pending.json");
    std::fs::write(
        &pending,
        r#"{"version":1,"platform":"mlcube","integration":{"name":"AWS_01","project_id":"demo"},
           "aws":{"account_id":"123456789012","region":"us-east-1","storage":[{"bucket":"cli-data"}]}}"#,
    )
    .unwrap();
    let o = trustbridge(&url, &["apply", "--plan", pending.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("error [aws.role_not_ours]") && !err.contains("vendor."), "{err}");

    let o = trustbridge(&url, &["apply", "--plan", p, "--adopt", "--dry-run"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("already has 2 policy(ies):"), "{out}");
    assert!(out.contains("  inline policy admin\n      Allow * on *\n"), "{out}");
    assert!(out.contains("  managed policy arn:aws:iam::aws:policy/AdministratorAccess (AWS-managed)\n"), "{out}");
    assert!(out.contains("warning: inline policy admin grants more than the plan: every action ('*'), every resource ('*')"), "{out}");
    assert!(out.contains("warning: AWS-managed policy AdministratorAccess is attached: full administrator rights"), "{out}");
    assert!(out.contains("~ tag role mlcube-platform-access") && out.contains("nothing was changed"), "{out}");
    // Still not ours: the dry run tagged nothing.
    let o = trustbridge(&url, &["apply", "--plan", p, "--dry-run"]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));

    let o = trustbridge(&url, &["apply", "--help"]);
    assert!(text(&o).0.contains("--adopt"), "{:?}", text(&o));
}

/// `revoke --force`, through the CLI: a role made by hand for the vendor (its trust names only the
/// vendor, no tags), adopted; plain `revoke` refuses to leave it with an empty trust (exit 1,
/// nothing removed, the fix names --force); `revoke --force` deletes it.
#[test]
fn revoke_force_deletes_an_adopted_role_that_trusts_only_the_vendor_and_plain_revoke_does_not() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(dir.path(), true);
    let p = plan.to_str().unwrap();
    let url = moto.url();
    seed(&url);
    let r =
        trustbridge_core::validate(&trustbridge_core::Plan::from_json(&std::fs::read_to_string(&plan).unwrap()).unwrap(), None).unwrap();
    let a = r.aws.as_ref().unwrap();
    let settings = moto_settings(&url);
    let rt = trustbridge_cloud::runtime().unwrap();
    let role_exists = || {
        rt.block_on(async {
            let s = trustbridge_cloud::aws::Session::connect(a, &settings).await;
            s.iam.get_role().role_name(&a.role_name).send().await.is_ok()
        })
    };
    rt.block_on(async {
        let s = trustbridge_cloud::aws::Session::connect(a, &settings).await;
        let trust = trustbridge_core::render::aws::trust_policy(a).to_pretty_json();
        s.iam.create_role().role_name(&a.role_name).assume_role_policy_document(trust).send().await.expect("create role");
    });
    let o = trustbridge(&url, &["apply", "--plan", p, "--adopt"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));

    let o = trustbridge(&url, &["revoke", "--plan", p, "--keep-registration"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("aws.adopted_role_trusts_only_vendor") && err.contains("--force"), "{err}");
    assert!(role_exists(), "plain revoke removed nothing");

    let o = trustbridge(&url, &["revoke", "--plan", p, "--keep-registration", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(!role_exists(), "revoke --force deleted the role");
}

/// `trustbridge preflight` and the gate before `apply`: an event bus policy that denies the role
/// PutEvents is found (exit 1, text and JSON), apply is refused before any change unless
/// `--ignore-preflight`, and without the policy pre-flight finds nothing (exit 0).
#[test]
fn preflight_finds_a_denying_bus_policy_and_apply_refuses_until_told_otherwise() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(dir.path(), true);
    let p = plan.to_str().unwrap();
    let url = moto.url();
    seed(&url);

    let o = trustbridge(&url, &["preflight", "--plan", p]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains("checked: bucket policy of cli-data: none") && out.contains("checked: event bus policy of cli-events: none"),
        "{out}"
    );
    assert!(out.contains("info     [preflight.scp_not_applicable]") && out.contains("pre-flight: nothing found that would deny"), "{out}");

    let settings = moto_settings(&url);
    trustbridge_cloud::runtime().unwrap().block_on(async {
        let s = trustbridge_cloud::aws::Session::for_region("us-east-1", &settings).await;
        let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoOutsiders","Effect":"Deny","Principal":"*","Action":"events:PutEvents","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0123"}}}]}"#;
        s.events.put_permission().event_bus_name("cli-events").policy(deny).send().await.expect("bus policy");
    });

    let o = trustbridge(&url, &["preflight", "--plan", p]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("BLOCKING [preflight.bus_policy_denies]") && out.contains("NoOutsiders"), "{out}");
    assert!(out.contains("fix: Exempt the role from statement NoOutsiders") && out.contains("pre-flight: 1 blocking"), "{out}");
    let o = trustbridge(&url, &["preflight", "--plan", p, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let codes: Vec<&str> = json["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["preflight.scp_not_applicable", "preflight.bus_policy_denies"], "{json}");
    assert_eq!(json["findings"][1]["severity"], "blocking");
    assert_eq!(json["findings"][1]["account_id"], "123456789012");

    let o = trustbridge(&url, &["apply", "--plan", p]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("error [aws.preflight_blocked]") && err.contains("--ignore-preflight"), "{err}");
    let o = trustbridge(&url, &["apply", "--plan", p, "--dry-run"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0), "a dry run shows the findings and the changes: {out}");
    assert!(
        out.contains("BLOCKING [preflight.bus_policy_denies]") && out.contains("dry run: would make 3 change(s)"),
        "nothing was applied: {out}"
    );

    let o = trustbridge(&url, &["apply", "--plan", p, "--ignore-preflight"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("BLOCKING [preflight.bus_policy_denies]") && out.contains("applied 3 change(s)"), "{out}");
}
