//! Apply and revoke on Azure through Microsoft Graph and Azure Resource Manager, with the
//! customer's own sign-in ([`AzureAdmin`]): the same model the exported `azure/setup.sh` runs
//! ([`model`]), and the same guarantees as the AWS and GCP engines.
//!
//! - The app registration is found by its exact name (`displayName eq '…'`, OData-quoted), created
//!   with Trustbridge's mark in its `notes`, and never used when the mark is not this integration's
//!   (or when two apps have the name). Its service principal is created when missing; Graph's
//!   replication delay ("does not reference a valid application object") is waited for, bounded.
//! - Keyless plans use the vendor's multi-tenant app: its service principal in this tenant (the
//!   enterprise app) is created when missing; no app registration and no secret.
//! - Role assignments get deterministic names (a UUID v5 of scope, role and principal), so a re-run
//!   is a no-op; `principalType: ServicePrincipal`; `PrincipalNotFound` (a new principal not yet
//!   replicated to Resource Manager) is retried, bounded; 409 `RoleAssignmentExists` (the same
//!   assignment under another name, e.g. made by the exported script) counts as done. What exists
//!   is read first (only assignments at exactly the plan's scope count), so the dry run is exact.
//! - Every assignment carries the integration's mark in its description. One this integration
//!   made (its deterministic name and the mark, no condition) that the plan no longer lists — a
//!   container or topic dropped from the plan, a role the profile no longer gives — is removed by
//!   the next apply, after the plan's own are made ([`dropped_assignments`]): the principal's
//!   assignments are listed at the subscription (at the resource group where that is refused). The
//!   delete goes to the path built from the assignment's checked scope and name, never to an id as
//!   listed. Another integration's on the vendor's shared app, someone's, or one with a condition
//!   is named and kept. An assignment of a planned role that has a condition is never replaced
//!   (a PUT of our name would drop the condition): apply stops there and says so.
//! - Assignments on different scopes are made concurrently. A failure reports what was done and
//!   what was not.
//! - Revoke deletes the plan's assignments of our principal and those apply would remove as no
//!   longer listed, then our app registration (its service principal goes with it); a keyless
//!   plan's enterprise app is kept (the tenant's admin consented to it), and said so. The vendor's
//!   app is shared, so on a keyless plan only the assignments apply made (by their deterministic
//!   names) are removed; others are named and kept. An assignment with an ABAC condition is never
//!   taken for the plan's.
//!
//! API references followed (and by the test double in `tests/doubles/azure_arm.rs`): Microsoft
//! Graph v1.0 `GET/POST /applications`, `DELETE /applications/{id}`, `GET/POST /servicePrincipals`;
//! Resource Manager `Microsoft.Authorization/roleAssignments` (list at scope with
//! `$filter=principalId eq '…'`, create by PUT, delete), api-version 2022-04-01.

use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};
use trustbridge_core::model::azure::{app_mark, model, AzureModel, RoleAssignment, ASSIGNMENT_NAMESPACE};
use trustbridge_core::render::azure::app_filter;
use trustbridge_core::validate::{one_line, Resolved, ResolvedAzure};
use trustbridge_secrets::Sensitive;

use super::credential::{acting_as, AzureAdmin, GRAPH_RESOURCE, MANAGEMENT_RESOURCE};
use super::list::next_page;
use super::AzureSettings;
use crate::changes::{at_most, in_turn, settle, Removal, Turns, CALLS_AT_ONCE};
use crate::error::{ApiFailure, CloudError};
use crate::http::{self, enc, snippet, Answer, JsonApi};
use crate::listing::MAX_PAGES;
use crate::probe::Cloud;
use crate::retry::RetryPolicy;

/// Resource Manager's role-assignment API version.
pub const ROLE_ASSIGNMENTS_API: &str = "2022-04-01";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AzureChangeKind {
    CreateApp,
    CreateServicePrincipal,
    AssignRole,
    RemoveRoleAssignment,
    DeleteApp,
}

/// One change apply (or revoke) makes.
#[derive(Debug, Clone, Serialize)]
pub struct AzureChange {
    pub kind: AzureChangeKind,
    /// The app's name, the principal, or the assignment's scope.
    pub target: String,
    pub detail: Vec<String>,
    /// The assignment to make or remove.
    #[serde(skip)]
    assignment: Option<RoleAssignment>,
    /// What to delete: the assignment's resource id (built from its checked scope and name), or
    /// the app registration's object id.
    #[serde(skip)]
    object: Option<String>,
    /// An assignment to make where one of the same role with an ABAC condition exists: apply stops
    /// there rather than replace it (a PUT of our name would drop its condition and widen it).
    #[serde(skip)]
    conditioned: bool,
}

impl fmt::Display for AzureChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.kind {
            AzureChangeKind::CreateApp => "create app registration",
            AzureChangeKind::CreateServicePrincipal => "create service principal of app",
            AzureChangeKind::AssignRole => "assign on",
            AzureChangeKind::RemoveRoleAssignment => "remove assignment on",
            AzureChangeKind::DeleteApp => "delete app registration",
        };
        write!(f, "{verb} {}", trustbridge_core::validate::one_line(&self.target))?;
        for d in &self.detail {
            write!(f, "\n    {}", trustbridge_core::validate::one_line(d))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AzureApplyReport {
    /// Who the changes were made as (from the token's claims).
    pub acting_as: String,
    /// The app (client) id the vendor signs in as, when known (after apply, or when it existed).
    pub app_id: Option<String>,
    pub dry_run: bool,
    pub changes: Vec<AzureChange>,
    pub notes: Vec<String>,
    /// HTTP calls to Graph and Resource Manager this run made (token requests included).
    pub http_calls: u32,
}

/// Apply or revoke stopped part way: what was done, what was not, and why.
pub type AzureApplyFailure = crate::changes::Stopped<AzureChange>;

/// Waiting for a new app or principal to replicate (Graph → Graph, Graph → Resource Manager).
const REPLICATION: RetryPolicy = RetryPolicy {
    max_attempts: 12,
    initial_backoff: Duration::from_millis(500),
    max_backoff: Duration::from_secs(8),
    max_total: Duration::from_secs(90),
};

fn err(kind: ApiFailure, action: &str, message: String) -> CloudError {
    CloudError::Api { cloud: Cloud::Azure, kind, action: action.into(), message }
}

struct Api<'a> {
    api: JsonApi,
    graph_token: Sensitive<String>,
    arm_token: Sensitive<String>,
    s: &'a AzureSettings,
}

