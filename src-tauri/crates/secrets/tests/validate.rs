//! Validation of pasted secrets: every rule has its own code, and no message quotes a secret.

mod common;

use common::*;
use trustbridge_secrets::{AzureClientSecret, GcpServiceAccountKey, SecretKind, Sensitive, ValidatedSecret};

const EMAIL: &str = "ml3-platform-sa@my-project.iam.gserviceaccount.com";

fn gcp(json: &str) -> Result<GcpServiceAccountKey, trustbridge_secrets::SecretsError> {
    GcpServiceAccountKey::parse(&Sensitive::new(json.to_string()))
}

fn edit(json: &str, f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    f(v.as_object_mut().unwrap());
    v.to_string()
}

#[test]
fn a_good_gcp_key_parses_signs_and_matches_the_plan() {
    let k = gcp_key("my-project", EMAIL, "https://oauth2.googleapis.com/token");
    let key = gcp(&k.json).unwrap();
    assert_eq!(key.client_email, EMAIL);
    key.check_plan("my-project", Some(EMAIL)).unwrap();
    let sig = key.sign_rs256(b"header.payload").unwrap();
    aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, &k.public_der)
        .verify(b"header.payload", &sig)
        .expect("RS256 signature verifies with the public key");
    let fp = key.fingerprint();
    assert_eq!(fp.principal, EMAIL);
    assert_eq!(fp.key_id.as_deref().unwrap().len(), 40);
    assert!(fp.to_string().starts_with("key "));
    let dbg = format!("{key:?}");
    assert!(dbg.contains("<redacted>") && !dbg.contains(&k.pem_canary), "{dbg}");
}

#[test]
fn gcp_key_rules_each_have_a_code_and_never_quote_the_key() {
    let k = gcp_key("my-project", EMAIL, "https://oauth2.googleapis.com/token");
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "secrets.gcp.invalid_json"),
        (k.json[..k.json.len() / 2].to_string(), "secrets.gcp.invalid_json"),
        (
            edit(&k.json, |m| {
                m.insert("type".into(), "authorized_user".into());
            }),
            "secrets.gcp.not_service_account",
        ),
        (
            edit(&k.json, |m| {
                m.insert("type".into(), "external_account".into());
            }),
            "secrets.gcp.keyless_config",
        ),
        (
            edit(&k.json, |m| {
                m.remove("type");
            }),
            "secrets.gcp.not_service_account",
        ),
        (
            edit(&k.json, |m| {
                m.remove("client_email");
            }),
            "secrets.gcp.missing_field",
        ),
        (
            edit(&k.json, |m| {
                m.remove("project_id");
            }),
            "secrets.gcp.missing_field",
        ),
        (
            edit(&k.json, |m| {
                m.remove("private_key");
            }),
            "secrets.gcp.missing_field",
        ),
        (
            edit(&k.json, |m| {
                m.insert("private_key".into(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into());
            }),
            "secrets.gcp.private_key",
        ),
        (
            edit(&k.json, |m| {
                m.insert("private_key".into(), k.pem_canary.clone().into());
            }),
            "secrets.gcp.private_key",
        ),
        (
            edit(&k.json, |m| {
                m.insert("token_uri".into(), "http://evil.example/token".into());
            }),
            "secrets.gcp.token_uri",
        ),
        (
            edit(&k.json, |m| {
                m.insert("private_key".into(), 5.into());
            }),
            "secrets.gcp.invalid_json",
        ),
    ];
    for (json, code) in cases {
        let e = gcp(&json).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
        let all = format!("{e} {e:?} {}", e.fix().unwrap_or_default());
        assert!(!all.contains(&k.pem_canary), "error quotes the key: {all}");
        assert!(e.fix().is_some());
    }
    // The loopback token endpoints of emulators and doubles are allowed.
    assert!(gcp(&edit(&k.json, |m| {
        m.insert("token_uri".into(), "http://127.0.0.1:9/token".into());
    }))
    .is_ok());
}

#[test]
fn gcp_key_must_match_the_plan() {
    let k = gcp_key("other-project", "sa@other-project.iam.gserviceaccount.com", "https://oauth2.googleapis.com/token");
    let key = gcp(&k.json).unwrap();
    assert_eq!(key.check_plan("my-project", None).unwrap_err().code(), "secrets.gcp.project_mismatch");
    assert_eq!(key.check_plan("other-project", Some(EMAIL)).unwrap_err().code(), "secrets.gcp.service_account_mismatch");
    assert!(key.check_plan("other-project", None).is_ok());
}

