//! "Sign in with Google" for people without gcloud: OAuth 2.0 for desktop apps (RFC 8252) with
//! PKCE (RFC 7636), as Google documents it for installed apps — the browser opens Google's
//! authorization page with the vendor profile's OAuth client, Google redirects to a one-time
//! listener on 127.0.0.1, and the code is exchanged (with the PKCE verifier) for a refresh token.
//! The result is an in-memory authorized-user credential ([`AdminCredential`]), the same kind
//! `gcloud auth application-default login` writes to disk — here it is never written. Scopes:
//! `openid email` (who signed in, for the "acting as" line) and `cloud-platform` (what apply needs).

use trustbridge_secrets::Sensitive;

use super::credential::{AdminCredential, GOOGLE_TOKEN_URI};
use super::GcpSettings;
use crate::error::{ApiFailure, CloudError};
use crate::http::form;
use crate::oauth::{self, Loopback, Redirect};
use crate::probe::Cloud;

pub const SCOPES: &str = "openid email https://www.googleapis.com/auth/cloud-platform";

fn signin(message: String) -> CloudError {
    CloudError::Api { cloud: Cloud::Gcp, kind: ApiFailure::SignIn, action: "sign in with Google".into(), message }
}

/// A browser sign-in under way: open [`BrowserSignIn::url`], then [`BrowserSignIn::finish`].
pub struct BrowserSignIn {
    /// Google's authorization page for this sign-in (no secret in it: the PKCE challenge, the
    /// state, the client id and the loopback address).
    pub url: String,
    loopback: Loopback,
    state: String,
    verifier: Sensitive<String>,
    client_id: String,
    client_secret: Sensitive<String>,
}

impl std::fmt::Debug for BrowserSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BrowserSignIn({})", self.loopback.redirect_uri)
    }
}

impl BrowserSignIn {
    /// Listens on 127.0.0.1 and builds the authorization URL for the vendor's desktop client.
    pub async fn start(settings: &GcpSettings, client_id: &str, client_secret: Sensitive<String>) -> Result<BrowserSignIn, CloudError> {
        settings.check().map_err(signin)?;
        let loopback = Loopback::bind().await?;
        let (verifier, challenge) = oauth::pkce()?;
        let state = oauth::state()?;
        let url = ::url::Url::parse_with_params(
            &settings.auth_uri,
            &[
                ("client_id", client_id),
                ("redirect_uri", loopback.redirect_uri.as_str()),
                ("response_type", "code"),
                ("scope", SCOPES),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
                ("state", state.as_str()),
                // A refresh token, so a long apply outlives the first access token.
                ("access_type", "offline"),
                ("prompt", "consent select_account"),
            ],
        )
        .map_err(|e| signin(format!("the sign-in page URL: {e}")))?
        .to_string();
        Ok(BrowserSignIn { url, loopback, state, verifier, client_id: client_id.into(), client_secret })
    }

    /// Waits for Google's redirect (the caller bounds the wait, and may drop this to cancel), then
    /// exchanges the code for tokens. Refused in the browser: `gcp.sign_in_failed`.
    pub async fn finish(self, http: &reqwest::Client, settings: &GcpSettings) -> Result<AdminCredential, CloudError> {
        let code = match self.loopback.wait(&self.state).await? {
            Redirect::Code(c) => c,
            Redirect::Refused(e) if e == "access_denied" => {
                return Err(signin("the sign-in was cancelled or refused in the browser".into()))
            }
            Redirect::Refused(e) => return Err(signin(format!("Google answered '{}' instead of a sign-in", crate::http::snippet(&e)))),
        };
        let uri = settings.token_uri.clone().unwrap_or_else(|| GOOGLE_TOKEN_URI.into());
        let body = Sensitive::new(form(&[
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("code_verifier", self.verifier.expose()),
            ("client_id", &self.client_id),
            ("client_secret", self.client_secret.expose()),
            ("redirect_uri", &self.loopback.redirect_uri),
        ]));
        let (status, a) = oauth::post_form(http, &uri, &body, Cloud::Gcp, "sign in with Google").await?;
        let refresh = match (&a.refresh_token, (200..300).contains(&status)) {
            (Some(r), true) if !r.expose().is_empty() => r.clone(),
            (_, true) => return Err(signin("Google answered without a refresh token".into())),
            _ => return Err(signin(oauth::refusal(&a, status))),
        };
        // Google lets the person untick a scope on its consent page: without cloud-platform, apply
        // could only fail later with 403.
        if let Some(granted) = &a.scope {
            if !granted.split(' ').any(|x| x == "https://www.googleapis.com/auth/cloud-platform") {
                return Err(signin("the sign-in did not allow Google Cloud access (the \"See, edit, configure and delete your Google Cloud data\" box was not ticked): sign in again and allow it".into()));
            }
        }
        let account = a.id_token.as_ref().and_then(oauth::claims).and_then(|c| c["email"].as_str().map(str::to_string));
        Ok(AdminCredential::SignedIn { client_id: self.client_id, client_secret: self.client_secret, refresh_token: refresh, account })
    }
}
