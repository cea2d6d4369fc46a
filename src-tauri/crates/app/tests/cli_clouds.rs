//! `trustbridge apply` / `revoke` on a plan's Google Cloud and Azure sections, the real binary:
//! - Google Cloud signed in with an authorized user's Application Default Credentials file, against
//!   the marked TEST DOUBLE of Google's IAM, Resource Manager, Storage-IAM and Pub/Sub-IAM endpoints
//!   (cloud/tests/doubles/gcp_iam.rs);
//! - Azure signed in as the environment's service principal, and through the Azure CLI (a TEST
//!   DOUBLE `az` script, written here, that prints `az account get-access-token`'s documented JSON),
//!   against the marked TEST DOUBLE of Entra ID, Microsoft Graph and Resource Manager role
//!   assignments (cloud/tests/doubles/azure_arm.rs).
//!
//! No emulator of these APIs exists here.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::json;

#[path = "session/mod.rs"]
mod session;

// gcp_iam.rs reaches the server as `super::server`: both at the crate root here.
#[path = "../../cloud/tests/doubles/azure_arm.rs"]
mod azure_arm;
#[path = "../../cloud/tests/doubles/gcp_iam.rs"]
mod gcp_iam;
#[path = "../../cloud/tests/doubles/server.rs"]
mod server;
use gcp_iam::{gcp_iam_double, CLIENT_SECRET, REFRESH_TOKEN};

const SA: &str = "ml3-platform-sa@my-project.iam.gserviceaccount.com";
const MEMBER: &str = "serviceAccount:ml3-platform-sa@my-project.iam.gserviceaccount.com";

