//! Vendor profile files imported in the wizard. Tauri-free: the commands
//! (`commands_profile.rs`) raise the native file picker and the native confirmation; this keeps
//! what Rust verified.
//!
//! The webview never names a file: Rust reads the file the person chose in the native picker (and
//! its `.minisig`) with the CLI's hardened reads, checks the signature on exactly those bytes, then
//! parses and checks them like any profile file. What passed is kept here under an opaque id,
//! `imported:<first 16 hex digits of the file's SHA-256>`, which plans may name as `platform`. A
//! profile signed by a trusted key is usable at once; an unsigned or unknown-key one only after the
//! person accepted it in a native dialog Rust raises (`accept`); a bad signature or a content error
//! is never kept, so it can never be accepted.
//!
//! For resume after a restart the verified bytes and signature are kept in the app data dir
//! (`profiles/<hex>.json` and `.json.minisig`, 0600 in a 0700 folder, like drafts) and verified
//! again when read back; an acceptance is not kept (the person is asked again).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use trustbridge_core::error::CoreCode;
use trustbridge_core::export::write_private_file_atomic;
use trustbridge_core::profile::ExternalIdPolicy;
use trustbridge_core::profile_trust::{ProfileOrigin, ProfileTrust, TrustedKey, UnsignedReason, WIZARD_ALLOWED_BY};
use trustbridge_core::{CoreError, Profile};

/// The prefix of an imported profile's id.
pub const IMPORTED_PREFIX: &str = "imported:";
/// Hex digits of the SHA-256 in the id.
const ID_HEX: usize = 16;

/// One imported profile file, verified.
#[derive(Debug, Clone)]
pub struct Imported {
    /// `imported:<hex>`: what a plan names as `platform`.
    pub id: String,
    pub profile: Profile,
    /// Signed by a trusted key, or unsigned (no signature / an unknown key; `allowed_by` the
    /// wizard's confirmation, which it needs before it is usable).
    pub origin: ProfileOrigin,
    /// The person accepted an unsigned or unknown-key profile in the native dialog (this run only).
    pub accepted: bool,
}

impl Imported {
    /// Signed by a trusted key, or accepted.
    pub fn usable(&self) -> bool {
        matches!(self.origin, ProfileOrigin::Signed { .. }) || self.accepted
    }

    /// Why it is not usable yet, as the CLI says it (`profile.unsigned`, `profile.unknown_key`).
    fn refusal(&self) -> Option<CoreError> {
        let ProfileOrigin::Unsigned { reason, key_id, .. } = &self.origin else { return None };
        if self.accepted {
            return None;
        }
        let (code, message) = match reason {
            UnsignedReason::NoSignature => (CoreCode::ProfileUnsigned, "the imported vendor profile file is not signed".to_string()),
            UnsignedReason::UnknownKey => (
                CoreCode::ProfileUnknownKey,
                format!(
                    "the imported vendor profile file is signed by key {}, which this build does not trust",
                    key_id.as_deref().unwrap_or("?")
                ),
            ),
        };
        Some(CoreError::ProfileSignature {
            id: self.id.clone(),
            code,
            message,
            fix: "check where the file came from, then accept it on the warning page (Trustbridge asks you in its own dialog), or choose another vendor".into(),
        })
    }
}

/// Whether `platform` names an imported profile (never a path: the id is checked hex).
pub fn is_imported_id(platform: &str) -> bool {
    platform.strip_prefix(IMPORTED_PREFIX).is_some_and(hex_ok)
}

fn hex_ok(h: &str) -> bool {
    h.len() == ID_HEX && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn sha256_hex(b: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b).as_ref().iter().map(|x| format!("{x:02x}")).collect()
}

/// The imported profiles of this run, and where their copies are kept.
pub struct ProfileStore {
    /// `<app data dir>/profiles`, once the app knows its data dir.
    folder: std::sync::OnceLock<PathBuf>,
    trust: ProfileTrust,
    entries: Mutex<HashMap<String, Imported>>,
}

