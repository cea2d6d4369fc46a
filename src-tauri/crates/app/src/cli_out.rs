//! What every CLI subcommand prints the same way: the async runtime that could not start, a cloud
//! error with its code and fix, a change that stopped part way (what exists now, what was not
//! done, and the command that finishes it; on stderr), and `--json` output. The exit code is the
//! caller's. Text from a cloud or a file (names, policy text, a service's message) is printed
//! through [`terminal_safe`] or, inside a change's listing, kept on its line by the change's own
//! `Display`: it cannot start a line of its own or send the terminal a command.

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

/// Text from the customer's cloud (policy names, Sids, condition values, a service's message) on
/// one terminal line: control characters (C1 ones too), separators and bidi overrides escaped.
pub(crate) fn terminal_safe(v: &str) -> String {
    trustbridge_core::validate::one_line(v)
}

/// `error [code]: message`, then `fix: …` when the code has one.
pub(crate) fn print_error(e: &CloudError) {
    eprintln!("error [{}]: {}", e.code(), terminal_safe(&e.to_string()));
    if let Some(fix) = e.fix() {
        eprintln!("fix: {}", terminal_safe(&fix));
    }
}

/// A value as `--json` prints it: pretty JSON whose strings carry no character a terminal acts
/// on. serde_json escapes C0 controls only; DEL, the C1 controls (U+0080–U+009F: an 8-bit CSI
/// among them), line separators and bidi overrides are written as `\uXXXX` here, which is the same
/// JSON value.
pub(crate) fn json_text<T: serde::Serialize>(v: &T) -> String {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if trustbridge_core::validate::is_invisible(c) && c != '\n' {
            // Every such character is in the Basic Multilingual Plane: one escape each.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The error of a change that stopped part way, what was done before it (this now exists) and
/// what was not, and that re-running `trustbridge {command}` finishes it.
pub(crate) fn print_stopped<C: Display>(error: &CloudError, done: &[C], not_done: &[C], notes: &[String], command: &str) {
    print_error(error);
    for n in notes {
        eprintln!("note: {}", terminal_safe(n));
    }
    if !done.is_empty() {
        eprintln!("done before the failure (this now exists):");
        for c in done {
            eprintln!("  {}", listed(c));
        }
    }
    if !not_done.is_empty() {
        eprintln!("not done:");
        for c in not_done {
            eprintln!("  {}", listed(c));
        }
        eprintln!("re-run `trustbridge {command}` to finish: it reads what exists and only changes what differs");
    }
}

/// [`print_stopped`] of an AWS apply or removal, after who it acted as.
pub(crate) fn print_failure(f: &ApplyFailure, command: &str) {
    if let Some(me) = &f.caller {
        eprintln!("acting as {} (account {})", me.arn, me.account);
    }
    print_stopped(&f.error, &f.done, &f.not_done, &[], command);
}

/// A change as listed: its own lines (a change's `Display` keeps each value on its line), each
/// line's control characters escaped all the same.
fn listed(c: &impl Display) -> String {
    c.to_string().split('\n').map(terminal_safe).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output_escapes_what_a_terminal_acts_on_and_stays_the_same_value() {
        let v = serde_json::json!({"message": "policy \u{9b}2J\u{7f} \u{202e}txt \u{2028} ok", "n": 1});
        let text = json_text(&v);
        assert!(!text.contains(['\u{9b}', '\u{7f}', '\u{202e}', '\u{2028}']), "{text:?}");
        assert!(text.contains("\\u009b2J\\u007f \\u202etxt \\u2028 ok"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v, "the same JSON value");
        assert!(text.contains('\n'), "still pretty: {text}");
    }

    struct Two(&'static str);
    impl Display for Two {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "first\n    {}", self.0)
        }
    }

    #[test]
    fn a_listed_change_keeps_its_lines_and_escapes_controls_in_each() {
        let text = listed(&Two("grant \u{1b}[2J\r\u{85}x"));
        assert_eq!(text, "first\n    grant \\u{1b}[2J\\r\\u{85}x");
    }
}
