//! The exported `gcp/` and `azure/` scripts, run with bash against TEST DOUBLES of the gcloud and
//! az command lines (`tests/doubles/cloud_cli.py`: no Google IAM or Microsoft Graph exists on this
//! machine) — except the scripts' `gcloud storage …` and `gcloud pubsub …` commands, which the
//! real gcloud runs against that file's double of the Cloud Storage and Pub/Sub REST APIs (its
//! flags, projections and read-modify-write are gcloud's own: it refuses `--filter` on a bucket's
//! policy, a binding without `--condition=None` on a policy holding conditions, and the removal
//! of a binding that is not there, which a double of the command line had let pass). Proves the
//! ownership rule: a same-named service account or app registration
//! Trustbridge did not create for this integration is never bound, keyed, given a secret, or
//! deleted; Azure looks apps up by exact name (an OData literal, quotes doubled), not by prefix,
//! and refuses when several match; revoke uses the app id setup.sh recorded.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::{json, Value};

struct Rig {
    _dir: tempfile::TempDir,
    bin: PathBuf,
    state: PathBuf,
    log: PathBuf,
    bundle: PathBuf,
    /// The Cloud Storage and Pub/Sub REST double the real gcloud is pointed at.
    api: Child,
    api_url: String,
    gcloud_env: Vec<(&'static str, PathBuf)>,
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = self.api.kill();
        let _ = self.api.wait();
    }
}

/// The real gcloud (google-cloud-cli, from Google's apt repository), which runs the scripts' `gcloud storage` and
/// `gcloud pubsub` commands: their flags, projections and read-modify-write are its own.
fn real_gcloud() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("gcloud"))
        .find(|p| p.is_file())
        .expect("the real gcloud is needed (Google's package google-cloud-cli, /usr/bin/gcloud on this kind of machine): it runs the exported scripts' Cloud Storage and Pub/Sub commands")
}

fn rig(plan: &str, state: Value) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let double = Path::new(env!("CARGO_MANIFEST_DIR")).join("doubles/cloud_cli.py");
    for tool in ["gcloud", "az", "curl"] {
        std::os::unix::fs::symlink(&double, bin.join(tool)).unwrap();
    }
    let state_file = dir.path().join("state.json");
    std::fs::write(&state_file, state.to_string()).unwrap();
    let r = trustbridge_core::validate(&trustbridge_core::Plan::from_json(plan).unwrap(), None).unwrap();
    let bundle = trustbridge_core::export::write_bundle(&trustbridge_core::render::render(&r), &dir.path().join("bundle")).unwrap();
    let log = dir.path().join("calls.jsonl");
    let mut api = Command::new("python3")
        .arg(&double)
        .arg("serve")
        .env("FAKE_CLOUD_STATE", &state_file)
        .env("FAKE_CLOUD_LOG", &log)
        .env("FAKE_GCP_PROJECT", r.gcp.as_ref().map_or("", |g| g.project_id.as_str()))
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the REST double");
    let mut port = String::new();
    BufReader::new(api.stdout.take().unwrap()).read_line(&mut port).unwrap();
    let token = dir.path().join("gcloud-token");
    std::fs::write(&token, "ya29.fake-access-token-of-the-double").unwrap();
    let gcloud_env =
        vec![("REAL_GCLOUD", real_gcloud()), ("FAKE_GCP_TOKEN_FILE", token), ("FAKE_GCP_CONFIG", dir.path().join("gcloud-config"))];
    Rig { bin, state: state_file, log, bundle, api, api_url: format!("http://127.0.0.1:{}", port.trim()), gcloud_env, _dir: dir }
}

