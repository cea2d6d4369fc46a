//! The secret store: one keyring entry per integration and kind, under a service name namespaced by
//! app id and build kind.
//!
//! # Layout (the same on every platform)
//! A secret is split into chunks of at most [`CHUNK_BYTES`] bytes, stored as binary secrets, plus one
//! small manifest entry that says how many chunks there are, their length and SHA-256, and the
//! non-secret [`Fingerprint`]:
//!
//! ```text
//! service  dev.trustbridge.wizard[/debug]
//! user     <integration>/<kind-slug>             manifest  {"v":1,"gen":3,"chunks":2,"len":2345,"sha256":"…","fingerprint":{…}}
//! user     <integration>/<kind-slug>#g3.0        chunk 0   (≤ 2048 bytes)
//! user     <integration>/<kind-slug>#g3.1        chunk 1
//! ```
//!
//! Why chunks: Windows Credential Manager caps a credential blob at 2,560 bytes
//! (`CRED_MAX_CREDENTIAL_BLOB_SIZE`), and a GCP key file is ≈2.3 KB — over the cap as soon as it is
//! stored as UTF-16, and too close to it otherwise. Chunking is used on every platform so the one
//! code path is the one the tests exercise (the in-memory store enforces the Windows cap).
//!
//! Replacing a secret writes a new generation of chunks, then the manifest, then deletes the old
//! generation (and any chunk past the end left by an interrupted write), so a crash at any point
//! leaves either the old or the new secret readable, and a stale chunk is never read back: the
//! manifest's length and SHA-256 are checked on every read.
//!
//! There is no plaintext fallback: without a usable OS store every call fails with
//! `keyring.unavailable` (or `keyring.locked`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::SecretsError;
use crate::sensitive::Sensitive;
use crate::validate::{AzureClientSecret, Fingerprint, GcpServiceAccountKey, SecretKind, ValidatedSecret};

/// The Tauri identifier of the app; the keyring service name starts with it.
pub const APP_ID: &str = "dev.trustbridge.wizard";
/// Largest chunk written to one keyring entry (below Windows' 2,560-byte blob cap).
pub const CHUNK_BYTES: usize = 2048;
/// Windows Credential Manager's blob cap; the in-memory store enforces it by default.
pub const WINDOWS_BLOB_LIMIT: usize = 2560;
// A chunk must fit in one Windows credential blob: checked when this crate compiles.
const _: () = assert!(CHUNK_BYTES < WINDOWS_BLOB_LIMIT);
/// The largest secret accepted (a GCP key is ≈2.3 KB; an Azure JSON ≈200 bytes).
pub const MAX_SECRET_BYTES: usize = 64 * 1024;

/// Which build wrote an entry: debug builds (dev runs, tests) never read or write release entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildKind {
    Debug,
    Release,
}

impl BuildKind {
    /// The kind of the running build.
    pub const fn current() -> BuildKind {
        if cfg!(debug_assertions) {
            BuildKind::Debug
        } else {
            BuildKind::Release
        }
    }
}

/// `dev.trustbridge.wizard` for release builds, `dev.trustbridge.wizard/debug` for debug builds.
pub fn service_name(kind: BuildKind) -> String {
    match kind {
        BuildKind::Release => APP_ID.to_string(),
        BuildKind::Debug => format!("{APP_ID}/debug"),
    }
}

/// A raw credential store: get/set/delete bytes under (service, user).
pub trait Backend: Send + Sync {
    fn get(&self, service: &str, user: &str) -> Result<Option<Sensitive<Vec<u8>>>, SecretsError>;
    fn set(&self, service: &str, user: &str, value: &[u8]) -> Result<(), SecretsError>;
    /// `Ok(false)` when there was nothing to delete.
    fn delete(&self, service: &str, user: &str) -> Result<bool, SecretsError>;
}

// ---------------------------------------------------------------------------------------------
// The OS keyring (keyring 4 / keyring-core)

