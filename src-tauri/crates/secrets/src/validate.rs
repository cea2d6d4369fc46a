//! Validation of what a customer pastes or picks: a GCP service-account key file and the JSON that
//! `az ad sp create-for-rbac` prints. Errors name the field and the rule, never the value.

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{SecretsCode, SecretsError};
use crate::sensitive::Sensitive;

/// Which secret an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum SecretKind {
    /// A GCP service-account key file (JSON).
    Gcp,
    /// An Azure service principal's client secret (the JSON `az ad sp create-for-rbac` prints).
    Azure,
    /// The key of the vendor's API (e.g. ML cube Platform's `X-Api-Key`), for registration.
    #[serde(rename = "vendor-api-key")]
    VendorApiKey,
}

impl SecretKind {
    /// The cloud credentials (the vendor API key is not one: it signs in to the vendor).
    pub const ALL: [SecretKind; 2] = [SecretKind::Gcp, SecretKind::Azure];

    /// The part of the keyring entry name that says what it holds.
    pub fn slug(self) -> &'static str {
        match self {
            SecretKind::Gcp => "gcp-service-account-key",
            SecretKind::Azure => "azure-client-secret",
            SecretKind::VendorApiKey => "vendor-api-key",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SecretKind::Gcp => "GCP service-account key",
            SecretKind::Azure => "Azure client secret",
            SecretKind::VendorApiKey => "vendor API key",
        }
    }

    pub fn parse(s: &str) -> Option<SecretKind> {
        match s {
            "gcp" => Some(SecretKind::Gcp),
            "azure" => Some(SecretKind::Azure),
            "vendor-api-key" => Some(SecretKind::VendorApiKey),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Gcp => "gcp",
            SecretKind::Azure => "azure",
            SecretKind::VendorApiKey => "vendor-api-key",
        }
    }
}

/// What identifies a stored secret without revealing it: the key id (GCP) and the principal
/// (`client_email` for GCP, `appId` for Azure). Safe to show, log and send to the webview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub kind: SecretKind,
    /// GCP: `private_key_id` (the id `gcloud iam service-accounts keys list` shows). Azure: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// GCP: `client_email`. Azure: `appId`.
    pub principal: String,
    /// GCP: `project_id`. Azure: `tenant`.
    pub scope: String,
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.kind, &self.key_id) {
            (SecretKind::Gcp, Some(k)) => write!(f, "key {} · {}", short(k), self.principal),
            (SecretKind::Gcp, None) => write!(f, "{}", self.principal),
            (SecretKind::Azure, _) => write!(f, "appId {} · tenant {}", self.principal, self.scope),
            (SecretKind::VendorApiKey, _) => write!(f, "key {}", self.principal),
        }
    }
}

fn short(id: &str) -> String {
    if id.len() > 12 {
        format!("{}…", &id[..12])
    } else {
        id.to_string()
    }
}

/// A validated secret of either kind, ready to store.
#[derive(Debug)]
pub enum ValidatedSecret {
    Gcp(GcpServiceAccountKey),
    Azure(AzureClientSecret),
    VendorApiKey(VendorApiKey),
}

impl ValidatedSecret {
    /// Validates `text` as a secret of `kind`.
    pub fn parse(kind: SecretKind, text: &Sensitive<String>) -> Result<ValidatedSecret, SecretsError> {
        Ok(match kind {
            SecretKind::Gcp => ValidatedSecret::Gcp(GcpServiceAccountKey::parse(text)?),
            SecretKind::Azure => ValidatedSecret::Azure(AzureClientSecret::parse(text)?),
            SecretKind::VendorApiKey => ValidatedSecret::VendorApiKey(VendorApiKey::parse(text)?),
        })
    }
    pub fn kind(&self) -> SecretKind {
        match self {
            ValidatedSecret::Gcp(_) => SecretKind::Gcp,
            ValidatedSecret::Azure(_) => SecretKind::Azure,
            ValidatedSecret::VendorApiKey(_) => SecretKind::VendorApiKey,
        }
    }
    pub fn fingerprint(&self) -> Fingerprint {
        match self {
            ValidatedSecret::Gcp(k) => k.fingerprint(),
            ValidatedSecret::Azure(s) => s.fingerprint(),
            ValidatedSecret::VendorApiKey(k) => k.fingerprint(),
        }
    }
    /// The text as stored in the keyring.
    pub(crate) fn raw(&self) -> &Sensitive<String> {
        match self {
            ValidatedSecret::Gcp(k) => &k.raw,
            ValidatedSecret::Azure(s) => &s.raw,
            ValidatedSecret::VendorApiKey(k) => &k.key,
        }
    }
}

