//! Where Google Cloud is reached: the endpoints (overridable for emulators, private endpoints and
//! tests), each checked against the credential-URL rule before a credential is sent, and bounds.

use std::time::Duration;

use crate::http;

/// Endpoints and bounds for the GCP connectivity test. `Debug` shows no secret (there is none here).
#[derive(Debug, Clone)]
pub struct GcpSettings {
    /// Bound on each probe (the token grant, each bucket, each topic).
    pub timeout: Duration,
    /// Replaces the key's `token_uri` (private endpoints, tests); `None` uses the key's.
    pub token_uri: Option<String>,
    /// Google's OAuth authorization endpoint, opened in the browser for "Sign in with Google".
    pub auth_uri: String,
    /// Cloud Storage JSON API root, without `/storage/v1`.
    pub storage_endpoint: String,
    /// Pub/Sub API root, without `/v1`.
    pub pubsub_endpoint: String,
    /// IAM API root, without `/v1` (apply and revoke).
    pub iam_endpoint: String,
    /// Cloud Resource Manager API root, without `/v1` (apply and revoke).
    pub crm_endpoint: String,
    /// Organization Policy API root, without `/v2` (pre-flight).
    pub orgpolicy_endpoint: String,
    /// Cloud Asset API root, without `/v1` (apply and revoke: the vendor's grants on buckets of
    /// other projects).
    pub asset_endpoint: String,
    /// PEM certificates trusted in addition to the system's.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// What reading the environment found wrong but survivable (an unreadable CA file), for the
    /// caller to show; this library prints nothing.
    pub warnings: Vec<String>,
}

