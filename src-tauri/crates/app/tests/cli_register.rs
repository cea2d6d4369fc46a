//! "Finish the job with the vendor" through the real binary, the real OS keyring (gnome-keyring in a
//! private `dbus-run-session`), a real moto server, and the TEST DOUBLE of ML cube's API
//! (`crates/cloud/tests/doubles/vendor_api.rs`, built from the `ml3-platform-sdk` models):
//!
//! API key and credentials stored → `register --dry-run` sends nothing → `apply` registers the role,
//! records the external id ML cube issued, and creates the role with exactly that trust (read back
//! by boto3, not by our code) → `verify` green with the registration probe → a second `apply` and
//! `register` change nothing → a hostile trust policy from the vendor is refused (no role) → the GCP
//! key and the Azure JSON arrive as stored → `revoke` deletes role and registrations → the API key,
//! client secret and private key are on disk 0 times (a planted control is found first).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "session/mod.rs"]
mod session;
use session::{files, gcp_key_json, hits, private_home, run_stdin, text};

#[path = "../../cloud/tests/common/moto.rs"]
mod moto;

#[path = "../../cloud/tests/doubles/vendor_api.rs"]
mod vendor_api;

const GUARD: &str = "TRUSTBRIDGE_CLI_REGISTER_TEST_HOME";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const APP: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

#[test]
fn sealed_hand_off_opens_only_for_the_vendor_and_leaves_no_plaintext() {
    let (_home, env) = private_home(GUARD);
    session::run_inner("inner_sealed_export", &env, Duration::from_secs(180));
}

#[test]
fn register_apply_verify_revoke_with_the_vendor_api_in_the_real_keyring() {
    let (_home, env) = private_home(GUARD);
    session::run_inner("inner_register_flow", &env, Duration::from_secs(300));
}

fn plan(home: &Path, file: &str, name: &str, api: &str, body: serde_json::Value) -> PathBuf {
    let mut v = serde_json::json!({"version": 1, "platform": "mlcube",
        "integration": {"name": name, "project_id": "proj-1", "default": true, "api_url": api}});
    for (k, x) in body.as_object().unwrap() {
        v[k] = x.clone();
    }
    let p = home.join("work").join(file);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    p
}

fn aws_section(role: &str) -> serde_json::Value {
    serde_json::json!({"aws": {"account_id": "123456789012", "region": "us-east-1", "role_name": role,
        "storage": [{"bucket": "reg-data"}], "events": [{"event_bus_name": "reg-events"}]}})
}

/// The trustbridge binary with the session's environment and moto's endpoint.
fn tb(env: &[(String, String)], moto: &str, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trustbridge"));
    c.env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", moto)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("TRUSTBRIDGE_VENDOR_API_URL")
        .args(args)
        .stdin(Stdio::null());
    c.output().expect("run trustbridge")
}