#[test]
fn a_pkcs1_rsa_pem_is_accepted_too() {
    use aws_lc_rs::encoding::AsDer;
    let k = gcp_key("p", "sa@p.iam.gserviceaccount.com", "https://oauth2.googleapis.com/token");
    let key = gcp(&k.json).unwrap();
    // Re-encode the same key as PKCS#1 ("BEGIN RSA PRIVATE KEY").
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&kp).unwrap();
    // PKCS#8 wraps the PKCS#1 key in an OCTET STRING at the end: take it out.
    let der = pkcs8.as_ref();
    let inner = &der[der.len() - pkcs1_len(der)..];
    let json = edit(&k.json, |m| {
        m.insert("private_key".into(), pem("RSA PRIVATE KEY", inner).into());
    });
    assert!(gcp(&json).is_ok());
    assert_ne!(key.public_key_der(), gcp(&json).unwrap().public_key_der());
}

/// Length of the PKCS#1 structure at the end of a PKCS#8 PrivateKeyInfo (last TLV).
fn pkcs1_len(der: &[u8]) -> usize {
    // Find the trailing SEQUENCE (0x30 0x82 len16) that runs to the end.
    for i in (0..der.len() - 4).rev() {
        if der[i] == 0x30 && der[i + 1] == 0x82 {
            let l = ((der[i + 2] as usize) << 8) | der[i + 3] as usize;
            if i + 4 + l == der.len() {
                return der.len() - i;
            }
        }
    }
    panic!("no PKCS#1 structure found");
}

#[test]
fn azure_rules_each_have_a_code_and_never_quote_the_password() {
    let pw = "CANARY~pw.0123456789abcdefghijklmnopqrstu";
    let good = azure_json(pw);
    let s = AzureClientSecret::parse(&Sensitive::new(good.clone())).unwrap();
    assert_eq!(s.app_id, AZ_APP_ID);
    assert_eq!(s.password().expose(), pw);
    s.check_plan(TENANT).unwrap();
    s.check_plan(&TENANT.to_uppercase()).unwrap();
    assert_eq!(s.check_plan("00000000-0000-0000-0000-000000000000").unwrap_err().code(), "secrets.azure.tenant_mismatch");
    assert!(!format!("{s:?}").contains(pw));
    assert_eq!(s.fingerprint().principal, AZ_APP_ID);
    assert!(s.fingerprint().key_id.is_none());

    let cases: Vec<(String, &str)> = vec![
        (format!("{{\"password\": \"{pw}\""), "secrets.azure.invalid_json"),
        (
            edit(&good, |m| {
                m.remove("appId");
            }),
            "secrets.azure.missing_field",
        ),
        (
            edit(&good, |m| {
                m.insert("appId".into(), "ML3PlatformSP".into());
            }),
            "secrets.azure.app_id",
        ),
        (
            edit(&good, |m| {
                m.insert("tenant".into(), "contoso.onmicrosoft.com".into());
            }),
            "secrets.azure.tenant",
        ),
        (
            edit(&good, |m| {
                m.remove("password");
            }),
            "secrets.azure.password",
        ),
        (
            edit(&good, |m| {
                m.insert("password".into(), "  ".into());
            }),
            "secrets.azure.password",
        ),
        (
            edit(&good, |m| {
                m.insert("password".into(), 12345.into());
            }),
            "secrets.azure.invalid_json",
        ),
    ];
    for (json, code) in cases {
        let e = AzureClientSecret::parse(&Sensitive::new(json)).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
        let all = format!("{e} {e:?} {}", e.fix().unwrap_or_default());
        assert!(!all.contains(pw) && !all.contains("12345"), "error quotes the password: {all}");
    }
    // A wrong type names the field, never the value.
    let e = AzureClientSecret::parse(&Sensitive::new(edit(&good, |m| {
        m.insert("password".into(), 12345.into());
    })))
    .unwrap_err();
    assert!(e.to_string().contains("field password"), "{e}");
}

#[test]
fn validated_secret_dispatches_on_kind() {
    let v = ValidatedSecret::parse(SecretKind::Azure, &Sensitive::new(azure_json("x"))).unwrap();
    assert_eq!(v.kind(), SecretKind::Azure);
    assert!(ValidatedSecret::parse(SecretKind::Gcp, &Sensitive::new(azure_json("x"))).is_err());
    assert!(!format!("{v:?}").contains("\"x\""));
}
