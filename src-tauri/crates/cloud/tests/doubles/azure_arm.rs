//! TEST DOUBLE of the Azure identity and authorization APIs the apply and revoke engine calls; no
//! emulator of them exists (Azurite serves Storage only). One loopback server stands in for all,
//! each following its published API reference (paths, bodies, status codes, error shapes):
//!
//! - Entra ID v2.0 token endpoint, `POST /{tenant}/oauth2/v2.0/token`, client-credentials grant;
//!   the token's audience follows the requested scope (Graph and Resource Manager tokens differ,
//!   and each API accepts only its own), and its claims carry `appid` / `app_displayname`.
//! - The device authorization grant for the vendor's public client: `POST
//!   /{tenant}/oauth2/v2.0/devicecode` (a device code, a user code, the verification page, the
//!   interval), then the token endpoint's `urn:ietf:params:oauth:grant-type:device_code` grant —
//!   `authorization_pending` until the person confirms (a count the test sets), `slow_down`,
//!   `authorization_declined`, `expired_token` — answering with tokens, a refresh token and an
//!   `id_token` (`preferred_username`, `tid`); the `refresh_token` grant redeems it per resource.
//!   The device flow also answers at the `organizations` authority (any work or school account),
//!   the tenant then being the `tid` of the id token.
//! - The client-credentials grant for an app registration made here, with a client secret made
//!   here (`addPassword`): a token for Storage or Event Grid (`aud`, `iss`
//!   `https://sts.windows.net/{tenant}/`, `iat`/`nbf`/`exp`, `appid`, `oid` = its service principal,
//!   `tid`), the claims Azurite's `--oauth basic` checks. An app deleted takes its secrets with it.
//! - An Event Grid topic's `POST /api/events` ([`eventgrid_topic`]): 401 unless the token is one
//!   issued here for Event Grid to an app that still exists, 403 unless its service principal holds
//!   EventGrid Data Sender on the topic or a scope above it (the assignments apply made).
//! - Microsoft Graph v1.0: `GET /applications?$filter=displayName eq '…'` (OData string literal,
//!   quotes doubled), `POST /applications`, `DELETE /applications/{id}` (its service principal goes
//!   too); `GET /servicePrincipals?$filter=appId eq '…'`, `POST /servicePrincipals` — 400 "does not
//!   reference a valid application object" for an unknown app, and for a new one until it has
//!   replicated (a fault a test injects).
//! - Resource Manager `Microsoft.Authorization/roleAssignments` api-version 2022-04-01: list at a
//!   scope (a registered one, or a subscription or resource group holding one) with
//!   `$filter=principalId eq '…'` — the principal's assignments at, above or below the scope, as
//!   the reference says, [`LIST_PAGE`] a page with an absolute `nextLink`; 403
//!   `AuthorizationFailed` at a scope a test denies —, `PUT` by name (the `description` kept) (400 `PrincipalNotFound` for an unknown or
//!   not yet replicated principal; 409 `RoleAssignmentExists` when the same role, principal and scope
//!   exist under another name, with or without an ABAC `condition`, the stricter reading), `DELETE`
//!   by id. Scopes not registered as existing answer 404.
//! - Resource Manager lists, read from the scopes registered as existing: `Subscriptions - List`
//!   (2022-12-01; `subscriptionId`, `tenantId`, `state`), `Resource Groups - List` (2021-04-01),
//!   `Storage Accounts - List By Resource Group` and `Blob Containers - List` (2023-05-01),
//!   `Topics - List By Resource Group` (2022-06-15); each `{value: [...]}` of [`LIST_PAGE`] items with
//!   an absolute `nextLink` (`$skiptoken`) while more are left; another api-version is refused (400).
//!   Names come back as registered (lower case).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{json, Value};

use super::server::{json as reply, pct_decode, serve, Double, Request, Response};

