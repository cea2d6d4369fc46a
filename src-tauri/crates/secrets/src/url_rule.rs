//! The one rule for where a credential (a signed assertion, a client secret, a bearer token) may be
//! sent. URLs are parsed with the `url` crate — the parser reqwest itself uses — never sliced, so what
//! is checked is the host the request would really go to.
//!
//! - https with a host; or plain http only to this machine: the host is exactly `127.0.0.1`, `[::1]`
//!   or `localhost` (emulators and test doubles);
//! - no userinfo (`user:password@`): `http://127.0.0.1:1@evil.example/` goes to `evil.example`;
//! - no fragment.
//!
//! Error messages quote the URL with its userinfo (and query) removed, so a password is never echoed.

use url::{Host, Url};

/// The rule, in words, appended to every refusal.
pub const CREDENTIAL_URL_RULE: &str =
    "credentials are only sent to https URLs, or over plain http to 127.0.0.1, [::1] or localhost, with no user name, password or fragment";

/// Checks that a credential may be sent to `s` and returns the parsed URL.
pub fn check_credential_url(s: &str) -> Result<Url, String> {
    let u = Url::parse(s).map_err(|e| format!("'{}' is not a valid URL ({e}); {CREDENTIAL_URL_RULE}", redact_unparsed(s)))?;
    let q = redact(&u);
    if !u.username().is_empty() || u.password().is_some() {
        let host = u.host_str().unwrap_or_default();
        return Err(format!(
            "'{q}' carries a user name or password before '@' (the request would go to host '{host}'); {CREDENTIAL_URL_RULE}"
        ));
    }
    if u.fragment().is_some() {
        return Err(format!("'{q}' has a fragment ('#…'); {CREDENTIAL_URL_RULE}"));
    }
    match (u.scheme(), u.host()) {
        ("https", Some(Host::Domain(d))) if !d.is_empty() => Ok(u),
        ("https", Some(Host::Ipv4(_) | Host::Ipv6(_))) => Ok(u),
        ("https", _) => Err(format!("'{q}' has no host; {CREDENTIAL_URL_RULE}")),
        ("http", Some(h)) if is_loopback(&h) => Ok(u),
        ("http", Some(h)) => Err(format!("'{q}' is plain http to '{h}', which is not this machine; {CREDENTIAL_URL_RULE}")),
        ("http", None) => Err(format!("'{q}' has no host; {CREDENTIAL_URL_RULE}")),
        // Only the scheme is quoted: what follows it in an opaque URL has no defined userinfo.
        (scheme, _) => Err(format!("'{}:…' is not an https URL (scheme '{scheme}'); {CREDENTIAL_URL_RULE}", clip(scheme))),
    }
}

/// Exactly the loopback names the rule allows (the parser has already lower-cased the host and
/// normalised IPv4/IPv6 forms, so `127.1` is `127.0.0.1` and `[0::1]` is `[::1]`).
fn is_loopback(h: &Host<&str>) -> bool {
    match h {
        Host::Domain(d) => *d == "localhost",
        Host::Ipv4(a) => *a == std::net::Ipv4Addr::LOCALHOST,
        Host::Ipv6(a) => *a == std::net::Ipv6Addr::LOCALHOST,
    }
}

/// The URL for messages: no user name, password, query or fragment.
pub fn redact(u: &Url) -> String {
    let mut r = u.clone();
    let _ = r.set_username("");
    let _ = r.set_password(None);
    r.set_query(None);
    r.set_fragment(None);
    let mut out = r.to_string();
    if u.query().is_some() {
        out.push_str("?…");
    }
    if u.fragment().is_some() {
        out.push_str("#…");
    }
    clip(&out)
}

/// A string that did not parse, for messages: everything up to the last '@' of what could be the
/// authority is dropped (it could be a password), control characters escaped, length bounded.
fn redact_unparsed(s: &str) -> String {
    let t = match s.find("://") {
        Some(i) => {
            let rest = &s[i + 3..];
            let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
            match rest[..end].rfind('@') {
                Some(at) => format!("{}://…@{}", &s[..i], &rest[at + 1..]),
                None => s.to_string(),
            }
        }
        // No authority marker: an '@' anywhere could still be userinfo to a lenient reader.
        None if s.contains('@') => "…".to_string(),
        None => s.to_string(),
    };
    clip(&t)
}

