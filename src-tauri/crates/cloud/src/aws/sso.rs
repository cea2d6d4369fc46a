//! Signing in through the AWS access portal (IAM Identity Center) without the AWS CLI: the OAuth
//! 2.0 device authorization flow of the SSO OIDC API, then the portal API for the accounts and roles
//! the person may use and the role's temporary credentials. What the person sees and does: a code,
//! a page in the browser to confirm it, a list of accounts and roles to pick from.
//!
//! 1. `RegisterClient` (a public client, scope `sso:account:access`) and
//!    `StartDeviceAuthorization` for the start URL ([`start`]): the user code and the page;
//! 2. `CreateToken` with the device code, polled at the interval AWS gives, slower on `slow_down`,
//!    until the person confirms (`authorization_pending` until then), refuses (`access_denied`) or
//!    the code expires (`expired_token`) ([`DeviceSignIn::wait`]);
//! 3. `ListAccounts` and `ListAccountRoles` ([`SsoToken::accounts`]), then `GetRoleCredentials`,
//!    which [`SsoRoleCredentials`] calls again whenever the SDK's cache finds them near expiry.
//!
//! The client secret, the device code, the access token and the role credentials are
//! [`Sensitive`] or the SDK's redacting `Credentials`, kept in memory only.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::{self, future, ProvideCredentials};
use aws_sdk_ssooidc::operation::create_token::CreateTokenError;
use trustbridge_secrets::Sensitive;

use super::{classify, AwsSettings, Credentials};
use crate::error::{CloudError, SsoFailure};

/// The OAuth grant type of the device authorization flow, as CreateToken takes it.
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The scope that lets the token list accounts and roles and get role credentials.
const SCOPE: &str = "sso:account:access";
/// `slow_down` adds this to the polling interval (the OAuth device flow's rule).
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// The longest wait between two polls, whatever the server asks (a person is waiting).
const MAX_INTERVAL: Duration = Duration::from_secs(30);
/// Pages of accounts or roles read at the most (a repeated `nextToken` never loops forever).
const MAX_PAGES: usize = 100;

/// The SSO OIDC and portal clients for the portal's region; `settings.sso_endpoint_url` points
/// both at another endpoint (tests).
#[derive(Clone)]
struct Clients {
    oidc: aws_sdk_ssooidc::Client,
    portal: aws_sdk_sso::Client,
    timeout: Duration,
}

fn clients(region: &str, s: &AwsSettings) -> Clients {
    let timeouts = aws_config::timeout::TimeoutConfig::builder().operation_attempt_timeout(s.timeout).operation_timeout(s.timeout).build();
    let mut oidc = aws_sdk_ssooidc::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .timeout_config(timeouts.clone());
    let mut portal = aws_sdk_sso::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .timeout_config(timeouts);
    if let Some(e) = &s.sso_endpoint_url {
        oidc = oidc.endpoint_url(e);
        portal = portal.endpoint_url(e);
    }
    Clients {
        oidc: aws_sdk_ssooidc::Client::from_conf(oidc.build()),
        portal: aws_sdk_sso::Client::from_conf(portal.build()),
        timeout: s.timeout,
    }
}

/// A device sign-in under way: what the person is shown, and what is polled with.
pub struct DeviceSignIn {
    /// The code the person confirms on the page.
    pub user_code: String,
    /// The page where the code is confirmed.
    pub verification_uri: String,
    /// The same page with the code filled in (opened in the browser).
    pub verification_uri_complete: String,
    pub expires_at: Instant,
    interval: Duration,
    client_id: String,
    client_secret: Sensitive<String>,
    device_code: Sensitive<String>,
    region: String,
    clients: Clients,
}

impl std::fmt::Debug for DeviceSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSignIn").field("user_code", &self.user_code).field("verification_uri", &self.verification_uri).finish()
    }
}