/// The platform credential store through keyring 4: Secret Service (Linux/BSD), Keychain (macOS),
/// Credential Manager (Windows). The store is opened once per process, on first use.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyringBackend;

fn describe(e: &keyring::Error) -> String {
    // Never `{e:?}`: BadEncoding / BadDataFormat carry the secret's bytes.
    match e {
        keyring::Error::PlatformFailure(inner) => inner.to_string(),
        keyring::Error::NoStorageAccess(inner) => inner.to_string(),
        keyring::Error::NoEntry => "no entry".into(),
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => "the stored data is not in the expected format".into(),
        keyring::Error::BadStoreFormat(reason) => format!("the store's data is malformed: {reason}"),
        keyring::Error::TooLong(name, len) => format!("'{name}' is longer than the platform limit of {len}"),
        keyring::Error::Invalid(attr, reason) => format!("'{attr}' is invalid: {reason}"),
        keyring::Error::Ambiguous(items) => format!("{} entries match", items.len()),
        keyring::Error::NoDefaultStore => "no credential store could be opened".into(),
        keyring::Error::NotSupportedByStore(what) => format!("not supported by this store: {what}"),
        _ => "unexpected keyring error".into(),
    }
}

fn map_keyring_error(op: &'static str, e: keyring::Error) -> SecretsError {
    match e {
        keyring::Error::NoDefaultStore => {
            let detail = match keyring::Entry::store_status() {
                Err(init) => describe(init),
                Ok(()) => describe(&keyring::Error::NoDefaultStore),
            };
            SecretsError::KeyringUnavailable { detail }
        }
        keyring::Error::NoStorageAccess(_) => SecretsError::KeyringLocked { detail: describe(&e) },
        keyring::Error::PlatformFailure(_) => {
            let detail = describe(&e);
            // The Secret Service went away after the store was opened.
            if detail.contains("ServiceUnknown") || detail.contains("NameHasNoOwner") || detail.contains("NoReply") {
                SecretsError::KeyringUnavailable { detail }
            } else {
                SecretsError::Keyring { op, detail }
            }
        }
        other => SecretsError::Keyring { op, detail: describe(&other) },
    }
}

impl KeyringBackend {
    fn entry(op: &'static str, service: &str, user: &str) -> Result<keyring::Entry, SecretsError> {
        keyring::Entry::new(service, user).map_err(|e| map_keyring_error(op, e))
    }

    /// Opens the platform store (once per process) and reports whether it can be used.
    pub fn check() -> Result<(), SecretsError> {
        match keyring::Entry::store_status() {
            Ok(()) => Ok(()),
            Err(e) => Err(SecretsError::KeyringUnavailable { detail: describe(e) }),
        }
    }
}