fn json_error(prefix: &'static str, what: &str, (field, e): &(String, serde_json::Error)) -> SecretsError {
    // serde_json's own message can quote a value; only its category, the field and position are used.
    let why = match e.classify() {
        serde_json::error::Category::Eof => "it ends too early (was it pasted in full?)",
        serde_json::error::Category::Syntax => "it is not valid JSON",
        serde_json::error::Category::Data => "a field has the wrong type",
        serde_json::error::Category::Io => "it could not be read",
    };
    let at = if field.is_empty() || field == "." { String::new() } else { format!("field {field}, ") };
    SecretsError::invalid(
        if prefix == "gcp" { SecretsCode::GcpInvalidJson } else { SecretsCode::AzureInvalidJson },
        if field.is_empty() || field == "." { "(file)" } else { field.as_str() },
        format!("{why} ({at}line {}, column {})", e.line(), e.column()),
        format!("paste or pick the whole {what}, exactly as it was downloaded or printed"),
    )
}

/// Parses JSON; a failure carries the field path (`client_email`) beside serde's error.
fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, (String, serde_json::Error)> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = serde_path_to_error::deserialize(&mut de).map_err(|e| (e.path().to_string(), e.into_inner()))?;
    de.end().map_err(|e| (String::new(), e))?;
    Ok(v)
}

fn present(v: Option<String>, code: SecretsCode, field: &str, fix: &str) -> Result<String, SecretsError> {
    match v.map(|s| s.trim().to_string()) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(SecretsError::invalid(code, field, "is missing", fix)),
    }
}

/// `8-4-4-4-12` hex digits.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5 && parts.iter().zip([8, 4, 4, 4, 12]).all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

// ---------------------------------------------------------------------------------------------
// GCP

/// A parsed, checked GCP service-account key. The private key never leaves this type: it signs.
pub struct GcpServiceAccountKey {
    pub project_id: String,
    pub client_email: String,
    pub private_key_id: String,
    pub token_uri: String,
    key: aws_lc_rs::rsa::KeyPair,
    raw: Sensitive<String>,
}

impl fmt::Debug for GcpServiceAccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcpServiceAccountKey")
            .field("project_id", &self.project_id)
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .field("token_uri", &self.token_uri)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

#[derive(Deserialize)]
struct RawGcpKey {
    #[serde(rename = "type")]
    kind: Option<String>,
    project_id: Option<String>,
    private_key_id: Option<String>,
    private_key: Option<Sensitive<String>>,
    client_email: Option<String>,
    token_uri: Option<String>,
}

const GCP_FIX_DOWNLOAD: &str = "create a key for the service account (`gcloud iam service-accounts keys create key.json --iam-account=SA_EMAIL`) and pick that file; or use the keyless Workload Identity Federation setup instead";

