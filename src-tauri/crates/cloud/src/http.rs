//! What the HTTP clouds share (Google Cloud, Azure, the vendor's API): an HTTP client with extra
//! trust roots, a rule for where a credential may be sent, token requests, and error
//! classification. Nothing here ever formats a secret.

use std::time::Duration;
use trustbridge_secrets::Sensitive;

use crate::retry::RetryPolicy;

use crate::probe::{Cloud, Code, Kind, Outcome};

/// A client for one verify run. `extra_roots_pem`: PEM certificates trusted in addition to the
/// system's (private endpoints, emulators with self-signed certificates). It never follows a
/// redirect: every request carries a credential (a signed assertion, a client secret or a bearer
/// token), and a 3xx would send it to a host [`check_endpoint`] never saw. A 3xx comes back as an
/// answer, which the callers report as an error.
pub fn client(timeout: Duration, extra_roots_pem: &[Vec<u8>]) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("trustbridge/", env!("CARGO_PKG_VERSION")));
    for pem in extra_roots_pem {
        for cert in reqwest::Certificate::from_pem_bundle(pem).map_err(|e| format!("an extra CA certificate is not valid PEM: {e}"))? {
            b = b.add_root_certificate(cert);
        }
    }
    b.build().map_err(|e| format!("could not set up HTTPS: {e}"))
}

/// A credential or bearer token is only ever sent over https, or over plain http to this machine
/// (emulators and test doubles); never to a URL with userinfo or a fragment. The one rule is
/// [`trustbridge_secrets::check_credential_url`] (the URL is parsed, not sliced); the error names the
/// rule and quotes the URL without its userinfo.
pub fn check_endpoint(url: &str) -> Result<(), String> {
    trustbridge_secrets::check_credential_url(url).map(|_| ())
}

/// The same rule for an endpoint read from the environment variable `var`; the error names it.
pub fn check_env_endpoint(var: &str, url: &str) -> Result<(), String> {
    check_endpoint(url).map_err(|why| format!("{var}: {why}"))
}

/// A transport failure in words (no URL query, no headers).
pub fn describe_reqwest(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_decode() {
        "the answer could not be read"
    } else {
        "the request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {detail}")
    }
}

/// Percent-encodes one path segment or query value (RFC 3986 unreserved characters kept).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `application/x-www-form-urlencoded` body. The values may be secrets: the result is returned in
/// a zeroizing wrapper by the callers that pass one.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// How the HTTP clouds retry: connection failures and answers that say "try again" (429, 502, 503,
/// 504), a few times with backoff. Every probe stays within its own time bound around this.
pub const HTTP_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(200),
    max_backoff: Duration::from_secs(2),
    max_total: Duration::from_secs(10),
};

/// Sends `req`, and again (a clone of it) while the failure is a transient one and
/// [`HTTP_RETRY`] allows; returns the last answer or error. Requests whose body cannot be cloned
/// are sent once.
pub async fn send_retrying(req: reqwest::RequestBuilder) -> Result<reqwest::Response, reqwest::Error> {
    send_with(HTTP_RETRY, req).await
}

pub async fn send_with(policy: RetryPolicy, mut req: reqwest::RequestBuilder) -> Result<reqwest::Response, reqwest::Error> {
    let start = std::time::Instant::now();
    let mut attempt = 1;
    loop {
        let again = req.try_clone();
        let res = req.send().await;
        let transient = match &res {
            Ok(r) => matches!(r.status().as_u16(), 429 | 502 | 503 | 504),
            Err(e) => e.is_connect() || e.is_timeout(),
        };
        let Some(next) = again.filter(|_| transient && attempt < policy.max_attempts && start.elapsed() < policy.max_total) else {
            return res;
        };
        tokio::time::sleep(policy.backoff(attempt)).await;
        attempt += 1;
        req = next;
    }
}

/// An OAuth token request that did not yield a token: the status and the error body (raw and parsed).
pub struct TokenRefused {
    pub status: reqwest::StatusCode,
    pub text: String,
    pub body: serde_json::Value,
}

/// POSTs an OAuth form to `url` and reads `access_token` from a 2xx answer. `cloud` prefixes the
/// outcome codes (`{cloud}.network`, `{cloud}.token_response`); `missing_fix` says what to check
/// when a 2xx answer has no token. A non-2xx answer comes back as [`TokenRefused`] for the
/// caller's service-specific messages.
pub async fn request_token(
    http: &reqwest::Client,
    url: &str,
    body: &Sensitive<String>,
    cloud: Cloud,
    missing_fix: &str,
) -> Result<Result<Sensitive<String>, TokenRefused>, Outcome> {
    let network = |e: &reqwest::Error| {
        Outcome::fail(
            Code::new(cloud, Kind::Network),
            format!("could not reach {url}: {}", describe_reqwest(e)),
            "check your network connection and proxy (HTTPS_PROXY); then run the test again — it is safe to re-run",
        )
    };
    let resp = send_retrying(http.post(url).header("content-type", "application/x-www-form-urlencoded").body(body.expose().clone()))
        .await
        .map_err(|e| network(&e))?;
    let status = resp.status();
    if status.is_redirection() {
        // The client follows no redirect (see [`client`]): the form, which holds the credential, was
        // sent to `url` only. Going on to the Location would hand it to an unchecked host.
        let to = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| ::url::Url::parse(url).ok()?.join(l).ok())
            .map(|u| format!(" to '{}'", trustbridge_secrets::url_rule::redact(&u)))
            .unwrap_or_default();
        return Err(Outcome::fail(
            Code::new(cloud, Kind::TokenRedirect),
            format!("{url} answered {status}, a redirect{to}; token requests never follow redirects, so the credential went no further"),
            "set the token endpoint to the token service's own https URL (not an address that redirects), then run the test again",
        ));
    }
    let text = resp.text().await.map_err(|e| network(&e))?;
    if !status.is_success() {
        return Ok(Err(TokenRefused { status, body: serde_json::from_str(&text).unwrap_or_default(), text }));
    }
    #[derive(serde::Deserialize)]
    struct Token {
        access_token: Option<Sensitive<String>>,
    }
    match serde_json::from_str::<Token>(&text) {
        Ok(Token { access_token: Some(t) }) if !t.expose().is_empty() => Ok(Ok(t)),
        _ => Err(Outcome::fail(
            Code::new(cloud, Kind::TokenResponse),
            format!("{url} answered {status} without an access token"),
            missing_fix,
        )),
    }
}

