//! The vendor's side of the hand-off: registering the integration through the vendor's own API
//! (the role ARN, and the GCP key / Azure service principal straight from the OS keyring), reading
//! the registration back (a connectivity-test probe), and deleting it on revoke.
//!
//! Which API, where, and who issues the external id are vendor-profile data
//! (`registration` in the profile); the first API is ML cube Platform's ([`mlcube`]).

pub mod mlcube;

use std::time::Duration;

use trustbridge_core::profile::{Registration, RegistrationApi};
use trustbridge_core::validate::Resolved;

use crate::error::{CloudError, VendorErrorKind};
use crate::retry::RetryPolicy;

/// The environment variable that overrides the vendor API's base URL (support, staging, tests).
pub const URL_ENV: &str = "TRUSTBRIDGE_VENDOR_API_URL";

/// Endpoint override and bounds for the vendor's API.
#[derive(Debug, Clone)]
pub struct VendorSettings {
    /// `TRUSTBRIDGE_VENDOR_API_URL`: overrides the plan's and the profile's base URL.
    pub url_override: Option<String>,
    /// Bound on each request.
    pub timeout: Duration,
    /// Retries of 5xx answers and failed connections.
    pub retry: RetryPolicy,
    /// Extra trusted CA certificates (PEM), from `TRUSTBRIDGE_CA_FILE`.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// What reading the environment found wrong but survivable, for the caller to show.
    pub warnings: Vec<String>,
}

impl Default for VendorSettings {
    fn default() -> Self {
        VendorSettings {
            url_override: None,
            timeout: Duration::from_secs(20),
            retry: RetryPolicy::calls(),
            extra_roots_pem: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl VendorSettings {
    /// `TRUSTBRIDGE_VENDOR_API_URL` and `TRUSTBRIDGE_CA_FILE`.
    pub fn from_env() -> VendorSettings {
        let (extra_roots_pem, warning) = crate::config::extra_roots();
        VendorSettings {
            url_override: crate::config::var(URL_ENV),
            extra_roots_pem,
            warnings: warning.into_iter().collect(),
            ..VendorSettings::default()
        }
    }
}

/// The plan's vendor registration, if its profile has one.
pub fn registration(r: &Resolved) -> Option<&Registration> {
    r.profile.registration.as_ref()
}

pub(crate) fn error(r: &Resolved, kind: VendorErrorKind, message: impl Into<String>) -> CloudError {
    CloudError::Vendor { vendor: r.profile.display_name.clone(), kind, message: message.into() }
}

/// The API's base URL: `TRUSTBRIDGE_VENDOR_API_URL`, else the plan's `integration.api_url`, else the
/// profile's; checked by the one rule for URLs that carry a credential (https, or http to loopback;
/// no user name or password).
pub fn base_url(r: &Resolved, settings: &VendorSettings) -> Result<String, CloudError> {
    let reg = registration(r).ok_or_else(|| error(r, VendorErrorKind::NotConfigured, "this vendor profile has no registration API"))?;
    base_url_of(&r.profile.display_name, reg, r.plan.integration.api_url.as_deref(), settings)
}

/// [`base_url`] for a plan not complete yet (the wizard's "Connect to {vendor}" page): the vendor's
/// name, its registration and the plan's `integration.api_url`, if any.
pub fn base_url_of(vendor: &str, reg: &Registration, plan_url: Option<&str>, settings: &VendorSettings) -> Result<String, CloudError> {
    let err = |message: String| CloudError::Vendor { vendor: vendor.to_string(), kind: VendorErrorKind::NotConfigured, message };
    let (url, source) = match (&settings.url_override, plan_url, &reg.base_url) {
        (Some(u), _, _) => (u.clone(), URL_ENV),
        (None, Some(u), _) => (u.to_string(), "integration.api_url"),
        (None, None, Some(u)) => (u.clone(), "the vendor profile's registration.base_url"),
        (None, None, None) => return Err(err("the API URL is not set (the vendor profile has none built in)".into())),
    };
    crate::http::check_endpoint(&url).map_err(|e| err(format!("{source}: {e}")))?;
    Ok(url.trim_end_matches('/').to_string())
}

/// A client for the plan's vendor API, signed in with `key`.
pub fn client(r: &Resolved, key: &trustbridge_secrets::VendorApiKey, settings: &VendorSettings) -> Result<mlcube::Client, CloudError> {
    let reg = registration(r).ok_or_else(|| error(r, VendorErrorKind::NotConfigured, "this vendor profile has no registration API"))?;
    client_of(&r.profile.display_name, reg, r.plan.integration.api_url.as_deref(), key, settings)
}

/// [`client`] for a plan not complete yet (see [`base_url_of`]).
pub fn client_of(
    vendor: &str,
    reg: &Registration,
    plan_url: Option<&str>,
    key: &trustbridge_secrets::VendorApiKey,
    settings: &VendorSettings,
) -> Result<mlcube::Client, CloudError> {
    match reg.api {
        RegistrationApi::MlcubeSdkV1 => mlcube::Client::new(vendor, &base_url_of(vendor, reg, plan_url, settings)?, key, settings),
    }
}
