//! TEST DOUBLE of Google Cloud's IAM-related REST APIs, for the GCP apply and revoke engine: no
//! emulator of them exists (gcp-storage-emulator does not implement bucket IAM policies; the
//! Pub/Sub emulator answers 501 to IAM methods). One loopback server stands in for all of these,
//! each following its published API reference (paths, request and response bodies, status codes,
//! the `{error: {code, message, status}}` error shape):
//!
//! - OAuth 2.0 token endpoint, `POST /token` with `grant_type=refresh_token` (an authorized user's
//!   Application Default Credentials, or the wizard's sign-in): `invalid_grant` for an unknown
//!   refresh token; and `grant_type=authorization_code` (OAuth 2.0 for desktop apps): the code,
//!   the client, the `redirect_uri` and the PKCE `code_verifier` (S256 of it = the challenge) must
//!   match the authorization request, and a code is good once; the answer has a refresh token and
//!   an `id_token` with the account's email.
//! - The authorization page, `GET /auth` (what the browser opens): for the known desktop client
//!   with `response_type=code`, `code_challenge_method=S256` and a loopback `redirect_uri`, a 302
//!   back to it with `code` and `state` — or `error=access_denied` when the test has the person
//!   refuse.
//! - IAM v1: `projects.serviceAccounts` get / create (409 ALREADY_EXISTS) / delete / getIamPolicy /
//!   setIamPolicy, `.keys.create` (a fresh RSA key file, base64; or FAILED_PRECONDITION as under
//!   the `iam.disableServiceAccountKeyCreation` organization policy); `projects.roles` get / create / patch / undelete / delete (a deleted role stays
//!   readable with `deleted: true`); `projects.locations.workloadIdentityPools` and `.providers`
//!   get / create / patch (`updateMask`) / delete (the resource stays readable, `state: DELETED`) /
//!   undelete, answering with a long-running operation that is done on its first poll.
//! - Cloud Resource Manager v1: `projects.get` (projectNumber), `projects.getIamPolicy` /
//!   `projects.setIamPolicy`, `projects.list` (GET `/v1/projects`, with `lifecycleState` on each).
//! - Cloud Storage JSON v1: `buckets.getIamPolicy` (GET `/storage/v1/b/{b}/iam`) /
//!   `buckets.setIamPolicy` (PUT; 412 on an etag mismatch), `buckets.list` (GET
//!   `/storage/v1/b?project=`; 403 for a project the caller cannot see).
//! - Pub/Sub v1: `projects.topics.getIamPolicy` (GET `…:getIamPolicy`) / `setIamPolicy` (POST),
//!   `projects.topics.list` (GET `/v1/projects/{p}/topics`, full names `projects/{p}/topics/{t}`).
//! - Every list answers [`LIST_PAGE`] items a page with an opaque `nextPageToken` while more are left
//!   (the references allow a page shorter than asked), so callers must follow it.
//! - What the vendor's connectivity test calls, signed in with a key this double made: the token
//!   endpoint's JWT-bearer grant (RFC 7523; the RS256 signature checked with openssl against the
//!   key's public half, the `kid`, `iss` and `aud`), then Storage `buckets.testIamPermissions`
//!   (`GET …/iam/testPermissions?permissions=…`), `objects.list` (an empty bucket, 403 without
//!   `storage.objects.list`) and Pub/Sub `topics.testIamPermissions` (POST),
//!   answering the permissions the member holds through the bucket's or topic's policy and the
//!   project's (IAM inheritance), for the roles this double knows.
//!
//! - Cloud Resource Manager v1 `projects.getAncestry` (POST `/v1/projects/{p}:getAncestry`): the
//!   project, then the folders and organization the test put above it (`ancestry`), nearest first.
//! - Cloud Asset Inventory v1 `searchAllIamPolicies` (GET `/v1/{scope}:searchAllIamPolicies`,
//!   scope `organizations/N` or `folders/N`; another scope is 403 PERMISSION_DENIED): for a query
//!   `policy:"MEMBER"` (or unquoted), the buckets, of any project, whose policy names the member
//!   (`serviceAccount:MEMBER` or MEMBER itself), each with only the matching bindings, as
//!   `{resource: //storage.googleapis.com/B, assetType, project, policy}`; `assetTypes` other than
//!   `storage.googleapis.com/Bucket` match nothing here. Paged like the lists. Without an
//!   `x-goog-user-project` header it answers 403 as Google answers a person's credentials that
//!   name no quota project (the header's projects are recorded); `stale_search` buckets are
//!   answered whatever their policy says now (the index lags changes by minutes).
//!
//! - Organization Policy v2: `projects.policies.getEffectivePolicy` (GET
//!   `/v2/projects/{p}/policies/{constraint}:getEffectivePolicy`): the effective policy the test
//!   set for the constraint (`{name, spec: {rules}}`), or one with no rules (nothing set: the
//!   constraint's default); 404 NOT_FOUND for a constraint the test says this organization does
//!   not have. Without an `x-goog-user-project` header: 403, as Google answers a person's
//!   credentials that name no quota project (recorded like the search's).
//!
//! Every IAM policy carries an `etag` that changes on each write; a write with a stale etag is
//! refused (409 ABORTED; Storage 412). Faults a test can inject: conflicting writes, the
//! "service account does not exist" a new account gets until it propagates, and 403 on a path.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::server::{json as reply, pct_decode, serve, Double, Request, Response};

