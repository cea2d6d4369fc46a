//! Google Cloud, in the shape of every provider here: `settings` (endpoints and bounds), `credential`
//! (the customer's sign-in: Application Default Credentials or "Sign in with Google") and `token`
//! (a service-account key's grant), `signin` (the browser's loopback flow), `list` (the sign-in's projects, buckets and topics, for
//! the wizard's pick lists), `apply` (and revoke),
//! `assets` (where else the vendor's account is bound, for apply and revoke), `preflight` (organization policies) and `verify` (the connectivity test).

pub mod apply;
mod assets;
pub mod credential;
pub mod list;
pub mod preflight;
pub mod settings;
pub mod signin;
pub mod token;
pub mod verify;

pub use crate::probe::{Outcome, ProbeEvent, ProbeResult, ProbeStatus, Progress};
pub use settings::GcpSettings;
pub use verify::{bucket_grant_cmd, role_permissions, topic_grant_cmd, verify};