impl GcpServiceAccountKey {
    pub fn parse(text: &Sensitive<String>) -> Result<GcpServiceAccountKey, SecretsError> {
        let raw: RawGcpKey = parse_json(text.expose()).map_err(|e| json_error("gcp", "service-account key file (JSON)", &e))?;
        match raw.kind.as_deref() {
            Some("service_account") => {}
            Some("external_account") => {
                return Err(SecretsError::invalid(
                    SecretsCode::GcpKeylessConfig,
                    "type",
                    "is 'external_account': this is a Workload Identity Federation credential configuration, which holds no secret",
                    "nothing to store: hand this file to the vendor as it is (it is part of the keyless setup's hand-off)",
                ))
            }
            Some("authorized_user") => {
                return Err(SecretsError::invalid(
                    SecretsCode::GcpNotServiceAccount,
                    "type",
                    "is 'authorized_user': these are your own gcloud login credentials, not a service-account key",
                    GCP_FIX_DOWNLOAD,
                ))
            }
            Some(_) => {
                return Err(SecretsError::invalid(SecretsCode::GcpNotServiceAccount, "type", "must be 'service_account'", GCP_FIX_DOWNLOAD))
            }
            None => return Err(SecretsError::invalid(SecretsCode::GcpNotServiceAccount, "type", "is missing", GCP_FIX_DOWNLOAD)),
        }
        let project_id = present(raw.project_id, SecretsCode::GcpMissingField, "project_id", GCP_FIX_DOWNLOAD)?;
        let client_email = present(raw.client_email, SecretsCode::GcpMissingField, "client_email", GCP_FIX_DOWNLOAD)?;
        if !client_email.contains('@') || client_email.chars().any(char::is_whitespace) {
            return Err(SecretsError::invalid(SecretsCode::GcpClientEmail, "client_email", "is not an email address", GCP_FIX_DOWNLOAD));
        }
        let private_key_id = present(raw.private_key_id, SecretsCode::GcpMissingField, "private_key_id", GCP_FIX_DOWNLOAD)?;
        if !private_key_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SecretsError::invalid(SecretsCode::GcpPrivateKeyId, "private_key_id", "must be hexadecimal", GCP_FIX_DOWNLOAD));
        }
        let token_uri = raw.token_uri.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let token_uri = token_uri.unwrap_or_else(|| "https://oauth2.googleapis.com/token".into());
        check_token_uri(&token_uri)?;
        let pem = raw
            .private_key
            .ok_or_else(|| SecretsError::invalid(SecretsCode::GcpMissingField, "private_key", "is missing", GCP_FIX_DOWNLOAD))?;
        let key = parse_rsa_pem(&pem)?;
        Ok(GcpServiceAccountKey { project_id, client_email, private_key_id, token_uri, key, raw: Sensitive::new(text.expose().clone()) })
    }

    /// The key must be for the plan's project (and, when given, the plan's service account).
    pub fn check_plan(&self, project_id: &str, service_account_email: Option<&str>) -> Result<(), SecretsError> {
        if self.project_id != project_id {
            return Err(SecretsError::invalid(
                SecretsCode::GcpProjectMismatch,
                "project_id",
                format!("is '{}', but the plan is for project '{project_id}'", self.project_id),
                format!("pick the key of a service account in project '{project_id}', or correct gcp.project_id in the plan"),
            ));
        }
        if let Some(want) = service_account_email {
            if !self.client_email.eq_ignore_ascii_case(want) {
                return Err(SecretsError::invalid(
                    SecretsCode::GcpServiceAccountMismatch,
                    "client_email",
                    format!("is '{}', but the plan names service account '{want}'", self.client_email),
                    format!("create a key for {want} (`gcloud iam service-accounts keys create key.json --iam-account={want}`), or correct gcp.service_account in the plan"),
                ));
            }
        }
        Ok(())
    }

    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            kind: SecretKind::Gcp,
            key_id: Some(self.private_key_id.clone()),
            principal: self.client_email.clone(),
            scope: self.project_id.clone(),
        }
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`) over `message`.
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, SecretsError> {
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.key.sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &rng, message, &mut sig).map_err(|_| {
            SecretsError::invalid(SecretsCode::GcpPrivateKey, "private_key", "could not sign with this key", GCP_FIX_DOWNLOAD)
        })?;
        Ok(sig)
    }

    /// The PKCS#1 DER public key (for tests and diagnostics; not secret).
    pub fn public_key_der(&self) -> Vec<u8> {
        use aws_lc_rs::signature::KeyPair as _;
        self.key.public_key().as_ref().to_vec()
    }
}

/// The key's token endpoint receives a signed assertion: the credential-URL rule
/// ([`crate::check_credential_url`]: https, or plain http to this machine for emulators and token
/// doubles; no userinfo, no fragment).
fn check_token_uri(uri: &str) -> Result<(), SecretsError> {
    crate::url_rule::check_credential_url(uri).map(|_| ()).map_err(|why| {
        SecretsError::invalid(
            SecretsCode::GcpTokenUri,
            "token_uri",
            why,
            "use the key file exactly as Google issued it (token_uri https://oauth2.googleapis.com/token)",
        )
    })
}

fn parse_rsa_pem(pem: &Sensitive<String>) -> Result<aws_lc_rs::rsa::KeyPair, SecretsError> {
    let bad = |message: &str| {
        SecretsError::invalid(
            SecretsCode::GcpPrivateKey,
            "private_key",
            message.to_string(),
            "the key file is damaged or edited: download a new key (the file is only offered once)",
        )
    };
    let text = pem.expose();
    // PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY"); the markers are built, not written
    // out, so a scan for committed keys does not mistake this parser for a key.
    let begin = |label: &str| format!("-----BEGIN {label}-----");
    let found =
        ["PRIVATE KEY", "RSA PRIVATE KEY"].into_iter().find_map(|label| text.find(&begin(label)).map(|i| (label, i + begin(label).len())));
    let Some((label, body_start)) = found else {
        return Err(bad("is not a PEM private key (no BEGIN PRIVATE KEY line)"));
    };
    let end_marker = format!("-----END {label}-----");
    let Some(end) = text[body_start..].find(&end_marker) else {
        return Err(bad("is not a PEM private key (no END line)"));
    };
    let body = Sensitive::new(text[body_start..body_start + end].chars().filter(|c| !c.is_whitespace()).collect::<String>());
    let der = Sensitive::new(
        base64::engine::general_purpose::STANDARD
            .decode(body.expose().as_bytes())
            .map_err(|_| bad("is not valid base64 inside the PEM"))?,
    );
    let key = if label == "PRIVATE KEY" {
        aws_lc_rs::rsa::KeyPair::from_pkcs8(der.expose())
    } else {
        aws_lc_rs::rsa::KeyPair::from_der(der.expose())
    };
    key.map_err(|_| bad("does not parse as an RSA private key"))
}

// ---------------------------------------------------------------------------------------------
// Azure

/// A parsed, checked Azure client secret (`az ad sp create-for-rbac` output).
pub struct AzureClientSecret {
    pub app_id: String,
    pub tenant: String,
    pub display_name: Option<String>,
    password: Sensitive<String>,
    raw: Sensitive<String>,
}

impl fmt::Debug for AzureClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureClientSecret")
            .field("app_id", &self.app_id)
            .field("tenant", &self.tenant)
            .field("display_name", &self.display_name)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Deserialize)]
struct RawAzure {
    #[serde(rename = "appId")]
    app_id: Option<String>,
    tenant: Option<String>,
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    password: Option<Sensitive<String>>,
}

const AZURE_FIX: &str = "paste the whole JSON that `az ad sp create-for-rbac --name NAME` printed (it has appId, displayName, password and tenant); to get a new secret: `az ad sp credential reset --id APP_ID`";

impl AzureClientSecret {
    pub fn parse(text: &Sensitive<String>) -> Result<AzureClientSecret, SecretsError> {
        let raw: RawAzure = parse_json(text.expose()).map_err(|e| json_error("azure", "JSON printed by `az ad sp create-for-rbac`", &e))?;
        let app_id = present(raw.app_id, SecretsCode::AzureMissingField, "appId", AZURE_FIX)?;
        if !is_guid(&app_id) {
            return Err(SecretsError::invalid(SecretsCode::AzureAppId, "appId", "must be a GUID (8-4-4-4-12 hex digits)", AZURE_FIX));
        }
        let tenant = present(raw.tenant, SecretsCode::AzureMissingField, "tenant", AZURE_FIX)?;
        if !is_guid(&tenant) {
            return Err(SecretsError::invalid(SecretsCode::AzureTenant, "tenant", "must be a GUID (8-4-4-4-12 hex digits)", AZURE_FIX));
        }
        let password = match raw.password {
            Some(p) if !p.expose().trim().is_empty() => p,
            _ => return Err(SecretsError::invalid(SecretsCode::AzurePassword, "password", "is missing or empty", AZURE_FIX)),
        };
        Ok(AzureClientSecret {
            app_id: app_id.to_ascii_lowercase(),
            tenant: tenant.to_ascii_lowercase(),
            display_name: raw.display_name,
            password,
            raw: Sensitive::new(text.expose().clone()),
        })
    }

    /// The secret's tenant must be the plan's.
    pub fn check_plan(&self, tenant_id: &str) -> Result<(), SecretsError> {
        if !self.tenant.eq_ignore_ascii_case(tenant_id) {
            return Err(SecretsError::invalid(
                SecretsCode::AzureTenantMismatch,
                "tenant",
                format!("is '{}', but the plan is for tenant '{tenant_id}'", self.tenant),
                format!("create the service principal while signed in to tenant {tenant_id} (`az login --tenant {tenant_id}`), or correct azure.tenant_id in the plan"),
            ));
        }
        Ok(())
    }

    /// The client secret, for the client-credentials grant only.
    pub fn password(&self) -> &Sensitive<String> {
        &self.password
    }

    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint { kind: SecretKind::Azure, key_id: None, principal: self.app_id.clone(), scope: self.tenant.clone() }
    }
}

// ---------------------------------------------------------------------------------------------
// Vendor API key

/// The key of a vendor's API (ML cube Platform: the `X-Api-Key` header). Checked for shape only: one
/// token of 8-1024 visible ASCII characters; the vendor's API is the judge of whether it is valid.
pub struct VendorApiKey {
    key: Sensitive<String>,
    /// The API address the key was given for (kept with it in the keyring, as its fingerprint's
    /// scope): a stored key is sent to that address only. None: not said (a key just typed, or one
    /// stored before Trustbridge kept the address).
    address: Option<String>,
}

impl fmt::Debug for VendorApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorApiKey").field("key", &"<redacted>").finish()
    }
}

const VENDOR_KEY_FIX: &str = "paste the API key exactly as the vendor's web app showed it (one line, no spaces)";

impl VendorApiKey {
    pub fn parse(text: &Sensitive<String>) -> Result<VendorApiKey, SecretsError> {
        let t = text.expose().trim();
        if t.is_empty() {
            return Err(SecretsError::invalid(SecretsCode::VendorApiKeyMissing, "(key)", "is empty", VENDOR_KEY_FIX));
        }
        if !(8..=1024).contains(&t.len()) {
            return Err(SecretsError::invalid(SecretsCode::VendorApiKeyLength, "(key)", "must be 8 to 1024 characters", VENDOR_KEY_FIX));
        }
        if !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(SecretsError::invalid(
                SecretsCode::VendorApiKeyCharacters,
                "(key)",
                "may hold only visible ASCII characters (no spaces, line breaks or other characters)",
                VENDOR_KEY_FIX,
            ));
        }
        Ok(VendorApiKey { key: Sensitive::new(t.to_string()), address: None })
    }

    /// The key, given for the API at `address` (kept with it when stored).
    pub fn for_address(self, address: &str) -> VendorApiKey {
        VendorApiKey { address: Some(address.to_string()), ..self }
    }

    /// The API address the key was given for, if known.
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// The key, for the API's header only.
    pub fn expose(&self) -> &str {
        self.key.expose()
    }

    /// A short digest of the key (never the key, nor a part of it).
    pub fn fingerprint(&self) -> Fingerprint {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.key.expose().as_bytes());
        let short: String = d.as_ref().iter().take(4).map(|b| format!("{b:02x}")).collect();
        Fingerprint {
            kind: SecretKind::VendorApiKey,
            key_id: None,
            principal: format!("sha256:{short}"),
            scope: self.address.clone().unwrap_or_default(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// AWS credentials pasted from the IAM Identity Center access portal

/// AWS credentials a person pasted from the access portal's "Access keys" page: Option 1 (the
/// lines that set `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, in the
/// macOS/Linux `export`, Windows `SET` or PowerShell `$Env:` form) or Option 2 (the lines of a
/// credentials-file profile: `[profile]`, `aws_access_key_id = …`). Kept in memory only; the secret
/// key and token are [`Sensitive`], and `Debug` shows only the access key id's last four characters.
pub struct AwsPastedCredentials {
    access_key_id: String,
    secret_access_key: Sensitive<String>,
    session_token: Option<Sensitive<String>>,
}

