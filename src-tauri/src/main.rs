// No console window on Windows release builds; the CLI still works from a terminal there.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    std::process::exit(trustbridge::cli::main());
}
