//! Storing a credential for a plan: one use case for the wizard (`store_credentials`) and the CLI
//! (`trustbridge secrets set`). Tauri-free. The adapters only read the text (a paste, stdin or a
//! file) and format the answer; the rules are here once: bounded size, parsed and validated as its
//! kind, checked against the plan (a GCP key for the plan's project and service account, an Azure
//! secret for the plan's tenant), then stored in the OS keyring under the plan's integration.

use trustbridge_core::validate::Resolved;
use trustbridge_secrets::{SecretKind, SecretStatus, SecretStore, SecretsError, Sensitive, ValidatedSecret, MAX_SECRET_BYTES};

/// Validates `text` as a `kind` credential for `r` and stores it; the text is dropped as soon as
/// it is parsed. Errors never quote the secret (`SecretsError` carries none).
///
/// The vendor's API key is kept with the address it is for (`vendor`: the plan's or the profile's
/// API, or `TRUSTBRIDGE_VENDOR_API_URL`), and is sent nowhere else
/// ([`crate::register::stored_key_may_go_to`]).
pub fn store(
    store: &SecretStore,
    r: &Resolved,
    kind: SecretKind,
    text: Sensitive<String>,
    vendor: &trustbridge_cloud::vendor::VendorSettings,
) -> Result<SecretStatus, SecretsError> {
    if text.expose().len() > MAX_SECRET_BYTES {
        return Err(SecretsError::TooLarge { len: text.expose().len(), max: MAX_SECRET_BYTES });
    }
    let secret = match ValidatedSecret::parse(kind, &text)? {
        ValidatedSecret::VendorApiKey(k) => match trustbridge_cloud::vendor::base_url(r, vendor) {
            Ok(address) => ValidatedSecret::VendorApiKey(k.for_address(&address)),
            // No usable address: kept without one, so only the profile's built-in address gets it.
            Err(_) => ValidatedSecret::VendorApiKey(k),
        },
        other => other,
    };
    drop(text);
    match (&secret, &r.gcp, &r.azure) {
        (ValidatedSecret::Gcp(k), Some(g), _) => k.check_plan(&g.project_id, Some(&g.service_account_email()))?,
        (ValidatedSecret::Azure(s), _, Some(z)) => s.check_plan(&z.tenant_id)?,
        _ => {}
    }
    store.set(&r.plan.integration.name, &secret)
}

/// What [`make_in_cloud`] did.
pub enum Made {
    /// One was already stored for the integration: nothing was created.
    AlreadyStored(SecretStatus),
    Created(SecretStatus),
}

/// Why [`make_in_cloud`] stopped.
pub enum MakeError {
    /// The keyring cannot be used (checked first): nothing was created.
    Keyring(SecretsError),
    /// The cloud refused to create it: nothing exists.
    Cloud(trustbridge_cloud::CloudError),
    /// It was created but could not be stored, so nobody has it: delete it (`hint`).
    NotKept { error: SecretsError, hint: String },
}

/// A GCP service-account key or an Azure client secret made by the cloud (`make`) and handed
/// straight to the OS keyring — never shown, written or returned — for the window ("Create the
/// key") and the CLI (`apply --create-credentials`) alike. Only when none is stored for the
/// integration, and only when the keyring answers (asked first, so nothing is made that could not
/// be kept). `delete_hint(id)`: how to delete what was made when it could not be stored.
pub async fn make_in_cloud(
    store: &SecretStore,
    r: &Resolved,
    kind: SecretKind,
    make: impl std::future::Future<Output = Result<trustbridge_cloud::changes::CreatedSecret, trustbridge_cloud::CloudError>>,
    delete_hint: impl Fn(&str) -> String,
) -> Result<Made, MakeError> {
    let status = store.status(&r.plan.integration.name, kind).map_err(MakeError::Keyring)?;
    if status.stored {
        return Ok(Made::AlreadyStored(status));
    }
    let made = make.await.map_err(MakeError::Cloud)?;
    let hint = delete_hint(&made.id);
    // A GCP key or an Azure secret: no vendor address is involved.
    let no_vendor = trustbridge_cloud::vendor::VendorSettings::default();
    self::store(store, r, kind, made.text, &no_vendor).map(Made::Created).map_err(|error| MakeError::NotKept { error, hint })
}
