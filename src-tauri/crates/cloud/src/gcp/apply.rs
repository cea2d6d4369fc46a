//! Apply and revoke on Google Cloud through its REST APIs, with the customer's own sign-in
//! ([`AdminCredential`]): the same model the exported `gcp/setup.sh` runs ([`model`]), and the same
//! guarantees as the AWS engine.
//!
//! - Reads first and computes the changes (that is the dry run), then makes only those; a second
//!   run finds nothing to change.
//! - Our service account's bindings, in a role the profile grants and without a condition, on the
//!   project's buckets and topics (and buckets of other projects, found through Cloud Asset
//!   Inventory) the plan no longer names are removed, after the plan's own are
//!   made, and by revoke ([`outside_plan`]); its others there are named and kept, as are its
//!   bindings beyond the plan's where the plan binds it ([`beyond_plan`]).
//! - The service account is created with Trustbridge's mark (its description) and never reused,
//!   keyed or deleted when the mark is not this integration's. The custom role carries the mark at
//!   the end of its description ([`role_mark`]) and the workload identity pool in its description:
//!   an unmarked one of the same id is refused (never updated, undeleted, trusted or bound), and
//!   revoke keeps it. Our pool is undeleted or re-enabled, and our AWS provider brought back to
//!   the vendor's account, mapping and condition when it drifted.
//! - IAM policies (project, bucket, topic, service account) change by read-modify-write with the
//!   policy's `etag`: a concurrent change makes Google refuse the write (409 `ABORTED`, or 412 on
//!   Cloud Storage), and the change is read and made again, a bounded number of times. Only the
//!   plan's member in the plan's role is added or removed; every other binding stays as it was.
//! - All of one resource's binding changes go in one read-modify-write (they share its etag);
//!   different resources are written concurrently.
//! - Revoke deletes our custom role only when no one else is bound to it on the project or on any
//!   of the plan's resources (Google keeps a deleted role 7 days, undeletable).
//! - A new service account takes a moment to be known to every IAM policy: a binding Google
//!   refuses because the account "does not exist" is retried for a bounded time (named waits).
//! - A failure reports what was done and what was not ([`GcpApplyFailure`]).
//!
//! API references followed (and by the test double in `tests/doubles/gcp_iam.rs`):
//! IAM v1 `projects.serviceAccounts` (get, create, delete, getIamPolicy, setIamPolicy),
//! `projects.roles` (get, create, patch, undelete, delete), `projects.locations.workloadIdentityPools`
//! and `.providers` (get, create, patch, delete, undelete); Cloud Resource Manager v1 `projects.get`,
//! `projects.getIamPolicy`, `projects.setIamPolicy`, `projects.getAncestry`; Cloud Asset v1
//! `searchAllIamPolicies`; Cloud Storage JSON v1 `buckets.getIamPolicy`,
//! `buckets.setIamPolicy`; Pub/Sub v1 `projects.topics.getIamPolicy`, `projects.topics.setIamPolicy`.

use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};
use trustbridge_core::model::gcp::{
    bucket_resource, model, role_is_ours, role_mark, service_account_mark, topic_resource, Binding, GcpModel, GcpTarget,
    PROJECT_NUMBER_TOKEN, WIF_AWS_ROLE_MAPPING, WIF_PROVIDER_ID,
};
use trustbridge_core::validate::{Resolved, ResolvedGcp};
use trustbridge_secrets::Sensitive;

use super::credential::AdminCredential;
use super::GcpSettings;
use crate::changes::{at_most, in_turn, settle, Removal, Turns, CALLS_AT_ONCE};
use crate::error::{ApiFailure, CloudError};
use crate::http::{self, enc, snippet, Answer, JsonApi};
use crate::probe::Cloud;
use crate::retry::RetryPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GcpChangeKind {
    CreateServiceAccount,
    CreateRole,
    UpdateRole,
    UndeleteRole,
    CreatePool,
    UndeletePool,
    EnablePool,
    CreateProvider,
    UndeleteProvider,
    UpdateProvider,
    AddBinding,
    RemoveBinding,
    DeleteRole,
    DeletePool,
    DeleteServiceAccount,
}

/// One change apply (or revoke) makes.
#[derive(Debug, Clone, Serialize)]
pub struct GcpChange {
    pub kind: GcpChangeKind,
    /// What it changes: the service account, `projects/p/roles/r`, a full resource name.
    pub target: String,
    /// Plain-language lines (`+ member … in role …`, permissions added or removed).
    pub detail: Vec<String>,
    #[serde(skip)]
    binding: Option<Binding>,
    /// A removal of a grant the plan no longer names ([`outside_plan`]): refused, it is said and
    /// the run goes on (a bucket of another project may be readable but not writable by the
    /// person; revoke must still delete the account).
    #[serde(skip)]
    cleanup: bool,
}

impl fmt::Display for GcpChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.kind {
            GcpChangeKind::CreateServiceAccount => "create service account",
            GcpChangeKind::CreateRole => "create custom role",
            GcpChangeKind::UpdateRole => "update custom role",
            GcpChangeKind::UndeleteRole => "undelete custom role",
            GcpChangeKind::CreatePool => "create workload identity pool",
            GcpChangeKind::UndeletePool => "undelete workload identity pool",
            GcpChangeKind::EnablePool => "enable workload identity pool",
            GcpChangeKind::CreateProvider => "create workload identity provider",
            GcpChangeKind::UndeleteProvider => "undelete workload identity provider",
            GcpChangeKind::UpdateProvider => "update workload identity provider",
            GcpChangeKind::AddBinding => "grant on",
            GcpChangeKind::RemoveBinding => "remove grant on",
            GcpChangeKind::DeleteRole => "delete custom role",
            GcpChangeKind::DeletePool => "delete workload identity pool",
            GcpChangeKind::DeleteServiceAccount => "delete service account",
        };
        write!(f, "{verb} {}", trustbridge_core::validate::one_line(&self.target))?;
        for d in &self.detail {
            write!(f, "\n    {}", trustbridge_core::validate::one_line(d))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GcpApplyReport {
    /// Who the changes were made as ([`AdminCredential::describe`]).
    pub acting_as: String,
    pub service_account: String,
    pub dry_run: bool,
    /// Made (or, in a dry run, to make). Empty: already as the plan says.
    pub changes: Vec<GcpChange>,
    /// What the user should know (a custom role kept because someone else uses it, …).
    pub notes: Vec<String>,
    /// HTTP calls to Google's APIs this run made (the token exchange included).
    pub http_calls: u32,
}

/// Apply or revoke stopped part way: what was done, what was not, and why.
pub type GcpApplyFailure = crate::changes::Stopped<GcpChange>;

/// Writes of one IAM policy refused because it changed in between, before giving up.
const CONFLICT_ATTEMPTS: u32 = 5;

/// Waiting for a new service account to be known to IAM policies: about a minute in all.
const PROPAGATION: RetryPolicy = RetryPolicy {
    max_attempts: 12,
    initial_backoff: Duration::from_millis(500),
    max_backoff: Duration::from_secs(8),
    max_total: Duration::from_secs(60),
};

/// The signed-in client: the access token and the endpoints.
pub(super) struct Api<'a> {
    api: JsonApi,
    token: Sensitive<String>,
    pub(super) s: &'a GcpSettings,
    /// [`AdminCredential::billed_project`] of the sign-in, for the plan's project.
    pub(super) billed: Option<String>,
}

