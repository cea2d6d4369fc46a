//! The `trustbridge` command links no GTK/WebKit, and with no subcommand it becomes the window
//! binary beside it (the same process, through `exec`), or says how to fix a missing one.

use std::path::Path;
use std::process::Command;

const CLI: &str = env!("CARGO_BIN_EXE_trustbridge");

/// Every shared library the dynamic loader maps for `bin`, transitively (`ldd`).
fn libraries(bin: &Path) -> String {
    let o = Command::new("ldd").arg(bin).output().expect("ldd (libc-bin) is installed");
    assert!(o.status.success(), "ldd {}: {}", bin.display(), String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_cli_loads_no_gtk_or_webkit_and_the_check_sees_them_in_the_window() {
    let cli = libraries(Path::new(CLI));
    assert!(cli.contains("libc.so"), "ldd lists the C library of the CLI:\n{cli}");
    for lib in ["libwebkit2gtk", "libjavascriptcoregtk", "libgtk-3", "libgdk-3", "libsoup-3"] {
        assert!(!cli.contains(lib), "the CLI loads {lib}:\n{cli}");
    }
    // Control: the same check finds WebKit in the window binary (built by `cargo test --workspace`
    // and by `cargo build -p trustbridge`), so a CLI that linked it would fail above.
    let window = Path::new(CLI).with_file_name("trustbridge-window");
    assert!(window.is_file(), "{} missing: cargo build -p trustbridge --features custom-protocol", window.display());
    let w = libraries(&window);
    assert!(w.contains("libwebkit2gtk") && w.contains("libgtk-3"), "the window binary loads WebKitGTK:\n{w}");
}

#[cfg(unix)]
#[test]
fn no_subcommand_execs_the_window_binary_beside_it_in_the_same_process() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cli = dir.path().join("trustbridge");
    std::fs::copy(CLI, &cli).unwrap();
    // A stand-in window that reports its process id and arguments.
    let window = dir.path().join("trustbridge-window");
    std::fs::write(&window, "#!/bin/sh\necho \"window pid=$$ args=$#\"\n").unwrap();
    std::fs::set_permissions(&window, std::fs::Permissions::from_mode(0o755)).unwrap();

    let child = Command::new(&cli).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{o:?}");
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), format!("window pid={pid} args=0"), "exec, not a child process");

    // A subcommand never starts the window.
    let o = Command::new(&cli).arg("profiles").output().unwrap();
    assert!(o.status.success());
    assert!(!String::from_utf8_lossy(&o.stdout).contains("window pid="));

    // Without the window binary: exit 1, what is missing and how to fix it.
    std::fs::remove_file(&window).unwrap();
    let o = Command::new(&cli).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("trustbridge-window") && err.contains("fix: reinstall Trustbridge"), "{err}");
}