#[derive(Clone, Copy)]
enum Service {
    Graph,
    Arm,
}

impl Api<'_> {
    async fn call(
        &self,
        svc: Service,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
        action: &str,
    ) -> Result<Answer, CloudError> {
        let token = match svc {
            Service::Graph => &self.graph_token,
            Service::Arm => &self.arm_token,
        };
        self.api.call(token, method, url, body, action).await
    }

    async fn ok(&self, svc: Service, method: reqwest::Method, url: &str, body: Option<&Value>, action: &str) -> Result<Value, CloudError> {
        let a = self.call(svc, method, url, body, action).await?;
        if a.ok() {
            Ok(a.body)
        } else {
            Err(refusal(action, &a))
        }
    }

    fn graph(&self, path: &str) -> String {
        format!("{}/v1.0/{path}", self.s.graph_endpoint.trim_end_matches('/'))
    }

    fn arm(&self, path: &str) -> String {
        format!("{}{path}", self.s.management_endpoint.trim_end_matches('/'))
    }

    fn wait(&self, what: String) {
        self.api.wait(what);
    }
}

/// Graph's `{error: {code, message}}` and Resource Manager's `{error: {code, message}}` as ours.
pub(super) fn refusal(action: &str, a: &Answer) -> CloudError {
    let code = a.body["error"]["code"].as_str().unwrap_or_default();
    let message = match a.body["error"]["message"].as_str() {
        Some(m) => format!("{} {code}: {m}", a.status),
        None => format!("{}: {}", a.status, snippet(&a.body.to_string())),
    };
    let kind = match a.status {
        401 => ApiFailure::SignIn,
        403 => ApiFailure::PermissionDenied,
        404 => ApiFailure::NotFound,
        429 | 500..=599 => ApiFailure::Unreachable,
        _ => ApiFailure::Api,
    };
    err(kind, action, message)
}

/// A deterministic role-assignment name: the UUID v5 (RFC 9562) of `scope|role definition|principal`
/// (lower case) in Trustbridge's namespace ([`ASSIGNMENT_NAMESPACE`], which the exported scripts
/// use too), so the same assignment always has the same name.
pub fn assignment_name(scope: &str, role_definition_id: &str, principal_id: &str) -> String {
    let name = format!("{scope}|{role_definition_id}|{principal_id}").to_lowercase();
    let mut input = ASSIGNMENT_NAMESPACE.to_vec();
    input.extend_from_slice(name.as_bytes());
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &input);
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// The app registration of the plan's name: `None` when there is none; refused when there are
/// several, or when it is not marked as this integration's.
async fn find_app(api: &Api<'_>, z: &ResolvedAzure, mark: &str) -> Result<Option<Value>, CloudError> {
    let action = format!("find app registration '{}'", z.service_principal_name);
    let url =
        format!("{}?$filter={}&$select=id,appId,displayName,notes", api.graph("applications"), enc(&app_filter(&z.service_principal_name)));
    let v = api.ok(Service::Graph, reqwest::Method::GET, &url, None, &action).await?;
    let apps: Vec<Value> = v["value"].as_array().cloned().unwrap_or_default();
    match apps.as_slice() {
        [] => Ok(None),
        [one] if one["notes"] == mark => Ok(Some(one.clone())),
        [one] => Err(err(
            ApiFailure::NotOurs,
            &action,
            format!(
                "app {} is not marked '{mark}' (its notes: '{}'); Trustbridge did not create it for this integration, so it will not change, add a secret to, or delete it; nothing was changed",
                one["appId"].as_str().unwrap_or_default(),
                one["notes"].as_str().unwrap_or_default()
            ),
        )),
        many => Err(err(ApiFailure::NotOurs, &action, format!("{} app registrations have this name; Trustbridge will not guess which one is the vendor's; nothing was changed", many.len()))),
    }
}

/// The service principal (object id) of `app_id` in this tenant, if any.
async fn find_sp(api: &Api<'_>, app_id: &str) -> Result<Option<String>, CloudError> {
    let url = format!("{}?$filter={}&$select=id,appId", api.graph("servicePrincipals"), enc(&format!("appId eq '{app_id}'")));
    let v = api.ok(Service::Graph, reqwest::Method::GET, &url, None, &format!("find the service principal of app {app_id}")).await?;
    Ok(v["value"].as_array().and_then(|a| a.first()).and_then(|sp| sp["id"].as_str()).map(str::to_string))
}

/// The assignment `principal` has at exactly its scope: one without a condition if there is one,
/// else one with an ABAC condition (which grants less, and is someone's deliberate choice: never
/// taken for the plan's grant, never replaced).
async fn find_assignment(api: &Api<'_>, ra: &RoleAssignment, principal: &str) -> Result<Option<Held>, CloudError> {
    let (list, _) = match list_assignments(api, &ra.scope, principal).await {
        Err(CloudError::Api { kind: ApiFailure::NotFound, action, message, .. }) => {
            return Err(err(
                ApiFailure::NotFound,
                &action,
                format!("{message}: create the storage account, container or topic first, or correct the plan"),
            ))
        }
        other => other?,
    };
    let want_role = ra.role_definition_id.to_lowercase();
    let mut at: Vec<Held> =
        list.into_iter().filter(|h| h.scope.eq_ignore_ascii_case(&ra.scope) && h.role_definition_id.to_lowercase() == want_role).collect();
    at.sort_by_key(|h| h.conditioned);
    Ok(at.into_iter().next())
}

