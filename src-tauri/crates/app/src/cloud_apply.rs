//! Apply on Google Cloud and Azure from the window: the use case the Tauri commands call
//! (Tauri-free). Who this computer can act as on each cloud (no network for Google: the
//! Application Default Credentials file; Azure: the environment's service principal, or the
//! Azure CLI on the PATH), and one apply or dry run of one cloud, mapped to the IPC shapes.
//! The engines are `trustbridge_cloud::{gcp, azure}::apply`, the same the CLI runs.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use trustbridge_cloud::azure::apply as azure_apply;
use trustbridge_cloud::azure::credential::AzureAdmin;
use trustbridge_cloud::gcp::apply as gcp_apply;
use trustbridge_cloud::gcp::credential::AdminCredential;
use trustbridge_core::guardrail::GuardSeverity;
use trustbridge_core::validate::Resolved;

use crate::cloud_signin::ApiSignIns;
use crate::ipc::{GuardrailFinding, IpcError};
use crate::verify_all::CloudSettings;

/// A cloud the window can apply to besides AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ApiCloud {
    Gcp,
    Azure,
}

/// Who this computer can act as on Google Cloud and Azure, for the plan's sections; `None`: no
/// sign-in found (the page offers the Cloud Shell steps, and the sign-in below when it can).
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct CloudSignIns {
    pub gcp: Option<String>,
    pub azure: Option<String>,
    /// The vendor profile offers "Sign in with Google" / the Azure device sign-in in the window.
    pub gcp_can_sign_in: bool,
    pub azure_can_sign_in: bool,
}

/// One change, as a line and its detail.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CloudChange {
    pub summary: String,
    pub detail: Vec<String>,
}

/// A dry run or a real apply or revoke on one cloud.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CloudApplyResult {
    pub cloud: ApiCloud,
    pub acting_as: String,
    pub dry_run: bool,
    /// A revoke (what is, or would be, removed), not an apply.
    pub revoke: bool,
    /// Empty: the cloud already matches the plan (a revoke: nothing of ours is there).
    pub changes: Vec<CloudChange>,
    pub notes: Vec<String>,
    /// A Google Cloud dry run: what pre-flight found in the project's organization policies that
    /// would (blocking) or may (warning) stop the vendor. A blocking one refuses the apply unless
    /// the person chose to apply anyway.
    pub preflight: Vec<crate::ipc::GuardrailFinding>,
    /// An apply that also created the vendor's key or client secret (one confirmation for both):
    /// the keyring's status of it (never the secret), or why it could not be made or kept.
    pub credentials: Option<crate::ipc::CredentialStatus>,
    pub credentials_error: Option<IpcError>,
}

fn on_path(name: &str) -> bool {
    std::env::split_paths(&trustbridge_cloud::config::var("PATH").unwrap_or_default()).any(|d| d.join(name).is_file())
}

/// The sign-in an apply on one cloud uses, chosen once — the window's own sign-in first, else this
/// computer's — so that the confirmation names exactly who the apply then acts as.
pub enum Chosen {
    Gcp(Arc<AdminCredential>),
    Azure(Arc<AzureAdmin>),
}

impl Chosen {
    /// Who it is, for the page and the confirmation. No secret.
    pub fn describe(&self) -> String {
        match self {
            Chosen::Gcp(c) => c.describe(),
            Chosen::Azure(a) => match a.as_ref() {
                AzureAdmin::SignedIn { account, .. } => {
                    format!("{} (signed in to Azure in Trustbridge)", account.as_deref().unwrap_or("your Azure account"))
                }
                AzureAdmin::ClientSecret(s) => format!("service principal {} (this computer's AZURE_* settings)", s.app_id),
                AzureAdmin::AzCli { .. } => "the Azure CLI's sign-in on this computer (az login)".into(),
            },
        }
    }
}

/// The sign-in for the plan's `cloud` section, or why there is none.
pub fn choose(r: &Resolved, cloud: ApiCloud, here: &ApiSignIns) -> Result<Chosen, IpcError> {
    match cloud {
        ApiCloud::Gcp => here.gcp_or_adc().map(Chosen::Gcp),
        ApiCloud::Azure => {
            let z = r.azure.as_ref().ok_or_else(|| IpcError::from(&trustbridge_cloud::CloudError::NoSection { cloud: "azure" }))?;
            match here.azure(&z.tenant_id) {
                Some(c) => Ok(Chosen::Azure(c)),
                None => AzureAdmin::from_env(&z.tenant_id).map(|c| Chosen::Azure(Arc::new(c))).map_err(|e| IpcError::from(&e)),
            }
        }
    }
}

