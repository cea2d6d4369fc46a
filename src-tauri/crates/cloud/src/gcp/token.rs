//! The service-account JWT-bearer grant (RFC 7523): an RS256-signed assertion, posted to the key's
//! `token_uri` (or an override), exchanged for an access token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use trustbridge_secrets::{GcpServiceAccountKey, Sensitive};

use crate::http::{check_endpoint, form, request_token, snippet};
use crate::probe::{Cloud, Code, Kind, Outcome};

pub const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The signed assertion: `header.claims.signature`, valid for one hour from `now`.
pub fn assertion(key: &GcpServiceAccountKey, audience: &str, now: SystemTime) -> Result<Sensitive<String>, String> {
    let iat = now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_secs();
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": key.private_key_id});
    let claims = serde_json::json!({"iss": key.client_email, "sub": key.client_email, "scope": SCOPE, "aud": audience, "iat": iat, "exp": iat + 3600});
    let signing_input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let sig = key.sign_rs256(signing_input.as_bytes()).map_err(|e| e.to_string())?;
    Ok(Sensitive::new(format!("{signing_input}.{}", b64(&sig))))
}

/// Exchanges a signed assertion for an access token. On failure: the probe outcome to report.
pub async fn access_token(
    http: &reqwest::Client,
    key: &GcpServiceAccountKey,
    token_uri: &str,
    sa_email: &str,
) -> Result<Sensitive<String>, Outcome> {
    if let Err(why) = check_endpoint(token_uri) {
        return Err(Outcome::fail(
            Code::gcp(Kind::TokenEndpoint),
            format!("token endpoint: {why}"),
            "use the key file as Google issued it (token_uri https://oauth2.googleapis.com/token)",
        ));
    }
    let jwt = assertion(key, token_uri, SystemTime::now()).map_err(|m| {
        Outcome::fail(
            Code::gcp(Kind::KeyInvalid),
            m,
            "create a new key and store it: `trustbridge secrets set --plan PLAN --kind gcp --file key.json`",
        )
    })?;
    let body = Sensitive::new(form(&[("grant_type", GRANT), ("assertion", jwt.expose())]));
    let missing = "check that token_uri points at Google's OAuth endpoint (or your private endpoint)";
    let refused = match request_token(http, token_uri, &body, Cloud::Gcp, missing).await? {
        Ok(token) => return Ok(token),
        Err(r) => r,
    };
    let status = refused.status;
    let v = refused.body;
    let text = refused.text;
    let error = v["error"].as_str().unwrap_or_default();
    let desc = v["error_description"].as_str().unwrap_or_default();
    let new_key = format!(
        "create a new key (`gcloud iam service-accounts keys create key.json --iam-account={sa_email}`) and store it (`trustbridge secrets set --plan PLAN --kind gcp --file key.json`), then delete key.json"
    );
    Err(match error {
        "invalid_grant" if desc.contains("account not found") || desc.contains("Not a valid email") => Outcome::fail(
            Code::gcp(Kind::ServiceAccountNotFound),
            format!("Google does not know service account {sa_email} ({error}: {desc})"),
            format!("create it or check the plan: `gcloud iam service-accounts describe {sa_email}`; then {new_key}"),
        ),
        "invalid_grant" => Outcome::fail(
            Code::gcp(Kind::KeyRejected),
            format!("Google rejected the key ({error}: {desc}); it was probably deleted or disabled, or the clock of this machine is off"),
            format!("check the clock; list the keys with `gcloud iam service-accounts keys list --iam-account={sa_email}`; {new_key}"),
        ),
        "unauthorized_client" | "access_denied" => Outcome::fail(
            Code::gcp(Kind::KeyRejected),
            format!("Google refused the service account ({error}: {desc}); it may be disabled"),
            format!("enable it: `gcloud iam service-accounts enable {sa_email}`"),
        ),
        _ => Outcome::fail(
            Code::gcp(Kind::TokenFailed),
            format!("the token endpoint answered {status}: {}", snippet(&text)),
            "check token_uri and your network; if it persists, create a new key",
        ),
    })
}
