//! App state: where the wizard autosaves its draft. The draft is the plan being typed plus the
//! step the user is on; it never holds a secret (secrets never enter the plan).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use trustbridge_core::export::write_private_file_atomic;
use ts_rs::TS;

use crate::errors::AppCode;
use crate::ipc::IpcError;

/// The autosaved wizard state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// Draft format version (1).
    pub version: u32,
    /// The step id the user was on.
    pub step: String,
    /// The plan as typed so far (may be incomplete or invalid; it is validated on Continue).
    #[ts(type = "unknown")]
    pub plan: serde_json::Value,
}

/// Keys that would mean a secret got into a draft; refusing them keeps secrets off disk even if
/// the UI had a bug.
const SECRET_KEYS: &[&str] =
    &["password", "private_key", "private_key_id", "client_secret", "secret", "secret_access_key", "session_token"];
const MAX_DRAFT_BYTES: usize = 1 << 20;

fn find_secret_key(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Object(m) => {
            m.iter().find_map(
                |(k, v)| {
                    if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) {
                        Some(k.clone())
                    } else {
                        find_secret_key(v)
                    }
                },
            )
        }
        serde_json::Value::Array(a) => a.iter().find_map(find_secret_key),
        _ => None,
    }
}

/// A value that looks like a secret pasted into a plan field: a PEM block, a key file's
/// `private_key`, or a long run of base64 (a key or token). The path of the field and why.
fn find_secret_value(v: &serde_json::Value, path: &str) -> Option<(String, &'static str)> {
    match v {
        serde_json::Value::String(s) => {
            let why = if s.contains("-----BEGIN") || s.contains("PRIVATE KEY") {
                Some("a PEM block (a private key or certificate)")
            } else if s.contains("\"private_key\"") || s.contains("\"client_secret\"") || s.contains("\"password\"") {
                Some("a credentials file's JSON")
            } else if longest_base64_run(s) >= 100 {
                Some("a long base64 run (a key or token)")
            } else {
                None
            };
            why.map(|w| (path.to_string(), w))
        }
        serde_json::Value::Object(m) => {
            m.iter().find_map(|(k, v)| find_secret_value(v, &if path.is_empty() { k.clone() } else { format!("{path}.{k}") }))
        }
        serde_json::Value::Array(a) => a.iter().enumerate().find_map(|(i, v)| find_secret_value(v, &format!("{path}[{i}]"))),
        _ => None,
    }
}

fn longest_base64_run(s: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_') {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

pub struct AppState {
    pub data_dir: PathBuf,
}

impl AppState {
    pub fn draft_path(&self) -> PathBuf {
        self.data_dir.join("draft.json")
    }

    pub fn save_draft(&self, d: &Draft) -> Result<(), IpcError> {
        if let Some(k) = find_secret_key(&d.plan) {
            return Err(IpcError::new(
                AppCode::DraftSecret,
                format!("draft: refusing to save a field named '{k}': secrets never go to disk"),
            ));
        }
        if let Some((field, why)) = find_secret_value(&d.plan, "") {
            return Err(IpcError {
                field: Some(field.clone()),
                fix: Some("Remove it from this field. Keys and secrets go in the Credentials step, into the OS keyring.".into()),
                ..IpcError::new(AppCode::DraftSecretValue, format!("{field} looks like a secret ({why}), so it was not saved"))
            });
        }
        let text = serde_json::to_vec_pretty(d).map_err(|e| IpcError::new(AppCode::DraftInvalid, e.to_string()))?;
        if text.len() > MAX_DRAFT_BYTES {
            return Err(IpcError::new(AppCode::DraftTooLarge, format!("draft: {} bytes is over the 1 MiB limit", text.len())));
        }
        // It holds account and tenant ids and the external id: 0600, in a 0700 folder.
        write_private_file_atomic(&self.draft_path(), &text).map_err(IpcError::from)
    }

    /// The saved draft, if any. A corrupt draft is set aside (renamed), never a crash. A draft an
    /// older version left readable by others is made 0600 (through the handle).
    pub fn load_draft(&self) -> Option<Draft> {
        let path = self.draft_path();
        let mut file = std::fs::File::open(&path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if file.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o077 != 0) {
                let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
            }
        }
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut text).ok()?;
        match serde_json::from_slice::<Draft>(&text) {
            Ok(d) if d.version == 1 => Some(d),
            _ => {
                let _ = std::fs::rename(&path, path.with_extension("json.corrupt"));
                None
            }
        }
    }

    pub fn clear_draft(&self) -> Result<(), IpcError> {
        match std::fs::remove_file(self.draft_path()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(IpcError::new(AppCode::DraftIo, e.to_string())),
        }
    }
}