impl Backend for KeyringBackend {
    fn get(&self, service: &str, user: &str) -> Result<Option<Sensitive<Vec<u8>>>, SecretsError> {
        match Self::entry("read", service, user)?.get_secret() {
            Ok(v) => Ok(Some(Sensitive::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error("read", e)),
        }
    }
    fn set(&self, service: &str, user: &str, value: &[u8]) -> Result<(), SecretsError> {
        Self::entry("write", service, user)?.set_secret(value).map_err(|e| map_keyring_error("write", e))
    }
    fn delete(&self, service: &str, user: &str) -> Result<bool, SecretsError> {
        match Self::entry("delete", service, user)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_keyring_error("delete", e)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// In memory (unit tests)

/// (service, account) → the stored bytes.
type Entries = BTreeMap<(String, String), Sensitive<Vec<u8>>>;

/// An in-memory store for tests. Enforces a per-entry size cap (Windows' by default) and can be
/// made to fail like an absent or locked keyring, or to fail after N writes (an interrupted write).
#[derive(Debug)]
pub struct MemoryBackend {
    entries: Mutex<Entries>,
    max_value_len: usize,
    fail: Mutex<Option<SecretsError>>,
    writes_left: Mutex<Option<usize>>,
}

impl Default for MemoryBackend {
    fn default() -> Self {
        MemoryBackend::with_limit(WINDOWS_BLOB_LIMIT)
    }
}

impl MemoryBackend {
    pub fn with_limit(max_value_len: usize) -> MemoryBackend {
        MemoryBackend { entries: Mutex::default(), max_value_len, fail: Mutex::default(), writes_left: Mutex::default() }
    }
    /// Every call fails with `e` from now on (`None` heals it).
    pub fn fail_with(&self, e: Option<SecretsError>) {
        *self.fail.lock().unwrap() = e;
    }
    /// The next `n` writes succeed, then writes fail (`None` lifts the limit).
    pub fn fail_writes_after(&self, n: Option<usize>) {
        *self.writes_left.lock().unwrap() = n;
    }
    /// The users of every entry under `service`, sorted.
    pub fn users(&self, service: &str) -> Vec<String> {
        self.entries.lock().unwrap().keys().filter(|(s, _)| s == service).map(|(_, u)| u.clone()).collect()
    }
    /// Raw access for tests that tamper with an entry.
    pub fn put_raw(&self, service: &str, user: &str, value: &[u8]) {
        self.entries.lock().unwrap().insert((service.into(), user.into()), Sensitive::new(value.to_vec()));
    }
    fn check(&self) -> Result<(), SecretsError> {
        match &*self.fail.lock().unwrap() {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }
}

impl Backend for MemoryBackend {
    fn get(&self, service: &str, user: &str) -> Result<Option<Sensitive<Vec<u8>>>, SecretsError> {
        self.check()?;
        Ok(self.entries.lock().unwrap().get(&(service.to_string(), user.to_string())).cloned())
    }
    fn set(&self, service: &str, user: &str, value: &[u8]) -> Result<(), SecretsError> {
        self.check()?;
        if let Some(n) = self.writes_left.lock().unwrap().as_mut() {
            if *n == 0 {
                return Err(SecretsError::Keyring { op: "write", detail: "simulated failure".into() });
            }
            *n -= 1;
        }
        if value.len() > self.max_value_len {
            return Err(SecretsError::Keyring {
                op: "write",
                detail: format!("'password' is longer than the platform limit of {}", self.max_value_len),
            });
        }
        self.entries.lock().unwrap().insert((service.to_string(), user.to_string()), Sensitive::new(value.to_vec()));
        Ok(())
    }
    fn delete(&self, service: &str, user: &str) -> Result<bool, SecretsError> {
        self.check()?;
        Ok(self.entries.lock().unwrap().remove(&(service.to_string(), user.to_string())).is_some())
    }
}

// ---------------------------------------------------------------------------------------------
// The store

/// What status shows: whether a secret is stored, and its non-secret fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretStatus {
    pub integration: String,
    pub kind: SecretKind,
    pub stored: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Fingerprint>,
}

impl std::fmt::Display for SecretStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.fingerprint {
            Some(fp) if self.stored => write!(f, "{} {}: stored ({fp})", self.integration, self.kind.as_str()),
            _ => write!(f, "{} {}: not stored", self.integration, self.kind.as_str()),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    v: u32,
    kind: SecretKind,
    gen: u64,
    chunks: usize,
    len: usize,
    sha256: String,
    fingerprint: Fingerprint,
}

/// One keyring entry (manifest + chunks) per integration and kind, under a namespaced service.
#[derive(Clone)]
pub struct SecretStore {
    backend: Arc<dyn Backend>,
    service: String,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore").field("service", &self.service).finish_non_exhaustive()
    }
}

fn sha256_hex(b: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b).as_ref().iter().map(|x| format!("{x:02x}")).collect()
}

/// Integration names become part of keyring entry names.
pub fn check_integration(name: &str) -> Result<(), SecretsError> {
    let rule = if name.is_empty() || name.len() > 64 {
        Some("must be 1 to 64 characters")
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
        Some("may hold only letters, digits, '_', '-' and '.'")
    } else {
        None
    };
    match rule {
        Some(rule) => Err(SecretsError::BadIntegration { name: name.to_string(), rule }),
        None => Ok(()),
    }
}

impl SecretStore {
    /// The OS keyring, namespaced for this build.
    pub fn os() -> SecretStore {
        SecretStore::with_backend(Arc::new(KeyringBackend), service_name(BuildKind::current()))
    }