pub const ADMIN_APP: &str = "9a0f1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b";
pub const ADMIN_SECRET: &str = "admin-secret-canary~7Qx";
/// The vendor's multi-tenant app (keyless plans), known to Entra ID.
pub const VENDOR_APP: &str = "11111111-2222-3333-4444-555555555555";
/// The vendor profile's public client app (device-code sign-in).
pub const SIGN_IN_CLIENT: &str = "22222222-3333-4444-5555-666666666666";
pub const DEVICE_CODE: &str = "device-code-canary-0e1f";
pub const SIGNED_IN_REFRESH: &str = "0.refresh-canary-5d2a";
pub const SIGNED_IN_USER: &str = "erin@contoso.example";

/// How the person answers the device sign-in.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub enum DeviceAnswer {
    #[default]
    Confirm,
    Decline,
    /// Never confirmed: the code expires.
    Expire,
}

#[derive(Default)]
pub struct AzureState {
    pub tenant: String,
    /// object id → application JSON (`id`, `appId`, `displayName`, `notes`).
    pub apps: BTreeMap<String, Value>,
    /// object id → service principal JSON (`id`, `appId`).
    pub sps: BTreeMap<String, Value>,
    /// Scopes (lower case) that exist.
    pub scopes: Vec<String>,
    /// assignment id → assignment JSON.
    pub assignments: BTreeMap<String, Value>,
    /// The next N service-principal creations for a new app fail as not yet replicated.
    pub app_unreplicated: u32,
    /// The next N role-assignment PUTs fail with PrincipalNotFound.
    pub principal_unreplicated: u32,
    /// Path prefixes answered 403 (`METHOD prefix`: for that method only).
    pub denied: Vec<String>,
    /// Client secrets added (`addPassword`), and the last one's text (for canary searches).
    pub passwords: u32,
    pub last_secret: String,
    /// appId → the client secrets made for it (`addPassword`).
    pub secrets: BTreeMap<String, Vec<String>>,
    /// Device sign-in: polls answered `authorization_pending` before the answer, polls answered
    /// `slow_down` first, the answer, and the polls seen.
    pub device_pending: u32,
    pub device_slow_down: u32,
    pub device_answer: DeviceAnswer,
    pub device_polls: u32,
    /// Subscriptions besides those of the registered scopes, with their state (`Enabled`, `Disabled`).
    pub other_subscriptions: Vec<(String, String)>,
    /// List pages answered.
    pub list_calls: u32,
    /// Scopes (lower case) where listing role assignments is refused (403 AuthorizationFailed): a
    /// caller with rights on a resource group alone, asking at the subscription.
    pub list_denied: Vec<String>,
    /// This double's own address, for the absolute `nextLink`s Resource Manager answers with.
    pub base_url: String,
    next: u64,
}

impl AzureState {
    fn id(&mut self) -> String {
        self.next += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.next)
    }
    pub fn add_scope(&mut self, scope: &str) {
        self.scopes.push(scope.to_lowercase());
    }
    /// Whether `principal` holds the role `role_guid` (a built-in role's id) on `scope` or on a
    /// scope above it, as Azure RBAC inherits.
    pub fn holds(&self, principal: &str, role_guid: &str, scope: &str) -> bool {
        let scope = scope.to_lowercase();
        self.assigned().iter().any(|(at, role, p, _)| {
            let at = at.to_lowercase();
            p == principal && role.to_lowercase().ends_with(role_guid) && (scope == at || scope.starts_with(&format!("{at}/")))
        })
    }
    /// Assignments as `(scope, role definition id, principal id, principalType)`.
    pub fn assigned(&self) -> Vec<(String, String, String, String)> {
        self.assignments
            .values()
            .map(|a| {
                let p = &a["properties"];
                let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
                (s("scope"), s("roleDefinitionId"), s("principalId"), s("principalType"))
            })
            .collect()
    }
    pub fn sp_of(&self, app_id: &str) -> Option<String> {
        self.sps.values().find(|s| s["appId"] == app_id).and_then(|s| s["id"].as_str().map(str::to_string))
    }
}

pub struct AzureApi {
    pub double: Double,
    pub state: Arc<Mutex<AzureState>>,
}

fn error(status: u16, code: &str, message: &str) -> Response {
    reply(status, json!({"error": {"code": code, "message": message}}))
}

fn jwt(claims: Value) -> String {
    let b = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.double-signature", b(&json!({"alg": "RS256", "typ": "JWT"})), b(&claims))
}

