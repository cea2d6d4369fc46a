//! TEST DOUBLES for the GCP and Azure connectivity tests — stand-ins for services that have no
//! emulator installable here, each clearly a double:
//! - [`google_token_double`]: Google's OAuth token endpoint. It VERIFIES the RS256 signature of the
//!   JWT-bearer assertion against the public key it was given, and checks iss/aud/exp.
//! - [`pubsub_double`]: Pub/Sub `topics.testIamPermissions`.
//! - [`pubsub_emulator_double`]: the Pub/Sub emulator's 501 to IAM methods.
//! - [`entra_double`]: Microsoft Entra ID's client-credentials token endpoint; issues JWTs that
//!   Azurite's `--oauth basic` accepts (issuer `https://sts.windows.net/<tenant>/`, audience, lifetime).
//! - [`eventgrid_double`]: an Event Grid topic's publish endpoint.
//! - [`status_double`]: answers every request with one fixed response (e.g. a Blob 403).
//!
//! Also: a real gcp-storage-emulator and a real Azurite (https, `--oauth basic`, self-signed cert made
//! here), started on free 127.0.0.1 ports and stopped by PID. Missing → the test FAILS with how to install.
#![allow(dead_code)]

pub mod aws_sso;
pub mod azure_arm;
pub mod gcp_iam;
mod server;

pub use server::*;

use std::collections::BTreeMap;
use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use tokio::net::TcpListener;

pub const GCS_INSTALL: &str =
    "gcp-storage-emulator is not installed: run `pip install gcp-storage-emulator` (CI must install it; this test never passes without it)";
pub const AZURITE_DIR: &str = "/var/tmp/trustbridge-cache/azurite";
pub const AZURITE_INSTALL: &str = "Azurite is not installed: run `mkdir -p /var/tmp/trustbridge-cache/azurite && npm i --prefix /var/tmp/trustbridge-cache/azurite azurite` (or set TRUSTBRIDGE_AZURITE_BIN to an azurite-blob executable); this test never passes without it";

/// A port that accepts connections and never answers (a black hole).
pub async fn black_hole() -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    (url, task)
}

fn b64url_decode(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap_or_default()
}
fn b64url(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// DOUBLE of Google's OAuth token endpoint (`POST /token`). Verifies the assertion's RS256 signature
/// with `public_key_der` (PKCS#1), and its iss, aud and lifetime. `verified` counts good assertions.
pub struct GoogleToken {
    pub double: Double,
    pub verified: Arc<Mutex<u32>>,
    pub token: String,
}

pub async fn google_token_double(public_key_der: Vec<u8>, client_email: String) -> GoogleToken {
    let verified = Arc::new(Mutex::new(0u32));
    let v2 = verified.clone();
    let token = format!("ya29.double-{}", now());
    let tok = token.clone();
    let aud_cell: Arc<Mutex<String>> = Arc::new(Mutex::new(String::new()));
    let aud2 = aud_cell.clone();
    let double = serve(move |req| {
        let bad = |d: &str| json(400, serde_json::json!({"error": "invalid_grant", "error_description": d}));
        let f = req.form();
        if req.method != "POST" || req.path != "/token" {
            return json(404, serde_json::json!({"error": "not_found"}));
        }
        if f.get("grant_type").map(String::as_str) != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
            return json(400, serde_json::json!({"error": "unsupported_grant_type"}));
        }
        let a = f.get("assertion").cloned().unwrap_or_default();
        let parts: Vec<&str> = a.split('.').collect();
        if parts.len() != 3 {
            return bad("Invalid JWT.");
        }
        let header: serde_json::Value = serde_json::from_slice(&b64url_decode(parts[0])).unwrap_or_default();
        if header["alg"] != "RS256" {
            return bad("Invalid JWT: alg must be RS256.");
        }
        let signed = format!("{}.{}", parts[0], parts[1]);
        let pk = aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, &public_key_der);
        if pk.verify(signed.as_bytes(), &b64url_decode(parts[2])).is_err() {
            return bad("Invalid JWT Signature.");
        }
        let c: serde_json::Value = serde_json::from_slice(&b64url_decode(parts[1])).unwrap_or_default();
        let t = now();
        let exp = c["exp"].as_u64().unwrap_or(0);
        let iat = c["iat"].as_u64().unwrap_or(0);
        if c["iss"] != client_email.as_str() {
            return bad("Invalid grant: account not found");
        }
        if c["aud"] != aud2.lock().unwrap().as_str() {
            return bad("Invalid JWT: aud");
        }
        if exp <= t || iat > t + 60 || exp - iat > 3600 {
            return bad("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
        }
        if c["scope"].as_str().unwrap_or_default().is_empty() {
            return bad("Invalid scope");
        }
        *v2.lock().unwrap() += 1;
        json(200, serde_json::json!({"access_token": tok, "expires_in": 3599, "token_type": "Bearer"}))
    })
    .await;
    *aud_cell.lock().unwrap() = format!("{}/token", double.url);
    GoogleToken { double, verified, token }
}

