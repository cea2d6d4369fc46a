//! `#[tauri::command]` adapters for the cloud work: AWS account detection and apply, the
//! connectivity test for every cloud (live through a channel), and the keyring credentials.
//! Thin: the work is in `trustbridge-cloud`, `trustbridge-secrets`, `verify_all` and, for what
//! changes a cloud after the person's yes, `confirmed` (whose `Ask` is the native dialog here).
//!
//! A pasted secret arrives as `Sensitive<String>` (zeroized on drop, `<redacted>` in Debug), is
//! validated against the plan, stored in the OS keyring and dropped. It is never returned, logged
//! or put in an error message; only its fingerprint comes back.

use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use trustbridge_cloud::aws::{self, AwsSettings, ProbeEvent};
use trustbridge_cloud::probe::Verdict;
use trustbridge_cloud::CloudError;
use trustbridge_core::validate::Resolved;
use trustbridge_secrets::{SecretKind, SecretStore, SecretsError, Sensitive};

use crate::aws_signin::{AwsSignIn, SignInError, SsoDevice};
use crate::cloud_apply::{self, ApiCloud, CloudApplyResult, CloudSignIns};
use crate::cloud_signin::{ApiSignIns, AzureDevice, AzureListRequest, AzureListing, GcpList, GcpListing};
use crate::commands::resolve;
use crate::commands_confirm::ask;
use crate::confirm::{self, Approvals, Confirmation};
use crate::confirmed::{self, Ask};
use crate::errors::{AppCode, ErrorCode};
use crate::imported::ProfileStore;
use crate::ipc::{
    ApplyResult, AwsAccount, AwsBucketFacts, AwsCaller, AwsRevokeResult, AwsSignedIn, CredentialStatus, IpcError, Probe, ProbeUpdate,
    RegisterResult, RegisterStep, VendorProject, VerifyReport,
};
use crate::verify_all::{verify_all, CloudSettings};
use trustbridge_cloud::aws::profiles::AwsProfile;
use trustbridge_cloud::aws::sso::SsoAccount;

/// Where the cloud commands get their settings and the keyring from (tests swap in moto and an
/// in-memory store).
pub struct CloudState {
    pub settings: CloudSettings,
    pub secrets: SecretStore,
    /// The AWS sign-in made in this run of the window (memory only; `aws_signin`).
    pub aws_sign_in: AwsSignIn,
    /// The Google Cloud and Azure sign-ins made in this run of the window (memory only).
    pub api_sign_ins: ApiSignIns,
}

impl CloudState {
    pub fn new(settings: CloudSettings, secrets: SecretStore) -> CloudState {
        CloudState { settings, secrets, aws_sign_in: AwsSignIn::default(), api_sign_ins: ApiSignIns::default() }
    }

    /// The real thing: settings from the environment, the OS keyring.
    pub fn from_env() -> CloudState {
        CloudState::new(CloudSettings::from_env(), SecretStore::os())
    }

    /// The AWS settings every AWS call of the window uses: the environment's, signed as the person
    /// chose in the window (a profile, pasted credentials) when they did.
    pub fn aws(&self) -> AwsSettings {
        self.aws_sign_in.settings(&self.settings.aws)
    }

    /// Every cloud's settings, AWS's as [`Self::aws`].
    pub fn settings_now(&self) -> CloudSettings {
        CloudSettings { aws: self.aws(), ..self.settings.clone() }
    }
}

/// The largest secret accepted (a GCP key is ≈2.3 KB).
/// The region used for account detection before the user has chosen one.
const DEFAULT_REGION: &str = "us-east-1";

pub(crate) fn cloud_error(e: &CloudError) -> IpcError {
    IpcError::from(e)
}

fn secrets_error(e: &SecretsError) -> IpcError {
    IpcError::from(e)
}

/// The region to ask AWS in before a plan names one (the plan's when the wizard has it).
fn detection_region(region: Option<String>) -> Result<String, IpcError> {
    let region = region.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).unwrap_or_else(|| DEFAULT_REGION.into());
    if region.len() > 32 || !region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(IpcError {
            field: Some("aws.region".into()),
            ..IpcError::new(ErrorCode::validation("aws.region"), "not an AWS region name")
        });
    }
    Ok(region)
}

