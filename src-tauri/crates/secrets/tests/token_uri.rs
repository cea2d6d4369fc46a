//! A key file's `token_uri` receives a signed assertion: it goes through the credential-URL rule
//! (parsed, not sliced). The userinfo bypass `http://127.0.0.1:1@evil.example/token` is refused, and
//! the refusal never quotes the userinfo.

mod common;

use common::*;
use trustbridge_secrets::{GcpServiceAccountKey, Sensitive};

const EMAIL: &str = "ml3-platform-sa@my-project.iam.gserviceaccount.com";

fn with_token_uri(uri: &str) -> Result<GcpServiceAccountKey, trustbridge_secrets::SecretsError> {
    let k = gcp_key("my-project", EMAIL, uri);
    GcpServiceAccountKey::parse(&Sensitive::new(k.json))
}

#[test]
fn token_uri_bypasses_are_refused_without_echoing_userinfo() {
    for (bad, hidden) in [
        ("http://127.0.0.1:1@evil.example/token", Some("127.0.0.1:1@")),
        ("http://user:pw@127.0.0.1/", Some("user:pw")),
        ("https://a@b.example/", Some("a@")),
        ("https://svc:Sup3rS3cret@oauth2.googleapis.com/token", Some("Sup3rS3cret")),
        ("http://127.0.0.1.evil.com/", None),
        ("http://10.0.0.1/", None),
        ("ftp://x", None),
        ("https://", None),
        ("javascript:alert(1)", None),
        ("https://oauth2.googleapis.com/token#x", None),
    ] {
        let e = with_token_uri(bad).unwrap_err();
        assert_eq!(e.code(), "secrets.gcp.token_uri", "{bad}: {e}");
        let all = format!("{e} {e:?} {}", e.fix().unwrap_or_default());
        if let Some(h) = hidden {
            assert!(!all.contains(h), "{bad}: the error echoes the userinfo: {all}");
        }
    }
}

#[test]
fn google_and_loopback_token_uris_are_accepted() {
    for ok in ["https://oauth2.googleapis.com/token", "http://127.0.0.1:9/token", "http://[::1]:9/x", "HTTP://LOCALHOST/x"] {
        let key = with_token_uri(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        assert_eq!(key.token_uri, ok);
    }
}