pub fn graph_token() -> String {
    jwt(json!({"aud": "https://graph.microsoft.com", "appid": ADMIN_APP, "app_displayname": "tb-admin"}))
}
pub fn arm_token() -> String {
    jwt(json!({"aud": "https://management.azure.com", "appid": ADMIN_APP, "app_displayname": "tb-admin"}))
}

/// The quoted literal of an OData `x eq '…'` filter, quotes undoubled.
fn eq_literal(filter: &str) -> Option<String> {
    let start = filter.find('\'')? + 1;
    let end = filter.rfind('\'')?;
    (end >= start).then(|| filter[start..end].replace("''", "'"))
}

pub async fn azure_double(tenant: &str) -> AzureApi {
    let state = Arc::new(Mutex::new(AzureState { tenant: tenant.into(), ..Default::default() }));
    let st = state.clone();
    let double = serve(move |req| handle(&mut st.lock().unwrap(), req)).await;
    state.lock().unwrap().base_url = double.url.clone();
    AzureApi { double, state }
}

fn handle(s: &mut AzureState, req: Request) -> Response {
    let (path, query) = match req.path.split_once('?') {
        Some((p, q)) => (pct_decode(p), q.to_string()),
        None => (pct_decode(&req.path), String::new()),
    };
    let q: BTreeMap<String, String> =
        query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (pct_decode(k), pct_decode(v))).collect();
    let m = req.method.as_str();
    let authority =
        |what: &str| path == format!("/{}/oauth2/v2.0/{what}", s.tenant) || path == format!("/organizations/oauth2/v2.0/{what}");
    if m == "POST" && authority("devicecode") {
        let f = req.form();
        if f.get("client_id").map(String::as_str) != Some(SIGN_IN_CLIENT) {
            return reply(
                400,
                json!({"error": "unauthorized_client", "error_description": "AADSTS700016: Application not found in the directory."}),
            );
        }
        let scope = f.get("scope").cloned().unwrap_or_default();
        if !scope.split(' ').any(|x| x == "offline_access") {
            return reply(400, json!({"error": "invalid_scope", "error_description": "offline_access missing"}));
        }
        return reply(
            200,
            json!({"device_code": DEVICE_CODE, "user_code": "F7QX-K2LM", "verification_uri": "https://microsoft.com/devicelogin",
                   "expires_in": 900, "interval": 0, "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code F7QX-K2LM to authenticate."}),
        );
    }
    if m == "POST" && authority("token") {
        let f = req.form();
        let scope = f.get("scope").cloned().unwrap_or_default();
        let for_scope = |scope: &str| match scope {
            "https://graph.microsoft.com/.default" => Some(graph_token()),
            "https://management.azure.com/.default" => Some(arm_token()),
            _ => None,
        };
        match f.get("grant_type").map(String::as_str) {
            Some("urn:ietf:params:oauth:grant-type:device_code") => {
                if f.get("client_id").map(String::as_str) != Some(SIGN_IN_CLIENT)
                    || f.get("device_code").map(String::as_str) != Some(DEVICE_CODE)
                {
                    return reply(400, json!({"error": "invalid_grant", "error_description": "AADSTS70000: device code unknown"}));
                }
                s.device_polls += 1;
                if s.device_slow_down > 0 {
                    s.device_slow_down -= 1;
                    return reply(400, json!({"error": "slow_down"}));
                }
                if s.device_pending > 0 {
                    s.device_pending -= 1;
                    return reply(
                        400,
                        json!({"error": "authorization_pending", "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending."}),
                    );
                }
                return match s.device_answer {
                    DeviceAnswer::Decline => {
                        reply(400, json!({"error": "authorization_declined", "error_description": "AADSTS70000: the user declined"}))
                    }
                    DeviceAnswer::Expire => reply(
                        400,
                        json!({"error": "expired_token", "error_description": "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired."}),
                    ),
                    DeviceAnswer::Confirm => reply(
                        200,
                        json!({"token_type": "Bearer", "expires_in": 3599, "access_token": graph_token(), "refresh_token": SIGNED_IN_REFRESH,
                               "id_token": jwt(json!({"preferred_username": SIGNED_IN_USER, "tid": s.tenant}))}),
                    ),
                };
            }
            Some("refresh_token") => {
                if f.get("client_id").map(String::as_str) != Some(SIGN_IN_CLIENT)
                    || f.get("refresh_token").map(String::as_str) != Some(SIGNED_IN_REFRESH)
                {
                    return reply(
                        400,
                        json!({"error": "invalid_grant", "error_description": "AADSTS70008: The refresh token has expired."}),
                    );
                }
                return match for_scope(&scope) {
                    Some(t) => reply(
                        200,
                        json!({"token_type": "Bearer", "expires_in": 3599, "access_token": t, "refresh_token": SIGNED_IN_REFRESH}),
                    ),
                    None => reply(400, json!({"error": "invalid_scope", "error_description": format!("scope {scope}")})),
                };
            }
            _ => {}
        }
        if f.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return reply(400, json!({"error": "unsupported_grant_type"}));
        }
        let (client, secret) = (f.get("client_id").cloned().unwrap_or_default(), f.get("client_secret").cloned().unwrap_or_default());
        let made_here = s.apps.values().any(|a| a["appId"] == client.as_str());
        if made_here && s.secrets.get(&client).is_some_and(|v| v.contains(&secret)) {
            let aud = match scope.as_str() {
                "https://storage.azure.com/.default" => "https://storage.azure.com",
                "https://eventgrid.azure.net/.default" => "https://eventgrid.azure.net",
                other => return reply(400, json!({"error": "invalid_scope", "error_description": format!("scope {other}")})),
            };
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
            let oid = s.sp_of(&client).unwrap_or_default();
            let token = jwt(json!({"aud": aud, "iss": format!("https://sts.windows.net/{}/", s.tenant), "iat": t - 5, "nbf": t - 5,
                                   "exp": t + 3600, "appid": client, "oid": oid, "tid": s.tenant}));
            return reply(200, json!({"token_type": "Bearer", "expires_in": 3599, "access_token": token}));
        }
        if f.get("client_id").map(String::as_str) != Some(ADMIN_APP) || f.get("client_secret").map(String::as_str) != Some(ADMIN_SECRET) {
            return reply(
                401,
                json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.", "error_codes": [7000215]}),
            );
        }
        let token = match f.get("scope").map(String::as_str) {
            Some("https://graph.microsoft.com/.default") => graph_token(),
            Some("https://management.azure.com/.default") => arm_token(),
            other => return reply(400, json!({"error": "invalid_scope", "error_description": format!("scope {other:?}")})),
        };
        return reply(200, json!({"token_type": "Bearer", "expires_in": 3599, "access_token": token}));
    }
    if s.denied.iter().any(|d| match d.split_once(' ') {
        Some((method, prefix)) if method.bytes().all(|b| b.is_ascii_uppercase()) => req.method == method && path.starts_with(prefix),
        _ => path.starts_with(d.as_str()),
    }) {
        return error(403, "AuthorizationFailed", &format!("The client does not have authorization to perform action on {path}."));
    }
    if let Some(rest) = path.strip_prefix("/v1.0/") {
        if req.bearer() != Some(graph_token().as_str()) {
            return error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
        }
        return graph(s, m, rest, &q, &req);
    }
    if path == "/subscriptions" || path.starts_with("/subscriptions/") {
        if req.bearer() != Some(arm_token().as_str()) {
            return error(401, "InvalidAuthenticationToken", "The access token is invalid (audience).");
        }
        if m == "GET" {
            if let Some(r) = arm_list(s, &path, &q) {
                return r;
            }
        }
        if q.get("api-version").map(String::as_str) != Some("2022-04-01") {
            return error(400, "InvalidApiVersionParameter", "api-version");
        }
        return arm(s, m, &path, &q, &req);
    }
    error(404, "NotFound", &path)
}