/// Who the AWS credentials belong to, and the buckets and event buses they can see (pick lists).
#[tauri::command]
pub async fn aws_identity(cloud: State<'_, CloudState>, region: Option<String>) -> Result<AwsAccount, IpcError> {
    let region = detection_region(region)?;
    let o = aws::account_overview(&region, &cloud.aws()).await.map_err(|e| cloud_error(&e))?;
    Ok(AwsAccount { caller: AwsCaller::from(&o.caller), buckets: o.buckets, event_buses: o.event_buses, region: o.configured_region })
}

/// The organization the AWS credentials' account belongs to, for the "Which accounts?" page: its
/// units and accounts when these credentials may list them, else why not (read only).
#[tauri::command]
pub async fn aws_organization(cloud: State<'_, CloudState>, region: Option<String>) -> Result<aws::org_tree::Organization, IpcError> {
    let region = detection_region(region)?;
    aws::org_tree::organization(&region, &cloud.aws()).await.map_err(|e| cloud_error(&e))
}

/// What the wizard can fill in from a bucket the person chose (read only, best effort): the region
/// it lives in and the customer managed KMS key of its default encryption. The name is checked
/// like a typed answer before AWS is asked.
#[tauri::command]
pub async fn aws_bucket_facts(cloud: State<'_, CloudState>, region: Option<String>, bucket: String) -> Result<AwsBucketFacts, IpcError> {
    let region = detection_region(region)?;
    let bucket = bucket.trim();
    if let Err(rule) = trustbridge_core::validate::rules::s3_bucket(bucket) {
        let code = ErrorCode::validation("aws.storage.bucket");
        return Err(IpcError {
            field: Some("aws.storage.bucket".into()),
            ..IpcError::new(code, format!("{rule} (got '{}')", bucket.chars().take(80).collect::<String>()))
        });
    }
    let partition = trustbridge_core::validate::rules::region_partition(&region).unwrap_or("aws");
    aws::detect::bucket_facts(&region, partition, bucket, &cloud.aws()).await.map(AwsBucketFacts::from).map_err(|e| cloud_error(&e))
}

/// The profiles of this computer's AWS config files, for the profile picker (names and how each
/// signs in; never a key).
#[tauri::command]
pub async fn aws_profiles(cloud: State<'_, CloudState>) -> Result<Vec<AwsProfile>, IpcError> {
    AwsSignIn::profiles(&cloud.settings.aws).await.map_err(|e| cloud_error(&e))
}

/// Signs the window's AWS calls with a profile of this computer's config files (checked with STS).
#[tauri::command]
pub async fn aws_use_profile(cloud: State<'_, CloudState>, name: String, region: Option<String>) -> Result<AwsSignedIn, IpcError> {
    let region = detection_region(region)?;
    cloud.aws_sign_in.use_profile(&name, &region, &cloud.settings.aws).await.map(|s| AwsSignedIn::from(&s)).map_err(sign_in_error)
}

/// Signs the window's AWS calls with the temporary credentials the person pasted from their AWS
/// access portal (Option 1 or 2 of "Access keys"): parsed and validated here, checked with STS,
/// kept in memory only when AWS accepts them. Returns who they are; the secret never comes back.
#[tauri::command]
pub async fn aws_use_credentials(
    cloud: State<'_, CloudState>,
    text: Sensitive<String>,
    region: Option<String>,
) -> Result<AwsSignedIn, IpcError> {
    let region = detection_region(region)?;
    cloud.aws_sign_in.use_pasted(text, &region, &cloud.settings.aws).await.map(|s| AwsSignedIn::from(&s)).map_err(sign_in_error)
}

/// Starts signing in through the AWS access portal (IAM Identity Center) in the browser: the code
/// to confirm, and the page (`aws_sso_open` opens it with the code filled in).
#[tauri::command]
pub async fn aws_sso_start(cloud: State<'_, CloudState>, start_url: String, region: String) -> Result<SsoDevice, IpcError> {
    cloud.aws_sign_in.sso_start(&start_url, region.trim(), &cloud.settings.aws).await.map_err(sign_in_error)
}

/// Opens the AWS page of the sign-in under way in the browser (only an AWS device page).
#[tauri::command]
pub fn aws_sso_open(cloud: State<'_, CloudState>) -> Result<(), IpcError> {
    let url = cloud.aws_sign_in.sso_page().ok_or_else(|| IpcError::new(AppCode::OpenNotAllowed, "no AWS sign-in page to open"))?;
    open::that_detached(url).map_err(|e| IpcError::new(AppCode::OpenFailed, format!("could not open the browser: {e}")))
}