impl Default for GcpSettings {
    fn default() -> Self {
        GcpSettings {
            timeout: Duration::from_secs(10),
            token_uri: None,
            auth_uri: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            storage_endpoint: "https://storage.googleapis.com".into(),
            pubsub_endpoint: "https://pubsub.googleapis.com".into(),
            iam_endpoint: "https://iam.googleapis.com".into(),
            crm_endpoint: "https://cloudresourcemanager.googleapis.com".into(),
            orgpolicy_endpoint: "https://orgpolicy.googleapis.com".into(),
            asset_endpoint: "https://cloudasset.googleapis.com".into(),
            extra_roots_pem: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl GcpSettings {
    /// Defaults, with the Google client libraries' emulator variables honoured:
    /// `STORAGE_EMULATOR_HOST` (`http://127.0.0.1:9023`), `PUBSUB_EMULATOR_HOST` (`127.0.0.1:8085`),
    /// `TRUSTBRIDGE_GCP_TOKEN_URI`, and `TRUSTBRIDGE_CA_FILE` (extra trusted CA certificates, PEM).
    /// Values are taken as given; [`GcpSettings::check`] (run by [`super::verify`] before anything is sent)
    /// refuses one that breaks the credential-URL rule, naming its variable.
    pub fn from_env() -> GcpSettings {
        let mut s = GcpSettings::from_vars(crate::config::var);
        let (roots, warning) = crate::config::extra_roots();
        s.extra_roots_pem = roots;
        s.warnings.extend(warning);
        s
    }

    /// [`GcpSettings::from_env`], failing on the first endpoint variable that breaks the rule.
    pub fn try_from_env() -> Result<GcpSettings, String> {
        let s = GcpSettings::from_env();
        s.check()?;
        Ok(s)
    }

    /// Every endpoint a credential (the signed assertion, the access token) is sent to passes the
    /// credential-URL rule ([`http::check_endpoint`]: https, or plain http to 127.0.0.1 / [::1] /
    /// localhost; no userinfo, no fragment). The error names the environment variable that sets it.
    pub fn check(&self) -> Result<(), String> {
        if let Some(u) = &self.token_uri {
            http::check_env_endpoint("TRUSTBRIDGE_GCP_TOKEN_URI (the token endpoint override)", u)?;
        }
        http::check_env_endpoint("TRUSTBRIDGE_GCP_AUTH_URI (the sign-in page)", &self.auth_uri)?;
        http::check_env_endpoint("STORAGE_EMULATOR_HOST (the Cloud Storage endpoint)", &self.storage_endpoint)?;
        http::check_env_endpoint("PUBSUB_EMULATOR_HOST (the Pub/Sub endpoint)", &self.pubsub_endpoint)?;
        http::check_env_endpoint("TRUSTBRIDGE_GCP_IAM_ENDPOINT (the IAM endpoint)", &self.iam_endpoint)?;
        http::check_env_endpoint("TRUSTBRIDGE_GCP_RESOURCE_MANAGER_ENDPOINT (the Resource Manager endpoint)", &self.crm_endpoint)?;
        http::check_env_endpoint("TRUSTBRIDGE_GCP_ORG_POLICY_ENDPOINT (the Organization Policy endpoint)", &self.orgpolicy_endpoint)?;
        http::check_env_endpoint("TRUSTBRIDGE_GCP_ASSET_ENDPOINT (the Cloud Asset endpoint)", &self.asset_endpoint)
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> GcpSettings {
        let var = |k: &str| var(k).filter(|v| !v.is_empty());
        let mut s = GcpSettings::default();
        if let Some(h) = var("STORAGE_EMULATOR_HOST") {
            s.storage_endpoint = if h.contains("://") { h } else { format!("http://{h}") };
        }
        if let Some(h) = var("PUBSUB_EMULATOR_HOST") {
            s.pubsub_endpoint = if h.contains("://") { h } else { format!("http://{h}") };
        }
        s.token_uri = var("TRUSTBRIDGE_GCP_TOKEN_URI");
        if let Some(u) = var("TRUSTBRIDGE_GCP_AUTH_URI") {
            s.auth_uri = u;
        }
        if let Some(u) = var("TRUSTBRIDGE_GCP_IAM_ENDPOINT") {
            s.iam_endpoint = u;
        }
        if let Some(u) = var("TRUSTBRIDGE_GCP_RESOURCE_MANAGER_ENDPOINT") {
            s.crm_endpoint = u;
        }
        if let Some(u) = var("TRUSTBRIDGE_GCP_ORG_POLICY_ENDPOINT") {
            s.orgpolicy_endpoint = u;
        }
        if let Some(u) = var("TRUSTBRIDGE_GCP_ASSET_ENDPOINT") {
            s.asset_endpoint = u;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_from(pairs: &[(&str, &str)]) -> GcpSettings {
        GcpSettings::from_vars(|k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn endpoint_variables_go_through_the_credential_url_rule_and_are_named() {
        let ok = settings_from(&[
            ("TRUSTBRIDGE_GCP_TOKEN_URI", "http://127.0.0.1:9/token"),
            ("STORAGE_EMULATOR_HOST", "127.0.0.1:9023"),
            ("PUBSUB_EMULATOR_HOST", "http://[::1]:8085"),
        ]);
        assert_eq!(ok.storage_endpoint, "http://127.0.0.1:9023");
        ok.check().unwrap();
        GcpSettings::default().check().unwrap();
        for (var, value, hidden) in [
            ("TRUSTBRIDGE_GCP_TOKEN_URI", "http://127.0.0.1:1@evil.example/token", Some("127.0.0.1:1@")),
            ("TRUSTBRIDGE_GCP_TOKEN_URI", "https://u:pw@oauth2.googleapis.com/token", Some("u:pw")),
            ("TRUSTBRIDGE_GCP_TOKEN_URI", "http://oauth2.googleapis.com/token", None),
            ("STORAGE_EMULATOR_HOST", "127.0.0.1:1@evil.example", Some("127.0.0.1:1@")),
            ("STORAGE_EMULATOR_HOST", "storage.evil.example:80", None),
            ("PUBSUB_EMULATOR_HOST", "http://user:pw@127.0.0.1:8085", Some("user:pw")),
        ] {
            let e = settings_from(&[(var, value)]).check().unwrap_err();
            assert!(e.starts_with(var), "{var}={value}: {e}");
            if let Some(h) = hidden {
                assert!(!e.contains(h), "{var}={value}: the error echoes the userinfo: {e}");
            }
        }
    }
}
