//! The connectivity test for every cloud in the plan, concurrently: AWS with the default credential
//! chain (or the settings' credentials), GCP and Azure with the credentials stored in the OS keyring.
//! One function, used by the CLI (`trustbridge verify`) and the wizard (`verify_plan`).

use std::time::Duration;

use trustbridge_cloud::aws::{self, verify::Progress, AwsSettings, ProbeEvent, ProbeResult, ProbeStatus};
use trustbridge_cloud::azure::{self, AzureSettings};
use trustbridge_cloud::gcp::{self, GcpSettings};
use trustbridge_cloud::probe::{Check, Cloud, ProbeId};
use trustbridge_cloud::vendor::VendorSettings;
use trustbridge_cloud::CloudError;
use trustbridge_core::validate::Resolved;
use trustbridge_secrets::{SecretKind, SecretStore, SecretsError};

/// Endpoints, credentials and bounds for every cloud.
#[derive(Debug, Clone)]
pub struct CloudSettings {
    pub aws: AwsSettings,
    pub gcp: GcpSettings,
    pub azure: AzureSettings,
    pub vendor: VendorSettings,
}

impl CloudSettings {
    /// Each cloud's settings from the environment (demo/support mode, endpoint overrides).
    pub fn from_env() -> CloudSettings {
        CloudSettings {
            aws: AwsSettings::from_env(),
            gcp: GcpSettings::from_env(),
            azure: AzureSettings::from_env(),
            vendor: VendorSettings::from_env(),
        }
    }

    /// The environment's warnings (once each), for the caller to show.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for w in self.gcp.warnings.iter().chain(&self.azure.warnings).chain(&self.vendor.warnings) {
            if !out.contains(w) {
                out.push(w.clone());
            }
        }
        out
    }

    /// The same per-call / per-probe bound for every cloud.
    pub fn with_timeout(mut self, timeout: Duration) -> CloudSettings {
        self.aws.timeout = timeout;
        self.gcp.timeout = timeout;
        self.azure.timeout = timeout;
        self.vendor.timeout = timeout;
        self
    }
}

/// What to tell the user when a cloud's credentials are not stored yet (the CLI and the wizard
/// store them differently).
pub type MissingFix<'a> = &'a (dyn Fn(SecretKind) -> String + Send + Sync);

/// A failing probe for a cloud whose credentials could not be read from the keyring (no network call).
fn credentials_probe(cloud: Cloud, kind: SecretKind, e: &SecretsError, missing_fix: MissingFix<'_>) -> ProbeResult {
    let fix = match e {
        SecretsError::NotFound { .. } => missing_fix(kind),
        other => other.fix().unwrap_or_default(),
    };
    ProbeResult {
        id: ProbeId::new(cloud, Check::Credentials),
        status: ProbeStatus::Fail,
        duration_ms: 0,
        message: e.to_string(),
        fix: Some(fix),
        code: Some(e.error_code().into()),
    }
}

/// Whether the plan's section for `kind` signs in with a stored secret: the section exists and is not
/// keyless (GCP Workload Identity Federation, Azure admin consent). Ok(false): no section;
/// Err: keyless (the reason, for "nothing to store").
pub fn takes_secret(r: &Resolved, kind: SecretKind) -> Result<bool, &'static str> {
    match kind {
        SecretKind::Gcp => match &r.gcp {
            Some(g) if g.is_keyless() => Err("the plan's Google Cloud access is keyless (gcp.workload_identity): there is no key to store"),
            g => Ok(g.is_some()),
        },
        SecretKind::Azure => match &r.azure {
            Some(z) if z.is_keyless() => {
                Err("the plan's Azure access is keyless (azure.vendor_app_id, admin consent): there is no secret to store")
            }
            z => Ok(z.is_some()),
        },
        SecretKind::VendorApiKey => Ok(r.profile.registration.is_some()),
    }
}

/// Every cloud secret (GCP key, Azure client secret) the plan signs in with, in [`SecretKind::ALL`]'s
/// order: the Credentials page asks for them, the status and sealing commands go through them.
pub fn secrets_taken(r: &Resolved) -> Vec<SecretKind> {
    SecretKind::ALL.into_iter().filter(|k| takes_secret(r, *k) == Ok(true)).collect()
}

/// A keyless cloud has no customer-held credential to sign in with: one skipped probe that says so
/// (the vendor runs its own connection test), instead of a "credentials not stored" failure.
fn keyless_probe(cloud: Cloud, message: &str, progress: Progress<'_>) -> ProbeResult {
    let id = ProbeId::new(cloud, Check::Keyless);
    let p = ProbeResult { id: id.clone(), status: ProbeStatus::Skip, duration_ms: 0, message: message.into(), fix: None, code: None };
    progress(ProbeEvent::Started { id });
    progress(ProbeEvent::Finished(p.clone()));
    p
}

/// Runs every cloud's probes concurrently; each is reported live through `progress` as it starts
/// and finishes. Results: AWS, then GCP, then Azure, each in its own stable order.
pub async fn verify_all(
    r: &Resolved,
    settings: &CloudSettings,
    store: &SecretStore,
    missing_fix: MissingFix<'_>,
    progress: Progress<'_>,
) -> Result<Vec<ProbeResult>, CloudError> {
    let name = &r.plan.integration.name;
    let stored_failure = |cloud: Cloud, kind: SecretKind, e: &SecretsError| {
        let p = credentials_probe(cloud, kind, e, missing_fix);
        progress(ProbeEvent::Finished(p.clone()));
        Ok(vec![p])
    };
    let aws_part = async {
        match &r.aws {
            Some(_) => aws::verify(r, &settings.aws, progress).await,
            None => Ok(Vec::new()),
        }
    };
    let gcp_part = async {
        match &r.gcp {
            Some(g) if g.is_keyless() => Ok(vec![keyless_probe(
                Cloud::Gcp,
                "keyless (Workload Identity Federation): there is no key on this computer to test with; the vendor's sessions of the role named in the plan impersonate the service account",
                progress,
            )]),
            Some(_) => match store.gcp_key(name) {
                Ok(key) => gcp::verify(r, &key, &settings.gcp, progress).await,
                Err(e) => stored_failure(Cloud::Gcp, SecretKind::Gcp, &e),
            },
            None => Ok(Vec::new()),
        }
    };
    let azure_part = async {
        match &r.azure {
            Some(z) if z.is_keyless() => Ok(vec![keyless_probe(
                Cloud::Azure,
                "keyless (admin consent to the vendor's app): there is no secret on this computer to test with; once an admin has consented, the vendor's app holds the role assignments",
                progress,
            )]),
            Some(_) => match store.azure_secret(name) {
                Ok(secret) => azure::verify(r, &secret, &settings.azure, progress).await,
                Err(e) => stored_failure(Cloud::Azure, SecretKind::Azure, &e),
            },
            None => Ok(Vec::new()),
        }
    };
    let vendor_part = crate::register::probes(r, store, &settings.vendor, progress);
    let (a, g, z, v) = tokio::join!(aws_part, gcp_part, azure_part, vendor_part);
    let mut all = a?;
    all.extend(g?);
    all.extend(z?);
    all.extend(v);
    Ok(all)
}