/// Waits until the person confirms the code in the browser, then lists the accounts and roles
/// the access portal offers them.
#[tauri::command]
pub async fn aws_sso_wait(cloud: State<'_, CloudState>) -> Result<Vec<SsoAccount>, IpcError> {
    cloud.aws_sign_in.sso_wait().await.map_err(sign_in_error)
}

/// Signs the window's AWS calls as `role_name` in `account_id`, one the access portal offered.
#[tauri::command]
pub async fn aws_sso_use(
    cloud: State<'_, CloudState>,
    account_id: String,
    role_name: String,
    region: Option<String>,
) -> Result<AwsSignedIn, IpcError> {
    let region = detection_region(region)?;
    cloud
        .aws_sign_in
        .sso_use(&account_id, &role_name, &region, &cloud.settings.aws)
        .await
        .map(|s| AwsSignedIn::from(&s))
        .map_err(sign_in_error)
}

/// Ends the access portal sign-in under way (its wait answers `aws.sso_cancelled`).
#[tauri::command]
pub fn aws_sso_cancel(cloud: State<'_, CloudState>) {
    cloud.aws_sign_in.sso_cancel();
}

fn sign_in_error(e: SignInError) -> IpcError {
    match e {
        SignInError::NoSignInUnderWay => IpcError::new(AppCode::SsoNotStarted, "no AWS access portal sign-in is under way"),
        SignInError::Cancelled => {
            IpcError::new(AppCode::SsoCancelled, "the AWS sign-in was cancelled, or replaced by a newer one or a sign-out")
        }
        SignInError::Invalid(e) => IpcError { field: Some("aws.credentials".into()), ..secrets_error(&e) },
        SignInError::UnknownProfile(p) => IpcError::from(&p),
        SignInError::Refused(e) => cloud_error(&e),
    }
}

/// Back to this computer's own AWS credentials.
#[tauri::command]
pub fn aws_sign_out(cloud: State<'_, CloudState>) {
    cloud.aws_sign_in.sign_out();
}

/// Who the window acts as when the person signed in here (None: this computer's own credentials).
#[tauri::command]
pub fn aws_signed_in(cloud: State<'_, CloudState>) -> Option<AwsSignedIn> {
    cloud.aws_sign_in.signed_in().as_ref().map(AwsSignedIn::from)
}

/// Creates or updates the role and its policies (or, with `dry_run`, says what it would change).
/// Refuses when the credentials belong to another account than the plan's. `adopt`: take over an
/// existing role trustbridge did not create (the dry run lists its policies and warns where they
/// grant more than the plan); without it such a role is refused (`aws.role_not_ours`).
/// A plan whose vendor issues the external id must be registered first (`register_vendor`, whose
/// answer carries the plan with the id); its dry run shows the changes with a stand-in for the id.
///
/// Applying for real needs the person's yes in a native dialog raised here, whose text Rust builds
/// from the validated plan (`confirm::apply_aws`) — or a fresh approval of exactly that text from
/// `confirm_apply` (the wizard confirms before registering with the vendor). Cancel: nothing is
/// applied (`apply.cancelled`).
// The IPC surface: the window state Tauri injects and the arguments the page sends, one each.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn apply_aws<R: Runtime>(
    app: AppHandle<R>,
    cloud: State<'_, CloudState>,
    approvals: State<'_, Approvals>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    dry_run: bool,
    adopt: bool,
    ignore_preflight: Option<bool>,
) -> Result<ApplyResult, IpcError> {
    let r = resolve(&store, &plan)?;
    // Absent: pre-flight's blocking findings refuse (the safe default).
    let settings = AwsSettings { adopt, ..cloud.aws() };
    confirmed::aws_apply(&r, &settings, dry_run, ignore_preflight.unwrap_or(false), &approvals, &Dialog(&app)).await
}

/// Who this computer can act as on Google Cloud and Azure, for the plan's sections (no secret
/// crosses; Google: the Application Default Credentials file, Azure: the environment's service
/// principal or the Azure CLI). The page offers Apply for a cloud only with a sign-in.
#[tauri::command]
pub async fn cloud_sign_ins(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
) -> Result<CloudSignIns, IpcError> {
    let r = resolve(&store, &plan)?;
    Ok(cloud_apply::sign_ins(&r, &cloud.api_sign_ins))
}