pub const REFRESH_TOKEN: &str = "1//refresh-token-canary-9f3e";
pub const CLIENT_SECRET: &str = "client-secret-canary-41aa";
pub const PROJECT_NUMBER: &str = "123456789012";
/// The vendor profile's desktop OAuth client (for "Sign in with Google").
pub const SIGN_IN_CLIENT: &str = "1234567890-vendor.apps.googleusercontent.com";
pub const SIGN_IN_SECRET: &str = "GOCSPX-desktop-secret-canary";
/// The refresh token the browser sign-in yields.
pub const SIGNED_IN_REFRESH: &str = "1//signed-in-refresh-canary-77c1";
pub const SIGNED_IN_EMAIL: &str = "dana@example.com";

#[derive(Default)]
pub struct GcpState {
    pub project: String,
    pub access_token: String,
    /// email → the account's JSON (`email`, `description`, `displayName`).
    pub service_accounts: BTreeMap<String, Value>,
    /// role id → the role's JSON.
    pub roles: BTreeMap<String, Value>,
    /// full resource name (`projects/p/locations/global/workloadIdentityPools/x[/providers/y]`) → JSON.
    pub pools: BTreeMap<String, Value>,
    /// Policies by key: `project`, `bucket/{b}`, `topic/{t}`, `sa/{email}`. A bucket or topic
    /// exists when it has a policy here.
    pub policies: BTreeMap<String, Value>,
    etag: u64,
    /// The next N policy writes are refused as conflicting (someone else wrote in between).
    pub conflicts: u32,
    /// The next N policy writes naming a service account created since are refused with
    /// "does not exist" (IAM propagation).
    pub unpropagated: u32,
    /// Paths (prefixes; one ending in `$` exactly; `METHOD path` for that method only) answered
    /// 403 PERMISSION_DENIED.
    pub denied: Vec<String>,
    /// Policy writes that were accepted, by key.
    pub writes: Vec<String>,
    /// Organization policies by constraint name → the effective policy's `spec`.
    pub org_policies: BTreeMap<String, Value>,
    /// Projects besides `project` the caller can see in `projects.list`: (id, lifecycleState).
    pub other_projects: Vec<(String, String)>,
    /// List calls answered (projects, buckets, topics), for page-following assertions.
    pub list_calls: u32,
    /// Above the project, nearest first: ("folder" | "organization", numeric id). Empty: a project
    /// in no organization.
    pub ancestry: Vec<(String, String)>,
    /// Buckets of other projects: bucket → project id (not listed by the plan project's
    /// `buckets.list`; their policies are read and written like any bucket's).
    pub bucket_projects: BTreeMap<String, String>,
    /// Buckets the search names though their policy no longer does (a lagging index).
    pub stale_search: Vec<String>,
    /// The `x-goog-user-project` of each search.
    pub billed_to: Vec<String>,
    /// Constraints this organization does not have (404).
    pub unknown_constraints: Vec<String>,
    /// Key creation refused as by the `iam.disableServiceAccountKeyCreation` organization policy.
    pub keys_forbidden: bool,
    pub keys_created: u32,
    /// The person refuses the sign-in in the browser.
    pub refuse_sign_in: bool,
    /// The person unticks the Google Cloud scope on the consent page (the grant has only openid email).
    pub narrow_consent: bool,
    /// Authorization codes issued: code → (PKCE challenge, redirect_uri).
    pub codes: BTreeMap<String, (String, String)>,
    /// A line from the middle of the last key's PEM (for canary searches; the key itself is not kept).
    pub last_key_line: String,
    /// Keys made: key id → (service account, public key PEM), for the JWT-bearer grant.
    pub issued_keys: BTreeMap<String, (String, String)>,
    /// Access tokens issued to those keys → the service account.
    pub vendor_tokens: BTreeMap<String, String>,
}

impl GcpState {
    fn next_etag(&mut self) -> String {
        self.etag += 1;
        format!("BwY{:04}", self.etag)
    }

    /// The access token of "Sign in with Google" (the vendor's desktop client): the same person's
    /// rights as the ADC token, but Google bills a user's calls to the OAuth client's project
    /// unless they name another, so the vendor's client project answers for APIs that bill the
    /// caller (the ADC token's gcloud client project has them off).
    pub fn signed_in_token(&self) -> String {
        format!("{}-signed-in", self.access_token)
    }

