//! What every cloud's connectivity test shares: the probe result every probe ends as
//! (`{id, status, duration_ms, message, fix, code}`), the live events, how a probe ends before it is
//! timed ([`Outcome`]), and the one runner that bounds and times it ([`run`]). AWS, Google Cloud and
//! Azure all run their probes through here, so a probe looks and behaves the same on every cloud.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::CloudError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeStatus {
    Pass,
    Fail,
    Skip,
}

/// One probe's result. `code` is the stable error code when it failed on an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeResult {
    pub id: String,
    pub status: ProbeStatus,
    pub duration_ms: u64,
    pub message: String,
    pub fix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// Live progress for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProbeEvent {
    Started {
        id: String,
    },
    /// A probe is waiting for something (IAM propagation) and says what.
    Waiting {
        id: String,
        message: String,
    },
    Finished(ProbeResult),
}

pub type Progress<'a> = &'a (dyn Fn(ProbeEvent) + Send + Sync);

/// How a probe ended, before timing is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass(String),
    Fail { code: Option<String>, message: String, fix: Option<String> },
    Skip(String),
}

impl Outcome {
    /// A failure with its stable code (`{cloud}.{kind}`) and a fix.
    pub fn fail(code: Code, message: impl Into<String>, fix: impl Into<String>) -> Outcome {
        Outcome::Fail { code: Some(code.to_string()), message: message.into(), fix: Some(fix.into()) }
    }
}

impl From<CloudError> for Outcome {
    fn from(e: CloudError) -> Self {
        Outcome::Fail { message: e.to_string(), fix: e.fix(), code: Some(e.code().to_string()) }
    }
}

/// A cloud: the first half of a probe's codes (`{cloud}.{kind}`), and what a vendor registration
/// covers (`register.rs`). Serialized in lower case, as [`Cloud::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    Aws,
    Gcp,
    Azure,
}

impl Cloud {
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Gcp => "gcp",
            Cloud::Azure => "azure",
        }
    }
}

/// What went wrong in a Google Cloud or Azure probe: the second half of its code. (AWS failures
/// are [`CloudError`]s, whose codes come from [`CloudError::code`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Tls,
    Endpoint,
    Network,
    PermissionMissing,
    BucketNotFound,
    TokenRejected,
    BucketError,
    TopicNotFound,
    ApiDisabled,
    TopicError,
    TokenEndpoint,
    KeyInvalid,
    ServiceAccountNotFound,
    KeyRejected,
    TokenFailed,
    ContainerNotFound,
    NetworkRules,
    StorageError,
    EventgridError,
    TopicEndpointUnknown,
    Authority,
    SecretRejected,
    SecretExpired,
    AppNotFound,
    TenantNotFound,
    Timeout,
    TokenRedirect,
    TokenResponse,
}

impl Kind {
    /// Every kind, for the catalogue of codes.
    pub const ALL: &'static [Kind] = &[
        Kind::Tls,
        Kind::Endpoint,
        Kind::Network,
        Kind::PermissionMissing,
        Kind::BucketNotFound,
        Kind::TokenRejected,
        Kind::BucketError,
        Kind::TopicNotFound,
        Kind::ApiDisabled,
        Kind::TopicError,
        Kind::TokenEndpoint,
        Kind::KeyInvalid,
        Kind::ServiceAccountNotFound,
        Kind::KeyRejected,
        Kind::TokenFailed,
        Kind::ContainerNotFound,
        Kind::NetworkRules,
        Kind::StorageError,
        Kind::EventgridError,
        Kind::TopicEndpointUnknown,
        Kind::Authority,
        Kind::SecretRejected,
        Kind::SecretExpired,
        Kind::AppNotFound,
        Kind::TenantNotFound,
        Kind::Timeout,
        Kind::TokenRedirect,
        Kind::TokenResponse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tls => "tls",
            Kind::Endpoint => "endpoint",
            Kind::Network => "network",
            Kind::PermissionMissing => "permission_missing",
            Kind::BucketNotFound => "bucket_not_found",
            Kind::TokenRejected => "token_rejected",
            Kind::BucketError => "bucket_error",
            Kind::TopicNotFound => "topic_not_found",
            Kind::ApiDisabled => "api_disabled",
            Kind::TopicError => "topic_error",
            Kind::TokenEndpoint => "token_endpoint",
            Kind::KeyInvalid => "key_invalid",
            Kind::ServiceAccountNotFound => "service_account_not_found",
            Kind::KeyRejected => "key_rejected",
            Kind::TokenFailed => "token_failed",
            Kind::ContainerNotFound => "container_not_found",
            Kind::NetworkRules => "network_rules",
            Kind::StorageError => "storage_error",
            Kind::EventgridError => "eventgrid_error",
            Kind::TopicEndpointUnknown => "topic_endpoint_unknown",
            Kind::Authority => "authority",
            Kind::SecretRejected => "secret_rejected",
            Kind::SecretExpired => "secret_expired",
            Kind::AppNotFound => "app_not_found",
            Kind::TenantNotFound => "tenant_not_found",
            Kind::Timeout => "timeout",
            Kind::TokenRedirect => "token_redirect",
            Kind::TokenResponse => "token_response",
        }
    }
}

/// A typed probe failure code, `{cloud}.{kind}` (`gcp.permission_missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    pub cloud: Cloud,
    pub kind: Kind,
}

impl Code {
    pub const fn new(cloud: Cloud, kind: Kind) -> Code {
        Code { cloud, kind }
    }
    pub const fn gcp(kind: Kind) -> Code {
        Code::new(Cloud::Gcp, kind)
    }
    pub const fn azure(kind: Kind) -> Code {
        Code::new(Cloud::Azure, kind)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.cloud.as_str(), self.kind.as_str())
    }
}

/// Runs one probe under `bound`; reports `Started` and `Finished`.
pub async fn run(cloud: Cloud, id: String, bound: Duration, progress: Progress<'_>, body: impl Future<Output = Outcome>) -> ProbeResult {
    progress(ProbeEvent::Started { id: id.clone() });
    let start = Instant::now();
    let outcome = match tokio::time::timeout(bound, body).await {
        Ok(o) => o,
        Err(_) => timed_out(cloud, &id, bound),
    };
    let duration_ms = start.elapsed().as_millis() as u64;
    let r = match outcome {
        Outcome::Pass(message) => ProbeResult { id, status: ProbeStatus::Pass, duration_ms, message, fix: None, code: None },
        Outcome::Skip(message) => ProbeResult { id, status: ProbeStatus::Skip, duration_ms, message, fix: None, code: None },
        Outcome::Fail { code, message, fix } => ProbeResult { id, status: ProbeStatus::Fail, duration_ms, message, fix, code },
    };
    progress(ProbeEvent::Finished(r.clone()));
    r
}

fn timed_out(cloud: Cloud, id: &str, bound: Duration) -> Outcome {
    match cloud {
        Cloud::Aws => CloudError::Timeout { action: id.to_string(), after: bound }.into(),
        Cloud::Gcp | Cloud::Azure => Outcome::fail(
            Code::new(cloud, Kind::Timeout),
            format!("{id} did not answer within {} ms", bound.as_millis()),
            "the endpoint accepted the connection but did not answer: check the network, proxy (HTTPS_PROXY) or firewall, or raise --timeout; it is safe to re-run",
        ),
    }
}
