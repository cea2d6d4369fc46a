//! ML cube Platform's API, as its Python SDK (`ml3-platform-sdk` on PyPI, 1.0.0) calls it: paths
//! under `{base}/sdk/v1`, the key in `X-Api-Key`, JSON bodies shaped by the SDK's pydantic request
//! models, errors as `{"errorCode", "errorMessage"}`. Only the integration-credentials calls:
//!
//! | call | SDK | request | answer |
//! |---|---|---|---|
//! | `POST integration/aws/credentials` | `create_aws_integration_credentials` | `{name, default, project_id, role_arn}` | `SecretAWSCredentials` (with `trust_policy`, a JSON string) |
//! | `POST integration/gcp/credentials` | `create_gcp_integration_credentials` | `{name, default, project_id, account_info, scopes}` | `GCPCredentials` |
//! | `POST integration/azure/credentials` | `create_azure_integration_credentials` | `{name, default, project_id, credentials: {app_id, display_name, password, tenant}}` | `AzureCredentials` |
//! | `GET integration/credentials/{id}` | `get_integration_credentials` | | the credentials, no secret |
//! | `GET project/{id}/integration-credentials` | `get_all_project_integration_credentials` | | a list |
//! | `GET projects` | `get_projects` | | `list[Project]` (`{project_id, name}`) |
//! | `DELETE integration/credentials/{id}` | `delete_integration_credentials` | | |
//! | `POST integration/credentials/{id}/default` | `set_integration_credentials_as_default` | | |
//!
//! The SDK serializes `AzureSPCredentials` with `model_dump_json()` (field names, not the
//! `appId`/`displayName` aliases it reads), so the wire carries `app_id` and `display_name`.
//!
//! Secrets in requests (the key file, the client secret) live in [`Sensitive`] buffers; answers
//! are never echoed for those calls, and redirects are never followed (the key header would go along).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use trustbridge_secrets::{Sensitive, VendorApiKey};

use super::VendorSettings;
use crate::error::{CloudError, VendorErrorKind};
use crate::http::{describe_reqwest, enc};
use crate::retry::{retry, RetryPolicy};

/// The fields of a GCP key file the SDK's `GCPAccountInfo` requires, in its order.
pub const GCP_ACCOUNT_INFO_FIELDS: [&str; 11] = [
    "type",
    "project_id",
    "private_key_id",
    "private_key",
    "client_email",
    "client_id",
    "auth_uri",
    "token_uri",
    "auth_provider_x509_cert_url",
    "client_x509_cert_url",
    "universe_domain",
];

/// Integration credentials as the API returns them (`IntegrationCredentials` and its AWS / GCP /
/// Azure subclasses); fields of the other kinds are absent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Credentials {
    pub credentials_id: String,
    pub name: String,
    pub default: bool,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcp_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// The most projects [`Client::projects`] reads from one answer.
pub const MAX_PROJECTS: usize = 1000;

/// A project as `get_projects` answers it (the SDK's `Project` model).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Project {
    pub project_id: String,
    pub name: String,
}

/// `SecretAWSCredentials`: the credentials and the trust policy to set on the role.
#[derive(Debug, Clone, Deserialize)]
pub struct AwsRegistered {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub trust_policy: String,
}

/// A parsed JSON object holding a secret: every string in it is zeroized on drop.
struct Wiped(Map<String, Value>);

impl Drop for Wiped {
    fn drop(&mut self) {
        fn wipe(v: &mut Value) {
            match v {
                Value::String(s) => zeroize::Zeroize::zeroize(s),
                Value::Array(items) => items.iter_mut().for_each(wipe),
                Value::Object(o) => o.values_mut().for_each(wipe),
                _ => {}
            }
        }
        self.0.values_mut().for_each(wipe);
    }
}

/// The HTTP method of a call, and whether it may be repeated after a timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Delete,
}

/// A client signed in with one API key. `Debug` never shows the key.
pub struct Client {
    vendor: String,
    base: String,
    key: Sensitive<String>,
    http: reqwest::Client,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("mlcube::Client").field("base", &self.base).field("key", &"<redacted>").finish()
    }
}

/// What the caller learns from one answer: its status and body.
struct Answer {
    status: u16,
    body: String,
}