fn trustbridge(url: &str, adc: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustbridge"))
        .args(args)
        .env("GOOGLE_APPLICATION_CREDENTIALS", adc)
        .env("TRUSTBRIDGE_GCP_TOKEN_URI", format!("{url}/token"))
        .env("TRUSTBRIDGE_GCP_IAM_ENDPOINT", url)
        .env("TRUSTBRIDGE_GCP_RESOURCE_MANAGER_ENDPOINT", url)
        .env("TRUSTBRIDGE_GCP_ORG_POLICY_ENDPOINT", url)
        .env("TRUSTBRIDGE_GCP_ASSET_ENDPOINT", url)
        .env("STORAGE_EMULATOR_HOST", url)
        .env("PUBSUB_EMULATOR_HOST", url)
        .stdin(Stdio::null())
        .output()
        .expect("run trustbridge")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn apply_dry_run_apply_rerun_and_revoke_on_google_cloud() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let d = rt.block_on(gcp_iam_double("my-project"));
    {
        let mut s = d.state.lock().unwrap();
        s.add_bucket("training", json!([{"role": "roles/storage.objectViewer", "members": ["user:alice@example.com"]}]));
        s.add_topic("retrain", json!([]));
    }
    let url = d.double.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let adc = dir.path().join("adc.json");
    let file = json!({"type": "authorized_user", "client_id": "c.apps.googleusercontent.com", "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN, "account": "admin@example.com"});
    std::fs::write(&adc, file.to_string()).unwrap();
    let plan = dir.path().join("plan.json");
    let p = json!({"version": 1, "platform": "mlcube", "integration": {"name": "TB_01", "project_id": "x"},
                   "gcp": {"project_id": "my-project", "service_account": "ml3-platform-sa", "storage": [{"bucket": "training"}], "events": [{"topic": "retrain"}]}});
    std::fs::write(&plan, p.to_string()).unwrap();
    let plan = plan.to_str().unwrap();
    let no_secret = |o: &Output| {
        let (out, err) = text(o);
        assert!(
            !out.contains(REFRESH_TOKEN) && !err.contains(REFRESH_TOKEN) && !out.contains(CLIENT_SECRET) && !err.contains(CLIENT_SECRET),
            "{out}{err}"
        );
    };

    let o = trustbridge(&url, &adc, &["apply", "--plan", plan, "--dry-run"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("Google Cloud: acting as admin@example.com"), "{out}");
    assert!(out.contains(&format!("~ create service account {SA}")) && out.contains("dry run: would make 5 change(s)"), "{out}");
    no_secret(&o);
    assert!(d.state.lock().unwrap().service_accounts.is_empty(), "a dry run creates nothing");

    // Pre-flight first: the project forbids key creation (an organization policy) and the plan signs
    // the vendor in with a key, so apply refuses before any change; `preflight` says the same.
    let forbid = |on: bool| {
        let mut st = d.state.lock().unwrap();
        if on {
            st.org_policies.insert("iam.disableServiceAccountKeyCreation".into(), json!({"rules": [{"enforce": true}]}));
        } else {
            st.org_policies.clear();
        }
    };
    forbid(true);
    let o = trustbridge(&url, &adc, &["apply", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("BLOCKING [preflight.gcp_key_creation_disabled]") && out.contains("keyless"), "{out}");
    assert!(err.contains("refused: pre-flight") && err.contains("--ignore-preflight"), "{err}");
    assert!(d.state.lock().unwrap().service_accounts.is_empty(), "refused before any change");
    let o = trustbridge(&url, &adc, &["preflight", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("Google Cloud pre-flight acting as admin@example.com") && out.contains("pre-flight: 1 blocking"), "{out}");
    let o = trustbridge(&url, &adc, &["preflight", "--plan", plan, "--json"]);
    let rep: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(rep["findings"][0]["code"], "preflight.gcp_key_creation_disabled", "{rep}");
    assert_eq!(rep["findings"][0]["cloud"], "gcp", "{rep}");
    forbid(false);
    let o = trustbridge(&url, &adc, &["preflight", "--plan", plan]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));

    let o = trustbridge(&url, &adc, &["apply", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("applied 5 change(s)"), "{out}");
    no_secret(&o);
    assert_eq!(d.state.lock().unwrap().members("bucket/training", "roles/storage.objectViewer"), vec!["user:alice@example.com", MEMBER]);

    // Overridden: a blocking finding does not stop an apply the person asked for.
    forbid(true);
    let o = trustbridge(&url, &adc, &["apply", "--plan", plan, "--cloud", "gcp", "--ignore-preflight"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(text(&o).0.contains("Google Cloud: no changes"), "{:?}", text(&o));
    forbid(false);

    let o = trustbridge(&url, &adc, &["revoke", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains(&format!("- delete service account {SA}")) && out.contains(&format!("revoked: service account {SA}")), "{out}");
    {
        let s = d.state.lock().unwrap();
        assert!(s.service_accounts.is_empty());
        assert_eq!(s.members("bucket/training", "roles/storage.objectViewer"), vec!["user:alice@example.com"], "alice is kept");
    }

    // No sign-in on this computer: skipped with how to do it when not named, exit 1 when named.
    let o = trustbridge(&url, &dir.path().join("missing.json"), &["apply", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(err.contains("note: Google Cloud was not applied") && err.contains("--cloud gcp") && err.contains("gcp/setup.sh"), "{err}");
    let o = trustbridge(&url, &dir.path().join("missing.json"), &["apply", "--plan", plan, "--cloud", "gcp"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("[gcp.no_credentials]") && err.contains("gcloud auth application-default login"), "{err}");
    let o = trustbridge(&url, &adc, &["apply", "--plan", plan, "--cloud", "azure"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("no 'azure' section"), "{:?}", text(&o));
    let o = trustbridge(&url, &adc, &["apply", "--plan", plan, "--cloud", "aws"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("no 'aws' section"), "{:?}", text(&o));
}

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";

fn azure(url: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trustbridge"));
    c.args(args)
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_CLIENT_SECRET")
        .env("AZURE_AUTHORITY_HOST", url)
        .env("TRUSTBRIDGE_AZURE_GRAPH_ENDPOINT", url)
        .env("TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT", url)
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run trustbridge")
}

#[test]
fn apply_and_revoke_on_azure_as_a_service_principal_and_through_az() {
    use azure_arm::{arm_token, azure_double, graph_token, ADMIN_APP, ADMIN_SECRET};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let d = rt.block_on(azure_double(TENANT));
    let container = format!("/subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.Storage/storageAccounts/acct1/blobServices/default/containers/training");
    d.state.lock().unwrap().add_scope(&container);
    let url = d.double.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let p = json!({"version": 1, "platform": "mlcube", "integration": {"name": "TB_01", "project_id": "x"},
                   "azure": {"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "storage": [{"storage_account": "acct1", "container": "training"}]}});
    std::fs::write(&plan, p.to_string()).unwrap();
    let plan = plan.to_str().unwrap();
    let sp_env = [("AZURE_TENANT_ID", TENANT), ("AZURE_CLIENT_ID", ADMIN_APP), ("AZURE_CLIENT_SECRET", ADMIN_SECRET)];

    let o = azure(&url, &sp_env, &["apply", "--plan", plan, "--dry-run"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains("Azure: acting as service principal tb-admin") && out.contains("~ create app registration ML3PlatformSP"),
        "{out}"
    );
    assert!(out.contains("dry run: would make 3 change(s)"), "{out}");
    let o = azure(&url, &sp_env, &["apply", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("applied 3 change(s)") && out.contains("app registration ML3PlatformSP (client id "), "{out}");
    assert!(!out.contains(ADMIN_SECRET) && !err.contains(ADMIN_SECRET));
    assert_eq!(d.state.lock().unwrap().assignments.len(), 1);

    // Two of the three variables: the missing one is named, nothing is done.
    let o = azure(&url, &sp_env[..2], &["apply", "--plan", plan, "--cloud", "azure"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("[azure.no_credentials]") && err.contains("AZURE_CLIENT_SECRET is not set"), "{err}");

    // The Azure CLI's sign-in: a TEST DOUBLE `az` that prints get-access-token's JSON per --resource.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let az = bin.join("az");
    let script = format!(
        "#!/bin/sh\n# TEST DOUBLE of `az account get-access-token` (its documented JSON output).\ncase \"$*\" in\n  *\"--resource https://graph.microsoft.com \"*) t='{}' ;;\n  *\"--resource https://management.azure.com \"*) t='{}' ;;\n  *) echo \"ERROR: unexpected: $*\" >&2; exit 2 ;;\nesac\nprintf '{{\"accessToken\": \"%s\", \"expiresOn\": \"2099-01-01 00:00:00.000000\", \"subscription\": \"{SUB}\", \"tenant\": \"{TENANT}\", \"tokenType\": \"Bearer\"}}\\n' \"$t\"\n",
        graph_token(),
        arm_token()
    );
    std::fs::write(&az, script).unwrap();
    std::fs::set_permissions(&az, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let o = azure(&url, &[("PATH", path.as_str())], &["apply", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("Azure: no changes"), "{out}");
    let o = azure(&url, &[("PATH", path.as_str())], &["revoke", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("- delete app registration ML3PlatformSP"), "{out}");
    assert!(d.state.lock().unwrap().apps.is_empty() && d.state.lock().unwrap().assignments.is_empty());

    // Neither variables nor az: exit 1, with how to sign in.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = azure(&url, &[("PATH", empty.to_str().unwrap())], &["apply", "--plan", plan, "--cloud", "azure"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("[azure.no_credentials]") && err.contains("az login"), "{err}");
    let o = azure(&url, &[("PATH", empty.to_str().unwrap())], &["revoke", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(err.contains("note: Azure was not revoked") && err.contains("azure/revoke.sh"), "{err}");
}

const GUARD: &str = "TRUSTBRIDGE_CLI_CLOUDS_TEST_HOME";

/// Issue 14: a key (GCP) and a client secret (Azure) made by `apply --create-credentials` go
/// straight into the real OS keyring (gnome-keyring in a private D-Bus session, private HOME):
/// in no output, in no file under HOME; a second run keeps them and makes no new one.
#[test]
fn created_credentials_go_straight_to_the_keyring_and_nowhere_else() {
    let (_home, env) = session::private_home(GUARD);
    session::run_inner("inner_created_credentials", &env, std::time::Duration::from_secs(180));
}

#[test]
#[ignore = "run by created_credentials_go_straight_to_the_keyring_and_nowhere_else inside a private D-Bus session"]
fn inner_created_credentials() {
    use azure_arm::{azure_double, ADMIN_APP, ADMIN_SECRET};
    let home = std::path::PathBuf::from(std::env::var(GUARD).expect("run through the outer test"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let g = rt.block_on(gcp_iam_double("my-project"));
    g.state.lock().unwrap().add_bucket("training", json!([]));
    let a = rt.block_on(azure_double(TENANT));
    let container = format!("/subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.Storage/storageAccounts/acct1/blobServices/default/containers/training");
    a.state.lock().unwrap().add_scope(&container);
    let adc = home.join("work/adc.json");
    std::fs::create_dir_all(adc.parent().unwrap()).unwrap();
    let file = json!({"type": "authorized_user", "client_id": "c", "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN});
    std::fs::write(&adc, file.to_string()).unwrap();
    let plan = home.join("work/plan.json");
    let p = json!({"version": 1, "platform": "mlcube", "integration": {"name": "TB_MADE", "project_id": "x"},
                   "gcp": {"project_id": "my-project", "service_account": "ml3-platform-sa", "storage": [{"bucket": "training"}]},
                   "azure": {"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "storage": [{"storage_account": "acct1", "container": "training"}]}});
    std::fs::write(&plan, p.to_string()).unwrap();
    let plan = plan.to_str().unwrap();
    let (gu, au) = (g.double.url.clone(), a.double.url.clone());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_trustbridge"))
            .args(args)
            .env("GOOGLE_APPLICATION_CREDENTIALS", &adc)
            .env("TRUSTBRIDGE_GCP_TOKEN_URI", format!("{gu}/token"))
            .env("TRUSTBRIDGE_GCP_IAM_ENDPOINT", &gu)
            .env("TRUSTBRIDGE_GCP_RESOURCE_MANAGER_ENDPOINT", &gu)
            .env("STORAGE_EMULATOR_HOST", &gu)
            .env("PUBSUB_EMULATOR_HOST", &gu)
            .env("AZURE_TENANT_ID", TENANT)
            .env("AZURE_CLIENT_ID", ADMIN_APP)
            .env("AZURE_CLIENT_SECRET", ADMIN_SECRET)
            .env("AZURE_AUTHORITY_HOST", &au)
            .env("TRUSTBRIDGE_AZURE_GRAPH_ENDPOINT", &au)
            .env("TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT", &au)
            .stdin(Stdio::null())
            .output()
            .expect("run trustbridge")
    };
    let mut outputs = Vec::new();
    let o = run(&["apply", "--plan", plan, "--create-credentials"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("created a service-account key and stored it in the OS keyring (key ") && out.contains(SA), "{out}");
    assert!(out.contains("created a client secret and stored it in the OS keyring (appId "), "{out}");
    outputs.push(o);
    let o = run(&["secrets", "status", "--plan", plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains("TB_MADE gcp: stored (key ") && out.contains("TB_MADE azure: stored (appId "),
        "the key and the secret are in the keyring: {out}"
    );
    outputs.push(o);

    let o = run(&["apply", "--plan", plan, "--create-credentials"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains("kept the service-account key already in the OS keyring")
            && out.contains("kept the client secret already in the OS keyring"),
        "{out}"
    );
    assert_eq!(g.state.lock().unwrap().keys_created, 1, "no second key");
    assert_eq!(a.state.lock().unwrap().passwords, 1, "no second secret");
    outputs.push(o);

    // The canaries: a line of the key's PEM and the secret text, in no output and no file.
    let key_line = g.state.lock().unwrap().last_key_line.clone();
    let secret = a.state.lock().unwrap().last_secret.clone();
    assert!(key_line.len() > 40 && secret.len() > 20);
    std::fs::write(home.join("tmp/control"), &secret).unwrap();
    assert_eq!(session::hits(&home, &secret).len(), 1, "the search finds a planted control");
    std::fs::remove_file(home.join("tmp/control")).unwrap();
    for needle in [&key_line, &secret] {
        assert!(session::hits(&home, needle).is_empty(), "on disk: {:?}", session::hits(&home, needle));
        for o in &outputs {
            let (out, err) = text(o);
            assert!(!out.contains(needle.as_str()) && !err.contains(needle.as_str()), "in an output: {out}{err}");
        }
    }
}