/// Who the window acts as, per cloud section of the plan (`choose`'s sign-in; Azure's CLI only
/// when `az` is installed). Reads no secret into the answer.
pub fn sign_ins(r: &Resolved, here: &ApiSignIns) -> CloudSignIns {
    let who = |cloud| match choose(r, cloud, here) {
        Ok(Chosen::Azure(a)) if matches!(a.as_ref(), AzureAdmin::AzCli { .. }) && !on_path("az") => None,
        Ok(c) => Some(c.describe()),
        Err(_) => None,
    };
    CloudSignIns {
        gcp: r.gcp.as_ref().and_then(|_| who(ApiCloud::Gcp)),
        azure: r.azure.as_ref().and_then(|_| who(ApiCloud::Azure)),
        gcp_can_sign_in: r.gcp.as_ref().is_some_and(|g| g.profile.sign_in.is_some()),
        azure_can_sign_in: r.azure.as_ref().is_some_and(|z| z.profile.sign_in_client_id.is_some()),
    }
}

fn first_line(c: &impl std::fmt::Display) -> String {
    c.to_string().lines().next().unwrap_or_default().to_string()
}

/// The error, with what already exists and what is left when apply stopped part way.
fn failure<C: std::fmt::Display>(action: Action, f: &trustbridge_cloud::changes::Stopped<C>) -> IpcError {
    let (error, done, not_done) = (&f.error, &f.done, &f.not_done);
    let mut e = IpcError::from(error);
    if !done.is_empty() {
        e.message.push_str(&format!(". Done before the failure: {}", done.iter().map(first_line).collect::<Vec<_>>().join("; ")));
    }
    if !not_done.is_empty() {
        e.message.push_str(&format!(". Not done: {}", not_done.iter().map(first_line).collect::<Vec<_>>().join("; ")));
        if e.fix.is_none() {
            e.fix = Some(match action {
                Action::Apply => "Apply again: it reads what exists and only changes what differs.".into(),
                Action::Revoke => "Choose Remove access again: it reads what is still there and removes only that.".into(),
            });
        }
    }
    if !f.notes.is_empty() {
        e.message.push_str(&format!(". Also found: {}", f.notes.join("; ")));
    }
    e
}

/// What to do on one cloud: make the plan's changes, or remove what Trustbridge made for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Apply,
    Revoke,
}

fn result<C: std::fmt::Display>(
    cloud: ApiCloud,
    action: Action,
    dry_run: bool,
    acting_as: String,
    changes: &[C],
    detail: impl Fn(&C) -> Vec<String>,
    notes: Vec<String>,
) -> CloudApplyResult {
    CloudApplyResult {
        cloud,
        acting_as,
        dry_run,
        revoke: action == Action::Revoke,
        changes: changes.iter().map(|c| CloudChange { summary: first_line(c), detail: detail(c) }).collect(),
        notes,
        preflight: Vec::new(),
        credentials: None,
        credentials_error: None,
    }
}

/// A dry run (`dry_run`) or the real `action` on the plan's section of `chosen`'s cloud, as
/// `chosen`: apply, or revoke (`{gcp,azure}::apply::revoke`: only what carries Trustbridge's mark
/// for this integration). The window asks the person first (`confirm::apply_cloud` /
/// `confirm::revoke_cloud`, naming `chosen`) before a real one.
pub async fn run(
    r: &Resolved,
    chosen: &Chosen,
    action: Action,
    dry_run: bool,
    settings: &CloudSettings,
) -> Result<CloudApplyResult, IpcError> {
    match chosen {
        Chosen::Gcp(cred) => {
            let settings = &settings.gcp;
            let rep = match action {
                Action::Apply => gcp_apply::apply(r, cred, settings, dry_run).await,
                Action::Revoke => gcp_apply::revoke(r, cred, settings, dry_run).await,
            }
            .map_err(|f| failure(action, &f))?;
            let mut notes = rep.notes;
            let mut found = Vec::new();
            if action == Action::Apply && dry_run {
                match trustbridge_cloud::gcp::preflight::preflight(r, cred, settings).await {
                    Ok(p) => found = p.findings.iter().filter(|f| f.severity != GuardSeverity::Info).map(GuardrailFinding::from).collect(),
                    Err(e) => {
                        notes.push(format!("The organization policies could not be checked before apply: {}", IpcError::from(&e).message))
                    }
                }
            }
            let mut done = result(ApiCloud::Gcp, action, dry_run, rep.acting_as, &rep.changes, |c| c.detail.clone(), notes);
            done.preflight = found;
            Ok(done)
        }
        Chosen::Azure(cred) => {
            let settings = &settings.azure;
            let rep = match action {
                Action::Apply => azure_apply::apply(r, cred, settings, dry_run).await,
                Action::Revoke => azure_apply::revoke(r, cred, settings, dry_run).await,
            }
            .map_err(|f| failure(action, &f))?;
            Ok(result(ApiCloud::Azure, action, dry_run, rep.acting_as, &rep.changes, |c| c.detail.clone(), rep.notes))
        }
    }
}