fn err(kind: ApiFailure, action: &str, message: String) -> CloudError {
    CloudError::Api { cloud: Cloud::Gcp, kind, action: action.into(), message }
}

impl Api<'_> {
    pub(super) async fn call(&self, method: reqwest::Method, url: &str, body: Option<&Value>, action: &str) -> Result<Answer, CloudError> {
        self.api.call(&self.token, method, url, body, action).await
    }

    /// A call to an API that bills the caller (Organization Policy, Cloud Asset Inventory): it
    /// names the project to bill ([`Api::billed`]) when the sign-in is gcloud's
    /// application-default login.
    pub(super) async fn billed_call(&self, method: reqwest::Method, url: &str, action: &str) -> Result<Answer, CloudError> {
        let headers: Vec<(&str, &str)> = self.billed.as_deref().map(|p| ("x-goog-user-project", p)).into_iter().collect();
        self.api.call_with(&self.token, method, url, None, &headers, action).await
    }

    /// A call that must succeed (2xx).
    async fn ok(&self, method: reqwest::Method, url: &str, body: Option<&Value>, action: &str) -> Result<Value, CloudError> {
        let a = self.call(method, url, body, action).await?;
        if a.ok() {
            Ok(a.body)
        } else {
            Err(refusal(action, &a))
        }
    }

    fn iam(&self, path: &str) -> String {
        format!("{}/v1/{path}", self.s.iam_endpoint.trim_end_matches('/'))
    }
}

/// Google's error answer as one of ours: `{error: {code, message, status, details}}`.
pub(super) fn refusal(action: &str, a: &Answer) -> CloudError {
    let e = &a.body["error"];
    let status = e["status"].as_str().unwrap_or_default();
    let message = match e["message"].as_str() {
        Some(m) => format!("{} {status}: {m}", a.status),
        None => format!("{}: {}", a.status, snippet(&a.body.to_string())),
    };
    let disabled = e["details"].as_array().is_some_and(|d| d.iter().any(|x| x["reason"] == "SERVICE_DISABLED"));
    let kind = match a.status {
        403 if disabled => ApiFailure::ServiceDisabled,
        401 => ApiFailure::SignIn,
        403 => ApiFailure::PermissionDenied,
        404 => ApiFailure::NotFound,
        409 | 412 if status == "ABORTED" || a.status == 412 => ApiFailure::PolicyConflict,
        429 | 500..=599 => ApiFailure::Unreachable,
        _ => ApiFailure::Api,
    };
    err(kind, action, message)
}