/// "Sign in with Google" with the vendor profile's client (`platform`: the plan's vendor; no other
/// answer is needed, so the wizard can sign in on its project question): opens Google's page in the
/// browser (a URL Rust built) and waits for it to come back (bounded; `cloud_sign_in_cancel` ends
/// it). Who it is comes back; the credential stays in this process.
#[tauri::command]
pub async fn gcp_sign_in(cloud: State<'_, CloudState>, store: State<'_, ProfileStore>, platform: String) -> Result<String, IpcError> {
    let (profile, _) = store.resolve(&platform).map_err(IpcError::from)?;
    let url = cloud.api_sign_ins.gcp_start(&profile, &cloud.settings.gcp).await?;
    open::that_detached(&url).map_err(|e| IpcError::new(AppCode::OpenFailed, format!("could not open the browser: {e}")))?;
    cloud.api_sign_ins.gcp_wait(&cloud.settings.gcp).await
}

/// What Google Cloud shows the window's sign-in (else this computer's Application Default
/// Credentials): the projects, or a project's buckets or topics, for the wizard's pick lists. Read
/// only; names only.
#[tauri::command]
pub async fn gcp_list(cloud: State<'_, CloudState>, what: GcpList) -> Result<GcpListing, IpcError> {
    cloud.api_sign_ins.gcp_list(&what, &cloud.settings.gcp).await
}

/// Starts Entra ID's device sign-in with the vendor profile's client (`platform`: the plan's
/// vendor; `tenant`: the tenant answered, if any — else any work or school account, the tenant then
/// being the token's): the code to show.
#[tauri::command]
pub async fn azure_sign_in_start(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    platform: String,
    tenant: Option<String>,
) -> Result<AzureDevice, IpcError> {
    let (profile, _) = store.resolve(&platform).map_err(IpcError::from)?;
    cloud.api_sign_ins.azure_start(&profile, tenant.as_deref(), &cloud.settings.azure).await
}

/// What Resource Manager shows the window's Azure sign-in (subscriptions, resource groups, storage
/// accounts, containers, topics), and its tenant, for the wizard's pick lists. Read only; names only.
#[tauri::command]
pub async fn azure_list(cloud: State<'_, CloudState>, what: AzureListRequest) -> Result<AzureListing, IpcError> {
    cloud.api_sign_ins.azure_list(&what, &cloud.settings.azure).await
}

/// Opens Microsoft's device-code page of the sign-in under way (only Microsoft's).
#[tauri::command]
pub fn azure_sign_in_open(cloud: State<'_, CloudState>) -> Result<(), IpcError> {
    let url = cloud.api_sign_ins.azure_page().ok_or_else(|| IpcError::new(AppCode::OpenNotAllowed, "no Microsoft sign-in page to open"))?;
    open::that_detached(url).map_err(|e| IpcError::new(AppCode::OpenFailed, format!("could not open the browser: {e}")))
}

/// Waits until the person enters the code on Microsoft's page; who it is.
#[tauri::command]
pub async fn azure_sign_in_wait(cloud: State<'_, CloudState>) -> Result<String, IpcError> {
    cloud.api_sign_ins.azure_wait(&cloud.settings.azure).await
}

/// Creates the vendor's credential in Google Cloud or Azure (a service-account key, a client
/// secret) as the window's sign-in, after the person's yes in a native dialog Rust raises with its
/// own text, straight into the keyring: only its status comes back (`credentials.cancelled` on
/// Cancel: nothing is made).
#[tauri::command]
pub async fn create_cloud_credentials<R: Runtime>(
    app: AppHandle<R>,
    cloud_state: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    cloud: ApiCloud,
) -> Result<CredentialStatus, IpcError> {
    let r = resolve(&store, &plan)?;
    let chosen = cloud_apply::choose(&r, cloud, &cloud_state.api_sign_ins)?;
    let c = confirm::create_credentials(&r, cloud, &chosen.describe()).ok_or_else(|| {
        IpcError::new(AppCode::CredentialsKeyless, "the plan's access to this cloud is keyless: there is nothing to create")
    })?;
    if !ask(&app, &c).await {
        return Err(IpcError::new(AppCode::CredentialsCancelled, "nothing was created"));
    }
    let (_, status) = cloud_apply::create_credentials(&r, &chosen, &cloud_state.secrets, &cloud_state.settings).await?;
    Ok(CredentialStatus::from(&status))
}

