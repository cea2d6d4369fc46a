//! What every cloud's connectivity test shares: the probe result every probe ends as
//! (`{id, status, duration_ms, message, fix, code}`), the live events, how a probe ends before it is
//! timed ([`Outcome`]), and the one runner that bounds and times it ([`run`]). AWS, Google Cloud and
//! Azure all run their probes through here, so a probe looks and behaves the same on every cloud.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::Serialize;
use trustbridge_secrets::SecretsCode;

use crate::error::{CloudCode, CloudError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ProbeStatus {
    Pass,
    /// Checked only partly: what it could check passed, and `fix` says what it could not check.
    Partial,
    Fail,
    Skip,
}

/// What a probe checks. With the cloud and the target, a probe's [`ProbeId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// The customer's credentials sign in (AWS: as the plan's account).
    Credentials,
    /// A keyless route: nothing on this computer to sign in with.
    Keyless,
    RoleExists,
    TrustPolicy,
    Permissions,
    Bucket,
    EventBus,
    Container,
    Topic,
    VendorAssumeRole,
    VendorWrongExternalId,
    VendorNoExternalId,
    VendorListObjects,
    VendorPutEvents,
    /// The vendor's registration of this cloud's access (its API).
    VendorRegistration,
    /// Role packs: a customer-managed policy, a role.
    ManagedPolicy,
    Role,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Credentials => "credentials",
            Check::Keyless => "keyless",
            Check::RoleExists => "role_exists",
            Check::TrustPolicy => "trust_policy",
            Check::Permissions => "permissions",
            Check::Bucket => "bucket",
            Check::EventBus => "event_bus",
            Check::Container => "container",
            Check::Topic => "topic",
            Check::VendorAssumeRole => "vendor_assume_role",
            Check::VendorWrongExternalId => "vendor_wrong_external_id",
            Check::VendorNoExternalId => "vendor_no_external_id",
            Check::VendorListObjects => "vendor_list_objects",
            Check::VendorPutEvents => "vendor_put_events",
            Check::VendorRegistration => "vendor_registration",
            Check::ManagedPolicy => "managed_policy",
            Check::Role => "role",
        }
    }
}

/// A probe's identity, typed: `{cloud, check, target}`. It reads (and serializes) as
/// `cloud:check` or `cloud:check:target` — `aws:role_exists`, `gcp:bucket:training-data`,
/// `azure:container:acct/models` — the same shape on every cloud.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProbeId {
    cloud: Cloud,
    check: Check,
    target: Option<String>,
    text: String,
}

impl ProbeId {
    pub fn new(cloud: Cloud, check: Check) -> ProbeId {
        ProbeId { cloud, check, target: None, text: format!("{}:{}", cloud.as_str(), check.as_str()) }
    }

    /// A check of one thing: a bucket, a bus, a container, a topic, a policy, a role.
    pub fn on(cloud: Cloud, check: Check, target: impl Into<String>) -> ProbeId {
        let target = target.into();
        let text = format!("{}:{}:{target}", cloud.as_str(), check.as_str());
        ProbeId { cloud, check, target: Some(target), text }
    }

    pub fn cloud(&self) -> Cloud {
        self.cloud
    }

