//! Types that cross the IPC boundary. Declared once here; TypeScript bindings are generated
//! from them into `ui/src/lib/ipc/bindings/` and a test fails when the committed ones are stale.

use serde::Serialize;
use trustbridge_cloud::aws::ChangeKind;
use trustbridge_cloud::probe::{ProbeStatus, Verdict};
use trustbridge_core::lint::Severity;
use trustbridge_core::pack::VarKind;
use trustbridge_secrets::SecretKind;
use ts_rs::TS;

use crate::errors::ErrorCode;

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

impl AppInfo {
    /// This build's name and version.
    pub fn current() -> Self {
        AppInfo { name: "Trustbridge".into(), version: env!("CARGO_PKG_VERSION").into() }
    }
}

/// What the window's first page needs, handed to it before its scripts run (`boot::script`).
/// `app` is null only where the page had to ask for it and the answer failed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Boot {
    pub app: Option<AppInfo>,
    /// The built-in vendor profiles (as `list_profiles`).
    pub profiles: Vec<ProfileSummary>,
    /// The autosaved draft (as `load_draft`).
    pub draft: Option<crate::state::Draft>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    Aws,
    Gcp,
    Azure,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ProfileSummary {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub clouds: Vec<Cloud>,
    pub defaults: ProfileDefaults,
    /// How the integration is registered with the vendor's API; null: no API (hand-off file).
    pub registration: Option<RegistrationSummary>,
}

/// A vendor profile file imported through the native file picker and verified by Rust (signature,
/// then content). Never the file's content beyond the checked profile fields, never its path.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportedProfile {
    /// The profile as a vendor choice; its `id` is the opaque `imported:<hex>` plans name as
    /// `platform`.
    pub profile: ProfileSummary,
    /// The id the profile gives itself (who it claims to be).
    pub vendor_profile_id: String,
    /// `signed` (by a key Trustbridge trusts), `no-signature`, or `unknown-key`.
    pub origin: String,
    /// The signing key's id (minisign key fingerprint, 16 hex digits): the trusted key, or the
    /// unknown one; null without a signature.
    pub key_id: Option<String>,
    /// Who the trusted key belongs to (signed only).
    pub signer: Option<String>,
    /// Usable in a plan now: signed by a trusted key, or accepted in Rust's native dialog.
    pub usable: bool,
    /// What it would grant, one plain line each.
    pub grants: Vec<String>,
}

/// What the wizard needs to know of a vendor's registration API (never a URL it would call itself).
#[derive(Debug, Clone, Serialize, TS)]
pub struct RegistrationSummary {
    /// The vendor issues the AWS external id at registration: the wizard makes none.
    pub vendor_issues_external_id: bool,
    /// The profile has no built-in API URL: the wizard asks for it (`integration.api_url`).
    pub needs_api_url: bool,
    /// The profile's built-in API URL, shown so the person can see where the key goes (another
    /// address, e.g. a dedicated deployment's, is `integration.api_url`, under "More options").
    pub api_url: Option<String>,
    /// Where the customer finds an API key, in plain language.
    pub api_key_help: String,
    /// The vendor's API takes the GCP key / the Azure service principal.
    pub uploads_gcp: bool,
    pub uploads_azure: bool,
}

/// One cloud's registration with the vendor's API.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RegisterStep {
    pub cloud: Cloud,
    /// `registered`, `kept`, `adopted`, `replaced`, `would_register`.
    pub action: String,
    /// The credentials' name at the vendor.
    pub name: String,
    pub credentials_id: Option<String>,
    pub message: String,
}

/// What registration did, and the plan with the vendor's ids (and external id) recorded.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RegisterResult {
    pub steps: Vec<RegisterStep>,
    pub plan: trustbridge_core::plan::Plan,
}