/// Ends a Google or Azure sign-in under way.
#[tauri::command]
pub fn cloud_sign_in_cancel(cloud: State<'_, CloudState>) {
    cloud.api_sign_ins.cancel();
}

/// Forgets the Google and Azure sign-ins made in the window.
#[tauri::command]
pub fn cloud_sign_out(cloud: State<'_, CloudState>) {
    cloud.api_sign_ins.sign_out();
}

/// A dry run (what would change, as whom) or an apply of the plan's Google Cloud or Azure
/// section, with this computer's sign-in. Applying for real needs the person's yes in a native
/// dialog raised here, whose text Rust builds from the validated plan (`confirm::apply_cloud`);
/// Cancel: nothing is applied (`apply.cancelled`). On Google Cloud, pre-flight reads the project's
/// organization policies first: one that would stop the vendor refuses before anything is asked
/// (`gcp.preflight_blocked`) unless `ignore_preflight` (the person ticked "Apply anyway"; the dialog
/// names what it overrides). With `with_credentials`, a plan that signs the
/// vendor in with a key or client secret not yet stored gets it made once applied, straight into
/// the keyring, under the same yes (the dialog says so): its status, or why not, in the result.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // a command's arguments are the page's
pub async fn apply_cloud<R: Runtime>(
    app: AppHandle<R>,
    cloud_state: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    cloud: ApiCloud,
    dry_run: bool,
    with_credentials: Option<bool>,
    ignore_preflight: Option<bool>,
) -> Result<CloudApplyResult, IpcError> {
    let r = resolve(&store, &plan)?;
    let asked =
        confirmed::CloudApplyAsk { with_credentials: with_credentials == Some(true), ignore_preflight: ignore_preflight == Some(true) };
    let s = &cloud_state;
    confirmed::cloud_apply(&r, cloud, dry_run, asked, &s.api_sign_ins, &s.secrets, &s.settings, &Dialog(&app)).await
}

/// Removes the vendor's access on Google Cloud or Azure with this computer's sign-in: a dry run
/// first (read only) finds what Trustbridge made for this integration; nothing there, nothing is
/// asked; else the person confirms exactly that in a native dialog raised here
/// (`confirm::revoke_cloud`; Cancel: `revoke.cancelled`, nothing removed), then it is removed and
/// the vendor's key or client secret, which no longer opens anything, leaves the keyring. What is
/// removed is what the dialog named: everything is read again first, and nothing is removed when
/// that changed (`gcp.revoke_changed` / `azure.revoke_changed`).
#[tauri::command]
pub async fn revoke_cloud<R: Runtime>(
    app: AppHandle<R>,
    cloud_state: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    cloud: ApiCloud,
) -> Result<CloudApplyResult, IpcError> {
    let r = resolve(&store, &plan)?;
    let s = &cloud_state;
    confirmed::cloud_revoke(&r, cloud, &s.api_sign_ins, &s.secrets, &s.settings, &Dialog(&app)).await
}

/// Removes the vendor's access on AWS with this computer's sign-in: a dry run first (read only)
/// finds what Trustbridge made for this integration; nothing there, nothing is asked. Else Rust's
/// native dialog names exactly those changes (`confirm::revoke_aws`; Cancel: `revoke.cancelled`,
/// nothing removed), and they are made only if the role still reads the same when removal starts
/// (`aws.revoke_changed` otherwise, nothing removed): what is removed is what was confirmed.
/// A role Trustbridge did not create is kept (only the vendor's part goes); another integration's
/// is refused.
#[tauri::command]
pub async fn revoke_aws<R: Runtime>(
    app: AppHandle<R>,
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
) -> Result<AwsRevokeResult, IpcError> {
    let r = resolve(&store, &plan)?;
    confirmed::aws_revoke(&r, &cloud.aws(), &Dialog(&app)).await
}

