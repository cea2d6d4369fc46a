//! TEST DOUBLE of ML cube's Platform SDK HTTP API (the integration-credentials endpoints and
//! `get_projects`) — not the
//! real service. It was built from the published pydantic models and client code of the PyPI package
//! `ml3-platform-sdk` version 1.0.0 (`core/client_impl.py`, `core/connection.py`, `core/requests.py`,
//! `models.py`, `core/responses.py`): every path is under `{url}/sdk/v1`, auth is the `X-Api-Key`
//! header, errors are `{"errorCode", "errorMessage"}`, 401 = unauthorized, 422 = invalid parameters.
//!
//! It validates requests STRICTLY: an unknown or missing field, or a wrong JSON type, answers 422 with
//! an `errorMessage` naming the field (e.g. `account_info.client_id: field required`). Request bodies
//! have the shape the SDK sends with `model_dump_json()` (field names, not aliases: Azure credentials
//! are `{app_id, display_name, password, tenant}`).
//!
//! std only plus `serde_json`; one std thread, one request per connection; stops when dropped.
//! Include it with `#[path = ".../doubles/vendor_api.rs"] mod vendor_api;`.
#![allow(dead_code)]

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lower-cased, values trimmed, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// How the next AWS registrations' `trust_policy` is shaped (`None` = like ML cube's guide).
#[derive(Debug, Clone, PartialEq)]
pub enum Hostile {
    None,
    WildcardPrincipal,
    NoCondition,
    OtherAccount,
    ExtraStatement,
    BroadAction,
    NotJson,
}

pub struct VendorApi {
    /// The base, e.g. `http://127.0.0.1:PORT` (without `/sdk/v1`).
    pub url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

struct Cred {
    project: String,
    /// What GET returns (no secrets, no trust policy).
    view: Value,
    request: Value,
    /// The trust policy (JSON string) the create answer carried (AWS only).
    trust_policy: Option<String>,
}

struct State {
    api_key: String,
    vendor_account: String,
    projects: Vec<String>,
    forbidden: Vec<String>,
    hostile: Hostile,
    fail: (usize, u16),
    delay: Duration,
    requests: Vec<Recorded>,
    creds: Vec<Cred>,
}

type Reply = (u16, Value);

/// Expected JSON type of a request field; `StrObj` is an object whose listed fields are all strings.
#[derive(Clone, Copy)]
enum T {
    Str,
    Bool,
    StrsOrNull,
    StrObj(&'static str),
}

const COMMON: [(&str, T); 3] = [("name", T::Str), ("default", T::Bool), ("project_id", T::Str)];
const GCP_ACCOUNT_INFO: &str = "type project_id private_key_id private_key client_email client_id auth_uri token_uri \
                                auth_provider_x509_cert_url client_x509_cert_url universe_domain";
const AZURE_SP_CREDENTIALS: &str = "app_id display_name password tenant";
const REASONS: &str = "200 OK|400 Bad Request|401 Unauthorized|403 Forbidden|404 Not Found|409 Conflict|411 Length Required|\
                       413 Payload Too Large|422 Unprocessable Entity|429 Too Many Requests|500 Internal Server Error|502 Bad Gateway|\
                       503 Service Unavailable|504 Gateway Timeout";
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 1024 * 1024;

impl VendorApi {
    /// `api_key`: the only key accepted (others → 401). `vendor_account`: the 12-digit account in minted trust
    /// policies. `projects`: project ids that exist (others → 404 {errorCode:"PROJECT_NOT_FOUND"}).
    pub fn start(api_key: &str, vendor_account: &str, projects: &[&str]) -> VendorApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("vendor_api double: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("vendor_api double: local_addr");
        let state = Arc::new(Mutex::new(State {
            api_key: api_key.to_string(),
            vendor_account: vendor_account.to_string(),
            projects: projects.iter().map(|p| p.to_string()).collect(),
            forbidden: Vec::new(),
            hostile: Hostile::None,
            fail: (0, 503),
            delay: Duration::ZERO,
            requests: Vec::new(),
            creds: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(mut stream) = conn {
                    serve(&mut stream, &st, &sp);
                }
            }
        });
        VendorApi { url: format!("http://{addr}"), state, stop, addr, thread: Some(thread) }
    }

    /// Every request received, in arrival order (refused ones too; not unparseable HTTP).
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state).requests.clone()
    }