/// What the wizard pre-fills and asks for, from the vendor profile.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ProfileDefaults {
    pub aws_role_name: Option<String>,
    /// `required`, `optional` or `none`; null when the vendor has no AWS support.
    pub aws_external_id: Option<String>,
    /// True when the customer must enter the vendor's AWS account (custom vendor).
    pub aws_vendor_account_from_plan: bool,
    pub aws_publishes_events: bool,
    pub gcp_service_account: Option<String>,
    pub gcp_publishes_events: bool,
    /// The vendor can sign in to Google Cloud through Workload Identity Federation (no key).
    pub gcp_keyless: bool,
    /// The profile provides an OAuth client for "Sign in with Google" in the window.
    pub gcp_sign_in: bool,
    pub azure_service_principal_name: Option<String>,
    pub azure_publishes_events: bool,
    /// The vendor has a multi-tenant app: admin consent instead of a client secret.
    pub azure_keyless: bool,
    /// The profile provides a public client for "Sign in to Azure" (device code) in the window.
    pub azure_sign_in: bool,
    /// The roles the vendor gets on each bucket, topic or container, by the names the cloud's
    /// console shows (from the profile: the wizard never names a role itself).
    pub gcp_bucket_roles: Vec<String>,
    pub gcp_topic_roles: Vec<String>,
    pub azure_container_roles: Vec<String>,
    pub azure_topic_roles: Vec<String>,
}

/// One generated document, for the check-your-answers page.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PreviewFile {
    pub path: String,
    pub content: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Preview {
    pub files: Vec<PreviewFile>,
    /// "What this grants", one plain-language line each.
    pub grants: Vec<String>,
    /// Offline lint of the generated documents.
    pub findings: Vec<LintFinding>,
    /// The cloud secrets the plan signs in with (`verify_all::secrets_taken`): the wizard's
    /// Credentials page asks for these, and is left out when there are none.
    pub needs_secret: Vec<SecretKind>,
}

/// One lint finding.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LintFinding {
    pub severity: Severity,
    pub code: String,
    pub document: String,
    pub message: String,
    pub fix: String,
}

impl From<&trustbridge_core::lint::Finding> for LintFinding {
    fn from(f: &trustbridge_core::lint::Finding) -> LintFinding {
        LintFinding {
            severity: f.severity,
            code: f.code.clone(),
            document: f.document.clone(),
            message: f.message.clone(),
            fix: f.fix.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportResult {
    pub dir: String,
    pub files: Vec<String>,
}

/// Every command error crosses as `{code, message, field, fix}`; the UI maps `code`, never text.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    pub fix: Option<String>,
}

impl IpcError {
    /// An error with a crate's code (`AppCode`, `CoreCode`, `CloudCode`, `SecretsCode`, a probe's
    /// `Code`) or a field's `ErrorCode::validation`; never a string.
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<String>) -> IpcError {
        IpcError { code: code.into(), message: message.into(), field: None, fix: None }
    }
}

impl From<trustbridge_core::CoreError> for IpcError {
    fn from(e: trustbridge_core::CoreError) -> IpcError {
        IpcError { code: e.error_code().into(), message: e.to_string(), field: None, fix: None }
    }
}

impl From<&trustbridge_core::Problem> for IpcError {
    fn from(p: &trustbridge_core::Problem) -> IpcError {
        let code = match p.specific_code {
            Some(c) => c.into(),
            None => ErrorCode::Validation(p.code()),
        };
        IpcError { code, message: p.to_string(), field: Some(p.field.clone()), fix: p.fix.clone() }
    }
}

/// Who the AWS credentials belong to (GetCallerIdentity).
#[derive(Debug, Clone, Serialize, TS)]
pub struct AwsCaller {
    pub account: String,
    pub arn: String,
}

/// Who the window acts as on AWS when the person signed in here: a profile they picked, or
/// (`profile` None) credentials they pasted from the AWS access portal.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AwsSignedIn {
    pub caller: AwsCaller,
    pub how: crate::aws_signin::SignInHow,
    pub profile: Option<String>,
}

impl From<&crate::aws_signin::SignedIn> for AwsSignedIn {
    fn from(s: &crate::aws_signin::SignedIn) -> AwsSignedIn {
        AwsSignedIn { caller: AwsCaller::from(&s.caller), how: s.how, profile: s.profile.clone() }
    }
}

/// The customer's AWS account as the credentials see it: prefills the account id and offers pick lists.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AwsAccount {
    pub caller: AwsCaller,
    pub buckets: Vec<String>,
    pub event_buses: Vec<String>,
    /// The region this computer's AWS configuration names (`AWS_REGION`, the profile's), if any.
    pub region: Option<String>,
}

