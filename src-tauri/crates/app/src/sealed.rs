//! The sealed hand-off, Tauri-free: for a vendor profile that carries the vendor's age public key
//! (`handoff.seal_to`), the GCP key and Azure service principal are read from the OS keyring,
//! put in one JSON document in memory, and encrypted to that key (`credentials.age` in the export).
//! The plaintext never touches disk; only the vendor can open the file.

use serde_json::value::RawValue;
use trustbridge_core::render::SealedCredentials;
use trustbridge_core::validate::Resolved;
use trustbridge_secrets::{SecretStore, SecretsError, Sensitive};

use crate::errors::{AppCode, ErrorCode};

/// Why the credentials could not be sealed: a stable code, what happened, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealError {
    pub code: ErrorCode,
    pub message: String,
    pub fix: String,
}

fn from_secrets(e: &SecretsError) -> SealError {
    SealError { code: e.error_code().into(), message: e.to_string(), fix: e.fix().unwrap_or_default() }
}

/// Seals the plan's stored cloud credentials to the vendor's public key.
pub fn seal(r: &Resolved, store: &SecretStore) -> Result<SealedCredentials, SealError> {
    let vendor = &r.profile.display_name;
    let Some(to) = r.profile.handoff.seal_to.as_deref() else {
        return Err(SealError {
            code: AppCode::SealNoVendorKey.into(),
            message: format!("vendor profile '{}' carries no public key to seal credentials to", r.profile.id),
            fix: format!("export without sealing and give the credentials to {vendor} as it asks, or use a profile with handoff.seal_to"),
        });
    };
    let name = &r.plan.integration.name;
    let kinds = crate::verify_all::secrets_taken(r);
    if kinds.is_empty() {
        return Err(SealError {
            code: AppCode::SealNothingToSeal.into(),
            message: "the plan has no cloud that signs in with a key or secret (AWS is a role; keyless clouds hold none)".into(),
            fix: "export without sealing".into(),
        });
    }
    let mut stored = Vec::new();
    for k in &kinds {
        stored.push((*k, store.get(name, *k).map_err(|e| from_secrets(&e))?));
    }
    // One document, the stored JSON embedded as it is (borrowed, not re-parsed into other buffers).
    let seal_failed = |e: serde_json::Error| SealError {
        code: AppCode::SealFailed.into(),
        message: format!("could not build the document: {e}"),
        fix: String::new(),
    };
    let head = [
        ("version", serde_json::value::to_raw_value(&1).map_err(seal_failed)?),
        ("platform", serde_json::value::to_raw_value(&r.profile.id).map_err(seal_failed)?),
        ("integration", serde_json::value::to_raw_value(name).map_err(seal_failed)?),
    ];
    let mut doc: std::collections::BTreeMap<&str, &RawValue> = head.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    for (k, text) in &stored {
        let v: &RawValue = serde_json::from_str(text.expose()).map_err(|_| SealError {
            code: AppCode::SealStoredNotJson.into(),
            message: format!("the stored {} is not JSON", k.label()),
            fix: format!("store it again: trustbridge secrets set --plan … --kind {}", k.as_str()),
        })?;
        doc.insert(k.as_str(), v);
    }
    let plaintext = Sensitive::new(serde_json::to_string(&doc).map_err(seal_failed)?);
    let armored = trustbridge_secrets::seal::seal(to, &plaintext).map_err(|e| from_secrets(&e))?;
    Ok(SealedCredentials { armored, recipient: to.to_string(), contains: kinds.iter().map(|k| k.as_str().to_string()).collect() })
}