fn graph(s: &mut AzureState, m: &str, rest: &str, q: &BTreeMap<String, String>, req: &Request) -> Response {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    match (m, rest) {
        ("GET", "applications") => {
            let name = q.get("$filter").and_then(|f| eq_literal(f)).unwrap_or_default();
            let v: Vec<Value> = s.apps.values().filter(|a| a["displayName"] == name.as_str()).cloned().collect();
            reply(200, json!({"value": v}))
        }
        ("POST", "applications") => {
            let (id, app_id) = (s.id(), s.id());
            let app = json!({"id": id, "appId": app_id, "displayName": body["displayName"], "notes": body["notes"], "signInAudience": body["signInAudience"]});
            s.apps.insert(id, app.clone());
            reply(201, app)
        }
        ("DELETE", r) if r.starts_with("applications/") => {
            let id = &r["applications/".len()..];
            match s.apps.remove(id) {
                Some(app) => {
                    s.sps.retain(|_, sp| sp["appId"] != app["appId"]);
                    s.secrets.remove(app["appId"].as_str().unwrap_or_default());
                    Response { status: 204, headers: vec![], body: String::new() }
                }
                None => error(404, "Request_ResourceNotFound", &format!("Resource '{id}' does not exist")),
            }
        }
        ("POST", r) if r.starts_with("applications/") && r.ends_with("/addPassword") => {
            let id = &r["applications/".len()..r.len() - "/addPassword".len()];
            if !s.apps.contains_key(id) {
                return error(404, "Request_ResourceNotFound", &format!("Resource '{id}' does not exist"));
            }
            let key_id = s.id();
            s.passwords += 1;
            let secret = format!("Tb8Q~double{}{}", s.passwords, key_id.replace('-', ""));
            s.last_secret = secret.clone();
            let app_id = s.apps[id]["appId"].as_str().unwrap_or_default().to_string();
            s.secrets.entry(app_id).or_default().push(secret.clone());
            reply(
                200,
                json!({"customKeyIdentifier": null, "displayName": body["passwordCredential"]["displayName"], "endDateTime": body["passwordCredential"]["endDateTime"],
                              "hint": &secret[..3], "keyId": key_id, "secretText": secret, "startDateTime": "2026-12-04T00:00:00Z"}),
            )
        }
        ("GET", "servicePrincipals") => {
            let app_id = q.get("$filter").and_then(|f| eq_literal(f)).unwrap_or_default();
            let v: Vec<Value> = s.sps.values().filter(|sp| sp["appId"] == app_id.as_str()).cloned().collect();
            reply(200, json!({"value": v}))
        }
        ("POST", "servicePrincipals") => {
            let app_id = body["appId"].as_str().unwrap_or_default().to_string();
            let known = app_id == VENDOR_APP || s.apps.values().any(|a| a["appId"] == app_id.as_str());
            let invalid = || {
                error(
                    400,
                    "Request_BadRequest",
                    &format!("The appId '{app_id}' of the service principal does not reference a valid application object."),
                )
            };
            if !known {
                return invalid();
            }
            if s.app_unreplicated > 0 && app_id != VENDOR_APP {
                s.app_unreplicated -= 1;
                return invalid();
            }
            if s.sp_of(&app_id).is_some() {
                return error(
                    409,
                    "Request_MultipleObjectsWithSameKeyValue",
                    "Another object with the same value for property servicePrincipalNames already exists.",
                );
            }
            let id = s.id();
            let sp = json!({"id": id, "appId": app_id});
            s.sps.insert(id, sp.clone());
            reply(201, sp)
        }
        _ => error(400, "BadRequest", &format!("{m} /v1.0/{rest}")),
    }
}

