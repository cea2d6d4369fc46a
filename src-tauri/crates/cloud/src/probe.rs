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
    pub fn fail(code: &str, message: impl Into<String>, fix: impl Into<String>) -> Outcome {
        Outcome::Fail { code: Some(code.to_string()), message: message.into(), fix: Some(fix.into()) }
    }
}

impl From<CloudError> for Outcome {
    fn from(e: CloudError) -> Self {
        Outcome::Fail { message: e.to_string(), fix: e.fix(), code: Some(e.code().to_string()) }
    }
}

/// The cloud a probe belongs to: it names the timeout's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Aws,
    Gcp,
    Azure,
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
            if cloud == Cloud::Gcp { "gcp.timeout" } else { "azure.timeout" },
            format!("{id} did not answer within {} ms", bound.as_millis()),
            "the endpoint accepted the connection but did not answer: check the network, proxy (HTTPS_PROXY) or firewall, or raise --timeout; it is safe to re-run",
        ),
    }
}