/// What the wizard filled in from a bucket the person chose, instead of asking: its region and the
/// customer managed KMS key of its default encryption (each absent when not known), and what was
/// read and what could not be, in plain words.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AwsBucketFacts {
    pub region: Option<String>,
    pub kms_key_arn: Option<String>,
    pub found: Vec<String>,
    pub unread: Vec<String>,
}

impl From<trustbridge_cloud::aws::detect::BucketFacts> for AwsBucketFacts {
    fn from(f: trustbridge_cloud::aws::detect::BucketFacts) -> AwsBucketFacts {
        AwsBucketFacts { region: f.region, kms_key_arn: f.kms_key_arn, found: f.found, unread: f.unread }
    }
}

/// One change apply makes (or would make, in a dry run).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ApplyChange {
    pub kind: ChangeKind,
    /// One plain-language line: `create role mlcube-platform-access`.
    pub summary: String,
    /// The semantic diff: `+ grant …`, `- grant …`, settings.
    pub detail: Vec<String>,
}

/// One guardrail pre-flight finding: something in the customer's cloud (a service control
/// policy, a bucket, key or event bus policy) that would deny the vendor or apply.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GuardrailFinding {
    /// `preflight.…`.
    pub code: String,
    pub severity: trustbridge_core::guardrail::GuardSeverity,
    /// The policy, bucket, key or bus it is about.
    pub resource: Option<String>,
    pub message: String,
    pub fix: String,
}

impl From<&trustbridge_core::guardrail::GuardFinding> for GuardrailFinding {
    fn from(f: &trustbridge_core::guardrail::GuardFinding) -> GuardrailFinding {
        GuardrailFinding {
            code: f.code.as_str().to_string(),
            severity: f.severity,
            resource: f.resource.clone(),
            message: f.message.clone(),
            fix: f.fix.clone(),
        }
    }
}

/// What apply did (or, with `dry_run`, would do), and as whom.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ApplyResult {
    pub caller: AwsCaller,
    pub role_arn: String,
    pub dry_run: bool,
    /// Empty: the account already matches the plan.
    pub changes: Vec<ApplyChange>,
    /// With `adopt` and an existing role: every inline and attached policy it already has (the
    /// vendor gets what they grant too). None: not adopting, or the role does not exist yet.
    pub existing: Option<Vec<RolePolicy>>,
    /// With `adopt`: what to know before the vendor gets the role (rights broader than the plan,
    /// other principals its trust keeps, another integration's tags). Empty otherwise.
    pub warnings: Vec<String>,
    /// The guardrail pre-flight made before (blocking, warning and info findings). A blocking one
    /// refuses the apply unless the person chose to apply anyway.
    pub preflight: Vec<GuardrailFinding>,
}

/// What removing the vendor's access on AWS did: who did it, the role, what was removed (empty:
/// nothing of ours was there), and whether the role itself was deleted.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AwsRevokeResult {
    pub caller: AwsCaller,
    pub role_arn: String,
    pub role_deleted: bool,
    pub changes: Vec<ApplyChange>,
}

/// How one account of an organization-wide apply (or its dry run) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrgAccountStatus {
    /// Applied (or, in a dry run, read): `changes` is what was (or would be) changed.
    Done,
    /// Pre-flight found what would deny the vendor or the apply: nothing was changed there.
    Blocked,
    /// It stopped on an error (`error`); `changes` is what was done before it.
    Failed,
}

/// One account's row of an organization-wide apply or its dry run; sent as the account ends, then
/// again in the answer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OrgAccountRow {
    pub account_id: String,
    /// The member role apply signed in through; None for the account signed in to.
    pub via_role: Option<String>,
    pub status: OrgAccountStatus,
    pub role_arn: Option<String>,
    pub changes: Vec<ApplyChange>,
    pub preflight: Vec<GuardrailFinding>,
    pub error: Option<IpcError>,
}

/// The step an account of an organization-wide apply has reached (the steps before it are done).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrgStep {
    /// Signing in to it through its member role (its turn has come).
    SignIn,
    /// Pre-flight: the rules that could deny the vendor there.
    Preflight,
    /// The apply, or its dry run.
    Apply,
}

/// A check of one account's connectivity test started, waits or finished; sent while an
/// organization-wide test runs.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OrgProbeUpdate {
    pub account_id: String,
    pub update: ProbeUpdate,
}

