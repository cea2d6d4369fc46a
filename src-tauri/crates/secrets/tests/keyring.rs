//! The real OS keyring: gnome-keyring's Secret Service in a private D-Bus session (started by the test itself).
//!
//! Each outer test starts `dbus-run-session` with a private HOME and XDG dirs, unlocks a fresh
//! gnome-keyring there, and runs inner tests of this same binary in it — each inner test in its own
//! process, so "read back" really is a new process. The inner tests are `#[ignore]`d and refuse to
//! run outside such a session, so `cargo test -- --ignored` never touches a real keyring.
//! If dbus-run-session or gnome-keyring is missing, the outer tests FAIL with how to install them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use trustbridge_secrets::*;

const GUARD: &str = "TRUSTBRIDGE_KEYRING_TEST_HOME";
const INTEGRATION: &str = "KR_TEST";
const INSTALL: &str = "apt-get install -y dbus-daemon gnome-keyring libsecret-tools";

fn find_tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{name}` is not installed; the real-keyring tests need it. Install: {INSTALL}"))
}

/// A private HOME with XDG dirs, and the environment that points at it.
fn private_home() -> (tempfile::TempDir, Vec<(String, String)>) {
    let t = tempfile::Builder::new().prefix("tb-keyring-").tempdir().unwrap();
    let h = t.path();
    for d in ["run", "cache", "config", "data"] {
        std::fs::create_dir_all(h.join(d)).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(h.join("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let env = vec![
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("HOME".into(), s(h)),
        ("XDG_RUNTIME_DIR".into(), s(&h.join("run"))),
        ("XDG_CACHE_HOME".into(), s(&h.join("cache"))),
        ("XDG_CONFIG_HOME".into(), s(&h.join("config"))),
        ("XDG_DATA_HOME".into(), s(&h.join("data"))),
        ("TMPDIR".into(), s(h)),
        (GUARD.into(), s(h)),
        ("RUST_BACKTRACE".into(), "1".into()),
    ];
    (t, env)
}

/// Runs `script` under `sh -c` inside a fresh `dbus-run-session`; `$0` is this test binary.
fn in_session(env: &[(String, String)], script: &str, limit: Duration) -> Output {
    find_tool("gnome-keyring-daemon");
    let dbus = find_tool("dbus-run-session");
    let me = std::env::current_exe().unwrap();
    let mut c = Command::new(dbus);
    c.env_clear().envs(env.iter().map(|(k, v)| (k, v))).arg("--").arg("sh").arg("-c").arg(script).arg(&me);
    run_bounded(c, limit)
}

fn run_bounded(mut c: Command, limit: Duration) -> Output {
    c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "timed out after {limit:?}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

const UNLOCK: &str = "echo -n pw | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null || exit 97";

fn inner(names: &[&str]) -> String {
    names.iter().map(|n| format!("\"$0\" --exact {n} --ignored --nocapture --test-threads=1")).collect::<Vec<_>>().join(" && ")
}

fn show(o: &Output) -> String {
    format!("status {:?}\nstdout:\n{}\nstderr:\n{}", o.status, String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// In an inner test: the private home, or a refusal to run outside the outer test's session.
fn guard() -> PathBuf {
    let h = std::env::var(GUARD).expect("inner keyring test: run it through its outer test (it needs a private D-Bus session)");
    assert_eq!(std::env::var("HOME").unwrap(), h, "inner keyring test outside its private HOME");
    PathBuf::from(h)
}

fn sha(s: &str) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, s.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn real_keyring_store_read_back_in_a_new_process_status_delete() {
    let (home, env) = private_home();
    let script = format!(
        "{UNLOCK}; {}",
        inner(&["inner_store", "inner_read_back_in_a_new_process", "inner_release_namespace_untouched", "inner_delete_and_status"])
    );
    let o = in_session(&env, &script, Duration::from_secs(120));
    assert!(o.status.success(), "{}", show(&o));
    for n in ["inner_store", "inner_read_back_in_a_new_process", "inner_delete_and_status"] {
        assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("test {n} ... ok")), "{n} did not run: {}", show(&o));
    }
    // After delete too: the keyring file exists (gnome-keyring wrote it in the private home) and
    // holds no plaintext; the search is proven on a planted copy first.
    let canary = std::fs::read_to_string(home.path().join("canary")).unwrap();
    let control = home.path().join("control.txt");
    std::fs::write(&control, &canary).unwrap();
    assert_eq!(grep_tree(home.path(), canary.as_bytes()), vec![control.clone()], "the search finds a planted copy");
    std::fs::remove_file(&control).unwrap();
    assert!(walk(home.path()).iter().any(|p| p.extension().is_some_and(|e| e == "keyring")), "no keyring file: {:?}", walk(home.path()));
    let hits = grep_tree(home.path(), canary.as_bytes());
    assert!(hits.is_empty(), "canary found in {hits:?}");
}

#[test]
fn no_bus_means_keyring_unavailable_and_nothing_written() {
    let (home, env) = private_home();
    let me = std::env::current_exe().unwrap();
    let mut c = Command::new(me);
    c.env_clear().envs(env.iter().map(|(k, v)| (k, v))).args(["--exact", "inner_no_bus", "--ignored", "--nocapture"]);
    let o = run_bounded(c, Duration::from_secs(60));
    assert!(o.status.success(), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("test inner_no_bus ... ok"), "{}", show(&o));
    let files: Vec<_> = walk(home.path()).into_iter().filter(|p| p.is_file()).collect();
    assert!(files.is_empty(), "no plaintext fallback may write anything: {files:?}");
}

#[test]
fn a_locked_keyring_is_keyring_locked() {
    let (_home, env) = private_home();
    // Started without --unlock and no display: the collection cannot be unlocked (no prompt possible).
    let script =
        format!("gnome-keyring-daemon --components=secrets --daemonize </dev/null >/dev/null || exit 97; {}", inner(&["inner_locked"]));
    let o = in_session(&env, &script, Duration::from_secs(120));
    assert!(o.status.success(), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("test inner_locked ... ok"), "{}", show(&o));
}

// --- inner tests (run inside the session by the outer tests) ------------------------------------

#[test]
#[ignore = "run by real_keyring_store_read_back_in_a_new_process_status_delete inside a private D-Bus session"]
fn inner_store() {
    let home = guard();
    let store = SecretStore::os();
    assert_eq!(store.service(), "dev.trustbridge.wizard/debug");
    let k = gcp_key("my-project", "ml3-platform-sa@my-project.iam.gserviceaccount.com", "https://oauth2.googleapis.com/token");
    let canary = format!("CANARY-{}", std::process::id());
    let az = azure_json(&canary);
    let st = store.set(INTEGRATION, &ValidatedSecret::parse(SecretKind::Gcp, &Sensitive::new(k.json.clone())).unwrap()).unwrap();
    assert!(st.stored);
    store.set(INTEGRATION, &ValidatedSecret::parse(SecretKind::Azure, &Sensitive::new(az.clone())).unwrap()).unwrap();
    // Only hashes and the canary marker go to disk (the canary is searched for afterwards).
    std::fs::write(home.join("expected"), format!("{}\n{}\n", sha(&k.json), sha(&az))).unwrap();
    std::fs::write(home.join("canary"), &canary).unwrap();
    // Replace the GCP key once, so the stale-chunk cleanup runs against the real store.
    let k2 = gcp_key("my-project", "ml3-platform-sa@my-project.iam.gserviceaccount.com", "https://oauth2.googleapis.com/token");
    store.set(INTEGRATION, &ValidatedSecret::parse(SecretKind::Gcp, &Sensitive::new(k2.json.clone())).unwrap()).unwrap();
    std::fs::write(home.join("expected"), format!("{}\n{}\n", sha(&k2.json), sha(&az))).unwrap();
    // The first generation's chunks are gone from the real store.
    for i in 0..2 {
        let user = format!("{INTEGRATION}/gcp-service-account-key#g1.{i}");
        assert!(KeyringBackend.get(store.service(), &user).unwrap().is_none(), "stale chunk {user}");
    }
    // While the secrets are stored (not only after they are deleted): gnome-keyring's file exists in
    // the private home and nothing under it holds the secret in plain text. A planted copy is found
    // first, so a broken search cannot pass.
    let control = home.join("control.txt");
    std::fs::write(&control, format!("control {canary}\n")).unwrap();
    assert_eq!(grep_tree(&home, canary.as_bytes()), vec![control.clone()], "the search finds a planted copy");
    std::fs::remove_file(&control).unwrap();
    let keyrings: Vec<PathBuf> = walk(&home).into_iter().filter(|p| p.extension().is_some_and(|e| e == "keyring")).collect();
    assert!(!keyrings.is_empty(), "gnome-keyring wrote its file under the private home: {:?}", walk(&home));
    let hits = grep_tree(&home, canary.as_bytes());
    assert!(hits.is_empty(), "the stored secret is in plain text in {hits:?}");
}

#[test]
#[ignore = "run by real_keyring_store_read_back_in_a_new_process_status_delete inside a private D-Bus session"]
fn inner_read_back_in_a_new_process() {
    let home = guard();
    let expected = std::fs::read_to_string(home.join("expected")).unwrap();
    let mut lines = expected.lines();
    let store = SecretStore::os();
    let gcp = store.get(INTEGRATION, SecretKind::Gcp).unwrap();
    assert_eq!(sha(gcp.expose()), lines.next().unwrap());
    let az = store.get(INTEGRATION, SecretKind::Azure).unwrap();
    assert_eq!(sha(az.expose()), lines.next().unwrap());
    let key = store.gcp_key(INTEGRATION).unwrap();
    assert_eq!(key.project_id, "my-project");
    let st = store.status(INTEGRATION, SecretKind::Gcp).unwrap();
    assert!(st.stored);
    assert_eq!(st.fingerprint.unwrap().principal, "ml3-platform-sa@my-project.iam.gserviceaccount.com");
    assert_eq!(store.azure_secret(INTEGRATION).unwrap().app_id, AZ_APP_ID);
}

#[test]
#[ignore = "run by real_keyring_store_read_back_in_a_new_process_status_delete inside a private D-Bus session"]
fn inner_release_namespace_untouched() {
    guard();
    let release = SecretStore::with_backend(std::sync::Arc::new(KeyringBackend), service_name(BuildKind::Release));
    assert!(!release.status(INTEGRATION, SecretKind::Gcp).unwrap().stored, "a debug build wrote a release entry");
    assert!(!release.status(INTEGRATION, SecretKind::Azure).unwrap().stored);
}

#[test]
#[ignore = "run by real_keyring_store_read_back_in_a_new_process_status_delete inside a private D-Bus session"]
fn inner_delete_and_status() {
    guard();
    let store = SecretStore::os();
    assert!(store.delete(INTEGRATION, SecretKind::Gcp).unwrap());
    assert!(store.delete(INTEGRATION, SecretKind::Azure).unwrap());
    for kind in SecretKind::ALL {
        assert!(!store.status(INTEGRATION, kind).unwrap().stored);
        assert_eq!(store.get(INTEGRATION, kind).unwrap_err().code(), "secrets.not_found");
    }
    for user in ["gcp-service-account-key#g2.0", "gcp-service-account-key#g2.1", "azure-client-secret#g1.0"] {
        assert!(KeyringBackend.get(store.service(), &format!("{INTEGRATION}/{user}")).unwrap().is_none(), "{user} left behind");
    }
}

#[test]
#[ignore = "run by no_bus_means_keyring_unavailable_and_nothing_written without a session bus"]
fn inner_no_bus() {
    guard();
    assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none());
    let store = SecretStore::os();
    let e = store
        .set(INTEGRATION, &ValidatedSecret::parse(SecretKind::Azure, &Sensitive::new(azure_json("CANARY-nobus"))).unwrap())
        .unwrap_err();
    assert_eq!(e.code(), "keyring.unavailable", "{e}");
    assert!(e.fix().unwrap().contains("gnome-keyring-daemon --unlock"));
    assert!(!e.to_string().contains("CANARY"));
    assert_eq!(store.status(INTEGRATION, SecretKind::Gcp).unwrap_err().code(), "keyring.unavailable");
    assert_eq!(KeyringBackend::check().unwrap_err().code(), "keyring.unavailable");
}

#[test]
#[ignore = "run by a_locked_keyring_is_keyring_locked inside a private D-Bus session"]
fn inner_locked() {
    guard();
    let store = SecretStore::os();
    let e = store
        .set(INTEGRATION, &ValidatedSecret::parse(SecretKind::Azure, &Sensitive::new(azure_json("CANARY-locked"))).unwrap())
        .unwrap_err();
    assert_eq!(e.code(), "keyring.locked", "{e}");
    assert!(!e.to_string().contains("CANARY"));
}

// --- helpers -------------------------------------------------------------------------------------

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(p.clone());
            }
            if !ft.is_symlink() {
                out.push(p);
            }
        }
    }
    out
}

/// Files under `root` (except the test's own `canary` marker) that contain `needle`.
fn grep_tree(root: &Path, needle: &[u8]) -> Vec<PathBuf> {
    walk(root)
        .into_iter()
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "canary"))
        .filter(|p| std::fs::read(p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)))
        .collect()
}