/// DOUBLE of Pub/Sub `POST /v1/projects/{p}/topics/{t}:testIamPermissions`: `topics` maps a topic
/// to the permissions granted; an unknown topic is 404. Any other bearer token than `token` is 401.
pub async fn pubsub_double(project: &str, topics: BTreeMap<String, Vec<String>>, token: String) -> Double {
    let prefix = format!("/v1/projects/{project}/topics/");
    serve(move |req| {
        if req.bearer() != Some(token.as_str()) {
            return json(401, serde_json::json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}}));
        }
        let Some(rest) = req.path.strip_prefix(&prefix) else { return json(404, serde_json::json!({})) };
        let Some(topic) = rest.strip_suffix(":testIamPermissions") else { return json(404, serde_json::json!({})) };
        let Some(granted) = topics.get(topic) else {
            return json(404, serde_json::json!({"error": {"code": 404, "message": "Resource not found", "status": "NOT_FOUND"}}));
        };
        let asked: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let asked: Vec<String> =
            asked["permissions"].as_array().cloned().unwrap_or_default().iter().filter_map(|p| p.as_str().map(String::from)).collect();
        let both: Vec<&String> = asked.iter().filter(|p| granted.contains(p)).collect();
        if both.is_empty() {
            json(200, serde_json::json!({}))
        } else {
            json(200, serde_json::json!({ "permissions": both }))
        }
    })
    .await
}

/// DOUBLE of the Pub/Sub emulator's answer to IAM methods: it implements none, and answers
/// `topics.testIamPermissions` with 501 UNIMPLEMENTED (gRPC code 12). The emulator itself (a Cloud
/// SDK component) is not installable here: neither Debian, PyPI nor npm carry it.
pub async fn pubsub_emulator_double() -> Double {
    serve(move |_req| json(501, serde_json::json!({"error": {"code": 501, "message": "Method not found.", "status": "UNIMPLEMENTED"}})))
        .await
}