impl ProfileStore {
    /// `data_dir`: the app data dir (copies go in `profiles/` there; see [`ProfileStore::set_data_dir`]).
    /// `extra_keys`: keys trusted besides the compiled-in ones (tests; never from the webview).
    pub fn new(data_dir: Option<&Path>, extra_keys: Vec<TrustedKey>) -> ProfileStore {
        let folder = std::sync::OnceLock::new();
        if let Some(d) = data_dir {
            let _ = folder.set(d.join("profiles"));
        }
        ProfileStore {
            folder,
            // Unsigned and unknown-key files are kept (to be accepted); a bad signature never is.
            trust: ProfileTrust::new(extra_keys, true),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The app data dir, once the app knows it (the first one set stays).
    pub fn set_data_dir(&self, data_dir: &Path) {
        let _ = self.folder.set(data_dir.join("profiles"));
    }

    fn folder(&self) -> Result<&PathBuf, CoreError> {
        self.folder
            .get()
            .ok_or_else(|| CoreError::Export { path: "profiles".into(), message: "the app data folder is not known yet".into() })
    }

    /// Imports the file the person chose in the native picker: read once with its `.minisig` (regular
    /// files only, bounded, never blocking), signature then content checked, a copy kept. Errors
    /// name the file (its name only), never its content.
    pub fn import_file(&self, path: &Path) -> Result<Imported, CoreError> {
        let shown = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "the file".into());
        let (bytes, signature) = Profile::read_file(path, &shown)?;
        self.import_bytes(&bytes, signature.as_deref(), &shown)
    }

    fn import_bytes(&self, bytes: &[u8], signature: Option<&[u8]>, shown: &str) -> Result<Imported, CoreError> {
        let imported = self.verify(bytes, signature, shown)?;
        let hex = &imported.id[IMPORTED_PREFIX.len()..];
        let file = self.folder()?.join(format!("{hex}.json"));
        write_private_file_atomic(&file, bytes)?;
        let sig_file = trustbridge_core::profile_trust::signature_path(&file);
        match signature {
            Some(s) => write_private_file_atomic(&sig_file, s)?,
            None => match std::fs::remove_file(&sig_file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(CoreError::Export { path: sig_file.display().to_string(), message: e.kind().to_string() })
                }
                _ => {}
            },
        }
        if let Ok(mut m) = self.entries.lock() {
            // A new import of the same bytes starts over: an acceptance is asked for again.
            m.insert(imported.id.clone(), imported.clone());
        }
        Ok(imported)
    }

    fn verify(&self, bytes: &[u8], signature: Option<&[u8]>, shown: &str) -> Result<Imported, CoreError> {
        let (profile, origin) = Profile::from_signed_bytes(bytes, signature, shown, &self.trust)?;
        let origin = match origin {
            ProfileOrigin::Unsigned { reason, key_id, .. } => ProfileOrigin::Unsigned { reason, key_id, allowed_by: WIZARD_ALLOWED_BY },
            o => o,
        };
        let id = format!("{IMPORTED_PREFIX}{}", &sha256_hex(bytes)[..ID_HEX]);
        Ok(Imported { id, profile, origin, accepted: false })
    }