/// Asks the person, in a native dialog raised here, to confirm applying `plan` (with `adopt`) to
/// AWS; their yes is kept (once, for a few minutes) for the `apply_aws` of exactly what the dialog
/// said. The wizard calls it before registering the role with the vendor, so that Cancel leaves
/// nothing behind anywhere.
#[tauri::command]
pub async fn confirm_apply<R: Runtime>(
    app: AppHandle<R>,
    cloud: State<'_, CloudState>,
    approvals: State<'_, Approvals>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    adopt: bool,
    ignore_preflight: Option<bool>,
) -> Result<(), IpcError> {
    let r = resolve(&store, &plan)?;
    let settings = AwsSettings { adopt, ..cloud.aws() };
    confirmed::aws_approve(&r, &settings, ignore_preflight.unwrap_or(false), &approvals, &Dialog(&app)).await
}

/// The window's native dialog, raised by Rust (`commands_confirm::ask`), as the use cases' [`Ask`].
pub(crate) struct Dialog<'a, R: Runtime>(pub &'a AppHandle<R>);

impl<R: Runtime> Ask for Dialog<'_, R> {
    fn ask(&self, c: &Confirmation) -> impl std::future::Future<Output = bool> + Send {
        ask(self.0, c)
    }
}

pub(crate) use crate::confirmed::{apply_error, change};

/// The connectivity test for every cloud in the plan. Each probe is sent through `on_event` as it
/// starts and finishes; the answer is every result.
#[tauri::command]
pub async fn verify_plan(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    on_event: Channel<ProbeUpdate>,
) -> Result<VerifyReport, IpcError> {
    let r = resolve(&store, &plan)?;
    let vendor = r.profile.display_name.clone();
    let send = move |e: ProbeEvent| {
        let _ = on_event.send(ProbeUpdate::of(e, &vendor));
    };
    let missing_fix =
        |kind: SecretKind| format!("Store the {} on the Credentials step first (Back), then run the test again.", kind.label());
    let results = verify_all(&r, &cloud.settings_now(), &cloud.secrets, &missing_fix, &send).await.map_err(|e| cloud_error(&e))?;
    Ok(VerifyReport { probes: results.iter().map(|p| Probe::of(p, &r.profile.display_name)).collect(), verdict: Verdict::of(&results) })
}

fn kind_of(kind: &str, r: &Resolved) -> Result<SecretKind, IpcError> {
    let k = SecretKind::parse(kind)
        .ok_or_else(|| IpcError::new(AppCode::CredentialsKind, "the credentials kind must be 'gcp', 'azure' or 'vendor-api-key'"))?;
    match crate::verify_all::takes_secret(r, k) {
        Ok(true) => Ok(k),
        Ok(false) if k == SecretKind::VendorApiKey => {
            Err(IpcError::new(AppCode::CredentialsNoRegistration, "this vendor has no registration API: there is no API key to store"))
        }
        Ok(false) => Err(IpcError::new(AppCode::CredentialsNoSection, format!("the plan has no '{}' section", k.as_str()))),
        Err(keyless) => Err(IpcError::new(AppCode::CredentialsKeyless, keyless)),
    }
}

/// Validates the pasted key / service-principal JSON against the plan, stores it in the OS keyring
/// and drops it. Answers with the fingerprint only.
#[tauri::command]
pub async fn store_credentials(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    kind: String,
    json: Sensitive<String>,
) -> Result<CredentialStatus, IpcError> {
    let r = resolve(&store, &plan)?;
    let kind = kind_of(&kind, &r)?;
    let text = Sensitive::trimmed(json.expose().clone());
    drop(json);
    let field = Some(format!("credentials.{}", kind.as_str()));
    if text.expose().is_empty() {
        return Err(IpcError { field, ..IpcError::new(AppCode::CredentialsEmpty, "paste the JSON or choose the file first") });
    }
    let status = crate::credentials::store(&cloud.secrets, &r, kind, text, &cloud.settings.vendor)
        .map_err(|e| IpcError { field, ..secrets_error(&e) })?;
    Ok(CredentialStatus::from(&status))
}

/// Whether the vendor's API key is stored for this integration (its digest only). Asked on
/// "Connect to {vendor}", where the plan is not complete yet: the profile and the integration's
/// name are all it needs (the keyring checks the name).
#[tauri::command]
pub async fn vendor_key_status(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    platform: String,
    integration: String,
    api_url: Option<String>,
) -> Result<CredentialStatus, IpcError> {
    let (profile, _) = store.resolve(&platform).map_err(IpcError::from)?;
    if profile.registration.is_none() {
        return Err(IpcError::new(AppCode::CredentialsNoRegistration, "this vendor has no registration API: there is no API key to store"));
    }
    let page = crate::register::VendorPage { profile: &profile, integration: &integration, api_url: api_url.as_deref() };
    let s = crate::register::stored_key_status(&page, &cloud.secrets, &cloud.settings.vendor).map_err(|e| secrets_error(&e))?;
    Ok(CredentialStatus::from(&s))
}