/// The refusal of an assignment whose role is already held at its scope with an ABAC condition.
fn conditioned_refusal(action: &str) -> CloudError {
    err(
        ApiFailure::Api,
        action,
        "an assignment of this role with a condition already exists for the principal at this scope; Trustbridge does not change it: remove its condition (or the assignment) in the portal, then apply again".into(),
    )
}

/// The resource id of the assignment `name` at `scope`.
pub fn assignment_id(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
}

/// Creates one assignment; while the new service principal has not reached Resource Manager, waits
/// ([`REPLICATION`], counted from the run's first such answer: one budget for every assignment of a
/// run). Gives up before or after a wait once another change of the run has failed
/// ([`Turns::stopped`]).
async fn assign(api: &Api<'_>, ra: &RoleAssignment, principal: &str, mark: &str, turns: &Turns) -> Result<(), CloudError> {
    let action = format!("assign {} on {}", ra.role, ra.scope);
    let name = assignment_name(&ra.scope, &ra.role_definition_id, principal);
    let url = format!("{}?api-version={ROLE_ASSIGNMENTS_API}", api.arm(&assignment_id(&ra.scope, &name)));
    // The description carries the integration's mark: what a later apply may remove as no longer
    // listed is what this integration made (the name alone says only "Trustbridge, for this
    // principal", and the vendor's app is shared by every integration with that vendor).
    let body = json!({"properties": {"roleDefinitionId": ra.role_definition_id, "principalId": principal,
        "principalType": ra.principal_type, "description": mark}});
    let mut n = 0;
    loop {
        let a = api.call(Service::Arm, reqwest::Method::PUT, &url, Some(&body), &action).await?;
        let code = a.body["error"]["code"].as_str().unwrap_or_default();
        match a.status {
            200..=299 => return Ok(()),
            // The same assignment under another name (the exported script's, say) counts; one with
            // a condition is not the plan's grant and is not Trustbridge's to change.
            409 if code == "RoleAssignmentExists" => {
                return match find_assignment(api, ra, principal).await? {
                    Some(h) if !h.conditioned => Ok(()),
                    _ => Err(conditioned_refusal(&action)),
                };
            }
            400 if code == "PrincipalNotFound" => {
                n += 1;
                let delay = REPLICATION.backoff(n);
                let start = turns.waits_from();
                if n >= REPLICATION.max_attempts || start.elapsed() + delay > REPLICATION.max_total || turns.stopped() {
                    return Err(refusal(&action, &a));
                }
                api.wait(format!(
                    "waiting {} ms for the new service principal to reach Resource Manager ({})",
                    delay.as_millis(),
                    ra.scope
                ));
                turns.pause(delay).await;
                // Another change failed during the wait: not tried again.
                if turns.stopped() {
                    return Err(refusal(&action, &a));
                }
            }
            _ => return Err(refusal(&action, &a)),
        }
    }
}

async fn create_sp(api: &Api<'_>, app_id: &str) -> Result<String, CloudError> {
    let action = format!("create the service principal of app {app_id}");
    let start = Instant::now();
    let mut n = 0;
    loop {
        let a = api
            .call(Service::Graph, reqwest::Method::POST, &api.graph("servicePrincipals"), Some(&json!({"appId": app_id})), &action)
            .await?;
        if (200..300).contains(&a.status) {
            return a.body["id"].as_str().map(str::to_string).ok_or_else(|| err(ApiFailure::Api, &action, "the answer has no id".into()));
        }
        let message = a.body["error"]["message"].as_str().unwrap_or_default();
        let unreplicated = (a.status == 400 || a.status == 404) && message.contains("does not reference a valid application object");
        n += 1;
        let delay = REPLICATION.backoff(n);
        if !unreplicated || n >= REPLICATION.max_attempts || start.elapsed() + delay > REPLICATION.max_total {
            return Err(refusal(&action, &a));
        }
        api.wait(format!("waiting {} ms for the new app registration to replicate in Microsoft Graph", delay.as_millis()));
        tokio::time::sleep(delay).await;
    }
}

async fn connect<'a>(cred: &AzureAdmin, settings: &'a AzureSettings) -> Result<(Api<'a>, String), CloudError> {
    settings.check().map_err(|why| err(ApiFailure::Api, "check the Azure endpoints", why))?;
    http::check_env_endpoint("TRUSTBRIDGE_AZURE_GRAPH_ENDPOINT (the Microsoft Graph endpoint)", &settings.graph_endpoint)
        .map_err(|why| err(ApiFailure::Api, "check the Azure endpoints", why))?;
    let http = http::client(settings.timeout, &settings.extra_roots_pem).map_err(|m| err(ApiFailure::Unreachable, "set up HTTPS", m))?;
    let (graph_token, arm_token) =
        futures_util::future::join(cred.token(&http, settings, GRAPH_RESOURCE), cred.token(&http, settings, MANAGEMENT_RESOURCE)).await;
    let (graph_token, arm_token) = (graph_token?, arm_token?);
    let who = acting_as(cred, &arm_token);
    let calls = match cred {
        AzureAdmin::ClientSecret(_) | AzureAdmin::SignedIn { .. } => 2,
        AzureAdmin::AzCli { .. } => 0,
    };
    Ok((Api { api: JsonApi::new(http, Cloud::Azure, calls), graph_token, arm_token, s: settings }, who))
}

fn section(r: &Resolved) -> Result<&ResolvedAzure, CloudError> {
    r.azure.as_ref().ok_or(CloudError::NoSection { cloud: "azure" })
}

