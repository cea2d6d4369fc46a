//! What the browser and device sign-ins share (OAuth 2.0 for desktop apps, RFC 8252, with PKCE,
//! RFC 7636; the device authorization grant, RFC 8628): token-endpoint answers read straight into
//! [`Sensitive`], PKCE verifiers and `state` values from the system's random source, and the
//! loopback redirect receiver. Nothing here writes or prints a token.

use base64::Engine as _;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trustbridge_secrets::Sensitive;

use crate::error::{ApiFailure, CloudError};
use crate::http;
use crate::probe::Cloud;

/// A token endpoint's answer, success or error (RFC 6749 §5.1, §5.2; RFC 8628 §3.5).
#[derive(Deserialize, Default)]
pub struct TokenAnswer {
    pub access_token: Option<Sensitive<String>>,
    pub refresh_token: Option<Sensitive<String>>,
    /// OpenID Connect: who signed in (read for display only).
    pub id_token: Option<Sensitive<String>>,
    /// The scopes granted (space-separated), when the server says.
    pub scope: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

fn fail(cloud: Cloud, kind: ApiFailure, action: &str, message: String) -> CloudError {
    CloudError::Api { cloud, kind, action: action.into(), message }
}

/// POSTs a form (which holds a credential) to a token endpoint that [`http::check_endpoint`]
/// allows, and reads the answer whatever its status. `action` names the step for errors.
pub async fn post_form(
    client: &reqwest::Client,
    url: &str,
    form: &Sensitive<String>,
    cloud: Cloud,
    action: &str,
) -> Result<(u16, TokenAnswer), CloudError> {
    http::check_endpoint(url).map_err(|why| fail(cloud, ApiFailure::SignIn, action, format!("token endpoint: {why}")))?;
    let req = client.post(url).header("content-type", "application/x-www-form-urlencoded").body(form.expose().clone());
    let resp = http::send_retrying(req)
        .await
        .map_err(|e| fail(cloud, ApiFailure::Unreachable, action, format!("could not reach {url}: {}", http::describe_reqwest(&e))))?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(|e| fail(cloud, ApiFailure::Unreachable, action, http::describe_reqwest(&e)))?;
    let answer: TokenAnswer = serde_json::from_str(&text).map_err(|_| {
        fail(
            cloud,
            ApiFailure::SignIn,
            action,
            format!(
                "{url} answered {status} with something other than OAuth JSON ({} bytes, not shown: it may echo the request)",
                text.len()
            ),
        )
    })?;
    Ok((status, answer))
}

/// `error: description`, for a refused token request.
pub fn refusal(a: &TokenAnswer, status: u16) -> String {
    match (&a.error, &a.error_description) {
        (Some(e), Some(d)) => format!("{e}: {}", d.lines().next().unwrap_or_default()),
        (Some(e), None) => e.clone(),
        _ => format!("the token endpoint answered {status} without an error code"),
    }
}

fn random_url_safe(bytes: usize) -> Result<String, CloudError> {
    let mut b = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut b)
        .map_err(|_| fail(Cloud::Gcp, ApiFailure::SignIn, "start the sign-in", "the system's random source failed".into()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// A PKCE pair (RFC 7636 §4.1–4.2): the verifier (43 characters of base64url, 256 random bits),
/// kept in memory, and its S256 challenge, sent in the authorization URL.
pub fn pkce() -> Result<(Sensitive<String>, String), CloudError> {
    let verifier = random_url_safe(32)?;
    let challenge = s256(&verifier);
    Ok((Sensitive::new(verifier), challenge))
}

/// The S256 challenge of a PKCE verifier: base64url(SHA-256(verifier)), no padding.
pub fn s256(verifier: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// An unguessable `state` (RFC 6749 §10.12): the redirect must carry it back.
pub fn state() -> Result<String, CloudError> {
    random_url_safe(24)
}

/// A JWT's claims, unverified: for the "acting as" line only (the cloud verifies tokens).
pub fn claims(jwt: &Sensitive<String>) -> Option<serde_json::Value> {
    let payload = jwt.expose().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The loopback redirect receiver (RFC 8252 §7.3): a listener on 127.0.0.1 at a port the system
/// picks, for one authorization answer.
pub struct Loopback {
    listener: tokio::net::TcpListener,
    pub redirect_uri: String,
}

/// What the browser brought back.
pub enum Redirect {
    Code(Sensitive<String>),
    /// The person (or the server) refused: the `error` parameter.
    Refused(String),
}

impl Loopback {
    pub async fn bind() -> Result<Loopback, CloudError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| fail(Cloud::Gcp, ApiFailure::SignIn, "start the sign-in", format!("could not listen on 127.0.0.1: {e}")))?;
        let port = listener.local_addr().map_err(|e| fail(Cloud::Gcp, ApiFailure::SignIn, "start the sign-in", e.to_string()))?.port();
        Ok(Loopback { listener, redirect_uri: format!("http://127.0.0.1:{port}") })
    }

    /// Waits for the browser's redirect that carries `state`. Each connection is served on its own
    /// task with one short deadline for the whole request, so a connection that sends nothing (or
    /// trickles) holds up nothing; any request without the state (a favicon, a stale tab, a page
    /// probing the port) is answered 404 and ignored. The browser gets a short fixed page.
    pub async fn wait(&self, state: &str) -> Result<Redirect, CloudError> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Redirect>(1);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (sock, _) = accepted
                        .map_err(|e| fail(Cloud::Gcp, ApiFailure::SignIn, "finish the sign-in", format!("the loopback listener failed: {e}")))?;
                    let (tx, state) = (tx.clone(), state.to_string());
                    tokio::spawn(async move {
                        if let Ok(Some(r)) = tokio::time::timeout(std::time::Duration::from_secs(3), serve_one(sock, &state)).await {
                            let _ = tx.send(r).await;
                        }
                    });
                }
                Some(r) = rx.recv() => return Ok(r),
            }
        }
    }
}

