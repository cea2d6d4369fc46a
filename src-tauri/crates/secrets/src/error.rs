//! The one error type of the secrets crate. Every variant has a stable `code` and, where it helps, a
//! `fix`. No message ever contains a secret: validation errors name the field, never its value, and
//! keyring errors are mapped from their kind (the keyring crate's own `Debug` can hold secret bytes,
//! so it is never formatted).

use serde::Serialize;

trustbridge_core::error_codes! {
    /// Every code of the secrets crate: its errors' ([`SecretsError::error_code`]), including each
    /// way a pasted or stored secret can be refused ([`SecretsError::Invalid`]).
    pub enum SecretsCode {
        KeyringUnavailable = "keyring.unavailable" => "Run Trustbridge in a logged-in desktop session with a keyring (GNOME Keyring, KWallet, the macOS Keychain, the Windows Credential Manager); secrets are never written to a file instead.",
        KeyringLocked = "keyring.locked" => "Unlock your login keyring (or log out and in again), then try again.",
        KeyringError = "keyring.error" => "Try again; if it keeps failing, restart the keyring service (or log out and in) and enter the secret again.",
        NotFound = "secrets.not_found" => "Store the secret first: paste it in the wizard's Credentials step, or `trustbridge secrets set --plan PLAN --kind …`.",
        Corrupt = "secrets.corrupt" => "Delete the stored secret (`trustbridge secrets delete --plan PLAN --kind …`) and store it again.",
        TooLarge = "secrets.too_large" => "Pick the key file itself: the JSON that gcloud or az printed is a few kilobytes.",
        BadIntegration = "secrets.bad_integration" => "Use an integration name of letters, digits, '_', '-' and '.', at most 64 characters.",
        SealRecipient = "secrets.seal.recipient" => "The vendor profile's public key for sealed credentials is not an age key: ask the vendor for a corrected profile.",
        SealFailed = "secrets.seal.failed" => "The credentials could not be encrypted to the vendor's key: try again, or export without sealing and hand them over as the vendor asks.",
        GcpInvalidJson = "secrets.gcp.invalid_json" => "Paste or pick the whole service-account key file (JSON), exactly as it was downloaded.",
        GcpKeylessConfig = "secrets.gcp.keyless_config" => "Nothing to store: this is a keyless (Workload Identity Federation) configuration, which holds no secret; hand it to the vendor as it is.",
        GcpNotServiceAccount = "secrets.gcp.not_service_account" => "Pick a service-account key file (\"type\": \"service_account\"), not your own gcloud login or another kind of credential.",
        GcpMissingField = "secrets.gcp.missing_field" => "Pick the key file exactly as Google issued it: a field a key file always has is missing.",
        GcpClientEmail = "secrets.gcp.client_email" => "Pick the key file exactly as Google issued it: its service-account email is not an email address.",
        GcpPrivateKeyId = "secrets.gcp.private_key_id" => "Pick the key file exactly as Google issued it: its key id is not hexadecimal.",
        GcpPrivateKey = "secrets.gcp.private_key" => "The private key in the file is damaged or edited: create a new key for the service account and pick that file.",
        GcpProjectMismatch = "secrets.gcp.project_mismatch" => "Pick the key of a service account in the plan's Google Cloud project, or correct the project in the plan.",
        GcpServiceAccountMismatch = "secrets.gcp.service_account_mismatch" => "Create a key for the service account the plan names, or correct the service account in the plan.",
        GcpTokenUri = "secrets.gcp.token_uri" => "Use the key file exactly as Google issued it: its token address must be Google's https token endpoint.",
        AzureInvalidJson = "secrets.azure.invalid_json" => "Paste or pick the whole JSON that `az ad sp create-for-rbac` printed.",
        AzureMissingField = "secrets.azure.missing_field" => "Paste the whole JSON that `az ad sp create-for-rbac` printed: a field it always has is missing.",
        AzureAppId = "secrets.azure.app_id" => "Paste the JSON exactly as az printed it: its appId must be a GUID.",
        AzureTenant = "secrets.azure.tenant" => "Paste the JSON exactly as az printed it: its tenant must be a GUID.",
        AzurePassword = "secrets.azure.password" => "Paste the JSON exactly as az printed it: the client secret (password) is missing or empty.",
        AzureTenantMismatch = "secrets.azure.tenant_mismatch" => "Create the service principal while signed in to the plan's tenant, or correct the tenant in the plan.",
        VendorApiKeyMissing = "secrets.vendor_api_key.missing" => "Paste the API key the vendor's web app shows.",
        VendorApiKeyLength = "secrets.vendor_api_key.length" => "Paste the API key exactly as the vendor's web app showed it: it is 8 to 1024 characters.",
        VendorApiKeyCharacters = "secrets.vendor_api_key.characters" => "Paste the API key exactly as the vendor's web app showed it: one line of visible characters, no spaces.",
        AwsNothingFound = "secrets.aws.nothing_found" => "In your AWS access portal, choose the account and role, then \"Access keys\", and copy all of Option 1 (the three lines that set the access key, the secret key and the session token) or all of Option 2.",
        AwsMissingField = "secrets.aws.missing_field" => "Copy the whole of Option 1 or Option 2 from your AWS access portal: the access key id, the secret access key and the session token are all needed.",
        AwsAccessKeyId = "secrets.aws.access_key_id" => "Copy the credentials again from your AWS access portal: an access key id is 16 to 128 capital letters and digits starting with ASIA (temporary) or AKIA.",
        AwsSecretKey = "secrets.aws.secret_key" => "Copy the credentials again from your AWS access portal: a secret access key is 40 characters of letters, digits, '+' and '/'.",
        AwsSessionToken = "secrets.aws.session_token" => "Copy the credentials again from your AWS access portal: temporary keys (starting with ASIA) come with a session token, one long line of letters, digits, '+', '/' and '='.",
        AwsConflict = "secrets.aws.conflict" => "Copy the credentials of one account and role only: the text sets the same value twice, differently.",
    }
}

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
    Invalid { code: SecretsCode, field: String, message: String, fix: String },
}

impl SecretsError {
    /// The error's code.
    pub fn error_code(&self) -> SecretsCode {
        match self {
            SecretsError::KeyringUnavailable { .. } => SecretsCode::KeyringUnavailable,
            SecretsError::KeyringLocked { .. } => SecretsCode::KeyringLocked,
            SecretsError::Keyring { .. } => SecretsCode::KeyringError,
            SecretsError::NotFound { .. } => SecretsCode::NotFound,
            SecretsError::Corrupt { .. } => SecretsCode::Corrupt,
            SecretsError::TooLarge { .. } => SecretsCode::TooLarge,
            SecretsError::BadIntegration { .. } => SecretsCode::BadIntegration,
            SecretsError::Invalid { code, .. } => *code,
        }
    }

    /// Stable machine-readable code; the UI maps codes to plain language.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
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

    /// The fix for a person in the window (no command to type): the wizard shows this, the CLI
    /// keeps [`Self::fix`].
    pub fn window_fix(&self) -> Option<String> {
        match self {
            SecretsError::NotFound { .. } => Some("Store it first: paste it (or choose its file) on the Credentials page.".into()),
            SecretsError::Corrupt { .. } => Some("Store it again on the Credentials page: the stored copy cannot be read.".into()),
            other => other.fix(),
        }
    }

    pub fn info(&self) -> ErrorInfo {
        ErrorInfo { code: self.code().to_string(), message: self.to_string(), fix: self.fix() }
    }

    pub(crate) fn invalid(code: SecretsCode, field: &str, message: impl Into<String>, fix: impl Into<String>) -> SecretsError {
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