fn report(
    api: &Api<'_>,
    acting_as: String,
    app_id: Option<String>,
    dry_run: bool,
    changes: Vec<AzureChange>,
    mut notes: Vec<String>,
) -> AzureApplyReport {
    notes.extend(api.api.waits());
    AzureApplyReport { acting_as, app_id, dry_run, changes, notes, http_calls: api.api.calls() }
}

fn change(kind: AzureChangeKind, target: String, detail: Vec<String>) -> AzureChange {
    AzureChange { kind, target, detail, assignment: None, object: None, conditioned: false }
}

/// Runs the assignment changes of one kind, [`CALLS_AT_ONCE`] at a time; the first error ends
/// the run (no other is started), reporting what was done.
async fn run_assignments(
    api: &Api<'_>,
    principal: &str,
    mark: &str,
    mut done: Vec<AzureChange>,
    batch: Vec<AzureChange>,
) -> Result<Vec<AzureChange>, AzureApplyFailure> {
    let turns = Turns::default();
    let turns = &turns;
    let units: Vec<Vec<AzureChange>> = batch.into_iter().map(|c| vec![c]).collect();
    let results = in_turn(&units, CALLS_AT_ONCE, turns, |unit| async move {
        let Some(c) = unit.first() else { return Ok(()) };
        match (&c.assignment, &c.object, c.kind) {
            (Some(ra), _, AzureChangeKind::AssignRole) if c.conditioned => {
                Err(conditioned_refusal(&format!("assign {} on {}", ra.role, ra.scope)))
            }
            (Some(ra), _, AzureChangeKind::AssignRole) => assign(api, ra, principal, mark, turns).await,
            (Some(ra), Some(id), _) => {
                let action = format!("remove {} on {}", ra.role, ra.scope);
                let url = format!("{}?api-version={ROLE_ASSIGNMENTS_API}", api.arm(id));
                let a = api.call(Service::Arm, reqwest::Method::DELETE, &url, None, &action).await?;
                if (200..300).contains(&a.status) || a.status == 404 {
                    Ok(())
                } else {
                    Err(refusal(&action, &a))
                }
            }
            _ => Ok(()),
        }
    })
    .await;
    match settle(units, results, turns, &mut done) {
        Some((error, not_done)) => Err(AzureApplyFailure::new(error, done, not_done)),
        None => Ok(done),
    }
}

/// One role assignment a principal holds, as Resource Manager lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Its resource id (what a removal deletes).
    pub id: String,
    pub name: String,
    pub scope: String,
    pub role_definition_id: String,
    /// It has an ABAC condition.
    pub conditioned: bool,
    /// Its description (Trustbridge writes the integration's mark there, [`app_mark`]).
    pub description: String,
}

/// The role assignments `principal` holds at, above or below `scope` (`Role Assignments - List
/// For Scope` with `principalId eq`), every page, following `nextLink` only at the Resource Manager
/// endpoint; `true` when there were more pages than [`MAX_PAGES`] and the rest was not read.
async fn list_assignments(api: &Api<'_>, scope: &str, principal: &str) -> Result<(Vec<Held>, bool), CloudError> {
    let action = format!("read role assignments on {scope}");
    let root = api.s.management_endpoint.trim_end_matches('/');
    let mut url = format!(
        "{}?api-version={ROLE_ASSIGNMENTS_API}&$filter={}",
        api.arm(&format!("{scope}/providers/Microsoft.Authorization/roleAssignments")),
        enc(&format!("principalId eq '{principal}'"))
    );
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let v = api.ok(Service::Arm, reqwest::Method::GET, &url, None, &action).await?;
        for x in v["value"].as_array().into_iter().flatten() {
            let p = &x["properties"];
            let text = |v: &Value| v.as_str().map(str::to_string);
            // Another principal's (a list that ignored the filter) is never taken for this one's.
            if p["principalId"] != principal {
                continue;
            }
            if let (Some(id), Some(scope), Some(role_definition_id)) = (text(&x["id"]), text(&p["scope"]), text(&p["roleDefinitionId"])) {
                let name = id.rsplit('/').next().unwrap_or_default().to_string();
                let conditioned = p.get("condition").is_some_and(|c| !(c.is_null() || c == ""));
                let description = p["description"].as_str().unwrap_or_default().to_string();
                out.push(Held { id, name, scope, role_definition_id, conditioned, description });
            }
        }
        match next_page(root, &v, &action)? {
            Some(next) => url = next,
            None => return Ok((out, false)),
        }
    }
    Ok((out, true))
}

/// The path of an assignment, built from its scope and name once both are checked: the scope is in
/// `subscription` and made of the characters Resource Manager ids are (no `..`, `//`, `?`, `#`,
/// `@`, so the URL built on it stays at the endpoint and names that resource), the name is a GUID,
/// and the listed id is exactly `scope/providers/…/roleAssignments/name`. `None`: something else.
pub fn assignment_path(subscription: &str, h: &Held) -> Option<String> {
    let scope_ok = h.scope.to_lowercase().starts_with(&format!("/subscriptions/{}/", subscription.to_lowercase()))
        && h.scope.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.()".contains(c))
        && !h.scope.contains("//")
        && !h.scope.contains("..")
        && !h.scope.split('/').any(|seg| seg == ".")
        && !h.scope.ends_with('/');
    let guid = h.name.len() == 36
        && h.name.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() });
    let path = assignment_id(&h.scope, &h.name);
    (scope_ok && guid && h.id.eq_ignore_ascii_case(&path)).then_some(path)
}

