//! Who acts on Google Cloud for apply and revoke: the customer's own Application Default
//! Credentials (ADC), read where Google's client libraries read them — `GOOGLE_APPLICATION_CREDENTIALS`,
//! else gcloud's `application_default_credentials.json` (under `CLOUDSDK_CONFIG`, else
//! `~/.config/gcloud`). Two kinds are accepted: an authorized user's refresh token
//! (`gcloud auth application-default login`; exchanged at the OAuth token endpoint) and a service
//! account key (the JWT-bearer grant of [`super::token`]). Nothing here writes anything: the file
//! is gcloud's, the access token lives in memory only ([`Sensitive`]).

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;
use trustbridge_secrets::{GcpServiceAccountKey, Sensitive};

use super::GcpSettings;
use crate::error::{ApiFailure, CloudError};
use crate::http::{self, form, request_token, snippet};
use crate::probe::{Cloud, Outcome};

/// Google's OAuth token endpoint, for an authorized user's refresh token.
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// The identity apply and revoke act as. `Debug` shows no secret.
pub enum AdminCredential {
    /// `gcloud auth application-default login`.
    AuthorizedUser {
        client_id: String,
        client_secret: Sensitive<String>,
        refresh_token: Sensitive<String>,
        account: Option<String>,
        /// The file's `quota_project_id` (gcloud adds it at login): the project Google bills and
        /// counts the quota of a user's calls to APIs that need one (Organization Policy, Cloud
        /// Asset Inventory).
        quota_project: Option<String>,
    },
    ServiceAccount(Box<GcpServiceAccountKey>),
    /// "Sign in with Google" in the wizard ([`super::signin`]): the same kind of refresh token,
    /// held in this process's memory only.
    SignedIn {
        client_id: String,
        client_secret: Sensitive<String>,
        refresh_token: Sensitive<String>,
        account: Option<String>,
    },
}

impl fmt::Debug for AdminCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[derive(Deserialize)]
struct AuthorizedUserFile {
    client_id: Option<String>,
    client_secret: Option<Sensitive<String>>,
    refresh_token: Option<Sensitive<String>>,
    account: Option<String>,
    quota_project_id: Option<String>,
}

fn no_credentials(message: String) -> CloudError {
    CloudError::Api { cloud: Cloud::Gcp, kind: ApiFailure::NoCredentials, action: "Google Cloud sign-in".into(), message }
}

impl AdminCredential {
    /// Parses an ADC file's text. The error names what is missing, never a value of the file.
    pub fn parse(text: &Sensitive<String>, source: &str) -> Result<AdminCredential, CloudError> {
        let v: serde_json::Value = serde_json::from_str(text.expose())
            .map_err(|e| no_credentials(format!("{source} is not JSON (line {}, column {})", e.line(), e.column())))?;
        match v.get("type").and_then(|t| t.as_str()) {
            Some("authorized_user") => {
                let f: AuthorizedUserFile = serde_json::from_value(v).map_err(|_| no_credentials(format!("{source}: an authorized_user file needs string fields client_id, client_secret and refresh_token")))?;
                match (f.client_id, f.client_secret, f.refresh_token) {
                    (Some(id), Some(secret), Some(refresh)) if !id.is_empty() && !refresh.expose().is_empty() => Ok(AdminCredential::AuthorizedUser {
                        client_id: id,
                        client_secret: secret,
                        refresh_token: refresh,
                        account: f.account.filter(|a| !a.is_empty()),
                        // Input like any other: a value that is not a project id is not sent.
                        quota_project: f.quota_project_id.filter(|q| trustbridge_core::validate::rules::gcp_project_id(q).is_ok()),
                    }),
                    _ => Err(no_credentials(format!("{source}: an authorized_user file needs client_id, client_secret and refresh_token"))),
                }
            }
            Some("service_account") => GcpServiceAccountKey::parse(text)
                .map(|k| AdminCredential::ServiceAccount(Box::new(k)))
                .map_err(|e| no_credentials(format!("{source}: {e}"))),
            Some(other) => Err(no_credentials(format!(
                "{source} is of type '{other}'; apply signs in with an authorized_user file (`gcloud auth application-default login`) or a service_account key"
            ))),
            None => Err(no_credentials(format!("{source} has no \"type\" field: it is not an Application Default Credentials file"))),
        }
    }

    /// Where the ADC file is, as Google's client libraries look for it.
    pub fn adc_path() -> Option<PathBuf> {
        if let Some(p) = crate::config::var("GOOGLE_APPLICATION_CREDENTIALS") {
            return Some(PathBuf::from(p));
        }
        let dir = match crate::config::var("CLOUDSDK_CONFIG") {
            Some(d) => PathBuf::from(d),
            None => PathBuf::from(crate::config::var("HOME")?).join(".config/gcloud"),
        };
        Some(dir.join("application_default_credentials.json"))
    }

