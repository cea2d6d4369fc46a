//! Where Azure is reached: Entra ID's authority, Resource Manager, Microsoft Graph, Blob storage and
//! Event Grid topics (overridable for Azurite, sovereign clouds and tests), each checked against the
//! credential-URL rule before a token is sent, and bounds.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::http;

/// Endpoints and bounds for the Azure connectivity test.
#[derive(Debug, Clone)]
pub struct AzureSettings {
    /// Bound on each probe.
    pub timeout: Duration,
    /// Entra ID authority (the tenant id is appended).
    pub authority: String,
    /// Blob endpoint template; `{account}` is replaced (`https://127.0.0.1:10000/{account}` for Azurite).
    pub blob_endpoint: String,
    /// Azure Resource Manager root (to look up topic endpoints; apply's role assignments).
    pub management_endpoint: String,
    /// Microsoft Graph root, without `/v1.0` (apply's app registration and service principal).
    pub graph_endpoint: String,
    /// Topic name → its endpoint (`https://<topic>.<region>-1.eventgrid.azure.net/api/events`).
    pub event_grid_endpoints: BTreeMap<String, String>,
    /// PEM certificates trusted in addition to the system's.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// What reading the environment found wrong but survivable, for the caller to show.
    pub warnings: Vec<String>,
}

impl Default for AzureSettings {
    fn default() -> Self {
        AzureSettings {
            timeout: Duration::from_secs(10),
            authority: "https://login.microsoftonline.com".into(),
            blob_endpoint: "https://{account}.blob.core.windows.net".into(),
            management_endpoint: "https://management.azure.com".into(),
            graph_endpoint: "https://graph.microsoft.com".into(),
            event_grid_endpoints: BTreeMap::new(),
            extra_roots_pem: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl AzureSettings {
    /// Defaults, overridden by `AZURE_AUTHORITY_HOST` (the Azure SDKs' variable),
    /// `TRUSTBRIDGE_AZURE_BLOB_ENDPOINT`, `TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT` and
    /// `TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS` (`topic=url,topic2=url2`) and `TRUSTBRIDGE_CA_FILE`
    /// (extra trusted CA certificates, PEM). Values are taken as given; [`AzureSettings::check`] (run
    /// by [`super::verify`] before anything is sent) refuses one that breaks the credential-URL rule, naming
    /// its variable.
    pub fn from_env() -> AzureSettings {
        let mut s = AzureSettings::from_vars(crate::config::var);
        let (roots, warning) = crate::config::extra_roots();
        s.extra_roots_pem = roots;
        s.warnings.extend(warning);
        s
    }

    /// [`AzureSettings::from_env`], failing on the first endpoint variable that breaks the rule.
    pub fn try_from_env() -> Result<AzureSettings, String> {
        let s = AzureSettings::from_env();
        s.check()?;
        Ok(s)
    }

    /// Every endpoint a credential is sent to — the authority (the client secret), the blob,
    /// management and Event Grid endpoints (bearer tokens) — passes the credential-URL rule
    /// ([`http::check_endpoint`]: https, or plain http to 127.0.0.1 / [::1] / localhost; no userinfo,
    /// no fragment). The error names the environment variable that sets it.
    pub fn check(&self) -> Result<(), String> {
        http::check_env_endpoint("AZURE_AUTHORITY_HOST (the Entra ID authority)", &self.authority)?;
        http::check_env_endpoint("TRUSTBRIDGE_AZURE_BLOB_ENDPOINT (the blob endpoint)", &self.blob_base("account"))?;
        http::check_env_endpoint("TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT (the Resource Manager endpoint)", &self.management_endpoint)?;
        for (topic, url) in &self.event_grid_endpoints {
            http::check_env_endpoint(&format!("TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS (topic '{topic}')"), url)?;
        }
        Ok(())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> AzureSettings {
        let var = |k: &str| var(k).filter(|v| !v.is_empty());
        let mut s = AzureSettings::default();
        if let Some(v) = var("AZURE_AUTHORITY_HOST") {
            s.authority = v;
        }
        if let Some(v) = var("TRUSTBRIDGE_AZURE_BLOB_ENDPOINT") {
            s.blob_endpoint = v;
        }
        if let Some(v) = var("TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT") {
            s.management_endpoint = v;
        }
        if let Some(v) = var("TRUSTBRIDGE_AZURE_GRAPH_ENDPOINT") {
            s.graph_endpoint = v;
        }
        if let Some(v) = var("TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS") {
            s.event_grid_endpoints = parse_endpoints(&v);
        }
        s
    }

    pub(crate) fn blob_base(&self, account: &str) -> String {
        self.blob_endpoint.replace("{account}", account).trim_end_matches('/').to_string()
    }
}

/// `topic=url,topic2=url2` → map.
pub fn parse_endpoints(s: &str) -> BTreeMap<String, String> {
    s.split(',').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse() {
        let m = parse_endpoints("a=https://a.westeurope-1.eventgrid.azure.net/api/events, b=http://127.0.0.1:1/api/events");
        assert_eq!(m.len(), 2);
        assert_eq!(m["b"], "http://127.0.0.1:1/api/events");
    }

    fn settings_from(pairs: &[(&str, &str)]) -> AzureSettings {
        AzureSettings::from_vars(|k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn endpoint_variables_go_through_the_credential_url_rule_and_are_named() {
        let ok = settings_from(&[
            ("AZURE_AUTHORITY_HOST", "http://127.0.0.1:9"),
            ("TRUSTBRIDGE_AZURE_BLOB_ENDPOINT", "https://127.0.0.1:10000/{account}"),
            ("TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT", "http://localhost:9"),
            (
                "TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS",
                "a=https://a.westeurope-1.eventgrid.azure.net/api/events,b=http://[::1]:1/api/events",
            ),
        ]);
        ok.check().unwrap();
        AzureSettings::default().check().unwrap();
        for (var, value, hidden) in [
            ("AZURE_AUTHORITY_HOST", "http://127.0.0.1:1@evil.example", Some("127.0.0.1:1@")),
            ("AZURE_AUTHORITY_HOST", "https://app:s3cret@login.microsoftonline.com", Some("s3cret")),
            ("AZURE_AUTHORITY_HOST", "http://login.microsoftonline.com", None),
            ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com#x", None),
            ("TRUSTBRIDGE_AZURE_BLOB_ENDPOINT", "http://127.0.0.1:1@evil.example/{account}", Some("127.0.0.1:1@")),
            ("TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT", "http://management.evil.example", None),
            ("TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS", "t=http://u:pw@127.0.0.1:1/api/events", Some("u:pw")),
        ] {
            let e = settings_from(&[(var, value)]).check().unwrap_err();
            assert!(e.starts_with(var), "{var}={value}: {e}");
            if let Some(h) = hidden {
                assert!(!e.contains(h), "{var}={value}: the error echoes the userinfo: {e}");
            }
        }
    }
}