/// An account reached a step; sent while an organization-wide apply runs.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OrgStepEvent {
    pub account_id: String,
    pub step: OrgStep,
}

/// An organization-wide apply (or dry run): every account's row, in the plan's order.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OrgApplyResult {
    pub dry_run: bool,
    pub accounts: Vec<OrgAccountRow>,
}

/// What a member account holds, for its pick lists on "Which accounts?" (names only).
#[derive(Debug, Clone, Serialize, TS)]
pub struct MemberResources {
    pub buckets: Vec<String>,
    /// The event buses in the plan's region.
    pub event_buses: Vec<String>,
}

/// One account's stack of a StackSet, as CloudFormation reports it; sent as its status changes
/// while an operation runs, then again in the answer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StackInstanceRow {
    pub account_id: String,
    /// `SUCCEEDED`, `FAILED`, `CANCELLED`, `INOPERABLE`, `PENDING`, `RUNNING`, …
    pub status: String,
    /// CloudFormation's reason, made plain (one line, no control characters).
    pub reason: Option<String>,
}

impl From<&trustbridge_cloud::aws::stackset::StackInstance> for StackInstanceRow {
    fn from(i: &trustbridge_cloud::aws::stackset::StackInstance) -> Self {
        StackInstanceRow {
            account_id: i.account_id.clone(),
            status: i.status.clone(),
            reason: i.reason.as_deref().map(crate::confirm::plain_long),
        }
    }
}

/// A StackSet deployed (or its dry run, or its removal): pre-flight in each listed account, what
/// was (or would be) done, and each account's stack. `stopped`: pre-flight's blocking findings
/// stopped it before CloudFormation was asked anything.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StackSetResult {
    pub dry_run: bool,
    pub stopped: bool,
    /// The listed accounts' pre-flight (their rows carry no changes: the StackSet makes them).
    pub preflight: Vec<OrgAccountRow>,
    pub stack_set: String,
    /// The StackSet existed when this began (a dry run read it): there is one to remove.
    pub exists: bool,
    /// What was (or would be) done, one line each.
    pub steps: Vec<String>,
    /// The operation's end (`SUCCEEDED`, `FAILED`, `STOPPED`); none in a dry run.
    pub operation_status: Option<String>,
    pub instances: Vec<StackInstanceRow>,
    /// The management account's own stack's status, when the plan lists it.
    pub management_stack: Option<String>,
    /// Listed accounts without a stack that succeeded (outside the units, or failed).
    pub unreached: Vec<String>,
    /// Everything ended well.
    pub ok: bool,
}

/// One account's connectivity test in an organization-wide plan; sent as the account ends, then
/// again in the answer.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OrgVerifyRow {
    pub account_id: String,
    pub via_role: Option<String>,
    /// The account's verdict by the single-account rule; `fail` when the test could not run there.
    pub verdict: Verdict,
    pub probes: Vec<Probe>,
    /// Why the test could not run in this account (the member role could not be assumed, …).
    pub error: Option<IpcError>,
}

/// A policy an existing role already has, as listed before adopting it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RolePolicy {
    /// `inline` or `managed`.
    pub kind: String,
    pub name: String,
    /// Managed policies: the ARN.
    pub arn: Option<String>,
    /// One plain line per grant (`Allow s3:GetObject on arn:…`); empty when not read.
    pub grants: Vec<String>,
    /// AWS-managed, unreadable, or what apply does with it.
    pub note: Option<String>,
}

impl From<&trustbridge_cloud::aws::ExistingPolicy> for RolePolicy {
    fn from(p: &trustbridge_cloud::aws::ExistingPolicy) -> RolePolicy {
        let kind = match p.kind {
            trustbridge_cloud::aws::PolicyKind::Inline => "inline",
            trustbridge_cloud::aws::PolicyKind::Managed => "managed",
        };
        RolePolicy { kind: kind.into(), name: p.name.clone(), arn: p.arn.clone(), grants: p.grants.clone(), note: p.note.clone() }
    }
}

/// A connectivity probe's outcome.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Probe {
    /// `cloud:check[:target]` (`aws:role_exists`, `gcp:bucket:b`): stable, for tests and keys.
    pub id: String,
    /// The probe in plain words, from Rust (`ProbeId::title`).
    pub title: String,
    pub status: ProbeStatus,
    #[ts(type = "number")]
    pub duration_ms: u64,
    pub message: String,
    pub fix: Option<String>,
    pub code: Option<ErrorCode>,
}

