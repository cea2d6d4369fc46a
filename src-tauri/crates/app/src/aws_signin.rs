//! Signing in to AWS from the window without a configured CLI: the person pastes the temporary
//! credentials their AWS access portal shows (Option 1 or Option 2 of "Access keys"). Tauri-free.
//! The text is parsed and validated in Rust (`AwsPastedCredentials`), checked with STS
//! GetCallerIdentity, and kept only in this process's memory, only when AWS accepts it: never
//! written, never logged, never sent back to the page. Every AWS call the window makes afterwards
//! (detection, pre-flight, dry run, apply, the connectivity test) is signed with it, until the
//! person forgets it or the app closes.

use std::sync::Mutex;

use trustbridge_cloud::aws::{self, AwsSettings, CallerIdentity, Credentials};
use trustbridge_cloud::CloudError;
use trustbridge_secrets::{AwsPastedCredentials, SecretsError, Sensitive};

/// Why pasted credentials were not kept.
#[derive(Debug)]
pub enum SignInError {
    /// The text is not credentials of the access portal's forms (names the field and rule).
    Invalid(SecretsError),
    /// AWS did not accept them (expired, unknown key, no network).
    Refused(CloudError),
}

/// The credentials pasted in this run of the window, if any.
#[derive(Default)]
pub struct PastedAws(Mutex<Option<Pasted>>);

#[derive(Clone)]
struct Pasted {
    credentials: Credentials,
    caller: CallerIdentity,
}

impl PastedAws {
    /// Parses `text`, asks STS who it is (in `region`, with `base`'s endpoint and timeouts), and
    /// keeps it when AWS answers. What was kept before is replaced only by credentials that work.
    pub async fn sign_in(&self, text: Sensitive<String>, region: &str, base: &AwsSettings) -> Result<CallerIdentity, SignInError> {
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
        let settings = AwsSettings { profile: None, credentials: Some(credentials.clone()), ..base.clone() };
        let caller = aws::Session::for_region(region, &settings).await.caller_identity().await.map_err(SignInError::Refused)?;
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some(Pasted { credentials, caller: caller.clone() });
        }
        Ok(caller)
    }

    /// Forgets the pasted credentials: the window is back to this computer's own (profile, SSO,
    /// environment).
    pub fn forget(&self) {
        if let Ok(mut kept) = self.0.lock() {
            *kept = None;
        }
    }

    /// Who the pasted credentials are, when some are kept.
    pub fn caller(&self) -> Option<CallerIdentity> {
        self.0.lock().ok()?.as_ref().map(|p| p.caller.clone())
    }

    /// `base`, signed with the pasted credentials when some are kept (they win over a profile).
    pub fn settings(&self, base: &AwsSettings) -> AwsSettings {
        match self.0.lock().ok().and_then(|k| k.as_ref().map(|p| p.credentials.clone())) {
            Some(c) => AwsSettings { profile: None, credentials: Some(c), ..base.clone() },
            None => base.clone(),
        }
    }
}