/// Of the assignments `principal` holds, the ones this integration made that the plan no longer
/// lists (to remove, with the path to delete, in scope and role order), and what is said about the
/// others left outside the plan.
///
/// This integration's own are those with Trustbridge's deterministic name ([`assignment_name`] of
/// their scope, role and principal) and the integration's mark in their description ([`app_mark`],
/// written by apply and the exported scripts), without a condition, whose id is the one their scope
/// and name make ([`assignment_path`]). The vendor's multi-tenant app (keyless) is shared by every
/// integration with that vendor in the tenant, and the mark tells them apart. Kept and named: on
/// our own app registration, every other assignment outside the plan (someone added it, or it has a
/// condition); on the vendor's app, those with Trustbridge's name but not this integration's mark
/// (another integration's, or one made before Trustbridge marked its assignments). The vendor
/// app's other grants are not this plan's business.
pub fn dropped_assignments(
    z: &ResolvedAzure,
    m: &AzureModel,
    mark: &str,
    principal: &str,
    held: &[Held],
) -> (Vec<(Held, String)>, Vec<String>) {
    let planned: BTreeSet<(String, String)> =
        m.role_assignments.iter().map(|ra| (ra.scope.to_lowercase(), ra.role_definition_id.to_lowercase())).collect();
    let mut remove = Vec::new();
    let mut notes = Vec::new();
    for h in held {
        if planned.contains(&(h.scope.to_lowercase(), h.role_definition_id.to_lowercase())) {
            continue;
        }
        let role = role_label(z, &h.role_definition_id);
        let scope = one_line(&h.scope);
        let named = h.name.eq_ignore_ascii_case(&assignment_name(&h.scope, &h.role_definition_id, principal));
        let path = assignment_path(&z.subscription_id, h);
        // Our own app registration is this integration's alone: one of its assignments with
        // Trustbridge's name and no mark was made before Trustbridge marked them.
        let marked = h.description == mark || (!z.is_keyless() && h.description.is_empty());
        match (named && marked && !h.conditioned, path) {
            (true, Some(path)) => remove.push((h.clone(), path)),
            (true, None) => notes.push(format!("{role} on {scope} kept: its id is not the one its scope and name make ({})", one_line(&h.id))),
            (false, _) if h.conditioned && (named || !z.is_keyless()) => notes.push(format!(
                "{role} on {scope} kept: the plan does not list it, and it has a condition someone set; remove it in the portal if the vendor should not have it"
            )),
            (false, _) if named => notes.push(format!(
                "{role} on {scope} kept: Trustbridge made it, but not for this integration as it is marked now (another integration with this vendor, an earlier version of Trustbridge, or a description someone changed); remove it in the portal if nothing needs it"
            )),
            (false, _) if !z.is_keyless() => notes.push(format!(
                "{role} on {scope} kept: the plan does not list it, and Trustbridge did not make it (its name is {}); remove it in the portal if the vendor should not have it",
                one_line(&h.name)
            )),
            (false, _) => {}
        }
    }
    remove.sort_by_key(|(h, _)| (h.scope.to_lowercase(), h.role_definition_id.to_lowercase()));
    (remove, notes)
}

/// A role definition's name from the profile's roles, else its id.
fn role_label(z: &ResolvedAzure, role_definition_id: &str) -> String {
    let guid = role_definition_id.rsplit('/').next().unwrap_or_default();
    z.profile
        .container_roles
        .iter()
        .chain(&z.profile.topic_roles)
        .find(|r| r.id.eq_ignore_ascii_case(guid))
        .map_or_else(|| one_line(role_definition_id), |r| r.name.clone())
}

/// The removal of an assignment the plan no longer lists.
fn drop_change(z: &ResolvedAzure, h: &Held, path: String) -> AzureChange {
    let role = role_label(z, &h.role_definition_id);
    AzureChange {
        kind: AzureChangeKind::RemoveRoleAssignment,
        target: h.scope.clone(),
        detail: vec![format!("- {role} for the service principal (the plan no longer lists it)")],
        assignment: Some(RoleAssignment {
            role,
            role_definition_id: h.role_definition_id.clone(),
            scope: h.scope.clone(),
            principal_type: "ServicePrincipal".into(),
        }),
        object: Some(path),
        conditioned: false,
    }
}

/// The assignments to remove and the notes for everything `principal` holds outside the plan. The
/// principal's assignments are listed at the subscription; where that is refused (an administrator
/// with rights on the resource group alone), at the plan's resource group, and said. A listing that
/// cannot be read is said, never fatal: the plan's own grants, and revoke, do not wait on it.
async fn outside_plan(api: &Api<'_>, z: &ResolvedAzure, m: &AzureModel, mark: &str, principal: &str) -> (Vec<AzureChange>, Vec<String>) {
    let subscription = format!("/subscriptions/{}", z.subscription_id);
    let group = format!("{subscription}/resourceGroups/{}", z.resource_group);
    let mut notes = Vec::new();
    let listed = match list_assignments(api, &subscription, principal).await {
        Err(CloudError::Api { kind: ApiFailure::PermissionDenied, .. }) => {
            notes.push(format!(
                "the service principal's role assignments could not be read in subscription {}: only resource group {} was looked at for assignments the plan no longer lists",
                z.subscription_id, z.resource_group
            ));
            list_assignments(api, &group, principal).await
        }
        other => other,
    };
    let held = match listed {
        Ok((held, truncated)) => {
            if truncated {
                notes.push(format!(
                    "the service principal holds more than {MAX_PAGES} pages of role assignments: those after them were not looked at for ones the plan no longer lists"
                ));
            }
            held
        }
        Err(e) => {
            notes.push(format!("role assignments the plan no longer lists were not looked for: {e}"));
            return (Vec::new(), notes);
        }
    };
    let (remove, more) = dropped_assignments(z, m, mark, principal, &held);
    notes.extend(more);
    (remove.into_iter().map(|(h, path)| drop_change(z, &h, path)).collect(), notes)
}