/// What is there now, read before any change.
struct State {
    sa: SaState,
    role: Option<Value>,
    project_number: Option<String>,
    pool: Option<Value>,
    provider: Option<Value>,
    /// Per binding of the model, whether the member already has the role.
    bound: Vec<bool>,
    /// Per binding, its resource's policy as read (for "is the custom role used by anyone else").
    policies: Vec<Option<Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SaState {
    Absent,
    Ours,
    Foreign(String),
}

fn sa_url(api: &Api<'_>, g: &ResolvedGcp) -> String {
    api.iam(&format!("projects/{}/serviceAccounts/{}", enc(&g.project_id), enc(&g.service_account_email())))
}

fn pool_name(g: &ResolvedGcp, pool: &str) -> String {
    format!("projects/{}/locations/global/workloadIdentityPools/{pool}", g.project_id)
}

/// Where a resource's IAM policy is read and written.
/// As each API's reference documents `getIamPolicy` (`setIamPolicy` is `POST …:setIamPolicy
/// {policy}` for all but Storage).
enum PolicyAt {
    /// Cloud Resource Manager v1: `POST …:getIamPolicy {options: {requestedPolicyVersion}}`.
    Post(String),
    /// IAM service accounts: `POST …:getIamPolicy?options.requestedPolicyVersion=3`, empty body.
    PostQuery(String),
    /// Pub/Sub topics: `GET …:getIamPolicy?options.requestedPolicyVersion=3`.
    Get(String),
    /// Cloud Storage: GET / PUT `…/iam`.
    Storage(String),
}

fn policy_at(api: &Api<'_>, resource: &str) -> Option<PolicyAt> {
    let root = |e: &str| e.trim_end_matches('/').to_string();
    if let Some(p) = resource.strip_prefix("//cloudresourcemanager.googleapis.com/projects/") {
        Some(PolicyAt::Post(format!("{}/v1/projects/{}", root(&api.s.crm_endpoint), enc(p))))
    } else if let Some(b) = resource.strip_prefix("//storage.googleapis.com/projects/_/buckets/") {
        Some(PolicyAt::Storage(format!("{}/storage/v1/b/{}/iam", root(&api.s.storage_endpoint), enc(b))))
    } else if let Some(rest) = resource.strip_prefix("//pubsub.googleapis.com/projects/") {
        let (p, t) = rest.split_once("/topics/")?;
        Some(PolicyAt::Get(format!("{}/v1/projects/{}/topics/{}", root(&api.s.pubsub_endpoint), enc(p), enc(t))))
    } else if let Some(rest) = resource.strip_prefix("//iam.googleapis.com/projects/") {
        let (p, sa) = rest.split_once("/serviceAccounts/")?;
        Some(PolicyAt::PostQuery(format!("{}/v1/projects/{}/serviceAccounts/{}", root(&api.s.iam_endpoint), enc(p), enc(sa))))
    } else {
        None
    }
}

/// Reads a resource's IAM policy (version 3, so conditional bindings come through whole).
/// `Ok(None)`: the resource does not exist.
async fn read_policy(api: &Api<'_>, resource: &str) -> Result<Option<Value>, CloudError> {
    let action = format!("read the IAM policy of {resource}");
    let at = policy_at(api, resource).ok_or_else(|| err(ApiFailure::Api, &action, "not a resource Trustbridge grants on".into()))?;
    let a = match at {
        PolicyAt::Post(u) => {
            api.call(reqwest::Method::POST, &format!("{u}:getIamPolicy"), Some(&json!({"options": {"requestedPolicyVersion": 3}})), &action)
                .await?
        }
        PolicyAt::PostQuery(u) => {
            api.call(reqwest::Method::POST, &format!("{u}:getIamPolicy?options.requestedPolicyVersion=3"), Some(&json!({})), &action)
                .await?
        }
        PolicyAt::Get(u) => {
            api.call(reqwest::Method::GET, &format!("{u}:getIamPolicy?options.requestedPolicyVersion=3"), None, &action).await?
        }
        PolicyAt::Storage(u) => api.call(reqwest::Method::GET, &format!("{u}?optionsRequestedPolicyVersion=3"), None, &action).await?,
    };
    match a.status {
        200..=299 => Ok(Some(a.body)),
        404 => Ok(None),
        _ => Err(refusal(&action, &a)),
    }
}

/// Writes it back; `Ok(false)`: refused because it changed since it was read (etag).
async fn write_policy(api: &Api<'_>, resource: &str, policy: &Value) -> Result<bool, CloudError> {
    let action = format!("write the IAM policy of {resource}");
    let at = policy_at(api, resource).ok_or_else(|| err(ApiFailure::Api, &action, "not a resource Trustbridge grants on".into()))?;
    let a = match at {
        PolicyAt::Post(u) | PolicyAt::PostQuery(u) | PolicyAt::Get(u) => {
            api.call(reqwest::Method::POST, &format!("{u}:setIamPolicy"), Some(&json!({"policy": policy})), &action).await?
        }
        PolicyAt::Storage(u) => api.call(reqwest::Method::PUT, &u, Some(policy), &action).await?,
    };
    match a.status {
        200..=299 => Ok(true),
        409 | 412 if a.status == 412 || a.body["error"]["status"] == "ABORTED" => Ok(false),
        _ => Err(refusal(&action, &a)),
    }
}

fn unconditional(b: &Value) -> bool {
    b.get("condition").is_none_or(Value::is_null)
}

/// Whether `member` has `role` without a condition.
pub fn has_binding(policy: &Value, role: &str, member: &str) -> bool {
    policy["bindings"].as_array().is_some_and(|bs| {
        bs.iter().any(|b| b["role"] == role && unconditional(b) && b["members"].as_array().is_some_and(|m| m.iter().any(|x| x == member)))
    })
}

/// Adds (`add`) or removes `member` in `role`'s unconditional binding; every other binding stays.
/// Returns whether the policy changed.
pub fn edit_binding(policy: &mut Value, role: &str, member: &str, add: bool) -> bool {
    if has_binding(policy, role, member) == add {
        return false;
    }
    if !policy.is_object() {
        *policy = json!({});
    }
    if !policy["bindings"].is_array() {
        policy["bindings"] = json!([]);
    }
    let Some(bindings) = policy["bindings"].as_array_mut() else { return false };
    if add {
        match bindings.iter_mut().find(|b| b["role"] == role && unconditional(b)) {
            Some(b) => match b["members"].as_array_mut() {
                Some(m) => m.push(json!(member)),
                None => b["members"] = json!([member]),
            },
            None => bindings.push(json!({"role": role, "members": [member]})),
        }
    } else {
        for b in bindings.iter_mut().filter(|b| b["role"] == role && unconditional(b)) {
            if let Some(m) = b["members"].as_array_mut() {
                m.retain(|x| x != member);
            }
        }
        bindings.retain(|b| !(b["role"] == role && unconditional(b) && b["members"].as_array().is_some_and(Vec::is_empty)));
    }
    true
}

/// Read-modify-write of the bindings of one resource (all of `bs` name the same resource), in one
/// write; again while the policy changes underneath (etag) and, when adding, while IAM does not
/// know a new service account yet ([`PROPAGATION`], counted from the run's first such answer: one
/// budget for every resource of a run, however many turns they take). Gives up before a retry, and
/// before or after a wait, once another change of the run has failed ([`Turns::stopped`]).
async fn change_bindings(api: &Api<'_>, bs: &[&Binding], add: bool, turns: &Turns) -> Result<(), CloudError> {
    let Some(first) = bs.first() else { return Ok(()) };
    let resource = &first.resource;
    let mut conflicts = 0;
    let mut waits = 0;
    loop {
        let Some(mut policy) = read_policy(api, resource).await? else {
            if add {
                return Err(err(ApiFailure::NotFound, &format!("grant {} on {resource}", first.role), String::new()));
            }
            return Ok(());
        };
        let mut changed = false;
        for b in bs.iter().filter(|b| b.resource == *resource) {
            changed |= edit_binding(&mut policy, &b.role, &b.member, add);
        }
        if !changed {
            return Ok(());
        }
        match write_policy(api, resource, &policy).await {
            Ok(true) => return Ok(()),
            Ok(false) => {
                conflicts += 1;
                if turns.stopped() {
                    let why = "it changed between read and write, and was not tried again: another change of this run failed";
                    return Err(err(ApiFailure::PolicyConflict, &format!("change the IAM policy of {resource}"), why.into()));
                }
                if conflicts >= CONFLICT_ATTEMPTS {
                    return Err(err(
                        ApiFailure::PolicyConflict,
                        &format!("change the IAM policy of {resource}"),
                        format!("it changed between read and write {conflicts} times in a row"),
                    ));
                }
            }
            Err(CloudError::Api { cloud: Cloud::Gcp, kind: ApiFailure::Api, message, action })
                if add && message.contains("does not exist") =>
            {
                waits += 1;
                let delay = PROPAGATION.backoff(waits);
                let start = turns.waits_from();
                if waits >= PROPAGATION.max_attempts || start.elapsed() + delay > PROPAGATION.max_total || turns.stopped() {
                    return Err(CloudError::Api { cloud: Cloud::Gcp, kind: ApiFailure::Api, action, message });
                }
                api.api.wait(format!("waiting {} ms for IAM to know the new service account ({resource})", delay.as_millis()));
                turns.pause(delay).await;
                // Another change failed during the wait: not tried again.
                if turns.stopped() {
                    return Err(CloudError::Api { cloud: Cloud::Gcp, kind: ApiFailure::Api, action, message });
                }
            }
            Err(e) => return Err(e),
        }
    }
}

async fn read_sa(api: &Api<'_>, g: &ResolvedGcp, mark: &str) -> Result<SaState, CloudError> {
    let action = format!("read service account {}", g.service_account_email());
    let a = api.call(reqwest::Method::GET, &sa_url(api, g), None, &action).await?;
    match a.status {
        200..=299 => {
            let d = a.body["description"].as_str().unwrap_or_default();
            Ok(if d == mark { SaState::Ours } else { SaState::Foreign(d.to_string()) })
        }
        404 => Ok(SaState::Absent),
        _ => Err(refusal(&action, &a)),
    }
}

/// `Ok(None)`: absent. A deleted custom role (kept 7 days by Google) comes back with `deleted: true`.
async fn get_optional(api: &Api<'_>, url: &str, action: &str) -> Result<Option<Value>, CloudError> {
    let a = api.call(reqwest::Method::GET, url, None, action).await?;
    match a.status {
        200..=299 => Ok(Some(a.body)),
        404 => Ok(None),
        _ => Err(refusal(action, &a)),
    }
}

/// The service account, the custom role and the keyless pieces, read before any change.
async fn read_base(api: &Api<'_>, g: &ResolvedGcp, m: &GcpModel, integration: &str, revoking: bool) -> Result<State, CloudError> {
    let mark = &service_account_mark(integration);
    let sa = read_sa(api, g, mark).await?;
    if let SaState::Foreign(d) = &sa {
        return Err(err(
            ApiFailure::NotOurs,
            &format!("use service account {}", g.service_account_email()),
            format!("its description is '{d}', not '{mark}'; nothing was changed"),
        ));
    }
    let role = match &m.custom_role {
        Some(r) => {
            get_optional(
                api,
                &api.iam(&format!("projects/{}/roles/{}", enc(&g.project_id), enc(&r.id))),
                &format!("read custom role {}", r.id),
            )
            .await?
        }
        None => None,
    };
    if let (Some(have), Some(r), false) = (&role, &m.custom_role, revoking) {
        if !role_is_ours(have["description"].as_str().unwrap_or_default(), integration) {
            return Err(err(ApiFailure::ResourceNotOurs, &format!("use custom role projects/{}/roles/{}", g.project_id, r.id), format!(
                    "its description does not end with '{}', so Trustbridge did not create it for this integration and will not change, undelete or bind it (others may use it); nothing was changed",
                    role_mark(integration)
                )));
        }
    }
    let (mut project_number, mut pool, mut provider) = (None, None, None);
    if let Some((_, _, pool_id)) = &g.workload_identity {
        let url = format!("{}/v1/projects/{}", api.s.crm_endpoint.trim_end_matches('/'), enc(&g.project_id));
        let p = api.ok(reqwest::Method::GET, &url, None, &format!("read project {}", g.project_id)).await?;
        project_number = p["projectNumber"].as_str().map(str::to_string);
        if project_number.is_none() && !revoking {
            return Err(err(ApiFailure::Api, &format!("read project {}", g.project_id), "the answer has no projectNumber".into()));
        }
        let name = pool_name(g, pool_id);
        pool = get_optional(api, &api.iam(&name), &format!("read workload identity pool {pool_id}")).await?;
        if let (Some(p), false) = (&pool, revoking) {
            if p["description"] != mark.as_str() {
                return Err(err(ApiFailure::ResourceNotOurs, &format!("use workload identity pool {name}"), format!(
                        "its description is '{}', not '{mark}', so Trustbridge did not create it for this integration and will not add a provider to it or trust it; nothing was changed",
                        p["description"].as_str().unwrap_or_default()
                    )));
            }
        }
        if pool.is_some() {
            provider =
                get_optional(api, &api.iam(&format!("{name}/providers/{WIF_PROVIDER_ID}")), "read workload identity provider").await?;
        }
    }
    Ok(State { sa, role, project_number, pool, provider, bound: Vec::new(), policies: Vec::new() })
}

/// Reads every binding's policy, [`CALLS_AT_ONCE`] at a time: whether the member has the role.
/// Applying, a missing bucket or topic stops here, before anything is changed.
async fn read_bindings(api: &Api<'_>, st: &mut State, bindings: &[Binding], revoking: bool) -> Result<(), CloudError> {
    let sa_absent = st.sa == SaState::Absent;
    let reads: Vec<_> = bindings
        .iter()
        .map(|b| async move {
            if sa_absent && b.resource.starts_with("//iam.googleapis.com/") {
                return Ok((None, false));
            }
            let p = read_policy(api, &b.resource).await?;
            match &p {
                None if !revoking => Err(err(
                    ApiFailure::NotFound,
                    &format!("grant {} on {}", b.role, b.resource),
                    "create it first, or correct the plan; nothing was changed".into(),
                )),
                _ => {
                    let has = p.as_ref().is_some_and(|p| has_binding(p, &b.role, &b.member));
                    Ok((p, has))
                }
            }
        })
        .collect();
    let reads = at_most(reads, CALLS_AT_ONCE).await;
    for r in reads {
        let (policy, has) = r?;
        st.policies.push(policy);
        st.bound.push(has);
    }
    Ok(())
}

/// Where the plan's member holds more on a resource the plan binds it on (a bucket, a topic; the
/// project when the profile has a custom role; the service account's own policy, keyless) than the
/// plan grants there: another role (one a vendor profile granted before and no longer does, or
/// someone's own grant) or a binding with a condition. Kept, as on the resources the plan no longer
/// names ([`outside_plan`]): Trustbridge cannot tell an earlier profile's grant from the
/// customer's own, so it is said, for the person to remove if the vendor should not have it.
/// `revoking`: said as what revoke leaves (it removes only the plan's grants).
fn beyond_plan(bindings: &[Binding], policies: &[Option<Value>], revoking: bool) -> Vec<String> {
    let mut notes = Vec::new();
    let mut seen = BTreeSet::new();
    for (b, policy) in bindings.iter().zip(policies) {
        let Some(policy) = policy else { continue };
        if !seen.insert((b.resource.as_str(), b.member.as_str())) {
            continue;
        }
        let granted: Vec<&str> =
            bindings.iter().filter(|x| x.resource == b.resource && x.member == b.member).map(|x| x.role.as_str()).collect();
        for pb in policy["bindings"].as_array().into_iter().flatten() {
            if !pb["members"].as_array().is_some_and(|m| m.iter().any(|x| *x == b.member.as_str())) {
                continue;
            }
            let role = pb["role"].as_str().unwrap_or_default();
            let plain = unconditional(pb);
            if plain && granted.contains(&role) {
                continue;
            }
            let held = format!("{} in role {role}{} on {}", b.member, if plain { "" } else { " with a condition" }, b.resource);
            let plan = format!(
                "the plan grants {} there{}",
                granted.join(", "),
                if plain { " and nothing else" } else { ", without a condition" }
            );
            notes.push(if revoking {
                format!(
                    "{held} not removed: {plan}, and revoke removes only that; it grants nothing once the service account is deleted, but comes back with the account if it is undeleted (Google allows 30 days): remove it in the console"
                )
            } else {
                format!("{held} kept: {plan}; remove it in the console if the vendor should not have it")
            });
        }
    }
    notes
}

fn binding_change(kind: GcpChangeKind, b: &Binding) -> GcpChange {
    let sign = if kind == GcpChangeKind::AddBinding { "+" } else { "-" };
    GcpChange {
        kind,
        target: b.resource.clone(),
        detail: vec![format!("{sign} {} in role {}", b.member, b.role)],
        binding: Some(b.clone()),
        cleanup: false,
    }
}

fn permissions(v: &Value) -> BTreeSet<String> {
    v["includedPermissions"].as_array().map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// The model's bindings with the project number in place of the offline token.
fn concrete(m: &GcpModel, project_number: Option<&str>) -> Vec<Binding> {
    m.bindings
        .iter()
        .map(|b| Binding { member: b.member.replace(PROJECT_NUMBER_TOKEN, project_number.unwrap_or(PROJECT_NUMBER_TOKEN)), ..b.clone() })
        .collect()
}

fn plan_apply(g: &ResolvedGcp, m: &GcpModel, st: &State, bindings: &[Binding]) -> Vec<GcpChange> {
    let mut out = Vec::new();
    let sa = g.service_account_email();
    if st.sa == SaState::Absent {
        out.push(GcpChange {
            kind: GcpChangeKind::CreateServiceAccount,
            target: sa.clone(),
            detail: vec![format!("display name: {}", g.profile.service_account_display_name)],
            binding: None,
            cleanup: false,
        });
    }
    if let Some(r) = &m.custom_role {
        let target = format!("projects/{}/roles/{}", g.project_id, r.id);
        let want: BTreeSet<String> = r.included_permissions.iter().cloned().collect();
        match &st.role {
            None => out.push(GcpChange {
                kind: GcpChangeKind::CreateRole,
                target,
                detail: want.iter().map(|p| format!("+ {p}")).collect(),
                binding: None,
                cleanup: false,
            }),
            Some(have) => {
                if have["deleted"] == true {
                    out.push(GcpChange {
                        kind: GcpChangeKind::UndeleteRole,
                        target: target.clone(),
                        detail: vec![],
                        binding: None,
                        cleanup: false,
                    });
                }
                let got = permissions(have);
                let mut detail: Vec<String> = want.difference(&got).map(|p| format!("+ {p}")).collect();
                detail.extend(got.difference(&want).map(|p| format!("- {p}")));
                if have["title"] != r.title.as_str() || have["description"] != r.description.as_str() {
                    detail.push("title and description as the vendor profile gives them".into());
                }
                if !detail.is_empty() {
                    out.push(GcpChange { kind: GcpChangeKind::UpdateRole, target, detail, binding: None, cleanup: false });
                }
            }
        }
    }
    if let Some((acct, role, pool)) = &g.workload_identity {
        let change = |kind, target: String, detail| GcpChange { kind, target, detail, binding: None, cleanup: false };
        let pool_target = pool_name(g, pool);
        match &st.pool {
            None => out.push(change(GcpChangeKind::CreatePool, pool_target.clone(), vec![])),
            Some(p) if p["state"] == "DELETED" => out.push(change(GcpChangeKind::UndeletePool, pool_target.clone(), vec![])),
            Some(p) if p["disabled"] == true => out.push(change(GcpChangeKind::EnablePool, pool_target.clone(), vec![])),
            Some(_) => {}
        }
        let target = format!("{pool_target}/providers/{WIF_PROVIDER_ID}");
        match &st.provider {
            None => {
                out.push(change(GcpChangeKind::CreateProvider, target, vec![format!("AWS account {acct}; only sessions of role {role}")]))
            }
            Some(have) => {
                if have["state"] == "DELETED" {
                    out.push(change(GcpChangeKind::UndeleteProvider, target.clone(), vec![]));
                }
                let diff = provider_diff(have, &provider_body(acct, role));
                if !diff.is_empty() {
                    out.push(change(GcpChangeKind::UpdateProvider, target, diff));
                }
            }
        }
    }
    for (b, has) in bindings.iter().zip(&st.bound) {
        if !has {
            out.push(binding_change(GcpChangeKind::AddBinding, b));
        }
    }
    out
}

/// [`connect`] for work on `project` that calls APIs billing the caller ([`Api::billed_call`]).
pub(super) async fn connect_billed<'a>(
    cred: &AdminCredential,
    settings: &'a GcpSettings,
    project: &str,
) -> Result<(Api<'a>, String), CloudError> {
    let (mut api, acting_as) = connect(cred, settings).await?;
    api.billed = cred.billed_project(project);
    Ok((api, acting_as))
}

pub(super) async fn connect<'a>(cred: &AdminCredential, settings: &'a GcpSettings) -> Result<(Api<'a>, String), CloudError> {
    settings.check().map_err(|why| err(ApiFailure::Api, "check the Google Cloud endpoints", why))?;
    let http = http::client(settings.timeout, &settings.extra_roots_pem).map_err(|m| err(ApiFailure::Unreachable, "set up HTTPS", m))?;
    let token = cred.access_token(&http, settings).await?;
    Ok((Api { api: JsonApi::new(http, Cloud::Gcp, 1), token, s: settings, billed: None }, cred.describe()))
}

