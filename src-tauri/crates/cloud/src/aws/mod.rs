//! AWS with the real SDK: `settings` (how AWS is reached), sessions and the account overview here;
//! `apply`, `verify` (the connectivity test), `revoke`, `preflight` (guardrails), `sso` and
//! `profiles` (sign-in), `org`, `org_tree` and `stackset` (AWS Organizations), `pack` (role packs).
//!
//! Credentials and endpoints follow the SDK's own conventions (aws-config's default chain: env,
//! profiles, SSO and `sso-session` profiles, `credential_process`; `AWS_PROFILE`,
//! `AWS_ENDPOINT_URL`). The plan's region is used for S3 and EventBridge.

pub mod apply;
pub mod detect;
mod exec;
pub mod org;
pub mod org_tree;
pub mod pack;
pub mod preflight;
pub mod profiles;
pub mod revoke;
mod roleset;
pub mod settings;
pub mod sso;
pub mod stackset;
pub mod verify;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use serde::Serialize;
use trustbridge_core::policy::{Grant, PolicyDocument};
use trustbridge_core::validate::{Resolved, ResolvedAws};

pub use apply::{apply, apply_in, ApplyFailure, ApplyReport, Change, ChangeKind, ExistingPolicy, PolicyKind, ADOPTED_TAG};
pub use aws_credential_types::provider::SharedCredentialsProvider;
pub use aws_sdk_sts::config::Credentials;
pub use revoke::{revoke, revoke_confirmed, revoke_dry_run, RevokeReport};
pub use settings::{AwsSettings, VendorCredentials};
pub use verify::{verify, ProbeEvent, ProbeResult, ProbeStatus};

use crate::error::CloudError;

/// Who the credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

/// Who the credentials are, and what they can see: saves typing in the wizard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountOverview {
    pub caller: CallerIdentity,
    /// ListBuckets; empty when the call was refused (the pick list is a convenience, not a check).
    pub buckets: Vec<String>,
    /// ListEventBuses in the region; empty when refused.
    pub event_buses: Vec<String>,
    /// The region this computer's AWS configuration names (`AWS_REGION`, the profile's), checked.
    pub configured_region: Option<String>,
}

/// GetCallerIdentity (must succeed), then ListBuckets and ListEventBuses concurrently (best effort),
/// and the region this computer's AWS configuration names.
pub async fn account_overview(region: &str, settings: &AwsSettings) -> Result<AccountOverview, CloudError> {
    let s = Session::for_region(region, settings).await;
    let caller = s.caller_identity().await?;
    let (buckets, event_buses, configured) = tokio::join!(s.bucket_names(), s.event_bus_names(), configured_region(settings));
    // Checked like a typed answer (shape and the caller's partition) before it is offered.
    let partition = caller.arn.split(':').nth(1).unwrap_or("aws").to_string();
    let configured_region = configured.filter(|r| trustbridge_core::validate::rules::aws_region(r, &partition).is_ok());
    Ok(AccountOverview { caller, buckets: buckets.unwrap_or_default(), event_buses: event_buses.unwrap_or_default(), configured_region })
}

/// The region this computer's AWS configuration names — `AWS_REGION` / `AWS_DEFAULT_REGION`, else
/// the profile's `region` — or None. Never the instance metadata service: a desktop has none, and
/// asking it would only wait.
pub async fn configured_region(settings: &AwsSettings) -> Option<String> {
    use aws_config::meta::region::RegionProviderChain;
    let mut profile = aws_config::profile::ProfileFileRegionProvider::builder();
    if let Some(p) = &settings.profile {
        profile = profile.profile_name(p);
    }
    if settings.config_file.is_some() || settings.credentials_file.is_some() {
        profile = profile.profile_files(settings.profile_files());
    }
    RegionProviderChain::first_try(aws_config::environment::EnvironmentVariableRegionProvider::new())
        .or_else(profile.build())
        .region()
        .await
        .map(|r| r.to_string())
}

