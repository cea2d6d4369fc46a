//! Signing vendor profile files (`trustbridge profile sign|verify|keygen`), without Tauri: the
//! files and the password here, the cryptography in `trustbridge_core::profile_trust` (minisign).
//!
//! The secret key is the vendor's: it is read from the file the vendor names, used, and dropped;
//! Trustbridge never stores it, and no error or output quotes it or its password.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use trustbridge_core::error::CoreCode;
use trustbridge_core::profile::{read_small_bytes, MAX_FILE_BYTES};
use trustbridge_core::profile_trust::{self, ProfileOrigin, ProfileTrust, MAX_KEY_FILE_BYTES};
use trustbridge_core::{CoreError, Profile};

use crate::errors::{AppCode, ErrorCode};

/// The signing key's password, for scripts (otherwise it is asked for at the terminal).
pub const PASSWORD_ENV: &str = "TRUSTBRIDGE_SIGNING_KEY_PASSWORD";

/// The key pair `keygen` writes into its folder.
pub const KEY_FILE: &str = "trustbridge-profile.key";
pub const PUB_FILE: &str = "trustbridge-profile.pub";

/// Why a command failed: a stable code, one line, and the CLI's exit code (1 I/O, 2 invalid input).
#[derive(Debug)]
pub struct Failure {
    pub code: ErrorCode,
    pub message: String,
    pub exit: i32,
}

fn invalid(code: impl Into<ErrorCode>, message: impl Into<String>) -> Failure {
    Failure { code: code.into(), message: message.into(), exit: crate::cli::EXIT_INVALID }
}

fn io_failed(message: impl Into<String>) -> Failure {
    Failure { code: AppCode::ProfileIo.into(), message: message.into(), exit: crate::cli::EXIT_FAILED }
}

/// The password: from [`PASSWORD_ENV`], or asked for at the terminal (twice when `confirm`).
fn password(confirm: bool) -> Result<String, Failure> {
    if let Some(p) = trustbridge_cloud::config::var(PASSWORD_ENV) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(invalid(
            AppCode::ProfileNoPassword,
            format!("the signing key needs a password: set {PASSWORD_ENV}, or run this in a terminal"),
        ));
    }
    let ask = |prompt: &str| rpassword::prompt_password(prompt).map_err(|e| io_failed(format!("cannot read the password: {}", e.kind())));
    let first = ask("Password for the signing key: ")?;
    if confirm && ask("The same password again: ")? != first {
        return Err(invalid(AppCode::ProfileNoPassword, "the two passwords differ"));
    }
    Ok(first)
}

/// What `sign` did.
pub struct SignedFile {
    pub profile_id: String,
    pub signature: PathBuf,
    pub key_id: String,
}

/// Signs a vendor profile file with the vendor's minisign secret key: checks the profile first (a
/// profile Trustbridge would refuse is not signed), then writes `<profile>.minisig` next to it
/// (atomically). The signature covers exactly the bytes that were checked.
pub fn sign_file(profile: &Path, key: &Path) -> Result<SignedFile, Failure> {
    let shown = profile.display().to_string();
    let bytes = read_small_bytes(profile, MAX_FILE_BYTES).map_err(|e| invalid(CoreCode::ProfileUnreadable, e.to_string()))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid(CoreCode::ProfileInvalid, format!("{shown}: not UTF-8 text")))?;
    let p = Profile::from_json(text, &shown).map_err(|e| invalid(e.error_code(), format!("{e}; fix the profile, then sign it")))?;
    let key_text = read_small_bytes(key, MAX_KEY_FILE_BYTES)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| invalid(AppCode::ProfileBadKey, format!("--key {}: not a readable minisign secret key file", key.display())))?;
    let encrypted = profile_trust::secret_key_is_encrypted(&key_text)
        .map_err(|m| invalid(AppCode::ProfileBadKey, format!("--key {}: {m}", key.display())))?;
    let pw = if encrypted { Some(password(false)?) } else { None };
    let comment = format!("trustbridge vendor profile {}, signed at unix time {}", p.id, unix_time());
    let signed = profile_trust::sign(&bytes, &key_text, pw, &comment)
        .map_err(|m| invalid(AppCode::ProfileBadKey, format!("--key {}: {m}", key.display())))?;
    drop(key_text);
    let signature = profile_trust::signature_path(profile);
    trustbridge_core::export::write_file_atomic(&signature, signed.signature_file.as_bytes()).map_err(|e| io_failed(e.to_string()))?;
    Ok(SignedFile { profile_id: p.id, signature, key_id: signed.key_id })
}

fn unix_time() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Checks a vendor profile file as a plan would load it: its signature against `trust`, then its
/// content. The error is the one validation would report (`profile.unsigned`, …).
pub fn verify_file(profile: &Path, trust: &ProfileTrust) -> Result<(Profile, ProfileOrigin), CoreError> {
    Profile::load_file(profile, &profile.display().to_string(), trust)
}

/// What `keygen` wrote.
pub struct NewKey {
    pub key_id: String,
    pub public_key: PathBuf,
    pub secret_key: PathBuf,
}

/// Makes a minisign key pair for signing profiles: `DIR/trustbridge-profile.key` (the secret key,
/// encrypted with a password, mode 0600) and `DIR/trustbridge-profile.pub`. Neither may exist yet.
pub fn keygen(dir: &Path) -> Result<NewKey, Failure> {
    let secret_key = dir.join(KEY_FILE);
    let public_key = dir.join(PUB_FILE);
    for f in [&secret_key, &public_key] {
        if std::fs::symlink_metadata(f).is_ok() {
            return Err(invalid(AppCode::ProfileKeyExists, format!("{} exists already: keygen never overwrites a key", f.display())));
        }
    }
    let pw = password(true)?;
    if pw.is_empty() {
        return Err(invalid(AppCode::ProfileNoPassword, "the password is empty: the secret key is stored encrypted with it"));
    }
    let pair = profile_trust::generate_key_pair(Some(pw)).map_err(io_failed)?;
    create_dir(dir).map_err(|e| io_failed(format!("{}: {e}", dir.display())))?;
    write_new(&secret_key, pair.secret_key_file.as_bytes(), 0o600).map_err(|e| io_failed(format!("{}: {e}", secret_key.display())))?;
    write_new(&public_key, pair.public_key_file.as_bytes(), 0o644).map_err(|e| io_failed(format!("{}: {e}", public_key.display())))?;
    Ok(NewKey { key_id: pair.key_id, public_key, secret_key })
}

fn create_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// A new file (never an existing one, never through a symlink), with its mode from creation on.
fn write_new(path: &Path, content: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = o.open(path)?;
    f.write_all(content)?;
    f.sync_all()
}