/// Reads one request (its head: a GET has no body) and answers it: the redirect when it carries
/// `state`, else `None` after a 404.
async fn serve_one(mut sock: tokio::net::TcpStream, state: &str) -> Option<Redirect> {
    let mut buf = vec![0u8; 8192];
    let mut n = 0;
    while n < buf.len() {
        match sock.read(&mut buf[n..]).await {
            Ok(0) | Err(_) => break,
            Ok(k) => {
                n += k;
                if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
        }
    }
    let head = String::from_utf8_lossy(&buf[..n]).to_string();
    let target = head.lines().next().and_then(|l| l.strip_prefix("GET ")).and_then(|l| l.split(' ').next()).unwrap_or_default();
    let query: Vec<(String, String)> = ::url::Url::parse(&format!("http://127.0.0.1{target}"))
        .map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
        .unwrap_or_default();
    let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.clone());
    if get("state").as_deref() != Some(state) {
        let _ = sock.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
        return None;
    }
    let (page, out) = match (get("code"), get("error")) {
        (Some(code), _) if !code.is_empty() => {
            ("Signed in. You can close this tab and go back to Trustbridge.", Redirect::Code(Sensitive::new(code)))
        }
        (_, Some(e)) => ("The sign-in was not completed. Go back to Trustbridge to try again.", Redirect::Refused(e)),
        _ => ("The sign-in was not completed. Go back to Trustbridge to try again.", Redirect::Refused("no code".into())),
    };
    let body = format!("<!doctype html><meta charset=utf-8><title>Trustbridge</title><p>{page}</p>");
    let resp = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = sock.write_all(resp.as_bytes()).await;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_the_s256_of_the_verifier() {
        let (v, c) = pkce().unwrap();
        assert_eq!(v.expose().len(), 43, "RFC 7636: 43 to 128 characters");
        assert!(v.expose().chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'));
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, v.expose().as_bytes());
        assert_eq!(c, base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d.as_ref()));
        assert_ne!(pkce().unwrap().1, c, "fresh each time");
        // RFC 7636 appendix B's example.
        assert_eq!(s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }
}