    /// Every registration currently stored, as the JSON the GET endpoint returns (no secrets), plus for tests
    /// the request body it was created from (parsed JSON) under key "_request", and (AWS) the trust
    /// policy its create answer carried under "_trust_policy".
    pub fn registrations(&self) -> Vec<Value> {
        lock(&self.state)
            .creds
            .iter()
            .map(|c| merged(c.view.clone(), json!({"_request": c.request, "_trust_policy": c.trust_policy})))
            .collect()
    }

    /// Shapes the `trust_policy` of the AWS registrations that follow.
    pub fn set_hostile(&self, h: Hostile) {
        lock(&self.state).hostile = h;
    }

    /// The next `n` requests (any path) answer `status` with an error body (e.g. 503), then normal service resumes.
    pub fn fail_next(&self, n: usize, status: u16) {
        lock(&self.state).fail = (n, status);
    }

    /// Requests with this key get 403 {errorCode:"FORBIDDEN", errorMessage:"the user lacks UPDATE_PROJECT_INFORMATION on the project"}.
    pub fn add_forbidden_key(&self, key: &str) {
        lock(&self.state).forbidden.push(key.to_string());
    }

    /// Each response is delayed by this much (timeout tests).
    pub fn set_delay(&self, d: Duration) {
        lock(&self.state).delay = d;
    }
}

impl Drop for VendorApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn serve(stream: &mut TcpStream, state: &Mutex<State>, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let (reply, delay) = match read_request(stream) {
        Ok(req) => {
            let mut st = lock(state);
            st.requests.push(req.clone());
            (st.handle(&req), st.delay)
        }
        Err(status) => (err(status, &code_for(status), "malformed HTTP request"), Duration::ZERO),
    };
    let until = Instant::now() + delay;
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let (status, body) = (reply.0, reply.1.to_string());
    let head = format!("HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n", reason(status), body.len());
    let _ = stream.write_all(format!("{head}Connection: close\r\n\r\n{body}").as_bytes()).and_then(|_| stream.flush());
}

/// Reads one request: the head up to CRLFCRLF, then exactly `content-length` body bytes. `Err(status)` if malformed.
fn read_request(s: &mut TcpStream) -> Result<Recorded, u16> {
    let (mut buf, mut chunk) = (Vec::new(), [0u8; 8192]);
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match s.read(&mut chunk) {
            Ok(n) if n > 0 && buf.len() < MAX_HEAD => buf.extend_from_slice(&chunk[..n]),
            _ => return Err(400),
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| 400u16)?;
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or_default().split(' ');
    let (method, path) = match (start.next(), start.next()) {
        (Some(m), Some(p)) if !m.is_empty() && p.starts_with('/') => (m.to_string(), p.to_string()),
        _ => return Err(400),
    };
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
    let find = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if find("transfer-encoding").is_some() {
        return Err(411);
    }
    let len = match find("content-length") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| 400u16)?,
    };
    if len > MAX_BODY {
        return Err(413);
    }
    if find("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        let _ = s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        match s.read(&mut chunk) {
            Ok(n) if n > 0 => body.extend_from_slice(&chunk[..n]),
            _ => return Err(400),
        }
    }
    body.truncate(len);
    Ok(Recorded { method, path, headers, body })
}