impl fmt::Debug for AwsPastedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsPastedCredentials")
            .field("access_key_id", &self.access_key_id_hint())
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The most text accepted: Option 1 with a long session token is about 1.5 KB.
pub const AWS_PASTE_MAX_BYTES: usize = 16 * 1024;

const AWS_FIELDS: [(&str, &str); 3] = [
    ("aws_access_key_id", "AWS_ACCESS_KEY_ID"),
    ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"),
    ("aws_session_token", "AWS_SESSION_TOKEN"),
];

/// Every `NAME=VALUE` of the portal's forms in `text`, in order: a name of [`AWS_FIELDS`] at a word
/// boundary (after `export `, `SET `, `$Env:` or a line start), `=` with optional blanks around it,
/// then a value in double or single quotes (up to the closing quote, on the same line) or a run of
/// non-blank characters. Reading assignments rather than lines also takes text whose line breaks
/// were lost on the way (pasted into a one-line field): `…="ASIA…"export AWS_SECRET_ACCESS_KEY=…`.
fn aws_assignments(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    for (i, (file, env)) in AWS_FIELDS.iter().enumerate() {
        for name in [file, env] {
            let mut from = 0;
            while let Some(at) = text[from..].find(name).map(|p| p + from) {
                from = at + name.len();
                let before = text[..at].chars().next_back();
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = text[from..].trim_start_matches([' ', '\t']);
                let Some(rest) = rest.strip_prefix('=') else { continue };
                let rest = rest.trim_start_matches([' ', '\t']);
                let value = match rest.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let inner = &rest[1..];
                        match inner.find([q, '\n', '\r']) {
                            Some(end) if inner[end..].starts_with(q) => &inner[..end],
                            _ => continue,
                        }
                    }
                    _ => rest.split(|c: char| c.is_whitespace() || c == '"' || c == '\'').next().unwrap_or_default(),
                };
                found.push((at, i, value));
            }
        }
    }
    found.sort_by_key(|(at, _, _)| *at);
    found.into_iter().map(|(_, i, v)| (i, v)).collect()
}

