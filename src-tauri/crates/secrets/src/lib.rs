//! Trustbridge secrets: the OS keyring store, `Sensitive<T>`, and validation of what is stored.
//!
//! - [`Sensitive`]: zeroized on drop, `Debug` prints `<redacted>`, no `Serialize`.
//! - [`SecretStore`]: one entry per integration and kind in the OS keyring (keyring 4), under the
//!   service `dev.trustbridge.wizard` (release) or `dev.trustbridge.wizard/debug` (debug builds),
//!   chunked to fit Windows' credential size cap (see [`store`]); [`MemoryBackend`] for unit tests.
//!   No Secret Service → `keyring.unavailable`, never a plaintext fallback.
//! - [`GcpServiceAccountKey`] / [`AzureClientSecret`]: what the customer pastes, checked; status
//!   shows only a [`Fingerprint`].
//! - [`check_credential_url`]: the one rule for where a credential may be sent (https, or http to
//!   loopback; no userinfo, no fragment), shared with the cloud crate.

pub mod error;
pub mod seal;
pub mod sensitive;
pub mod store;
pub mod url_rule;
pub mod validate;

pub use error::{ErrorInfo, SecretsCode, SecretsError};
pub use sensitive::Sensitive;
pub use store::{
    service_name, Backend, BuildKind, KeyringBackend, MemoryBackend, SecretStatus, SecretStore, APP_ID, CHUNK_BYTES, MAX_SECRET_BYTES,
};
pub use url_rule::{check_credential_url, CREDENTIAL_URL_RULE};
pub use validate::{
    is_guid, AwsPastedCredentials, AzureClientSecret, Fingerprint, GcpServiceAccountKey, SecretKind, ValidatedSecret, VendorApiKey,
};