/// A finished connectivity test: every probe, and what the run proved, judged in Rust by the rule
/// the CLI follows (`Verdict::of`: nothing proven is not a pass).
#[derive(Debug, Clone, Serialize, TS)]
pub struct VerifyReport {
    pub probes: Vec<Probe>,
    pub verdict: Verdict,
}

/// Live progress of the connectivity test, sent through a channel as each probe starts, waits
/// (IAM propagation) and finishes.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProbeUpdate {
    Started { id: String, title: String },
    Waiting { id: String, title: String, message: String },
    Finished { probe: Probe },
}

/// A project on the vendor's platform that the API key may see (the pick list on "Connect to
/// {vendor}"); its id was checked by the plan's rule for `integration.project_id`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct VendorProject {
    pub project_id: String,
    pub name: String,
}

/// Whether a cloud's credentials are stored, and their non-secret fingerprint. Never the secret.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CredentialStatus {
    pub kind: SecretKind,
    pub stored: bool,
    /// GCP: the key id (`private_key_id`). Azure: null.
    pub key_id: Option<String>,
    /// GCP: client_email. Azure: appId.
    pub principal: Option<String>,
    /// GCP: project id. Azure: tenant id.
    pub scope: Option<String>,
}

impl From<&trustbridge_cloud::aws::CallerIdentity> for AwsCaller {
    fn from(c: &trustbridge_cloud::aws::CallerIdentity) -> AwsCaller {
        AwsCaller { account: c.account.clone(), arn: c.arn.clone() }
    }
}

impl Probe {
    /// A probe result for the window; `vendor`: the vendor's display name (the registration
    /// probe's title names it).
    pub fn of(p: &trustbridge_cloud::aws::ProbeResult, vendor: &str) -> Probe {
        Probe {
            id: p.id.to_string(),
            title: p.id.title(vendor),
            status: p.status,
            duration_ms: p.duration_ms,
            message: p.message.clone(),
            fix: probe_window_fix(p),
            code: p.code.map(ErrorCode::from),
        }
    }
}

/// A probe's fix in the window's words: kept when it needs no terminal; else the catalogue's window
/// fix for its code; else (an AWS check that fails without a code of its own: the role, its trust or
/// its permissions differ from the plan) the window's way to restore it. The CLI prints the probe's own.
fn probe_window_fix(p: &trustbridge_cloud::aws::ProbeResult) -> Option<String> {
    let fix = p.fix.as_ref()?;
    if trustbridge_cloud::error::window_safe(fix).is_ok() {
        return Some(fix.clone());
    }
    let by_code = p.code.map(ErrorCode::from).and_then(|c| crate::errors::window_fix_of(&c));
    Some(by_code.map(str::to_string).unwrap_or_else(|| {
        "Apply the setup again from this computer, or run the exported setup again (either changes only what differs), then run the test again.".into()
    }))
}

impl ProbeUpdate {
    pub fn of(e: trustbridge_cloud::aws::ProbeEvent, vendor: &str) -> ProbeUpdate {
        use trustbridge_cloud::aws::ProbeEvent;
        match e {
            ProbeEvent::Started { id } => ProbeUpdate::Started { title: id.title(vendor), id: id.to_string() },
            ProbeEvent::Waiting { id, message } => ProbeUpdate::Waiting { title: id.title(vendor), id: id.to_string(), message },
            ProbeEvent::Finished(p) => ProbeUpdate::Finished { probe: Probe::of(&p, vendor) },
        }
    }
}

impl From<&trustbridge_secrets::SecretStatus> for CredentialStatus {
    fn from(s: &trustbridge_secrets::SecretStatus) -> CredentialStatus {
        let fp = s.fingerprint.as_ref().filter(|_| s.stored);
        CredentialStatus {
            kind: s.kind,
            stored: s.stored,
            key_id: fp.and_then(|f| f.key_id.clone()),
            principal: fp.map(|f| f.principal.clone()),
            scope: fp.map(|f| f.scope.clone()),
        }
    }
}