    pub fn check(&self) -> Check {
        self.check
    }

    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The probe in plain words, for the window: "The role exists", "Cloud Storage bucket b",
    /// "Registered with ML cube Platform: AWS" (`vendor`: the vendor's display name).
    pub fn title(&self, vendor: &str) -> String {
        let t = self.target.as_deref().unwrap_or_default();
        let cloud = self.cloud.display_name();
        match (self.cloud, self.check) {
            (Cloud::Aws, Check::Credentials) => "Your AWS credentials work".into(),
            (Cloud::Gcp, Check::Credentials) => "The Google Cloud key signs in".into(),
            (Cloud::Azure, Check::Credentials) => "The Azure service principal signs in".into(),
            (_, Check::Keyless) => format!("{cloud}: keyless sign-in"),
            (_, Check::RoleExists) => "The role exists".into(),
            (_, Check::TrustPolicy) => "The trust policy lets only the vendor in".into(),
            (_, Check::Permissions) => "The role's permissions match the plan".into(),
            (_, Check::VendorAssumeRole) => "The vendor can assume the role".into(),
            (_, Check::VendorNoExternalId) => "Without the external ID the vendor is refused".into(),
            (_, Check::VendorWrongExternalId) => "With a wrong external ID the vendor is refused".into(),
            (Cloud::Gcp, Check::Bucket) => format!("Cloud Storage bucket {t}"),
            (_, Check::Bucket) => format!("Bucket {t}"),
            (_, Check::EventBus) => format!("Event bus {t}"),
            (_, Check::Container) => format!("Blob container {t}"),
            (Cloud::Azure, Check::Topic) => format!("Event Grid topic {t}"),
            (_, Check::Topic) => format!("Pub/Sub topic {t}"),
            (_, Check::VendorListObjects) => format!("The vendor can list bucket {t}"),
            (_, Check::VendorPutEvents) => format!("The vendor can send events to {t}"),
            (_, Check::VendorRegistration) => format!("Registered with {vendor}: {cloud}"),
            (_, Check::ManagedPolicy) => format!("Managed policy {t}"),
            (_, Check::Role) => format!("Role {t}"),
        }
    }
}

impl std::fmt::Display for ProbeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that `{:<34}` lines the CLI's columns up.
        f.pad(&self.text)
    }
}

impl Serialize for ProbeId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl PartialEq<str> for ProbeId {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for ProbeId {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

/// One probe's result. `code` is the stable error code when it failed on an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeResult {
    pub id: ProbeId,
    pub status: ProbeStatus,
    pub duration_ms: u64,
    pub message: String,
    pub fix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ProbeCode>,
}

/// What a whole connectivity test proved: one rule for the CLI and the window. Nothing proven is
/// not a pass: a run whose probes were all skipped (or that ran none) is [`Verdict::NothingProven`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No probe failed, at least one passed, and none was checked only partly.
    Pass,
    /// No probe failed, and at least one was checked only partly: not a clean pass.
    Partial,
    /// At least one probe failed.
    Fail,
    /// No probe failed and none passed.
    NothingProven,
}

impl Verdict {
    pub fn of(results: &[ProbeResult]) -> Verdict {
        if results.iter().any(|p| p.status == ProbeStatus::Fail) {
            Verdict::Fail
        } else if results.iter().any(|p| p.status == ProbeStatus::Partial) {
            Verdict::Partial
        } else if results.iter().any(|p| p.status == ProbeStatus::Pass) {
            Verdict::Pass
        } else {
            Verdict::NothingProven
        }
    }
}

/// Live progress for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProbeEvent {
    Started {
        id: ProbeId,
    },
    /// A probe is waiting for something (IAM propagation) and says what.
    Waiting {
        id: ProbeId,
        message: String,
    },
    Finished(ProbeResult),
}

pub type Progress<'a> = &'a (dyn Fn(ProbeEvent) + Send + Sync);

/// How a probe ended, before timing is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass(String),
    /// Checked only partly: what was checked (`message`), and what was not and how to check it.
    Partial {
        message: String,
        unchecked: String,
    },
    Fail {
        code: Option<ProbeCode>,
        message: String,
        fix: Option<String>,
    },
    Skip(String),
}

impl Outcome {
    /// A failure with its stable code (`{cloud}.{kind}`) and a fix.
    pub fn fail(code: Code, message: impl Into<String>, fix: impl Into<String>) -> Outcome {
        Outcome::Fail { code: Some(code.into()), message: message.into(), fix: Some(fix.into()) }
    }
}

impl From<CloudError> for Outcome {
    fn from(e: CloudError) -> Self {
        Outcome::Fail { message: e.to_string(), fix: e.fix(), code: Some(e.error_code().into()) }
    }
}

/// A cloud: the first half of a probe's codes (`{cloud}.{kind}`), and what a vendor registration
/// covers (`register.rs`). Serialized in lower case, as [`Cloud::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    Aws,
    Gcp,
    Azure,
}

impl Cloud {
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Gcp => "gcp",
            Cloud::Azure => "azure",
        }
    }

    /// The cloud's name in plain words.
    pub fn display_name(self) -> &'static str {
        match self {
            Cloud::Aws => "AWS",
            Cloud::Gcp => "Google Cloud",
            Cloud::Azure => "Azure",
        }
    }
}