/// Binding changes grouped by the resource they change, in order of first appearance.
fn by_resource(changes: Vec<GcpChange>) -> Vec<Vec<GcpChange>> {
    let mut groups: Vec<Vec<GcpChange>> = Vec::new();
    for c in changes {
        match groups.iter_mut().find(|g| g[0].target == c.target) {
            Some(g) => g.push(c),
            None => groups.push(vec![c]),
        }
    }
    groups
}

/// Runs `changes` in order, except that binding changes run concurrently (different resources,
/// each its own read-modify-write). On the first failure: what was done, what was not. A clean-up
/// removal (`cleanup`) that fails is not a failure of the run: it is a note, returned beside
/// what was made.
async fn execute(
    api: &Api<'_>,
    g: &ResolvedGcp,
    m: &GcpModel,
    integration: &str,
    changes: Vec<GcpChange>,
) -> Result<(Vec<GcpChange>, Vec<String>), GcpApplyFailure> {
    let mut done = Vec::new();
    let mut notes = Vec::new();
    let mut queue = changes.into_iter().peekable();
    while let Some(c) = queue.next() {
        if matches!(c.kind, GcpChangeKind::AddBinding | GcpChangeKind::RemoveBinding) {
            let mut batch = vec![c];
            while queue.peek().is_some_and(|n| n.kind == batch[0].kind) {
                batch.extend(queue.next());
            }
            let add = batch[0].kind == GcpChangeKind::AddBinding;
            let (cleanups, batch): (Vec<GcpChange>, Vec<GcpChange>) = batch.into_iter().partition(|c| c.cleanup);
            // One read-modify-write per resource (several roles on one bucket share its policy and
            // etag), up to CALLS_AT_ONCE resources concurrently, in order.
            let groups = by_resource(batch);
            let turns = Turns::default();
            let turns = &turns;
            let results = in_turn(&groups, CALLS_AT_ONCE, turns, |group| async move {
                let bindings: Vec<&Binding> = group.iter().filter_map(|c| c.binding.as_ref()).collect();
                change_bindings(api, &bindings, add, turns).await
            })
            .await;
            if let Some((error, mut not_done)) = settle(groups, results, turns, &mut done) {
                not_done.extend(cleanups);
                not_done.extend(queue);
                return Err(GcpApplyFailure::new(error, done, not_done));
            }
            // Then the clean-up: each resource on its own, a refusal said, not fatal.
            let groups = by_resource(cleanups);
            let calls = groups
                .iter()
                .map(|group| async move {
                    let bindings: Vec<&Binding> = group.iter().filter_map(|c| c.binding.as_ref()).collect();
                    change_bindings(api, &bindings, add, &Turns::default()).await
                })
                .collect();
            let results = at_most(calls, CALLS_AT_ONCE).await;
            for (group, result) in groups.iter().zip(results) {
                match result {
                    Ok(()) => done.extend(group.iter().cloned()),
                    Err(e) => notes.extend(group.iter().filter_map(|c| c.binding.as_ref()).map(|b| {
                        format!(
                            "{} in role {} on {} kept: its removal was refused ({e}); remove it in the console if the vendor should not have it",
                            b.member, b.role, b.resource
                        )
                    })),
                }
            }
            continue;
        }
        match run_one(api, g, m, integration, &c).await {
            Ok(()) => done.push(c),
            Err(error) => {
                let mut not_done = vec![c];
                not_done.extend(queue);
                return Err(GcpApplyFailure::new(error, done, not_done));
            }
        }
    }
    Ok((done, notes))
}

