//! Signing in to AWS from the window, for people without a configured CLI. Tauri-free. Three ways
//! besides this computer's default chain:
//! - the AWS access portal (IAM Identity Center) in the browser: the device sign-in of `aws::sso`
//!   (a code to confirm, then an account and role to pick), its role credentials refreshed by the
//!   SDK near expiry for as long as the portal token lasts;
//! - a profile picked from the shared AWS config files (`aws::profiles`: SSO, role chaining,
//!   `credential_process`, keys), by name only, one the files really have;
//! - the temporary credentials the person pastes from their AWS access portal (Option 1 or 2 of
//!   "Access keys"), parsed and validated in Rust (`AwsPastedCredentials`).
//!
//! Either is checked with STS GetCallerIdentity and kept only in this process's memory, only when
//! AWS accepts it: never written, never logged, never sent back to the page. Every AWS call the
//! window makes afterwards (detection, pre-flight, dry run, apply, the connectivity test) is signed
//! with it, until the person signs out or the app closes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use trustbridge_cloud::aws::profiles::{self, AwsProfile};
use trustbridge_cloud::aws::sso::{self, DeviceSignIn, SsoAccount, SsoToken};
use trustbridge_cloud::aws::{self, AwsSettings, CallerIdentity, Credentials, SharedCredentialsProvider};
use trustbridge_cloud::CloudError;
use trustbridge_core::Problem;
use trustbridge_secrets::{AwsPastedCredentials, SecretsError, Sensitive};

/// Why a sign-in was not kept.
#[derive(Debug)]
pub enum SignInError {
    /// Pasted text that is not credentials of the access portal's forms (names the field and rule).
    Invalid(SecretsError),
    /// A profile name the config files do not have, an access portal URL or region that breaks its
    /// rule, or an account and role the portal did not offer.
    UnknownProfile(Problem),
    /// No access portal sign-in is under way (or it already finished).
    NoSignInUnderWay,
    /// Cancelled, or overtaken by a sign-out or a newer sign-in while AWS was asked: nothing kept.
    Cancelled,
    /// AWS did not accept the credentials (expired, unknown key, SSO session over, no network).
    Refused(CloudError),
}

/// How the window signs its AWS calls now, besides this computer's default.
#[derive(Clone)]
enum Choice {
    Profile(String),
    Pasted(Credentials),
    AccessPortal(SharedCredentialsProvider),
}

/// How the window signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SignInHow {
    Profile,
    Pasted,
    AccessPortal,
}

/// An access portal sign-in under way: what the person is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SsoDevice {
    /// The code to confirm on the AWS page.
    pub user_code: String,
    /// The AWS page, for "open it yourself" (the window opens it with the code filled in).
    pub verification_uri: String,
    pub expires_in_s: u64,
}

/// Who the window acts as, when the person signed in here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedIn {
    pub caller: CallerIdentity,
    pub how: SignInHow,
    /// The profile picked; None for the other ways.
    pub profile: Option<String>,
}

/// The sign-in of this run of the window, if any, and an access portal sign-in under way.
#[derive(Default)]
pub struct AwsSignIn {
    kept: Mutex<Option<(Choice, SignedIn)>>,
    device: Mutex<Option<DeviceSignIn>>,
    portal: Mutex<Option<(SsoToken, Vec<SsoAccount>)>>,
    /// Moved on by every sign-out, cancel and new access portal sign-in: what was started before
    /// it and answers after it is dropped, never kept over the newer state.
    generation: AtomicU64,
    /// Wakes an access portal wait so that it ends (cancel, sign-out, a newer sign-in).
    cancel: tokio::sync::Notify,
}

