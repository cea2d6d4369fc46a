//! Trustbridge's window: thin `#[tauri::command]` adapters (`commands*.rs`) over the Tauri-free
//! use cases of `trustbridge-app`, and the builder that registers them. The CLI is not here: it is
//! the `trustbridge` binary of `trustbridge-app`, which links no GTK/WebKit.

pub mod commands;
pub mod commands_cloud;
pub mod commands_confirm;
pub mod commands_org;
pub mod commands_pack;
pub mod commands_profile;
pub mod commands_stackset;

// The use cases and IPC types, under the paths the adapters (and the IPC tests) use.
pub use trustbridge_app::{
    aws_apply, aws_signin, cloud_apply, cloud_signin, confirm, confirmed, confirmed_org, credentials, errors, imported, ipc, load,
    org_apply, presenter, register, sealed, state, verify_all,
};

/// Builds the Tauri app with every command registered (used by `run_gui` and by the IPC tests).
pub fn builder<R: tauri::Runtime>(b: tauri::Builder<R>) -> tauri::Builder<R> {
    builder_with(b, commands_cloud::CloudState::from_env())
}

/// [`builder`] with the cloud settings and keyring given (tests: moto endpoints, an in-memory store).
pub fn builder_with<R: tauri::Runtime>(b: tauri::Builder<R>, cloud: commands_cloud::CloudState) -> tauri::Builder<R> {
    builder_asking(b, cloud, commands_confirm::Asker::Native)
}

/// [`builder_with`] with who answers the confirmations and the folder picker: the person in native
/// dialogs (`Asker::Native`), or a test's scripted answers.
pub fn builder_asking<R: tauri::Runtime>(
    b: tauri::Builder<R>,
    cloud: commands_cloud::CloudState,
    asker: commands_confirm::Asker,
) -> tauri::Builder<R> {
    builder_trusting(b, cloud, asker, Vec::new(), None)
}

/// [`builder_asking`] with profile-signing keys trusted besides the compiled-in ones and the app
/// data dir (tests: keys made in the test, a temporary folder; never from the webview). `None`:
/// the platform's app data dir.
pub fn builder_trusting<R: tauri::Runtime>(
    b: tauri::Builder<R>,
    cloud: commands_cloud::CloudState,
    asker: commands_confirm::Asker,
    profile_keys: Vec<trustbridge_core::profile_trust::TrustedKey>,
    data_dir: Option<std::path::PathBuf>,
) -> tauri::Builder<R> {
    use tauri::Manager;
    b.plugin(tauri_plugin_dialog::init())
        .manage(cloud)
        .manage(asker)
        .manage(commands_confirm::Presenter::default())
        .manage(confirm::Approvals::default())
        .manage(imported::ProfileStore::new(data_dir.as_deref(), profile_keys))
        .setup(move |app| {
            let data_dir = match data_dir {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            app.state::<imported::ProfileStore>().set_data_dir(&data_dir);
            app.manage(state::AppState { data_dir });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_profiles,
            commands::new_external_id,
            commands::validate_plan,
            commands::preview,
            commands::export_bundle,
            commands::pick_export_folder,
            commands::save_draft,
            commands::load_draft,
            commands::clear_draft,
            commands::open_console,
            commands_profile::import_profile,
            commands_profile::imported_profile,
            commands_profile::accept_unsigned_profile,
            commands_cloud::aws_identity,
            commands_cloud::aws_bucket_facts,
            commands_cloud::aws_organization,
            commands_cloud::aws_profiles,
            commands_cloud::aws_use_profile,
            commands_cloud::aws_use_credentials,
            commands_cloud::aws_sign_out,
            commands_cloud::aws_signed_in,
            commands_cloud::aws_sso_start,
            commands_cloud::aws_sso_open,
            commands_cloud::aws_sso_wait,
            commands_cloud::aws_sso_use,
            commands_cloud::aws_sso_cancel,
            commands_cloud::apply_aws,
            commands_org::apply_aws_org,
            commands_org::verify_aws_org,
            commands_org::revoke_aws_org,
            commands_org::aws_member_resources,
            commands_stackset::apply_aws_stack_set,
            commands_stackset::revoke_aws_stack_set,
            commands_cloud::cloud_sign_ins,
            commands_cloud::apply_cloud,
            commands_cloud::revoke_cloud,
            commands_cloud::revoke_aws,
            commands_cloud::gcp_sign_in,
            commands_cloud::gcp_list,
            commands_cloud::azure_list,
            commands_cloud::azure_sign_in_start,
            commands_cloud::azure_sign_in_open,
            commands_cloud::azure_sign_in_wait,
            commands_cloud::cloud_sign_in_cancel,
            commands_cloud::cloud_sign_out,
            commands_cloud::create_cloud_credentials,
            commands_cloud::confirm_apply,
            commands_cloud::verify_plan,
            commands_cloud::store_credentials,
            commands_cloud::credentials_status,
            commands_cloud::vendor_key_status,
            commands_cloud::vendor_projects,
            commands_confirm::set_presenter,
            commands_cloud::register_vendor,
            commands_pack::list_packs,
            commands_pack::validate_pack_plan,
            commands_pack::preview_pack,
            commands_pack::export_pack,
            commands_pack::apply_pack_aws,
            commands_pack::verify_pack_aws,
        ])
}

/// Opens the wizard window; returns the process exit code.
pub fn run_gui() -> i32 {
    webkit_memory_settings();
    let cannot_start = |e: &dyn std::fmt::Display| {
        eprintln!("trustbridge: could not start the window: {e}");
        eprintln!(
            "fix: run it in a desktop session (DISPLAY or WAYLAND_DISPLAY set); the CLI commands need no display (trustbridge --help)"
        );
        1
    };
    let app = match builder(tauri::Builder::default()).build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(e) => return cannot_start(&e),
    };
    let code = std::sync::Arc::new(std::sync::atomic::AtomicI32::new(0));
    let exit = code.clone();
    // The window is made when the event loop is ready, after the builder's setup (where Tauri
    // makes the windows of its config, and where the app's state is managed).
    app.run(move |handle, event| {
        if let tauri::RunEvent::Ready = event {
            if let Err(e) = open_window(handle) {
                exit.store(cannot_start(&e), std::sync::atomic::Ordering::SeqCst);
                handle.exit(1);
            }
        }
    });
    code.load(std::sync::atomic::Ordering::SeqCst)
}