    /// The ADC of this machine, or why there is none (with the command that makes one).
    pub fn from_env() -> Result<AdminCredential, CloudError> {
        let path = Self::adc_path().ok_or_else(|| no_credentials("no home folder to look for gcloud's credentials in".into()))?;
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            no_credentials(if e.kind() == std::io::ErrorKind::NotFound {
                format!("{shown} does not exist")
            } else {
                format!("cannot read {shown}: {e}")
            })
        })?;
        Self::parse(&Sensitive::new(text), &shown)
    }

    /// Who this is, for the "acting as" line. No secret.
    pub fn describe(&self) -> String {
        match self {
            AdminCredential::AuthorizedUser { account: Some(a), .. } => format!("{a} (gcloud application-default login)"),
            AdminCredential::AuthorizedUser { client_id, .. } => {
                format!("your gcloud application-default login (OAuth client {client_id})")
            }
            AdminCredential::ServiceAccount(k) => format!("service account {} (key {})", k.client_email, k.private_key_id),
            AdminCredential::SignedIn { account: Some(a), .. } => format!("{a} (signed in with Google in Trustbridge)"),
            AdminCredential::SignedIn { .. } => "your Google account (signed in in Trustbridge)".into(),
        }
    }

    /// The project a call to an API that bills the caller (Organization Policy, Cloud Asset
    /// Inventory) names in `x-goog-user-project`. Google bills a person's calls to the OAuth
    /// client's project unless they name one: for gcloud's application-default login that is
    /// gcloud's own client, where these APIs are off, so the ADC file's quota project, else
    /// `fallback` (the plan's project). "Sign in with Google" uses the vendor's desktop client,
    /// whose project the vendor can enable them in: none named. A service account's key: none
    /// (its own project is billed).
    pub fn billed_project(&self, fallback: &str) -> Option<String> {
        match self {
            AdminCredential::AuthorizedUser { quota_project, .. } => Some(quota_project.clone().unwrap_or_else(|| fallback.to_string())),
            AdminCredential::SignedIn { .. } | AdminCredential::ServiceAccount(_) => None,
        }
    }

    /// An access token for the cloud-platform scope.
    pub async fn access_token(&self, http: &reqwest::Client, settings: &GcpSettings) -> Result<Sensitive<String>, CloudError> {
        let signin = |o: Outcome| {
            let (kind, message) = match o {
                Outcome::Fail { message, code, .. } => {
                    let network = code.is_some_and(|c| c.to_string().ends_with(".network") || c.to_string().ends_with(".timeout"));
                    (if network { ApiFailure::Unreachable } else { ApiFailure::SignIn }, message)
                }
                other => (ApiFailure::SignIn, format!("{other:?}")),
            };
            CloudError::Api { cloud: Cloud::Gcp, kind, action: "Google Cloud sign-in".into(), message }
        };
        match self {
            AdminCredential::ServiceAccount(k) => {
                let uri = settings.token_uri.clone().unwrap_or_else(|| k.token_uri.clone());
                super::token::access_token(http, k, &uri, &k.client_email).await.map_err(signin)
            }
            AdminCredential::AuthorizedUser { client_id, client_secret, refresh_token, .. }
            | AdminCredential::SignedIn { client_id, client_secret, refresh_token, .. } => {
                let uri = settings.token_uri.clone().unwrap_or_else(|| GOOGLE_TOKEN_URI.into());
                if let Err(why) = http::check_endpoint(&uri) {
                    return Err(CloudError::Api {
                        cloud: Cloud::Gcp,
                        kind: ApiFailure::SignIn,
                        action: "Google Cloud sign-in".into(),
                        message: format!("token endpoint: {why}"),
                    });
                }
                let body = Sensitive::new(form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", client_id),
                    ("client_secret", client_secret.expose()),
                    ("refresh_token", refresh_token.expose()),
                ]));
                match request_token(http, &uri, &body, Cloud::Gcp, "check the token endpoint").await.map_err(signin)? {
                    Ok(t) => Ok(t),
                    Err(refused) => {
                        let error = refused.body["error"].as_str().unwrap_or_default().to_string();
                        let desc = refused.body["error_description"].as_str().unwrap_or_default().to_string();
                        let message = if error.is_empty() {
                            format!("the token endpoint answered {}: {}", refused.status, snippet(&refused.text))
                        } else {
                            format!("{error}: {desc}")
                        };
                        Err(CloudError::Api { cloud: Cloud::Gcp, kind: ApiFailure::SignIn, action: "Google Cloud sign-in".into(), message })
                    }
                }
            }
        }
    }
}
