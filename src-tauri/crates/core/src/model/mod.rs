//! The one model every renderer, the native confirmation and the apply engines read, per cloud:
//! AWS's [`RoleSet`] (which a vendor plan and a role pack both lower into), Google Cloud's
//! [`gcp::GcpModel`] and Azure's [`azure::AzureModel`] (from a vendor plan's sections). Built after
//! validation, from resolved values only.

pub mod aws;
pub mod azure;
pub mod gcp;

pub use aws::*;