/// The wizard's window, as `tauri.conf.json` declares it (`create: false` there, so that it is made
/// here): with the first page's data in its initialization script (`trustbridge_app::boot`: no IPC
/// round trip before the first page), and never navigating away from its own pages (no other
/// origin gets that script, nor the IPC).
fn open_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> tauri::Result<()> {
    use tauri::Manager;
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == "main").cloned() else {
        return Err(tauri::Error::WindowNotFound);
    };
    let mut window = tauri::WebviewWindowBuilder::from_config(app, &config)?.on_navigation(own_page);
    if let Some(script) = trustbridge_app::boot::script(&trustbridge_app::boot::data(&app.state::<state::AppState>())) {
        window = window.initialization_script(script);
    }
    window.build()?;
    Ok(())
}

/// The window's own pages: the bundled UI (`tauri://localhost`; `http://tauri.localhost` on
/// Windows), or Vite's dev server in a dev build. A link to anywhere else never loads in the window.
fn own_page(url: &tauri::Url) -> bool {
    let host = url.host_str();
    match url.scheme() {
        "tauri" => host == Some("localhost"),
        // Tauri's own pages on Windows and Android; on Linux and macOS that name is a real address.
        "http" if host == Some("tauri.localhost") => cfg!(any(windows, target_os = "android")) && url.port().is_none(),
        "http" => tauri::is_dev() && host == Some("localhost") && url.port() == Some(1420),
        _ => false,
    }
}

/// WebKitGTK's DMA-BUF renderer and compositing mode cost ≈80 MB of PSS for a form-only wizard
/// (measured by tests/bench/wizard.sh). Turn them off unless the user chose otherwise.
fn webkit_memory_settings() {
    #[cfg(target_os = "linux")]
    for var in ["WEBKIT_DISABLE_DMABUF_RENDERER", "WEBKIT_DISABLE_COMPOSITING_MODE"] {
        if trustbridge_cloud::config::var(var).is_none() {
            // Called first thing in main, before any other thread exists.
            std::env::set_var(var, "1");
        }
    }
}