async fn run_one(api: &Api<'_>, g: &ResolvedGcp, m: &GcpModel, integration: &str, c: &GcpChange) -> Result<(), CloudError> {
    let project = enc(&g.project_id);
    let action = c.to_string().lines().next().unwrap_or_default().to_string();
    match c.kind {
        GcpChangeKind::CreateServiceAccount => {
            let body = json!({
                "accountId": g.service_account,
                "serviceAccount": {"displayName": g.profile.service_account_display_name, "description": service_account_mark(integration)},
            });
            let a = api.call(reqwest::Method::POST, &api.iam(&format!("projects/{project}/serviceAccounts")), Some(&body), &action).await?;
            match a.status {
                200..=299 => Ok(()),
                // Created in between: fine only if it is ours.
                409 => match read_sa(api, g, &service_account_mark(integration)).await? {
                    SaState::Ours => Ok(()),
                    _ => Err(err(ApiFailure::NotOurs, &action, "someone else created it while Trustbridge was applying".into())),
                },
                _ => Err(refusal(&action, &a)),
            }
        }
        GcpChangeKind::CreateRole | GcpChangeKind::UpdateRole | GcpChangeKind::UndeleteRole | GcpChangeKind::DeleteRole => {
            let Some(r) = &m.custom_role else { return Ok(()) };
            let role_url = api.iam(&format!("projects/{project}/roles/{}", enc(&r.id)));
            let role =
                json!({"title": r.title, "description": r.description, "stage": r.stage, "includedPermissions": r.included_permissions});
            match c.kind {
                GcpChangeKind::CreateRole => {
                    let body = json!({"roleId": r.id, "role": role});
                    api.ok(reqwest::Method::POST, &api.iam(&format!("projects/{project}/roles")), Some(&body), &action).await.map(drop)
                }
                GcpChangeKind::UndeleteRole => {
                    api.ok(reqwest::Method::POST, &format!("{role_url}:undelete"), Some(&json!({})), &action).await.map(drop)
                }
                GcpChangeKind::DeleteRole => api.ok(reqwest::Method::DELETE, &role_url, None, &action).await.map(drop),
                _ => {
                    let url = format!("{role_url}?updateMask=title,description,includedPermissions,stage");
                    api.ok(reqwest::Method::PATCH, &url, Some(&role), &action).await.map(drop)
                }
            }
        }
        GcpChangeKind::CreatePool
        | GcpChangeKind::UndeletePool
        | GcpChangeKind::EnablePool
        | GcpChangeKind::CreateProvider
        | GcpChangeKind::UndeleteProvider
        | GcpChangeKind::UpdateProvider
        | GcpChangeKind::DeletePool => {
            let Some((acct, role, pool)) = &g.workload_identity else { return Ok(()) };
            let pools = api.iam(&format!("projects/{project}/locations/global/workloadIdentityPools"));
            let pool_url = format!("{pools}/{}", enc(pool));
            let provider_url = format!("{pool_url}/providers/{WIF_PROVIDER_ID}");
            use reqwest::Method;
            let (method, url, body) = match c.kind {
                GcpChangeKind::CreatePool => (
                    Method::POST,
                    format!("{pools}?workloadIdentityPoolId={}", enc(pool)),
                    json!({"displayName": "Trustbridge vendor", "description": service_account_mark(integration)}),
                ),
                GcpChangeKind::UndeletePool => (Method::POST, format!("{pool_url}:undelete"), json!({})),
                GcpChangeKind::EnablePool => (Method::PATCH, format!("{pool_url}?updateMask=disabled"), json!({"disabled": false})),
                GcpChangeKind::CreateProvider => (
                    Method::POST,
                    format!("{pool_url}/providers?workloadIdentityPoolProviderId={WIF_PROVIDER_ID}"),
                    provider_body(acct, role),
                ),
                GcpChangeKind::UndeleteProvider => (Method::POST, format!("{provider_url}:undelete"), json!({})),
                GcpChangeKind::UpdateProvider => {
                    let mut body = provider_body(acct, role);
                    body["disabled"] = json!(false);
                    (Method::PATCH, format!("{provider_url}?updateMask=aws,attributeMapping,attributeCondition,disabled"), body)
                }
                _ => (Method::DELETE, pool_url, Value::Null),
            };
            let body = (method != Method::DELETE).then_some(&body);
            let op = api.ok(method, &url, body, &action).await?;
            wait_operation(api, op, &action).await
        }
        GcpChangeKind::DeleteServiceAccount => {
            let a = api.call(reqwest::Method::DELETE, &sa_url(api, g), None, &action).await?;
            match a.status {
                200..=299 | 404 => Ok(()),
                _ => Err(refusal(&action, &a)),
            }
        }
        // `execute` makes every binding change in its turns; one alone would be made here.
        GcpChangeKind::AddBinding | GcpChangeKind::RemoveBinding => match &c.binding {
            Some(b) => change_bindings(api, &[b], c.kind == GcpChangeKind::AddBinding, &Turns::default()).await,
            None => Ok(()),
        },
    }
}