impl From<&trustbridge_cloud::CloudError> for IpcError {
    fn from(e: &trustbridge_cloud::CloudError) -> IpcError {
        // The window's words (no command, flag or environment variable), and the answer to change
        // when that is the way out; the CLI prints the error's own `fix()`.
        IpcError { code: e.error_code().into(), message: e.to_string(), field: e.field().map(str::to_string), fix: e.window_fix() }
    }
}

impl From<&trustbridge_secrets::SecretsError> for IpcError {
    fn from(e: &trustbridge_secrets::SecretsError) -> IpcError {
        IpcError { code: e.error_code().into(), message: e.to_string(), field: None, fix: e.window_fix() }
    }
}

// ---------------------------------------------------------------------------------------------
// Role packs (the wizard's "deploy a role pack" path).
// ---------------------------------------------------------------------------------------------

/// A built-in role pack the wizard can deploy, and the variables it asks for.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PackSummary {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub variables: Vec<PackVariable>,
    /// The roles it creates, as named in the pack (`{VARIABLE}` placeholders not yet filled).
    pub roles: Vec<String>,
}

/// One variable of a pack: one field on the variables page (`variables.NAME`).
#[derive(Debug, Clone, Serialize, TS)]
pub struct PackVariable {
    /// The placeholder's name, e.g. `AWS_ACCOUNT` (written `{AWS_ACCOUNT}` in the templates).
    pub name: String,
    /// What Rust checks it as.
    pub kind: VarKind,
    pub description: String,
    pub example: String,
    pub default: Option<String>,
    /// True when it has no default: leaving it empty is an unfilled placeholder.
    pub required: bool,
}

/// A pack plan as the wizard sends it (`trustbridge export --plan` takes the same document).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(rename = "PackPlan")]
pub struct PackPlanIpc {
    pub version: u32,
    pub pack: String,
    /// `NAME` → value; variables left out take their default.
    pub variables: std::collections::BTreeMap<String, String>,
}

/// One role a filled-in pack creates.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PackRoleSummary {
    pub name: String,
    pub description: String,
    /// Who may assume it, e.g. `sagemaker.amazonaws.com` or an account ARN.
    pub trusted_by: Vec<String>,
    pub inline_policies: Vec<String>,
    /// Customer-managed policies of the pack and AWS-managed policy ARNs attached to it.
    pub attached: Vec<String>,
    pub permissions_boundary: Option<String>,
}

/// A variable's value as used (typed, or its default).
#[derive(Debug, Clone, Serialize, TS)]
pub struct PackValue {
    pub name: String,
    pub value: String,
    /// True when the value is the pack's default (nothing was typed).
    pub defaulted: bool,
}

/// Check your answers for a pack: what it creates, every document, the offline policy checks.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PackPreview {
    pub pack: String,
    pub display_name: String,
    pub values: Vec<PackValue>,
    pub roles: Vec<PackRoleSummary>,
    pub managed_policies: Vec<String>,
    pub files: Vec<PreviewFile>,
    pub findings: Vec<LintFinding>,
}

/// What applying a pack did (or, with `dry_run`, would do), and as whom.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PackApplyResult {
    pub caller: AwsCaller,
    pub dry_run: bool,
    /// The changes, typed like a vendor plan's (kind, one-line summary, semantic diff); empty: the
    /// account already matches the pack.
    pub changes: Vec<ApplyChange>,
}