fn clip(s: &str) -> String {
    let e: String = s.chars().flat_map(char::escape_debug).collect();
    if e.chars().count() > 200 {
        format!("{}…", e.chars().take(200).collect::<String>())
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_pass() {
        for ok in [
            "https://oauth2.googleapis.com/token",
            "https://login.microsoftonline.com/tenant/oauth2/v2.0/token?x=1",
            "https://10.0.0.1/token",
            "http://127.0.0.1:9/t",
            "http://localhost/t",
            "http://[::1]:9/x",
            "HTTP://LOCALHOST/x",
            "http://LocalHost:8080/x",
            "HTTPS://Example.COM/x",
        ] {
            assert!(check_credential_url(ok).is_ok(), "{ok}: {:?}", check_credential_url(ok));
        }
    }

    #[test]
    fn the_parsed_host_is_what_is_checked() {
        assert_eq!(check_credential_url("HTTP://LOCALHOST/x").unwrap().host_str(), Some("localhost"));
        assert_eq!(check_credential_url("http://[::1]:9/x").unwrap().port(), Some(9));
    }

    #[test]
    fn userinfo_is_refused_and_never_echoed() {
        for (bad, secret) in [
            ("http://127.0.0.1:1@evil.example/x", "127.0.0.1:1@"),
            ("http://127.0.0.1:1@evil.example/token", "127.0.0.1:1@"),
            ("http://user:pw@127.0.0.1/", "user:pw"),
            ("https://a@b.example/", "a@"),
            ("https://user:s3cr3t-pass@login.example/token", "s3cr3t-pass"),
            ("http://localhost:hunter2@localhost/", "hunter2"),
            ("https://:onlypassword@b.example/", "onlypassword"),
        ] {
            let e = check_credential_url(bad).unwrap_err();
            assert!(e.contains("user name or password"), "{bad}: {e}");
            assert!(!e.contains(secret), "{bad}: the message echoes the userinfo: {e}");
        }
        let e = check_credential_url("http://127.0.0.1:1@evil.example/token").unwrap_err();
        assert!(e.contains("'http://evil.example/token'") && e.contains("evil.example"), "{e}");
    }

    #[test]
    fn other_hosts_schemes_and_shapes_are_refused() {
        for bad in [
            "http://127.0.0.1.evil.com/",
            "http://127.0.0.1.evil.com/x",
            "http://localhost.evil.com/",
            "http://evil.com#@127.0.0.1/",
            "http://evil.com?@127.0.0.1/",
            "http://10.0.0.1/",
            "http://127.0.0.2/",
            "http://example.com/token",
            "ftp://x",
            "file:///etc/passwd",
            "https://",
            "http://",
            "javascript:alert(1)",
            "data:text/plain,x",
            "https://oauth2.googleapis.com/token#frag",
            "http://127.0.0.1/token#",
            "",
            "127.0.0.1:9",
            "not a url",
        ] {
            let e = check_credential_url(bad).unwrap_err();
            assert!(e.contains(CREDENTIAL_URL_RULE), "{bad}: {e}");
        }
        assert!(check_credential_url("https://a.example/x#f").unwrap_err().contains("fragment"));
        assert!(check_credential_url("http://10.0.0.1/").unwrap_err().contains("not this machine"));
        assert!(check_credential_url("ftp://x").unwrap_err().contains("scheme 'ftp'"));
    }

    #[test]
    fn unparsable_urls_do_not_echo_userinfo_either() {
        for (bad, secret) in [("http://user:pw@[bad/x", "pw"), ("https://u:topsecret@exa mple.com/", "topsecret"), ("x:y@z", "y@z")] {
            let e = check_credential_url(bad).unwrap_err();
            assert!(!e.contains(secret), "{bad}: {e}");
        }
        let e = check_credential_url("http://a\nb/").unwrap_err();
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn redact_drops_query_and_fragment() {
        let u = Url::parse("https://u:p@h.example/p?sig=abc#frag").unwrap();
        assert_eq!(redact(&u), "https://h.example/p?…#…");
    }
}
