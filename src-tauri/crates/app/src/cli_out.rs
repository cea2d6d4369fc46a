//! What every CLI subcommand prints the same way: the async runtime that could not start, a cloud
//! error with its code and fix, and a change that stopped part way (what exists now, what was not
//! done, and the command that finishes it). On stderr; the exit code is the caller's.

use std::fmt::Display;

use trustbridge_cloud::aws::ApplyFailure;
use trustbridge_cloud::CloudError;

use crate::cli::EXIT_FAILED;

/// The async runtime for a command that talks to a cloud (`EXIT_FAILED`, said why, when it cannot start).
pub(crate) fn runtime() -> Result<trustbridge_cloud::Runtime, i32> {
    trustbridge_cloud::runtime().map_err(|e| {
        eprintln!("could not start the async runtime: {e}");
        EXIT_FAILED
    })
}

/// `error [code]: message`, then `fix: …` when the code has one.
pub(crate) fn print_error(e: &CloudError) {
    eprintln!("error [{}]: {e}", e.code());
    if let Some(fix) = e.fix() {
        eprintln!("fix: {fix}");
    }
}

/// The error of a change that stopped part way, what was done before it (this now exists) and
/// what was not, and that re-running `trustbridge {command}` finishes it.
pub(crate) fn print_stopped<C: Display>(error: &CloudError, done: &[C], not_done: &[C], command: &str) {
    print_error(error);
    if !done.is_empty() {
        eprintln!("done before the failure (this now exists):");
        for c in done {
            eprintln!("  {c}");
        }
    }
    if !not_done.is_empty() {
        eprintln!("not done:");
        for c in not_done {
            eprintln!("  {c}");
        }
        eprintln!("re-run `trustbridge {command}` to finish: it reads what exists and only changes what differs");
    }
}

/// [`print_stopped`] of an AWS apply or removal, after who it acted as.
pub(crate) fn print_failure(f: &ApplyFailure, command: &str) {
    if let Some(me) = &f.caller {
        eprintln!("acting as {} (account {})", me.arn, me.account);
    }
    print_stopped(&f.error, &f.done, &f.not_done, command);
}