/// Items per page of every Resource Manager list this double answers.
pub const LIST_PAGE: usize = 2;

/// A Resource Manager list, when `path` is one: its items from the registered scopes, paged.
fn arm_list(s: &mut AzureState, path: &str, q: &BTreeMap<String, String>) -> Option<Response> {
    let p: Vec<String> = path.trim_start_matches('/').split('/').map(str::to_lowercase).collect();
    let p: Vec<&str> = p.iter().map(String::as_str).collect();
    // Each registered scope, split: subscriptions/{s}/resourcegroups/{g}/providers/{ns}/{type}/{name}/…
    let scopes: Vec<Vec<String>> = s.scopes.iter().map(|x| x.trim_start_matches('/').split('/').map(str::to_string).collect()).collect();
    // What the registered scopes hold directly under `path`: a list's path is the prefix its items'
    // scopes share, and each item's name is the part that follows it.
    let mut names: Vec<String> =
        scopes.iter().filter(|x| x.len() > p.len() && x.iter().zip(&p).all(|(a, b)| a == b)).map(|x| x[p.len()].clone()).collect();
    names.sort();
    names.dedup();
    let item = |kind: Value| -> Vec<Value> {
        names
            .iter()
            .map(|n| {
                let mut v = kind.clone();
                v["name"] = json!(n);
                v
            })
            .collect()
    };
    let (items, version): (Vec<Value>, &str) = match p.as_slice() {
        ["subscriptions"] => {
            let mut subs: Vec<(String, String)> = names.iter().map(|x| (x.clone(), "Enabled".to_string())).collect();
            subs.extend(s.other_subscriptions.iter().cloned());
            let tenant = s.tenant.clone();
            (
                subs.into_iter()
                    .map(|(id, state)| json!({"id": format!("/subscriptions/{id}"), "subscriptionId": id, "tenantId": tenant, "displayName": format!("Subscription {id}"), "state": state}))
                    .collect(),
                "2022-12-01",
            )
        }
        ["subscriptions", _, "resourcegroups"] => (item(json!({"location": "westeurope"})), "2021-04-01"),
        ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.storage", "storageaccounts"] => {
            (item(json!({"kind": "StorageV2"})), "2023-05-01")
        }
        ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.storage", "storageaccounts", _, "blobservices", "default", "containers"] => {
            (item(json!({"type": "Microsoft.Storage/storageAccounts/blobServices/containers"})), "2023-05-01")
        }
        ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.eventgrid", "topics"] => {
            (item(json!({"type": "Microsoft.EventGrid/topics"})), "2022-06-15")
        }
        _ => return None,
    };
    if q.get("api-version").map(String::as_str) != Some(version) {
        return Some(error(400, "InvalidApiVersionParameter", &format!("The api-version '{:?}' is invalid.", q.get("api-version"))));
    }
    s.list_calls += 1;
    let from: usize = q.get("$skiptoken").and_then(|t| t.parse().ok()).unwrap_or(0).min(items.len());
    let to = (from + LIST_PAGE).min(items.len());
    let mut out = json!({"value": items[from..to].to_vec()});
    if to < items.len() {
        out["nextLink"] = json!(format!("{}{path}?api-version={version}&%24skiptoken={to}", s.base_url));
    }
    Some(reply(200, out))
}

