//! Azure, in the shape of every provider here: `settings` (endpoints and bounds), `credential` (the
//! customer's sign-in: a service principal, the `az` CLI's token or the wizard's device code) and
//! `token` (a client secret's grant), `signin` (the device-code flow), `list` (the sign-in's subscriptions, groups,
//! storage accounts, containers and topics, for the wizard's pick lists), `apply` (and revoke), `verify`
//! (the connectivity test) and `time` (the dates its APIs want).

pub mod apply;
pub mod credential;
pub mod list;
pub mod settings;
pub mod signin;
pub mod time;
pub mod token;
pub mod verify;

pub use settings::{parse_endpoints, AzureSettings};
pub use time::{http_date, rfc3339};
pub use verify::{role_cmd, verify, BLOB_API_VERSION, EVENTGRID_API_VERSION, TEST_EVENT_TYPE};