/// SDK clients for one plan, built once and shared by every call.
#[derive(Debug, Clone)]
pub struct Session {
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub s3: aws_sdk_s3::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub settings: AwsSettings,
    pub region: String,
    /// The configuration the clients were built from (for the clients only some commands need:
    /// Organizations and KMS in pre-flight).
    pub conf: SdkConfig,
}

async fn sdk_config(region: &str, profile: Option<&str>, credentials: Option<Credentials>, s: &AwsSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(s.timeout)
                .read_timeout(s.timeout)
                .operation_attempt_timeout(s.timeout)
                .operation_timeout(s.timeout)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(s.sdk_max_attempts.max(1)));
    if s.config_file.is_some() || s.credentials_file.is_some() {
        loader = loader.profile_files(s.profile_files());
    }
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(c) = credentials {
        loader = loader.credentials_provider(c);
    } else if let (None, Some(p)) = (profile, &s.provider) {
        loader = loader.credentials_provider(p.clone());
    }
    if let Some(e) = &s.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    loader.load().await
}

/// Emulators (moto, LocalStack) serve S3 on a single host: use path-style addressing there.
fn custom_s3_endpoint(conf: &SdkConfig) -> bool {
    conf.endpoint_url().is_some() || crate::config::var("AWS_ENDPOINT_URL_S3").is_some()
}

fn clients(conf: &SdkConfig) -> (aws_sdk_iam::Client, aws_sdk_sts::Client, aws_sdk_s3::Client, aws_sdk_eventbridge::Client) {
    let s3 = aws_sdk_s3::config::Builder::from(conf).force_path_style(custom_s3_endpoint(conf)).build();
    (
        aws_sdk_iam::Client::new(conf),
        aws_sdk_sts::Client::new(conf),
        aws_sdk_s3::Client::from_conf(s3),
        aws_sdk_eventbridge::Client::new(conf),
    )
}

impl Session {
    /// Builds the customer's clients (no network call yet).
    pub async fn connect(a: &ResolvedAws, settings: &AwsSettings) -> Session {
        Session::for_region(&a.region, settings).await
    }

    /// The customer's clients for a region, without a plan (account detection in the wizard).
    pub async fn for_region(region: &str, settings: &AwsSettings) -> Session {
        let conf = sdk_config(region, settings.profile.as_deref(), settings.credentials.clone(), settings).await;
        let (iam, sts, s3, events) = clients(&conf);
        Session { iam, sts, s3, events, settings: settings.clone(), region: region.to_string(), conf }
    }

    /// ListBuckets: the names of the buckets the credentials can see (for a pick list).
    pub async fn bucket_names(&self) -> Result<Vec<String>, CloudError> {
        self.call("s3:ListAllMyBuckets", || async {
            let out = self.s3.list_buckets().send().await.map_err(|e| self.classify("s3:ListAllMyBuckets", e))?;
            Ok(out.buckets().iter().filter_map(|b| b.name().map(String::from)).collect())
        })
        .await
    }

    /// ListEventBuses in the session's region (for a pick list; first page, up to 100).
    pub async fn event_bus_names(&self) -> Result<Vec<String>, CloudError> {
        self.call("events:ListEventBuses", || async {
            let out = self.events.list_event_buses().limit(100).send().await.map_err(|e| self.classify("events:ListEventBuses", e))?;
            Ok(out.event_buses().iter().filter_map(|b| b.name().map(String::from)).collect())
        })
        .await
    }

