//! Signing in to Entra ID from the wizard, for people without the Azure CLI: the OAuth 2.0 device
//! authorization grant (RFC 8628) as Microsoft identity platform v2.0 documents it — `POST
//! /{tenant}/oauth2/v2.0/devicecode` with the vendor profile's public client id, the person enters
//! the code at the verification page, and the token endpoint is polled at the interval it gives
//! (`authorization_pending` waits, `slow_down` adds 5 seconds, `authorization_declined` and
//! `expired_token` end it). The scope is the client's configured permissions (`.default`) for
//! Microsoft Graph plus `offline_access`; the refresh token then yields Resource Manager tokens
//! too ([`AzureAdmin::SignedIn`]). Everything stays in memory ([`Sensitive`]).

use std::time::{Duration, Instant};

use trustbridge_secrets::Sensitive;

use super::credential::{AzureAdmin, GRAPH_RESOURCE};
use super::AzureSettings;
use crate::error::{ApiFailure, CloudError};
use crate::http::form;
use crate::oauth;
use crate::probe::Cloud;

/// The authority for work and school accounts of any tenant: a sign-in before the tenant is known
/// (its tenant is then the one the token names).
pub const ORGANIZATIONS: &str = "organizations";

fn failure(kind: ApiFailure, message: String) -> CloudError {
    CloudError::Api { cloud: Cloud::Azure, kind, action: "sign in to Azure".into(), message }
}

/// A device sign-in under way: show [`DeviceSignIn::user_code`] and open
/// [`DeviceSignIn::verification_uri`], then [`DeviceSignIn::finish`].
pub struct DeviceSignIn {
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: Duration,
    interval: Duration,
    device_code: Sensitive<String>,
    tenant: String,
    client_id: String,
    started: Instant,
}

impl std::fmt::Debug for DeviceSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceSignIn(tenant {}, code {})", self.tenant, self.user_code)
    }
}

fn endpoint(settings: &AzureSettings, tenant: &str, what: &str) -> String {
    format!("{}/{tenant}/oauth2/v2.0/{what}", settings.authority.trim_end_matches('/'))
}

#[derive(serde::Deserialize)]
struct DeviceAnswer {
    device_code: Option<Sensitive<String>>,
    user_code: Option<String>,
    verification_uri: Option<String>,
    expires_in: Option<u64>,
    interval: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

impl DeviceSignIn {
    pub async fn start(
        http: &reqwest::Client,
        settings: &AzureSettings,
        tenant: &str,
        client_id: &str,
    ) -> Result<DeviceSignIn, CloudError> {
        settings.check().map_err(|m| failure(ApiFailure::SignIn, m))?;
        let url = endpoint(settings, tenant, "devicecode");
        crate::http::check_endpoint(&url).map_err(|m| failure(ApiFailure::SignIn, m))?;
        let scope = format!("{GRAPH_RESOURCE}/.default offline_access openid profile");
        let body = form(&[("client_id", client_id), ("scope", &scope)]);
        let resp = crate::http::send_retrying(http.post(&url).header("content-type", "application/x-www-form-urlencoded").body(body))
            .await
            .map_err(|e| failure(ApiFailure::Unreachable, format!("could not reach {url}: {}", crate::http::describe_reqwest(&e))))?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| failure(ApiFailure::Unreachable, crate::http::describe_reqwest(&e)))?;
        let a: DeviceAnswer = serde_json::from_str(&text)
            .map_err(|_| failure(ApiFailure::SignIn, format!("{url} answered {status}: {}", crate::http::snippet(&text))))?;
        match (a.device_code, a.user_code, a.verification_uri) {
            (Some(device_code), Some(user_code), Some(verification_uri)) if (200..300).contains(&status) => {
                crate::http::check_endpoint(&verification_uri)
                    .map_err(|m| failure(ApiFailure::SignIn, format!("the verification page: {m}")))?;
                Ok(DeviceSignIn {
                    user_code,
                    verification_uri,
                    expires_in: Duration::from_secs(a.expires_in.unwrap_or(900).min(3600)),
                    interval: Duration::from_secs(a.interval.unwrap_or(5).min(60)),
                    device_code,
                    tenant: tenant.into(),
                    client_id: client_id.into(),
                    started: Instant::now(),
                })
            }
            _ => Err(failure(
                ApiFailure::SignIn,
                match (a.error, a.error_description) {
                    (Some(e), Some(d)) => format!("{e}: {}", d.lines().next().unwrap_or_default()),
                    (Some(e), None) => e,
                    _ => format!("{url} answered {status} without a device code"),
                },
            )),
        }
    }

    /// Polls until the person confirmed the code in the browser (or refused, or it expired).
    /// `slow_down_step`: what `slow_down` adds to the interval (RFC 8628: 5 seconds).
    pub async fn finish(self, http: &reqwest::Client, settings: &AzureSettings) -> Result<AzureAdmin, CloudError> {
        self.finish_with(http, settings, Duration::from_secs(5)).await
    }

    pub async fn finish_with(
        self,
        http: &reqwest::Client,
        settings: &AzureSettings,
        slow_down_step: Duration,
    ) -> Result<AzureAdmin, CloudError> {
        let url = endpoint(settings, &self.tenant, "token");
        let mut interval = self.interval;
        loop {
            if self.started.elapsed() + interval > self.expires_in {
                return Err(failure(ApiFailure::SignIn, "the sign-in code expired before it was confirmed in the browser".into()));
            }
            tokio::time::sleep(interval).await;
            let body = Sensitive::new(form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", &self.client_id),
                ("device_code", self.device_code.expose()),
            ]));
            let (status, a) = oauth::post_form(http, &url, &body, Cloud::Azure, "sign in to Azure").await?;
            if (200..300).contains(&status) {
                let Some(refresh_token) = a.refresh_token.filter(|r| !r.expose().is_empty()) else {
                    return Err(failure(ApiFailure::SignIn, "Entra ID answered without a refresh token (offline_access)".into()));
                };
                let claims = a.id_token.as_ref().and_then(oauth::claims).or_else(|| a.access_token.as_ref().and_then(oauth::claims));
                let account = claims.as_ref().and_then(|c| {
                    ["preferred_username", "upn", "email"].iter().find_map(|k| c[*k].as_str().filter(|s| !s.is_empty()).map(str::to_string))
                });
                // Signed in before the tenant was known: the person's home tenant, from the token.
                let tenant = if self.tenant == ORGANIZATIONS {
                    let tid = claims.as_ref().and_then(|c| c["tid"].as_str()).unwrap_or_default();
                    trustbridge_core::validate::rules::guid(tid).map_err(|_| {
                        failure(ApiFailure::SignIn, "Entra ID's answer names no tenant (tid) for the account that signed in".into())
                    })?;
                    tid.to_lowercase()
                } else {
                    self.tenant
                };
                return Ok(AzureAdmin::SignedIn { tenant, client_id: self.client_id, refresh_token, account });
            }
            match a.error.as_deref() {
                Some("authorization_pending") => {}
                Some("slow_down") => interval += slow_down_step,
                Some("authorization_declined" | "access_denied") => {
                    return Err(failure(ApiFailure::SignIn, "the sign-in was declined in the browser".into()))
                }
                Some("expired_token" | "code_expired") => {
                    return Err(failure(ApiFailure::SignIn, "the sign-in code expired before it was confirmed in the browser".into()))
                }
                _ => return Err(failure(ApiFailure::SignIn, oauth::refusal(&a, status))),
            }
        }
    }
}