/// The first 300 characters of a response body, for messages (error bodies never hold secrets we sent).
pub fn snippet(body: &str) -> String {
    let t = body.trim();
    if t.chars().count() > 300 {
        format!("{}…", t.chars().take(300).collect::<String>())
    } else {
        t.to_string()
    }
}

/// A JSON REST client for one cloud's management APIs (Google Cloud's IAM, Resource Manager,
/// Storage and Pub/Sub; Microsoft Graph and Resource Manager), shared by the GCP and Azure apply
/// engines: bearer authentication, [`send_retrying`] on transient failures, every call counted,
/// and the waits an engine announces kept for its report. The token is the caller's (one per API
/// on Azure) and is never formatted.
pub struct JsonApi {
    http: reqwest::Client,
    cloud: Cloud,
    calls: std::sync::atomic::AtomicU32,
    waits: std::sync::Mutex<Vec<String>>,
}

/// A call's answer: the status and the JSON body (`Null` when there is none; a body that is not
/// JSON comes back as a short string, never whole).
pub struct Answer {
    pub status: u16,
    pub body: serde_json::Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl JsonApi {
    /// `calls`: the calls already made for this run (the token requests).
    pub fn new(http: reqwest::Client, cloud: Cloud, calls: u32) -> JsonApi {
        JsonApi { http, cloud, calls: calls.into(), waits: Default::default() }
    }

    /// One call; an answer whatever its status, an error only when none came (`Unreachable`).
    pub async fn call(
        &self,
        token: &Sensitive<String>,
        method: reqwest::Method,
        url: &str,
        body: Option<&serde_json::Value>,
        action: &str,
    ) -> Result<Answer, crate::CloudError> {
        self.call_with(token, method, url, body, &[], action).await
    }

    /// [`JsonApi::call`] with request headers besides the authorization (names and values are the
    /// caller's constants or checked values).
    pub async fn call_with(
        &self,
        token: &Sensitive<String>,
        method: reqwest::Method,
        url: &str,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
        action: &str,
    ) -> Result<Answer, crate::CloudError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let unreachable = |e: reqwest::Error| crate::CloudError::Api {
            cloud: self.cloud,
            kind: crate::ApiFailure::Unreachable,
            action: action.into(),
            message: describe_reqwest(&e),
        };
        let mut req = self.http.request(method, url).bearer_auth(token.expose());
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = send_retrying(req).await.map_err(unreachable)?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(unreachable)?;
        let body = if text.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| serde_json::Value::String(snippet(&text)))
        };
        Ok(Answer { status, body })
    }

    /// HTTP calls made so far.
    pub fn calls(&self) -> u32 {
        self.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Announces a wait (what for, how long), for the report.
    pub fn wait(&self, what: String) {
        if let Ok(mut w) = self.waits.lock() {
            w.push(what);
        }
    }

    pub fn waits(&self) -> Vec<String> {
        self.waits.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_only_go_over_https_or_to_loopback() {
        for ok in [
            "https://oauth2.googleapis.com/token",
            "http://127.0.0.1:9/t",
            "http://localhost/t",
            "http://[::1]:80/x",
            "http://[::1]:9/x",
            "HTTP://LOCALHOST/x",
        ] {
            assert!(check_endpoint(ok).is_ok(), "{ok}: {:?}", check_endpoint(ok));
        }
        for bad in [
            "http://example.com/token",
            "http://127.0.0.1.evil.com/x",
            "http://127.0.0.1.evil.com/",
            "ftp://x",
            "https://",
            "http://10.0.0.1/",
            "javascript:alert(1)",
            "https://oauth2.googleapis.com/token#frag",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn userinfo_cannot_smuggle_a_host_past_the_loopback_rule() {
        for (bad, hidden) in [
            ("http://127.0.0.1:1@evil.example/x", "127.0.0.1:1@"),
            ("http://127.0.0.1:1@evil.example/token", "127.0.0.1:1@"),
            ("http://user:pw@127.0.0.1/", "user:pw"),
            ("https://a@b.example/", "a@"),
            ("https://app:cl13nt-s3cret@login.microsoftonline.com/t", "cl13nt-s3cret"),
        ] {
            let e = check_endpoint(bad).unwrap_err();
            assert!(!e.contains(hidden), "{bad}: the error echoes the userinfo: {e}");
            let e = check_env_endpoint("AZURE_AUTHORITY_HOST", bad).unwrap_err();
            assert!(e.starts_with("AZURE_AUTHORITY_HOST: "), "{e}");
            assert!(!e.contains(hidden), "{bad}: {e}");
        }
    }

    #[test]
    fn form_encoding() {
        assert_eq!(form(&[("a b", "x=y&z~")]), "a%20b=x%3Dy%26z~");
        assert_eq!(enc("urn:ietf"), "urn%3Aietf");
    }
}