    /// The KMS key the bucket's default encryption names (a key id, ARN or alias, as S3 keeps it;
    /// `alias/aws/s3` when SSE-KMS names none), or None when its default encryption is not KMS.
    /// Shared by pre-flight and the wizard's bucket detection.
    pub(crate) async fn default_kms_key(&self, bucket: &str) -> Result<Option<String>, CloudError> {
        use aws_sdk_s3::error::ProvideErrorMetadata;
        let out = self
            .call("s3:GetEncryptionConfiguration", || async {
                match self.s3.get_bucket_encryption().bucket(bucket).send().await {
                    Ok(o) => Ok(Some(o)),
                    Err(e) if e.as_service_error().and_then(|x| x.code()) == Some("ServerSideEncryptionConfigurationNotFoundError") => {
                        Ok(None)
                    }
                    Err(e) => Err(self.classify("s3:GetEncryptionConfiguration", e)),
                }
            })
            .await?;
        Ok(out
            .as_ref()
            .and_then(|o| o.server_side_encryption_configuration())
            .map(|c| c.rules())
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.apply_server_side_encryption_by_default())
            .find(|d| d.sse_algorithm().as_str().starts_with("aws:kms"))
            .map(|d| d.kms_master_key_id().unwrap_or("alias/aws/s3").to_string()))
    }

    /// Clients signed with other credentials (the vendor's, or an assumed role's), same endpoint.
    pub async fn with_credentials(&self, profile: Option<&str>, credentials: Option<Credentials>) -> Session {
        let conf = sdk_config(&self.region, profile, credentials, &self.settings).await;
        let (iam, sts, s3, events) = clients(&conf);
        Session { iam, sts, s3, events, settings: self.settings.clone(), region: self.region.clone(), conf }
    }

    pub(crate) fn classify<E>(&self, action: &str, err: SdkError<E, aws_sdk_iam::config::http::HttpResponse>) -> CloudError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        classify(action, err, self.settings.timeout, &self.settings.profile_label())
    }

    /// GetCallerIdentity, with the bounded retry.
    pub async fn caller_identity(&self) -> Result<CallerIdentity, CloudError> {
        self.call("sts:GetCallerIdentity", || async {
            let out = self.sts.get_caller_identity().send().await.map_err(|e| self.classify("sts:GetCallerIdentity", e))?;
            Ok(CallerIdentity { account: out.account().unwrap_or_default().to_string(), arn: out.arn().unwrap_or_default().to_string() })
        })
        .await
    }

    /// One call: bounded by the timeout. The SDK's standard retry already retries transient network
    /// errors (within the operation timeout); on top of it we retry throttling only, with backoff.
    pub(crate) async fn call<T, F, Fut>(&self, action: &str, mut f: F) -> Result<T, CloudError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, CloudError>>,
    {
        let timeout = self.settings.timeout;
        crate::retry::retry(
            self.settings.retry,
            |e| matches!(e, CloudError::Throttled { .. }),
            |_| {},
            |_| {
                let fut = f();
                async move {
                    match tokio::time::timeout(timeout, fut).await {
                        Ok(r) => r,
                        Err(_) => Err(CloudError::Timeout { action: action.to_string(), after: timeout }),
                    }
                }
            },
        )
        .await
    }
}

