//! Vendor profiles are data: who is trusted, how, default names and permission sets.
//!
//! Built-in profiles are the JSON files in `profiles/`, compiled in; a vendor's own profile file
//! is loaded and checked the same way. No vendor is special-cased in code.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::profile_trust::{ProfileOrigin, ProfileTrust};
use crate::validate::rules;

pub const PROFILE_FORMAT: u32 = 1;

/// Whether a plan's `platform` / `pack` names a file rather than a built-in id.
pub fn looks_like_path(v: &str) -> bool {
    v.contains('/') || v.contains('\\') || v.ends_with(".json")
}

/// Largest vendor profile or pack file read.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Why a file the user named could not be read. Its text names the file, never its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The file as the user named it.
    pub shown: String,
    pub why: WhyUnreadable,
}

/// The reason in [`Unreadable`]: a content-free phrase each, so a refusal can be shown anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhyUnreadable {
    /// A folder, FIFO, device or socket (which could block or never end).
    NotRegular,
    TooLarge {
        max: u64,
    },
    NotUtf8,
    Io(std::io::ErrorKind),
}

impl WhyUnreadable {
    /// The reason without the file's name.
    pub fn phrase(&self) -> String {
        match self {
            WhyUnreadable::NotRegular => "it is not a regular file".into(),
            WhyUnreadable::TooLarge { max } if *max == MAX_FILE_BYTES => "it is larger than 1 MiB".into(),
            WhyUnreadable::TooLarge { max } => format!("it is larger than {max} bytes"),
            WhyUnreadable::NotUtf8 => "it is not UTF-8 text".into(),
            WhyUnreadable::Io(_) => "it could not be read".into(),
        }
    }
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = &self.shown;
        match self.why {
            WhyUnreadable::NotRegular => write!(f, "{shown} is not a regular file"),
            WhyUnreadable::TooLarge { max } => write!(f, "{shown} is larger than {max} bytes"),
            WhyUnreadable::NotUtf8 => write!(f, "cannot read file {shown}: not UTF-8 text"),
            WhyUnreadable::Io(kind) => write!(f, "cannot read file {shown}: {kind}"),
        }
    }
}

/// Reads a profile or pack file the user named: a regular file (not a FIFO, device or folder, which
/// could block or never end) of at most [`MAX_FILE_BYTES`]. The error never quotes the content.
pub fn read_small_file(path: &Path) -> Result<String, Unreadable> {
    let bytes = read_small_bytes(path, MAX_FILE_BYTES)?;
    String::from_utf8(bytes).map_err(|_| Unreadable { shown: path.display().to_string(), why: WhyUnreadable::NotUtf8 })
}