/// The generated TypeScript files: (file name, contents).
pub fn typescript_bindings() -> Vec<(String, String)> {
    fn one<T: TS + 'static>() -> (String, String) {
        let cfg = ts_rs::Config::default();
        (format!("{}.ts", T::name(&cfg)), T::export_to_string(&cfg).expect("ts export"))
    }
    use trustbridge_core::plan;
    vec![
        one::<AppInfo>(),
        one::<Boot>(),
        one::<ErrorCode>(),
        one::<Severity>(),
        one::<ProbeStatus>(),
        one::<Verdict>(),
        one::<VerifyReport>(),
        one::<ChangeKind>(),
        one::<VarKind>(),
        one::<SecretKind>(),
        one::<Cloud>(),
        one::<ProfileSummary>(),
        one::<ImportedProfile>(),
        one::<ProfileDefaults>(),
        one::<IpcError>(),
        one::<PreviewFile>(),
        one::<Preview>(),
        one::<LintFinding>(),
        one::<ExportResult>(),
        one::<AwsCaller>(),
        one::<AwsSignedIn>(),
        one::<crate::aws_signin::SignInHow>(),
        one::<crate::aws_signin::SsoDevice>(),
        one::<trustbridge_cloud::aws::sso::SsoAccount>(),
        one::<trustbridge_cloud::aws::profiles::AwsProfile>(),
        one::<trustbridge_cloud::aws::org_tree::Organization>(),
        one::<trustbridge_cloud::aws::org_tree::OrgUnit>(),
        one::<trustbridge_cloud::aws::org_tree::OrgAccount>(),
        one::<trustbridge_cloud::aws::profiles::ProfileKind>(),
        one::<AwsAccount>(),
        one::<AwsBucketFacts>(),
        one::<ApplyChange>(),
        one::<ApplyResult>(),
        one::<AwsRevokeResult>(),
        one::<OrgAccountStatus>(),
        one::<OrgAccountRow>(),
        one::<OrgApplyResult>(),
        one::<OrgVerifyRow>(),
        one::<OrgStep>(),
        one::<OrgStepEvent>(),
        one::<OrgProbeUpdate>(),
        one::<StackInstanceRow>(),
        one::<MemberResources>(),
        one::<StackSetResult>(),
        one::<crate::cloud_apply::ApiCloud>(),
        one::<crate::cloud_apply::CloudSignIns>(),
        one::<crate::cloud_signin::AzureDevice>(),
        one::<crate::cloud_signin::GcpList>(),
        one::<crate::cloud_signin::GcpListing>(),
        one::<crate::cloud_signin::AzureListRequest>(),
        one::<crate::cloud_signin::AzureListing>(),
        one::<crate::cloud_apply::CloudChange>(),
        one::<crate::cloud_apply::CloudApplyResult>(),
        one::<GuardrailFinding>(),
        one::<trustbridge_core::guardrail::GuardSeverity>(),
        one::<RolePolicy>(),
        one::<Probe>(),
        one::<ProbeUpdate>(),
        one::<CredentialStatus>(),
        one::<VendorProject>(),
        one::<RegistrationSummary>(),
        one::<RegisterStep>(),
        one::<RegisterResult>(),
        one::<crate::state::Draft>(),
        one::<PackSummary>(),
        one::<PackVariable>(),
        one::<PackPlanIpc>(),
        one::<PackRoleSummary>(),
        one::<PackValue>(),
        one::<PackPreview>(),
        one::<PackApplyResult>(),
        one::<plan::Plan>(),
        one::<plan::Integration>(),
        one::<plan::AwsPlan>(),
        one::<plan::AwsOrganization>(),
        one::<plan::AwsMemberAccount>(),
        one::<plan::AwsVendor>(),
        one::<plan::S3Storage>(),
        one::<plan::EventBus>(),
        one::<plan::GcpPlan>(),
        one::<plan::GcsStorage>(),
        one::<plan::GcpWorkloadIdentity>(),
        one::<plan::PubSubTopic>(),
        one::<plan::AzurePlan>(),
        one::<plan::BlobContainer>(),
        one::<plan::EventGridTopic>(),
    ]
}
fn gcp_titles(ids: Option<&Vec<String>>) -> Vec<String> {
    ids.map(|ids| ids.iter().map(|id| trustbridge_core::profile::gcp_role_title(id).to_string()).collect()).unwrap_or_default()
}