impl State {
    fn handle(&mut self, req: &Recorded) -> Reply {
        if self.fail.0 > 0 {
            self.fail.0 -= 1;
            let s = self.fail.1;
            return err(s, &code_for(s), format!("injected failure (HTTP {s})"));
        }
        let key = req.headers.iter().find(|(k, _)| k == "x-api-key").map(|(_, v)| v.as_str());
        match key {
            Some(k) if k == self.api_key => {}
            Some(k) if self.forbidden.iter().any(|f| f == k) => {
                return err(403, "FORBIDDEN", "the user lacks UPDATE_PROJECT_INFORMATION on the project")
            }
            _ => return err(401, "UNAUTHORIZED", "Unauthorized"),
        }
        let path = req.path.split('?').next().unwrap_or_default();
        let segs: Vec<&str> = path.strip_prefix("/sdk/v1/").map(|p| p.split('/').collect()).unwrap_or_default();
        let result = match (req.method.as_str(), segs.as_slice()) {
            ("POST", ["integration", kind @ ("aws" | "gcp" | "azure"), "credentials"]) => self.create(kind, &req.body),
            ("GET", ["integration", "credentials", id]) => self.find(id).map(|i| (200, self.creds[i].view.clone())),
            ("DELETE", ["integration", "credentials", id]) => self.find(id).map(|i| {
                self.creds.remove(i);
                (200, json!({}))
            }),
            ("POST", ["integration", "credentials", id, "default"]) => self.find(id).map(|i| {
                let (project, kind) = (self.creds[i].project.clone(), self.creds[i].view["type"].clone());
                self.clear_defaults(&project, &kind);
                self.creds[i].view["default"] = json!(true);
                (200, json!({}))
            }),
            // `get_projects`: every project the double knows (its name is its id).
            ("GET", ["projects"]) => Ok((200, Value::Array(self.projects.iter().map(|p| json!({"project_id": p, "name": p})).collect()))),
            ("GET", ["project", project, "integration-credentials"]) => self
                .need_project(project)
                .map(|_| (200, Value::Array(self.creds.iter().filter(|c| c.project == *project).map(|c| c.view.clone()).collect()))),
            _ => Err(err(404, "NOT_FOUND", format!("no route for {} {}", req.method, path))),
        };
        result.unwrap_or_else(|e| e)
    }

    fn create(&mut self, kind: &str, body: &[u8]) -> Result<Reply, Reply> {
        let req: Value = serde_json::from_slice(body).map_err(|e| invalid(format!("body: not valid JSON ({e})")))?;
        let extra = match kind {
            "aws" => vec![("role_arn", T::Str)],
            "gcp" => vec![("account_info", T::StrObj(GCP_ACCOUNT_INFO)), ("scopes", T::StrsOrNull)],
            _ => vec![("credentials", T::StrObj(AZURE_SP_CREDENTIALS))],
        };
        check(&req, "", &COMMON.into_iter().chain(extra).collect::<Vec<_>>()).map_err(invalid)?;
        let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        let (name, project, default, role_arn) = (s(&req, "name"), s(&req, "project_id"), req["default"] == true, s(&req, "role_arn"));
        let partition = aws_role_partition(&role_arn);
        if kind == "aws" && partition.is_none() {
            return Err(invalid(format!("role_arn: must match ^arn:aws[a-z-]*:iam::\\d{{12}}:role/.+ (got '{role_arn}')")));
        }
        self.need_project(&project)?;
        if self.creds.iter().any(|c| c.project == project && c.view["name"] == name.as_str()) {
            let msg = format!("credentials named '{name}' already exist in project '{project}'");
            return Err(err(409, "CREDENTIALS_NAME_ALREADY_EXISTS", msg));
        }
        let n = next_n();
        let id = format!("cred-{:016x}{:08x}", rand64(n, 0), n & 0xffff_ffff);
        let (info, sp) = (&req["account_info"], &req["credentials"]);
        let extra = match kind {
            "aws" => json!({"role_arn": role_arn}),
            "gcp" => {
                json!({"gcp_project_id": s(info, "project_id"), "client_email": s(info, "client_email"), "client_id": s(info, "client_id")})
            }
            _ => json!({"app_id": s(sp, "app_id"), "display_name": s(sp, "display_name"), "tenant": s(sp, "tenant")}),
        };
        let view = merged(json!({"credentials_id": id, "name": name, "default": default, "type": kind}), extra);
        if default {
            self.clear_defaults(&project, &json!(kind));
        }
        let mut out = view.clone();
        let mut trust_policy = None;
        if let (Some(partition), "aws") = (partition, kind) {
            let t = self.trust_policy(partition);
            out["trust_policy"] = Value::String(t.clone());
            trust_policy = Some(t);
        }
        self.creds.push(Cred { project, view, request: req, trust_policy });
        Ok((200, out))
    }

    /// The IAM trust policy document (as a JSON string) the platform asks the customer to put on the role.
    fn trust_policy(&self, partition: &str) -> String {
        let root = |account: &str| json!({"AWS": format!("arn:{partition}:iam::{account}:root")});
        let mut stmt = json!({"Sid": "Statement1", "Effect": "Allow", "Principal": root(&self.vendor_account), "Action": "sts:AssumeRole"});
        if self.hostile != Hostile::NoCondition {
            stmt["Condition"] = json!({"StringEquals": {"sts:ExternalId": external_id()}});
        }
        let mut statements = vec![];
        match self.hostile {
            Hostile::NotJson => return "not json".to_string(),
            Hostile::WildcardPrincipal => stmt["Principal"] = json!("*"),
            Hostile::OtherAccount => stmt["Principal"] = root("111122223333"),
            Hostile::BroadAction => stmt["Action"] = json!("sts:*"),
            Hostile::ExtraStatement => {
                statements.push(json!({"Sid": "Statement2", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}))
            }
            Hostile::None | Hostile::NoCondition => {}
        }
        statements.insert(0, stmt);
        json!({"Version": "2012-10-17", "Statement": statements}).to_string()
    }