/// Creates what the plan's Azure section needs, and removes the assignments Trustbridge made that
/// the plan no longer lists ([`dropped_assignments`]). `dry_run`: reads only.
pub async fn apply(
    r: &Resolved,
    cred: &AzureAdmin,
    settings: &AzureSettings,
    dry_run: bool,
) -> Result<AzureApplyReport, AzureApplyFailure> {
    let z = section(r)?;
    let m: AzureModel = model(z);
    let mark = app_mark(&r.plan.integration.name);
    let (api, who) = connect(cred, settings).await?;

    // Who the assignments are for: the vendor's app (keyless) or our app registration.
    let (app, app_id) = match &z.vendor_app_id {
        Some(vendor) => (None, Some(vendor.clone())),
        None => {
            let app = find_app(&api, z, &mark).await?;
            let id = app.as_ref().and_then(|a| a["appId"].as_str().map(str::to_string));
            (app, id)
        }
    };
    let sp = match &app_id {
        Some(id) => find_sp(&api, id).await?,
        None => None,
    };
    let mut changes = Vec::new();
    if !z.is_keyless() && app.is_none() {
        changes.push(change(AzureChangeKind::CreateApp, z.service_principal_name.clone(), vec![format!("notes: {mark}")]));
    }
    if sp.is_none() {
        let target = app_id.clone().unwrap_or_else(|| z.service_principal_name.clone());
        let detail =
            if z.is_keyless() { vec!["the vendor's multi-tenant app, as an enterprise app of this tenant".into()] } else { vec![] };
        changes.push(change(AzureChangeKind::CreateServicePrincipal, target, detail));
    }
    // Existing assignments, read [`CALLS_AT_ONCE`] at a time. Without a principal yet none
    // can exist, and the read (for the nil id) still proves each scope exists: a missing container
    // or topic stops apply here, before anything is created.
    let principal_or_nil = sp.clone().unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into());
    let reads: Vec<_> = m.role_assignments.iter().map(|ra| find_assignment(&api, ra, &principal_or_nil)).collect();
    let reads = at_most(reads, CALLS_AT_ONCE).await;
    let found: Vec<Option<Held>> = reads.into_iter().map(|x| x.map(|f| f.filter(|_| sp.is_some()))).collect::<Result<_, _>>()?;
    let mut notes = Vec::new();
    for (ra, have) in m.role_assignments.iter().zip(&found) {
        // Azure holds one assignment per role, principal and scope: on the vendor's shared app it
        // may carry another integration's mark, and that integration's apply may remove it when
        // its own plan drops it.
        if let Some(h) = have
            .as_ref()
            .filter(|h| !h.description.is_empty() && h.description != mark && h.description.starts_with("managed-by=trustbridge "))
        {
            notes.push(format!(
                "{} on {}: the vendor's assignment there is shared with another integration ({}); if that integration's plan drops it, its next apply removes it, and applying this plan again puts it back",
                ra.role, ra.scope, one_line(&h.description)
            ));
        }
    }
    for (ra, have) in m.role_assignments.iter().zip(found) {
        let conditioned = have.as_ref().is_some_and(|h| h.conditioned);
        if have.is_none() || conditioned {
            let mut detail = vec![format!("+ {} ({}) for the service principal", ra.role, ra.principal_type)];
            if conditioned {
                detail.push("one with a condition is there: apply stops here and does not change it".into());
            }
            changes.push(AzureChange {
                kind: AzureChangeKind::AssignRole,
                target: ra.scope.clone(),
                detail,
                assignment: Some(ra.clone()),
                object: None,
                conditioned,
            });
        }
    }
    let (removals, more) = match &sp {
        Some(p) => outside_plan(&api, z, &m, &mark, p).await,
        None => (Vec::new(), Vec::new()),
    };
    notes.extend(more);
    changes.extend(removals);
    if dry_run || changes.is_empty() {
        return Ok(report(&api, who, app_id, dry_run, changes, notes));
    }

    // The notes go with a failure too (`Stopped::noted`).
    match execute(&api, z, &mark, changes, app_id, sp).await {
        Ok((done, app_id)) => Ok(report(&api, who, app_id, false, done, notes)),
        Err(f) => Err(f.noted(notes)),
    }
}

/// Makes `changes` in order: the app registration and its service principal first, then the plan's
/// assignments, then the removals (a run that stops part way never leaves the vendor without what
/// the plan gives). On the first failure: what was done, what was not. Returns what was done and
/// the app's id (new when the app was created here).
async fn execute(
    api: &Api<'_>,
    z: &ResolvedAzure,
    mark: &str,
    changes: Vec<AzureChange>,
    mut app_id: Option<String>,
    mut principal: Option<String>,
) -> Result<(Vec<AzureChange>, Option<String>), AzureApplyFailure> {
    let mut done = Vec::new();
    let mut queue = changes.into_iter().peekable();
    while let Some(c) = queue.next_if(|c| matches!(c.kind, AzureChangeKind::CreateApp | AzureChangeKind::CreateServicePrincipal)) {
        let step = match c.kind {
            AzureChangeKind::CreateApp => {
                let body = json!({"displayName": z.service_principal_name, "notes": mark, "signInAudience": "AzureADMyOrg"});
                api.ok(Service::Graph, reqwest::Method::POST, &api.graph("applications"), Some(&body), "create the app registration")
                    .await
                    .and_then(|v| {
                        app_id = v["appId"].as_str().map(str::to_string);
                        app_id
                            .as_ref()
                            .map(drop)
                            .ok_or_else(|| err(ApiFailure::Api, "create the app registration", "the answer has no appId".into()))
                    })
            }
            _ => match &app_id {
                Some(id) => create_sp(api, id).await.map(|p| principal = Some(p)),
                None => Err(err(ApiFailure::Api, "create the service principal", "no app id".into())),
            },
        };
        match step {
            Ok(()) => done.push(c),
            Err(error) => {
                let mut not_done = vec![c];
                not_done.extend(queue);
                return Err(AzureApplyFailure::new(error, done, not_done));
            }
        }
    }
    let Some(principal) = principal else {
        return Err(AzureApplyFailure::new(err(ApiFailure::Api, "assign roles", "no service principal".into()), done, queue.collect()));
    };
    let (assigns, removals): (Vec<_>, Vec<_>) = queue.partition(|c| c.kind == AzureChangeKind::AssignRole);
    let done = match run_assignments(api, &principal, mark, done, assigns).await {
        Ok(done) => done,
        Err(mut f) => {
            f.not_done.extend(removals);
            return Err(f);
        }
    };
    let done = run_assignments(api, &principal, mark, done, removals).await?;
    Ok((done, app_id))
}