/// What the window shows of a vendor profile (also `trustbridge profiles --json`).
pub fn profile_summary(p: &trustbridge_core::Profile) -> ProfileSummary {
    let clouds = p
        .clouds()
        .into_iter()
        .map(|c| match c {
            "aws" => Cloud::Aws,
            "gcp" => Cloud::Gcp,
            _ => Cloud::Azure,
        })
        .collect();
    let defaults = ProfileDefaults {
        aws_role_name: p.aws.as_ref().map(|a| a.default_role_name.clone()),
        aws_external_id: p.aws.as_ref().map(|a| {
            match a.external_id {
                trustbridge_core::profile::ExternalIdPolicy::Required => "required",
                trustbridge_core::profile::ExternalIdPolicy::Optional => "optional",
                trustbridge_core::profile::ExternalIdPolicy::None => "none",
            }
            .to_string()
        }),
        aws_vendor_account_from_plan: p.aws.as_ref().is_some_and(|a| a.vendor_accounts.is_none()),
        aws_publishes_events: p.aws.as_ref().is_some_and(|a| !a.event_bus_actions.is_empty()),
        gcp_service_account: p.gcp.as_ref().map(|g| g.default_service_account.clone()),
        gcp_publishes_events: p.gcp.as_ref().is_some_and(|g| !g.topic_roles.is_empty()),
        gcp_keyless: p.gcp.as_ref().is_some_and(|g| g.keyless),
        gcp_sign_in: p.gcp.as_ref().is_some_and(|g| g.sign_in.is_some()),
        azure_service_principal_name: p.azure.as_ref().map(|z| z.default_service_principal_name.clone()),
        azure_publishes_events: p.azure.as_ref().is_some_and(|z| !z.topic_roles.is_empty()),
        azure_keyless: p.azure.as_ref().is_some_and(|z| z.keyless),
        azure_sign_in: p.azure.as_ref().is_some_and(|z| z.sign_in_client_id.is_some()),
        gcp_bucket_roles: gcp_titles(p.gcp.as_ref().map(|g| &g.bucket_roles)),
        gcp_topic_roles: gcp_titles(p.gcp.as_ref().map(|g| &g.topic_roles)),
        azure_container_roles: p.azure.as_ref().map(|z| z.container_roles.iter().map(|r| r.name.clone()).collect()).unwrap_or_default(),
        azure_topic_roles: p.azure.as_ref().map(|z| z.topic_roles.iter().map(|r| r.name.clone()).collect()).unwrap_or_default(),
    };
    let registration = p.registration.as_ref().map(|g| RegistrationSummary {
        vendor_issues_external_id: p.vendor_issues_external_id(),
        needs_api_url: g.base_url.is_none(),
        api_url: g.base_url.clone(),
        api_key_help: g.api_key_help.clone(),
        uploads_gcp: g.uploads(trustbridge_core::profile::Upload::GcpKey),
        uploads_azure: g.uploads(trustbridge_core::profile::Upload::AzureClientSecret),
    });
    ProfileSummary {
        id: p.id.clone(),
        display_name: p.display_name.clone(),
        description: p.description.clone(),
        clouds,
        defaults,
        registration,
    }
}

#[cfg(test)]
mod tests {
    use super::Probe;
    use trustbridge_cloud::error::window_safe;
    use trustbridge_cloud::probe::{Check, Cloud, ProbeId, ProbeResult, ProbeStatus};
    use trustbridge_cloud::CloudCode;

    fn failed(id: ProbeId, fix: &str, code: Option<CloudCode>) -> ProbeResult {
        ProbeResult {
            id,
            status: ProbeStatus::Fail,
            duration_ms: 1,
            message: "m".into(),
            fix: Some(fix.into()),
            code: code.map(Into::into),
        }
    }

    /// Issue 15: a probe's fix shown in the window needs no terminal; the CLI keeps the probe's own.
    #[test]
    fn probe_fixes_cross_ipc_in_the_windows_words() {
        let aws = |c| ProbeId::new(Cloud::Aws, c);
        let cli = failed(aws(Check::RoleExists), "run `trustbridge apply --plan …` to create it", None);
        let timeout = failed(aws(Check::Credentials), "check AWS_ENDPOINT_URL, or raise --timeout", Some(CloudCode::Timeout));
        let gcloud = failed(
            ProbeId::on(Cloud::Gcp, Check::Topic, "t"),
            "enable the API: `gcloud services enable pubsub.googleapis.com --project=p`",
            None,
        );
        for p in [&cli, &timeout, &gcloud] {
            assert!(window_safe(p.fix.as_deref().unwrap()).is_err() || p.id.cloud() == Cloud::Gcp);
            let shown = Probe::of(p, "ML cube Platform").fix.unwrap();
            assert_eq!(window_safe(&shown), Ok(()), "{shown}");
        }
        assert!(Probe::of(&cli, "v").fix.unwrap().starts_with("Apply the setup again"));
        assert_eq!(Probe::of(&timeout, "v").fix.as_deref(), Some(CloudCode::Timeout.window_fix()));
        // A command of the cloud's own CLI (it runs in the cloud's browser shell) is kept as it is.
        assert_eq!(Probe::of(&gcloud, "v").fix, gcloud.fix);
    }
}
