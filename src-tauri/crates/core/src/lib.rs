//! Trustbridge core: plan → validate → render → export.
//!
//! Everything here is pure (no network, no async, no Tauri). The only I/O is writing an export
//! bundle (atomically) and reading a vendor profile file the user names (and its signature).

pub mod error;
pub mod export;
pub mod external_id;
pub mod guardrail;
pub mod lint;
pub mod model;
pub mod pack;
pub mod plan;
pub mod policy;
pub mod profile;
pub mod profile_trust;
pub mod render;
pub mod validate;
pub mod vendor_trust;

pub use error::CoreError;
pub use plan::Plan;
pub use profile::Profile;
pub use render::{render, Artifact, Bundle};
pub use validate::{validate, Problem};
