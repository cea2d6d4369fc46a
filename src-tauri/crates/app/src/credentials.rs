//! Storing a credential for a plan: one use case for the wizard (`store_credentials`) and the CLI
//! (`trustbridge secrets set`). Tauri-free. The adapters only read the text (a paste, stdin or a
//! file) and format the answer; the rules are here once: bounded size, parsed and validated as its
//! kind, checked against the plan (a GCP key for the plan's project and service account, an Azure
//! secret for the plan's tenant), then stored in the OS keyring under the plan's integration.

use trustbridge_core::validate::Resolved;
use trustbridge_secrets::{SecretKind, SecretStatus, SecretStore, SecretsError, Sensitive, ValidatedSecret, MAX_SECRET_BYTES};

/// Validates `text` as a `kind` credential for `r` and stores it; the text is dropped as soon as
/// it is parsed. Errors never quote the secret (`SecretsError` carries none).
pub fn store(store: &SecretStore, r: &Resolved, kind: SecretKind, text: Sensitive<String>) -> Result<SecretStatus, SecretsError> {
    if text.expose().len() > MAX_SECRET_BYTES {
        return Err(SecretsError::TooLarge { len: text.expose().len(), max: MAX_SECRET_BYTES });
    }
    let secret = ValidatedSecret::parse(kind, &text)?;
    drop(text);
    match (&secret, &r.gcp, &r.azure) {
        (ValidatedSecret::Gcp(k), Some(g), _) => k.check_plan(&g.project_id, Some(&g.service_account_email()))?,
        (ValidatedSecret::Azure(s), _, Some(z)) => s.check_plan(&z.tenant_id)?,
        _ => {}
    }
    store.set(&r.plan.integration.name, &secret)
}
