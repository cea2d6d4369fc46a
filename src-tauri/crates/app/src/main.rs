//! `trustbridge`: the CLI; with no subcommand it opens the wizard (`trustbridge-window`).

fn main() {
    std::process::exit(trustbridge_app::cli::main());
}
