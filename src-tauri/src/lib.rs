//! Trustbridge app: thin Tauri command adapters, app state, and the headless CLI.
//! All logic lives in the `trustbridge-core` crate (and later `cloud`, `secrets`).

pub mod cli;
pub mod commands;
pub mod ipc;

/// Builds the Tauri app with every command registered (used by `run_gui` and by the IPC tests).
pub fn builder<R: tauri::Runtime>(b: tauri::Builder<R>) -> tauri::Builder<R> {
    b.invoke_handler(tauri::generate_handler![commands::app_info, commands::list_profiles])
}

/// Opens the wizard window; returns the process exit code.
pub fn run_gui() -> i32 {
    match builder(tauri::Builder::default()).run(tauri::generate_context!()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("trustbridge: could not start the window: {e}");
            eprintln!(
                "fix: run it in a desktop session (DISPLAY or WAYLAND_DISPLAY set); the CLI commands need no display (trustbridge --help)"
            );
            1
        }
    }
}