    /// The imported profile `id`: this run's, or the copy kept from an earlier run, verified again
    /// (and not accepted). None when there is none, or the copy no longer verifies.
    pub fn get(&self, id: &str) -> Option<Imported> {
        if !is_imported_id(id) {
            return None;
        }
        if let Some(i) = self.entries.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Some(i);
        }
        let hex = &id[IMPORTED_PREFIX.len()..];
        let file = self.folder().ok()?.join(format!("{hex}.json"));
        let (bytes, signature) = Profile::read_file(&file, &format!("{hex}.json")).ok()?;
        let imported = self.verify(&bytes, signature.as_deref(), &format!("{hex}.json")).ok()?;
        if imported.id != id {
            return None;
        }
        if let Ok(mut m) = self.entries.lock() {
            m.entry(id.to_string()).or_insert_with(|| imported.clone());
        }
        Some(imported)
    }

    /// Marks an unsigned or unknown-key profile accepted (after the person's yes in the native
    /// dialog). A bad signature was never kept, so it cannot be accepted.
    pub fn accept(&self, id: &str) -> Option<Imported> {
        let mut m = self.entries.lock().ok()?;
        let e = m.get_mut(id)?;
        e.accepted = true;
        Some(e.clone())
    }

    /// Resolves a plan's `platform` in the wizard: a built-in id, or an imported profile that is
    /// usable. Never a path (the IPC refuses one before this).
    pub fn resolve(&self, platform: &str) -> Result<(Profile, ProfileOrigin), CoreError> {
        if platform.starts_with(IMPORTED_PREFIX) {
            let Some(i) = self.get(platform) else {
                return Err(CoreError::Profile {
                    id: platform.to_string(),
                    field: None,
                    message:
                        "no vendor profile file was imported under this id in this app (import it again with 'Use a vendor profile file…')"
                            .into(),
                });
            };
            if let Some(e) = i.refusal() {
                return Err(e);
            }
            return Ok((i.profile, i.origin));
        }
        Profile::resolve_with(platform, None, &ProfileTrust { keys: Vec::new(), allow_unsigned: false })
    }
}

/// What a profile grants, in plain words, one line each (the import summary and the native
/// confirmation show them).
pub fn grants(p: &Profile) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = &p.aws {
        let who = match &a.vendor_accounts {
            Some(m) => format!("the vendor's AWS account {}", m.values().cloned().collect::<Vec<_>>().join(", ")),
            None => "an AWS account you enter".to_string(),
        };
        let how = match a.external_id {
            ExternalIdPolicy::Required => "with an external id",
            ExternalIdPolicy::Optional => "with an external id where the plan sets one",
            ExternalIdPolicy::None => "from the roles its principal patterns name",
        };
        out.push(format!("AWS: a role that {who} may assume ({how})"));
        let reads: Vec<String> = a.bucket_actions.iter().chain(&a.object_actions).cloned().collect();
        if !reads.is_empty() {
            out.push(format!("AWS: on each bucket you choose: {}", reads.join(", ")));
        }
        if !a.event_bus_actions.is_empty() {
            out.push(format!("AWS: on each event bus you choose: {}", a.event_bus_actions.join(", ")));
        }
    }
    if let Some(g) = &p.gcp {
        out.push("Google Cloud: a service account in your project".to_string());
        if let Some(r) = &g.project_role {
            out.push(format!("Google Cloud: on the project: {}", r.permissions.join(", ")));
        }
        if !g.bucket_roles.is_empty() {
            out.push(format!("Google Cloud: on each bucket you choose: {}", g.bucket_roles.join(", ")));
        }
        if !g.topic_roles.is_empty() {
            out.push(format!("Google Cloud: on each Pub/Sub topic you choose: {}", g.topic_roles.join(", ")));
        }
    }
    if let Some(z) = &p.azure {
        out.push("Azure: a service principal in your tenant".to_string());
        let names = |v: &[trustbridge_core::profile::AzureRole]| v.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", ");
        if !z.container_roles.is_empty() {
            out.push(format!("Azure: on each blob container you choose: {}", names(&z.container_roles)));
        }
        if !z.topic_roles.is_empty() {
            out.push(format!("Azure: on each Event Grid topic you choose: {}", names(&z.topic_roles)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_hex_never_paths() {
        assert!(is_imported_id("imported:0123456789abcdef"));
        for bad in ["imported:../../etc/passwd", "imported:0123456789ABCDEF", "imported:0123", "imported:", "mlcube", "/x.json"] {
            assert!(!is_imported_id(bad), "{bad}");
        }
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(Some(tmp.path()), vec![]);
        assert!(store.get("imported:../../../etc/pas").is_none());
        assert_eq!(store.resolve("imported:0123456789abcdef").unwrap_err().code(), "profile.invalid");
        assert!(store.resolve("mlcube").is_ok());
    }
}
