//! The one error type of the secrets crate. Every variant has a stable `code` and, where it helps, a
//! `fix`. No message ever contains a secret: validation errors name the field, never its value, and
//! keyring errors are mapped from their kind (the keyring crate's own `Debug` can hold secret bytes,
//! so it is never formatted).

use serde::Serialize;

/// Errors of the secrets crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// No usable OS credential store (no Secret Service on the session bus, no bus at all, an
    /// unsupported platform). There is deliberately no plaintext fallback.
    #[error("the OS keyring is not available: {detail}")]
    KeyringUnavailable { detail: String },
    /// The store exists but refused access (locked collection, dismissed or impossible unlock prompt).
    #[error("the OS keyring is locked or refused access: {detail}")]
    KeyringLocked { detail: String },
    /// Any other failure reported by the credential store.
    #[error("the OS keyring failed during {op}: {detail}")]
    Keyring { op: &'static str, detail: String },
    #[error("no {kind} is stored for integration '{integration}'")]
    NotFound { integration: String, kind: &'static str },
    #[error("the stored {kind} for integration '{integration}' is damaged ({reason})")]
    Corrupt { integration: String, kind: &'static str, reason: String },
    #[error("the secret is {len} bytes; the most Trustbridge stores is {max}")]
    TooLarge { len: usize, max: usize },
    #[error("integration name '{name}' cannot name a keyring entry: {rule}")]
    BadIntegration { name: String, rule: &'static str },
    /// The pasted or picked secret is not what it should be. `field` names the JSON field; the
    /// message describes the problem without quoting the value.
    #[error("{field}: {message}")]
    Invalid { code: &'static str, field: String, message: String, fix: String },
}

impl SecretsError {
    /// Stable machine-readable code; the UI maps codes to plain language.
    pub fn code(&self) -> &'static str {
        match self {
            SecretsError::KeyringUnavailable { .. } => "keyring.unavailable",
            SecretsError::KeyringLocked { .. } => "keyring.locked",
            SecretsError::Keyring { .. } => "keyring.error",
            SecretsError::NotFound { .. } => "secrets.not_found",
            SecretsError::Corrupt { .. } => "secrets.corrupt",
            SecretsError::TooLarge { .. } => "secrets.too_large",
            SecretsError::BadIntegration { .. } => "secrets.bad_integration",
            SecretsError::Invalid { code, .. } => code,
        }
    }

    /// What the user can do about it, in plain language.
    pub fn fix(&self) -> Option<String> {
        Some(match self {
            SecretsError::KeyringUnavailable { .. } => keyring_unavailable_fix().into(),
            SecretsError::KeyringLocked { .. } => keyring_locked_fix().into(),
            SecretsError::Keyring { .. } => "try again; if it persists, restart your keyring service (or log out and in) and re-enter the secret".into(),
            SecretsError::NotFound { .. } => "store it first: paste it in the wizard, or run `trustbridge secrets set --plan PLAN --kind gcp|azure --file KEY.json` (or pipe it on stdin)".into(),
            SecretsError::Corrupt { .. } => "delete it (`trustbridge secrets delete --plan PLAN --kind …`) and store it again".into(),
            SecretsError::TooLarge { .. } => "this does not look like a key file: check that you picked the JSON that gcloud or az printed".into(),
            SecretsError::BadIntegration { .. } => "use an integration name of letters, digits, '_', '-' and '.', at most 64 characters".into(),
            SecretsError::Invalid { fix, .. } => fix.clone(),
        })
    }

    pub fn info(&self) -> ErrorInfo {
        ErrorInfo { code: self.code().to_string(), message: self.to_string(), fix: self.fix() }
    }

    pub(crate) fn invalid(code: &'static str, field: &str, message: impl Into<String>, fix: impl Into<String>) -> SecretsError {
        SecretsError::Invalid { code, field: field.to_string(), message: message.into(), fix: fix.into() }
    }
}

/// The JSON shape an error has when it crosses IPC or is printed with `--json`
/// (the same shape as the cloud crate's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

fn keyring_unavailable_fix() -> &'static str {
    if cfg!(target_os = "macos") {
        "Trustbridge keeps secrets only in the macOS Keychain and found none it could use: run it from a logged-in user session (not over ssh without a login keychain)"
    } else if cfg!(windows) {
        "Trustbridge keeps secrets only in the Windows Credential Manager and could not reach it: run it as a logged-in user (not as a service account)"
    } else {
        "Trustbridge keeps secrets only in the OS keyring (the Secret Service) and none is running. On a desktop, start GNOME Keyring or KWallet (log in to a graphical session). On a headless machine run inside a session bus with an unlocked keyring: `dbus-run-session -- sh -c 'printf %s \"$KEYRING_PASSWORD\" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null; trustbridge …'` (Debian/Ubuntu: `apt-get install gnome-keyring dbus-x11`). Secrets are never written to a file instead."
    }
}

fn keyring_locked_fix() -> &'static str {
    if cfg!(target_os = "linux") || cfg!(target_os = "freebsd") {
        "unlock your login keyring (Seahorse / 'Passwords and Keys', or log out and in), then try again; on a headless machine start the daemon with `--unlock` (see `keyring.unavailable`)"
    } else {
        "unlock your login keychain / credential store and try again"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_have_fixes() {
        let all = [
            SecretsError::KeyringUnavailable { detail: "no bus".into() },
            SecretsError::KeyringLocked { detail: "locked".into() },
            SecretsError::Keyring { op: "set", detail: "x".into() },
            SecretsError::NotFound { integration: "I".into(), kind: "GCP service-account key" },
            SecretsError::Corrupt { integration: "I".into(), kind: "k", reason: "r".into() },
            SecretsError::TooLarge { len: 1, max: 0 },
        ];
        let codes: Vec<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            ["keyring.unavailable", "keyring.locked", "keyring.error", "secrets.not_found", "secrets.corrupt", "secrets.too_large"]
        );
        for e in &all {
            assert!(e.fix().is_some_and(|f| !f.is_empty()), "{}", e.code());
        }
        #[cfg(target_os = "linux")]
        assert!(all[0].fix().unwrap().contains("gnome-keyring-daemon --unlock"));
        assert!(all[0].fix().unwrap().contains("never written to a file") || !cfg!(target_os = "linux"));
    }

    #[test]
    fn info_json_shape_is_pinned() {
        let v = serde_json::to_value(SecretsError::KeyringUnavailable { detail: "no bus".into() }.info()).unwrap();
        assert_eq!(v["code"], "keyring.unavailable");
        assert_eq!(v["message"], "the OS keyring is not available: no bus");
        assert!(v["fix"].is_string());
        assert_eq!(v.as_object().unwrap().len(), 3);
    }
}
