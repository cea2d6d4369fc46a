//! Who acts on Azure for apply and revoke, found the way Azure's own SDKs find it: a service
//! principal in the environment (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`, the
//! SDKs' EnvironmentCredential), else the Azure CLI's sign-in (`az account get-access-token`, as
//! the SDKs' AzureCliCredential does). Tokens live in memory only ([`Sensitive`]); nothing here
//! writes anything.

use std::fmt;
use std::process::Stdio;

use base64::Engine as _;
use trustbridge_secrets::{AzureClientSecret, Sensitive};

use super::AzureSettings;
use crate::error::{ApiFailure, CloudError};
use crate::probe::{Cloud, Outcome};

pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
pub const MANAGEMENT_RESOURCE: &str = "https://management.azure.com";

/// The identity apply and revoke act as. `Debug` shows no secret.
pub enum AzureAdmin {
    /// A service principal's client secret, from the environment.
    ClientSecret(Box<AzureClientSecret>),
    /// The Azure CLI's own sign-in (`az login`), asked for a token per resource.
    AzCli { tenant: String },
    /// The wizard's device-code sign-in ([`super::signin`]): a refresh token of the vendor's
    /// public client, redeemed for a token per resource; in memory only.
    SignedIn { tenant: String, client_id: String, refresh_token: Sensitive<String>, account: Option<String> },
}

impl fmt::Debug for AzureAdmin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AzureAdmin::ClientSecret(s) => write!(f, "AzureAdmin::ClientSecret(app {}, tenant {})", s.app_id, s.tenant),
            AzureAdmin::AzCli { tenant } => write!(f, "AzureAdmin::AzCli(tenant {tenant})"),
            AzureAdmin::SignedIn { tenant, .. } => write!(f, "AzureAdmin::SignedIn(tenant {tenant})"),
        }
    }
}

fn failure(kind: ApiFailure, message: String) -> CloudError {
    CloudError::Api { cloud: Cloud::Azure, kind, action: "Azure sign-in".into(), message }
}

impl AzureAdmin {
    /// The environment's service principal when all three variables are set (two of three is an
    /// error that names the missing one), else the Azure CLI for `tenant`.
    pub fn from_env(tenant: &str) -> Result<AzureAdmin, CloudError> {
        let vars = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"];
        let got: Vec<Option<String>> = vars.iter().map(|v| crate::config::var(v)).collect();
        match (&got[0], &got[1], &got[2]) {
            (Some(t), Some(id), Some(secret)) => {
                if t != tenant {
                    return Err(failure(
                        ApiFailure::NoCredentials,
                        format!("AZURE_TENANT_ID is {t}, but the plan's tenant is {tenant}: sign in to the plan's tenant"),
                    ));
                }
                let json = serde_json::json!({"appId": id, "password": secret, "tenant": t}).to_string();
                AzureClientSecret::parse(&Sensitive::new(json))
                    .map(|s| AzureAdmin::ClientSecret(Box::new(s)))
                    .map_err(|e| failure(ApiFailure::NoCredentials, format!("the AZURE_* variables: {e}")))
            }
            (None, None, None) => Ok(AzureAdmin::AzCli { tenant: tenant.to_string() }),
            _ => {
                let missing: Vec<&str> = vars.iter().zip(&got).filter(|(_, v)| v.is_none()).map(|(k, _)| *k).collect();
                Err(failure(
                    ApiFailure::NoCredentials,
                    format!("{} is not set (the other AZURE_* sign-in variables are)", missing.join(" and ")),
                ))
            }
        }
    }