    /// A bucket (or topic) that exists, with whatever bindings it already has.
    pub fn add_bucket(&mut self, b: &str, bindings: Value) {
        let e = self.next_etag();
        self.policies.insert(format!("bucket/{b}"), json!({"version": 1, "etag": e, "bindings": bindings}));
    }
    /// A bucket of another project.
    pub fn add_bucket_in(&mut self, project: &str, b: &str, bindings: Value) {
        self.add_bucket(b, bindings);
        self.bucket_projects.insert(b.to_string(), project.to_string());
    }
    pub fn add_topic(&mut self, t: &str, bindings: Value) {
        let e = self.next_etag();
        self.policies.insert(format!("topic/{t}"), json!({"etag": e, "bindings": bindings}));
    }
    pub fn policy(&self, key: &str) -> Value {
        self.policies.get(key).cloned().unwrap_or(Value::Null)
    }
    pub fn members(&self, key: &str, role: &str) -> Vec<String> {
        self.policy(key)["bindings"]
            .as_array()
            .map(|bs| {
                bs.iter()
                    .filter(|b| b["role"] == role)
                    .flat_map(|b| b["members"].as_array().cloned().unwrap_or_default())
                    .filter_map(|m| m.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct GcpIam {
    pub double: Double,
    pub state: Arc<Mutex<GcpState>>,
}

/// Items per page of every list this double answers.
pub const LIST_PAGE: usize = 2;

/// One page of `items` (under `key`) from the offset the `pageToken` names.
fn list_page(s: &mut GcpState, key: &str, items: Vec<Value>, q: &BTreeMap<String, String>) -> Response {
    s.list_calls += 1;
    let from = match q.get("pageToken") {
        None => 0,
        Some(t) => match t.strip_prefix("page-").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if n <= items.len() => n,
            _ => return error(400, "INVALID_ARGUMENT", "Invalid page token."),
        },
    };
    let to = (from + LIST_PAGE).min(items.len());
    let mut out = json!({ key: items[from..to].to_vec() });
    if to < items.len() {
        out["nextPageToken"] = json!(format!("page-{to}"));
    }
    reply(200, out)
}

/// An API that bills the caller (Organization Policy, Cloud Asset): the request names the project
/// in `x-goog-user-project` (recorded), or is refused as Google refuses a person's Application
/// Default Credentials that name none; "Sign in with Google"'s token without one is billed to the
/// vendor's OAuth client's project.
fn billed(s: &mut GcpState, req: &Request, api: &str) -> Result<(), Response> {
    let header = req.headers.get("x-goog-user-project").cloned();
    if header.is_none() && req.bearer() == Some(s.signed_in_token().as_str()) {
        s.billed_to.push(format!("the OAuth client {SIGN_IN_CLIENT}"));
        return Ok(());
    }
    let Some(project) = header else {
        return Err(error(
            403,
            "PERMISSION_DENIED",
            &format!("Your application is authenticating by using local Application Default Credentials. The {api}.googleapis.com API requires a quota project, which is not set by default."),
        ));
    };
    s.billed_to.push(project);
    Ok(())
}

fn error(code: u16, status: &str, message: &str) -> Response {
    reply(code, json!({"error": {"code": code, "message": message, "status": status}}))
}

fn body(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap_or(Value::Null)
}

fn operation(name: &str, response: Value) -> Value {
    // Not done yet: the client must poll `GET /v1/{name}` (done on the first poll).
    json!({"name": format!("{name}/operations/op-1"), "done": false, "metadata": {}, "response": response})
}

/// Starts the double for `project`, which exists with an empty policy (plus the owner).
pub async fn gcp_iam_double(project: &str) -> GcpIam {
    let state = Arc::new(Mutex::new(GcpState { project: project.into(), access_token: "ya29.admin-double".into(), ..Default::default() }));
    {
        let mut s = state.lock().unwrap();
        let e = s.next_etag();
        s.policies.insert(
            "project".into(),
            json!({"version": 1, "etag": e, "bindings": [{"role": "roles/owner", "members": ["user:owner@example.com"]}]}),
        );
    }
    let st = state.clone();
    let double = serve(move |req| handle(&mut st.lock().unwrap(), req)).await;
    GcpIam { double, state }
}

fn handle(s: &mut GcpState, req: Request) -> Response {
    let (path, query) = match req.path.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (req.path.clone(), String::new()),
    };
    let path = pct_decode(&path);
    let q: BTreeMap<String, String> =
        query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), pct_decode(v))).collect();
    if req.method == "GET" && path == "/auth" {
        return authorize(s, &q);
    }
    if req.method == "POST" && path == "/token" {
        let f = req.form();
        if f.get("grant_type").map(String::as_str) == Some("authorization_code") {
            return exchange_code(s, &f);
        }
        if f.get("grant_type").map(String::as_str) == Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
            return jwt_bearer(s, f.get("assertion").map(String::as_str).unwrap_or_default());
        }
        if f.get("grant_type").map(String::as_str) != Some("refresh_token") {
            return reply(400, json!({"error": "unsupported_grant_type"}));
        }
        let adc = f.get("refresh_token").map(String::as_str) == Some(REFRESH_TOKEN)
            && f.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
        let signed_in = f.get("refresh_token").map(String::as_str) == Some(SIGNED_IN_REFRESH)
            && f.get("client_id").map(String::as_str) == Some(SIGN_IN_CLIENT)
            && f.get("client_secret").map(String::as_str) == Some(SIGN_IN_SECRET);
        if !adc && !signed_in {
            return reply(400, json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}));
        }
        let token = if signed_in { s.signed_in_token() } else { s.access_token.clone() };
        return reply(
            200,
            json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer", "scope": "https://www.googleapis.com/auth/cloud-platform"}),
        );
    }
    // The vendor's connectivity test, signed in with a key made here.
    if let Some(sa) = req.bearer().and_then(|t| s.vendor_tokens.get(t)).cloned() {
        return test_permissions(s, &req.method, &path, &query, &req, &sa);
    }
    if req.bearer() != Some(s.access_token.as_str()) && req.bearer() != Some(s.signed_in_token().as_str()) {
        return error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    }
    if s.denied.iter().any(|d| {
        let (method, d) = match d.split_once(' ') {
            Some((m, rest)) if m.bytes().all(|b| b.is_ascii_uppercase()) => (Some(m), rest),
            _ => (None, d.as_str()),
        };
        method.is_none_or(|m| m == req.method)
            && match d.strip_suffix('$') {
                Some(exact) => path == exact,
                None => path.starts_with(d),
            }
    }) {
        return error(403, "PERMISSION_DENIED", &format!("Permission denied on resource {path} (or it may not exist)."));
    }
    let project = s.project.clone();
    let m = req.method.as_str();

    // Organization Policy v2.
    if let Some(c) = path.strip_prefix(&format!("/v2/projects/{project}/policies/")).and_then(|r| r.strip_suffix(":getEffectivePolicy")) {
        if m != "GET" {
            return error(405, "METHOD_NOT_ALLOWED", m);
        }
        if let Err(refused) = billed(s, &req, "orgpolicy") {
            return refused;
        }
        if s.unknown_constraints.iter().any(|u| u == c) {
            return error(404, "NOT_FOUND", &format!("Requested entity was not found: constraint constraints/{c}."));
        }
        let spec = s.org_policies.get(c).cloned().unwrap_or_else(|| json!({"rules": []}));
        return reply(200, json!({"name": format!("projects/{PROJECT_NUMBER}/policies/{c}"), "spec": spec}));
    }

    // Cloud Resource Manager projects.list.
    if m == "GET" && path == "/v1/projects" {
        let mut ps = vec![json!({"projectId": project, "projectNumber": PROJECT_NUMBER, "lifecycleState": "ACTIVE"})];
        ps.extend(s.other_projects.iter().map(|(id, state)| json!({"projectId": id, "lifecycleState": state})));
        // `filter=lifecycleState:ACTIVE` as the reference's filter syntax has it.
        if q.get("filter").map(String::as_str) == Some("lifecycleState:ACTIVE") {
            ps.retain(|p| p["lifecycleState"] == "ACTIVE");
        }
        return list_page(s, "projects", ps, &q);
    }
    // Cloud Storage buckets.list.
    if m == "GET" && path == "/storage/v1/b" {
        if q.get("project") != Some(&project) {
            return error(403, "PERMISSION_DENIED", "The caller does not have storage.buckets.list access to the Google Cloud project.");
        }
        let bs: Vec<Value> = s
            .policies
            .keys()
            .filter_map(|k| k.strip_prefix("bucket/"))
            .filter(|b| !s.bucket_projects.contains_key(*b))
            .map(|b| json!({"kind": "storage#bucket", "name": b}))
            .collect();
        return list_page(s, "items", bs, &q);
    }
    // Cloud Asset Inventory searchAllIamPolicies.
    if let Some(scope) = path.strip_prefix("/v1/").and_then(|r| r.strip_suffix(":searchAllIamPolicies")) {
        if m != "GET" {
            return error(405, "METHOD_NOT_ALLOWED", m);
        }
        let known = s.ancestry.iter().any(|(kind, id)| format!("{kind}s/{id}") == scope);
        if !known {
            return error(403, "PERMISSION_DENIED", &format!("The caller does not have permission on {scope}"));
        }
        if let Err(refused) = billed(s, &req, "cloudasset") {
            return refused;
        }
        let query = q.get("query").cloned().unwrap_or_default();
        let Some(term) = query.strip_prefix("policy:").map(|t| t.trim_matches('"').to_string()) else {
            return error(400, "INVALID_ARGUMENT", &format!("query {query:?} is not supported by this double"));
        };
        let buckets_wanted = q.get("assetTypes").is_none_or(|t| t == "storage.googleapis.com/Bucket");
        let results: Vec<Value> = s
            .policies
            .iter()
            .filter(|_| buckets_wanted)
            .filter_map(|(k, p)| Some((k.strip_prefix("bucket/")?, p)))
            .filter_map(|(b, p)| {
                let names = |m: &Value| m.as_str().is_some_and(|m| m == term || m.split_once(':').is_some_and(|(_, id)| id == term));
                let matching: Vec<Value> = p["bindings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|bd| bd["members"].as_array().is_some_and(|ms| ms.iter().any(names)))
                    .cloned()
                    .collect();
                let stale = s.stale_search.iter().any(|x| x == b);
                (!matching.is_empty() || stale).then(|| {
                    json!({
                        "resource": format!("//storage.googleapis.com/{b}"),
                        "assetType": "storage.googleapis.com/Bucket",
                        "project": format!("projects/{}", if s.bucket_projects.contains_key(b) { "987654321098" } else { PROJECT_NUMBER }),
                        "policy": {"bindings": matching},
                    })
                })
            })
            .collect();
        return list_page(s, "results", results, &q);
    }
    // Cloud Storage bucket IAM.
    if let Some(b) = path.strip_prefix("/storage/v1/b/").and_then(|r| r.strip_suffix("/iam")) {
        let key = format!("bucket/{b}");
        return match m {
            "GET" => match s.policies.get(&key) {
                Some(p) => reply(200, p.clone()),
                None => error(404, "NOT_FOUND", "The specified bucket does not exist."),
            },
            "PUT" => set_policy(s, &key, body(&req), 412),
            _ => error(405, "METHOD_NOT_ALLOWED", m),
        };
    }
    let Some(rest) = path.strip_prefix(&format!("/v1/projects/{project}")) else {
        return error(404, "NOT_FOUND", &format!("no such path {path}"));
    };
    let rest = rest.to_string();
    match (m, rest.as_str()) {
        // Cloud Resource Manager.
        ("GET", "") => reply(200, json!({"projectId": project, "projectNumber": PROJECT_NUMBER, "lifecycleState": "ACTIVE"})),
        ("POST", ":getAncestry") => {
            let mut ancestor = vec![json!({"resourceId": {"type": "project", "id": project}})];
            ancestor.extend(s.ancestry.iter().map(|(kind, id)| json!({"resourceId": {"type": kind, "id": id}})));
            reply(200, json!({"ancestor": ancestor}))
        }
        ("POST", ":getIamPolicy") => reply(200, s.policy("project")),
        ("POST", ":setIamPolicy") => set_policy(s, "project", body(&req)["policy"].clone(), 409),
        // Pub/Sub projects.topics.list.
        ("GET", "/topics") => {
            let ts: Vec<Value> = s
                .policies
                .keys()
                .filter_map(|k| k.strip_prefix("topic/"))
                .map(|t| json!({"name": format!("projects/{project}/topics/{t}")}))
                .collect();
            list_page(s, "topics", ts, &q)
        }
        // IAM service accounts.
        ("POST", "/serviceAccounts") => {
            let b = body(&req);
            let id = b["accountId"].as_str().unwrap_or_default();
            let email = format!("{id}@{project}.iam.gserviceaccount.com");
            if s.service_accounts.contains_key(&email) {
                return error(409, "ALREADY_EXISTS", &format!("Service account {id} already exists within project projects/{project}."));
            }
            let sa = json!({
                "name": format!("projects/{project}/serviceAccounts/{email}"),
                "email": email, "projectId": project,
                "displayName": b["serviceAccount"]["displayName"], "description": b["serviceAccount"]["description"],
            });
            s.service_accounts.insert(email.clone(), sa.clone());
            let e = s.next_etag();
            s.policies.insert(format!("sa/{email}"), json!({"etag": e}));
            reply(200, sa)
        }
        ("POST", r) if r.starts_with("/roles") && !r.contains(':') => {
            let b = body(&req);
            let id = b["roleId"].as_str().unwrap_or_default().to_string();
            if s.roles.contains_key(&id) {
                return error(409, "ALREADY_EXISTS", &format!("A role named {id} in projects/{project} already exists."));
            }
            let mut role = b["role"].clone();
            role["name"] = json!(format!("projects/{project}/roles/{id}"));
            role["etag"] = json!(s.next_etag());
            s.roles.insert(id, role.clone());
            reply(200, role)
        }
        (_, r) if r.starts_with("/roles/") => {
            let (id, verb) = match r["/roles/".len()..].split_once(':') {
                Some((i, v)) => (i.to_string(), v.to_string()),
                None => (r["/roles/".len()..].to_string(), String::new()),
            };
            let Some(role) = s.roles.get_mut(&id) else {
                return error(404, "NOT_FOUND", &format!("The role named projects/{project}/roles/{id} was not found."));
            };
            match (m, verb.as_str()) {
                ("GET", "") => reply(200, role.clone()),
                ("PATCH", "") => {
                    let b = body(&req);
                    for f in q.get("updateMask").map(|u| u.split(',').map(str::to_string).collect::<Vec<_>>()).unwrap_or_default() {
                        role[&f] = b[&f].clone();
                    }
                    reply(200, role.clone())
                }
                ("DELETE", "") => {
                    role["deleted"] = json!(true);
                    reply(200, role.clone())
                }
                ("POST", "undelete") => {
                    role.as_object_mut().map(|o| o.remove("deleted"));
                    reply(200, role.clone())
                }
                _ => error(400, "INVALID_ARGUMENT", &format!("{m} {r}")),
            }
        }
        (_, r) if r.starts_with("/serviceAccounts/") && r.ends_with("/keys") => {
            let email = r["/serviceAccounts/".len()..r.len() - "/keys".len()].to_string();
            if !s.service_accounts.contains_key(&email) {
                return error(404, "NOT_FOUND", &format!("Unknown service account {email}"));
            }
            if m != "POST" {
                return error(405, "METHOD_NOT_ALLOWED", m);
            }
            if s.keys_forbidden {
                return error(
                    400,
                    "FAILED_PRECONDITION",
                    "Key creation is not allowed on this service account. constraints/iam.disableServiceAccountKeyCreation",
                );
            }
            // A fresh RSA key (openssl) in the key file format Google documents, base64 as
            // `privateKeyData` (TYPE_GOOGLE_CREDENTIALS_FILE).
            let o =
                std::process::Command::new("openssl").args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]).output();
            let Some(o) = o.ok().filter(|o| o.status.success()) else { return error(500, "INTERNAL", "the double could not run openssl") };
            let key_id = format!("{:040x}", 0x7b3a_91c4_d25e_f608u128 + u128::from(s.keys_created));
            s.last_key_line = String::from_utf8_lossy(&o.stdout).lines().nth(5).unwrap_or_default().to_string();
            if let Some(public) = public_pem(&o.stdout) {
                s.issued_keys.insert(key_id.clone(), (email.clone(), public));
            }
            s.keys_created += 1;
            // Every field of the key file Google issues (the vendor's registration API checks them).
            let file = json!({"type": "service_account", "project_id": project, "private_key_id": key_id, "private_key": String::from_utf8_lossy(&o.stdout),
                "client_email": email, "client_id": "104242424242424242424", "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": "https://oauth2.googleapis.com/token", "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
                "client_x509_cert_url": format!("https://www.googleapis.com/robot/v1/metadata/x509/{}", email.replace('@', "%40")),
                "universe_domain": "googleapis.com"});
            use base64::Engine as _;
            let data = base64::engine::general_purpose::STANDARD.encode(file.to_string());
            reply(
                200,
                json!({"name": format!("projects/{project}/serviceAccounts/{email}/keys/{key_id}"), "privateKeyType": "TYPE_GOOGLE_CREDENTIALS_FILE", "privateKeyData": data, "keyAlgorithm": "KEY_ALG_RSA_2048"}),
            )
        }
        (_, r) if r.starts_with("/serviceAccounts/") => {
            let (email, verb) = match r["/serviceAccounts/".len()..].split_once(':') {
                Some((e, v)) => (e.to_string(), v.to_string()),
                None => (r["/serviceAccounts/".len()..].to_string(), String::new()),
            };
            if !s.service_accounts.contains_key(&email) {
                return error(404, "NOT_FOUND", &format!("Unknown service account {email}"));
            }
            match (m, verb.as_str()) {
                ("GET", "") => reply(200, s.service_accounts[&email].clone()),
                ("DELETE", "") => {
                    s.service_accounts.remove(&email);
                    s.policies.remove(&format!("sa/{email}"));
                    // Its keys go with it.
                    s.issued_keys.retain(|_, (owner, _)| *owner != email);
                    reply(200, json!({}))
                }
                ("POST", "getIamPolicy") => reply(200, s.policy(&format!("sa/{email}"))),
                ("POST", "setIamPolicy") => set_policy(s, &format!("sa/{email}"), body(&req)["policy"].clone(), 409),
                _ => error(400, "INVALID_ARGUMENT", &format!("{m} {r}")),
            }
        }
        (_, r) if r.starts_with("/topics/") => {
            let (t, verb) = r["/topics/".len()..].split_once(':').unwrap_or((&r["/topics/".len()..], ""));
            let key = format!("topic/{t}");
            if !s.policies.contains_key(&key) {
                return error(404, "NOT_FOUND", "Resource not found (resource=".to_string().as_str());
            }
            match (m, verb) {
                // Pub/Sub documents getIamPolicy as GET (a POST is answered like any unknown URL).
                ("GET", "getIamPolicy") => reply(200, s.policy(&key)),
                ("POST", "setIamPolicy") => set_policy(s, &key, body(&req)["policy"].clone(), 409),
                _ => error(400, "INVALID_ARGUMENT", &format!("{m} {r}")),
            }
        }
        (_, r) if r.starts_with("/locations/global/workloadIdentityPools") => {
            pools(s, m, &format!("projects/{project}{r}"), &q, body(&req))
        }
        _ => error(404, "NOT_FOUND", &format!("no such path {path}")),
    }
}