const RA: &str = "/providers/Microsoft.Authorization/roleAssignments";
const ROLE_ASSIGNMENTS_VERSION: &str = "2022-04-01";

fn arm(s: &mut AzureState, m: &str, path: &str, q: &BTreeMap<String, String>, req: &Request) -> Response {
    let Some((scope, name)) = path.split_once(RA) else { return error(404, "NotFound", path) };
    let name = name.trim_start_matches('/');
    let lower = scope.to_lowercase();
    // A subscription or resource group exists when a registered scope is in it.
    let exists = s.scopes.iter().any(|x| *x == lower || x.starts_with(&format!("{lower}/")));
    if !exists {
        return error(404, "ResourceNotFound", &format!("The Resource '{scope}' was not found."));
    }
    match (m, name) {
        ("GET", "") if s.list_denied.contains(&lower) => error(
            403,
            "AuthorizationFailed",
            &format!("The client does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '{scope}'."),
        ),
        ("GET", "") => {
            // With `principalId eq`, the reference: "all role assignments at, above or below the
            // scope for the specified principal"; without a filter, those at the scope (all this
            // engine asks for). Pages of LIST_PAGE items, an absolute `nextLink` while more are left.
            let principal = q.get("$filter").and_then(|f| eq_literal(f));
            let related = |x: &str| {
                let x = x.to_lowercase();
                x == lower || (principal.is_some() && (lower.starts_with(&format!("{x}/")) || x.starts_with(&format!("{lower}/"))))
            };
            let v: Vec<Value> = s
                .assignments
                .values()
                .filter(|a| a["properties"]["scope"].as_str().is_some_and(related))
                .filter(|a| principal.as_deref().is_none_or(|p| a["properties"]["principalId"] == p))
                .cloned()
                .collect();
            s.list_calls += 1;
            let from: usize = q.get("$skiptoken").and_then(|t| t.parse().ok()).unwrap_or(0).min(v.len());
            let to = (from + LIST_PAGE).min(v.len());
            let mut out = json!({"value": v[from..to].to_vec()});
            if to < v.len() {
                let filter = q
                    .get("$filter")
                    .map(|f| format!("&%24filter={}", f.replace('%', "%25").replace(' ', "%20").replace('\'', "%27").replace('&', "%26")))
                    .unwrap_or_default();
                out["nextLink"] = json!(format!("{}{path}?api-version={ROLE_ASSIGNMENTS_VERSION}{filter}&%24skiptoken={to}", s.base_url));
            }
            reply(200, out)
        }
        ("PUT", n) => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let p = &body["properties"];
            let principal = p["principalId"].as_str().unwrap_or_default();
            if !s.sps.contains_key(principal) || s.principal_unreplicated > 0 {
                s.principal_unreplicated = s.principal_unreplicated.saturating_sub(1);
                return error(400, "PrincipalNotFound", &format!("Principal {principal} does not exist in the directory {}.", s.tenant));
            }
            let id = format!("{scope}{RA}/{n}");
            let role = p["roleDefinitionId"].as_str().unwrap_or_default().to_lowercase();
            let same = s.assignments.iter().find(|(k, a)| {
                let ap = &a["properties"];
                **k != id
                    && ap["principalId"] == principal
                    && ap["roleDefinitionId"].as_str().is_some_and(|r| r.to_lowercase() == role)
                    && ap["scope"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(scope))
            });
            if same.is_some() {
                return error(409, "RoleAssignmentExists", "The role assignment already exists.");
            }
            let mut a = json!({"id": id, "name": n, "type": "Microsoft.Authorization/roleAssignments", "properties": {
                "roleDefinitionId": p["roleDefinitionId"], "principalId": principal, "principalType": p["principalType"], "scope": scope}});
            if let Some(d) = p["description"].as_str() {
                a["properties"]["description"] = json!(d);
            }
            let created = !s.assignments.contains_key(&id);
            s.assignments.insert(id, a.clone());
            reply(if created { 201 } else { 200 }, a)
        }
        ("DELETE", n) => match s.assignments.remove(&format!("{scope}{RA}/{n}")) {
            Some(a) => reply(200, a),
            None => Response { status: 204, headers: vec![], body: String::new() },
        },
        _ => error(405, "MethodNotAllowed", m),
    }
}