/// The AWS provider: the vendor's account, Google's documented attribute mapping for AWS, and a
/// condition that admits only sessions of the vendor's role.
pub fn provider_body(acct: &str, role: &str) -> Value {
    let mut mapping = serde_json::Map::new();
    for pair in split_mapping(WIF_AWS_ROLE_MAPPING) {
        if let Some((k, v)) = pair.split_once('=') {
            mapping.insert(k.to_string(), json!(v));
        }
    }
    json!({
        "displayName": "Vendor AWS role",
        "aws": {"accountId": acct},
        "attributeMapping": mapping,
        "attributeCondition": format!("attribute.aws_role=='{}'", trustbridge_core::model::gcp::wif_aws_role(acct, role)),
    })
}

/// How an existing provider differs from what the plan needs (its account, mapping, condition,
/// and whether it is disabled), one line each; empty when it is as needed.
pub fn provider_diff(have: &Value, want: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if have["aws"]["accountId"] != want["aws"]["accountId"] {
        out.push(format!("AWS account: {} → {}", have["aws"]["accountId"], want["aws"]["accountId"]));
    }
    if have["attributeMapping"] != want["attributeMapping"] {
        out.push("attribute mapping: Google's documented mapping for AWS roles".into());
    }
    if have["attributeCondition"] != want["attributeCondition"] {
        out.push(format!("condition: {} → {}", have["attributeCondition"], want["attributeCondition"]));
    }
    if have["disabled"] == true {
        out.push("enabled again (it was disabled)".into());
    }
    out
}