/// Removes exactly what apply made: the plan's role assignments of our principal, then our app
/// registration (its service principal goes with it). `dry_run`: reads only.
pub async fn revoke(
    r: &Resolved,
    cred: &AzureAdmin,
    settings: &AzureSettings,
    dry_run: bool,
) -> Result<AzureApplyReport, AzureApplyFailure> {
    revoke_as(r, cred, settings, if dry_run { Removal::DryRun } else { Removal::Now }).await
}

/// [`revoke`] of exactly what the person confirmed (the first lines of the dry run's changes):
/// everything is read again, and when what would be removed now differs, nothing is removed
/// (`azure.revoke_changed`).
pub async fn revoke_confirmed(
    r: &Resolved,
    cred: &AzureAdmin,
    settings: &AzureSettings,
    confirmed: &[String],
) -> Result<AzureApplyReport, AzureApplyFailure> {
    revoke_as(r, cred, settings, Removal::Confirmed(confirmed)).await
}

async fn revoke_as(
    r: &Resolved,
    cred: &AzureAdmin,
    settings: &AzureSettings,
    how: Removal<'_>,
) -> Result<AzureApplyReport, AzureApplyFailure> {
    let dry_run = how.dry_run();
    let z = section(r)?;
    let m = model(z);
    let mark = app_mark(&r.plan.integration.name);
    let (api, who) = connect(cred, settings).await?;
    let (app, app_id) = match &z.vendor_app_id {
        Some(vendor) => (None, Some(vendor.clone())),
        None => {
            let app = find_app(&api, z, &mark).await?;
            let id = app.as_ref().and_then(|a| a["appId"].as_str().map(str::to_string));
            (app, id)
        }
    };
    let mut notes = Vec::new();
    let Some(id) = app_id.clone() else {
        notes.push(format!("no app registration '{}': nothing to revoke", z.service_principal_name));
        return Ok(report(&api, who, None, dry_run, vec![], notes));
    };
    let mut changes = Vec::new();
    let sp = find_sp(&api, &id).await?;
    if let Some(p) = &sp {
        let reads: Vec<_> = m.role_assignments.iter().map(|ra| find_assignment(&api, ra, p)).collect();
        let reads = at_most(reads, CALLS_AT_ONCE).await;
        for (ra, found) in m.role_assignments.iter().zip(reads) {
            let found = match found {
                Ok(f) => f,
                // The storage account or topic is gone: so is any assignment on it.
                Err(CloudError::Api { kind: ApiFailure::NotFound, .. }) => None,
                Err(e) => return Err(e.into()),
            };
            let Some(found) = found else { continue };
            if found.conditioned {
                notes.push(format!(
                    "{} on {} kept: it has a condition someone set, so Trustbridge did not make it as it is; remove it in the portal if it should go",
                    ra.role, ra.scope
                ));
                continue;
            }
            let Some(object) = assignment_path(&z.subscription_id, &found) else {
                notes.push(format!(
                    "{} on {} kept: its id is not the one its scope and name make ({})",
                    ra.role,
                    ra.scope,
                    one_line(&found.id)
                ));
                continue;
            };
            // The vendor's enterprise app is shared: of its assignments, only the one apply made
            // (by its deterministic name) is Trustbridge's to remove.
            if z.is_keyless() && !found.name.eq_ignore_ascii_case(&assignment_name(&ra.scope, &ra.role_definition_id, p)) {
                notes.push(format!(
                    "{} on {} kept: the vendor's app has it under another name ({}), so Trustbridge did not make it (the exported script, or someone else, did); remove it in the portal if it should go",
                    ra.role, ra.scope, found.name
                ));
                continue;
            }
            changes.push(AzureChange {
                kind: AzureChangeKind::RemoveRoleAssignment,
                target: ra.scope.clone(),
                detail: vec![format!("- {} for the service principal", ra.role)],
                assignment: Some(ra.clone()),
                object: Some(object),
                conditioned: false,
            });
        }
        // What an earlier plan gave and this one no longer lists goes too (on our own app, before
        // the app is deleted: an assignment outlives its deleted principal, as "Identity not found").
        let (removals, more) = outside_plan(&api, z, &m, &mark, p).await;
        changes.extend(removals);
        notes.extend(more);
    }
    match (&app, &z.vendor_app_id) {
        (Some(a), None) => changes.push(AzureChange {
            kind: AzureChangeKind::DeleteApp,
            target: format!("{} ({id})", z.service_principal_name),
            detail: vec!["its service principal and any client secret go with it".into()],
            assignment: None,
            object: a["id"].as_str().map(str::to_string),
            conditioned: false,
        }),
        _ => notes.push(format!("the vendor's enterprise app {id} is kept: your tenant's administrator consented to it; remove it in Entra ID if the vendor should not sign in here at all")),
    }
    if dry_run || changes.is_empty() {
        return Ok(report(&api, who, app_id, dry_run, changes, notes));
    }
    if !how.allows(&changes) {
        return Err(err(ApiFailure::RevokeChanged, "revoke", format!("app registration {}", z.service_principal_name)).into());
    }
    let (deletes, removals): (Vec<_>, Vec<_>) = changes.into_iter().partition(|c| c.kind == AzureChangeKind::DeleteApp);
    let principal = sp.unwrap_or_default();
    let mut done = match run_assignments(&api, &principal, &mark, Vec::new(), removals).await {
        Ok(done) => done,
        Err(f) => return Err(f.noted(notes)),
    };
    for (i, c) in deletes.iter().enumerate() {
        let object = c.object.clone().unwrap_or_default();
        let action = format!("delete app registration {}", z.service_principal_name);
        let res =
            api.call(Service::Graph, reqwest::Method::DELETE, &api.graph(&format!("applications/{}", enc(&object))), None, &action).await;
        match res {
            Ok(a) if (200..300).contains(&a.status) || a.status == 404 => done.push(c.clone()),
            Ok(a) => return Err(AzureApplyFailure::new(refusal(&action, &a), done, deletes[i..].to_vec()).noted(notes)),
            Err(error) => return Err(AzureApplyFailure::new(error, done, deletes[i..].to_vec()).noted(notes)),
        }
    }
    Ok(report(&api, who, app_id, false, done, notes))
}