/// Maps an SDK error to our error type, by the service's error code (never by message text),
/// or by the kind of transport failure.
pub(crate) fn classify<E>(
    action: &str,
    err: SdkError<E, aws_sdk_iam::config::http::HttpResponse>,
    timeout: Duration,
    profile: &str,
) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let action_s = action.to_string();
    match &err {
        SdkError::TimeoutError(_) => CloudError::Timeout { action: action_s, after: timeout },
        SdkError::DispatchFailure(d) if d.is_timeout() => CloudError::Timeout { action: action_s, after: timeout },
        SdkError::ServiceError(se) => {
            let mut code = se.err().code().unwrap_or_default().to_string();
            if code.is_empty() {
                // Some endpoints (moto) nest the error where the SDK's parser does not look.
                code = se.raw().body().bytes().map(code_in_body).unwrap_or_default();
            }
            let message = se.err().message().unwrap_or_default().to_string();
            let status = se.raw().status().as_u16();
            match code.as_str() {
                "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
                    match crate::error::DeniedBy::from_message(action, &message) {
                        Some(by) => CloudError::DeniedBy { action: action_s, by, message },
                        None => CloudError::AccessDenied { action: action_s, principal: String::new(), message },
                    }
                }
                // KMS refuses a key the caller may not use (or that is disabled) with its own codes.
                "KMSInvalidStateException" | "DisabledException" | "KMS.DisabledException" | "KMS.KMSInvalidStateException" => {
                    CloudError::DeniedBy { action: action_s, by: crate::error::DeniedBy::Kms, message }
                }
                "EntityAlreadyExists" | "EntityAlreadyExistsException" | "ResourceAlreadyExistsException" => {
                    CloudError::EntityAlreadyExists { what: action_s, message }
                }
                "LimitExceeded" | "LimitExceededException" => CloudError::LimitExceeded { action: action_s, message },
                "MalformedPolicyDocument" | "MalformedPolicyDocumentException" => CloudError::MalformedPolicy { action: action_s, message },
                "InvalidClientTokenId" | "UnrecognizedClientException" | "InvalidAccessKeyId" | "SignatureDoesNotMatch" => {
                    CloudError::InvalidClientToken { message }
                }
                "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
                    CloudError::ExpiredToken { message }
                }
                "NoSuchEntity" | "NoSuchEntityException" | "NoSuchBucket" | "NotFound" | "ResourceNotFoundException" => {
                    CloudError::NotFound { what: if message.is_empty() { action_s } else { message } }
                }
                "Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" | "SlowDown" => {
                    CloudError::Throttled { action: action_s, message }
                }
                "DeleteConflict" | "DeleteConflictException" => CloudError::DeleteConflict { what: action_s, message },
                // Bodiless answers (HeadBucket) carry only a status.
                _ if status == 403 => CloudError::AccessDenied { action: action_s, principal: String::new(), message },
                _ if status == 404 => CloudError::NotFound { what: action_s },
                _ => CloudError::Service { action: action_s, code: if code.is_empty() { format!("HTTP {status}") } else { code }, message },
            }
        }
        _ => {
            // Credential resolution and transport failures: the error chain says which.
            let text = format!("{}", DisplayErrorContext(&err));
            let lower = text.to_ascii_lowercase();
            if lower.contains("sso") && (lower.contains("expired") || lower.contains("token")) {
                CloudError::SsoExpired { profile: profile.to_string() }
            } else if lower.contains("no credentials")
                || lower.contains("credentialsnotloaded")
                || lower.contains("failed to load credentials")
            {
                CloudError::NoCredentials { message: short(&text) }
            } else if lower.contains("timed out") || lower.contains("timeout") {
                CloudError::Timeout { action: action_s, after: timeout }
            } else {
                CloudError::Network { action: action_s, message: short(&text) }
            }
        }
    }
}

/// The `<Code>…</Code>` of an XML error body, when the SDK could not place it.
fn code_in_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(c, _)| c.trim().to_string())
        .filter(|c| c.len() < 100 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.'))
        .unwrap_or_default()
}

fn short(s: &str) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(297).collect::<String>())
    } else {
        s
    }
}

/// Percent-decodes a policy document as IAM returns it (`%7B%22Version…`).
pub fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses a policy as AWS returns it: URL-encoded or plain JSON.
pub fn parse_policy(text: &str) -> Result<PolicyDocument, String> {
    let trimmed = text.trim_start();
    let decoded = if trimmed.starts_with('{') { text.to_string() } else { url_decode(text) };
    PolicyDocument::parse(&decoded)
        .or_else(|_| PolicyDocument::parse(&decoded.replace('+', " ")))
        .map_err(|e| format!("not a policy document: {e}"))
}

/// One grant in words, for diffs and probe messages.
pub fn describe_grant(g: &Grant) -> String {
    // Grants compare lower-cased; people read IAM's own case (`s3:GetObject`).
    let action = trustbridge_core::lint::canonical_action(&g.action).unwrap_or(&g.action);
    let mut s = format!("{:?} {action}", g.effect);
    if !g.principal.is_empty() {
        s = format!("{s} by {}", g.principal);
    }
    if !g.resource.is_empty() {
        s = format!("{s} on {}", g.resource);
    }
    if !g.condition.is_empty() {
        s = format!("{s} when {}", g.condition);
    }
    s
}

