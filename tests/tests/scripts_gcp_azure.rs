//! The exported `gcp/` and `azure/` scripts, run with bash against TEST DOUBLES of the gcloud and
//! az command lines (`tests/doubles/cloud_cli.py`: no Google IAM or Microsoft Graph exists on this
//! machine). Proves the ownership rule: a same-named service account or app registration
//! Trustbridge did not create for this integration is never bound, keyed, given a secret, or
//! deleted; Azure looks apps up by exact name (an OData literal, quotes doubled), not by prefix,
//! and refuses when several match; revoke uses the app id setup.sh recorded.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

struct Rig {
    _dir: tempfile::TempDir,
    bin: PathBuf,
    state: PathBuf,
    log: PathBuf,
    bundle: PathBuf,
}

fn rig(plan: &str, state: Value) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let double = Path::new(env!("CARGO_MANIFEST_DIR")).join("doubles/cloud_cli.py");
    for tool in ["gcloud", "az"] {
        std::os::unix::fs::symlink(&double, bin.join(tool)).unwrap();
    }
    let state_file = dir.path().join("state.json");
    std::fs::write(&state_file, state.to_string()).unwrap();
    let r = trustbridge_core::validate(&trustbridge_core::Plan::from_json(plan).unwrap(), None).unwrap();
    let bundle = trustbridge_core::export::write_bundle(&trustbridge_core::render::render(&r), &dir.path().join("bundle")).unwrap();
    Rig { bin, state: state_file, log: dir.path().join("calls.jsonl"), bundle, _dir: dir }
}

impl Rig {
    fn run(&self, script: &str, env: &[(&str, &str)]) -> Output {
        let _ = std::fs::remove_file(&self.log);
        let mut c = Command::new("bash");
        c.arg(self.bundle.join(script))
            .env("PATH", format!("{}:{}", self.bin.display(), std::env::var("PATH").unwrap_or_default()))
            .env("FAKE_CLOUD_STATE", &self.state)
            .env("FAKE_CLOUD_LOG", &self.log);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
    fn state(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(&self.state).unwrap()).unwrap()
    }
    /// Every call the script made, as argv lists.
    fn calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(&self.log).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
    /// Calls that change something (everything but describe/show/list/account).
    fn writes(&self) -> Vec<Vec<String>> {
        self.calls()
            .into_iter()
            .filter(|c| !c.iter().any(|w| ["describe", "show", "list"].contains(&w.as_str()) || w == "account"))
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

    let o = rig.run("gcp/revoke.sh", &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(rig.state()["service_accounts"].get(SA).is_none(), "deleted");
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