    /// An access token for `resource` ([`GRAPH_RESOURCE`], [`MANAGEMENT_RESOURCE`]).
    pub async fn token(&self, http: &reqwest::Client, settings: &AzureSettings, resource: &str) -> Result<Sensitive<String>, CloudError> {
        match self {
            AzureAdmin::ClientSecret(s) => {
                super::token::access_token(http, &settings.authority, s, &format!("{resource}/.default")).await.map_err(|o| {
                    let (kind, message) = match o {
                        Outcome::Fail { message, code, .. } => {
                            let network = code.is_some_and(|c| {
                                let c = c.to_string();
                                c.ends_with(".network") || c.ends_with(".timeout")
                            });
                            (if network { ApiFailure::Unreachable } else { ApiFailure::SignIn }, message)
                        }
                        other => (ApiFailure::SignIn, format!("{other:?}")),
                    };
                    failure(kind, message)
                })
            }
            AzureAdmin::SignedIn { tenant, client_id, refresh_token, .. } => {
                let url = format!("{}/{tenant}/oauth2/v2.0/token", settings.authority.trim_end_matches('/'));
                let body = Sensitive::new(crate::http::form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", client_id),
                    ("refresh_token", refresh_token.expose()),
                    ("scope", &format!("{resource}/.default")),
                ]));
                let (status, a) = crate::oauth::post_form(http, &url, &body, Cloud::Azure, "Azure sign-in").await?;
                match a.access_token {
                    Some(t) if (200..300).contains(&status) && !t.expose().is_empty() => Ok(t),
                    _ => Err(failure(ApiFailure::SignIn, crate::oauth::refusal(&a, status))),
                }
            }
            AzureAdmin::AzCli { tenant } => {
                let (resource, tenant) = (resource.to_string(), tenant.clone());
                tokio::task::spawn_blocking(move || az_token(&resource, &tenant))
                    .await
                    .map_err(|e| failure(ApiFailure::NoCredentials, format!("could not run az: {e}")))?
            }
        }
    }
}

/// `az account get-access-token --resource R --tenant T -o json`: the token from its JSON. The
/// output holds the token, so it is read into [`Sensitive`] at once and never shown.
fn az_token(resource: &str, tenant: &str) -> Result<Sensitive<String>, CloudError> {
    let out = std::process::Command::new("az")
        .args(["account", "get-access-token", "--resource", resource, "--tenant", tenant, "--output", "json"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            failure(
                ApiFailure::NoCredentials,
                if e.kind() == std::io::ErrorKind::NotFound {
                    "no Azure sign-in: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are not set, and the Azure CLI (az) is not installed".into()
                } else {
                    format!("could not run az: {e}")
                },
            )
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim().to_string();
        let kind = if err.contains("az login") { ApiFailure::NoCredentials } else { ApiFailure::SignIn };
        return Err(failure(kind, format!("az account get-access-token failed: {}", crate::http::snippet(&first))));
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct AzToken {
        access_token: Option<Sensitive<String>>,
    }
    let parsed: Result<AzToken, _> = serde_json::from_slice(&out.stdout);
    match parsed {
        Ok(AzToken { access_token: Some(t) }) if !t.expose().is_empty() => Ok(t),
        _ => Err(failure(ApiFailure::SignIn, "az account get-access-token printed no accessToken".into())),
    }
}

/// Who a token speaks for, read from its claims for the "acting as" line (not verified: display
/// only; Azure verifies it). `None` when the token is not a readable JWT.
/// Who `cred` acts as, for the "acting as" line: the person signed in here, else who the Resource
/// Manager token names. No secret.
pub fn acting_as(cred: &AzureAdmin, arm_token: &Sensitive<String>) -> String {
    match cred {
        AzureAdmin::SignedIn { account: Some(a), .. } => format!("{a} (signed in to Azure in Trustbridge)"),
        _ => token_identity(arm_token).unwrap_or_else(|| format!("{cred:?}")),
    }
}

pub fn token_identity(token: &Sensitive<String>) -> Option<String> {
    let payload = token.expose().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let s = |k: &str| v[k].as_str().filter(|x| !x.is_empty()).map(str::to_string);
    s("upn").or_else(|| s("unique_name")).or_else(|| s("preferred_username")).or_else(|| {
        let app = s("app_displayname").or_else(|| s("appid"))?;
        Some(format!("service principal {app}"))
    })
}
