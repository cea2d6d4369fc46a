// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

//! `trustbridge-window`: the wizard's window. Users start it as `trustbridge` (no subcommand),
//! which execs this binary; the CLI lives in `trustbridge` (crates/app) and links no WebKit.

fn main() {
    std::process::exit(trustbridge::run_gui());
}