/// The vendor's projects the API key may see, for the pick list on "Connect to {vendor}" (the plan
/// is not complete there: the project is what is being asked). `key`: the key as typed on the page,
/// checked and dropped, never stored here; none: the stored one.
#[tauri::command]
pub async fn vendor_projects(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    platform: String,
    integration: String,
    api_url: Option<String>,
    key: Option<Sensitive<String>>,
) -> Result<Vec<VendorProject>, IpcError> {
    let (profile, _) = store.resolve(&platform).map_err(IpcError::from)?;
    let typed = match key.map(|k| Sensitive::trimmed(k.expose().clone())) {
        Some(k) if !k.expose().is_empty() => Some(trustbridge_secrets::VendorApiKey::parse(&k).map_err(|e| IpcError {
            field: Some("vendor.api_key".into()), /* the page's key field (the UI's VENDOR_API_KEY) */
            ..secrets_error(&e)
        })?),
        _ => None,
    };
    let page = crate::register::VendorPage { profile: &profile, integration: &integration, api_url: api_url.as_deref() };
    let listed =
        crate::register::projects(&page, typed.as_ref(), &cloud.secrets, &cloud.settings.vendor).await.map_err(|e| cloud_error(&e))?;
    Ok(listed.into_iter().map(|p| VendorProject { project_id: p.project_id, name: p.name }).collect())
}

/// Registers the plan's clouds (`clouds`: some of `aws`, `gcp`, `azure`; empty: all) with the
/// vendor's API, with the key and credentials from the OS keyring; answers with what happened and
/// the plan with the vendor's ids (and external id) recorded, for the wizard to keep. With
/// `dry_run`, only reads.
#[tauri::command]
pub async fn register_vendor(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    clouds: Vec<String>,
    dry_run: bool,
) -> Result<RegisterResult, IpcError> {
    use crate::register::Cloud as C;
    let r = resolve(&store, &plan)?;
    let wanted = clouds
        .iter()
        .map(|c| match c.as_str() {
            "aws" => Ok(C::Aws),
            "gcp" => Ok(C::Gcp),
            "azure" => Ok(C::Azure),
            _ => Err(IpcError::new(AppCode::RegisterCloud, "clouds are 'aws', 'gcp' or 'azure'")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let to_ipc = |c: C| match c {
        C::Aws => crate::ipc::Cloud::Aws,
        C::Gcp => crate::ipc::Cloud::Gcp,
        C::Azure => crate::ipc::Cloud::Azure,
    };
    let steps = |v: &[crate::register::Step]| {
        v.iter()
            .map(|s| RegisterStep {
                cloud: to_ipc(s.cloud),
                action: s.action.to_string(),
                name: s.name.clone(),
                credentials_id: s.credentials_id.clone(),
                message: s.message.clone(),
            })
            .collect::<Vec<_>>()
    };
    match crate::register::register(&r, &cloud.secrets, &cloud.settings.vendor, &wanted, dry_run, false).await {
        Ok((plan, done)) => Ok(RegisterResult { steps: steps(&done), plan }),
        Err(f) => {
            let mut e = cloud_error(&f.error);
            if !f.done.is_empty() {
                e.message.push_str(&format!(
                    ". Done before the failure: {}",
                    f.done.iter().map(|s| s.message.clone()).collect::<Vec<_>>().join("; ")
                ));
            }
            Err(e)
        }
    }
}

/// Whether each cloud's credentials are stored (GCP and Azure sections of the plan), with fingerprints.
#[tauri::command]
pub async fn credentials_status(
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
) -> Result<Vec<CredentialStatus>, IpcError> {
    let r = resolve(&store, &plan)?;
    crate::verify_all::secrets_taken(&r)
        .into_iter()
        .map(|kind| cloud.secrets.status(&r.plan.integration.name, kind).map(|s| CredentialStatus::from(&s)).map_err(|e| secrets_error(&e)))
        .collect()
}
