//! Registration with the vendor's API, Tauri-free (the CLI's `register`, `apply`, `revoke` and
//! `verify` call it; the wizard can too): the role ARN (the vendor issues the external id and its
//! trust policy is checked before anything uses it), the GCP key and the Azure service principal
//! straight from the OS keyring. What the vendor answers is recorded in the plan (credentials ids,
//! the vendor-issued external id), never a secret.
//!
//! Idempotent: recorded credentials that still exist are kept; credentials of the same name and
//! identity found in the project are adopted (or, with `replace`, deleted and made anew); a name used
//! by something else is refused.

use trustbridge_cloud::aws::{verify::Progress, ProbeEvent, ProbeResult, ProbeStatus};
use trustbridge_cloud::probe::{Check, ProbeCode, ProbeId};
use trustbridge_cloud::vendor::{self, mlcube, VendorSettings};
use trustbridge_cloud::{CloudError, VendorErrorKind};
use trustbridge_core::plan::Plan;
use trustbridge_core::profile::{Profile, Registration, Upload};
use trustbridge_core::validate::Resolved;
use trustbridge_core::vendor_trust::external_id_from_vendor_trust;
use trustbridge_secrets::{GcpServiceAccountKey, SecretKind, SecretStatus, SecretStore, SecretsError};

/// The clouds a registration covers: the cloud crate's one `Cloud`.
pub use trustbridge_cloud::probe::Cloud;

/// What happened for one cloud.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub cloud: Cloud,
    /// `registered`, `kept`, `adopted`, `replaced`, `would_register`, `deleted`, `already_gone`, `kept_at_vendor`.
    pub action: &'static str,
    /// The name the credentials have at the vendor.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials_id: Option<String>,
    pub message: String,
}

/// A registration that stopped part way: the error, and the plan with what was recorded before it.
#[derive(Debug)]
pub struct Failure {
    pub error: CloudError,
    pub done: Vec<Step>,
    pub plan: Plan,
}

/// The clouds of `r` that register with the vendor's API: AWS when the profile has one; GCP and
/// Azure when it takes that credential and the plan is not keyless.
pub fn registering(r: &Resolved) -> Vec<Cloud> {
    let Some(reg) = vendor::registration(r) else { return Vec::new() };
    let mut v = Vec::new();
    if r.aws.is_some() {
        v.push(Cloud::Aws);
    }
    if r.gcp.as_ref().is_some_and(|g| !g.is_keyless()) && reg.uploads(Upload::GcpKey) {
        v.push(Cloud::Gcp);
    }
    if r.azure.as_ref().is_some_and(|z| !z.is_keyless()) && reg.uploads(Upload::AzureClientSecret) {
        v.push(Cloud::Azure);
    }
    v
}

/// The credentials' name at the vendor: `integration.name` when one cloud registers, else
/// `{name}_AWS` / `_GCP` / `_AZURE` (names are unique per vendor project).
pub fn name_for(r: &Resolved, cloud: Cloud) -> String {
    let name = &r.plan.integration.name;
    if registering(r).len() <= 1 {
        name.clone()
    } else {
        format!("{name}_{}", cloud.as_str().to_ascii_uppercase())
    }
}

fn recorded(r: &Resolved, cloud: Cloud) -> Option<&String> {
    match cloud {
        Cloud::Aws => r.aws.as_ref()?.vendor_credentials_id.as_ref(),
        Cloud::Gcp => r.gcp.as_ref()?.vendor_credentials_id.as_ref(),
        Cloud::Azure => r.azure.as_ref()?.vendor_credentials_id.as_ref(),
    }
}

/// Whether the plan records credentials registered at the vendor.
pub fn has_recorded(r: &Resolved) -> bool {
    [Cloud::Aws, Cloud::Gcp, Cloud::Azure].into_iter().any(|c| recorded(r, c).is_some())
}

/// Records (or clears) a cloud's credentials id, and for AWS the external id, in `plan`.
fn record(plan: &mut Plan, cloud: Cloud, id: Option<String>, external_id: Option<Option<String>>) {
    match cloud {
        Cloud::Aws => {
            if let Some(a) = plan.aws.as_mut() {
                a.vendor_credentials_id = id;
                if let Some(x) = external_id {
                    a.external_id = x;
                }
            }
        }
        Cloud::Gcp => {
            if let Some(g) = plan.gcp.as_mut() {
                g.vendor_credentials_id = id;
            }
        }
        Cloud::Azure => {
            if let Some(z) = plan.azure.as_mut() {
                z.vendor_credentials_id = id;
            }
        }
    }
}