impl AwsPastedCredentials {
    pub fn parse(text: &Sensitive<String>) -> Result<AwsPastedCredentials, SecretsError> {
        let t = text.expose();
        if t.len() > AWS_PASTE_MAX_BYTES {
            return Err(SecretsError::TooLarge { len: t.len(), max: AWS_PASTE_MAX_BYTES });
        }
        let mut found: [Option<&str>; 3] = [None, None, None];
        for (i, value) in aws_assignments(t) {
            match found[i] {
                Some(v) if v != value => {
                    return Err(SecretsError::invalid(
                        SecretsCode::AwsConflict,
                        AWS_FIELDS[i].1,
                        "is set twice, to different values (the credentials of two roles were pasted)",
                        "copy the credentials of one account and role only",
                    ))
                }
                _ => found[i] = Some(value),
            }
        }
        let fix = "copy all of Option 1 or Option 2 from the AWS access portal's \"Access keys\" page";
        let [Some(id), secret, token] = found else {
            return Err(if found.iter().all(Option::is_none) {
                SecretsError::invalid(
                    SecretsCode::AwsNothingFound,
                    "(credentials)",
                    "holds no AWS_ACCESS_KEY_ID / aws_access_key_id line",
                    fix,
                )
            } else {
                SecretsError::invalid(SecretsCode::AwsMissingField, AWS_FIELDS[0].1, "is missing", fix)
            });
        };
        let Some(secret) = secret else {
            return Err(SecretsError::invalid(SecretsCode::AwsMissingField, AWS_FIELDS[1].1, "is missing", fix));
        };
        let temporary = id.starts_with("ASIA");
        if !(id.starts_with("AKIA") || temporary)
            || !(16..=128).contains(&id.len())
            || !id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(SecretsError::invalid(
                SecretsCode::AwsAccessKeyId,
                AWS_FIELDS[0].1,
                "must be 16 to 128 capital letters and digits starting with ASIA or AKIA",
                fix,
            ));
        }
        let b64 = |s: &str, pad: bool| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || (pad && b == b'='));
        if secret.len() != 40 || !b64(secret, false) {
            return Err(SecretsError::invalid(
                SecretsCode::AwsSecretKey,
                AWS_FIELDS[1].1,
                "must be 40 characters of letters, digits, '+' and '/'",
                fix,
            ));
        }
        let token = match token {
            Some(tok) if tok.len() < 16 || tok.len() > 8192 || !b64(tok, true) => {
                return Err(SecretsError::invalid(
                    SecretsCode::AwsSessionToken,
                    AWS_FIELDS[2].1,
                    "must be one line of 16 to 8192 letters, digits, '+', '/' and '='",
                    fix,
                ))
            }
            None if temporary => {
                return Err(SecretsError::invalid(
                    SecretsCode::AwsSessionToken,
                    AWS_FIELDS[2].1,
                    "is missing: temporary keys (ASIA…) work only with their session token",
                    fix,
                ))
            }
            t => t.map(|t| Sensitive::new(t.to_string())),
        };
        Ok(AwsPastedCredentials {
            access_key_id: id.to_string(),
            secret_access_key: Sensitive::new(secret.to_string()),
            session_token: token,
        })
    }

    /// The access key id (not a secret, but an identifier: show [`Self::access_key_id_hint`]).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// "…WXYZ": the last four characters, as the AWS console shows keys.
    pub fn access_key_id_hint(&self) -> String {
        let n = self.access_key_id.len();
        format!("…{}", &self.access_key_id[n.saturating_sub(4)..])
    }

    /// The secret access key, for the SDK's credentials only.
    pub fn secret_access_key(&self) -> &Sensitive<String> {
        &self.secret_access_key
    }

    /// The session token of temporary credentials, for the SDK's credentials only.
    pub fn session_token(&self) -> Option<&Sensitive<String>> {
        self.session_token.as_ref()
    }

    /// Temporary credentials (an ASIA key with its session token), as the access portal gives.
    pub fn is_temporary(&self) -> bool {
        self.session_token.is_some()
    }
}

