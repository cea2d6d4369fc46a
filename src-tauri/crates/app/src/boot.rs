//! The window's first page without an IPC round trip. WebKitGTK's first custom-protocol requests
//! cost tens of milliseconds at start, and the first page needs only what Rust knows when the window
//! opens: the app's version, the built-in vendor profiles and the autosaved draft. The window hands
//! them to the page in an initialization script ([`script`]), which runs before the page's own
//! scripts; the page takes them once, on its first load only, and asks over IPC after a reload (the
//! draft may have been autosaved since; `ui/src/lib/ipc/api.ts` `boot`).
//!
//! The draft is the customer's typing (hostile until checked), so the data goes in as JSON text
//! inside a JavaScript string literal, both written by serde_json, read with `JSON.parse`: no value
//! can end the literal or become code. The draft never holds a secret (`state::Draft`). The window
//! never navigates away from its own pages (`on_navigation` in the window crate), so no other
//! origin's page gets the script.

use crate::ipc::{profile_summary, AppInfo, Boot};
use crate::state::AppState;

/// The global the script defines (read-only, deletable by the page once taken).
pub const GLOBAL: &str = "__TRUSTBRIDGE_BOOT__";

/// What the first page needs, read now.
pub fn data(state: &AppState) -> Boot {
    Boot {
        app: Some(AppInfo::current()),
        profiles: trustbridge_core::Profile::builtins().iter().map(profile_summary).collect(),
        draft: state.load_draft(),
    }
}

/// The initialization script handing `boot` to the page. `None` when it cannot be written (the
/// page then asks over IPC, as after a reload).
pub fn script(boot: &Boot) -> Option<String> {
    let json = serde_json::to_string(boot).ok()?;
    let literal = serde_json::to_string(&json).ok()?;
    let name = serde_json::to_string(GLOBAL).ok()?;
    Some(format!(
        "Object.defineProperty(window, {name}, {{ value: JSON.parse({literal}), configurable: true, enumerable: false, writable: false }});"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Draft;

    fn boot_with(plan: serde_json::Value) -> Boot {
        Boot {
            app: Some(AppInfo::current()),
            profiles: trustbridge_core::Profile::builtins().iter().map(profile_summary).collect(),
            draft: Some(Draft { version: 1, step: "aws-storage".into(), plan }),
        }
    }

    /// Values that would break out of a JS string literal or an HTML script if pasted in raw.
    fn hostile() -> serde_json::Value {
        serde_json::json!({
            "platform": "mlcube",
            "aws": {
                "account_id": "\"); globalThis.pwned = 1; (\"",
                "role_name": "</script><script>globalThis.pwned = 2</script>",
                "external_id": "line\u{2028}sep\u{2029}para\\u0022 ${globalThis.pwned = 3} `",
                "storage": [{"bucket": "'; globalThis.pwned = 4; '", "prefix": "\u{0}\u{1f}\u{7f}é🙂"}],
            }
        })
    }

    /// Read back by a JavaScript engine (Node, which the UI's build and the e2e tests use): the
    /// script defines exactly the data given, and none of the hostile values ran.
    #[test]
    fn a_javascript_engine_reads_back_exactly_the_data_and_runs_none_of_it() {
        let boot = boot_with(hostile());
        let script = script(&boot).expect("script");
        let program = format!(
            "globalThis.window = globalThis;\n{script}\nif (globalThis.pwned !== undefined) throw new Error('ran: ' + globalThis.pwned);\nprocess.stdout.write(JSON.stringify(window.{GLOBAL}));"
        );
        // Node is part of the build (the UI) and of CI; a machine without it fails here, never skips.
        let out = std::process::Command::new("node").arg("-e").arg(&program).output().expect("node (the UI's build needs it too)");
        assert!(out.status.success(), "node failed: {}", String::from_utf8_lossy(&out.stderr));
        let read: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(read, serde_json::to_value(&boot).expect("value"));
        assert_eq!(read["draft"]["plan"], hostile());
    }

    /// The script is one statement with one string literal in it: what sits between its fixed head
    /// and tail is a whole JSON string (read back by serde_json) holding exactly the data — no value
    /// of the draft reaches the script outside that literal.
    #[test]
    fn every_value_sits_inside_the_one_string_literal() {
        let boot = boot_with(hostile());
        let script = script(&boot).expect("script");
        let head = format!("Object.defineProperty(window, \"{GLOBAL}\", {{ value: JSON.parse(");
        let tail = "), configurable: true, enumerable: false, writable: false });";
        let literal = script.strip_prefix(&head).and_then(|s| s.strip_suffix(tail)).expect("fixed head and tail");
        let text: String = serde_json::from_str(literal).expect("one JSON string literal");
        let read: serde_json::Value = serde_json::from_str(&text).expect("its JSON");
        assert_eq!(read, serde_json::to_value(&boot).expect("value"));
    }

    #[test]
    fn the_data_is_what_the_commands_answer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = AppState { data_dir: dir.path().to_path_buf() };
        assert!(data(&state).draft.is_none());
        let draft = Draft { version: 1, step: "aws-account".into(), plan: serde_json::json!({"platform": "mlcube"}) };
        state.save_draft(&draft).expect("save");
        let boot = data(&state);
        assert_eq!(boot.draft, Some(draft));
        assert_eq!(boot.profiles.len(), trustbridge_core::Profile::builtins().len());
        assert_eq!(boot.app.map(|a| a.version), Some(env!("CARGO_PKG_VERSION").to_string()));
    }
}