/// Adds a client secret (one year) to the plan's app registration (only ours, after apply) and
/// returns it as the create-for-rbac JSON `secrets set --kind azure` takes, for the OS keyring at
/// once. Keyless plans have no secret to make.
pub async fn create_secret(r: &Resolved, cred: &AzureAdmin, settings: &AzureSettings) -> Result<crate::changes::CreatedSecret, CloudError> {
    let z = section(r)?;
    let action = format!("add a client secret to app registration {}", z.service_principal_name);
    if z.is_keyless() {
        return Err(err(
            ApiFailure::Api,
            &action,
            "the plan is keyless: the vendor signs in with its own app, and no secret is made".into(),
        ));
    }
    let (api, _) = connect(cred, settings).await?;
    let mark = app_mark(&r.plan.integration.name);
    let Some(app) = find_app(&api, z, &mark).await? else {
        return Err(err(ApiFailure::NotFound, &action, "the app registration does not exist: apply first".into()));
    };
    let object = app["id"].as_str().unwrap_or_default();
    let app_id = app["appId"].as_str().unwrap_or_default();
    let end = super::rfc3339(std::time::SystemTime::now() + Duration::from_secs(365 * 86_400));
    let body = json!({"passwordCredential": {"displayName": "trustbridge", "endDateTime": end}});
    let v = api
        .ok(Service::Graph, reqwest::Method::POST, &api.graph(&format!("applications/{}/addPassword", enc(object))), Some(&body), &action)
        .await?;
    let Some(secret) = v["secretText"].as_str() else {
        return Err(err(ApiFailure::Api, &action, "the answer has no secretText".into()));
    };
    let text = Sensitive::new(
        json!({"appId": app_id, "displayName": z.service_principal_name, "password": secret, "tenant": z.tenant_id}).to_string(),
    );
    Ok(crate::changes::CreatedSecret { id: v["keyId"].as_str().unwrap_or_default().to_string(), text })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only an id that is exactly its checked scope and GUID name, in the plan's subscription, is
    /// ever a path to delete.
    #[test]
    fn a_listed_assignment_is_deleted_only_at_the_path_its_checked_scope_and_name_make() {
        let sub = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
        let scope = format!("/subscriptions/{sub}/resourceGroups/rg(1)/providers/Microsoft.EventGrid/topics/t-1");
        let name = "6f1c2e0a-8b3d-5e51-9a7c-2d440b61739e";
        let held = |scope: &str, name: &str, id: Option<&str>| Held {
            id: id.map_or_else(|| assignment_id(scope, name), str::to_string),
            name: name.into(),
            scope: scope.into(),
            role_definition_id: "r".into(),
            conditioned: false,
            description: String::new(),
        };
        assert_eq!(assignment_path(sub, &held(&scope, name, None)).as_deref(), Some(assignment_id(&scope, name).as_str()));
        let upper = held(&scope, name, Some(&format!("{}/PROVIDERS/Microsoft.Authorization/roleAssignments/{name}", scope.to_uppercase())));
        assert!(assignment_path(sub, &upper).is_some(), "ids compare without case");
        let other_sub = scope.replace(sub, "99999999-0000-4000-8000-000000000009");
        for bad in [
            held(&other_sub, name, None),
            held(&format!("{scope}/../x"), name, None),
            held(&format!("{scope}//x"), name, None),
            held(&format!("{scope}@evil.example"), name, None),
            held(&format!("{scope}?x=1"), name, None),
            held(&format!("{scope}/"), name, None),
            held(&scope, "not-a-guid", None),
            held(&scope, &name.replace('-', "x"), None),
            held(&scope, name, Some("/subscriptions/x/providers/Microsoft.Authorization/roleAssignments/y")),
        ] {
            assert_eq!(assignment_path(sub, &bad), None, "{bad:?}");
        }
    }

    #[test]
    fn assignment_names_are_deterministic_version_5_uuids() {
        let a = assignment_name(
            "/subscriptions/s/resourceGroups/rg",
            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r",
            "p",
        );
        assert_eq!(
            a,
            assignment_name(
                "/SUBSCRIPTIONS/s/resourceGroups/RG",
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/R",
                "P"
            ),
            "case does not matter to Azure, nor here"
        );
        assert_ne!(
            a,
            assignment_name(
                "/subscriptions/s/resourceGroups/rg2",
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r",
                "p"
            )
        );
        assert_eq!(a.len(), 36);
        // Python's uuid.uuid5(UUID('6f1c2e0a-8b3d-4e51-9a7c-2d440b61739e'), '<the lower-case name>'):
        // an independent implementation of RFC 9562 agrees.
        assert_eq!(a, "676febd4-d526-5789-9225-1b6ebfea56bf");
        assert_eq!(&a[14..15], "5", "version 5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "RFC variant: {a}");
    }
}
