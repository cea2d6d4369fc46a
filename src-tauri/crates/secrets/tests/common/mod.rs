//! Test fixtures made at test time: a fresh RSA key in a GCP key file, an Azure create-for-rbac JSON.
//! No key is ever committed.
#![allow(dead_code)]

use aws_lc_rs::encoding::AsDer;
use base64::Engine as _;

pub struct TestGcpKey {
    pub json: String,
    /// PKCS#1 DER public key, to verify signatures.
    pub public_der: Vec<u8>,
    /// A piece of the private key's base64, to search for.
    pub pem_canary: String,
}

pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

pub fn gcp_key(project: &str, email: &str, token_uri: &str) -> TestGcpKey {
    use aws_lc_rs::signature::KeyPair as _;
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&kp).unwrap();
    let pem = pem("PRIVATE KEY", der.as_ref());
    let key_id: String = (0..40).map(|i| char::from(b"0123456789abcdef"[(i * 7 + 3) % 16])).collect();
    let json = serde_json::json!({
        "type": "service_account",
        "project_id": project,
        "private_key_id": key_id,
        "private_key": pem,
        "client_email": email,
        "client_id": "123456789012345678901",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/x",
        "universe_domain": "googleapis.com"
    });
    let pem_canary = pem.lines().nth(5).unwrap().to_string();
    TestGcpKey { json: serde_json::to_string_pretty(&json).unwrap(), public_der: kp.public_key().as_ref().to_vec(), pem_canary }
}

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const AZ_APP_ID: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

pub fn azure_json(password: &str) -> String {
    serde_json::json!({"appId": AZ_APP_ID, "displayName": "ML3PlatformSP", "password": password, "tenant": TENANT}).to_string()
}
