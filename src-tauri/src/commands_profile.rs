//! `#[tauri::command]` adapters for vendor profile files in the wizard: import through the native
//! file picker Rust raises (the webview never names a file), and the acceptance of an unsigned or
//! unknown-key one, confirmed in a native dialog Rust raises. The store is `imported.rs`.

use tauri::{AppHandle, Runtime, State};
use trustbridge_core::profile_trust::{ProfileOrigin, UnsignedReason};
use trustbridge_core::CoreError;

use crate::commands_confirm::{ask, pick_file};
use crate::errors::AppCode;
use crate::imported::{Imported, ProfileStore};
use crate::ipc::{ImportedProfile, IpcError};

/// The native file picker's title (the e2e tests find the window by it).
pub const PICK_TITLE: &str = "Choose the vendor profile file";

/// Raises the native file picker, reads the chosen profile file and its `.minisig` (regular files
/// only, bounded, never blocking on a FIFO), checks the signature on exactly those bytes, then the
/// content, and keeps what passed under `imported:<hex>`. Answers who the profile says it is, what
/// it grants and how it is signed. A bad signature or a content error is refused (its code and
/// field, never the file's content); Cancel in the picker is `profile.import_cancelled`.
#[tauri::command]
pub async fn import_profile<R: Runtime>(app: AppHandle<R>, store: State<'_, ProfileStore>) -> Result<ImportedProfile, IpcError> {
    let Some(path) = pick_file(&app, PICK_TITLE, ("Vendor profile (JSON)", &["json"])).await? else {
        return Err(IpcError::new(AppCode::ProfileImportCancelled, "no vendor profile file was chosen"));
    };
    // The reads are bounded and never block (a FIFO is refused on its handle, opened non-blocking).
    let imported = store.import_file(&path).map_err(|e| refused(&e))?;
    Ok(summary(&imported))
}

/// An imported profile by its id (after a restart: the kept copy, verified again; an acceptance is
/// not kept). For the wizard to show a resumed draft's vendor.
#[tauri::command]
pub fn imported_profile(store: State<'_, ProfileStore>, id: String) -> Result<ImportedProfile, IpcError> {
    store.get(&id).map(|i| summary(&i)).ok_or_else(unknown)
}

/// Uses an unsigned or unknown-key imported profile: only after the person chose "Use it anyway"
/// in a native dialog Rust raises, whose text (who it claims to be, the key fingerprint or that
/// there is none, what it grants) Rust builds from what it verified. Cancel:
/// `profile.accept_cancelled`, and it stays unusable. A signed one needs no acceptance.
#[tauri::command]
pub async fn accept_unsigned_profile<R: Runtime>(
    app: AppHandle<R>,
    store: State<'_, ProfileStore>,
    id: String,
) -> Result<ImportedProfile, IpcError> {
    let i = store.get(&id).ok_or_else(unknown)?;
    if i.usable() {
        return Ok(summary(&i));
    }
    if !ask(&app, &crate::confirm::unsigned_profile(&i)).await {
        return Err(IpcError::new(
            AppCode::ProfileAcceptCancelled,
            "the vendor profile file was not accepted: it is not used (choose another vendor, or accept it)",
        ));
    }
    store.accept(&id).map(|i| summary(&i)).ok_or_else(unknown)
}

fn unknown() -> IpcError {
    IpcError {
        field: Some("platform".into()),
        fix: Some("Import the vendor profile file again (Use a vendor profile file…).".into()),
        ..IpcError::new(AppCode::ProfileNotImported, "no vendor profile file was imported under this id")
    }
}

/// A refused import: the code and the field, never the file's content (a hostile file's text could
/// otherwise reach the page through a parser's message).
fn refused(e: &CoreError) -> IpcError {
    let corrected =
        "Ask the vendor for a corrected profile file; `trustbridge profile verify <file>` on the command line names every problem.";
    match e {
        CoreError::ProfileSignature { code, message, .. } => IpcError {
            field: Some("signature".into()),
            fix: Some("Get the vendor profile file and its signature (the .minisig file next to it) from the vendor again.".into()),
            ..IpcError::new(*code, message.clone())
        },
        CoreError::ProfileUnreadable { file, .. } => IpcError {
            field: Some("profile".into()),
            fix: Some(corrected.into()),
            ..IpcError::new(e.error_code(), format!("the chosen file cannot be used as a vendor profile: {}", file.why.phrase()))
        },
        CoreError::Profile { field, .. } => {
            let field = field.as_ref().map_or_else(|| "profile".to_string(), |f| format!("profile.{f}"));
            let message = format!("the vendor profile file breaks Trustbridge's profile rules at {field}; nothing from it was used");
            IpcError { field: Some(field), fix: Some(corrected.into()), ..IpcError::new(e.error_code(), message) }
        }
        other => IpcError::new(other.error_code(), other.to_string()),
    }
}

fn summary(i: &Imported) -> ImportedProfile {
    let mut profile = crate::ipc::profile_summary(&i.profile);
    profile.id = i.id.clone();
    let (origin, key_id, signer) = match &i.origin {
        ProfileOrigin::Signed { signer, key_id, .. } => ("signed", Some(key_id.clone()), Some(signer.clone())),
        ProfileOrigin::Unsigned { reason: UnsignedReason::UnknownKey, key_id, .. } => ("unknown-key", key_id.clone(), None),
        _ => ("no-signature", None, None),
    };
    ImportedProfile {
        profile,
        vendor_profile_id: i.profile.id.clone(),
        origin: origin.into(),
        key_id,
        signer,
        usable: i.usable(),
        grants: crate::imported::grants(&i.profile),
    }
}