/// EventGrid Data Sender's built-in role id.
pub const EVENTGRID_DATA_SENDER: &str = "d5a91429-5739-47e2-a06b-3470a27159e7";

/// DOUBLE of one Event Grid topic (`POST /api/events`, the EventGridEvent schema) whose access
/// follows `state`: the caller's token must be one [`azure_double`] issued for Event Grid to an app
/// registration that still exists (401 otherwise), and its service principal must hold EventGrid
/// Data Sender on `scope` or above (403 otherwise, with Event Grid's message).
pub async fn eventgrid_topic(state: Arc<Mutex<AzureState>>, scope: String) -> Double {
    serve(move |req| {
        if req.path.split('?').next() != Some("/api/events") {
            return error(404, "NotFound", "not found");
        }
        let claims: Value = req
            .bearer()
            .and_then(|t| t.split('.').nth(1))
            .and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let s = state.lock().unwrap();
        let app = claims["appid"].as_str().unwrap_or_default();
        if claims["aud"] != "https://eventgrid.azure.net" || !s.apps.values().any(|a| a["appId"] == app) {
            return error(401, "Unauthorized", "The access token is invalid or its audience is not Event Grid.");
        }
        if !s.holds(claims["oid"].as_str().unwrap_or_default(), EVENTGRID_DATA_SENDER, &scope) {
            return error(
                403,
                "Unauthorized",
                "The principal does not have the required permission 'Microsoft.EventGrid/topics/events/send/action'.",
            );
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        if body[0]["eventType"].as_str().is_none() || body[0]["id"].as_str().is_none() {
            return error(400, "BadRequest", "the event needs an id and an eventType");
        }
        Response { status: 200, headers: vec![], body: String::new() }
    })
    .await
}