#[cfg(test)]
mod aws_paste_tests {
    use super::*;

    const ID: &str = "ASIAZZZZEXAMPLE7WXYZ";
    const SECRET: &str = "CANARYsecretCANARYsecretCANARYsecret0123";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjCANARYtokenCANARYtoken+/=";

    fn parse(text: &str) -> Result<AwsPastedCredentials, SecretsError> {
        AwsPastedCredentials::parse(&Sensitive::new(text.to_string()))
    }

    fn ok(text: &str) {
        let c = parse(text).unwrap_or_else(|e| panic!("{e} for {text}"));
        assert_eq!(c.access_key_id(), ID);
        assert_eq!(c.secret_access_key().expose(), SECRET);
        assert_eq!(c.session_token().map(|t| t.expose().as_str()), Some(TOKEN));
        let debug = format!("{c:?}");
        assert!(!debug.contains(SECRET) && !debug.contains(TOKEN) && !debug.contains(ID), "{debug}");
        assert!(debug.contains("…WXYZ"));
    }

    #[test]
    fn every_form_of_the_access_portal_is_read() {
        ok(&format!(
            "export AWS_ACCESS_KEY_ID=\"{ID}\"\nexport AWS_SECRET_ACCESS_KEY=\"{SECRET}\"\nexport AWS_SESSION_TOKEN=\"{TOKEN}\"\n"
        ));
        ok(&format!("SET AWS_ACCESS_KEY_ID={ID}\r\nSET AWS_SECRET_ACCESS_KEY={SECRET}\r\nSET AWS_SESSION_TOKEN={TOKEN}\r\n"));
        ok(&format!("$Env:AWS_ACCESS_KEY_ID=\"{ID}\"\n$Env:AWS_SECRET_ACCESS_KEY=\"{SECRET}\"\n$Env:AWS_SESSION_TOKEN=\"{TOKEN}\""));
        ok(&format!(
            "[123456789012_AdministratorAccess]\naws_access_key_id={ID}\naws_secret_access_key = {SECRET}\naws_session_token={TOKEN}\n"
        ));
        // Line breaks lost on the way (pasted into a one-line field): the quotes still separate the values.
        ok(&format!("export AWS_ACCESS_KEY_ID=\"{ID}\"export AWS_SECRET_ACCESS_KEY=\"{SECRET}\"export AWS_SESSION_TOKEN=\"{TOKEN}\""));
        ok(&format!("aws_access_key_id={ID} aws_secret_access_key={SECRET} aws_session_token={TOKEN}"));
        // Pasted with the page's other lines around it, twice the same: still one set.
        ok(&format!("Option 1: Set AWS environment variables\n# comment\nexport AWS_ACCESS_KEY_ID=\"{ID}\"\nexport AWS_ACCESS_KEY_ID=\"{ID}\"\nexport AWS_SECRET_ACCESS_KEY=\"{SECRET}\"\nexport AWS_SESSION_TOKEN=\"{TOKEN}\"\nexport AWS_REGION=eu-west-1\n"));
    }