    fn find(&self, id: &str) -> Result<usize, Reply> {
        let found = self.creds.iter().position(|c| c.view["credentials_id"] == id);
        found.ok_or_else(|| err(404, "CREDENTIALS_NOT_FOUND", format!("credentials '{id}' not found")))
    }

    fn need_project(&self, project: &str) -> Result<(), Reply> {
        let known = self.projects.iter().any(|p| p == project);
        known.then_some(()).ok_or_else(|| err(404, "PROJECT_NOT_FOUND", format!("project '{project}' not found")))
    }

    fn clear_defaults(&mut self, project: &str, kind: &Value) {
        for c in self.creds.iter_mut().filter(|c| c.project == project && c.view["type"] == *kind) {
            c.view["default"] = json!(false);
        }
    }
}

/// Strict check of `v` against `spec`: no unknown field, no missing field, exact JSON types.
fn check(v: &Value, path: &str, spec: &[(&str, T)]) -> Result<(), String> {
    let at = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    let obj = v.as_object().ok_or_else(|| format!("{}: expected an object", if path.is_empty() { "body" } else { path }))?;
    if let Some(k) = obj.keys().find(|k| !spec.iter().any(|(name, _)| name == k)) {
        return Err(format!("{}: extra field not permitted", at(k)));
    }
    for (name, t) in spec {
        let p = at(name);
        let x = obj.get(*name).ok_or_else(|| format!("{p}: field required"))?;
        let (ok, want) = match t {
            T::Str => (x.is_string(), "a string"),
            T::Bool => (x.is_boolean(), "a boolean"),
            T::StrsOrNull => (x.is_null() || x.as_array().is_some_and(|a| a.iter().all(Value::is_string)), "a list of strings or null"),
            T::StrObj(names) => {
                check(x, &p, &names.split_whitespace().map(|n| (n, T::Str)).collect::<Vec<_>>())?;
                (true, "an object")
            }
        };
        if !ok {
            return Err(format!("{p}: expected {want}, got {x}"));
        }
    }
    Ok(())
}

/// `Some(partition)` if `arn` matches `^arn:aws[a-z-]*:iam::\d{12}:role/.+`.
fn aws_role_partition(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let suffix = partition.strip_prefix("aws")?;
    let rest = rest.strip_prefix("iam::")?;
    let (account, role) = rest.split_at_checked(12)?;
    let role = role.strip_prefix(":role/")?;
    let ok = suffix.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        && account.bytes().all(|b| b.is_ascii_digit())
        && role.chars().next().is_some_and(|c| c != '\n');
    ok.then_some(partition)
}

fn next_n() -> u64 {
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Random-looking 64 bits from a counter, the clock, the pid and std's randomly keyed SipHash.
fn rand64(n: u64, i: u64) -> u64 {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    RandomState::new().hash_one((n, i, t, std::process::id()))
}

/// 32 chars of [A-Za-z0-9-], distinct per registration.
fn external_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-";
    let n = next_n();
    (0..32).map(|i| ALPHABET[(rand64(n, i) % ALPHABET.len() as u64) as usize] as char).collect()
}

/// `a` with the fields of object `b` added.
fn merged(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn err(status: u16, code: &str, message: impl Into<String>) -> Reply {
    (status, json!({"errorCode": code, "errorMessage": message.into()}))
}

fn invalid(message: String) -> Reply {
    err(422, "UNPROCESSABLE_ENTITY", message)
}

/// e.g. 503 → "SERVICE_UNAVAILABLE".
fn code_for(status: u16) -> String {
    reason(status).to_ascii_uppercase().replace(' ', "_")
}

fn reason(status: u16) -> &'static str {
    REASONS.split('|').find_map(|r| r.trim().strip_prefix(&format!("{status} "))).unwrap_or("Error")
}