/// The removal of exactly what the person confirmed (`confirmed`: the dry run's change summaries,
/// as the dialog listed them): the engine reads everything again and removes nothing when that is
/// no longer what it would remove (`gcp.revoke_changed` / `azure.revoke_changed`).
pub async fn revoke_confirmed(
    r: &Resolved,
    chosen: &Chosen,
    confirmed: &[String],
    settings: &CloudSettings,
) -> Result<CloudApplyResult, IpcError> {
    let action = Action::Revoke;
    match chosen {
        Chosen::Gcp(cred) => {
            let rep = gcp_apply::revoke_confirmed(r, cred, &settings.gcp, confirmed).await.map_err(|f| failure(action, &f))?;
            Ok(result(ApiCloud::Gcp, action, false, rep.acting_as, &rep.changes, |c| c.detail.clone(), rep.notes))
        }
        Chosen::Azure(cred) => {
            let rep = azure_apply::revoke_confirmed(r, cred, &settings.azure, confirmed).await.map_err(|f| failure(action, &f))?;
            Ok(result(ApiCloud::Azure, action, false, rep.acting_as, &rep.changes, |c| c.detail.clone(), rep.notes))
        }
    }
}

/// Before a real apply on Google Cloud: what the project's organization policies have that would
/// stop the vendor (blocking findings' messages), read with the sign-in the apply uses. A
/// pre-flight that cannot run is an error, as on the command line (`trustbridge apply`).
pub async fn gcp_blocking(r: &Resolved, chosen: &Chosen, settings: &CloudSettings) -> Result<Vec<String>, IpcError> {
    let Chosen::Gcp(cred) = chosen else { return Ok(Vec::new()) };
    let p = trustbridge_cloud::gcp::preflight::preflight(r, cred, &settings.gcp).await.map_err(|e| IpcError::from(&e))?;
    Ok(trustbridge_core::guardrail::blocking(&p.findings).map(|f| f.message.clone()).collect())
}

/// The vendor's credential the plan's `cloud` section signs in with (none for a keyless one).
fn secret_of(r: &Resolved, cloud: ApiCloud) -> Option<(trustbridge_secrets::SecretKind, &'static str)> {
    use trustbridge_secrets::SecretKind;
    match cloud {
        ApiCloud::Gcp if r.gcp.as_ref().is_some_and(|g| !g.is_keyless()) => Some((SecretKind::Gcp, "key")),
        ApiCloud::Azure if r.azure.as_ref().is_some_and(|z| !z.is_keyless()) => Some((SecretKind::Azure, "client secret")),
        _ => None,
    }
}

/// Whether a key or client secret for the plan's `cloud` section is in the keyring (unknown: no).
pub fn secret_stored(r: &Resolved, cloud: ApiCloud, store: &trustbridge_secrets::SecretStore) -> bool {
    secret_of(r, cloud).is_some_and(|(kind, _)| store.status(&r.plan.integration.name, kind).is_ok_and(|s| s.stored))
}

/// Whether the key or secret stored for the plan's `cloud` section is for what the plan names now
/// (GCP: the plan's service account; Azure: the plan's tenant), so that finding nothing of ours
/// there proves it dead — not a key for another project the answers pointed at before.
pub fn stored_is_for_plan(r: &Resolved, cloud: ApiCloud, store: &trustbridge_secrets::SecretStore) -> bool {
    let Some((kind, _)) = secret_of(r, cloud) else { return false };
    let Ok(st) = store.status(&r.plan.integration.name, kind) else { return false };
    let Some(fp) = st.fingerprint.filter(|_| st.stored) else { return false };
    match cloud {
        ApiCloud::Gcp => r.gcp.as_ref().is_some_and(|g| fp.principal == g.service_account_email()),
        ApiCloud::Azure => r.azure.as_ref().is_some_and(|z| fp.scope == z.tenant_id),
    }
}