/// A failed probe's code: a cloud error's (`aws.*`, `vendor.*`, `pack.drift`), a stored
/// credential's (`keyring.*`, `secrets.*`), or a Google Cloud / Azure probe's (`{cloud}.{kind}`).
/// Serialized as its string; it reads as one too (`code.as_deref() == Some("gcp.timeout")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeCode {
    Cloud(CloudCode),
    Secrets(SecretsCode),
    Probe(Code),
}

impl ProbeCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeCode::Cloud(c) => c.as_str(),
            ProbeCode::Secrets(c) => c.as_str(),
            ProbeCode::Probe(c) => c.as_str(),
        }
    }
}

impl std::ops::Deref for ProbeCode {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for ProbeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProbeCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl From<CloudCode> for ProbeCode {
    fn from(c: CloudCode) -> ProbeCode {
        ProbeCode::Cloud(c)
    }
}

impl From<SecretsCode> for ProbeCode {
    fn from(c: SecretsCode) -> ProbeCode {
        ProbeCode::Secrets(c)
    }
}

impl From<Code> for ProbeCode {
    fn from(c: Code) -> ProbeCode {
        ProbeCode::Probe(c)
    }
}

/// Declares [`Kind`] from one table: each kind's string (the second half of a probe code), the
/// clouds whose probes report it, and the generic fix the catalogue shows; with [`Kind::ALL`] and
/// the full codes ([`Code::as_str`]).
macro_rules! kinds {
    ( $( $(#[$doc:meta])* $kind:ident = $s:literal for [$($cloud:ident),+] => $fix:literal, )* ) => {
        /// What went wrong in a Google Cloud or Azure probe: the second half of its code. (AWS
        /// failures are [`CloudError`]s, whose codes come from [`CloudError::code`].)
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind {
            $( $(#[$doc])* $kind, )*
        }

        impl Kind {
            /// Every kind, for the catalogue of codes.
            pub const ALL: &'static [Kind] = &[ $( Kind::$kind, )* ];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Kind::$kind => $s, )*
                }
            }

            /// The clouds whose probes report this kind (the catalogue lists `{cloud}.{kind}` for these).
            pub const fn clouds(self) -> &'static [Cloud] {
                match self {
                    $( Kind::$kind => &[ $( Cloud::$cloud, )+ ], )*
                }
            }

            /// What to do about it in general, in plain language (for the catalogue).
            pub const fn fix(self) -> &'static str {
                match self {
                    $( Kind::$kind => $fix, )*
                }
            }
        }

        impl Code {
            /// `{cloud}.{kind}`.
            pub const fn as_str(self) -> &'static str {
                match self.cloud {
                    Cloud::Aws => match self.kind {
                        $( Kind::$kind => concat!("aws.", $s), )*
                    },
                    Cloud::Gcp => match self.kind {
                        $( Kind::$kind => concat!("gcp.", $s), )*
                    },
                    Cloud::Azure => match self.kind {
                        $( Kind::$kind => concat!("azure.", $s), )*
                    },
                }
            }
        }
    };
}