/// The public half of a PEM private key (openssl).
fn public_pem(private_pem: &[u8]) -> Option<String> {
    use std::io::Write;
    let mut c = std::process::Command::new("openssl")
        .args(["pkey", "-pubout"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    c.stdin.take()?.write_all(private_pem).ok()?;
    let o = c.wait_with_output().ok()?;
    o.status.success().then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// RFC 7523's grant: the assertion's RS256 signature must verify (openssl) with the public key of
/// the key its `kid` names, `iss` must be that key's service account, `aud` this endpoint.
fn jwt_bearer(s: &mut GcpState, assertion: &str) -> Response {
    use base64::Engine as _;
    let invalid = |d: &str| reply(400, json!({"error": "invalid_grant", "error_description": d}));
    let parts: Vec<&str> = assertion.split('.').collect();
    let [h, p, sig] = parts.as_slice() else { return invalid("malformed assertion") };
    let dec = |x: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(x).ok();
    let (Some(header), Some(claims), Some(sig)) = (dec(h), dec(p), dec(sig)) else { return invalid("not base64url") };
    let header: Value = serde_json::from_slice(&header).unwrap_or_default();
    let claims: Value = serde_json::from_slice(&claims).unwrap_or_default();
    let Some((email, public)) = header["kid"].as_str().and_then(|k| s.issued_keys.get(k)).cloned() else {
        return invalid("Invalid JWT Signature.");
    };
    if claims["iss"] != email.as_str() || !claims["aud"].as_str().is_some_and(|a| a.ends_with("/token")) {
        return invalid("Invalid JWT: iss or aud");
    }
    let dir = std::env::temp_dir().join(format!("gcp-iam-double-{}-{}", std::process::id(), s.vendor_tokens.len()));
    let _ = std::fs::create_dir_all(&dir);
    let (pk, data, sg) = (dir.join("pub.pem"), dir.join("data"), dir.join("sig"));
    let written = std::fs::write(&pk, &public).and(std::fs::write(&data, format!("{h}.{p}"))).and(std::fs::write(&sg, &sig));
    let ok = written.is_ok()
        && std::process::Command::new("openssl")
            .args(["dgst", "-sha256", "-verify"])
            .arg(&pk)
            .arg("-signature")
            .arg(&sg)
            .arg(&data)
            .output()
            .is_ok_and(|o| o.status.success());
    let _ = std::fs::remove_dir_all(&dir);
    if !ok {
        return invalid("Invalid JWT Signature.");
    }
    let token = format!("ya29.vendor-{}", s.vendor_tokens.len() + 1);
    s.vendor_tokens.insert(token.clone(), email);
    reply(200, json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer"}))
}

/// The permissions a role grants, for the roles this double knows (Google's published lists,
/// only the permissions the connectivity test asks about).
fn role_grants(s: &GcpState, role: &str) -> Vec<String> {
    let fixed: &[&str] = match role {
        "roles/storage.objectViewer" => &["storage.objects.get", "storage.objects.list"],
        "roles/storage.legacyBucketReader" => &["storage.buckets.get", "storage.objects.list"],
        "roles/pubsub.publisher" => &["pubsub.topics.publish"],
        "roles/owner" => &["storage.objects.get", "storage.objects.list", "storage.buckets.get", "pubsub.topics.publish"],
        _ => &[],
    };
    let mut out: Vec<String> = fixed.iter().map(|p| p.to_string()).collect();
    if let Some(id) = role.strip_prefix(&format!("projects/{}/roles/", s.project)) {
        if let Some(r) = s.roles.get(id).filter(|r| r["deleted"] != true) {
            out.extend(r["includedPermissions"].as_array().into_iter().flatten().filter_map(|p| p.as_str().map(str::to_string)));
        }
    }
    out
}

/// What `member` holds on a resource: its own policy and the project's (inherited).
fn held(s: &GcpState, key: &str, member: &str) -> Vec<String> {
    let mut out = Vec::new();
    for k in [key, "project"] {
        for b in s.policy(k)["bindings"].as_array().cloned().unwrap_or_default() {
            let has = b["members"].as_array().is_some_and(|m| m.iter().any(|x| x == member));
            if has && b.get("condition").is_none_or(Value::is_null) {
                out.extend(role_grants(s, b["role"].as_str().unwrap_or_default()));
            }
        }
    }
    out
}

fn test_permissions(s: &mut GcpState, m: &str, path: &str, query: &str, req: &Request, sa: &str) -> Response {
    let member = format!("serviceAccount:{sa}");
    if let Some(rest) = path.strip_prefix("/storage/v1/b/").and_then(|r| r.strip_suffix("/iam/testPermissions")) {
        let key = format!("bucket/{rest}");
        if m != "GET" || !s.policies.contains_key(&key) {
            return error(404, "NOT_FOUND", "The specified bucket does not exist.");
        }
        let asked: Vec<String> = query.split('&').filter_map(|kv| kv.strip_prefix("permissions=")).map(pct_decode).collect();
        let have = held(s, &key, &member);
        let granted: Vec<&String> = asked.iter().filter(|p| have.contains(p)).collect();
        return reply(200, json!({"kind": "storage#testIamPermissionsResponse", "permissions": granted}));
    }
    // Storage `objects.list` (the probe's live proof): the bucket holds no objects here.
    if let Some(b) = path.strip_prefix("/storage/v1/b/").and_then(|r| r.strip_suffix("/o")) {
        let key = format!("bucket/{b}");
        if m != "GET" || !s.policies.contains_key(&key) {
            return error(404, "NOT_FOUND", "The specified bucket does not exist.");
        }
        if !held(s, &key, &member).iter().any(|p| p == "storage.objects.list") {
            return error(
                403,
                "PERMISSION_DENIED",
                &format!("{sa} does not have storage.objects.list access to the Google Cloud Storage bucket."),
            );
        }
        return reply(200, json!({"kind": "storage#objects"}));
    }
    let topic_prefix = format!("/v1/projects/{}/topics/", s.project);
    if let Some(t) = path.strip_prefix(&topic_prefix).and_then(|r| r.strip_suffix(":testIamPermissions")) {
        let key = format!("topic/{t}");
        if m != "POST" || !s.policies.contains_key(&key) {
            return error(404, "NOT_FOUND", "Resource not found (resource=topic).");
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let have = held(s, &key, &member);
        let granted: Vec<Value> = body["permissions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p.as_str().is_some_and(|p| have.iter().any(|h| h == p)))
            .cloned()
            .collect();
        return reply(200, json!({"permissions": granted}));
    }
    error(403, "PERMISSION_DENIED", &format!("the vendor's service account may not call {m} {path}"))
}

fn authorize(s: &mut GcpState, q: &BTreeMap<String, String>) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let redirect = get("redirect_uri");
    let loopback = redirect.starts_with("http://127.0.0.1:") || redirect.starts_with("http://[::1]:");
    if get("client_id") != SIGN_IN_CLIENT || !loopback || get("response_type") != "code" || get("code_challenge_method") != "S256" {
        return Response { status: 400, headers: vec![], body: "Error 400: invalid_request".into() };
    }
    if !get("scope").split(' ').any(|x| x == "https://www.googleapis.com/auth/cloud-platform") {
        return Response { status: 400, headers: vec![], body: "Error 400: invalid_scope".into() };
    }
    let state = get("state");
    let to = if s.refuse_sign_in {
        format!("{redirect}/?error=access_denied&state={state}")
    } else {
        let code = format!("4/code-{}", s.codes.len() + 1);
        s.codes.insert(code.clone(), (get("code_challenge"), redirect.clone()));
        format!("{redirect}/?code={code}&state={state}&scope=email%20openid")
    };
    Response { status: 302, headers: vec![("location".into(), to)], body: String::new() }
}

fn exchange_code(s: &mut GcpState, f: &BTreeMap<String, String>) -> Response {
    use base64::Engine as _;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if get("client_id") != SIGN_IN_CLIENT || get("client_secret") != SIGN_IN_SECRET {
        return reply(401, json!({"error": "invalid_client", "error_description": "The OAuth client was not found."}));
    }
    let Some((challenge, redirect)) = s.codes.remove(&get("code")) else {
        return reply(400, json!({"error": "invalid_grant", "error_description": "Malformed auth code."}));
    };
    // S256 by the crate's own function, which its unit test checks against RFC 7636's example.
    if trustbridge_cloud::oauth::s256(&get("code_verifier")) != challenge {
        return reply(400, json!({"error": "invalid_grant", "error_description": "Invalid code verifier."}));
    }
    if get("redirect_uri") != redirect {
        return reply(400, json!({"error": "redirect_uri_mismatch", "error_description": "Bad Request"}));
    }
    let b = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let id_token =
        format!("{}.{}.double-signature", b(&json!({"alg": "RS256"})), b(&json!({"email": SIGNED_IN_EMAIL, "aud": SIGN_IN_CLIENT})));
    reply(
        200,
        json!({"access_token": s.signed_in_token(), "expires_in": 3599, "token_type": "Bearer", "refresh_token": SIGNED_IN_REFRESH,
               "id_token": id_token, "scope": if s.narrow_consent { "openid email" } else { "openid email https://www.googleapis.com/auth/cloud-platform" }}),
    )
}

fn pools(s: &mut GcpState, m: &str, name: &str, q: &BTreeMap<String, String>, b: Value) -> Response {
    if let Some(op_of) = name.split_once("/operations/").map(|(n, _)| n.to_string()) {
        return reply(200, json!({"name": name, "done": true, "response": s.pools.get(&op_of).cloned().unwrap_or(Value::Null)}));
    }
    if let Some(target) = name.strip_suffix(":undelete") {
        return match s.pools.get_mut(target) {
            Some(v) if v["state"] == "DELETED" => {
                v["state"] = json!("ACTIVE");
                let v = v.clone();
                reply(200, operation(target, v))
            }
            Some(_) => error(400, "FAILED_PRECONDITION", &format!("{target} is not deleted")),
            None => error(404, "NOT_FOUND", &format!("{target} not found")),
        };
    }
    match m {
        "PATCH" => match s.pools.get_mut(name) {
            Some(v) if v["state"] == "DELETED" => error(400, "FAILED_PRECONDITION", &format!("{name} is deleted")),
            Some(v) => {
                for f in q.get("updateMask").map(|u| u.split(',').map(str::to_string).collect::<Vec<_>>()).unwrap_or_default() {
                    v[&f] = b[&f].clone();
                }
                let v = v.clone();
                reply(200, operation(name, v))
            }
            None => error(404, "NOT_FOUND", &format!("{name} not found")),
        },
        "POST" => {
            let id = q.get("workloadIdentityPoolId").or_else(|| q.get("workloadIdentityPoolProviderId"));
            let Some(id) = id else { return error(400, "INVALID_ARGUMENT", "missing id") };
            let full = format!("{name}/{id}");
            if s.pools.contains_key(&full) {
                return error(409, "ALREADY_EXISTS", &format!("{full} already exists"));
            }
            let parent = name.rsplit_once('/').map(|(p, _)| p.to_string()).unwrap_or_default();
            if name.ends_with("/providers") && !s.pools.contains_key(&parent) {
                return error(404, "NOT_FOUND", &format!("{parent} not found"));
            }
            let mut v = b;
            v["name"] = json!(full);
            v["state"] = json!("ACTIVE");
            s.pools.insert(full.clone(), v.clone());
            reply(200, operation(&full, v))
        }
        "GET" => match s.pools.get(name) {
            Some(v) => reply(200, v.clone()),
            None => error(404, "NOT_FOUND", &format!("{name} not found")),
        },
        "DELETE" => match s.pools.get_mut(name) {
            Some(v) => {
                v["state"] = json!("DELETED");
                let v = v.clone();
                reply(200, operation(name, v))
            }
            None => error(404, "NOT_FOUND", &format!("{name} not found")),
        },
        _ => error(405, "METHOD_NOT_ALLOWED", m),
    }
}

/// `setIamPolicy`: the etag must be the current one (else `conflict_status`), every member that
/// names a service account of this project must exist, and the policy gets a new etag.
fn set_policy(s: &mut GcpState, key: &str, policy: Value, conflict_status: u16) -> Response {
    let Some(current) = s.policies.get(key) else { return error(404, "NOT_FOUND", &format!("{key} not found")) };
    let conflict = || {
        error(
            conflict_status,
            if conflict_status == 409 { "ABORTED" } else { "FAILED_PRECONDITION" },
            "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.",
        )
    };
    if policy["etag"] != current["etag"] {
        return conflict();
    }
    if s.conflicts > 0 {
        s.conflicts -= 1;
        // Someone else wrote in between: the stored policy moves on.
        let e = s.next_etag();
        if let Some(p) = s.policies.get_mut(key) {
            p["etag"] = json!(e);
        }
        return conflict();
    }
    let suffix = format!("@{}.iam.gserviceaccount.com", s.project);
    for b in policy["bindings"].as_array().cloned().unwrap_or_default() {
        for member in b["members"].as_array().cloned().unwrap_or_default() {
            let Some(email) = member.as_str().and_then(|m| m.strip_prefix("serviceAccount:")) else { continue };
            if email.ends_with(&suffix) && (!s.service_accounts.contains_key(email) || s.unpropagated > 0) {
                if s.unpropagated > 0 {
                    s.unpropagated -= 1;
                }
                return error(400, "INVALID_ARGUMENT", &format!("Service account {email} does not exist."));
            }
        }
    }
    let mut p = policy;
    p["etag"] = json!(s.next_etag());
    s.policies.insert(key.to_string(), p.clone());
    s.writes.push(key.to_string());
    reply(200, p)
}