/// gcloud's `--attribute-mapping` is `key=expr,key=expr`; a comma inside an expression's quotes
/// or parentheses does not split.
fn split_mapping(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut quote, mut start) = (Vec::new(), 0i32, false, 0);
    for (i, ch) in s.char_indices() {
        match ch {
            '\'' => quote = !quote,
            '(' if !quote => depth += 1,
            ')' if !quote => depth -= 1,
            ',' if !quote && depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Long-running operations (pools, providers): polled until done, for a bounded time.
async fn wait_operation(api: &Api<'_>, mut op: Value, action: &str) -> Result<(), CloudError> {
    let start = Instant::now();
    let mut n = 0;
    loop {
        if op["done"] == true || op.get("name").is_none() {
            if op.get("error").is_some_and(|e| !e.is_null()) {
                return Err(err(ApiFailure::Api, action, snippet(&op["error"].to_string())));
            }
            return Ok(());
        }
        n += 1;
        let delay = RetryPolicy::calls().backoff(n);
        if start.elapsed() + delay > Duration::from_secs(60) {
            return Err(err(ApiFailure::Api, action, "the operation did not finish within 60 s; run again to check".into()));
        }
        tokio::time::sleep(delay).await;
        let name = op["name"].as_str().unwrap_or_default().to_string();
        op = api.ok(reqwest::Method::GET, &api.iam(&name), None, action).await?;
    }
}

pub(super) fn gcp_section(r: &Resolved) -> Result<&ResolvedGcp, CloudError> {
    r.gcp.as_ref().ok_or(CloudError::NoSection { cloud: "gcp" })
}

fn report(
    api: &Api<'_>,
    acting_as: String,
    g: &ResolvedGcp,
    dry_run: bool,
    changes: Vec<GcpChange>,
    mut notes: Vec<String>,
) -> GcpApplyReport {
    notes.extend(api.api.waits());
    GcpApplyReport { acting_as, service_account: g.service_account_email(), dry_run, changes, notes, http_calls: api.api.calls() }
}

/// The bindings of our service account, in a role the profile grants there and without a
/// condition, on the buckets and topics of the plan's project that the plan does not name (a
/// bucket or topic dropped from the plan): to remove. The service account is this integration's
/// own (its mark), so such a binding is an earlier plan's grant. Its other bindings there (another
/// role, a condition) are named and kept, and a list or policy that cannot be read is said, not
/// fatal: the plan's own grants do not wait on this clean-up. Buckets of other projects are found
/// through Cloud Asset Inventory ([`super::assets`]: the organization's, or the widest folder's the
/// sign-in may search); where it cannot be searched, a note says so. Revoke removes these too
/// before the account goes: Google can undelete a service account for 30 days, with its role
/// bindings.
async fn outside_plan(api: &Api<'_>, g: &ResolvedGcp) -> (Vec<GcpChange>, Vec<String>) {
    let member = format!("serviceAccount:{}", g.service_account_email());
    let mut notes = Vec::new();
    let mut resources: Vec<(String, GcpTarget, &[String])> = Vec::new();
    let looked = |what: &str, listed: Result<(Vec<String>, bool), CloudError>, notes: &mut Vec<String>| -> Vec<String> {
        match listed {
            Ok((names, truncated)) => {
                if truncated {
                    notes.push(format!("the project has more {what} than Trustbridge reads: those after them were not looked at for grants the plan no longer names"));
                }
                names
            }
            Err(e) => {
                notes.push(format!("{what} the plan no longer names were not looked at for the vendor's grants: {e}"));
                Vec::new()
            }
        }
    };
    let mut buckets = looked("buckets", super::list::bucket_names(api, &g.project_id).await, &mut notes);
    let topics = looked("topics", super::list::topic_names(api, &g.project_id).await, &mut notes);
    // Buckets of other projects (a plan may name any bucket), where Asset Inventory finds the account.
    if !g.profile.bucket_roles.is_empty() {
        let elsewhere = super::assets::buckets_binding(api, &g.project_id, &g.service_account_email()).await;
        notes.extend(elsewhere.notes);
        buckets.extend(elsewhere.buckets);
        buckets.sort();
        buckets.dedup();
    }
    for b in buckets.into_iter().filter(|b| !g.buckets.contains(b)) {
        resources.push((bucket_resource(&b), GcpTarget::Bucket { bucket: b }, &g.profile.bucket_roles));
    }
    for t in topics.into_iter().filter(|t| !g.topics.contains(t)) {
        let target = GcpTarget::Topic { project: g.project_id.clone(), topic: t.clone() };
        resources.push((topic_resource(&g.project_id, &t), target, &g.profile.topic_roles));
    }
    let mut changes = Vec::new();
    let reads = at_most(resources.iter().map(|(resource, _, _)| read_policy(api, resource)).collect(), CALLS_AT_ONCE).await;
    for ((resource, target, roles), read) in resources.iter().zip(reads) {
        let policy = match read {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(e) => {
                notes.push(format!("{resource} was not looked at for the vendor's grants: {e}"));
                continue;
            }
        };
        for b in policy["bindings"].as_array().into_iter().flatten() {
            if !b["members"].as_array().is_some_and(|m| m.iter().any(|x| *x == member.as_str())) {
                continue;
            }
            let role = b["role"].as_str().unwrap_or_default();
            if unconditional(b) && roles.iter().any(|r| r == role) {
                let binding = Binding { target: target.clone(), resource: resource.clone(), role: role.into(), member: member.clone() };
                let mut c = binding_change(GcpChangeKind::RemoveBinding, &binding);
                c.detail.push("the plan no longer names it".into());
                c.cleanup = true;
                changes.push(c);
            } else {
                notes.push(format!(
                        "{member} in role {role} on {resource} kept: the plan does not name it, and Trustbridge does not grant that{}; remove it in the console if the vendor should not have it",
                        if unconditional(b) { " role there" } else { " with a condition" }
                    ));
            }
        }
    }
    (changes, notes)
}

/// Creates or updates what the plan's GCP section needs, and removes our service account's grants
/// on the project's buckets and topics the plan no longer names ([`outside_plan`]). `dry_run`:
/// reads only.
pub async fn apply(r: &Resolved, cred: &AdminCredential, settings: &GcpSettings, dry_run: bool) -> Result<GcpApplyReport, GcpApplyFailure> {
    let g = gcp_section(r)?;
    let integration = &r.plan.integration.name;
    let m = model(g, integration);
    let (api, acting_as) = connect_billed(cred, settings, &g.project_id).await?;
    // The project number is read first (keyless only), so the bindings are concrete.
    let mut st = read_base(&api, g, &m, integration, false).await?;
    let bindings = concrete(&m, st.project_number.as_deref());
    read_bindings(&api, &mut st, &bindings, false).await?;
    let mut changes = plan_apply(g, &m, &st, &bindings);
    // A new service account holds nothing yet; an existing one's grants outside the plan go, after
    // the plan's own are made (the removals come last).
    let (removals, mut notes) = if st.sa == SaState::Ours { outside_plan(&api, g).await } else { (Vec::new(), Vec::new()) };
    changes.extend(removals);
    notes.extend(beyond_plan(&bindings, &st.policies, false));
    if dry_run || changes.is_empty() {
        return Ok(report(&api, acting_as, g, dry_run, changes, notes));
    }
    match execute(&api, g, &m, integration, changes).await {
        Ok((done, refused)) => {
            notes.extend(refused);
            Ok(report(&api, acting_as, g, false, done, notes))
        }
        Err(f) => Err(f.noted(notes)),
    }
}

/// Removes exactly what apply added: our member from each binding, the custom role when it
/// carries our mark and no one else is bound to it on the project or on any of the plan's
/// resources (Google keeps a deleted role 7 days, undeletable), the workload identity pool when it
/// carries our mark, and the service account (only ours). `dry_run`: reads only.
pub async fn revoke(
    r: &Resolved,
    cred: &AdminCredential,
    settings: &GcpSettings,
    dry_run: bool,
) -> Result<GcpApplyReport, GcpApplyFailure> {
    revoke_as(r, cred, settings, if dry_run { Removal::DryRun } else { Removal::Now }).await
}

/// [`revoke`] of exactly what the person confirmed (the first lines of the dry run's changes):
/// everything is read again, and when what would be removed now differs, nothing is removed
/// (`gcp.revoke_changed`).
pub async fn revoke_confirmed(
    r: &Resolved,
    cred: &AdminCredential,
    settings: &GcpSettings,
    confirmed: &[String],
) -> Result<GcpApplyReport, GcpApplyFailure> {
    revoke_as(r, cred, settings, Removal::Confirmed(confirmed)).await
}

async fn revoke_as(
    r: &Resolved,
    cred: &AdminCredential,
    settings: &GcpSettings,
    how: Removal<'_>,
) -> Result<GcpApplyReport, GcpApplyFailure> {
    let dry_run = how.dry_run();
    let g = gcp_section(r)?;
    let integration = &r.plan.integration.name;
    let m = model(g, integration);
    let (api, acting_as) = connect_billed(cred, settings, &g.project_id).await?;
    let mark = service_account_mark(integration);
    let mut st = read_base(&api, g, &m, integration, true).await?;
    if st.sa == SaState::Absent {
        let note = format!("no service account {}: nothing to revoke", g.service_account_email());
        return Ok(report(&api, acting_as, g, dry_run, vec![], vec![note]));
    }
    let bindings = concrete(&m, st.project_number.as_deref());
    read_bindings(&api, &mut st, &bindings, true).await?;
    let mut changes: Vec<GcpChange> =
        bindings.iter().zip(&st.bound).filter(|(_, has)| **has).map(|(b, _)| binding_change(GcpChangeKind::RemoveBinding, b)).collect();
    // What an earlier plan gave and this one no longer names goes too: Google can undelete a
    // service account for 30 days, with its role bindings.
    let (removals, mut notes) = outside_plan(&api, g).await;
    changes.extend(removals);
    notes.extend(beyond_plan(&bindings, &st.policies, true));
    if let (Some(r), Some(have)) = (&m.custom_role, &st.role) {
        let name = format!("projects/{}/roles/{}", g.project_id, r.id);
        let ours = format!("serviceAccount:{}", g.service_account_email());
        let mut others: Vec<String> = st
            .policies
            .iter()
            .flatten()
            .filter_map(|p| p["bindings"].as_array())
            .flatten()
            .filter(|b| b["role"] == name.as_str())
            .flat_map(|b| b["members"].as_array().cloned().unwrap_or_default())
            .filter_map(|x| x.as_str().map(str::to_string))
            .filter(|x| *x != ours)
            .collect();
        others.sort();
        others.dedup();
        if have["deleted"] == true {
        } else if !role_is_ours(have["description"].as_str().unwrap_or_default(), integration) {
            notes.push(format!("custom role {name} kept: Trustbridge did not create it for this integration (no mark in its description)"));
        } else if others.is_empty() {
            changes.push(GcpChange {
                kind: GcpChangeKind::DeleteRole,
                target: name,
                detail: vec!["Google keeps it 7 days: `gcloud iam roles undelete` brings it back".into()],
                binding: None,
                cleanup: false,
            });
        } else {
            notes.push(format!("custom role {name} kept: {} other member(s) still use it ({})", others.len(), others.join(", ")));
        }
    }
    if let (Some((_, _, pool)), Some(p)) = (&g.workload_identity, &st.pool) {
        if p["description"] == mark.as_str() && p["state"] != "DELETED" {
            changes.push(GcpChange {
                kind: GcpChangeKind::DeletePool,
                target: pool_name(g, pool),
                detail: vec![],
                binding: None,
                cleanup: false,
            });
        } else if p["state"] != "DELETED" {
            notes.push(format!("workload identity pool {pool} kept: Trustbridge did not create it for this integration"));
        }
    }
    changes.push(GcpChange {
        kind: GcpChangeKind::DeleteServiceAccount,
        target: g.service_account_email(),
        detail: vec![],
        binding: None,
        cleanup: false,
    });
    if dry_run {
        return Ok(report(&api, acting_as, g, true, changes, notes));
    }
    if !how.allows(&changes) {
        return Err(err(ApiFailure::RevokeChanged, "revoke", format!("service account {}", g.service_account_email())).into());
    }
    match execute(&api, g, &m, integration, changes).await {
        Ok((done, refused)) => {
            notes.extend(refused);
            Ok(report(&api, acting_as, g, false, done, notes))
        }
        Err(f) => Err(f.noted(notes)),
    }
}

pub use crate::changes::CreatedSecret;

/// Creates a key for the plan's service account (only ours, after apply) and returns the key file.
/// Organizations created since 2024 usually forbid keys (`iam.disableServiceAccountKeyCreation`):
/// then the error says to use keyless access instead.
pub async fn create_key(r: &Resolved, cred: &AdminCredential, settings: &GcpSettings) -> Result<CreatedSecret, CloudError> {
    let g = gcp_section(r)?;
    let (api, _) = connect(cred, settings).await?;
    let mark = service_account_mark(&r.plan.integration.name);
    let action = format!("create a key for service account {}", g.service_account_email());
    match read_sa(&api, g, &mark).await? {
        SaState::Ours => {}
        SaState::Absent => return Err(err(ApiFailure::NotFound, &action, "the service account does not exist: apply first".into())),
        SaState::Foreign(d) => return Err(err(ApiFailure::NotOurs, &action, format!("its description is '{d}', not '{mark}'"))),
    }
    let body = json!({"privateKeyType": "TYPE_GOOGLE_CREDENTIALS_FILE", "keyAlgorithm": "KEY_ALG_RSA_2048"});
    let a = api.call(reqwest::Method::POST, &format!("{}/keys", sa_url(&api, g)), Some(&body), &action).await?;
    if !(200..300).contains(&a.status) {
        let mut e = refusal(&action, &a);
        if let CloudError::Api { message, .. } = &mut e {
            if message.contains("disableServiceAccountKeyCreation") || message.contains("Key creation is not allowed") {
                message.push_str(" — the organization forbids service-account keys: use keyless access (Workload Identity Federation) if the vendor supports it, or ask your organization's administrator for an exception for this project");
            }
        }
        return Err(e);
    }
    use base64::Engine as _;
    let data = a.body["privateKeyData"].as_str().unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| err(ApiFailure::Api, &action, "the answer's privateKeyData is not base64".into()))?;
    let text = Sensitive::new(String::from_utf8(bytes).map_err(|_| err(ApiFailure::Api, &action, "the key file is not UTF-8".into()))?);
    let id = a.body["name"].as_str().and_then(|n| n.rsplit('/').next()).unwrap_or_default().to_string();
    Ok(CreatedSecret { id, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_a_binding_touches_only_that_member_in_that_role() {
        let mut p = json!({"etag": "BwX", "version": 3, "bindings": [
            {"role": "roles/storage.objectViewer", "members": ["user:a@x.com"]},
            {"role": "roles/storage.objectViewer", "members": ["serviceAccount:sa@p.iam.gserviceaccount.com"], "condition": {"title": "t", "expression": "true"}},
            {"role": "roles/owner", "members": ["user:o@x.com"]},
        ]});
        let member = "serviceAccount:sa@p.iam.gserviceaccount.com";
        // The conditional binding does not count: the unconditional one is what the plan grants.
        assert!(!has_binding(&p, "roles/storage.objectViewer", member));
        assert!(edit_binding(&mut p, "roles/storage.objectViewer", member, true));
        assert!(has_binding(&p, "roles/storage.objectViewer", member));
        assert!(!edit_binding(&mut p, "roles/storage.objectViewer", member, true), "adding twice changes nothing");
        assert_eq!(p["bindings"][0]["members"], json!(["user:a@x.com", member]));
        assert_eq!(p["etag"], "BwX", "the etag read is sent back");
        assert!(edit_binding(&mut p, "roles/storage.objectViewer", member, false));
        assert_eq!(p["bindings"][0]["members"], json!(["user:a@x.com"]));
        assert_eq!(p["bindings"][1]["condition"]["title"], "t", "the conditional binding is kept");
        assert_eq!(p["bindings"][2]["members"], json!(["user:o@x.com"]));
        // The last member of a binding takes the binding with it.
        let mut q = json!({"etag": "e"});
        assert!(edit_binding(&mut q, "roles/pubsub.publisher", member, true));
        assert!(edit_binding(&mut q, "roles/pubsub.publisher", member, false));
        assert_eq!(q["bindings"], json!([]));
    }

    #[test]
    fn the_provider_body_maps_the_aws_role_and_admits_only_it() {
        let b = provider_body("210987654321", "vendor-role");
        assert_eq!(b["aws"]["accountId"], "210987654321");
        assert_eq!(b["attributeMapping"]["google.subject"], "assertion.arn");
        assert!(b["attributeMapping"]["attribute.aws_role"].as_str().unwrap().contains("assumed-role"));
        assert_eq!(b["attributeMapping"].as_object().unwrap().len(), 2);
        assert_eq!(b["attributeCondition"], "attribute.aws_role=='arn:aws:sts::210987654321:assumed-role/vendor-role'");
    }
}