kinds! {
    Tls = "tls" for [Gcp, Azure] => "The extra CA certificate (PEM) configured for this computer could not be used: check that file.",
    Endpoint = "endpoint" for [Gcp, Azure] => "Set the endpoint to an https address (plain http only to this computer, for emulators).",
    Network = "network" for [Gcp, Azure] => "Check the network connection and proxy, then run the test again: it is safe to re-run.",
    PermissionMissing = "permission_missing" for [Gcp, Azure] => "Grant the role the plan lists on the bucket, container or topic (the failing probe's fix gives the exact command); new grants can take a few minutes to apply.",
    BucketNotFound = "bucket_not_found" for [Gcp] => "Create the bucket, or correct its name in the plan.",
    TokenRejected = "token_rejected" for [Gcp, Azure] => "The service rejected the sign-in token: run the test again; if it persists, check the credentials' project or tenant and store them again.",
    BucketError = "bucket_error" for [Gcp] => "Cloud Storage refused the check for another reason (see the message): check the bucket, then run the test again.",
    TopicNotFound = "topic_not_found" for [Gcp, Azure] => "Create the topic, or correct its name in the plan.",
    ApiDisabled = "api_disabled" for [Gcp] => "Enable the Pub/Sub API in the plan's Google Cloud project, then run the test again.",
    TopicError = "topic_error" for [Gcp] => "Pub/Sub refused the check for another reason (see the message): check the topic, then run the test again.",
    TokenEndpoint = "token_endpoint" for [Gcp] => "Use the key file exactly as Google issued it: its token address must be Google's https endpoint.",
    KeyInvalid = "key_invalid" for [Gcp] => "The stored key cannot sign in: create a new key for the service account and store it.",
    ServiceAccountNotFound = "service_account_not_found" for [Gcp] => "Google does not know the key's service account: create it (or check the plan), then create a new key and store it.",
    KeyRejected = "key_rejected" for [Gcp] => "Google refused the key or its service account (deleted, disabled, or this computer's clock is off): check the clock, enable the account, or store a new key.",
    TokenFailed = "token_failed" for [Gcp, Azure] => "Signing in failed (see the message): check the token address and the network, then run the test again.",
    ContainerNotFound = "container_not_found" for [Azure] => "Create the blob container, or correct the storage account or container name in the plan.",
    NetworkRules = "network_rules" for [Azure] => "The storage account's firewall refused the connection: allow the vendor's network in the storage account's network rules.",
    StorageError = "storage_error" for [Azure] => "Azure Storage refused the check for another reason (see the message): check the account, then run the test again.",
    EventgridError = "eventgrid_error" for [Azure] => "Event Grid refused the check for another reason (see the message): check the topic, then run the test again.",
    TopicEndpointUnknown = "topic_endpoint_unknown" for [Azure] => "The topic's address could not be looked up: give it to Trustbridge, or let the service principal read the topic.",
    Authority = "authority" for [Azure] => "Use https://login.microsoftonline.com (or your cloud's https sign-in authority).",
    SecretRejected = "secret_rejected" for [Azure] => "Entra ID rejected the client secret: reset it (`az ad sp credential reset`) and store the new one.",
    SecretExpired = "secret_expired" for [Azure] => "The client secret has expired: reset it (`az ad sp credential reset`) and store the new one.",
    AppNotFound = "app_not_found" for [Azure] => "The app has no service principal in the plan's tenant: check the tenant, or create the service principal there.",
    TenantNotFound = "tenant_not_found" for [Azure] => "The tenant was not found: correct the tenant id in the plan.",
    Timeout = "timeout" for [Gcp, Azure] => "The endpoint accepted the connection but did not answer in time: check the network, proxy or firewall, or allow more time; it is safe to re-run.",
    TokenRedirect = "token_redirect" for [Gcp, Azure] => "Set the token endpoint to the token service's own https address (not one that redirects): the credential was not sent on.",
    TokenResponse = "token_response" for [Gcp, Azure] => "The token endpoint answered without a token: check that it is the cloud's real token endpoint.",
}

/// A typed probe failure code, `{cloud}.{kind}` (`gcp.permission_missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    pub cloud: Cloud,
    pub kind: Kind,
}

impl Code {
    pub const fn new(cloud: Cloud, kind: Kind) -> Code {
        Code { cloud, kind }
    }
    pub const fn gcp(kind: Kind) -> Code {
        Code::new(Cloud::Gcp, kind)
    }
    pub const fn azure(kind: Kind) -> Code {
        Code::new(Cloud::Azure, kind)
    }

    /// Every code a probe can report: each kind on each of its clouds ([`Kind::clouds`]).
    pub fn all() -> impl Iterator<Item = Code> {
        Kind::ALL.iter().flat_map(|k| k.clouds().iter().map(move |c| Code::new(*c, *k)))
    }

