//! A private session for CLI tests that use the real OS keyring: HOME, XDG dirs and TMPDIR in a
//! temp folder (so nothing touches the real home), run inside `dbus-run-session` with an unlocked
//! gnome-keyring by the outer test; and the canary search over every file of that home.
//! Shared by `cli_secrets.rs` and `cli_register.rs` (`#[path = "session/mod.rs"] mod session;`).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL: &str = "apt-get install -y dbus-daemon gnome-keyring libsecret-tools";

pub fn tool(name: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{name}` is not installed; the keyring CLI tests need it. Install: {INSTALL}"))
}

/// A private home; `guard` names the variable the inner test reads it from.
pub fn private_home(guard: &str) -> (tempfile::TempDir, Vec<(String, String)>) {
    let t = tempfile::Builder::new().prefix("tb-cli-keyring-").tempdir().unwrap();
    let h = t.path();
    for d in ["run", "cache", "config", "data", "tmp", "work"] {
        std::fs::create_dir_all(h.join(d)).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(h.join("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let s = |p: PathBuf| p.to_string_lossy().into_owned();
    let env = vec![
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("HOME".into(), s(h.to_path_buf())),
        ("XDG_RUNTIME_DIR".into(), s(h.join("run"))),
        ("XDG_CACHE_HOME".into(), s(h.join("cache"))),
        ("XDG_CONFIG_HOME".into(), s(h.join("config"))),
        ("XDG_DATA_HOME".into(), s(h.join("data"))),
        ("TMPDIR".into(), s(h.join("tmp"))),
        (guard.into(), s(h.to_path_buf())),
    ];
    (t, env)
}

pub fn bounded(mut c: Command, limit: Duration) -> Output {
    c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!("timed out:\n{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

pub fn run_stdin(env: &[(String, String)], args: &[&str], input: &str) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trustbridge"));
    c.env_clear().envs(env.iter().map(|(k, v)| (k, v))).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Files under HOME (app data, config, cache, logs, the private TMPDIR, the export folder) holding `needle`.
pub fn hits(home: &Path, needle: &str) -> Vec<PathBuf> {
    files(home).into_iter().filter(|p| std::fs::read(p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))).collect()
}

/// Runs the ignored test `inner` of this test binary inside a private D-Bus session with an
/// unlocked gnome-keyring and the private home's environment (plus `extra`); asserts it passed.
pub fn run_inner(inner: &str, env: &[(String, String)], limit: Duration) {
    tool("gnome-keyring-daemon");
    let script = format!(
        "echo -n pw | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null || exit 97; \"$0\" --exact {inner} --ignored --nocapture --test-threads=1"
    );
    let mut c = Command::new(tool("dbus-run-session"));
    c.env_clear().envs(env.iter().map(|(k, v)| (k, v))).args(["--", "sh", "-c", &script]).arg(std::env::current_exe().unwrap());
    let o = bounded(c, limit);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("test {inner} ... ok")), "{}", text(&o));
}

/// A GCP key file with every field Google writes, and a fresh RSA key (openssl, made now).
pub fn gcp_key_json() -> String {
    let o = Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
        .output()
        .expect("openssl is not installed (apt-get install -y openssl)");
    assert!(o.status.success());
    let email = "ml3-platform-sa@my-project.iam.gserviceaccount.com";
    serde_json::to_string_pretty(&serde_json::json!({
        "type": "service_account", "project_id": "my-project", "private_key_id": "89abcdef0123456789abcdef0123456789abcdef",
        "private_key": String::from_utf8(o.stdout).unwrap(), "client_email": email, "client_id": "112233445566778899",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/ml3-platform-sa%40my-project.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com"}))
    .unwrap()
}