/// Hosts of the AWS page where a device code is confirmed (`device.sso.<region>.amazonaws.com`).
pub fn sso_page_allowed(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let region =
        host.strip_prefix("device.sso.").and_then(|h| h.strip_suffix(".amazonaws.com").or_else(|| h.strip_suffix(".amazonaws.com.cn")));
    region.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

impl AwsSignIn {
    /// Starts an access portal sign-in for `start_url` (https; loopback http for tests) in
    /// `region`: the code to confirm and the page. Replaces one under way.
    pub async fn sso_start(&self, start_url: &str, region: &str, base: &AwsSettings) -> Result<SsoDevice, SignInError> {
        let url = trustbridge_secrets::check_credential_url(start_url.trim()).map_err(|rule| {
            // The rule's own text shows the address with any user name or password taken out; the
            // value is not repeated beside it.
            SignInError::UnknownProfile(Problem::new("aws.sso_start_url", rule, "(the address typed)"))
        })?;
        if !region_ok(region) {
            return Err(SignInError::UnknownProfile(Problem::new("aws.sso_region", "must be an AWS region name, like eu-west-1", region)));
        }
        self.interrupt();
        let generation = self.generation.load(Ordering::SeqCst);
        let device = sso::start(url.as_str(), region, base).await.map_err(SignInError::Refused)?;
        let shown = SsoDevice {
            user_code: device.user_code.clone(),
            verification_uri: device.verification_uri.clone(),
            expires_in_s: device.expires_at.saturating_duration_since(std::time::Instant::now()).as_secs(),
        };
        if let Ok(mut d) = self.device.lock() {
            if self.generation.load(Ordering::SeqCst) != generation {
                return Err(SignInError::Cancelled);
            }
            *d = Some(device);
        }
        Ok(shown)
    }

    /// The page to open for the sign-in under way (with the code filled in), when it is AWS's.
    pub fn sso_page(&self) -> Option<String> {
        let d = self.device.lock().ok()?;
        let url = d.as_ref()?.verification_uri_complete.clone();
        sso_page_allowed(&url).then_some(url)
    }

    /// Waits until the person confirms the code (or refuses, or it expires), then lists the
    /// accounts and roles they may use.
    pub async fn sso_wait(&self) -> Result<Vec<SsoAccount>, SignInError> {
        let generation = self.generation.load(Ordering::SeqCst);
        let device = self.device.lock().ok().and_then(|mut d| d.take()).ok_or(SignInError::NoSignInUnderWay)?;
        let cancelled = self.cancel.notified();
        let token = tokio::select! {
            r = device.wait(tokio::time::sleep) => r.map_err(SignInError::Refused)?,
            () = cancelled => return Err(SignInError::Cancelled),
        };
        let accounts = token.accounts().await.map_err(SignInError::Refused)?;
        if let Ok(mut p) = self.portal.lock() {
            if self.generation.load(Ordering::SeqCst) != generation {
                return Err(SignInError::Cancelled);
            }
            *p = Some((token, accounts.clone()));
        }
        Ok(accounts)
    }

    /// Ends an access portal sign-in under way (its wait answers `Cancelled`); a sign-in already
    /// kept stays.
    pub fn sso_cancel(&self) {
        self.interrupt();
        if let Ok(mut d) = self.device.lock() {
            *d = None;
        }
    }

    /// Moves the generation on and wakes a wait under way.
    fn interrupt(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.cancel.notify_waiters();
    }

    /// Signs in as `role_name` in `account_id`, one the portal offered.
    pub async fn sso_use(&self, account_id: &str, role_name: &str, region: &str, base: &AwsSettings) -> Result<SignedIn, SignInError> {
        let (token, accounts) = self.portal.lock().ok().and_then(|p| p.clone()).ok_or(SignInError::NoSignInUnderWay)?;
        if !accounts.iter().any(|a| a.account_id == account_id && a.roles.iter().any(|r| r == role_name)) {
            let offered: Vec<String> =
                accounts.iter().flat_map(|a| a.roles.iter().map(move |r| format!("{r} in {}", a.account_id))).collect();
            let rule = format!("must be a role the AWS access portal offered ({})", offered.join(", "));
            return Err(SignInError::UnknownProfile(Problem::new("aws.sso_role", rule, &format!("{role_name} in {account_id}"))));
        }
        let provider = SharedCredentialsProvider::new(token.role(account_id, role_name));
        self.check_and_keep(Choice::AccessPortal(provider), region, base).await
    }
    /// The profiles `base`'s config files have (the picker).
    pub async fn profiles(base: &AwsSettings) -> Result<Vec<AwsProfile>, CloudError> {
        profiles::list(&base.profile_files()).await
    }

    /// Signs in with the profile `name`, one the config files have.
    pub async fn use_profile(&self, name: &str, region: &str, base: &AwsSettings) -> Result<SignedIn, SignInError> {
        let known = Self::profiles(base).await.map_err(SignInError::Refused)?;
        if !known.iter().any(|p| p.name == name) {
            let names: Vec<&str> = known.iter().map(|p| p.name.as_str()).collect();
            let rule = if names.is_empty() {
                "must be a profile of this computer's AWS config files, which have none".to_string()
            } else {
                format!("must be one of this computer's AWS profiles ({})", names.join(", "))
            };
            return Err(SignInError::UnknownProfile(Problem::new("aws.profile", rule, name)));
        }
        self.check_and_keep(Choice::Profile(name.to_string()), region, base).await
    }

    /// Parses pasted access-portal credentials and signs in with them. What was kept before is
    /// replaced only by credentials that work.
    pub async fn use_pasted(&self, text: Sensitive<String>, region: &str, base: &AwsSettings) -> Result<SignedIn, SignInError> {
        let parsed = AwsPastedCredentials::parse(&text).map_err(SignInError::Invalid)?;
        drop(text);
        let credentials = Credentials::new(
            parsed.access_key_id(),
            parsed.secret_access_key().expose().clone(),
            parsed.session_token().map(|t| t.expose().clone()),
            None,
            "trustbridge-pasted",
        );
        drop(parsed);
        self.check_and_keep(Choice::Pasted(credentials), region, base).await
    }

    async fn check_and_keep(&self, choice: Choice, region: &str, base: &AwsSettings) -> Result<SignedIn, SignInError> {
        let generation = self.generation.load(Ordering::SeqCst);
        let settings = signed(&choice, base);
        let caller = aws::Session::for_region(region, &settings).await.caller_identity().await.map_err(SignInError::Refused)?;
        let (how, profile) = match &choice {
            Choice::Profile(p) => (SignInHow::Profile, Some(p.clone())),
            Choice::Pasted(_) => (SignInHow::Pasted, None),
            Choice::AccessPortal(_) => (SignInHow::AccessPortal, None),
        };
        let signed_in = SignedIn { caller, how, profile };
        if let Ok(mut kept) = self.kept.lock() {
            // Signed out (or a newer sign-in began) while AWS was asked: that wins.
            if self.generation.load(Ordering::SeqCst) != generation {
                return Err(SignInError::Cancelled);
            }
            *kept = Some((choice, signed_in.clone()));
        }
        Ok(signed_in)
    }

    /// Back to this computer's own credentials (its default profile, SSO session or environment).
    pub fn sign_out(&self) {
        self.interrupt();
        if let Ok(mut kept) = self.kept.lock() {
            *kept = None;
        }
        if let Ok(mut p) = self.portal.lock() {
            *p = None;
        }
        if let Ok(mut d) = self.device.lock() {
            *d = None;
        }
    }

    /// Who the window acts as, when the person signed in here.
    pub fn signed_in(&self) -> Option<SignedIn> {
        self.kept.lock().ok()?.as_ref().map(|(_, s)| s.clone())
    }

    /// `base`, signed as the person chose here (the choice wins over the environment's profile).
    pub fn settings(&self, base: &AwsSettings) -> AwsSettings {
        match self.kept.lock().ok().and_then(|k| k.as_ref().map(|(c, _)| c.clone())) {
            Some(c) => signed(&c, base),
            None => base.clone(),
        }
    }
}

fn signed(choice: &Choice, base: &AwsSettings) -> AwsSettings {
    match choice {
        Choice::Profile(p) => AwsSettings { profile: Some(p.clone()), credentials: None, ..base.clone() },
        Choice::Pasted(c) => AwsSettings { profile: None, credentials: Some(c.clone()), ..base.clone() },
        Choice::AccessPortal(p) => AwsSettings { profile: None, credentials: None, provider: Some(p.clone()), ..base.clone() },
    }
}

fn region_ok(r: &str) -> bool {
    (4..=32).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') && r.contains('-')
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_aws_device_pages_are_opened() {
        use super::sso_page_allowed as ok;
        assert!(ok("https://device.sso.eu-west-1.amazonaws.com/?user_code=WDJB-MJHT"));
        assert!(ok("https://device.sso.cn-north-1.amazonaws.com.cn/"));
        for bad in [
            "http://device.sso.eu-west-1.amazonaws.com/",
            "https://device.sso.eu-west-1.amazonaws.com.evil.example/",
            "https://evil.example/device.sso.eu-west-1.amazonaws.com",
            "https://device.sso..amazonaws.com/",
            "https://user@device.sso.eu-west-1.amazonaws.com/",
            "https://device.sso.EU.amazonaws.com/",
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }
}
