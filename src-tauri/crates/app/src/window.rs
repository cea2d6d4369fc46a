//! `trustbridge` with no subcommand opens the wizard: it replaces itself (Unix `exec`) with the
//! window binary installed beside it, `trustbridge-window` (the `trustbridge` package, which links
//! GTK and WebKitGTK). The CLI binary links neither, so a subcommand starts in a few milliseconds
//! instead of paying ≈70 ms of dynamic linking for a window it never opens.

use std::path::PathBuf;

/// The window binary's file name (Tauri's `mainBinaryName`), beside this one.
pub const WINDOW_BIN: &str = "trustbridge-window";

/// Where the window binary is: the folder of this executable (symlinks resolved), then its name.
pub fn window_path() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot tell where this program is: {e}"))?;
    let dir = exe.parent().ok_or("this program has no folder")?;
    Ok(dir.join(format!("{WINDOW_BIN}{}", std::env::consts::EXE_SUFFIX)))
}

/// Starts the window; returns an exit code only when it could not (or, off Unix, when it ended).
pub fn open() -> i32 {
    let path = match window_path() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if !path.is_file() {
        return fail(&format!("the window program is not installed next to this command (expected {})", path.display()));
    }
    let mut cmd = std::process::Command::new(&path);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Only returns on failure.
        let e = cmd.exec();
        fail(&format!("could not start {}: {e}", path.display()))
    }
    #[cfg(not(unix))]
    match cmd.status() {
        Ok(s) => s.code().unwrap_or(crate::cli::EXIT_FAILED),
        Err(e) => fail(&format!("could not start {}: {e}", path.display())),
    }
}

fn fail(what: &str) -> i32 {
    eprintln!("trustbridge: {what}");
    eprintln!(
        "fix: reinstall Trustbridge (the package installs both `trustbridge` and `{WINDOW_BIN}`); from a source checkout, `cargo build -p trustbridge --features custom-protocol` builds the window; the CLI commands need no window (trustbridge --help)"
    );
    crate::cli::EXIT_FAILED
}