/// A new folder under `parent` for an export: `trustbridge-<name>`, `-2`, `-3`, … never reused.
pub fn unique_export_dir(parent: &Path, name: &str) -> PathBuf {
    let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    let base = format!("trustbridge-{safe}");
    let mut candidate = parent.join(&base);
    let mut n = 2;
    while candidate.exists() {
        candidate = parent.join(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// Where the wizard may send the browser: https only, on an allowlist of console hosts.
pub const ALLOWED_HOSTS: &[&str] = &[
    "console.aws.amazon.com",
    "console.amazonaws.cn",
    "shell.cloud.google.com",
    "console.cloud.google.com",
    "shell.azure.com",
    "portal.azure.com",
    "login.microsoftonline.com",
];

pub fn allowed_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.contains('@') && !host.contains(':') && ALLOWED_HOSTS.contains(&host)
}

/// The console / cloud shell to open for each cloud.
pub fn console_url(target: &str) -> Option<&'static str> {
    match target {
        "aws-console" => Some("https://console.aws.amazon.com/iam/home#/roles"),
        "gcp-cloud-shell" => Some("https://shell.cloud.google.com/?show=terminal"),
        "azure-cloud-shell" => Some("https://shell.azure.com/bash"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist() {
        assert!(allowed_url("https://shell.azure.com/bash"));
        assert!(!allowed_url("http://shell.azure.com/"));
        assert!(!allowed_url("https://shell.azure.com.evil.example/"));
        assert!(!allowed_url("https://evil.example@shell.azure.com/"));
        assert!(!allowed_url("file:///etc/passwd"));
        for t in ["aws-console", "gcp-cloud-shell", "azure-cloud-shell"] {
            assert!(allowed_url(console_url(t).unwrap()));
        }
    }

    #[test]
    fn drafts_round_trip_atomically_and_refuse_secrets() {
        let tmp = tempfile::tempdir().unwrap();
        let st = AppState { data_dir: tmp.path().join("data") };
        assert!(st.load_draft().is_none());
        let d = Draft { version: 1, step: "aws-identity".into(), plan: serde_json::json!({"version": 1, "aws": {"account_id": "1234"}}) };
        st.save_draft(&d).unwrap();
        assert_eq!(st.load_draft().unwrap(), d);
        let bad = Draft { plan: serde_json::json!({"gcp": {"private_key": "-----BEGIN"}}), ..d.clone() };
        assert_eq!(st.save_draft(&bad).unwrap_err().code, "draft.secret");
        assert_eq!(st.load_draft().unwrap(), d, "refused save leaves the old draft");
        // A secret pasted into an ordinary field is refused too, naming the field, never saved.
        let pem = format!("-----BEGIN {}-----\nMIIE…", "PRIVATE KEY");
        let key_json = r#"{"type": "service_account", "private_key": "x"}"#;
        let token = "A".repeat(120);
        for (value, field) in [(pem.as_str(), "aws.role_name"), (key_json, "aws.role_name"), (token.as_str(), "aws.role_name")] {
            let bad = Draft { plan: serde_json::json!({"aws": {"role_name": value}}), ..d.clone() };
            let e = st.save_draft(&bad).unwrap_err();
            assert_eq!((e.code.as_str(), e.field.as_deref()), ("draft.secret_value", Some(field)), "{value}");
            assert!(!e.message.contains("MIIE") && !e.message.contains(&token), "the value is not echoed: {}", e.message);
        }
        assert_eq!(st.load_draft().unwrap(), d);
        // Ordinary long values are not secrets: a 40-character external id, an ARN pattern.
        let ok = Draft {
            plan: serde_json::json!({"aws": {"external_id": "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gAZk3pQ9vX", "principal_patterns": "arn:aws:iam::210987654321:role/workers-*"}}),
            ..d.clone()
        };
        st.save_draft(&ok).unwrap();
        std::fs::write(st.draft_path(), b"{not json").unwrap();
        assert!(st.load_draft().is_none());
        assert!(st.data_dir.join("draft.json.corrupt").exists());
        st.clear_draft().unwrap();
        st.clear_draft().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn drafts_are_0600_in_a_0700_folder() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let tmp = tempfile::tempdir().unwrap();
        let st = AppState { data_dir: tmp.path().join("data") };
        let d = Draft { version: 1, step: "aws-identity".into(), plan: serde_json::json!({"aws": {"external_id": "x"}}) };
        st.save_draft(&d).unwrap();
        assert_eq!(mode(&st.draft_path()), 0o600);
        assert_eq!(mode(&st.data_dir), 0o700);
        // A folder and draft left readable by others (an older version, a umask of 022) are tightened.
        std::fs::set_permissions(&st.data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(st.draft_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(st.load_draft().unwrap(), d);
        assert_eq!(mode(&st.draft_path()), 0o600);
        st.save_draft(&d).unwrap();
        assert_eq!(mode(&st.data_dir), 0o700);
        assert_eq!(mode(&st.draft_path()), 0o600);
        let left: Vec<_> = std::fs::read_dir(&st.data_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["draft.json"], "no temporary file left behind");
    }

    #[test]
    fn export_dirs_are_never_reused() {
        let tmp = tempfile::tempdir().unwrap();
        let a = unique_export_dir(tmp.path(), "AWS_01");
        std::fs::create_dir(&a).unwrap();
        let b = unique_export_dir(tmp.path(), "AWS_01");
        assert_ne!(a, b);
        assert!(b.ends_with("trustbridge-AWS_01-2"));
        assert!(unique_export_dir(tmp.path(), "../x").ends_with("trustbridge----x"));
    }
}