    pub fn with_backend(backend: Arc<dyn Backend>, service: impl Into<String>) -> SecretStore {
        SecretStore { backend, service: service.into() }
    }

    /// An in-memory store (Windows' size cap enforced), and a handle on its backend.
    pub fn memory() -> (SecretStore, Arc<MemoryBackend>) {
        let b = Arc::new(MemoryBackend::default());
        (SecretStore::with_backend(b.clone(), service_name(BuildKind::current())), b)
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn manifest_user(integration: &str, kind: SecretKind) -> String {
        format!("{integration}/{}", kind.slug())
    }
    fn chunk_user(integration: &str, kind: SecretKind, gen: u64, i: usize) -> String {
        format!("{integration}/{}#g{gen}.{i}", kind.slug())
    }

    fn manifest(&self, integration: &str, kind: SecretKind) -> Result<Option<Manifest>, SecretsError> {
        let Some(bytes) = self.backend.get(&self.service, &Self::manifest_user(integration, kind))? else {
            return Ok(None);
        };
        match serde_json::from_slice::<Manifest>(bytes.expose()) {
            Ok(m) if m.v == 1 && m.kind == kind => Ok(Some(m)),
            _ => Err(SecretsError::Corrupt { integration: integration.into(), kind: kind.label(), reason: "unreadable manifest".into() }),
        }
    }

    /// Deletes chunks of generation `gen` from index `from` on, until one is missing.
    fn sweep(&self, integration: &str, kind: SecretKind, gen: u64, from: usize) -> Result<(), SecretsError> {
        let mut i = from;
        // Bounded: a secret has at most MAX_SECRET_BYTES / CHUNK_BYTES chunks.
        while i <= MAX_SECRET_BYTES / CHUNK_BYTES + 1 {
            if !self.backend.delete(&self.service, &Self::chunk_user(integration, kind, gen, i))? {
                break;
            }
            i += 1;
        }
        Ok(())
    }

    /// Stores a validated secret for `integration`, replacing any earlier one of the same kind.
    pub fn set(&self, integration: &str, secret: &ValidatedSecret) -> Result<SecretStatus, SecretsError> {
        check_integration(integration)?;
        let kind = secret.kind();
        let bytes = secret.raw().expose().as_bytes();
        if bytes.len() > MAX_SECRET_BYTES {
            return Err(SecretsError::TooLarge { len: bytes.len(), max: MAX_SECRET_BYTES });
        }
        let old = match self.manifest(integration, kind) {
            Ok(m) => m,
            Err(SecretsError::Corrupt { .. }) => None,
            Err(e) => return Err(e),
        };
        let gen = old.as_ref().map_or(1, |m| m.gen + 1);
        let chunks: Vec<&[u8]> = bytes.chunks(CHUNK_BYTES).collect();
        for (i, c) in chunks.iter().enumerate() {
            if let Err(e) = self.backend.set(&self.service, &Self::chunk_user(integration, kind, gen, i), c) {
                let _ = self.sweep(integration, kind, gen, 0);
                return Err(e);
            }
        }
        let fingerprint = secret.fingerprint();
        let m = Manifest {
            v: 1,
            kind,
            gen,
            chunks: chunks.len(),
            len: bytes.len(),
            sha256: sha256_hex(bytes),
            fingerprint: fingerprint.clone(),
        };
        let manifest = serde_json::to_vec(&m).expect("manifest serializes");
        if let Err(e) = self.backend.set(&self.service, &Self::manifest_user(integration, kind), &manifest) {
            let _ = self.sweep(integration, kind, gen, 0);
            return Err(e);
        }
        // Stale chunks: the previous generation, and anything past the end of this one.
        if let Some(old) = &old {
            self.sweep(integration, kind, old.gen, 0)?;
        }
        self.sweep(integration, kind, gen, chunks.len())?;
        Ok(SecretStatus { integration: integration.into(), kind, stored: true, fingerprint: Some(fingerprint) })
    }

    /// The stored text (JSON) of a secret.
    pub fn get(&self, integration: &str, kind: SecretKind) -> Result<Sensitive<String>, SecretsError> {
        check_integration(integration)?;
        let corrupt = |reason: &str| SecretsError::Corrupt { integration: integration.into(), kind: kind.label(), reason: reason.into() };
        let m = self.manifest(integration, kind)?.ok_or(SecretsError::NotFound { integration: integration.into(), kind: kind.label() })?;
        if m.len > MAX_SECRET_BYTES || m.chunks > MAX_SECRET_BYTES / CHUNK_BYTES + 1 {
            return Err(corrupt("impossible size"));
        }
        let mut all = Sensitive::new(Vec::with_capacity(m.len));
        for i in 0..m.chunks {
            let c = self
                .backend
                .get(&self.service, &Self::chunk_user(integration, kind, m.gen, i))?
                .ok_or_else(|| corrupt("a chunk is missing"))?;
            let mut next = Vec::with_capacity(m.len);
            next.extend_from_slice(all.expose());
            next.extend_from_slice(c.expose());
            all = Sensitive::new(next);
        }
        if all.expose().len() != m.len || sha256_hex(all.expose()) != m.sha256 {
            return Err(corrupt("checksum mismatch"));
        }
        match std::str::from_utf8(all.expose()) {
            Ok(s) => Ok(Sensitive::new(s.to_string())),
            Err(_) => Err(corrupt("not UTF-8")),
        }
    }

    /// The stored GCP key, parsed.
    pub fn gcp_key(&self, integration: &str) -> Result<GcpServiceAccountKey, SecretsError> {
        GcpServiceAccountKey::parse(&self.get(integration, SecretKind::Gcp)?)
    }

    /// The stored Azure client secret, parsed.
    pub fn azure_secret(&self, integration: &str) -> Result<AzureClientSecret, SecretsError> {
        AzureClientSecret::parse(&self.get(integration, SecretKind::Azure)?)
    }

    /// The stored vendor API key.
    pub fn vendor_api_key(&self, integration: &str) -> Result<crate::validate::VendorApiKey, SecretsError> {
        let key = crate::validate::VendorApiKey::parse(&self.get(integration, SecretKind::VendorApiKey)?)?;
        // The address it was given for is its manifest's scope (empty: not said).
        let address = self.manifest(integration, SecretKind::VendorApiKey)?.map(|m| m.fingerprint.scope).filter(|a| !a.is_empty());
        Ok(match address {
            Some(a) => key.for_address(&a),
            None => key,
        })
    }

    /// Whether a secret is stored, with its fingerprint. Reads only the manifest, never the secret.
    pub fn status(&self, integration: &str, kind: SecretKind) -> Result<SecretStatus, SecretsError> {
        check_integration(integration)?;
        let m = self.manifest(integration, kind)?;
        Ok(SecretStatus { integration: integration.into(), kind, stored: m.is_some(), fingerprint: m.map(|m| m.fingerprint) })
    }

    /// Removes the secret and every chunk of it; `Ok(false)` when nothing was stored.
    pub fn delete(&self, integration: &str, kind: SecretKind) -> Result<bool, SecretsError> {
        check_integration(integration)?;
        let gen = match self.manifest(integration, kind) {
            Ok(m) => m.map(|m| m.gen),
            Err(SecretsError::Corrupt { .. }) => None,
            Err(e) => return Err(e),
        };
        // The current generation and the next (chunks of an interrupted replace).
        let g = gen.unwrap_or(0);
        self.sweep(integration, kind, g, 0)?;
        self.sweep(integration, kind, g + 1, 0)?;
        let existed = self.backend.delete(&self.service, &Self::manifest_user(integration, kind))?;
        Ok(existed || gen.is_some())
    }
}