impl Client {
    /// `base`: the checked base URL, without `/sdk/v1`.
    pub fn new(vendor: &str, base: &str, key: &VendorApiKey, settings: &VendorSettings) -> Result<Client, CloudError> {
        let err = |m: String| CloudError::Vendor { vendor: vendor.to_string(), kind: VendorErrorKind::NotConfigured, message: m };
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("trustbridge/", env!("CARGO_PKG_VERSION")));
        let mut http = http;
        for pem in &settings.extra_roots_pem {
            for cert in
                reqwest::Certificate::from_pem_bundle(pem).map_err(|e| err(format!("an extra CA certificate is not valid PEM: {e}")))?
            {
                http = http.add_root_certificate(cert);
            }
        }
        let http = http.build().map_err(|e| err(format!("could not set up HTTPS: {e}")))?;
        Ok(Client {
            vendor: vendor.to_string(),
            base: format!("{}/sdk/v1", base.trim_end_matches('/')),
            key: Sensitive::new(key.expose().to_string()),
            http,
            retry: settings.retry,
        })
    }

    fn error(&self, kind: VendorErrorKind, message: impl Into<String>) -> CloudError {
        CloudError::Vendor { vendor: self.vendor.clone(), kind, message: message.into() }
    }

    /// One call, retried on 5xx and failed connections (and, for GET and DELETE, timeouts).
    async fn call(&self, method: Method, path: &str, body: Option<&Sensitive<String>>) -> Result<Answer, CloudError> {
        let url = format!("{}{path}", self.base);
        let what = format!("{method:?} {path}").to_uppercase();
        retry(
            self.retry,
            CloudError::is_transient,
            |_| {},
            |_| async {
                let mut req = match method {
                    Method::Get => self.http.get(&url),
                    Method::Post => self.http.post(&url),
                    Method::Delete => self.http.delete(&url),
                };
                let mut key = reqwest::header::HeaderValue::from_str(self.key.expose())
                    .map_err(|_| self.error(VendorErrorKind::NoApiKey, "the stored API key cannot be sent in a header"))?;
                key.set_sensitive(true);
                req = req.header("X-Api-Key", key);
                if let Some(b) = body {
                    req = req.header("content-type", "application/json").body(b.expose().clone());
                }
                let resp = req.send().await.map_err(|e| {
                    let kind = if e.is_timeout() {
                        // A POST that timed out may have been carried out: never repeated.
                        if method == Method::Post {
                            VendorErrorKind::Timeout
                        } else {
                            VendorErrorKind::Unavailable
                        }
                    } else {
                        VendorErrorKind::Network
                    };
                    self.error(kind, format!("{what}: {}", describe_reqwest(&e)))
                })?;
                let status = resp.status().as_u16();
                let body =
                    resp.text().await.map_err(|e| self.error(VendorErrorKind::Network, format!("{what}: {}", describe_reqwest(&e))))?;
                if (500..600).contains(&status) {
                    return Err(self.error(VendorErrorKind::Unavailable, format!("{what} answered {status}")));
                }
                Ok(Answer { status, body })
            },
        )
        .await
    }

    /// Maps a non-2xx answer. `echo`: whether the error message may be shown (never for calls that
    /// carried a secret: a server may quote the request back).
    fn refused(&self, what: &str, a: &Answer, echo: bool) -> CloudError {
        #[derive(Deserialize)]
        struct ErrorBody {
            #[serde(rename = "errorCode")]
            code: Option<String>,
            #[serde(rename = "errorMessage")]
            message: Option<String>,
        }
        let parsed: Option<ErrorBody> = serde_json::from_str(&a.body).ok();
        let code = parsed
            .as_ref()
            .and_then(|b| b.code.clone())
            .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'))
            .unwrap_or_default();
        let message = if echo { parsed.and_then(|b| b.message).map(|m| trustbridge_core::validate::show_value(&m)) } else { None };
        let detail = match (code.is_empty(), message) {
            (true, None) => String::new(),
            (false, None) => format!(" ({code})"),
            (true, Some(m)) => format!(": {m}"),
            (false, Some(m)) => format!(" ({code}): {m}"),
        };
        let kind = match a.status {
            401 => VendorErrorKind::Unauthorized,
            403 => VendorErrorKind::Forbidden,
            404 => VendorErrorKind::ProjectNotFound,
            409 => VendorErrorKind::NameTaken,
            422 | 400 => VendorErrorKind::InvalidRequest,
            _ => VendorErrorKind::BadResponse,
        };
        self.error(kind, format!("{what} answered {}{detail}", a.status))
    }

    /// Credentials from an answer, with their id checked: it is recorded in the plan and becomes a URL
    /// path segment, so a hostile or broken answer (`../x`) is refused here, for every call.
    fn credentials(&self, what: &str, a: &Answer) -> Result<Credentials, CloudError> {
        let c: Credentials = self.parse(what, a)?;
        self.check_id(what, &c.credentials_id)?;
        Ok(c)
    }

    fn check_id(&self, what: &str, id: &str) -> Result<(), CloudError> {
        trustbridge_core::validate::rules::vendor_credentials_id(id)
            .map_err(|rule| self.error(VendorErrorKind::BadResponse, format!("{what}: the answer's credentials_id {rule}")))
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, what: &str, a: &Answer) -> Result<T, CloudError> {
        serde_json::from_str(&a.body)
            .map_err(|e| self.error(VendorErrorKind::BadResponse, format!("{what}: the answer does not match the API's model ({e})")))
    }

    /// `create_aws_integration_credentials`.
    pub async fn create_aws(&self, name: &str, default: bool, project_id: &str, role_arn: &str) -> Result<AwsRegistered, CloudError> {
        let what = "registering the role";
        let body = Sensitive::new(
            serde_json::json!({"name": name, "default": default, "project_id": project_id, "role_arn": role_arn}).to_string(),
        );
        let a = self.call(Method::Post, "/integration/aws/credentials", Some(&body)).await?;
        if !(200..300).contains(&a.status) {
            return Err(self.refused(what, &a, true));
        }
        let got: AwsRegistered = self.parse(what, &a)?;
        self.check_id(what, &got.credentials.credentials_id)?;
        Ok(got)
    }

    /// `create_gcp_integration_credentials`, with the key file's `GCPAccountInfo` fields copied as stored.
    pub async fn create_gcp(
        &self,
        name: &str,
        default: bool,
        project_id: &str,
        key_json: &Sensitive<String>,
    ) -> Result<Credentials, CloudError> {
        let what = "sending the service-account key";
        let stored = Wiped(
            serde_json::from_str(key_json.expose())
                .map_err(|_| self.error(VendorErrorKind::InvalidRequest, "the stored key is not a JSON object"))?,
        );
        let mut info = Wiped(Map::new());
        for f in GCP_ACCOUNT_INFO_FIELDS {
            match stored.0.get(f) {
                Some(v @ Value::String(_)) => {
                    info.0.insert(f.to_string(), v.clone());
                }
                _ => {
                    return Err(self.error(
                        VendorErrorKind::InvalidRequest,
                        format!(
                            "the stored key file has no '{f}', which {} requires: store the key file exactly as Google issued it",
                            self.vendor
                        ),
                    ))
                }
            }
        }
        let body = Sensitive::new(
            serde_json::json!({"name": name, "default": default, "project_id": project_id, "account_info": &info.0, "scopes": Value::Null})
                .to_string(),
        );
        drop((info, stored));
        let a = self.call(Method::Post, "/integration/gcp/credentials", Some(&body)).await?;
        if !(200..300).contains(&a.status) {
            return Err(self.refused(what, &a, false));
        }
        self.credentials(what, &a)
    }

    /// `create_azure_integration_credentials`, with the stored JSON's values as stored.
    pub async fn create_azure(
        &self,
        name: &str,
        default: bool,
        project_id: &str,
        sp_json: &Sensitive<String>,
        display_name_fallback: &str,
    ) -> Result<Credentials, CloudError> {
        let what = "sending the service principal";
        let stored = Wiped(
            serde_json::from_str(sp_json.expose())
                .map_err(|_| self.error(VendorErrorKind::InvalidRequest, "the stored service principal is not a JSON object"))?,
        );
        let field = |k: &str| stored.0.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(app_id), Some(password), Some(tenant)) = (field("appId"), field("password"), field("tenant")) else {
            return Err(self.error(VendorErrorKind::InvalidRequest, "the stored service principal lacks appId, password or tenant"));
        };
        let password = Sensitive::new(password);
        let display_name = field("displayName").unwrap_or_else(|| display_name_fallback.to_string());
        let body = Sensitive::new(
            serde_json::json!({"name": name, "default": default, "project_id": project_id,
                "credentials": {"app_id": app_id, "display_name": display_name, "password": password.expose(), "tenant": tenant}})
            .to_string(),
        );
        let a = self.call(Method::Post, "/integration/azure/credentials", Some(&body)).await?;
        if !(200..300).contains(&a.status) {
            return Err(self.refused(what, &a, false));
        }
        self.credentials(what, &a)
    }

    /// `get_integration_credentials`; `None` when the API has no such credentials (404).
    pub async fn get(&self, credentials_id: &str) -> Result<Option<Credentials>, CloudError> {
        let what = "reading the registration";
        let a = self.call(Method::Get, &format!("/integration/credentials/{}", enc(credentials_id)), None).await?;
        match a.status {
            200..=299 => self.credentials(what, &a).map(Some),
            404 => Ok(None),
            _ => Err(self.refused(what, &a, true)),
        }
    }

    /// `get_all_project_integration_credentials`.
    pub async fn list(&self, project_id: &str) -> Result<Vec<Credentials>, CloudError> {
        let what = "listing the project's credentials";
        let a = self.call(Method::Get, &format!("/project/{}/integration-credentials", enc(project_id)), None).await?;
        if !(200..300).contains(&a.status) {
            return Err(self.refused(what, &a, true));
        }
        // Kinds this client does not know (LLM keys, …) are listed too: keep only what parses.
        let items: Vec<Value> = self.parse(what, &a)?;
        let listed: Vec<Credentials> = items.into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect();
        for c in &listed {
            self.check_id(what, &c.credentials_id)?;
        }
        Ok(listed)
    }

    /// `get_projects`: the projects of the key's company its user may view (`Project`: `project_id`,
    /// `name`), for the wizard's pick list. A project id goes into the plan, so an answer with one
    /// that breaks the plan's rule is refused whole (never silently thinned); at most
    /// [`MAX_PROJECTS`] are taken. The names are shown as text, never markup.
    pub async fn projects(&self) -> Result<Vec<Project>, CloudError> {
        let what = "listing the projects";
        let a = self.call(Method::Get, "/projects", None).await?;
        if !(200..300).contains(&a.status) {
            return Err(self.refused(what, &a, true));
        }
        let listed: Vec<Project> = self.parse(what, &a)?;
        if listed.len() > MAX_PROJECTS {
            return Err(self.error(
                VendorErrorKind::BadResponse,
                format!("{what}: the answer lists {} projects (at most {MAX_PROJECTS} are read)", listed.len()),
            ));
        }
        for p in &listed {
            // Names are only shown, as text: one line of at most 256 characters.
            if p.name.chars().count() > 256 || p.name.chars().any(char::is_control) {
                return Err(self.error(
                    VendorErrorKind::BadResponse,
                    format!("{what}: a project's name in the answer is not one line of at most 256 characters"),
                ));
            }
            trustbridge_core::validate::rules::platform_project_id(&p.project_id).map_err(|rule| {
                self.error(
                    VendorErrorKind::BadResponse,
                    format!(
                        "{what}: a project id in the answer ({}) breaks the rule: {rule}",
                        trustbridge_core::validate::show_value(&p.project_id)
                    ),
                )
            })?;
        }
        Ok(listed)
    }

    /// `delete_integration_credentials`; `false` when they were already gone (404).
    pub async fn delete(&self, credentials_id: &str) -> Result<bool, CloudError> {
        let a = self.call(Method::Delete, &format!("/integration/credentials/{}", enc(credentials_id)), None).await?;
        match a.status {
            200..=299 => Ok(true),
            404 => Ok(false),
            _ => Err(self.refused("deleting the registration", &a, true)),
        }
    }

    /// `set_integration_credentials_as_default`.
    pub async fn set_default(&self, credentials_id: &str) -> Result<(), CloudError> {
        let a = self.call(Method::Post, &format!("/integration/credentials/{}/default", enc(credentials_id)), None).await?;
        if !(200..300).contains(&a.status) {
            return Err(self.refused("making the credentials the default", &a, true));
        }
        Ok(())
    }
}