/// Registers a public client and starts the device authorization for the access portal at
/// `start_url` (already validated by the caller: an https URL) in `region`.
pub async fn start(start_url: &str, region: &str, s: &AwsSettings) -> Result<DeviceSignIn, CloudError> {
    let c = clients(region, s);
    let reg = c
        .oidc
        .register_client()
        .client_name("Trustbridge")
        .client_type("public")
        .scopes(SCOPE)
        .send()
        .await
        .map_err(|e| classify("sso-oauth:RegisterClient", e, c.timeout, "sso"))?;
    let (Some(client_id), Some(secret)) = (reg.client_id(), reg.client_secret()) else {
        return Err(bad_answer("sso-oauth:RegisterClient", "no client id or secret"));
    };
    let client_secret = Sensitive::new(secret.to_string());
    let auth = c
        .oidc
        .start_device_authorization()
        .client_id(client_id)
        .client_secret(client_secret.expose())
        .start_url(start_url)
        .send()
        .await
        .map_err(|e| classify("sso-oauth:StartDeviceAuthorization", e, c.timeout, "sso"))?;
    let (Some(device_code), Some(user_code), Some(uri)) = (auth.device_code(), auth.user_code(), auth.verification_uri()) else {
        return Err(bad_answer("sso-oauth:StartDeviceAuthorization", "no device code, user code or verification page"));
    };
    Ok(DeviceSignIn {
        user_code: user_code.to_string(),
        verification_uri: uri.to_string(),
        verification_uri_complete: auth.verification_uri_complete().unwrap_or(uri).to_string(),
        expires_at: Instant::now() + Duration::from_secs(auth.expires_in().max(1) as u64),
        // The OAuth device flow's default: 5 s when the server names none.
        interval: Duration::from_secs(if auth.interval() > 0 { auth.interval() as u64 } else { 5 }),
        client_id: client_id.to_string(),
        client_secret,
        device_code: Sensitive::new(device_code.to_string()),
        region: region.to_string(),
        clients: c,
    })
}

fn bad_answer(action: &str, what: &str) -> CloudError {
    CloudError::Service { action: action.into(), code: "BadResponse".into(), message: format!("the answer had {what}") }
}

impl DeviceSignIn {
    /// Polls for the token until the person confirms the code (or refuses, or it expires).
    /// `sleep` waits between polls (tests pass a shorter one; the intervals it is asked for are
    /// the ones AWS gave, longer after each `slow_down`).
    pub async fn wait<S, F>(&self, sleep: S) -> Result<SsoToken, CloudError>
    where
        S: Fn(Duration) -> F,
        F: std::future::Future<Output = ()>,
    {
        let mut interval = self.interval.min(MAX_INTERVAL);
        loop {
            let left = self.expires_at.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(CloudError::SsoSignIn { kind: SsoFailure::CodeExpired, message: String::new() });
            }
            // Never past the code's own expiry, never longer than MAX_INTERVAL at a time.
            sleep(interval.min(left)).await;
            let r = self
                .clients
                .oidc
                .create_token()
                .client_id(&self.client_id)
                .client_secret(self.client_secret.expose())
                .grant_type(DEVICE_GRANT)
                .device_code(self.device_code.expose())
                .send()
                .await;
            match r {
                Ok(out) => {
                    let Some(token) = out.access_token() else {
                        return Err(bad_answer("sso-oauth:CreateToken", "no access token"));
                    };
                    return Ok(SsoToken {
                        access_token: Sensitive::new(token.to_string()),
                        expires_at: SystemTime::now() + Duration::from_secs(out.expires_in().max(0) as u64),
                        clients: self.clients.clone(),
                        region: self.region.clone(),
                    });
                }
                Err(e) => match e.as_service_error() {
                    Some(CreateTokenError::AuthorizationPendingException(_)) => {}
                    Some(CreateTokenError::SlowDownException(_)) => interval = (interval + SLOW_DOWN_STEP).min(MAX_INTERVAL),
                    Some(CreateTokenError::ExpiredTokenException(_)) => {
                        return Err(CloudError::SsoSignIn { kind: SsoFailure::CodeExpired, message: String::new() })
                    }
                    Some(CreateTokenError::AccessDeniedException(_)) => {
                        return Err(CloudError::SsoSignIn { kind: SsoFailure::Denied, message: String::new() })
                    }
                    _ => return Err(classify("sso-oauth:CreateToken", e, self.clients.timeout, "sso")),
                },
            }
        }
    }
}

/// The access portal's token for the signed-in person.
#[derive(Clone)]
pub struct SsoToken {
    access_token: Sensitive<String>,
    pub expires_at: SystemTime,
    clients: Clients,
    region: String,
}

impl std::fmt::Debug for SsoToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoToken").field("access_token", &"<redacted>").field("region", &self.region).finish()
    }
}

/// An account the person may use, with the roles (permission sets) they have in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SsoAccount {
    pub account_id: String,
    pub account_name: String,
    pub roles: Vec<String>,
}