/// The plan's AWS section, or the error saying there is none.
pub fn aws_section(r: &Resolved) -> Result<&ResolvedAws, CloudError> {
    r.aws.as_ref().ok_or(CloudError::NoSection { cloud: "aws" })
}

/// Compact JSON as sent to IAM.
pub(crate) fn compact(doc: &PolicyDocument) -> String {
    serde_json::to_string(doc).expect("policy serializes")
}

/// A statement that trusts the vendor: its principal names the vendor account.
pub(crate) fn mentions_vendor(g: &Grant, vendor_account: &str) -> bool {
    g.principal.contains(&format!(":{vendor_account}:")) || g.principal.ends_with(&format!(":{vendor_account}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service_error(
        code: &str,
        status: u16,
    ) -> SdkError<aws_sdk_iam::operation::get_role::GetRoleError, aws_sdk_iam::config::http::HttpResponse> {
        let meta = aws_sdk_iam::error::ErrorMetadata::builder().code(code).message("m").build();
        let raw = aws_sdk_iam::config::http::HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
            aws_smithy_types::body::SdkBody::empty(),
        );
        SdkError::service_error(aws_sdk_iam::operation::get_role::GetRoleError::generic(meta), raw)
    }

    #[test]
    fn grants_are_described_in_iams_own_case() {
        let doc = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:getobject","S3:LISTBUCKET","s3:Get*"],"Resource":"arn:aws:s3:::b"}]}"#,
        )
        .unwrap();
        let mut lines: Vec<String> = doc.grants().iter().map(describe_grant).collect();
        lines.sort();
        assert_eq!(
            lines,
            ["Allow s3:GetObject on arn:aws:s3:::b", "Allow s3:ListBucket on arn:aws:s3:::b", "Allow s3:get* on arn:aws:s3:::b"]
        );
    }

    #[test]
    fn service_error_codes_map_to_stable_codes() {
        let t = Duration::from_secs(5);
        let cases = [
            ("AccessDenied", 403, "aws.access_denied"),
            ("EntityAlreadyExists", 409, "aws.entity_already_exists"),
            ("LimitExceeded", 409, "aws.limit_exceeded"),
            ("MalformedPolicyDocument", 400, "aws.malformed_policy"),
            ("InvalidClientTokenId", 403, "aws.invalid_client_token"),
            ("SignatureDoesNotMatch", 403, "aws.invalid_client_token"),
            ("ExpiredToken", 400, "aws.expired_token"),
            ("NoSuchEntity", 404, "aws.not_found"),
            ("Throttling", 400, "aws.throttled"),
            ("DeleteConflict", 409, "aws.delete_conflict"),
            ("", 403, "aws.access_denied"),
            ("", 404, "aws.not_found"),
            ("ServiceFailure", 500, "aws.service_error"),
        ];
        for (code, status, want) in cases {
            let e = classify("iam:CreateRole", service_error(code, status), t, "dev");
            assert_eq!(e.code(), want, "{code} {status}");
        }
        let denied = classify("iam:CreateRole", service_error("AccessDenied", 403), t, "dev");
        assert!(denied.fix().unwrap().contains("iam:CreateRole"));
    }

    fn denied_with(message: &str) -> SdkError<aws_sdk_iam::operation::get_role::GetRoleError, aws_sdk_iam::config::http::HttpResponse> {
        let meta = aws_sdk_iam::error::ErrorMetadata::builder().code("AccessDenied").message(message).build();
        let raw = aws_sdk_iam::config::http::HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(403).unwrap(),
            aws_smithy_types::body::SdkBody::empty(),
        );
        SdkError::service_error(aws_sdk_iam::operation::get_role::GetRoleError::generic(meta), raw)
    }

    /// AWS's access-denied messages name the policy type that denied (IAM User Guide,
    /// "Troubleshooting access denied error messages"); the code and fix follow it.
    #[test]
    fn denials_say_what_denied() {
        let t = Duration::from_secs(5);
        let role = "User: arn:aws:sts::111122223333:assumed-role/mlcube-platform-access/s is not authorized to perform";
        let cases = [
            (format!("{role}: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a service control policy"), "s3:GetObject", "aws.denied_by_scp"),
            (format!("{role}: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a resource-based policy"), "s3:GetObject", "aws.denied_by_resource_policy"),
            (format!("{role}: iam:CreateRole on resource: x with an explicit deny in a permissions boundary"), "iam:CreateRole", "aws.denied_by_permissions_boundary"),
            (format!("{role}: s3:GetObject on resource: arn:aws:s3:::b/k because no service control policy allows the s3:GetObject action"), "s3:GetObject", "aws.denied_by_scp"),
            (format!("{role}: sts:AssumeRole on resource: arn:aws:iam::1:role/r with an explicit deny in a resource control policy"), "sts:AssumeRole", "aws.denied_by_rcp"),
            (format!("{role}: kms:Decrypt on resource: arn:aws:kms:eu-west-1:1:key/k because no resource-based policy allows the kms:Decrypt action"), "s3:GetObject", "aws.denied_by_kms"),
            (format!("{role}: s3:GetObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:GetObject action"), "s3:GetObject", "aws.access_denied"),
            ("Access Denied".to_string(), "s3:GetObject", "aws.access_denied"),
        ];
        for (message, action, want) in cases {
            let e = classify(action, denied_with(&message), t, "dev");
            assert_eq!(e.code(), want, "{message}");
            assert!(e.fix().unwrap().contains(action) || want == "aws.denied_by_kms", "{want}: {:?}", e.fix());
        }
        let scp = classify("s3:GetObject", denied_with(&cases_scp()), t, "dev");
        assert!(scp.fix().unwrap().contains("trustbridge preflight") && scp.to_string().contains("a service control policy"), "{scp}");
    }

    fn cases_scp() -> String {
        "User: arn:aws:iam::1:user/u is not authorized to perform: s3:GetObject with an explicit deny in a service control policy".into()
    }

    #[test]
    fn transport_failures_map_to_network_timeout_and_credentials() {
        let t = Duration::from_secs(2);
        let io = SdkError::<aws_sdk_iam::operation::get_role::GetRoleError, aws_sdk_iam::config::http::HttpResponse>::dispatch_failure(
            aws_sdk_iam::error::ConnectorError::io("connection reset by peer".into()),
        );
        assert_eq!(classify("iam:GetRole", io, t, "dev").code(), "aws.network");
        let to = SdkError::<aws_sdk_iam::operation::get_role::GetRoleError, aws_sdk_iam::config::http::HttpResponse>::timeout_error("slow");
        let e = classify("iam:GetRole", to, t, "dev");
        assert_eq!((e.code(), e.to_string().as_str()), ("aws.timeout", "iam:GetRole did not answer within 2000 ms"));
        let sso = SdkError::<aws_sdk_iam::operation::get_role::GetRoleError, aws_sdk_iam::config::http::HttpResponse>::construction_failure(
            "failed to load credentials: the SSO token has expired and cannot be refreshed",
        );
        let e = classify("sts:GetCallerIdentity", sso, t, "dev");
        assert_eq!(e.code(), "aws.sso_expired");
        assert_eq!(e.fix().unwrap(), "run `aws sso login --profile dev` and try again");
        let none =
            SdkError::<aws_sdk_iam::operation::get_role::GetRoleError, aws_sdk_iam::config::http::HttpResponse>::construction_failure(
                "failed to load credentials: no credentials in the chain",
            );
        assert_eq!(classify("sts:GetCallerIdentity", none, t, "dev").code(), "aws.no_credentials");
    }

    #[test]
    fn decodes_url_encoded_policies() {
        let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2F%2A%22%7D%5D%7D";
        let d = parse_policy(enc).unwrap();
        assert_eq!(d.statement.len(), 1);
        let plain = parse_policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:getobject"],"Resource":"arn:aws:s3:::b/*"}]}"#,
        )
        .unwrap();
        assert_eq!(d.grants(), plain.grants());
        assert_eq!(url_decode("a%2"), "a%2");
        assert_eq!(url_decode("x+y%2B"), "x+y+");
    }
}