/// Whether credentials at the vendor are the ones this plan registers for `cloud`. Azure: the
/// service principal's appId, when it is known (from the keyring); without it, the kind only.
fn same_identity(r: &Resolved, cloud: Cloud, c: &mlcube::Credentials, azure_app: Option<&str>) -> bool {
    match cloud {
        Cloud::Aws => c.kind == "aws" && r.aws.as_ref().is_some_and(|a| c.role_arn.as_deref() == Some(a.role_arn().as_str())),
        Cloud::Gcp => {
            c.kind == "gcp"
                && r.gcp
                    .as_ref()
                    .is_some_and(|g| c.client_email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&g.service_account_email())))
        }
        Cloud::Azure => c.kind == "azure" && azure_app.is_none_or(|a| c.app_id.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(a))),
    }
}

/// What "Connect to {vendor}" knows before the plan is complete: the profile, the integration's
/// name (where its key is stored) and the plan's `integration.api_url`, if the person gave one.
pub struct VendorPage<'a> {
    pub profile: &'a Profile,
    pub integration: &'a str,
    pub api_url: Option<&'a str>,
}

impl VendorPage<'_> {
    /// The address the page names (blank: none).
    fn address(&self) -> Option<&str> {
        self.api_url.map(str::trim).filter(|u| !u.is_empty())
    }
}

/// Whether a key is stored for the page's integration that may go to the page's address (its
/// digest only, never the key): one kept for another address is, for this page, not stored — the
/// page asks for the key, and Rust would not send that one there ([`stored_key_may_go_to`]). The
/// address kept with the key is its fingerprint's scope.
pub fn stored_key_status(page: &VendorPage<'_>, store: &SecretStore, settings: &VendorSettings) -> Result<SecretStatus, SecretsError> {
    let s = store.status(page.integration, SecretKind::VendorApiKey)?;
    let vendor = page.profile.display_name.as_str();
    let given_for = s.fingerprint.as_ref().map(|f| f.scope.as_str()).filter(|a| !a.is_empty());
    let usable = page.profile.registration.as_ref().is_some_and(|reg| {
        vendor::base_url_of(vendor, reg, page.address(), settings).is_ok_and(|to| stored_key_may_go_to(vendor, given_for, reg, &to).is_ok())
    });
    Ok(if s.stored && !usable { SecretStatus { stored: false, fingerprint: None, ..s } } else { s })
}

/// The vendor's projects the API key may see, for the pick list on "Connect to {vendor}": with the
/// key typed on the page (checked, not stored: Continue stores it) or else the one stored for the
/// integration. Every value is checked before it is used: the integration name and the URL by the
/// plan's rules, the key by the keyring's; an answer by [`mlcube::Client::projects`].
pub async fn projects(
    page: &VendorPage<'_>,
    typed: Option<&trustbridge_secrets::VendorApiKey>,
    store: &SecretStore,
    settings: &VendorSettings,
) -> Result<Vec<mlcube::Project>, CloudError> {
    use trustbridge_core::validate::{rules, show_value};
    let vendor = page.profile.display_name.as_str();
    let refuse = |kind: VendorErrorKind, message: String| CloudError::Vendor { vendor: vendor.to_string(), kind, message };
    let reg = page
        .profile
        .registration
        .as_ref()
        .ok_or_else(|| refuse(VendorErrorKind::NotConfigured, "this vendor profile has no registration API".into()))?;
    if let Err(rule) = rules::integration_name(page.integration) {
        return Err(refuse(VendorErrorKind::InvalidRequest, format!("integration.name: {rule} (got '{}')", show_value(page.integration))));
    }
    let api_url = page.address();
    if let Some(u) = api_url {
        rules::api_base_url(u)
            .map_err(|rule| refuse(VendorErrorKind::NotConfigured, format!("integration.api_url: {rule} (got '{}')", show_value(u))))?;
    }
    let stored;
    let key = match typed {
        // Typed on the page: the person's to send where the page says.
        Some(k) => k,
        None => {
            stored = store.vendor_api_key(page.integration).map_err(|e| match e {
                SecretsError::NotFound { .. } => refuse(VendorErrorKind::NoApiKey, "no API key is stored for this integration".into()),
                other => refuse(VendorErrorKind::NoApiKey, other.to_string()),
            })?;
            stored_key_may_go_to(vendor, stored.address(), reg, &vendor::base_url_of(vendor, reg, api_url, settings)?)?;
            &stored
        }
    };
    vendor::client_of(vendor, reg, api_url, key, settings)?.projects().await
}