    /// What to do about it in general (for the catalogue).
    pub const fn fix(self) -> &'static str {
        self.kind.fix()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Runs one probe under `bound`; reports `Started` and `Finished`.
pub async fn run(id: ProbeId, bound: Duration, progress: Progress<'_>, body: impl Future<Output = Outcome>) -> ProbeResult {
    progress(ProbeEvent::Started { id: id.clone() });
    let start = Instant::now();
    let outcome = match tokio::time::timeout(bound, body).await {
        Ok(o) => o,
        Err(_) => timed_out(&id, bound),
    };
    let duration_ms = start.elapsed().as_millis() as u64;
    let r = match outcome {
        Outcome::Pass(message) => ProbeResult { id, status: ProbeStatus::Pass, duration_ms, message, fix: None, code: None },
        Outcome::Skip(message) => ProbeResult { id, status: ProbeStatus::Skip, duration_ms, message, fix: None, code: None },
        Outcome::Partial { message, unchecked } => {
            ProbeResult { id, status: ProbeStatus::Partial, duration_ms, message, fix: Some(unchecked), code: None }
        }
        Outcome::Fail { code, message, fix } => ProbeResult { id, status: ProbeStatus::Fail, duration_ms, message, fix, code },
    };
    progress(ProbeEvent::Finished(r.clone()));
    r
}

fn timed_out(id: &ProbeId, bound: Duration) -> Outcome {
    match id.cloud() {
        cloud @ (Cloud::Gcp | Cloud::Azure) => Outcome::fail(
            Code::new(cloud, Kind::Timeout),
            format!("{id} did not answer within {} ms", bound.as_millis()),
            "the endpoint accepted the connection but did not answer: check the network, proxy (HTTPS_PROXY) or firewall, or raise --timeout; it is safe to re-run",
        ),
        Cloud::Aws => CloudError::Timeout { action: id.to_string(), after: bound }.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `{cloud}.{kind}` codes the probes construct, read from the crate's sources:
    /// `Code::gcp(Kind::X)`, `Code::azure(Kind::X)`, and `Code::new(cloud, Kind::X)` (a helper shared
    /// by both clouds, so both).
    fn constructed() -> Vec<(Code, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let kind = |name: &str| Kind::ALL.iter().copied().find(|k| format!("{k:?}") == name);
        let mut found = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // Product code only (this test names the patterns in its own text).
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (pattern, clouds) in [
                ("Code::gcp(Kind::", &[Cloud::Gcp][..]),
                ("Code::azure(Kind::", &[Cloud::Azure][..]),
                ("Code::new(cloud, Kind::", &[Cloud::Gcp, Cloud::Azure][..]),
            ] {
                for (i, _) in text.match_indices(pattern) {
                    let name: String = text[i + pattern.len()..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
                    let k = kind(&name).unwrap_or_else(|| panic!("{}: Kind::{name} is not a kind", f.display()));
                    for c in clouds {
                        found.push((Code::new(*c, k), f.display().to_string()));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn every_code_a_probe_constructs_is_in_the_catalogue() {
        let listed: Vec<Code> = Code::all().collect();
        let found = constructed();
        // The scan sees the probes (GCP and Azure each construct well over ten codes).
        assert!(found.iter().filter(|(c, _)| c.cloud == Cloud::Gcp).count() > 10, "{found:?}");
        assert!(found.iter().filter(|(c, _)| c.cloud == Cloud::Azure).count() > 10, "{found:?}");
        for (code, file) in &found {
            assert!(
                listed.contains(code),
                "{file} reports {code}, which Kind::clouds does not list: add the cloud to its line in `kinds!`"
            );
        }
        // And the catalogue lists no code that no probe reports.
        for code in &listed {
            assert!(found.iter().any(|(c, _)| c == code), "{code} is listed but no probe reports it");
        }
    }

    #[test]
    fn codes_read_as_their_strings() {
        assert_eq!(Code::gcp(Kind::PermissionMissing).as_str(), "gcp.permission_missing");
        assert_eq!(Code::azure(Kind::TokenRedirect).to_string(), "azure.token_redirect");
        let c = ProbeCode::from(Code::gcp(Kind::Timeout));
        assert_eq!(Some(c).as_deref(), Some("gcp.timeout"));
        assert_eq!(serde_json::to_value(ProbeCode::from(CloudCode::PackDrift)).unwrap(), "pack.drift");
        assert_eq!(ProbeCode::from(SecretsCode::NotFound).as_str(), "secrets.not_found");
    }
}