/// Reads a small file the user named, once: a regular file of at most `max` bytes. It is checked
/// before opening (no FIFO or device is opened for a plain mistake) and again on the open handle
/// (opened non-blocking, so a FIFO swapped in between cannot block), and at most `max` bytes are
/// read whatever the file claims. The error never quotes the content.
pub fn read_small_bytes(path: &Path, max: u64) -> Result<Vec<u8>, Unreadable> {
    use std::io::Read;
    let refuse = |why: WhyUnreadable| Unreadable { shown: path.display().to_string(), why };
    let regular = |meta: &std::fs::Metadata| -> Result<(), Unreadable> {
        if !meta.is_file() {
            return Err(refuse(WhyUnreadable::NotRegular));
        }
        if meta.len() > max {
            return Err(refuse(WhyUnreadable::TooLarge { max }));
        }
        Ok(())
    };
    let cannot = |e: std::io::Error| refuse(WhyUnreadable::Io(e.kind()));
    regular(&std::fs::metadata(path).map_err(cannot)?)?;
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    let f = o.open(path).map_err(cannot)?;
    regular(&f.metadata().map_err(cannot)?)?;
    let mut bytes = Vec::new();
    f.take(max + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > max {
        return Err(refuse(WhyUnreadable::TooLarge { max }));
    }
    Ok(bytes)
}

fn signature_refused(shown: &str, p: crate::profile_trust::SignatureProblem) -> CoreError {
    CoreError::ProfileSignature { id: shown.to_string(), code: p.error_code(), message: p.message(), fix: p.fix() }
}

/// The built-in profiles, in display order.
pub const BUILTIN: &[(&str, &str)] = &[
    ("mlcube", include_str!("../profiles/mlcube.json")),
    ("jfrog-ml", include_str!("../profiles/jfrog-ml.json")),
    ("custom", include_str!("../profiles/custom.json")),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Profile file format; must be 1.
    pub format: u32,
    /// Short id, `[a-z0-9-]`, used as `platform` in plans.
    pub id: String,
    pub display_name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsProfile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcp: Option<GcpProfile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureProfile>,
    pub handoff: Handoff,
    /// How the customer registers the integration through the vendor's API; absent: no API
    /// (the customer hands `handoff.json` over as the instructions say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Registration>,
    /// Where this profile grants less than the vendor's own guide, in plain language (SUMMARY.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences_from_guide: Vec<String>,
}

/// GCP predefined roles a profile may bind on a bucket: object and bucket reads only.
pub const GCP_BUCKET_ROLES: &[&str] =
    &["roles/storage.objectViewer", "roles/storage.legacyObjectReader", "roles/storage.legacyBucketReader"];
/// GCP predefined roles a profile may bind on a Pub/Sub topic: publish only.
pub const GCP_TOPIC_ROLES: &[&str] = &["roles/pubsub.publisher"];

/// The title Google Cloud shows for a predefined role a profile may bind ([`GCP_BUCKET_ROLES`],
/// [`GCP_TOPIC_ROLES`]), for the wizard's "it gets the … role" sentences; the id itself otherwise.
pub fn gcp_role_title(id: &str) -> &str {
    match id {
        "roles/storage.objectViewer" => "Storage Object Viewer",
        "roles/storage.legacyObjectReader" => "Storage Legacy Object Reader",
        "roles/storage.legacyBucketReader" => "Storage Legacy Bucket Reader",
        "roles/pubsub.publisher" => "Pub/Sub Publisher",
        other => other,
    }
}
/// Permissions a profile's custom project role may hold: list and read. (Object reads bound on the
/// project reach every bucket: `lint` refuses them there.)
pub const GCP_PROJECT_PERMISSIONS: &[&str] =
    &["storage.buckets.get", "storage.buckets.list", "storage.objects.get", "storage.objects.list"];

/// One Azure built-in role of the catalog shipped as data (`data/azure-roles.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogRole {
    pub id: String,
    pub name: String,
    /// `container` or `topic`: where a vendor profile may assign it; `null`: never.
    pub allowed_on: Option<String>,
}

/// The Azure built-in roles a profile may name (and the well-known broad ones, refused by name).
pub fn azure_role_catalog() -> &'static [CatalogRole] {
    static CATALOG: std::sync::OnceLock<Vec<CatalogRole>> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        #[derive(Deserialize)]
        struct File {
            roles: Vec<CatalogRole>,
        }
        serde_json::from_str::<File>(include_str!("../data/azure-roles.json")).map(|f| f.roles).unwrap_or_default()
    })
}

/// A profile string: 1 to `max` characters, none of them a control or line/paragraph separator
/// (profile text reaches scripts, programs and Markdown).
pub(crate) fn plain_text(field: &str, v: &str, max: usize, errs: &mut Vec<String>) {
    let bad = v.chars().any(crate::validate::is_invisible);
    if v.trim().is_empty() || v.chars().count() > max || bad {
        errs.push(format!(
            "{field}: 1-{max} characters of plain text on one line, no control, separator, direction or zero-width characters (got '{}')",
            crate::validate::show_value(v)
        ));
    }
}

/// The vendor APIs Trustbridge can register an integration with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RegistrationApi {
    /// ML cube Platform's SDK API (`{base}/sdk/v1`, `X-Api-Key`), as the `ml3-platform-sdk` package
    /// on PyPI calls it: `integration/{aws,gcp,azure}/credentials`, `integration/credentials/{id}`.
    #[serde(rename = "mlcube-sdk-v1")]
    MlcubeSdkV1,
}