/// A client for the plan's vendor API with the key stored for the integration, which goes only to
/// the address it was given for ([`stored_key_may_go_to`]).
fn stored_client(r: &Resolved, store: &SecretStore, settings: &VendorSettings) -> Result<mlcube::Client, CloudError> {
    let key = store.vendor_api_key(&r.plan.integration.name).map_err(|e| match e {
        SecretsError::NotFound { .. } => vendor_error(r, VendorErrorKind::NoApiKey, "no API key is stored for this integration"),
        other => vendor_error(r, VendorErrorKind::NoApiKey, other.to_string()),
    })?;
    let to = vendor::base_url(r, settings)?;
    let reg = vendor::registration(r)
        .ok_or_else(|| vendor_error(r, VendorErrorKind::NotConfigured, "this vendor profile has no registration API"))?;
    stored_key_may_go_to(&r.profile.display_name, key.address(), reg, &to)?;
    vendor::client(r, &key, settings)
}

/// A stored API key is sent only to the address it was given for — one stored without an address
/// (before Trustbridge kept it) only to the vendor profile's built-in one. The page and the plan
/// name the address, and both are untrusted: without this, a plan naming another https address
/// would carry the stored key there.
/// `given_for`: the address kept with the key ([`trustbridge_secrets::VendorApiKey::address`]).
pub fn stored_key_may_go_to(vendor: &str, given_for: Option<&str>, reg: &Registration, to: &str) -> Result<(), CloudError> {
    let same = |a: &str| a.trim_end_matches('/') == to.trim_end_matches('/');
    let given_for = given_for.map(str::to_string).or_else(|| reg.base_url.clone());
    match given_for {
        Some(a) if same(&a) => Ok(()),
        given => Err(CloudError::Vendor {
            vendor: vendor.to_string(),
            kind: VendorErrorKind::NoApiKey,
            message: format!(
                "the stored API key was given for {}, not for {to}: it is not sent there (enter the key again for this address)",
                given.map_or_else(|| "another address".to_string(), |a| trustbridge_core::validate::show_value(&a))
            ),
        }),
    }
}

fn vendor_error(r: &Resolved, kind: VendorErrorKind, message: impl Into<String>) -> CloudError {
    CloudError::Vendor { vendor: r.profile.display_name.clone(), kind, message: message.into() }
}

fn secret_error(r: &Resolved, e: SecretsError) -> CloudError {
    vendor_error(
        r,
        VendorErrorKind::InvalidRequest,
        format!("{e} [{}]{}", e.code(), e.fix().map(|f| format!("; fix: {f}")).unwrap_or_default()),
    )
}

/// Registers `clouds` of `r` (every registering cloud when empty). With `dry_run`, only reads.
pub async fn register(
    r: &Resolved,
    store: &SecretStore,
    settings: &VendorSettings,
    clouds: &[Cloud],
    dry_run: bool,
    replace: bool,
) -> Result<(Plan, Vec<Step>), Box<Failure>> {
    let mut plan = r.plan.clone();
    let mut done = Vec::new();
    let targets: Vec<Cloud> = registering(r).into_iter().filter(|c| clouds.is_empty() || clouds.contains(c)).collect();
    if targets.is_empty() {
        return Ok((plan, done));
    }
    let fail = |error: CloudError, done: Vec<Step>, plan: Plan| Box::new(Failure { error, done, plan });
    let client = match stored_client(r, store, settings) {
        Ok(c) => c,
        Err(e) => return Err(fail(e, done, plan)),
    };
    for cloud in targets {
        match register_one(r, store, &client, cloud, dry_run, replace, &mut plan).await {
            Ok(step) => done.push(step),
            Err(e) => return Err(fail(e, done, plan)),
        }
    }
    Ok((plan, done))
}