impl SsoToken {
    /// Every account and its roles (all pages of `ListAccounts`; `ListAccountRoles` per account,
    /// concurrently), sorted by account name. None at all is `aws.sso_no_access`.
    pub async fn accounts(&self) -> Result<Vec<SsoAccount>, CloudError> {
        let c = &self.clients;
        let token = self.access_token.expose();
        let mut accounts = Vec::new();
        let mut next: Option<String> = None;
        let mut pages = 0;
        loop {
            let out = c
                .portal
                .list_accounts()
                .access_token(token)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| classify("sso:ListAccounts", e, c.timeout, "sso"))?;
            accounts.extend(
                out.account_list()
                    .iter()
                    .filter_map(|a| Some((a.account_id()?.to_string(), a.account_name().unwrap_or_default().to_string()))),
            );
            pages += 1;
            match out.next_token() {
                Some(t) if !t.is_empty() && pages < MAX_PAGES => next = Some(t.to_string()),
                _ => break,
            }
        }
        // A few accounts at a time: a portal with many accounts is not asked all at once.
        let mut roles = Vec::with_capacity(accounts.len());
        for chunk in accounts.chunks(4) {
            roles.extend(futures_util::future::try_join_all(chunk.iter().map(|(id, _)| self.roles(id))).await?);
        }
        let mut out: Vec<SsoAccount> = accounts
            .into_iter()
            .zip(roles)
            .filter(|(_, r)| !r.is_empty())
            .map(|((account_id, account_name), roles)| SsoAccount { account_id, account_name, roles })
            .collect();
        if out.is_empty() {
            return Err(CloudError::SsoSignIn { kind: SsoFailure::NoAccess, message: String::new() });
        }
        out.sort_by(|a, b| a.account_name.cmp(&b.account_name).then(a.account_id.cmp(&b.account_id)));
        Ok(out)
    }

    async fn roles(&self, account_id: &str) -> Result<Vec<String>, CloudError> {
        let c = &self.clients;
        let mut roles = Vec::new();
        let mut next: Option<String> = None;
        let mut pages = 0;
        loop {
            let out = c
                .portal
                .list_account_roles()
                .access_token(self.access_token.expose())
                .account_id(account_id)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| classify("sso:ListAccountRoles", e, c.timeout, "sso"))?;
            roles.extend(out.role_list().iter().filter_map(|r| r.role_name().map(str::to_string)));
            pages += 1;
            match out.next_token() {
                Some(t) if !t.is_empty() && pages < MAX_PAGES => next = Some(t.to_string()),
                _ => break,
            }
        }
        roles.sort();
        Ok(roles)
    }

    /// A credentials provider for `role_name` in `account_id`: the SDK's identity cache asks it
    /// again when the role credentials near their expiry, for as long as the token lasts.
    pub fn role(&self, account_id: &str, role_name: &str) -> SsoRoleCredentials {
        SsoRoleCredentials(Arc::new((self.clone(), account_id.to_string(), role_name.to_string())))
    }
}

/// The role credentials of one account and role, fetched with the portal token on demand.
#[derive(Clone)]
pub struct SsoRoleCredentials(Arc<(SsoToken, String, String)>);

impl std::fmt::Debug for SsoRoleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoRoleCredentials").field("account_id", &self.0 .1).field("role_name", &self.0 .2).finish()
    }
}

impl SsoRoleCredentials {
    /// `GetRoleCredentials`: the role's temporary credentials, with their expiry.
    pub async fn fetch(&self) -> Result<Credentials, CloudError> {
        let (token, account_id, role_name) = &*self.0;
        let c = &token.clients;
        let out = c
            .portal
            .get_role_credentials()
            .access_token(token.access_token.expose())
            .account_id(account_id)
            .role_name(role_name)
            .send()
            .await
            .map_err(|e| classify("sso:GetRoleCredentials", e, c.timeout, "sso"))?;
        let Some(rc) = out.role_credentials() else { return Err(bad_answer("sso:GetRoleCredentials", "no role credentials")) };
        let (Some(id), Some(secret), Some(session)) = (rc.access_key_id(), rc.secret_access_key(), rc.session_token()) else {
            return Err(bad_answer("sso:GetRoleCredentials", "incomplete role credentials"));
        };
        let expiry = SystemTime::UNIX_EPOCH + Duration::from_millis(rc.expiration().max(0) as u64);
        Ok(Credentials::new(id, secret, Some(session.to_string()), Some(expiry), "trustbridge-sso"))
    }
}

impl ProvideCredentials for SsoRoleCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.fetch().await.map_err(|e| provider::error::CredentialsError::provider_error(e.to_string()))
        })
    }
}