/// Who makes the AWS `sts:ExternalId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExternalIdIssuer {
    /// The vendor issues it when the role ARN is registered; the customer never makes one.
    Vendor,
    /// The customer makes one (the wizard, `trustbridge external-id`) and hands it over.
    Customer,
}

/// Credentials the vendor's API receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Upload {
    /// The GCP service-account key (from the OS keyring).
    GcpKey,
    /// The Azure service principal's JSON with its client secret (from the OS keyring).
    AzureClientSecret,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub api: RegistrationApi,
    /// The API's base URL (https). `null`: the customer gives it (`integration.api_url` in the plan,
    /// or `TRUSTBRIDGE_VENDOR_API_URL`).
    pub base_url: Option<String>,
    pub external_id_issuer: ExternalIdIssuer,
    #[serde(default)]
    pub uploads: Vec<Upload>,
    /// Where the customer finds an API key, in plain language.
    pub api_key_help: String,
}

impl Registration {
    pub fn uploads(&self, u: Upload) -> bool {
        self.uploads.contains(&u)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExternalIdPolicy {
    /// The role is only assumable with the plan's external id.
    Required,
    /// The plan may set one (required when no principal patterns narrow the trust).
    Optional,
    /// The vendor does not send one; principal patterns narrow the trust instead.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwsProfile {
    /// Vendor account per partition (`*` = every partition). `null`: the customer enters it
    /// (`aws.vendor.account_id` in the plan).
    pub vendor_accounts: Option<BTreeMap<String, String>>,
    pub external_id: ExternalIdPolicy,
    /// `aws:PrincipalArn` patterns (ArnLike); `{partition}` and `{vendor_account}` are filled in.
    #[serde(default)]
    pub principal_patterns: Vec<String>,
    pub default_role_name: String,
    /// Actions granted on each bucket ARN.
    pub bucket_actions: Vec<String>,
    /// Actions granted on each bucket's objects (`bucket/prefix*`).
    pub object_actions: Vec<String>,
    /// Actions granted on each event bus ARN; empty = this vendor publishes no events.
    #[serde(default)]
    pub event_bus_actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GcpProfile {
    pub default_service_account: String,
    pub service_account_display_name: String,
    /// A custom role created in the project and bound on it, if the vendor needs one.
    pub project_role: Option<GcpCustomRole>,
    /// Predefined roles bound on each bucket.
    pub bucket_roles: Vec<String>,
    /// Predefined roles bound on each Pub/Sub topic.
    pub topic_roles: Vec<String>,
    /// The vendor can use Workload Identity Federation from AWS instead of a key.
    #[serde(default)]
    pub keyless: bool,
    /// The vendor's OAuth client for desktop apps, for "Sign in with Google" in the wizard (the
    /// customer's own Google account then applies the plan). None: only this computer's gcloud
    /// sign-in, or the exported scripts. Trustbridge ships none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in: Option<GcpSignInClient>,
}

/// A Google OAuth client of type "Desktop app". Google documents its secret as not confidential
/// for installed apps (it ships inside the app); it is still kept out of logs and the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GcpSignInClient {
    /// `….apps.googleusercontent.com`.
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GcpCustomRole {
    pub id: String,
    pub title: String,
    pub description: String,
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AzureProfile {
    pub default_service_principal_name: String,
    /// Built-in roles assigned on each blob container scope.
    pub container_roles: Vec<AzureRole>,
    /// Built-in roles assigned on each Event Grid topic scope.
    pub topic_roles: Vec<AzureRole>,
    /// The vendor has a multi-tenant app: admin consent instead of a client secret.
    #[serde(default)]
    pub keyless: bool,
    /// The application (client) id of the vendor's public client app registration, for the
    /// wizard's device-code sign-in to Entra ID (the customer's own account then applies the
    /// plan; its API permissions: Microsoft Graph and Azure Service Management, delegated). None:
    /// only this computer's Azure CLI or AZURE_* sign-in, or the exported scripts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_client_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AzureRole {
    pub name: String,
    /// Role definition GUID (stable across tenants for built-in roles).
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Handoff {
    /// What to do with `handoff.json` on the vendor's side, in plain language.
    pub instructions: String,
    /// The vendor's age X25519 public key (`age1…`): the export can include the credentials
    /// encrypted to it (`credentials.age`), readable by the vendor only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_to: Option<String>,
}

impl Profile {
    /// Parses and checks a profile document.
    pub fn from_json(text: &str, origin: &str) -> Result<Profile, CoreError> {
        let p: Profile = crate::error::parse_json(text).map_err(|(field, e)| CoreError::Profile {
            id: origin.to_string(),
            field: Profile::section(&field),
            message: format!("not a valid profile at line {}, column {}{}: {e}", e.line(), e.column(), crate::error::at_field(&field)),
        })?;
        p.check().map_err(|problems| CoreError::Profile {
            id: origin.to_string(),
            field: problems.first().and_then(|first| Profile::section(first)),
            message: problems.join("; "),
        })?;
        Ok(p)
    }

    /// The profile's own top-level key a field path (or a problem, which starts with its path)
    /// begins with; `None` for anything else (a path of the file's own making is never echoed).
    fn section(path: &str) -> Option<String> {
        const KEYS: &[&str] =
            &["format", "id", "display_name", "description", "aws", "gcp", "azure", "handoff", "registration", "differences_from_guide"];
        let head: String = path.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
        KEYS.contains(&head.as_str()).then_some(head)
    }

    /// A built-in profile by id.
    pub fn builtin(id: &str) -> Option<Profile> {
        BUILTIN
            .iter()
            .find(|(bid, _)| *bid == id)
            .map(|(bid, text)| Profile::from_json(text, bid).expect("built-in profiles are checked by tests"))
    }

    pub fn builtins() -> Vec<Profile> {
        BUILTIN.iter().map(|(id, _)| Profile::builtin(id).expect("built-in")).collect()
    }

    /// Resolves a plan's `platform`: a built-in id, or a path to a profile file
    /// (relative paths are taken from `base_dir`, normally the plan's folder). A file must be signed
    /// by a compiled-in key ([`Profile::resolve_with`] for other keys or unsigned files).
    pub fn resolve(platform: &str, base_dir: Option<&Path>) -> Result<Profile, CoreError> {
        Profile::resolve_with(platform, base_dir, &ProfileTrust::default()).map(|(p, _)| p)
    }

    /// [`Profile::resolve`] with the keys and the unsigned rule of this run; also says where the
    /// profile came from (built in, signed by whom, or unsigned and allowed).
    pub fn resolve_with(platform: &str, base_dir: Option<&Path>, trust: &ProfileTrust) -> Result<(Profile, ProfileOrigin), CoreError> {
        if let Some(p) = Profile::builtin(platform) {
            return Ok((p, ProfileOrigin::BuiltIn));
        }
        if !looks_like_path(platform) {
            let ids: Vec<&str> = BUILTIN.iter().map(|(id, _)| *id).collect();
            return Err(CoreError::Profile {
                id: platform.to_string(),
                field: None,
                message: format!(
                    "platform: unknown vendor profile (got '{platform}'); use one of {} or a path to a profile .json file",
                    ids.join(", ")
                ),
            });
        }
        let mut path = Path::new(platform).to_path_buf();
        if path.is_relative() {
            if let Some(base) = base_dir {
                path = base.join(path);
            }
        }
        Profile::load_file(&path, platform, trust)
    }

    /// Loads a vendor profile file: read once, its signature (`<file>.minisig`) checked against
    /// exactly those bytes, then those bytes parsed and checked. `shown` names it in errors.
    pub fn load_file(path: &Path, shown: &str, trust: &ProfileTrust) -> Result<(Profile, ProfileOrigin), CoreError> {
        let (bytes, signature) = Profile::read_file(path, shown)?;
        Profile::from_signed_bytes(&bytes, signature.as_deref(), shown, trust)
    }

    /// Reads a vendor profile file and its signature (`<file>.minisig`, `None` when there is none)
    /// with the hardened reads (regular files only, bounded, never blocking on a FIFO). `shown`
    /// names it in errors; no error quotes the content.
    #[allow(clippy::type_complexity)]
    pub fn read_file(path: &Path, shown: &str) -> Result<(Vec<u8>, Option<Vec<u8>>), CoreError> {
        let bytes = read_small_bytes(path, MAX_FILE_BYTES).map_err(|file| CoreError::ProfileUnreadable { id: shown.to_string(), file })?;
        let signature = crate::profile_trust::read_signature(path).map_err(|p| signature_refused(shown, p))?;
        Ok((bytes, signature))
    }

    /// Checks a profile file's bytes against its signature (exactly these bytes), then parses and
    /// checks them: the file read by [`Profile::read_file`], or the copy the wizard keeps.
    pub fn from_signed_bytes(
        bytes: &[u8],
        signature: Option<&[u8]>,
        shown: &str,
        trust: &ProfileTrust,
    ) -> Result<(Profile, ProfileOrigin), CoreError> {
        let signature_file = crate::profile_trust::signature_path(Path::new(shown)).display().to_string();
        let origin =
            crate::profile_trust::check_signature(bytes, signature, &signature_file, trust).map_err(|p| signature_refused(shown, p))?;
        let text = std::str::from_utf8(bytes).map_err(|_| CoreError::ProfileUnreadable {
            id: shown.to_string(),
            file: Unreadable { shown: shown.to_string(), why: WhyUnreadable::NotUtf8 },
        })?;
        Ok((Profile::from_json(text, shown)?, origin))
    }

    /// The JSON Schema of a vendor profile file, generated from these types.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Profile);
        let mut s = serde_json::to_string_pretty(&schema).expect("schema serializes");
        s.push('\n');
        s
    }

    /// The external id is issued by the vendor's API, never made here.
    pub fn vendor_issues_external_id(&self) -> bool {
        self.registration.as_ref().is_some_and(|r| r.external_id_issuer == ExternalIdIssuer::Vendor)
    }

    /// Which clouds this vendor supports.
    pub fn clouds(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.aws.is_some() {
            v.push("aws");
        }
        if self.gcp.is_some() {
            v.push("gcp");
        }
        if self.azure.is_some() {
            v.push("azure");
        }
        v
    }

    /// The profile's own rules: a vendor file must not be able to produce a broad grant.
    fn check(&self) -> Result<(), Vec<String>> {
        let mut errs: Vec<String> = Vec::new();
        if self.format != PROFILE_FORMAT {
            errs.push(format!("format: must be {PROFILE_FORMAT} (got '{}')", self.format));
        }
        if self.id.is_empty() || self.id.len() > 40 || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            errs.push(format!("id: 1-40 characters of a-z, 0-9 and '-' (got '{}')", self.id));
        }
        plain_text("display_name", &self.display_name, 80, &mut errs);
        plain_text("description", &self.description, 500, &mut errs);
        plain_text("handoff.instructions", &self.handoff.instructions, 1000, &mut errs);
        if self.differences_from_guide.len() > 10 {
            errs.push("differences_from_guide: at most 10 entries".into());
        }
        for (i, d) in self.differences_from_guide.iter().enumerate() {
            plain_text(&format!("differences_from_guide[{i}]"), d, 600, &mut errs);
        }
        if self.aws.is_none() && self.gcp.is_none() && self.azure.is_none() {
            errs.push("a profile must support at least one of aws, gcp, azure".into());
        }
        if let Some(a) = &self.aws {
            if let Some(map) = &a.vendor_accounts {
                if map.is_empty() {
                    errs.push("aws.vendor_accounts: empty; use null to let the customer enter the account".into());
                }
                for (part, acct) in map {
                    if part != "*" && !rules::PARTITIONS.contains(&part.as_str()) {
                        errs.push(format!("aws.vendor_accounts: unknown partition (got '{part}')"));
                    }
                    if let Err(r) = rules::aws_account_id(acct) {
                        errs.push(format!("aws.vendor_accounts.{part}: {r} (got '{acct}')"));
                    }
                }
            }
            if a.external_id == ExternalIdPolicy::None && a.principal_patterns.is_empty() {
                errs.push("aws: a vendor without an external id must narrow the trust with principal_patterns".into());
            }
            for (i, pat) in a.principal_patterns.iter().enumerate() {
                let probe = pat.replace("{partition}", "aws").replace("{vendor_account}", "123456789012");
                if let Err(r) = rules::principal_pattern(&probe, "aws", "123456789012") {
                    errs.push(format!("aws.principal_patterns[{i}]: {r} (got '{pat}')"));
                }
            }
            if let Err(r) = rules::aws_role_name(&a.default_role_name) {
                errs.push(format!("aws.default_role_name: {r} (got '{}')", a.default_role_name));
            }
            for act in a.bucket_actions.iter().chain(&a.object_actions) {
                // Storage is read: List and Read access levels only (no Write, Tagging or Permissions management).
                if let Some(level) = crate::lint::action_level(act) {
                    if !matches!(level, crate::lint::AccessLevel::List | crate::lint::AccessLevel::Read) {
                        errs.push(format!("aws: '{act}' is {level:?} access; a vendor profile may grant only List and Read on storage"));
                    }
                }
            }
            for act in &a.event_bus_actions {
                if !act.eq_ignore_ascii_case("events:PutEvents") {
                    errs.push(format!("aws.event_bus_actions: only events:PutEvents (publish) is allowed (got '{act}')"));
                }
            }
            for (field, list, service) in [
                ("bucket_actions", &a.bucket_actions, "s3"),
                ("object_actions", &a.object_actions, "s3"),
                ("event_bus_actions", &a.event_bus_actions, "events"),
            ] {
                for act in list.iter() {
                    if rules::is_specific_action(act, service) && crate::lint::action_level(act).is_none() {
                        errs.push(format!("aws.{field}: not an IAM action in the catalog (got '{act}')"));
                    }
                    if !rules::is_specific_action(act, service) {
                        errs.push(format!("aws.{field}: must be a specific {service}: action without wildcards (got '{act}')"));
                    }
                }
            }
            if a.bucket_actions.is_empty() && a.object_actions.is_empty() {
                errs.push("aws: bucket_actions and object_actions are both empty".into());
            }
        }
        if let Some(g) = &self.gcp {
            if let Err(r) = rules::gcp_service_account_id(&g.default_service_account) {
                errs.push(format!("gcp.default_service_account: {r} (got '{}')", g.default_service_account));
            }
            plain_text("gcp.service_account_display_name", &g.service_account_display_name, 100, &mut errs);
            if let Some(role) = &g.project_role {
                if role.id.len() < 3 || role.id.len() > 64 || !role.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                    errs.push(format!(
                        "gcp.project_role.id: 3-64 characters of A-Z, a-z, 0-9, '_' and '.' (got '{}')",
                        crate::validate::show_value(&role.id)
                    ));
                }
                plain_text("gcp.project_role.title", &role.title, 100, &mut errs);
                plain_text("gcp.project_role.description", &role.description, 256, &mut errs);
                for perm in &role.permissions {
                    if !GCP_PROJECT_PERMISSIONS.iter().any(|p| p.eq_ignore_ascii_case(perm)) {
                        errs.push(format!(
                            "gcp.project_role.permissions: only {} (list and read) are allowed (got '{}')",
                            GCP_PROJECT_PERMISSIONS.join(", "),
                            crate::validate::show_value(perm)
                        ));
                    }
                }
            }
            if let Some(c) = &g.sign_in {
                let id_ok = c.client_id.len() <= 200
                    && c.client_id
                        .strip_suffix(".apps.googleusercontent.com")
                        .is_some_and(|p| !p.is_empty() && p.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-'));
                if !id_ok {
                    errs.push(format!(
                        "gcp.sign_in.client_id: an OAuth client id ending in .apps.googleusercontent.com (letters, digits and '-' before it) (got '{}')",
                        crate::validate::show_value(&c.client_id)
                    ));
                }
                if c.client_secret.is_empty() || c.client_secret.len() > 100 || !c.client_secret.chars().all(|ch| ch.is_ascii_graphic()) {
                    errs.push("gcp.sign_in.client_secret: 1-100 printable ASCII characters without spaces (the value is not shown)".into());
                }
            }
            for (field, roles, allowed) in
                [("gcp.bucket_roles", &g.bucket_roles, GCP_BUCKET_ROLES), ("gcp.topic_roles", &g.topic_roles, GCP_TOPIC_ROLES)]
            {
                for r in roles {
                    if !allowed.iter().any(|a| a.eq_ignore_ascii_case(r)) {
                        errs.push(format!("{field}: only {} are allowed (got '{}')", allowed.join(", "), crate::validate::show_value(r)));
                    }
                }
            }
        }
        if let Some(z) = &self.azure {
            if z.default_service_principal_name.is_empty()
                || z.default_service_principal_name.len() > 120
                || !z.default_service_principal_name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                errs.push(format!(
                    "azure.default_service_principal_name: 1-120 characters of A-Z, a-z, 0-9, '-', '_' and '.' (got '{}')",
                    crate::validate::show_value(&z.default_service_principal_name)
                ));
            }
            if let Some(id) = &z.sign_in_client_id {
                if let Err(r) = rules::guid(id) {
                    errs.push(format!("azure.sign_in_client_id: {r} (got '{}')", crate::validate::show_value(id)));
                }
            }
            for (field, roles, scope) in
                [("azure.container_roles", &z.container_roles, "container"), ("azure.topic_roles", &z.topic_roles, "topic")]
            {
                for (i, r) in roles.iter().enumerate() {
                    let at = format!("{field}[{i}]");
                    match azure_role_catalog().iter().find(|c| c.id.eq_ignore_ascii_case(&r.id)) {
                        None => errs.push(format!(
                            "{at}.id: not a built-in role Trustbridge allows (got '{}'); allowed here: {}",
                            crate::validate::show_value(&r.id),
                            azure_role_catalog()
                                .iter()
                                .filter(|c| c.allowed_on.as_deref() == Some(scope))
                                .map(|c| format!("{} ({})", c.name, c.id))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                        Some(c) if c.allowed_on.as_deref() != Some(scope) => errs.push(format!(
                            "{at}: '{}' ({}) is not a read/send data role for a {scope}; a vendor profile may not assign it",
                            c.name, c.id
                        )),
                        Some(c) if c.name != r.name => errs.push(format!(
                            "{at}.name: role {} is '{}', not '{}' (the name must match the id)",
                            c.id,
                            c.name,
                            crate::validate::show_value(&r.name)
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
        if let Some(key) = &self.handoff.seal_to {
            let bech32 = |c: char| "qpzry9x8gf2tvdw0s3jn54khce6mua7l".contains(c);
            if key.len() != 62 || !key.starts_with("age1") || !key[4..].chars().all(bech32) {
                errs.push(format!(
                    "handoff.seal_to: an age X25519 public key is 'age1' and 58 bech32 characters (got '{}')",
                    crate::validate::show_value(key)
                ));
            }
        }
        if let Some(reg) = &self.registration {
            if let Some(url) = &reg.base_url {
                if let Err(r) = rules::api_base_url(url) {
                    errs.push(format!("registration.base_url: {r} (got '{url}')"));
                }
            }
            if reg.api_key_help.trim().is_empty() || reg.api_key_help.len() > 500 || reg.api_key_help.chars().any(char::is_control) {
                errs.push("registration.api_key_help: 1-500 characters of plain text on one line".into());
            }
            if reg.external_id_issuer == ExternalIdIssuer::Vendor
                && self.aws.as_ref().is_some_and(|a| a.external_id != ExternalIdPolicy::Required)
            {
                errs.push("registration.external_id_issuer: 'vendor' needs aws.external_id 'required' (every trust statement carries the vendor's id)".into());
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_a_profile_may_bind_has_its_console_title() {
        for id in GCP_BUCKET_ROLES.iter().chain(GCP_TOPIC_ROLES) {
            let title = gcp_role_title(id);
            assert!(title != *id && !title.starts_with("roles/"), "{id} has no title");
        }
        assert_eq!(gcp_role_title("roles/storage.objectViewer"), "Storage Object Viewer");
    }

    fn custom_with(edit: impl Fn(&mut serde_json::Value)) -> Result<Profile, CoreError> {
        let mut v: serde_json::Value = serde_json::from_str(include_str!("../profiles/custom.json")).unwrap();
        edit(&mut v);
        Profile::from_json(&v.to_string(), "test.json")
    }

    #[test]
    fn a_refusal_names_the_profile_section_it_is_at_and_never_a_key_of_the_files_making() {
        let field = |e: CoreError| match e {
            CoreError::Profile { field, .. } => field,
            other => panic!("not a profile refusal: {other}"),
        };
        // A rule broken (the first problem's section), a type error (the parser's path), and a key
        // the file made up (not one of the profile's: no section named).
        assert_eq!(field(custom_with(|v| v["handoff"]["seal_to"] = "age1".into()).unwrap_err()), Some("handoff".into()));
        assert_eq!(field(custom_with(|v| v["registration"] = 7.into()).unwrap_err()), Some("registration".into()));
        assert_eq!(field(custom_with(|v| v["display_name"] = "".into()).unwrap_err()), Some("display_name".into()));
        let e = custom_with(|v| v["zz_made_up"] = true.into()).unwrap_err();
        assert_eq!(e.code(), "profile.invalid");
        assert_eq!(field(e), None);
    }

    #[test]
    fn an_unreadable_file_is_profile_unreadable_and_its_message_never_quotes_it() {
        let dir = std::env::temp_dir().join(format!("tb-unreadable-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let latin1 = dir.join("latin1.json");
        std::fs::write(&latin1, b"{\"display_name\": \"caf\xe9 SECRETWORD\"}").unwrap();
        let huge = dir.join("huge.json");
        std::fs::write(&huge, vec![b' '; MAX_FILE_BYTES as usize + 1]).unwrap();
        for (path, phrase) in [(&latin1, "it is not UTF-8 text"), (&huge, "it is larger than 1 MiB"), (&dir, "it is not a regular file")] {
            let e = Profile::load_file(path, "p.json", &ProfileTrust::new(Vec::new(), true)).unwrap_err();
            assert_eq!(e.code(), "profile.unreadable", "{e}");
            assert!(!e.to_string().contains("SECRETWORD"), "{e}");
            let CoreError::ProfileUnreadable { file, .. } = e else { unreachable!() };
            assert_eq!(file.why.phrase(), phrase);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn registration_and_seal_to_are_checked() {
        let key = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
        assert!(custom_with(|v| v["handoff"]["seal_to"] = key.into()).is_ok());
        for bad in
            ["age1", "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS3290GZ", "ssh-ed25519 AAAA", &format!("{key}\n")]
        {
            let e = custom_with(|v| v["handoff"]["seal_to"] = bad.into()).unwrap_err().to_string();
            assert!(e.contains("handoff.seal_to"), "{bad}: {e}");
        }
        let reg = |url: serde_json::Value| {
            move |v: &mut serde_json::Value| {
                v["registration"] = serde_json::json!({"api": "mlcube-sdk-v1", "base_url": url, "external_id_issuer": "customer",
                    "uploads": ["gcp-key"], "api_key_help": "in the web app"})
            }
        };
        assert!(custom_with(reg(serde_json::Value::Null)).is_ok());
        assert!(custom_with(reg("https://api.vendor.example".into())).is_ok());
        for bad in ["http://api.vendor.example", "https://u:p@api.vendor.example", "https://api.vendor.example/?x=1", "ftp://x"] {
            let e = custom_with(reg(bad.into())).unwrap_err().to_string();
            assert!(e.contains("registration.base_url"), "{bad}: {e}");
        }
        // A vendor-issued external id needs a profile that requires one.
        let e = custom_with(|v| {
            reg(serde_json::Value::Null)(v);
            v["registration"]["external_id_issuer"] = "vendor".into();
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("external_id_issuer"), "{e}");
        // Unknown API kinds and fields are refused.
        assert!(custom_with(|v| {
            reg(serde_json::Value::Null)(v);
            v["registration"]["api"] = "someone-elses-api".into();
        })
        .is_err());
    }
}