async fn register_one(
    r: &Resolved,
    store: &SecretStore,
    client: &mlcube::Client,
    cloud: Cloud,
    dry_run: bool,
    replace: bool,
    plan: &mut Plan,
) -> Result<Step, CloudError> {
    let vendor = &r.profile.display_name;
    let name = name_for(r, cloud);
    let project = &r.plan.integration.project_id;
    let default = r.plan.integration.default;
    let step =
        |action: &'static str, id: Option<String>, message: String| Step { cloud, action, name: name.clone(), credentials_id: id, message };
    // Azure credentials are recognised by the appId of the service principal in the keyring.
    let azure_app = match cloud {
        Cloud::Azure => Some(store.azure_secret(&r.plan.integration.name).map_err(|e| secret_error(r, e))?.app_id),
        _ => None,
    };
    let same = |c: &mlcube::Credentials| same_identity(r, cloud, c, azure_app.as_deref());

    // 1. Recorded credentials that still exist are kept.
    if let Some(id) = recorded(r, cloud) {
        match client.get(id).await? {
            Some(c) if same(&c) && cloud == Cloud::Aws && r.aws.as_ref().is_some_and(|a| a.external_id.is_none()) => {
                // Registered, but the external id it issued is not in the plan: the trust cannot be written.
                if !replace {
                    return Err(vendor_error(
                        r,
                        VendorErrorKind::Orphaned,
                        format!("'{}' ({id}) exists at {vendor}, but the external id it issued is not in the plan", c.name),
                    ));
                }
                if !dry_run {
                    client.delete(id).await?;
                }
                record(plan, cloud, None, None);
            }
            Some(c) if same(&c) => {
                if default && !c.default && !dry_run {
                    client.set_default(id).await?;
                }
                return Ok(step("kept", Some(id.clone()), format!("already registered at {vendor} as '{}'", c.name)));
            }
            Some(c) => {
                return Err(vendor_error(
                    r,
                    VendorErrorKind::Mismatch,
                    format!("the recorded credentials {id} at {vendor} are '{}' ({}), not this plan's {}", c.name, c.kind, cloud.as_str()),
                ))
            }
            None => record(plan, cloud, None, (cloud == Cloud::Aws && r.profile.vendor_issues_external_id()).then_some(None)),
        }
    }

    // 2. Credentials of the same name in the project.
    let mut replaced = false;
    if let Some(c) = client.list(project).await?.into_iter().find(|c| c.name == name) {
        if !same(&c) {
            return Err(vendor_error(
                r,
                VendorErrorKind::NameTaken,
                format!("the name '{name}' is already used in project {project} by other credentials ({})", c.kind),
            ));
        }
        // The AWS answer carried the external id only when it was made; without it the role's
        // trust cannot be written, so those credentials are replaced (when allowed), not adopted.
        let adoptable = cloud != Cloud::Aws || !r.profile.vendor_issues_external_id();
        match (adoptable, replace) {
            (true, false) => {
                if !dry_run {
                    record(plan, cloud, Some(c.credentials_id.clone()), None);
                }
                return Ok(step("adopted", Some(c.credentials_id.clone()), format!("found at {vendor} as '{name}'; recorded in the plan")));
            }
            (false, false) => {
                return Err(vendor_error(
                    r,
                    VendorErrorKind::Orphaned,
                    format!("'{name}' ({}) exists at {vendor}, but the external id it issued then is not in the plan", c.credentials_id),
                ))
            }
            (_, true) => {
                if !dry_run {
                    client.delete(&c.credentials_id).await?;
                }
                replaced = true;
            }
        }
    }

    // 3. Register.
    if dry_run {
        let what = match cloud {
            Cloud::Aws => "register the role (the external id comes back from the vendor)".to_string(),
            Cloud::Gcp => "send the service-account key from the OS keyring".to_string(),
            Cloud::Azure => "send the service principal's JSON from the OS keyring".to_string(),
        };
        let again = if replaced { " (replacing the credentials of that name)" } else { "" };
        return Ok(step("would_register", None, format!("would {what} at {vendor} as '{name}'{again}")));
    }
    let action = if replaced { "replaced" } else { "registered" };
    match cloud {
        Cloud::Aws => {
            let Some(a) = r.aws.as_ref() else { return Err(CloudError::NoSection { cloud: "aws" }) };
            let arn = a.role_arn();
            let got = client.create_aws(&name, default, project, &arn).await?;
            let id = got.credentials.credentials_id.clone();
            let checked = if !same(&got.credentials) {
                Err(vendor_error(r, VendorErrorKind::Mismatch, format!("the answer names role {:?}, not {arn}", got.credentials.role_arn)))
            } else {
                external_id_from_vendor_trust(&got.trust_policy, a)
                    .map_err(|refused| vendor_error(r, VendorErrorKind::TrustRefused, format!("its trust policy was refused: {refused}")))
            };
            match checked {
                Ok(external_id) => {
                    record(plan, cloud, Some(id.clone()), Some(Some(external_id)));
                    Ok(step(action, Some(id), format!("registered role {arn} at {vendor} as '{name}'; {vendor} issued the external id")))
                }
                Err(e) => {
                    // Nothing is left behind for a registration that is refused.
                    let _ = client.delete(&id).await;
                    Err(e)
                }
            }
        }
        Cloud::Gcp => {
            let Some(g) = r.gcp.as_ref() else { return Err(CloudError::NoSection { cloud: "gcp" }) };
            let stored = store.get(&r.plan.integration.name, SecretKind::Gcp).map_err(|e| secret_error(r, e))?;
            let parsed = GcpServiceAccountKey::parse(&stored).map_err(|e| secret_error(r, e))?;
            parsed.check_plan(&g.project_id, Some(&g.service_account_email())).map_err(|e| secret_error(r, e))?;
            let got = client.create_gcp(&name, default, project, &stored).await?;
            drop(stored);
            if !same(&got) || got.gcp_project_id.as_deref() != Some(g.project_id.as_str()) {
                let _ = client.delete(&got.credentials_id).await;
                return Err(vendor_error(
                    r,
                    VendorErrorKind::Mismatch,
                    "the answer names another service account or project than the plan",
                ));
            }
            record(plan, cloud, Some(got.credentials_id.clone()), None);
            Ok(step(action, Some(got.credentials_id), format!("sent the key of {} to {vendor} as '{name}'", g.service_account_email())))
        }
        Cloud::Azure => {
            let Some(z) = r.azure.as_ref() else { return Err(CloudError::NoSection { cloud: "azure" }) };
            let secret = store.azure_secret(&r.plan.integration.name).map_err(|e| secret_error(r, e))?;
            secret.check_plan(&z.tenant_id).map_err(|e| secret_error(r, e))?;
            let raw = store.get(&r.plan.integration.name, SecretKind::Azure).map_err(|e| secret_error(r, e))?;
            let got = client.create_azure(&name, default, project, &raw, &z.service_principal_name).await?;
            drop(raw);
            let app_ok = got.app_id.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(&secret.app_id));
            let tenant_ok = got.tenant.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(&z.tenant_id));
            if !(same(&got) && app_ok && tenant_ok) {
                let _ = client.delete(&got.credentials_id).await;
                return Err(vendor_error(
                    r,
                    VendorErrorKind::Mismatch,
                    "the answer names another app or tenant than the stored service principal",
                ));
            }
            record(plan, cloud, Some(got.credentials_id.clone()), None);
            Ok(step(action, Some(got.credentials_id), format!("sent service principal {} to {vendor} as '{name}'", secret.app_id)))
        }
    }
}

