//! Trustbridge cloud: apply, verify (the connectivity test) and revoke against the real cloud
//! APIs, with the customer's credentials. One error type ([`CloudError`]) with stable codes;
//! bounded retry of named errors only. No Tauri here: the app's commands and the CLI call in.

pub mod aws;
pub mod azure;
pub mod changes;
pub mod config;
pub mod error;
pub mod gcp;
pub mod http;
pub mod listing;
pub mod oauth;
pub mod probe;
pub mod retry;
pub mod vendor;

pub use error::{ApiFailure, CloudCode, CloudError, ErrorInfo, SsoFailure, VendorErrorKind};
/// The async runtime [`runtime`] builds (re-exported so callers need not depend on tokio).
pub use tokio::runtime::Runtime;

/// A runtime for callers that are not async themselves (the CLI).
pub fn runtime() -> std::io::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
}