    #[test]
    fn a_refusal_names_the_field_and_rule_and_never_shows_a_secret() {
        let cases: Vec<(String, SecretsCode, &str)> = vec![
            ("hello".into(), SecretsCode::AwsNothingFound, "(credentials)"),
            (format!("aws_secret_access_key={SECRET}\naws_session_token={TOKEN}"), SecretsCode::AwsMissingField, "AWS_ACCESS_KEY_ID"),
            (format!("aws_access_key_id={ID}\naws_session_token={TOKEN}"), SecretsCode::AwsMissingField, "AWS_SECRET_ACCESS_KEY"),
            (format!("aws_access_key_id={ID}\naws_secret_access_key={SECRET}"), SecretsCode::AwsSessionToken, "AWS_SESSION_TOKEN"),
            (
                format!("aws_access_key_id=asia{SECRET}\naws_secret_access_key={SECRET}\naws_session_token={TOKEN}"),
                SecretsCode::AwsAccessKeyId,
                "AWS_ACCESS_KEY_ID",
            ),
            (
                format!("aws_access_key_id={ID}\naws_secret_access_key={SECRET}x\naws_session_token={TOKEN}"),
                SecretsCode::AwsSecretKey,
                "AWS_SECRET_ACCESS_KEY",
            ),
            (
                format!("aws_access_key_id={ID}\naws_secret_access_key={SECRET}\naws_session_token={TOKEN}!{SECRET}"),
                SecretsCode::AwsSessionToken,
                "AWS_SESSION_TOKEN",
            ),
            (
                format!(
                    "aws_access_key_id={ID}\naws_secret_access_key={SECRET}\naws_secret_access_key={}\naws_session_token={TOKEN}",
                    SECRET.to_lowercase()
                ),
                SecretsCode::AwsConflict,
                "AWS_SECRET_ACCESS_KEY",
            ),
            ("x".repeat(AWS_PASTE_MAX_BYTES + 1), SecretsCode::TooLarge, ""),
        ];
        for (text, code, field) in cases {
            let e = parse(&text).expect_err(&text);
            assert_eq!(e.error_code(), code, "{text}");
            if let SecretsError::Invalid { field: f, .. } = &e {
                assert_eq!(f, field);
            }
            let shown = format!("{e} {e:?} {:?} {:?}", e.fix(), e.window_fix());
            for secret in [SECRET, TOKEN, &SECRET.to_lowercase()] {
                assert!(!shown.contains(secret), "{shown}");
            }
        }
        // Long-term keys (AKIA) without a token are credentials too.
        let c = parse(&format!("aws_access_key_id={}ZZZZEXAMPLE7WXYZ\naws_secret_access_key={SECRET}", "AKIA")).unwrap();
        assert!(!c.is_temporary());
    }
}