/// Deletes the plan's registrations at the vendor (revoke); the plan comes back with the ids (and
/// a vendor-issued external id) cleared. With `keep`, reports what is kept and changes nothing.
pub async fn unregister(
    r: &Resolved,
    store: &SecretStore,
    settings: &VendorSettings,
    keep: bool,
) -> Result<(Plan, Vec<Step>), Box<Failure>> {
    let mut plan = r.plan.clone();
    let mut done = Vec::new();
    let ids: Vec<(Cloud, String)> =
        [Cloud::Aws, Cloud::Gcp, Cloud::Azure].into_iter().filter_map(|c| recorded(r, c).map(|id| (c, id.clone()))).collect();
    if ids.is_empty() {
        return Ok((plan, done));
    }
    let vendor = &r.profile.display_name;
    if keep {
        for (cloud, id) in ids {
            done.push(Step {
                cloud,
                action: "kept_at_vendor",
                name: name_for(r, cloud),
                credentials_id: Some(id),
                message: format!("kept at {vendor} (--keep-registration)"),
            });
        }
        return Ok((plan, done));
    }
    let fail = |error: CloudError, done: Vec<Step>, plan: Plan| Box::new(Failure { error, done, plan });
    let client = match stored_client(r, store, settings) {
        Ok(c) => c,
        Err(e) => return Err(fail(e, done, plan)),
    };
    for (cloud, id) in ids {
        match client.delete(&id).await {
            Ok(existed) => {
                record(&mut plan, cloud, None, (cloud == Cloud::Aws && r.profile.vendor_issues_external_id()).then_some(None));
                let (action, message) = if existed {
                    ("deleted", format!("deleted at {vendor}"))
                } else {
                    ("already_gone", format!("{vendor} no longer had it"))
                };
                done.push(Step { cloud, action, name: name_for(r, cloud), credentials_id: Some(id), message });
            }
            Err(e) => return Err(fail(e, done, plan)),
        }
    }
    Ok((plan, done))
}

