//! Signing in to AWS from the window, for people without a configured CLI. Tauri-free. Two ways
//! besides this computer's default chain:
//! - a profile picked from the shared AWS config files (`aws::profiles`: SSO, role chaining,
//!   `credential_process`, keys), by name only, one the files really have;
//! - the temporary credentials the person pastes from their AWS access portal (Option 1 or 2 of
//!   "Access keys"), parsed and validated in Rust (`AwsPastedCredentials`).
//! Either is checked with STS GetCallerIdentity and kept only in this process's memory, only when
//! AWS accepts it: never written, never logged, never sent back to the page. Every AWS call the
//! window makes afterwards (detection, pre-flight, dry run, apply, the connectivity test) is signed
//! with it, until the person signs out or the app closes.

use std::sync::Mutex;

use serde::Serialize;
use trustbridge_cloud::aws::profiles::{self, AwsProfile};
use trustbridge_cloud::aws::{self, AwsSettings, CallerIdentity, Credentials};
use trustbridge_cloud::CloudError;
use trustbridge_core::Problem;
use trustbridge_secrets::{AwsPastedCredentials, SecretsError, Sensitive};

/// Why a sign-in was not kept.
#[derive(Debug)]
pub enum SignInError {
    /// Pasted text that is not credentials of the access portal's forms (names the field and rule).
    Invalid(SecretsError),
    /// A profile name the config files do not have.
    UnknownProfile(Problem),
    /// AWS did not accept the credentials (expired, unknown key, SSO session over, no network).
    Refused(CloudError),
}

/// How the window signs its AWS calls now, besides this computer's default.
#[derive(Clone)]
enum Choice {
    Profile(String),
    Pasted(Credentials),
}

/// Who the window acts as, when the person signed in here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedIn {
    pub caller: CallerIdentity,
    /// The profile picked; None for pasted credentials.
    pub profile: Option<String>,
}

/// The sign-in of this run of the window, if any.
#[derive(Default)]
pub struct AwsSignIn(Mutex<Option<(Choice, SignedIn)>>);

impl AwsSignIn {
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
        let settings = signed(&choice, base);
        let caller = aws::Session::for_region(region, &settings).await.caller_identity().await.map_err(SignInError::Refused)?;
        let profile = match &choice {
            Choice::Profile(p) => Some(p.clone()),
            Choice::Pasted(_) => None,
        };
        let signed_in = SignedIn { caller, profile };
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some((choice, signed_in.clone()));
        }
        Ok(signed_in)
    }

    /// Back to this computer's own credentials (its default profile, SSO session or environment).
    pub fn sign_out(&self) {
        if let Ok(mut kept) = self.0.lock() {
            *kept = None;
        }
    }

    /// Who the window acts as, when the person signed in here.
    pub fn signed_in(&self) -> Option<SignedIn> {
        self.0.lock().ok()?.as_ref().map(|(_, s)| s.clone())
    }

    /// `base`, signed as the person chose here (the choice wins over the environment's profile).
    pub fn settings(&self, base: &AwsSettings) -> AwsSettings {
        match self.0.lock().ok().and_then(|k| k.as_ref().map(|(c, _)| c.clone())) {
            Some(c) => signed(&c, base),
            None => base.clone(),
        }
    }
}

fn signed(choice: &Choice, base: &AwsSettings) -> AwsSettings {
    match choice {
        Choice::Profile(p) => AwsSettings { profile: Some(p.clone()), credentials: None, ..base.clone() },
        Choice::Pasted(c) => AwsSettings { profile: None, credentials: Some(c.clone()), ..base.clone() },
    }
}