/// After a real revoke on `cloud` went through: the vendor's key or client secret kept in the
/// keyring for this integration no longer opens anything (its service account or app registration
/// is gone), so it is deleted too — a keyless section has none. Said in `done`'s notes; a keyring
/// that cannot be reached is a note as well, not a failure: the access is removed either way.
pub fn forget_revoked(r: &Resolved, cloud: ApiCloud, store: &trustbridge_secrets::SecretStore, done: &mut CloudApplyResult) {
    let Some((kind, what)) = secret_of(r, cloud) else { return };
    let vendor = &r.profile.display_name;
    match store.delete(&r.plan.integration.name, kind) {
        Ok(true) => done
            .notes
            .push(format!("The {what} kept for {vendor} in this computer's keyring no longer opens anything and was deleted from it.")),
        Ok(false) => {}
        Err(e) => done.notes.push(format!(
            "The {what} kept for {vendor} in this computer's keyring, if any, could not be deleted ({}); it no longer opens anything.",
            IpcError::from(&e).message
        )),
    }
}

/// The vendor's credential made in the cloud as `chosen` and stored straight in the keyring (a
/// GCP key, an Azure client secret; `credentials::make_in_cloud`): its status, never the secret.
/// `Ok((false, _))`: one was already stored, nothing was made.
pub async fn create_credentials(
    r: &Resolved,
    chosen: &Chosen,
    store: &trustbridge_secrets::SecretStore,
    settings: &CloudSettings,
) -> Result<(bool, trustbridge_secrets::SecretStatus), IpcError> {
    use crate::credentials::{make_in_cloud, Made, MakeError};
    use trustbridge_secrets::SecretKind;
    let made = match chosen {
        Chosen::Gcp(cred) => {
            let settings = &settings.gcp;
            let sa = r.gcp.as_ref().map(|g| g.service_account_email()).unwrap_or_default();
            let hint = |id: &str| format!("delete key {id} of {sa} in the Google Cloud console (IAM & Admin, Service accounts, Keys)");
            make_in_cloud(store, r, SecretKind::Gcp, gcp_apply::create_key(r, cred, settings), hint).await
        }
        Chosen::Azure(cred) => {
            let settings = &settings.azure;
            let app = r.azure.as_ref().map(|z| z.service_principal_name.clone()).unwrap_or_default();
            let hint = |id: &str| {
                format!("delete secret {id} of app registration {app} in the Azure portal (App registrations, Certificates & secrets)")
            };
            make_in_cloud(store, r, SecretKind::Azure, azure_apply::create_secret(r, cred, settings), hint).await
        }
    };
    match made {
        Ok(Made::AlreadyStored(st)) => Ok((false, st)),
        Ok(Made::Created(st)) => Ok((true, st)),
        Err(MakeError::Keyring(e)) => Err(IpcError::from(&e)),
        Err(MakeError::Cloud(e)) => Err(IpcError::from(&e)),
        Err(MakeError::NotKept { error, hint }) => {
            let mut e = IpcError::from(&error);
            e.message = format!("it was created but could not be stored, so nobody has it: {hint} ({})", e.message);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustbridge_cloud::changes::Stopped;

    /// The window's error for a run that stopped part way names what was done, what was not, and
    /// the notes the run had found.
    #[test]
    fn a_stopped_run_keeps_its_notes_in_the_error() {
        let error = trustbridge_cloud::CloudError::NoSection { cloud: "gcp" };
        let f: Stopped<String> = Stopped::new(error, vec!["created service account".into()], vec!["bind topic".into()])
            .noted(vec!["roles/storage.admin on bucket old kept: Trustbridge does not grant that role there".into()]);
        let e = failure(Action::Apply, &f);
        assert!(e.message.contains("Done before the failure: created service account"), "{}", e.message);
        assert!(e.message.contains("Not done: bind topic"), "{}", e.message);
        assert!(e.message.contains("Also found: roles/storage.admin on bucket old kept"), "{}", e.message);
    }
}