impl Rig {
    fn run(&self, script: &str, env: &[(&str, &str)]) -> Output {
        let _ = std::fs::remove_file(&self.log);
        let mut c = Command::new("bash");
        c.arg(self.bundle.join(script))
            .env("PATH", format!("{}:{}", self.bin.display(), std::env::var("PATH").unwrap_or_default()))
            .env("FAKE_CLOUD_STATE", &self.state)
            .env("FAKE_CLOUD_LOG", &self.log)
            .env("FAKE_GCP_API", &self.api_url);
        for (k, v) in &self.gcloud_env {
            c.env(k, v);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
    fn state(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(&self.state).unwrap()).unwrap()
    }
    /// Changes the clouds' state between runs (what someone did in the console meanwhile).
    fn edit(&self, f: impl FnOnce(&mut Value)) {
        let mut st = self.state();
        f(&mut st);
        std::fs::write(&self.state, st.to_string()).unwrap();
    }
    /// Every call the script made, as argv lists.
    fn calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(&self.log).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
    /// Calls that change something (everything but describe/show/list/account).
    fn writes(&self) -> Vec<Vec<String>> {
        self.calls()
            .into_iter()
            .filter(|c| {
                !c.iter().any(|w| {
                    ["describe", "show", "list", "get-ancestors", "search-all-iam-policies"].contains(&w.as_str()) || w == "account"
                })
            })
            .collect()
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const SA: &str = "ml3-platform-sa@my-project.iam.gserviceaccount.com";
const MARK: &str = "managed-by=trustbridge integration=AWS_01";

fn gcp_plan() -> String {
    common::plan_text("three-clouds.json")
}

#[test]
fn gcp_setup_creates_and_marks_the_service_account_then_revoke_deletes_it() {
    let rig = rig(&gcp_plan(), json!({"service_accounts": {}}));
    let o = rig.run("gcp/setup.sh", &[("CREATE_KEY", "1")]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(rig.state()["service_accounts"][SA], MARK, "created with the mark");
    let writes = rig.writes();
    assert!(writes.iter().any(|c| c.contains(&"keys".to_string())), "the key was minted for our own account: {writes:?}");
    assert!(writes.iter().filter(|c| c.iter().any(|w| w.ends_with("add-iam-policy-binding"))).count() >= 3, "{writes:?}");

    let again = rig.run("gcp/setup.sh", &[]);
    assert!(again.status.success(), "a re-run goes on with its own account: {}", text(&again));
    assert!(!rig.writes().iter().any(|c| c.contains(&"create".to_string()) && c.contains(&"service-accounts".to_string())));

    let role = &rig.state()["roles"]["ml3PlatformStorageRole"];
    assert!(role["description"].as_str().unwrap().ends_with(&format!("[{MARK}]")), "the custom role carries the mark: {role}");

    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(rig.state()["service_accounts"].get(SA).is_none(), "deleted");
    assert_eq!(rig.state()["roles"]["ml3PlatformStorageRole"]["deleted"], true, "our role, used by no one else, goes too");
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("nothing to revoke"), "{}", text(&o));
}

#[test]
fn gcp_scripts_refuse_a_service_account_they_did_not_create_and_write_nothing() {
    for description in ["", "the data team's pipeline", "managed-by=trustbridge integration=OTHER"] {
        let rig = rig(&gcp_plan(), json!({"service_accounts": {SA: description}}));
        let o = rig.run("gcp/setup.sh", &[("CREATE_KEY", "1")]);
        assert!(!o.status.success(), "{description:?}: {}", text(&o));
        assert!(String::from_utf8_lossy(&o.stderr).contains("did not create it"), "{}", text(&o));
        assert_eq!(rig.writes(), Vec::<Vec<String>>::new(), "{description:?}: no binding, role or key");
        let o = rig.run("gcp/revoke.sh", &[]);
        assert!(!o.status.success(), "{}", text(&o));
        assert_eq!(rig.writes(), Vec::<Vec<String>>::new(), "{description:?}: no binding removed, nothing deleted");
        assert_eq!(rig.state()["service_accounts"][SA], description);
    }
}

fn azure_plan(sp_name: &str) -> String {
    let mut v: Value = serde_json::from_str(&gcp_plan()).unwrap();
    v["azure"]["service_principal_name"] = json!(sp_name);
    v.as_object_mut().unwrap().remove("gcp");
    v.to_string()
}

fn azure_state(apps: Value) -> Value {
    let sps: Vec<Value> = apps.as_array().unwrap().iter().map(|a| a["appId"].clone()).collect();
    json!({"tenant": "72f988bf-86f1-41af-91ab-2d7cd011db47", "apps": apps, "sps": sps})
}

/// `ML3PlatformSP-old` (a prefix match) is not the vendor's app: setup makes its own, and every
/// role assignment, the secret and revoke's delete go to the new app only.
#[test]
fn azure_a_prefix_match_is_not_picked_and_revoke_deletes_only_the_app_setup_made() {
    let old = json!({"appId": "00000000-0000-0000-0000-0000000000aa", "displayName": "ML3PlatformSP-old", "notes": null});
    let rig = rig(&azure_plan("ML3PlatformSP"), azure_state(json!([old])));
    let o = rig.run("azure/setup.sh", &[("CREATE_SECRET", "1")]);
    assert!(o.status.success(), "{}", text(&o));
    let apps = rig.state()["apps"].as_array().unwrap().clone();
    assert_eq!(apps.len(), 2, "{apps:?}");
    let new = apps.iter().find(|a| a["displayName"] == "ML3PlatformSP").unwrap();
    assert_eq!(new["notes"], MARK);
    let new_id = new["appId"].as_str().unwrap().to_string();
    for c in rig.writes() {
        assert!(!c.iter().any(|w| w.contains("0000000000aa")), "the old app was never touched: {c:?}");
    }
    assert!(rig.writes().iter().any(|c| c.contains(&"reset".to_string()) && c.contains(&new_id)));
    assert_eq!(std::fs::read_to_string(rig.bundle.join("azure/app-id.txt")).unwrap().trim(), new_id);

    let o = rig.run("azure/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let apps = rig.state()["apps"].as_array().unwrap().clone();
    assert_eq!(apps, vec![old], "only the app setup.sh made was deleted");
}

/// The hostile name: without the OData quoting it would widen the filter to every app.
#[test]
fn azure_a_hostile_name_stays_one_literal_in_the_filter() {
    let name = "x') or startswith(displayName,'";
    let other = json!({"appId": "00000000-0000-0000-0000-0000000000bb", "displayName": "x-admin-app", "notes": null});
    let rig = rig(&azure_plan(name), azure_state(json!([other])));
    let o = rig.run("azure/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let filters: Vec<String> = rig
        .calls()
        .into_iter()
        .filter(|c| c.contains(&"list".to_string()))
        .filter_map(|c| c.last().cloned().and(c.iter().position(|w| w == "--filter").map(|i| c[i + 1].clone())))
        .collect();
    assert_eq!(filters, vec!["displayName eq 'x'') or startswith(displayName,'''".to_string()]);
    for c in rig.writes() {
        assert!(!c.iter().any(|w| w.contains("0000000000bb")), "{c:?}");
    }
}

#[test]
fn azure_refuses_several_exact_matches_and_an_unmarked_app_and_writes_nothing() {
    let a = |id: &str, notes: Value| json!({"appId": id, "displayName": "ML3PlatformSP", "notes": notes});
    let cases = [
        (
            json!([a("00000000-0000-0000-0000-000000000001", json!(MARK)), a("00000000-0000-0000-0000-000000000002", json!(null))]),
            "2 app registrations",
        ),
        (json!([a("00000000-0000-0000-0000-000000000003", json!(null))]), "is not marked"),
        (json!([a("00000000-0000-0000-0000-000000000004", json!("managed-by=trustbridge integration=OTHER"))]), "is not marked"),
    ];
    for (apps, says) in cases {
        let rig = rig(&azure_plan("ML3PlatformSP"), azure_state(apps.clone()));
        let o = rig.run("azure/setup.sh", &[("CREATE_SECRET", "1")]);
        assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains(says), "{}", text(&o));
        assert_eq!(rig.writes(), Vec::<Vec<String>>::new(), "no role assignment, secret or app: {says}");
        let o = rig.run("azure/revoke.sh", &[]);
        assert!(!o.status.success(), "{}", text(&o));
        assert_eq!(rig.writes(), Vec::<Vec<String>>::new());
        assert_eq!(rig.state()["apps"], apps, "nothing deleted");
    }
}

/// revoke.sh with APP_ID of an app that is not ours (say, copied from the wrong place) refuses.
#[test]
fn azure_revoke_checks_the_app_id_it_is_given() {
    let theirs = json!({"appId": "00000000-0000-0000-0000-0000000000cc", "displayName": "Payroll", "notes": null});
    let rig = rig(&azure_plan("ML3PlatformSP"), azure_state(json!([theirs])));
    let o = rig.run("azure/revoke.sh", &[("APP_ID", "00000000-0000-0000-0000-0000000000cc")]);
    assert!(!o.status.success(), "{}", text(&o));
    assert_eq!(rig.writes(), Vec::<Vec<String>>::new());
}

const ROLE_ID: &str = "ml3PlatformStorageRole";

#[test]
fn gcp_a_custom_role_they_did_not_create_is_never_changed_bound_or_deleted() {
    let role = json!({"description": "the data team's role", "deleted": false});
    let rig = rig(&gcp_plan(), json!({"service_accounts": {}, "roles": {ROLE_ID: role}}));
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did not create it"), "{}", text(&o));
    assert_eq!(rig.writes(), Vec::<Vec<String>>::new(), "refused before any change (not even the service account)");
    assert_eq!(rig.state()["roles"][ROLE_ID], role);

    // Revoke (our service account, someone else's role): our grants go, the role stays.
    rig.edit(|st| {
        st["service_accounts"][SA] = json!(MARK);
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("Custom role {ROLE_ID} kept")), "{}", text(&o));
    assert_eq!(rig.state()["roles"][ROLE_ID], role);
    assert!(rig.state()["service_accounts"].get(SA).is_none());
}

#[test]
fn gcp_revoke_keeps_our_custom_role_while_someone_else_is_bound_to_it() {
    let rig = rig(&gcp_plan(), json!({"service_accounts": {}}));
    assert!(rig.run("gcp/setup.sh", &[]).status.success());
    rig.edit(|st| {
        st["project_bindings"][format!("projects/my-project/roles/{ROLE_ID}")]
            .as_array_mut()
            .unwrap()
            .push(json!("user:carol@example.com"));
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("carol@example.com"), "{}", text(&o));
    assert_eq!(rig.state()["roles"][ROLE_ID]["deleted"], false, "carol still uses it");

    // Bound on one of the plan's buckets (not the project) counts too.
    let rig = self::rig(&gcp_plan(), json!({"service_accounts": {}}));
    assert!(rig.run("gcp/setup.sh", &[]).status.success());
    rig.edit(|st| {
        st["resource_bindings"]["gs://my-company-data-bucket"][format!("projects/my-project/roles/{ROLE_ID}")] =
            json!(["group:readers@example.com"]);
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("readers@example.com"), "{}", text(&o));
    assert_eq!(rig.state()["roles"][ROLE_ID]["deleted"], false);

    // Bound with a condition on one of the plan's topics counts too (gcloud pubsub reads it as
    // ROLE_withcond_HASH); our binding there cannot be written back without the condition, so it
    // is kept and said, and the service account still goes.
    let rig = self::rig(&gcp_plan(), json!({"service_accounts": {}}));
    assert!(rig.run("gcp/setup.sh", &[]).status.success());
    rig.edit(|st| {
        st["resource_conditioned"]["my-topic"] =
            json!([conditioned(&format!("projects/my-project/roles/{ROLE_ID}"), "user:erin@example.com")]);
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("erin@example.com"), "{}", text(&o));
    assert!(
        text(&o).contains("Kept roles/pubsub.publisher on topic my-topic: its policy holds a binding with a condition"),
        "{}",
        text(&o)
    );
    assert_eq!(rig.state()["roles"][ROLE_ID]["deleted"], false, "{}", text(&o));
    assert!(rig.state()["service_accounts"].get(SA).is_none(), "{}", text(&o));

    // A policy that cannot be read stops revoke before the role goes (never read as "no one").
    let rig = self::rig(&gcp_plan(), json!({"service_accounts": {}}));
    assert!(rig.run("gcp/setup.sh", &[]).status.success());
    rig.edit(|st| {
        st["project_policy_denied"] = json!(true);
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(rig.calls().iter().any(|c| c[1..3] == ["projects", "get-iam-policy"]), "the role's read was made: {:?}", rig.calls());
    assert_eq!(rig.state()["roles"][ROLE_ID]["deleted"], false, "{}", text(&o));

    // A plan's bucket that is gone holds no one and no binding: revoke says so and goes on.
    let rig = self::rig(&gcp_plan(), json!({"service_accounts": {}}));
    assert!(rig.run("gcp/setup.sh", &[]).status.success());
    rig.edit(|st| {
        st["missing_resources"] = json!(["gs://my-company-data-bucket"]);
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("Already gone: gcloud storage buckets remove-iam-policy-binding gs://my-company-data-bucket"),
        "{}",
        text(&o)
    );
    assert_eq!(rig.state()["roles"][ROLE_ID]["deleted"], true, "no one else is bound to it: {}", text(&o));
    assert!(rig.state()["service_accounts"].get(SA).is_none());
}

const KEYLESS_SA: &str = "vendor-platform-sa@acme-data-prod.iam.gserviceaccount.com";
const KEYLESS_MARK: &str = "managed-by=trustbridge integration=acme-keyless";

#[test]
fn gcp_keyless_marks_its_pool_refuses_anothers_and_brings_its_provider_back() {
    let plan = common::plan_text("custom-keyless.json");
    let rig = rig(&plan, json!({"service_accounts": {}}));
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let pool = &rig.state()["pools"]["trustbridge-vendor"];
    assert_eq!(pool["description"], KEYLESS_MARK, "{pool}");
    assert_eq!(
        pool["providers"]["aws-vendor"]["condition"],
        "attribute.aws_role=='arn:aws:sts::210987654321:assumed-role/acme-platform-workers'"
    );

    // The provider drifted (someone widened its condition): a re-run brings it back.
    rig.edit(|st| {
        st["pools"]["trustbridge-vendor"]["providers"]["aws-vendor"]["condition"] = json!("true");
    });
    assert!(rig.run("gcp/setup.sh", &[]).status.success());
    assert!(rig.writes().iter().any(|c| c.contains(&"update-aws".to_string())), "{:?}", rig.writes());
    assert_eq!(
        rig.state()["pools"]["trustbridge-vendor"]["providers"]["aws-vendor"]["condition"],
        "attribute.aws_role=='arn:aws:sts::210987654321:assumed-role/acme-platform-workers'"
    );

    // Someone disabled the provider: a re-run enables it again (the IAM API's providers.patch,
    // update-aws cannot), with the access token on curl's standard input, not in its arguments.
    rig.edit(|st| {
        st["pools"]["trustbridge-vendor"]["providers"]["aws-vendor"]["disabled"] = json!(true);
    });
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(rig.state()["pools"]["trustbridge-vendor"]["providers"]["aws-vendor"]["disabled"], false, "{}", text(&o));
    let calls = std::fs::read_to_string(&rig.log).unwrap();
    assert!(calls.contains("\"curl\"") && !calls.contains("ya29."), "the token is in an argument: {calls}");
    // Not disabled: no call to enable it.
    assert!(rig.run("gcp/setup.sh", &[]).status.success());
    assert!(!std::fs::read_to_string(&rig.log).unwrap().contains("\"curl\""));

    // Revoke deletes our pool; a re-run of setup undeletes it.
    assert!(rig.run("gcp/revoke.sh", &[]).status.success());
    assert_eq!(rig.state()["pools"]["trustbridge-vendor"]["state"], "DELETED");
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(rig.state()["pools"]["trustbridge-vendor"]["state"], "ACTIVE");

    // Someone else's pool of that id: setup refuses before any change; revoke keeps it.
    let theirs = json!({"trustbridge-vendor": {"description": "CI federation", "state": "ACTIVE", "providers": {}}});
    let rig = self::rig(&plan, json!({"service_accounts": {}, "pools": theirs}));
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("did not create it"), "{}", text(&o));
    assert_eq!(rig.writes(), Vec::<Vec<String>>::new());
    rig.edit(|st| {
        st["service_accounts"][KEYLESS_SA] = json!(KEYLESS_MARK);
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(rig.state()["pools"], theirs, "someone else's pool stays");
}

const VENDOR_APP: &str = "11111111-2222-3333-4444-555555555555";

/// Keyless: the assignments go to the vendor's shared enterprise app. setup.sh names each one as
/// Trustbridge's apply does (the same UUID v5, computed in the shell), so revoke.sh removes exactly
/// those, leaves the same grant someone else made, and keeps the enterprise app.
#[test]
fn azure_keyless_revoke_removes_only_the_assignments_setup_made_and_keeps_the_vendors_app() {
    let mut v: Value = serde_json::from_str(&common::plan_text("custom-keyless.json")).unwrap();
    v.as_object_mut().unwrap().remove("gcp");
    let r = trustbridge_core::validate(&trustbridge_core::Plan::from_json(&v.to_string()).unwrap(), None).unwrap();
    let ra = trustbridge_core::model::azure::model(r.azure.as_ref().unwrap()).role_assignments[0].clone();
    let sp = format!("sp-{VENDOR_APP}");
    let theirs = json!({"name": "dddddddd-0000-4000-8000-000000000004", "scope": ra.scope, "role": ra.role_definition_id, "principal": sp});
    let rig = rig(
        &v.to_string(),
        json!({"tenant": "72f988bf-86f1-41af-91ab-2d7cd011db47", "apps": [], "sps": [VENDOR_APP], "assignments": [theirs]}),
    );

    let o = rig.run("azure/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let want = trustbridge_cloud::azure::apply::assignment_name(&ra.scope, &ra.role_definition_id, &sp);
    let names: Vec<Value> = rig.state()["assignments"].as_array().unwrap().iter().map(|a| a["name"].clone()).collect();
    assert!(names.contains(&json!(want)), "the shell's name is the engine's ({want}): {names:?}");
    assert!(rig.run("azure/setup.sh", &[]).status.success());
    assert_eq!(rig.state()["assignments"].as_array().unwrap().len(), 2, "a re-run adds nothing");

    let o = rig.run("azure/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(rig.state()["assignments"], json!([theirs]), "only ours went");
    assert_eq!(rig.state()["sps"], json!([VENDOR_APP]), "the vendor's enterprise app stays");
    assert!(String::from_utf8_lossy(&o.stdout).contains("enterprise app stays"), "{}", text(&o));

    // Signed out of az (or any error but "does not exist"): revoke fails, never "nothing to revoke".
    assert!(rig.run("azure/setup.sh", &[]).status.success());
    rig.edit(|st| {
        st["signed_out"] = json!(true);
    });
    let o = rig.run("azure/revoke.sh", &[]);
    assert!(!o.status.success() && !String::from_utf8_lossy(&o.stdout).contains("nothing to revoke"), "{}", text(&o));
    assert_eq!(rig.state()["assignments"].as_array().unwrap().len(), 2, "nothing removed");
}

/// An assignment planted in the az double's state as another run, or someone, made it.
fn planted(scope: &str, role: &str, principal: &str, name: &str, description: Option<&str>, condition: bool) -> Value {
    let mut a = json!({"name": name, "scope": scope, "role": role, "principal": principal});
    if let Some(d) = description {
        a["description"] = json!(d);
    }
    if condition {
        a["condition"] =
            json!("@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith 'public/'\n\tthe rest");
    }
    a
}

fn add_assignments(rig: &Rig, more: &[Value]) {
    rig.edit(|st| {
        st["assignments"].as_array_mut().unwrap().extend(more.iter().cloned());
    });
}

fn assignment_names(rig: &Rig) -> Vec<String> {
    let mut v: Vec<String> =
        rig.state()["assignments"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect();
    v.sort();
    v
}

/// The exported setup.sh follows the app's rule for what the plan no longer lists: an assignment
/// this integration made on its own service principal (Trustbridge's name and the integration's
/// mark, which setup.sh writes on each) for a container dropped from the plan is removed; one
/// someone else made, one of ours narrowed with a condition (whose text holds a tab and a new
/// line), and a row whose id is not its scope and name (pointing at the plan's own assignment)
/// are named and kept. A planned assignment narrowed with a condition is never replaced. revoke.sh
/// removes a dropped one too before the app goes.
#[test]
fn azure_setup_removes_an_assignment_the_plan_no_longer_lists_on_our_app() {
    let rig = rig(&azure_plan("ML3PlatformSP"), azure_state(json!([])));
    let o = rig.run("azure/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let app = rig.state()["apps"][0]["appId"].as_str().unwrap().to_string();
    let sp = format!("sp-{app}");
    let r = trustbridge_core::validate(&trustbridge_core::Plan::from_json(&azure_plan("ML3PlatformSP")).unwrap(), None).unwrap();
    let ra = trustbridge_core::model::azure::model(r.azure.as_ref().unwrap()).role_assignments[0].clone();
    let role = ra.role_definition_id.clone();
    let creates: Vec<_> =
        rig.writes().into_iter().filter(|c| c.contains(&"create".to_string()) && c.contains(&"assignment".to_string())).collect();
    assert!(!creates.is_empty());
    for c in &creates {
        let at = |k: &str| c.iter().position(|w| w == k).map(|i| c[i + 1].clone());
        assert_eq!(at("--description").as_deref(), Some(MARK), "{c:?}");
        assert!(at("--role").unwrap().starts_with("/subscriptions/"), "the role by its definition id: {c:?}");
    }
    let scope = |c: &str| ra.scope.rsplit_once('/').unwrap().0.to_string() + "/" + c;
    let name = |c: &str| trustbridge_cloud::azure::apply::assignment_name(&scope(c), &role, &sp);
    let dropped = planted(&scope("old-data"), &role, &sp, &name("old-data"), Some(MARK), false);
    let theirs = planted(&scope("misc"), &role, &sp, "dddddddd-0000-4000-8000-000000000004", None, false);
    let narrowed = planted(&scope("cond"), &role, &sp, &name("cond"), Some(MARK), true);
    let mut forged = planted(&scope("bait"), &role, &sp, &name("bait"), Some(MARK), false);
    forged["id"] = json!(format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/{}",
        ra.scope,
        trustbridge_cloud::azure::apply::assignment_name(&ra.scope, &role, &sp)
    ));
    add_assignments(&rig, &[dropped.clone(), theirs.clone(), narrowed.clone(), forged.clone()]);
    let before = assignment_names(&rig);

    let o = rig.run("azure/setup.sh", &[]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains(&format!("Removed {role} on {}", scope("old-data"))), "{out}");
    assert!(
        out.contains(&format!("Kept {role} on {}: the plan does not list it, and Trustbridge did not make it", scope("misc"))),
        "{out}"
    );
    assert!(out.contains(&format!("Kept {role} on {}: Trustbridge made it, but not", scope("cond"))), "{out}");
    assert!(out.contains(&format!("Kept {role} on {}: Trustbridge made it, but not", scope("bait"))), "{out}");
    let want: Vec<String> = before.iter().filter(|n| **n != name("old-data")).cloned().collect();
    assert_eq!(assignment_names(&rig), want, "only the dropped one of ours went");
    let deletes: Vec<_> = rig.writes().into_iter().filter(|c| c.contains(&"delete".to_string())).collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert!(
        rig.state()["assignments"].as_array().unwrap().iter().any(|a| a["condition"].is_string()),
        "the narrowed one keeps its condition"
    );

    let o = rig.run("azure/setup.sh", &[]);
    assert!(o.status.success() && !text(&o).contains("Removed"), "a re-run removes nothing: {}", text(&o));

    // The listing refused: said, nothing removed, the plan's grants stand.
    add_assignments(&rig, std::slice::from_ref(&dropped));
    rig.edit(|st| {
        st["list_denied"] = json!(true);
    });
    let o = rig.run("azure/setup.sh", &[]);
    assert!(o.status.success() && text(&o).contains("Could not list") && !text(&o).contains("Removed"), "{}", text(&o));
    rig.edit(|st| {
        st["list_denied"] = json!(false);
    });

    let o = rig.run("azure/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&format!("Removed {role} on {}", scope("old-data"))), "{}", text(&o));
    assert!(rig.state()["apps"].as_array().unwrap().is_empty());
    let mut left: Vec<String> = [&theirs, &narrowed, &forged].iter().map(|a| a["name"].as_str().unwrap().to_string()).collect();
    left.sort();
    assert_eq!(assignment_names(&rig), left, "the plan's and the dropped one went; someone's, the narrowed one and the forged row stay");
}

/// A planned assignment of ours that someone narrowed with a condition: setup.sh stops rather than
/// create it again by its name (which would replace it without the condition).
#[test]
fn azure_setup_never_replaces_a_planned_assignment_narrowed_with_a_condition() {
    let rig = rig(&azure_plan("ML3PlatformSP"), azure_state(json!([])));
    assert!(rig.run("azure/setup.sh", &[]).status.success());
    rig.edit(|st| {
        st["assignments"][0]["condition"] = json!("@Resource[x] StringStartsWith 'public/'");
    });
    let o = rig.run("azure/setup.sh", &[]);
    assert!(!o.status.success() && text(&o).contains("with a condition"), "{}", text(&o));
    assert!(rig.state()["assignments"][0]["condition"].is_string(), "the condition stays");
    // Without the subscription's listing (rights on the resource group alone), the scope is asked.
    rig.edit(|st| {
        st["list_denied"] = json!(true);
    });
    let o = rig.run("azure/setup.sh", &[]);
    assert!(!o.status.success() && text(&o).contains("with a condition"), "{}", text(&o));
    assert!(rig.state()["assignments"][0]["condition"].is_string(), "the condition stays");
}

/// On the vendor's shared app (keyless), only this integration's assignments (Trustbridge's name
/// and this integration's mark) are the plan's: a dropped one goes, wherever it is; another
/// integration's, and one made before Trustbridge marked its assignments, are kept and named; the
/// vendor app's other grants are not looked at.
#[test]
fn azure_keyless_setup_removes_only_this_integrations_dropped_assignments() {
    let mut v: Value = serde_json::from_str(&common::plan_text("custom-keyless.json")).unwrap();
    v.as_object_mut().unwrap().remove("gcp");
    let r = trustbridge_core::validate(&trustbridge_core::Plan::from_json(&v.to_string()).unwrap(), None).unwrap();
    let mark = trustbridge_core::model::azure::app_mark(&r.plan.integration.name);
    let ra = trustbridge_core::model::azure::model(r.azure.as_ref().unwrap()).role_assignments[0].clone();
    let role = ra.role_definition_id.clone();
    let sp = format!("sp-{VENDOR_APP}");
    let scope = |c: &str| ra.scope.rsplit_once('/').unwrap().0.to_string() + "/" + c;
    let name = |s: &str| trustbridge_cloud::azure::apply::assignment_name(s, &role, &sp);
    let elsewhere = scope("data").replace("/resourceGroups/acme-rg/", "/resourceGroups/team-b/");
    assert_ne!(elsewhere, scope("data"));
    let dropped = planted(&elsewhere, &role, &sp, &name(&elsewhere), Some(&mark), false);
    let another = planted(&scope("team-a"), &role, &sp, &name(&scope("team-a")), Some("managed-by=trustbridge integration=TA_02"), false);
    let unmarked = planted(&scope("old"), &role, &sp, &name(&scope("old")), None, false);
    let theirs = planted(&scope("shared"), &role, &sp, "eeeeeeee-0000-4000-8000-000000000005", None, false);
    let rig = rig(
        &v.to_string(),
        json!({"tenant": "72f988bf-86f1-41af-91ab-2d7cd011db47", "apps": [], "sps": [VENDOR_APP],
               "assignments": [dropped, another.clone(), unmarked.clone(), theirs.clone()]}),
    );
    let o = rig.run("azure/setup.sh", &[]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains(&format!("Removed {role} on {elsewhere}")), "{out}");
    assert!(out.contains(&format!("Kept {role} on {}: Trustbridge made it, but not", scope("team-a"))), "{out}");
    assert!(out.contains(&format!("Kept {role} on {}: Trustbridge made it, but not", scope("old"))), "{out}");
    assert!(!out.contains(&scope("shared")), "the vendor app's other grants: {out}");
    let mut want: Vec<String> =
        [&another, &unmarked, &theirs].iter().map(|a| a["name"].as_str().unwrap().to_string()).chain([name(&ra.scope)]).collect();
    want.sort();
    assert_eq!(assignment_names(&rig), want);
}

/// The service account's grants on a bucket or topic: `(role, member, conditioned)`.
fn gcp_grants(rig: &Rig, key: &str) -> Vec<(String, String, bool)> {
    let st = rig.state();
    let mut out = Vec::new();
    for (role, members) in st["resource_bindings"][key].as_object().into_iter().flatten() {
        for m in members.as_array().unwrap() {
            out.push((role.clone(), m.as_str().unwrap().to_string(), false));
        }
    }
    for b in st["resource_conditioned"][key].as_array().into_iter().flatten() {
        for m in b["members"].as_array().unwrap() {
            out.push((b["role"].as_str().unwrap().to_string(), m.as_str().unwrap().to_string(), true));
        }
    }
    out.sort();
    out
}

fn grant(role: &str, member: &str, conditioned: bool) -> (String, String, bool) {
    (role.to_string(), member.to_string(), conditioned)
}

fn conditioned(role: &str, member: &str) -> Value {
    // The condition's text holds a tab and a new line: the scripts read only whether there is one.
    json!({"role": role, "members": [member], "condition": {"title": "weekdays", "expression": "request.time.getDayOfWeek()\t< 5\n"}})
}

const VIEWER: &str = "roles/storage.objectViewer";
const PUBLISHER: &str = "roles/pubsub.publisher";

/// A bucket or topic dropped from the plan loses the vendor's grant at the next setup.sh and at
/// revoke.sh, as the app's apply and revoke do; another role, a condition, someone else's grant and
/// the plan's own stay. The real gcloud reads and writes the policies (against the REST double).
#[test]
fn gcp_setup_and_revoke_remove_the_grants_on_buckets_and_topics_the_plan_no_longer_names() {
    let sa = format!("serviceAccount:{SA}");
    let rig = rig(&gcp_plan(), json!({"service_accounts": {}}));
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!rig.calls().iter().any(|c| c.contains(&"list".to_string())), "a new account holds nothing: nothing listed");

    // What an earlier plan granted (dropped since), and what it did not.
    rig.edit(|st| {
        st["resource_bindings"]["gs://old-bucket"] = json!({VIEWER: [sa, "user:alice@example.com"], "roles/storage.admin": [sa]});
        st["resource_conditioned"]["gs://old-bucket"] = json!([conditioned(VIEWER, &sa)]);
        st["resource_bindings"]["gs://older-bucket"] = json!({VIEWER: [sa]});
        st["resource_bindings"]["old-topic"] = json!({PUBLISHER: [sa]});
        st["resource_bindings"]["mixed-topic"] = json!({PUBLISHER: [sa]});
        st["resource_conditioned"]["mixed-topic"] = json!([conditioned(PUBLISHER, &sa)]);
        st["resource_bindings"]["their-topic"] = json!({PUBLISHER: ["serviceAccount:other@my-project.iam.gserviceaccount.com"]});
        st["resource_bindings"]["cond-topic"] = json!({PUBLISHER: [sa]});
        st["resource_conditioned"]["cond-topic"] = json!([conditioned("roles/pubsub.viewer", "user:bob@example.com")]);
        // Names as a hostile list could hand them back: never passed on to gcloud.
        st["resource_bindings"]["gs://-evil"] = json!({VIEWER: [sa]});
        st["resource_bindings"]["gs://Up$(id)"] = json!({VIEWER: [sa]});
        st["resource_bindings"]["--log-http"] = json!({PUBLISHER: [sa]});
        st["listed_buckets"] = json!(["empty-bucket", "z-bucket"]);
    });

    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert_eq!(
        gcp_grants(&rig, "gs://old-bucket"),
        vec![grant("roles/storage.admin", &sa, false), grant(VIEWER, &sa, true), grant(VIEWER, "user:alice@example.com", false)],
        "only the unconditional grant in the profile's role went: {out}"
    );
    assert_eq!(gcp_grants(&rig, "gs://older-bucket"), vec![], "{out}");
    assert_eq!(gcp_grants(&rig, "old-topic"), vec![], "{out}");
    assert_eq!(
        gcp_grants(&rig, "mixed-topic"),
        vec![grant(PUBLISHER, &sa, false), grant(PUBLISHER, &sa, true)],
        "gcloud pubsub cannot write them back: both kept: {out}"
    );
    assert_eq!(gcp_grants(&rig, "cond-topic").len(), 2, "{out}");
    for hostile in ["gs://-evil", "gs://Up$(id)", "--log-http"] {
        assert_eq!(gcp_grants(&rig, hostile).len(), 1, "{hostile}: {out}");
    }
    assert_eq!(gcp_grants(&rig, "their-topic").len(), 1);
    assert_eq!(gcp_grants(&rig, "gs://my-company-data-bucket"), vec![grant(VIEWER, &sa, false)], "the plan's own grant stays: {out}");
    assert_eq!(gcp_grants(&rig, "my-topic"), vec![grant(PUBLISHER, &sa, false)], "{out}");
    for said in [
        "Removed roles/storage.objectViewer on gs://old-bucket: the plan no longer names it.",
        "Removed roles/storage.objectViewer on gs://older-bucket",
        "Removed roles/pubsub.publisher on topic old-topic",
        "Kept roles/storage.admin on gs://old-bucket: the plan does not name it, and Trustbridge does not grant that role there",
        "Kept roles/storage.objectViewer on gs://old-bucket: the plan does not name it, and Trustbridge does not grant it with a condition",
        "Kept roles/pubsub.publisher on topic mixed-topic: its policy holds a binding with a condition, which gcloud pubsub cannot write back",
        "Kept roles/pubsub.publisher on topic cond-topic: its policy holds a binding with a condition",
        "Kept roles/pubsub.publisher on topic mixed-topic: the plan does not name it, and Trustbridge does not grant it with a condition",
        "Bucket -evil was not looked at: that is not a bucket name.",
        "Bucket Up\\$\\(id\\) was not looked at",
        "Topic --log-http was not looked at: that is not a topic id.",
    ] {
        assert!(out.contains(said), "{said:?} not said: {out}");
    }
    // Removals come after the plan's own grants.
    let calls = rig.calls();
    let first_removal = calls.iter().position(|c| c.contains(&"remove-iam-policy-binding".to_string())).unwrap();
    let last_add = calls.iter().rposition(|c| c.contains(&"add-iam-policy-binding".to_string())).unwrap();
    assert!(last_add < first_removal, "{calls:?}");

    // A re-run: nothing more to remove.
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!rig.writes().iter().any(|c| c.contains(&"remove-iam-policy-binding".to_string())), "{:?}", rig.writes());

    // Revoke: a dropped grant goes with the plan's; a plan's grant someone already removed is said.
    rig.edit(|st| {
        st["resource_bindings"]["new-old-topic"] = json!({PUBLISHER: [sa]});
        st["resource_bindings"]["my-topic"] = json!({});
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Already gone: gcloud pubsub topics remove-iam-policy-binding my-topic"), "{}", text(&o));
    assert_eq!(gcp_grants(&rig, "new-old-topic"), vec![], "{}", text(&o));
    assert_eq!(gcp_grants(&rig, "gs://my-company-data-bucket"), vec![], "{}", text(&o));
    assert_eq!(gcp_grants(&rig, "gs://old-bucket").len(), 3, "kept as before: {}", text(&o));
    assert!(rig.state()["service_accounts"].get(SA).is_none());
}

/// A bucket of another project the plan dropped (Cloud Storage lists buckets by project) is found
/// by the scripts through Cloud Asset Inventory — the real gcloud's search of the organization,
/// else of the widest folder that may be searched — read, and loses the vendor's grant at setup.sh
/// and revoke.sh, as at the app's apply; where nothing can be searched, they say so.
#[test]
fn gcp_scripts_find_a_bucket_of_another_project_through_the_organization() {
    let sa = format!("serviceAccount:{SA}");
    let rig = rig(&gcp_plan(), json!({"service_accounts": {}}));
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    rig.edit(|st| {
        st["ancestry"] = json!([["folder", "456"], ["organization", "123"]]);
        st["other_buckets"] = json!(["shared-data", "raw-data", "their-data"]);
        st["resource_bindings"]["gs://shared-data"] = json!({VIEWER: [sa, "user:erin@example.com"]});
        st["resource_bindings"]["gs://raw-data"] = json!({VIEWER: [sa], "roles/storage.admin": [sa]});
        st["resource_bindings"]["gs://their-data"] = json!({VIEWER: ["user:erin@example.com"]});
        st["resource_bindings"]["gs://home-old"] = json!({VIEWER: [sa], "roles/storage.admin": [sa]});
        // A bucket of another project the person may read but not change.
        st["other_buckets"].as_array_mut().unwrap().push(json!("locked-data"));
        st["resource_bindings"]["gs://locked-data"] = json!({VIEWER: [sa]});
        st["write_denied"] = json!(["gs://locked-data"]);
    });
    let o = rig.run("gcp/setup.sh", &[]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert_eq!(gcp_grants(&rig, "gs://shared-data"), vec![grant(VIEWER, "user:erin@example.com", false)], "{out}");
    assert_eq!(gcp_grants(&rig, "gs://raw-data"), vec![grant("roles/storage.admin", &sa, false)], "another role stays: {out}");
    assert_eq!(gcp_grants(&rig, "gs://their-data"), vec![grant(VIEWER, "user:erin@example.com", false)], "{out}");
    assert_eq!(gcp_grants(&rig, "gs://my-company-data-bucket"), vec![grant(VIEWER, &sa, false)], "the plan's own stays: {out}");
    for said in [
        "Removed roles/storage.objectViewer on gs://shared-data: the plan no longer names it.",
        "Kept roles/storage.admin on gs://raw-data: the plan does not name it",
        "Kept roles/storage.objectViewer on gs://locked-data: its removal was refused",
    ] {
        assert!(out.contains(said), "{said:?} not said: {out}");
    }
    let searches: Vec<Vec<String>> = rig.calls().into_iter().filter(|c| c.contains(&"search-all-iam-policies".to_string())).collect();
    assert_eq!(searches.len(), 1, "{searches:?}");
    assert!(searches[0].contains(&"--scope=organizations/123".to_string()), "{searches:?}");
    let reads_of = |bucket: &str| {
        rig.calls().iter().filter(|c| c.contains(&"get-iam-policy".to_string()) && c.contains(&format!("gs://{bucket}"))).count()
    };
    assert_eq!(reads_of("my-company-data-bucket"), 1, "the plan's own bucket, found by the search too, is read once: {out}");
    assert_eq!(reads_of("home-old"), 1, "a bucket of the project, listed and found, is read once: {out}");
    assert_eq!(gcp_grants(&rig, "gs://home-old"), vec![grant("roles/storage.admin", &sa, false)], "{out}");

    // The organization may not be searched: the folder is, and that is said (revoke.sh).
    rig.edit(|st| {
        st["asset_denied"] = json!(["organizations/123"]);
        st["resource_bindings"]["gs://shared-data"] = json!({VIEWER: [sa, "user:erin@example.com"]});
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert_eq!(gcp_grants(&rig, "gs://shared-data"), vec![grant(VIEWER, "user:erin@example.com", false)], "{out}");
    assert!(out.contains("Buckets of other projects were looked at in folders/456 only"), "{out}");
    assert!(out.contains("Kept roles/storage.objectViewer on gs://locked-data: its removal was refused"), "{out}");
    assert!(rig.state()["service_accounts"].get(SA).is_none(), "revoke.sh deleted the account all the same: {out}");

    // Nothing may be searched: said, and nothing removed on a guess.
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    rig.edit(|st| {
        st["asset_denied"] = json!(["organizations/123", "folders/456"]);
        st["resource_bindings"]["gs://shared-data"] = json!({VIEWER: [sa]});
    });
    let o = rig.run("gcp/setup.sh", &[]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert_eq!(gcp_grants(&rig, "gs://shared-data"), vec![grant(VIEWER, &sa, false)], "{out}");
    assert!(
        out.contains("Buckets of other projects were not looked at for the vendor's grants: organizations/123 could not be searched"),
        "{out}"
    );
}

/// A bucket list or a policy that cannot be read is said; the plan's grants are made all the same
/// and nothing is removed on a guess. A planned bucket whose policy holds conditions is granted
/// (`--condition=None`: without it gcloud refuses, or asks in a terminal).
#[test]
fn gcp_setup_says_what_it_could_not_read_and_grants_a_bucket_that_holds_conditions() {
    let sa = format!("serviceAccount:{SA}");
    let rig = rig(
        &gcp_plan(),
        json!({"service_accounts": {SA: MARK}, "resource_conditioned": {"gs://my-company-data-bucket": [conditioned(VIEWER, "group:analysts@example.com")]}}),
    );
    rig.edit(|st| {
        st["resource_bindings"]["gs://old-bucket"] = json!({VIEWER: [sa]});
        st["resource_bindings"]["old-topic"] = json!({PUBLISHER: [sa]});
        st["resource_bindings"]["locked-topic"] = json!({PUBLISHER: [sa]});
        st["list_denied"] = json!(["buckets"]);
        st["policy_denied"] = json!(["locked-topic"]);
    });
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("Could not list the project's buckets"), "{out}");
    assert!(out.contains("topic locked-topic was not looked at for the vendor's grants"), "{out}");
    assert_eq!(gcp_grants(&rig, "gs://old-bucket"), vec![grant(VIEWER, &sa, false)], "not listed: not removed: {out}");
    assert_eq!(gcp_grants(&rig, "locked-topic"), vec![grant(PUBLISHER, &sa, false)], "{out}");
    assert_eq!(gcp_grants(&rig, "old-topic"), vec![], "the topics were listed: {out}");
    assert_eq!(
        gcp_grants(&rig, "gs://my-company-data-bucket"),
        vec![grant(VIEWER, "group:analysts@example.com", true), grant(VIEWER, &sa, false)],
        "{out}"
    );

    // The other way round: the topics cannot be listed, a bucket's policy cannot be read.
    rig.edit(|st| {
        st["resource_bindings"]["gs://locked-bucket"] = json!({VIEWER: [sa]});
        st["resource_bindings"]["newer-topic"] = json!({PUBLISHER: [sa]});
        st["list_denied"] = json!(["topics"]);
        st["policy_denied"] = json!(["gs://locked-bucket"]);
    });
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("Could not list the project's topics"), "{out}");
    assert!(out.contains("gs://locked-bucket was not looked at for the vendor's grants"), "{out}");
    assert_eq!(gcp_grants(&rig, "gs://old-bucket"), vec![], "the buckets were listed: {out}");
    assert_eq!(gcp_grants(&rig, "gs://locked-bucket").len(), 1, "{out}");
    assert_eq!(gcp_grants(&rig, "newer-topic").len(), 1, "{out}");

    // Revoke goes on when it cannot look: the service account goes all the same.
    rig.edit(|st| {
        st["list_denied"] = json!(["buckets", "topics"]);
    });
    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("Could not list the project's buckets") && text(&o).contains("Could not list the project's topics"),
        "{}",
        text(&o)
    );
    assert!(rig.state()["service_accounts"].get(SA).is_none());
}

/// The account's grants beyond the plan's on the plan's own bucket and topic (another role, a
/// binding with a condition) are said by setup.sh and revoke.sh and never removed, as the app's
/// apply and revoke do: a policy does not say who added a binding.
#[test]
fn gcp_scripts_say_what_the_account_holds_beyond_the_plan_where_the_plan_grants() {
    let sa = format!("serviceAccount:{SA}");
    let rig = rig(&gcp_plan(), json!({"service_accounts": {}}));
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    rig.edit(|st| {
        st["resource_bindings"]["gs://my-company-data-bucket"]["roles/storage.legacyBucketReader"] = json!([sa]);
        st["resource_conditioned"]["gs://my-company-data-bucket"] = json!([conditioned(VIEWER, &sa)]);
        st["resource_bindings"]["my-topic"]["roles/pubsub.viewer"] = json!([sa, "user:carol@example.com"]);
        st["resource_bindings"]["my-topic"]["roles/pubsub.subscriber"] = json!(["user:carol@example.com"]);
    });
    let o = rig.run("gcp/setup.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    for said in [
        "Kept roles/storage.legacyBucketReader on gs://my-company-data-bucket: the plan grants roles/storage.objectViewer there and nothing else. Remove it in the console",
        "Kept roles/storage.objectViewer with a condition on gs://my-company-data-bucket: the plan grants roles/storage.objectViewer there, without a condition.",
        "Kept roles/pubsub.viewer on topic my-topic: the plan grants roles/pubsub.publisher there and nothing else.",
    ] {
        assert!(out.contains(said), "{said:?} not said: {out}");
    }
    let kept: Vec<&str> = out.lines().filter(|l| l.starts_with("Kept ")).collect();
    assert_eq!(kept.len(), 3, "another member's grants are not named: {out}");
    assert!(!rig.writes().iter().any(|c| c.contains(&"remove-iam-policy-binding".to_string())), "{:?}", rig.writes());

    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("Not removed: roles/storage.legacyBucketReader on gs://my-company-data-bucket (the plan grants roles/storage.objectViewer there and nothing else; revoke removes only the plan's own grants). It grants nothing once the service account is deleted"),
        "{out}"
    );
    assert!(out.contains("Not removed: roles/pubsub.viewer on topic my-topic"), "{out}");
    assert_eq!(
        gcp_grants(&rig, "gs://my-company-data-bucket"),
        vec![grant("roles/storage.legacyBucketReader", &sa, false), grant(VIEWER, &sa, true)],
        "the plan's own grant went, the rest stays: {out}"
    );
    assert!(rig.state()["service_accounts"].get(SA).is_none(), "{out}");
}
