//! The native dialogs Rust raises itself (the webview is untrusted, so it cannot confirm an apply
//! or choose where files go): a confirmation whose text comes from `confirm.rs`, and the folder
//! picker. The dialog is shown off the main thread (the window stays responsive) and the command
//! waits for the answer. Tests swap in scripted answers (`Asker::Scripted`).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

use crate::confirm::Confirmation;
use crate::errors::AppCode;
use crate::ipc::IpcError;

/// Whether the window is in presenter mode: the native dialogs hide identifiers as the page does
/// ([`Confirmation::for_presenter`]). Set by the page (`set_presenter`); off at start.
#[derive(Debug, Default)]
pub struct Presenter(std::sync::atomic::AtomicBool);

impl Presenter {
    pub fn on(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The page's presenter mode switch, for the native dialogs.
#[tauri::command]
pub fn set_presenter(presenter: tauri::State<'_, Presenter>, on: bool) {
    presenter.0.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Who answers the questions: the person, in native dialogs; or a test.
pub enum Asker {
    Native,
    Scripted(Arc<Scripted>),
}

/// A test's answers, and every confirmation it was asked (to check the text).
#[derive(Debug, Default)]
pub struct Scripted {
    /// Whether each confirmation is accepted.
    pub confirm: bool,
    /// What the folder picker answers (None: cancelled).
    pub folder: Option<PathBuf>,
    pub asked: Mutex<Vec<Confirmation>>,
    /// What the file picker answers, one per pick (none left: cancelled).
    pub files: Mutex<VecDeque<PathBuf>>,
    /// Answers to the next confirmations, one each, before `confirm` answers the rest.
    pub answers: Mutex<VecDeque<bool>>,
    /// What happens in the world while the next question is open (someone changes the cloud
    /// between the dialog and the answer), once.
    pub meanwhile: Meanwhile,
}

/// A test's action run while a question is open, once ([`Scripted::meanwhile`]).
#[derive(Default)]
pub struct Meanwhile(Mutex<Option<Box<dyn FnOnce() + Send>>>);

impl std::fmt::Debug for Meanwhile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Meanwhile")
    }
}

impl Scripted {
    pub fn new(confirm: bool, folder: Option<PathBuf>) -> Arc<Scripted> {
        Arc::new(Scripted { confirm, folder, ..Scripted::default() })
    }

    /// The file picker's next answer.
    pub fn pick_file(&self, path: PathBuf) {
        if let Ok(mut f) = self.files.lock() {
            f.push_back(path);
        }
    }

    /// While the next question is open, `change` happens (then the answer is given).
    pub fn meanwhile(&self, change: impl FnOnce() + Send + 'static) {
        if let Ok(mut m) = self.meanwhile.0.lock() {
            *m = Some(Box::new(change));
        }
    }

    /// The next confirmation's answer (then `confirm` again).
    pub fn answer_next(&self, yes: bool) {
        if let Ok(mut a) = self.answers.lock() {
            a.push_back(yes);
        }
    }

    pub fn asked(&self) -> Vec<Confirmation> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

fn asker<R: Runtime>(app: &AppHandle<R>) -> Option<Arc<Scripted>> {
    match app.try_state::<Asker>().as_deref() {
        Some(Asker::Scripted(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Shows `c` in a native warning dialog with its two buttons; true only when the confirming one
/// was chosen (closing the dialog, Escape or Cancel: false).
pub async fn ask<R: Runtime>(app: &AppHandle<R>, c: &Confirmation) -> bool {
    let presenting = app.try_state::<Presenter>().is_some_and(|p| p.on());
    let shown = if presenting { c.for_presenter() } else { c.clone() };
    let c = &shown;
    if let Some(s) = asker(app) {
        if let Ok(mut a) = s.asked.lock() {
            a.push(c.clone());
        }
        let change = s.meanwhile.0.lock().ok().and_then(|mut m| m.take());
        if let Some(change) = change {
            change();
        }
        return s.answers.lock().ok().and_then(|mut a| a.pop_front()).unwrap_or(s.confirm);
    }
    let mut dialog = app
        .dialog()
        .message(c.message.clone())
        .title(c.title.clone())
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(mnemonic(&c.ok), mnemonic(&c.cancel)));
    if let Some(w) = app.get_webview_window("main") {
        dialog = dialog.parent(&w);
    }
    // `blocking_show` waits for the answer on a blocking thread, never on the main thread.
    tauri::async_runtime::spawn_blocking(move || dialog.blocking_show()).await.unwrap_or(false)
}

/// A button label with its first letter as the keyboard shortcut where the toolkit shows it as one
/// (GTK: `_Apply` is Alt+A); the label as is elsewhere.
fn mnemonic(label: &str) -> String {
    if cfg!(target_os = "linux") {
        format!("_{}", label.replace('_', "__"))
    } else {
        label.to_string()
    }
}

/// The native folder picker, raised by Rust: the folder chosen, or None when cancelled.
pub async fn pick_folder<R: Runtime>(app: &AppHandle<R>, title: &str) -> Result<Option<PathBuf>, IpcError> {
    if let Some(s) = asker(app) {
        return Ok(s.folder.clone());
    }
    let mut picker = app.dialog().file().set_title(title).set_can_create_directories(true);
    // Start in the home folder (GTK would otherwise open on "Recent", where no folder can be chosen).
    if let Ok(home) = app.path().home_dir() {
        picker = picker.set_directory(home);
    }
    if let Some(w) = app.get_webview_window("main") {
        picker = picker.set_parent(&w);
    }
    let chosen = tauri::async_runtime::spawn_blocking(move || picker.blocking_pick_folder())
        .await
        .map_err(|e| IpcError::new(AppCode::DialogFailed, format!("the folder picker could not open: {e}")))?;
    match chosen {
        None => Ok(None),
        Some(p) => p.into_path().map(Some).map_err(|e| {
            IpcError::new(AppCode::DialogFailed, format!("the folder picker answered with something that is not a folder: {e}"))
        }),
    }
}

/// The native file picker, raised by Rust (the page has no dialog permission): the file chosen, or
/// None when cancelled. `filter`: a name and the extensions offered.
pub async fn pick_file<R: Runtime>(app: &AppHandle<R>, title: &str, filter: (&str, &[&str])) -> Result<Option<PathBuf>, IpcError> {
    if let Some(s) = asker(app) {
        return Ok(s.files.lock().ok().and_then(|mut f| f.pop_front()));
    }
    let mut picker = app.dialog().file().set_title(title).add_filter(filter.0, filter.1);
    if let Ok(home) = app.path().home_dir() {
        picker = picker.set_directory(home);
    }
    if let Some(w) = app.get_webview_window("main") {
        picker = picker.set_parent(&w);
    }
    let chosen = tauri::async_runtime::spawn_blocking(move || picker.blocking_pick_file())
        .await
        .map_err(|e| IpcError::new(AppCode::DialogFailed, format!("the file picker could not open: {e}")))?;
    match chosen {
        None => Ok(None),
        Some(p) => p
            .into_path()
            .map(Some)
            .map_err(|e| IpcError::new(AppCode::DialogFailed, format!("the file picker answered with something that is not a file: {e}"))),
    }
}