/// The role's trust policy as boto3 reads it from moto (an outside reader), or None when absent.
fn role_trust(moto: &str, role: &str) -> Option<serde_json::Value> {
    let script = "import boto3,json,sys\n\
        iam=boto3.client('iam',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='testing',aws_secret_access_key='testing')\n\
        try:\n  print(json.dumps(iam.get_role(RoleName=sys.argv[2])['Role']['AssumeRolePolicyDocument']))\n\
        except iam.exceptions.NoSuchEntityException:\n  print('null')\n";
    let o = Command::new("python3").args(["-c", script, moto, role]).output().expect("python3 with boto3 (installed with moto)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The customer's bucket and event bus, made with boto3 before the test.
fn seed(moto: &str) {
    let script = "import boto3,sys\n\
        kw=dict(endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='testing',aws_secret_access_key='testing')\n\
        boto3.client('s3',**kw).create_bucket(Bucket='reg-data')\n\
        boto3.client('events',**kw).create_event_bus(Name='reg-events')\n";
    let o = Command::new("python3").args(["-c", script, moto]).output().expect("python3 with boto3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn plan_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
#[ignore = "run by register_apply_verify_revoke_with_the_vendor_api_in_the_real_keyring inside a private D-Bus session"]
fn inner_register_flow() {
    let home = PathBuf::from(std::env::var(GUARD).expect("run through the outer test"));
    let env: Vec<(String, String)> = std::env::vars().collect();
    let nonce = format!("{}{}", std::process::id(), Instant::now().elapsed().as_nanos());
    let api_key = format!("CANARY-apikey-{nonce}-0123456789");
    let client_secret = format!("CANARY-azsecret-{nonce}");
    let gcp = gcp_key_json();
    let pem_line: String =
        serde_json::from_str::<serde_json::Value>(&gcp).unwrap()["private_key"].as_str().unwrap().lines().nth(4).unwrap().into();

    let moto = moto::Moto::start();
    let m = moto.url();
    seed(&m);
    let api = vendor_api::VendorApi::start(&api_key, "883313729965", &["proj-1"]);
    let mut outputs = Vec::new();
    let ok = |o: Output, outputs: &mut Vec<Output>| -> String {
        let t = text(&o);
        assert_eq!(o.status.code(), Some(0), "{t}");
        outputs.push(o);
        t
    };

    // --- AWS: one apply registers, records ML cube's external id, and creates the role with it.
    let aws = plan(&home, "aws.json", "TB_AWS", &api.url, aws_section("mlcube-reg"));
    let p = aws.to_str().unwrap();
    ok(run_stdin(&env, &["secrets", "set", "--plan", p, "--kind", "vendor-api-key"], &api_key), &mut outputs);
    let t = ok(tb(&env, &m, &["secrets", "status", "--plan", p]), &mut outputs);
    assert!(t.contains("TB_AWS vendor-api-key: stored (key sha256:"), "{t}");

    let before = std::fs::read(&aws).unwrap();
    let t = ok(tb(&env, &m, &["register", "--plan", p, "--dry-run"]), &mut outputs);
    assert!(t.contains("~ aws: would register the role"), "{t}");
    let t = ok(tb(&env, &m, &["apply", "--plan", p, "--dry-run"]), &mut outputs);
    assert!(t.contains("would register role arn:aws:iam::123456789012:role/mlcube-reg at ML cube Platform first"), "{t}");
    assert!(api.registrations().is_empty() && role_trust(&m, "mlcube-reg").is_none(), "a dry run changes nothing");
    assert_eq!(std::fs::read(&aws).unwrap(), before, "a dry run leaves the plan as it was");

    let started = Instant::now();
    let t = ok(tb(&env, &m, &["apply", "--plan", p]), &mut outputs);
    eprintln!("register + apply, whole process: {} ms", started.elapsed().as_millis());
    assert!(t.contains("+ aws: registered role") && t.contains("applied"), "{t}");
    let regs = api.registrations();
    assert_eq!(regs.len(), 1);
    let minted: serde_json::Value = serde_json::from_str(regs[0]["_trust_policy"].as_str().unwrap()).unwrap();
    let issued = minted["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"].as_str().unwrap().to_string();
    let recorded = plan_json(&aws);
    assert_eq!(recorded["aws"]["external_id"], issued.as_str());
    assert_eq!(recorded["aws"]["vendor_credentials_id"], regs[0]["credentials_id"]);
    let trust = role_trust(&m, "mlcube-reg").expect("the role exists");
    let st = &trust["Statement"][0];
    assert_eq!(trust["Statement"].as_array().unwrap().len(), 1, "{trust}");
    assert_eq!(st["Principal"]["AWS"], "arn:aws:iam::883313729965:root", "{trust}");
    assert_eq!(st["Condition"]["StringEquals"]["sts:ExternalId"], issued.as_str(), "{trust}");

    let t = ok(tb(&env, &m, &["verify", "--plan", p, "--json"]), &mut outputs);
    let probes: serde_json::Value =
        serde_json::from_str(&String::from_utf8_lossy(&outputs.last().unwrap().stdout)).unwrap_or_else(|_| panic!("{t}"));
    let reg = probes.as_array().unwrap().iter().find(|x| x["id"] == "aws:vendor_registration").unwrap_or_else(|| panic!("{probes}"));
    assert_eq!(reg["status"], "pass", "{reg}");
    assert!(reg["message"].as_str().unwrap().contains("registered at ML cube Platform as 'TB_AWS' (the default)"), "{reg}");

    let posts = || api.requests().iter().filter(|q| q.method == "POST").count();
    let n = posts();
    let t = ok(tb(&env, &m, &["apply", "--plan", p]), &mut outputs);
    assert!(t.contains("no changes"), "a second apply is a no-op: {t}");
    let t = ok(tb(&env, &m, &["register", "--plan", p]), &mut outputs);
    assert!(t.contains("= aws: already registered"), "{t}");
    assert_eq!(posts(), n, "nothing registered twice");

    // --- A vendor answer that would widen the trust is refused: no role, no registration left.
    api.set_hostile(vendor_api::Hostile::WildcardPrincipal);
    let evil = plan(&home, "evil.json", "TB_EVIL", &api.url, aws_section("mlcube-evil"));
    ok(run_stdin(&env, &["secrets", "set", "--plan", evil.to_str().unwrap(), "--kind", "vendor-api-key"], &api_key), &mut outputs);
    let o = tb(&env, &m, &["apply", "--plan", evil.to_str().unwrap()]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("error [vendor.trust_refused]") && t.contains("\"Principal\": \"*\""), "the document is shown: {t}");
    assert!(role_trust(&m, "mlcube-evil").is_none(), "no role was created");
    assert_eq!(api.registrations().len(), 1, "the refused registration was deleted");
    assert!(plan_json(&evil)["aws"].get("external_id").is_none());
    outputs.push(o);
    api.set_hostile(vendor_api::Hostile::None);

    // --- GCP and Azure: the key and the JSON go from the keyring to the API as stored.
    let keys = plan(
        &home,
        "keys.json",
        "TB_KEYS",
        &api.url,
        serde_json::json!({
            "gcp": {"project_id": "my-project", "storage": [{"bucket": "reg-gcs"}]},
            "azure": {"tenant_id": TENANT, "subscription_id": "0b1f6471-1bf0-4dda-aec3-cb9272f09590", "resource_group": "rg",
                      "storage": [{"storage_account": "regacct", "container": "regcont"}]}}),
    );
    let k = keys.to_str().unwrap();
    let az = serde_json::json!({"appId": APP, "displayName": "ML3PlatformSP", "password": client_secret, "tenant": TENANT}).to_string();
    ok(run_stdin(&env, &["secrets", "set", "--plan", k, "--kind", "vendor-api-key"], &api_key), &mut outputs);
    ok(run_stdin(&env, &["secrets", "set", "--plan", k, "--kind", "gcp"], &gcp), &mut outputs);
    ok(run_stdin(&env, &["secrets", "set", "--plan", k, "--kind", "azure"], &az), &mut outputs);
    let t = ok(tb(&env, &m, &["register", "--plan", k]), &mut outputs);
    assert!(t.contains("+ gcp: sent the key") && t.contains("+ azure: sent service principal"), "{t}");
    let regs = api.registrations();
    let sent = |kind: &str| regs.iter().find(|r| r["type"] == kind).unwrap()["_request"].clone();
    assert_eq!(sent("gcp")["account_info"], serde_json::from_str::<serde_json::Value>(&gcp).unwrap());
    assert_eq!(sent("azure")["credentials"]["password"], client_secret.as_str());
    assert_eq!(sent("azure")["credentials"]["app_id"], APP);
    let recorded = plan_json(&keys);
    assert!(recorded["gcp"]["vendor_credentials_id"].is_string() && recorded["azure"]["vendor_credentials_id"].is_string(), "{recorded}");

    // The export's hand-off names the registrations and holds no secret.
    let out = home.join("export");
    ok(tb(&env, &m, &["export", "--plan", k, "--out", out.to_str().unwrap()]), &mut outputs);
    let handoff = std::fs::read_to_string(out.join("handoff.json")).unwrap();
    assert!(handoff.contains(recorded["gcp"]["vendor_credentials_id"].as_str().unwrap()), "{handoff}");

    // --- Revoke: role and registrations go; the plans forget the ids.
    let t = ok(tb(&env, &m, &["revoke", "--plan", p]), &mut outputs);
    assert!(t.contains("- aws: deleted at ML cube Platform"), "{t}");
    assert!(role_trust(&m, "mlcube-reg").is_none(), "the role was deleted");
    let t = ok(tb(&env, &m, &["revoke", "--plan", k]), &mut outputs);
    assert!(t.contains("- gcp: deleted") && t.contains("- azure: deleted"), "{t}");
    assert!(api.registrations().is_empty(), "{:?}", api.registrations());
    assert!(plan_json(&aws)["aws"].get("external_id").is_none() && plan_json(&aws)["aws"].get("vendor_credentials_id").is_none());

    // --- The canary search: a planted control first, so a broken search cannot pass.
    std::fs::write(home.join("tmp/control"), &api_key).unwrap();
    assert_eq!(hits(&home, &api_key).len(), 1, "the search finds a planted canary");
    std::fs::remove_file(home.join("tmp/control")).unwrap();
    for needle in [api_key.as_str(), client_secret.as_str(), pem_line.as_str()] {
        let found = hits(&home, needle);
        assert!(found.is_empty(), "secret found on disk in {found:?}");
        for o in &outputs {
            assert!(!text(o).contains(needle), "secret printed: {}", text(o));
        }
    }
    assert!(files(&home).len() > 5, "the session's files were searched");
}

#[test]
#[ignore = "run by sealed_hand_off_opens_only_for_the_vendor_and_leaves_no_plaintext inside a private D-Bus session"]
fn inner_sealed_export() {
    use std::io::Read;
    let home = PathBuf::from(std::env::var(GUARD).expect("run through the outer test"));
    let env: Vec<(String, String)> = std::env::vars().collect();
    // The vendor's identity stays in this test (the vendor's side); its public key goes in the profile.
    let vendor = age::x25519::Identity::generate();
    let mut profile: serde_json::Value = serde_json::from_str(include_str!("../../core/profiles/custom.json")).unwrap();
    profile["id"] = "acme-ml".into();
    profile["display_name"] = "Acme ML".into();
    profile["handoff"]["seal_to"] = vendor.to_public().to_string().into();
    std::fs::create_dir_all(home.join("work")).unwrap();
    std::fs::write(home.join("work/acme.json"), profile.to_string()).unwrap();
    // The vendor signs its profile; the customer trusts the vendor's public key for these runs.
    let signing = trustbridge_core::profile_trust::generate_key_pair(None).unwrap();
    let sig = trustbridge_core::profile_trust::sign(profile.to_string().as_bytes(), &signing.secret_key_file, None, "acme").unwrap();
    std::fs::write(home.join("work/acme.json.minisig"), sig.signature_file).unwrap();
    std::fs::write(home.join("work/acme.pub"), &signing.public_key_file).unwrap();
    let vendor_key = home.join("work/acme.pub");
    let vendor_key = vendor_key.to_str().unwrap();
    let plan = home.join("work/sealed.json");
    std::fs::write(
        &plan,
        serde_json::json!({"version": 1, "platform": "./acme.json", "integration": {"name": "TB_SEAL", "project_id": "p1"},
            "gcp": {"project_id": "my-project", "service_account": "ml3-platform-sa", "storage": [{"bucket": "reg-gcs"}]},
            "azure": {"tenant_id": TENANT, "subscription_id": "0b1f6471-1bf0-4dda-aec3-cb9272f09590", "resource_group": "rg",
                      "storage": [{"storage_account": "regacct", "container": "regcont"}]}})
        .to_string(),
    )
    .unwrap();
    let p = plan.to_str().unwrap();
    let secret = format!("CANARY-sealed-{}", std::process::id());
    let gcp = gcp_key_json();
    let pem_line: String =
        serde_json::from_str::<serde_json::Value>(&gcp).unwrap()["private_key"].as_str().unwrap().lines().nth(4).unwrap().into();
    let az = serde_json::json!({"appId": APP, "displayName": "AcmeSP", "password": secret, "tenant": TENANT}).to_string();
    let mut outputs = Vec::new();
    for (kind, secret_text) in [("gcp", &gcp), ("azure", &az)] {
        let o = run_stdin(&env, &["secrets", "set", "--plan", p, "--trust-profile-key", vendor_key, "--kind", kind], secret_text);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        outputs.push(o);
    }
    let out = home.join("export");
    let o = tb(
        &env,
        "http://127.0.0.1:9",
        &["export", "--plan", p, "--trust-profile-key", vendor_key, "--out", out.to_str().unwrap(), "--seal-credentials"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    outputs.push(o);

    // The vendor opens it with its identity: the stored credentials, as stored.
    let armored = std::fs::read_to_string(out.join("credentials.age")).unwrap();
    assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    let d = age::Decryptor::new(age::armor::ArmoredReader::new(armored.as_bytes())).unwrap();
    let mut opened = String::new();
    d.decrypt(std::iter::once(&vendor as &dyn age::Identity)).unwrap().read_to_string(&mut opened).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&opened).unwrap();
    assert_eq!(doc["gcp"], serde_json::from_str::<serde_json::Value>(&gcp).unwrap());
    assert_eq!(doc["azure"]["password"], secret.as_str());
    assert_eq!((doc["platform"].as_str(), doc["integration"].as_str()), (Some("acme-ml"), Some("TB_SEAL")));
    // Anyone else cannot.
    let other = age::x25519::Identity::generate();
    let d = age::Decryptor::new(age::armor::ArmoredReader::new(armored.as_bytes())).unwrap();
    assert!(d.decrypt(std::iter::once(&other as &dyn age::Identity)).is_err());
    // The hand-off says what is sealed to whom; SUMMARY.md too.
    let handoff: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("handoff.json")).unwrap()).unwrap();
    assert_eq!(handoff["sealed_credentials"]["recipient"], vendor.to_public().to_string());
    assert_eq!(handoff["sealed_credentials"]["contains"], serde_json::json!(["gcp", "azure"]));
    assert_eq!(
        (handoff["profile_origin"]["origin"].as_str(), handoff["profile_origin"]["key_id"].as_str()),
        (Some("signed"), Some(signing.key_id.as_str()))
    );
    assert!(std::fs::read_to_string(out.join("SUMMARY.md")).unwrap().contains("only Acme ML can read it"));

    // A profile without a public key: refused, nothing written.
    let plain = home.join("work/plain.json");
    std::fs::write(&plain, std::fs::read_to_string(&plan).unwrap().replace("./acme.json", "custom")).unwrap();
    let o = tb(
        &env,
        "http://127.0.0.1:9",
        &["export", "--plan", plain.to_str().unwrap(), "--out", home.join("export2").to_str().unwrap(), "--seal-credentials"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("seal.no_vendor_key") && !home.join("export2").exists());

    // The plaintext is nowhere on disk (a planted control is found first), nor in any output.
    std::fs::write(home.join("tmp/control"), &secret).unwrap();
    assert_eq!(hits(&home, &secret).len(), 1);
    std::fs::remove_file(home.join("tmp/control")).unwrap();
    for needle in [secret.as_str(), pem_line.as_str()] {
        assert!(hits(&home, needle).is_empty(), "{needle} on disk: {:?}", hits(&home, needle));
        for o in &outputs {
            assert!(!text(o).contains(needle));
        }
    }
}