/// DOUBLE of Entra ID's `POST /{tenant}/oauth2/v2.0/token` (client credentials). Issues an unsigned
/// JWT (Azurite's basic mode checks issuer, audience and lifetime only) carrying `appid`.
pub async fn entra_double(tenant: String, app_id: String, secret: String) -> Double {
    serve(move |req| {
        let f = req.form();
        if req.path != format!("/{tenant}/oauth2/v2.0/token") {
            return json(400, serde_json::json!({"error": "invalid_request", "error_description": "AADSTS90002: Tenant not found.", "error_codes": [90002]}));
        }
        if f.get("client_id") != Some(&app_id) {
            return json(400, serde_json::json!({"error": "unauthorized_client", "error_description": "AADSTS700016: Application not found in the directory.", "error_codes": [700016]}));
        }
        if f.get("client_secret") != Some(&secret) {
            return json(401, serde_json::json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.", "error_codes": [7000215]}));
        }
        let scope = f.get("scope").cloned().unwrap_or_default();
        let aud = scope.trim_end_matches("/.default").to_string();
        let t = now();
        let header = b64url(br#"{"alg":"RS256","typ":"JWT","kid":"double"}"#);
        let claims = serde_json::json!({"aud": aud, "iss": format!("https://sts.windows.net/{tenant}/"), "iat": t - 5, "nbf": t - 5, "exp": t + 3600, "appid": app_id, "oid": "00000000-0000-0000-0000-00000000d0b1", "tid": tenant});
        let token = format!("{header}.{}.{}", b64url(claims.to_string().as_bytes()), b64url(b"not-a-signature"));
        json(200, serde_json::json!({"token_type": "Bearer", "expires_in": 3599, "access_token": token}))
    })
    .await
}

/// The claims of a JWT (unverified), for doubles that check the audience.
pub fn claims(jwt: &str) -> serde_json::Value {
    jwt.split('.').nth(1).map(|p| serde_json::from_slice(&b64url_decode(p)).unwrap_or_default()).unwrap_or_default()
}

/// DOUBLE of an Event Grid topic (`POST /api/events`): `allowed` says whether the caller holds
/// EventGrid Data Sender; the token's audience must be Event Grid's.
pub async fn eventgrid_double(allowed: bool) -> Double {
    serve(move |req| {
        if req.path.split('?').next() != Some("/api/events") {
            return json(404, serde_json::json!({"error": {"code": "NotFound"}}));
        }
        let c = claims(req.bearer().unwrap_or_default());
        if c["aud"] != "https://eventgrid.azure.net" {
            return json(401, serde_json::json!({"error": {"code": "Unauthorized", "message": "invalid audience"}}));
        }
        if !allowed {
            return json(403, serde_json::json!({"error": {"code": "Unauthorized", "message": "The principal does not have the required permission 'Microsoft.EventGrid/topics/events/send/action'."}}));
        }
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        if body[0]["eventType"].as_str().is_none() || body[0]["id"].as_str().is_none() {
            return json(400, serde_json::json!({"error": {"code": "BadRequest"}}));
        }
        Response { status: 200, headers: vec![], body: String::new() }
    })
    .await
}

/// DOUBLE that answers every request the same way.
pub async fn status_double(status: u16, headers: Vec<(String, String)>, body: &str) -> Double {
    let body = body.to_string();
    serve(move |_| Response { status, headers: headers.clone(), body: body.clone() }).await
}

// --- real emulators ----------------------------------------------------------------------------

pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Held from choosing an emulator's free port until it answers there: two tests starting at once
/// could otherwise be given the same port, and the second would talk to the first's emulator.
static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn wait_port(port: u16, child: &mut Child, what: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!("{what} exited early ({st})");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("{what} did not listen on 127.0.0.1:{port} within 30 s");
}

/// A process of ours; killed by PID on drop.
pub struct Proc {
    pub child: Child,
    pub port: u16,
    pub _dir: Option<tempfile::TempDir>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes `cmd`'s process receive SIGTERM when the thread that started it ends, however it ends
/// (a test's panic, the e2e rig killed by a signal, where no `Drop` runs): no emulator outlives
/// the test or rig that started it.
fn dies_with_parent(cmd: &mut Command) -> &mut Command {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    cmd
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).map(|d| d.join(name)).find(|p| p.is_file())
}

/// The real gcp-storage-emulator, in memory, on a free port.
pub fn gcs_emulator() -> Proc {
    let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
    let bin = on_path("gcp-storage-emulator").unwrap_or_else(|| panic!("{GCS_INSTALL}"));
    let port = free_port();
    let mut child = dies_with_parent(&mut Command::new(bin))
        .args(["start", "-H", "127.0.0.1", "--port", &port.to_string(), "--in-memory"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{GCS_INSTALL} ({e})"));
    wait_port(port, &mut child, "gcp-storage-emulator");
    Proc { child, port, _dir: None }
}

/// A self-signed certificate for 127.0.0.1 (CA:FALSE, SAN IP:127.0.0.1): (cert path, key path).
pub fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args([
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "extendedKeyUsage=serverAuth",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap_or_else(|e| panic!("openssl is not installed (apt-get install -y openssl): {e}"));
    assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
    (cert, key)
}

/// The real Azurite Blob service over https with `--oauth basic`, on a free port.
pub fn azurite(cert: &Path, key: &Path) -> Proc {
    let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
    let bin = std::env::var_os("TRUSTBRIDGE_AZURITE_BIN")
        .map(PathBuf::from)
        .or_else(|| Some(Path::new(AZURITE_DIR).join("node_modules/.bin/azurite-blob")).filter(|p| p.is_file()))
        .or_else(|| on_path("azurite-blob"))
        .unwrap_or_else(|| panic!("{AZURITE_INSTALL}"));
    let dir = tempfile::Builder::new().prefix("tb-azurite-").tempdir().unwrap();
    let port = free_port();
    let mut child = dies_with_parent(&mut Command::new(bin))
        .args([
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            &port.to_string(),
            "--loose",
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--oauth",
            "basic",
        ])
        .arg("--location")
        .arg(dir.path())
        .arg("--cert")
        .arg(cert)
        .arg("--key")
        .arg(key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{AZURITE_INSTALL} ({e})"));
    wait_port(port, &mut child, "azurite-blob");
    Proc { child, port, _dir: Some(dir) }
}

// --- seeding (shared by the tests and the e2e rig) -----------------------------------------------

/// A fresh RSA key (made now, never committed): (PKCS#8 PEM, PKCS#1 public key DER).
pub fn fresh_rsa() -> (String, Vec<u8>) {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair as _;
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&kp).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let body: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    (format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", body.join("\n")), kp.public_key().as_ref().to_vec())
}

/// Creates bucket `name` in the real gcp-storage-emulator on `port`.
pub async fn gcs_bucket(port: u16, project: &str, name: &str) {
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/storage/v1/b?project={project}"))
        .json(&serde_json::json!({"name": name}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "create bucket {name}: {}", r.status());
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Creates `account/container` in the real Azurite (https, `--oauth basic`) with a token the Entra
/// double issues for `app`/`secret` in `tenant`; `ca_pem` is Azurite's self-signed certificate.
pub async fn azurite_container(azurite: &Proc, ca_pem: &[u8], entra_url: &str, tenant: &str, app: &str, secret: &str, path: &str) {
    let http = reqwest::Client::builder().add_root_certificate(reqwest::Certificate::from_pem(ca_pem).unwrap()).build().unwrap();
    let tok: serde_json::Value = http
        .post(format!("{entra_url}/{tenant}/oauth2/v2.0/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "client_id={}&client_secret={}&scope={}&grant_type=client_credentials",
            form_encode(app),
            form_encode(secret),
            form_encode("https://storage.azure.com/.default")
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = http
        .put(format!("https://127.0.0.1:{}/{path}?restype=container", azurite.port))
        .bearer_auth(tok["access_token"].as_str().unwrap())
        .header("x-ms-version", trustbridge_cloud::azure::BLOB_API_VERSION)
        .header("content-length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "create container {path}: {}", r.text().await.unwrap_or_default());
}
