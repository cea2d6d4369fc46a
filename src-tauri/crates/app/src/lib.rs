//! Trustbridge's application layer, free of Tauri and of GTK/WebKit: the use cases the window's
//! `#[tauri::command]` adapters (the `trustbridge` package, `src-tauri/src`) and the CLI
//! (`cli*.rs`) both call, the types that cross IPC (`ipc.rs`, TypeScript generated from them), the
//! one catalogue of error codes (`errors.rs`, `trustbridge errors`), and
//! the `trustbridge` command itself, which opens the window by starting `trustbridge-window`
//! (`window.rs`) so that no subcommand pays for loading WebKit.

pub mod aws_apply;
pub mod aws_signin;
pub mod boot;
pub mod cli;
pub mod cli_aws;
pub mod cli_clouds;
pub mod cli_org;
mod cli_out;
pub mod cli_pack;
pub mod cli_profile;
pub mod cli_register;
pub mod cli_secrets;
pub mod cloud_apply;
pub mod cloud_signin;
pub mod confirm;
pub mod confirmed;
pub mod confirmed_org;
pub mod credentials;
pub mod errors;
pub mod imported;
pub mod ipc;
pub mod load;
pub mod org_apply;
pub mod presenter;
pub mod profile_sign;
pub mod register;
pub mod sealed;
pub mod state;
pub mod verify_all;
pub mod window;
