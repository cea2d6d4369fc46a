//! How AWS is reached: the customer's credentials (a profile, explicit keys, the window's sign-in),
//! the vendor's for the vendor-side probes (demo and support mode), the organization's management
//! account for pre-flight, endpoints, bounds and retries. Credentials follow the SDK's own
//! conventions; nothing here calls AWS.

use std::time::Duration;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sts::config::Credentials;

use crate::retry::RetryPolicy;

/// How the vendor side of the connectivity test signs in (demo and support mode only).
#[derive(Debug, Clone)]
pub enum VendorCredentials {
    /// A named profile from the shared AWS config files.
    Profile(String),
    /// Explicit keys. `Credentials`' Debug output redacts the secret.
    Static(Credentials),
}

/// Everything apply/verify/revoke need besides the plan. `Debug` never shows a secret.
#[derive(Debug, Clone)]
pub struct AwsSettings {
    /// A profile name; `None` uses the default chain (`AWS_PROFILE`, env credentials, SSO, …).
    pub profile: Option<String>,
    /// An endpoint override; `None` leaves it to the SDK (`AWS_ENDPOINT_URL`).
    pub endpoint_url: Option<String>,
    /// Explicit customer credentials (the wizard, tests); `None` uses the default chain.
    pub credentials: Option<Credentials>,
    /// Vendor credentials: when set, verify also runs the vendor-side probes.
    pub vendor: Option<VendorCredentials>,
    /// Bound on each call (apply, revoke) and each probe (verify).
    pub timeout: Duration,
    /// Attempts the SDK itself makes per call (its standard retry: throttling and transient errors).
    pub sdk_max_attempts: u32,
    /// Our retry of throttling, around each call (after the SDK's own attempts).
    pub retry: RetryPolicy,
    /// How long to wait for a new role to become assumable (IAM propagation).
    pub propagation: RetryPolicy,
    /// Apply only: take over an existing role trustbridge did not create (or another
    /// integration's), after listing what it already grants. Never set by default.
    pub adopt: bool,
    /// Pre-flight: a profile of the organization's management (or delegated administrator)
    /// account, to read the service control policies a member account cannot read itself.
    pub org_profile: Option<String>,
    /// The same, as explicit credentials (tests, the wizard); the profile wins when both are set.
    pub org_credentials: Option<Credentials>,
    /// The same, as a credentials provider (an organization-wide plan: the management account's own
    /// credential chain, while each member account is worked on through its member role); used
    /// when neither of the two above is set.
    pub org_provider: Option<SharedCredentialsProvider>,
    /// The shared config and credentials files to read instead of the SDK's defaults (tests);
    /// `None` each: `~/.aws/…` or what `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` name.
    pub config_file: Option<std::path::PathBuf>,
    pub credentials_file: Option<std::path::PathBuf>,
    /// Customer credentials that refresh themselves (the window's AWS access portal sign-in:
    /// role credentials fetched again near expiry); used when neither a profile nor `credentials`
    /// is set.
    pub provider: Option<SharedCredentialsProvider>,
    /// The AWS access portal's endpoints (SSO OIDC and the portal API) instead of AWS's (tests).
    pub sso_endpoint_url: Option<String>,
    /// Pre-flight of many accounts of one organization: what was read of the organization, shared
    /// so that each OU's and the root's policies are read once (`None`: each pre-flight reads its own).
    pub org_reads: Option<std::sync::Arc<super::preflight::OrgReads>>,
}

impl Default for AwsSettings {
    fn default() -> Self {
        AwsSettings {
            profile: None,
            endpoint_url: None,
            credentials: None,
            vendor: None,
            timeout: Duration::from_secs(5),
            sdk_max_attempts: 3,
            retry: RetryPolicy::calls(),
            propagation: RetryPolicy::propagation(),
            adopt: false,
            org_profile: None,
            org_credentials: None,
            org_provider: None,
            config_file: None,
            credentials_file: None,
            provider: None,
            sso_endpoint_url: None,
            org_reads: None,
        }
    }
}

impl AwsSettings {
    /// Defaults plus vendor credentials from the environment, for demo/support mode:
    /// `TRUSTBRIDGE_VENDOR_PROFILE`, or `TRUSTBRIDGE_VENDOR_ACCESS_KEY_ID` +
    /// `TRUSTBRIDGE_VENDOR_SECRET_ACCESS_KEY` (+ `TRUSTBRIDGE_VENDOR_SESSION_TOKEN`); the access
    /// portal's endpoint `TRUSTBRIDGE_AWS_SSO_ENDPOINT_URL` (one that breaks the credential-URL rule
    /// is ignored).
    pub fn from_env() -> AwsSettings {
        let var = crate::config::var;
        let vendor =
            match (var("TRUSTBRIDGE_VENDOR_PROFILE"), var("TRUSTBRIDGE_VENDOR_ACCESS_KEY_ID"), var("TRUSTBRIDGE_VENDOR_SECRET_ACCESS_KEY"))
            {
                (Some(p), _, _) => Some(VendorCredentials::Profile(p)),
                (None, Some(id), Some(secret)) => Some(VendorCredentials::Static(Credentials::new(
                    id,
                    secret,
                    var("TRUSTBRIDGE_VENDOR_SESSION_TOKEN"),
                    None,
                    "trustbridge-vendor-env",
                ))),
                _ => None,
            };
        // The access portal endpoint may carry a sign-in token: only where a credential may go.
        let sso_endpoint_url = var("TRUSTBRIDGE_AWS_SSO_ENDPOINT_URL").filter(|u| trustbridge_secrets::check_credential_url(u).is_ok());
        AwsSettings { vendor, org_profile: var("TRUSTBRIDGE_AWS_ORG_PROFILE"), sso_endpoint_url, ..AwsSettings::default() }
    }

    /// The shared config files these settings read.
    pub fn profile_files(&self) -> aws_runtime::env_config::file::EnvConfigFiles {
        super::profiles::profile_files(self.config_file.as_ref(), self.credentials_file.as_ref())
    }

    /// The profile name to mention in messages (`aws sso login --profile …`).
    pub(crate) fn profile_label(&self) -> String {
        self.profile.clone().or_else(|| crate::config::var("AWS_PROFILE")).unwrap_or_else(|| "default".into())
    }
}
