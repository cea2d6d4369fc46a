//! Benchmark baseline (tests/bench/wizard.sh): a minimal Tauri 2 window showing one static page
//! (tests/bench/hello), built with the same Tauri, features and release profile as the wizard, so
//! that "start → first step interactive" can be reported as the wizard's time / this one's.
//! It sets the same two WebKit variables the wizard sets for itself (`run_gui`), since they change
//! how WebKit starts.

fn main() {
    for var in ["WEBKIT_DISABLE_DMABUF_RENDERER", "WEBKIT_DISABLE_COMPOSITING_MODE"] {
        if std::env::var_os(var).is_none() {
            std::env::set_var(var, "1");
        }
    }
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!("../tests/bench/hello/tauri.conf.json")) {
        eprintln!("hello_window: {e}");
        std::process::exit(1);
    }
}