/// The connectivity test's view of the registration: one probe per registering cloud,
/// `{cloud}:vendor_registration`.
pub async fn probes(r: &Resolved, store: &SecretStore, settings: &VendorSettings, progress: Progress<'_>) -> Vec<ProbeResult> {
    let clouds = registering(r);
    if clouds.is_empty() {
        return Vec::new();
    }
    let vendor = &r.profile.display_name;
    let finish = |cloud: Cloud, status: ProbeStatus, message: String, fix: Option<String>, code: Option<ProbeCode>, ms: u64| {
        let p = ProbeResult { id: ProbeId::new(cloud, Check::VendorRegistration), status, duration_ms: ms, message, fix, code };
        progress(ProbeEvent::Started { id: p.id.clone() });
        progress(ProbeEvent::Finished(p.clone()));
        p
    };
    let mut out = Vec::new();
    let azure_app = store.azure_secret(&r.plan.integration.name).ok().map(|s| s.app_id.clone());
    let client = if clouds.iter().any(|c| recorded(r, *c).is_some()) { Some(stored_client(r, store, settings)) } else { None };
    for cloud in clouds {
        let start = std::time::Instant::now();
        let ms = || start.elapsed().as_millis() as u64;
        let Some(id) = recorded(r, cloud) else {
            out.push(finish(
                cloud,
                ProbeStatus::Skip,
                format!("not registered with {vendor} yet: {vendor} cannot use this {} access until it is", cloud.as_str()),
                None,
                None,
                0,
            ));
            continue;
        };
        let result = match &client {
            Some(Ok(c)) => c.get(id).await,
            Some(Err(e)) => Err(e.clone()),
            None => Err(vendor_error(r, VendorErrorKind::NotConfigured, "no client")),
        };
        out.push(match result {
            Ok(Some(c)) if same_identity(r, cloud, &c, azure_app.as_deref()) => finish(
                cloud,
                ProbeStatus::Pass,
                format!("registered at {vendor} as '{}' ({})", c.name, if c.default { "the default" } else { "not the default" }),
                None,
                None,
                ms(),
            ),
            Ok(Some(c)) => finish(
                cloud,
                ProbeStatus::Fail,
                format!("the recorded credentials {id} at {vendor} are '{}' ({}), not this plan's", c.name, c.kind),
                Some("run `trustbridge register --plan …` to register again".into()),
                Some(VendorErrorKind::Mismatch.code().into()),
                ms(),
            ),
            Ok(None) => finish(
                cloud,
                ProbeStatus::Fail,
                format!("{vendor} has no credentials {id} any more"),
                Some("run `trustbridge register --plan …` to register again".into()),
                Some(VendorErrorKind::NotRegistered.code().into()),
                ms(),
            ),
            Err(e) => finish(cloud, ProbeStatus::Fail, e.to_string(), e.fix(), Some(e.error_code().into()), ms()),
        });
    }
    out
}
