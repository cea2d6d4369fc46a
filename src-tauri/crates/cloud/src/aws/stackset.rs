//! The `stack-set` engine from this app: the StackSet `export` writes (`render::stackset`), deployed
//! with the management (or delegated-administrator) account's credentials through CloudFormation's
//! own API — created (or updated when it exists), its stacks deployed to the plan's organizational
//! units with automatic deployment for accounts that join later, the operation followed until it
//! ends, and each account's stack reported; the management account, which a service-managed
//! StackSet never deploys to, gets the same template as a plain stack when the plan lists it.
//! Revoke deletes the stacks of the OUs, then the StackSet, then that plain stack.
//!
//! Signed in to a delegated administrator (an account the management account registered for
//! StackSets), every StackSet call says so (`CallAs=DELEGATED_ADMIN`, read from who the
//! organization's management account is); a delegated administrator cannot reach the management
//! account, so a plan that lists it is refused before any change.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::types::{
    AutoDeployment, CallAs, Capability, ConcurrencyMode, DeploymentTargets, PermissionModels, StackSetOperationPreferences,
    StackSetOperationStatus, StackStatus,
};
use aws_sdk_cloudformation::Client;
use aws_sdk_iam::error::ProvideErrorMetadata;
use serde::Serialize;
use trustbridge_core::render::stackset::{stack_set_name, template_yaml};
use trustbridge_core::validate::{OrgEngine, Resolved, ResolvedOrg};

use super::{AwsSettings, CallerIdentity, Session};
use crate::error::CloudError;

/// One account's stack of the StackSet, as CloudFormation reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackInstance {
    pub account_id: String,
    /// `SUCCEEDED`, `FAILED`, `CANCELLED`, `INOPERABLE`, `PENDING`, `RUNNING`, …
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the StackSet engine did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize)]
pub struct StackSetReport {
    pub caller: CallerIdentity,
    pub stack_set: String,
    pub region: String,
    pub dry_run: bool,
    /// The StackSet existed when this began (read first, also in a dry run).
    pub existed: bool,
    /// What was (or would be) done, one line each: "create the StackSet …", "deploy its stacks to …".
    pub steps: Vec<String>,
    /// The StackSet operation's end: `SUCCEEDED`, `FAILED` or `STOPPED` (none in a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_status: Option<String>,
    /// Each account's stack after the operation (in a dry run, the stacks as they are now).
    pub instances: Vec<StackInstance>,
    /// The management account's own stack, when the plan lists it: its status after the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_stack: Option<String>,
    /// The listed accounts the StackSet must reach (every listed account but the management one).
    pub expected: Vec<String>,
    /// How the signed-in account calls StackSets: `SELF` (the management account) or
    /// `DELEGATED_ADMIN`.
    pub call_as: String,
    /// The organization's management account.
    pub management_account: String,
}

impl StackSetReport {
    /// The StackSet's stacks that did not succeed.
    pub fn failed(&self) -> Vec<&StackInstance> {
        self.instances.iter().filter(|i| i.status != "SUCCEEDED").collect()
    }
    /// Listed accounts without a stack that succeeded (not in the organizational units, or failed).
    pub fn unreached(&self) -> Vec<&str> {
        self.expected
            .iter()
            .filter(|a| !self.instances.iter().any(|i| &i.account_id == *a && i.status == "SUCCEEDED"))
            .map(String::as_str)
            .collect()
    }
    /// A removal ended well: no account's stack is left, its operation (if any) succeeded, and the
    /// management account's stack (if any) is gone.
    pub fn removed(&self) -> bool {
        self.instances.is_empty()
            && self.operation_status.as_deref().is_none_or(|s| s == "SUCCEEDED")
            && self.management_stack.as_deref().is_none_or(|s| s == "DELETE_COMPLETE")
    }
    /// Everything ended well: the operation, every account's stack, every listed account reached,
    /// and the management stack.
    pub fn ok(&self) -> bool {
        self.dry_run
            || (self.operation_status.as_deref().is_none_or(|s| s == "SUCCEEDED")
                && !self.instances.is_empty()
                && self.failed().is_empty()
                && self.unreached().is_empty()
                && self.management_stack.as_deref().is_none_or(|s| s.ends_with("_COMPLETE") && !s.contains("ROLLBACK")))
    }
}

/// How long a StackSet operation or a stack change is followed, and how often it is asked about.
const FOLLOW_FOR: Duration = Duration::from_secs(30 * 60);
const POLL_FIRST: Duration = Duration::from_millis(200);
const POLL_MAX: Duration = Duration::from_secs(10);

fn org(r: &Resolved) -> Result<&ResolvedOrg, CloudError> {
    r.aws_org.as_ref().filter(|o| o.engine == OrgEngine::StackSet).ok_or(CloudError::NoSection { cloud: "aws" })
}

/// The signed-in account's clients, checked to be the plan's, and how it calls StackSets.
struct Admin {
    s: Session,
    cfn: Client,
    caller: CallerIdentity,
    /// `SELF` when the signed-in account is the organization's management account, else
    /// `DELEGATED_ADMIN`.
    call_as: CallAs,
    /// The organization's management account (`DescribeOrganization`, which every member may call).
    management: String,
}

impl Admin {
    fn is_management(&self) -> bool {
        self.call_as == CallAs::SelfValue
    }
}

async fn connect(r: &Resolved, o: &ResolvedOrg, settings: &AwsSettings) -> Result<Admin, CloudError> {
    let region = r.plan.aws.as_ref().map(|a| a.region.clone()).unwrap_or_default();
    let s = Session::for_region(&region, settings).await;
    let me = s.caller_identity().await?;
    if me.account != o.management_account_id {
        return Err(CloudError::AccountMismatch { expected: o.management_account_id.clone(), actual: me.account, arn: me.arn });
    }
    let orgs = aws_sdk_organizations::Client::new(&s.conf);
    let action = "organizations:DescribeOrganization";
    let described = s.call(action, || async { orgs.describe_organization().send().await.map_err(|e| s.classify(action, e)) }).await?;
    let management = described.organization().and_then(|x| x.master_account_id()).filter(|m| !m.is_empty()).map(str::to_string).ok_or_else(
        || CloudError::Service {
            action: action.into(),
            code: "NoManagementAccount".into(),
            message: "the organization's description names no management account, so whether these credentials act as it or as a delegated administrator is unknown".into(),
        },
    )?;
    let call_as = if management == me.account { CallAs::SelfValue } else { CallAs::DelegatedAdmin };
    // A delegated administrator cannot reach the management account: StackSets never deploy
    // there, and its plain stack needs the management account's own credentials.
    if call_as == CallAs::DelegatedAdmin && o.accounts.iter().any(|a| a.account_id == management) {
        return Err(CloudError::ManagementUnreachable { management, signed_in: me.account });
    }
    let cfn = Client::new(&s.conf);
    Ok(Admin { s, cfn, caller: me, call_as, management })
}

fn targets(o: &ResolvedOrg) -> DeploymentTargets {
    DeploymentTargets::builder().set_organizational_unit_ids(Some(o.organizational_units.clone())).build()
}

/// Up to `max_concurrency` accounts at once. Soft failure tolerance: under CloudFormation's default
/// (strict) mode the concurrency is capped at the failure tolerance + 1, one account at a time here.
fn preferences(o: &ResolvedOrg) -> StackSetOperationPreferences {
    StackSetOperationPreferences::builder()
        .max_concurrent_count(o.max_concurrency as i32)
        .failure_tolerance_count(0)
        .concurrency_mode(ConcurrencyMode::SoftFailureTolerance)
        .build()
}

/// Checks, before anything else is read or changed, that the signed-in account may run the plan's
/// StackSet: it is the plan's account, and — as a delegated administrator — the plan does not list
/// the organization's management account (`aws.management_unreachable`). The CLI runs it before
/// pre-flight, so that refusal is not hidden behind pre-flight's.
pub async fn check_signed_in(r: &Resolved, settings: &AwsSettings) -> Result<(), CloudError> {
    connect(r, org(r)?, settings).await.map(|_| ())
}

/// The listed accounts the StackSet must reach: all but the management account (never deployed to).
fn expected(o: &ResolvedOrg, management: &str) -> Vec<String> {
    o.accounts.iter().filter(|a| a.account_id != management).map(|a| a.account_id.clone()).collect()
}

/// The management account's plain stack is ours to deploy: signed in to it, and it is listed.
fn deploys_management_stack(o: &ResolvedOrg, a: &Admin) -> bool {
    a.is_management() && o.accounts.iter().any(|x| x.account_id == a.management)
}

fn auto_deployment() -> AutoDeployment {
    AutoDeployment::builder().enabled(true).retain_stacks_on_account_removal(false).build()
}

/// Whether the StackSet exists (its absence is the service's `StackSetNotFoundException`), and the
/// organizational units it targets when CloudFormation says.
async fn exists(a: &Admin, name: &str) -> Result<Option<Option<Vec<String>>>, CloudError> {
    let (s, cfn) = (&a.s, &a.cfn);
    let action = "cloudformation:DescribeStackSet";
    match cfn.describe_stack_set().stack_set_name(name).call_as(a.call_as.clone()).send().await {
        Ok(out) => Ok(Some(out.stack_set().and_then(|x| x.organizational_unit_ids.clone()))),
        Err(e) if e.as_service_error().and_then(|x| x.code()) == Some("StackSetNotFoundException") => Ok(None),
        Err(e) => Err(s.classify(action, e)),
    }
}

/// Asks `check` until it has an answer, waiting longer between asks (bounded by [`FOLLOW_FOR`]).
async fn until_done<T, F, Fut>(what: &str, mut check: F) -> Result<T, CloudError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, CloudError>>,
{
    let started = Instant::now();
    let mut wait = POLL_FIRST;
    loop {
        if let Some(done) = check().await? {
            return Ok(done);
        }
        if started.elapsed() > FOLLOW_FOR {
            return Err(CloudError::Timeout { action: what.to_string(), after: FOLLOW_FOR });
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(POLL_MAX);
    }
}

/// Told of each account's stack as its status changes while an operation is followed (live
/// progress for the CLI; the report at the end is the record).
pub type StackProgress<'a> = &'a (dyn Fn(&StackInstance) + Sync);

/// Follows a StackSet operation until it ends (bounded), then its status. On every ask the
/// StackSet's stacks are listed too, and each one whose status changed is told to `progress` (a
/// listing that fails is only not shown: the stacks are listed again for the report).
async fn follow(a: &Admin, name: &str, operation: &str, progress: StackProgress<'_>) -> Result<String, CloudError> {
    let (s, cfn) = (&a.s, &a.cfn);
    let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let started = Instant::now();
    let mut wait = POLL_FIRST;
    loop {
        let out = s
            .call("cloudformation:DescribeStackSetOperation", || async {
                cfn.describe_stack_set_operation()
                    .stack_set_name(name)
                    .operation_id(operation)
                    .call_as(a.call_as.clone())
                    .send()
                    .await
                    .map_err(|e| s.classify("cloudformation:DescribeStackSetOperation", e))
            })
            .await?;
        if let Ok(now) = instances(a, name).await {
            for i in now {
                if seen.get(&i.account_id) != Some(&i.status) {
                    progress(&i);
                    seen.insert(i.account_id.clone(), i.status.clone());
                }
            }
        }
        if let Some(done @ (StackSetOperationStatus::Succeeded | StackSetOperationStatus::Failed | StackSetOperationStatus::Stopped)) =
            out.stack_set_operation().and_then(|o| o.status())
        {
            return Ok(done.as_str().to_string());
        }
        if started.elapsed() > FOLLOW_FOR {
            return Err(CloudError::Timeout { action: format!("StackSet operation {operation}"), after: FOLLOW_FOR });
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(POLL_MAX);
    }
}

/// Every stack of the StackSet (all pages).
async fn instances(a: &Admin, name: &str) -> Result<Vec<StackInstance>, CloudError> {
    let (s, cfn) = (&a.s, &a.cfn);
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    // Bounded: 100 pages of up to 100 stacks.
    for _ in 0..100 {
        let page = s
            .call("cloudformation:ListStackInstances", || async {
                cfn.list_stack_instances()
                    .stack_set_name(name)
                    .call_as(a.call_as.clone())
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|e| s.classify("cloudformation:ListStackInstances", e))
            })
            .await?;
        for i in page.summaries() {
            out.push(StackInstance {
                account_id: i.account().unwrap_or_default().to_string(),
                status: i
                    .stack_instance_status()
                    .and_then(|x| x.detailed_status())
                    .map(|x| x.as_str().to_string())
                    .or_else(|| i.status().map(|x| x.as_str().to_string()))
                    .unwrap_or_default(),
                reason: i.status_reason().map(str::to_string),
            });
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    Ok(out)
}

/// The management account's plain stack: its status, or `None` when it does not exist.
async fn stack_status(s: &Session, cfn: &Client, name: &str) -> Result<Option<StackStatus>, CloudError> {
    match cfn.describe_stacks().stack_name(name).send().await {
        Ok(out) => Ok(out.stacks().first().and_then(|x| x.stack_status()).cloned()),
        // CloudFormation says a stack that does not exist with a ValidationError.
        Err(e) if e.as_service_error().and_then(|x| x.code()) == Some("ValidationError") => Ok(None),
        Err(e) => Err(s.classify("cloudformation:DescribeStacks", e)),
    }
}

/// Follows the management account's stack until it is no longer in progress (bounded).
async fn settle(s: &Session, cfn: &Client, name: &str) -> Result<Option<StackStatus>, CloudError> {
    until_done(&format!("stack {name}"), || async {
        let status = stack_status(s, cfn, name).await?;
        let busy = status.as_ref().is_some_and(|x| x.as_str().ends_with("_IN_PROGRESS"));
        Ok((!busy).then_some(status))
    })
    .await
}

/// Deploys (or, with `dry_run`, describes) the StackSet of an organization-wide plan.
pub async fn apply_stack_set(
    r: &Resolved,
    settings: &AwsSettings,
    dry_run: bool,
    progress: StackProgress<'_>,
) -> Result<StackSetReport, CloudError> {
    let o = org(r)?;
    let template = template_yaml(r).ok_or(CloudError::NoSection { cloud: "aws" })?;
    let a = connect(r, o, settings).await?;
    let (s, cfn) = (&a.s, &a.cfn);
    let name = stack_set_name(r);
    let region = s.region.clone();
    let held = exists(&a, &name).await?;
    let existed = held.is_some();
    let ous = o.organizational_units.join(", ");
    let management = deploys_management_stack(o, &a);
    let mut steps = if existed {
        vec![format!("update the StackSet {name} to the plan's template (every account's stack follows)")]
    } else {
        vec![
            format!("create the StackSet {name} (service-managed, automatic deployment to accounts that join {ous})"),
            format!("deploy its stacks to every account of {ous} in {region}, {} at a time", o.max_concurrency),
        ]
    };
    if !a.is_management() {
        steps.insert(
            0,
            format!("act as a delegated administrator of the organization for StackSets (its management account is {})", a.management),
        );
    }
    if management {
        steps.push(format!("deploy the same template as the stack {name} in the management account {}", a.management));
    }
    let mut report = StackSetReport {
        caller: a.caller.clone(),
        stack_set: name.clone(),
        region: region.clone(),
        dry_run,
        existed,
        steps,
        operation_status: None,
        instances: Vec::new(),
        management_stack: None,
        expected: expected(o, &a.management),
        call_as: a.call_as.as_str().to_string(),
        management_account: a.management.clone(),
    };
    if dry_run {
        report.instances = if existed { instances(&a, &name).await? } else { Vec::new() };
        return Ok(report);
    }
    let operation = if existed {
        let out = s
            .call("cloudformation:UpdateStackSet", || async {
                cfn.update_stack_set()
                    .stack_set_name(&name)
                    .call_as(a.call_as.clone())
                    .template_body(&template)
                    .permission_model(PermissionModels::ServiceManaged)
                    .auto_deployment(auto_deployment())
                    .capabilities(Capability::CapabilityNamedIam)
                    .operation_preferences(preferences(o))
                    .send()
                    .await
                    .map_err(|e| s.classify("cloudformation:UpdateStackSet", e))
            })
            .await?;
        out.operation_id().unwrap_or_default().to_string()
    } else {
        s.call("cloudformation:CreateStackSet", || async {
            cfn.create_stack_set()
                .stack_set_name(&name)
                .call_as(a.call_as.clone())
                .template_body(&template)
                .permission_model(PermissionModels::ServiceManaged)
                .auto_deployment(auto_deployment())
                .capabilities(Capability::CapabilityNamedIam)
                .send()
                .await
                .map_err(|e| s.classify("cloudformation:CreateStackSet", e))
        })
        .await?;
        let out = s
            .call("cloudformation:CreateStackInstances", || async {
                cfn.create_stack_instances()
                    .stack_set_name(&name)
                    .call_as(a.call_as.clone())
                    .deployment_targets(targets(o))
                    .regions(&region)
                    .operation_preferences(preferences(o))
                    .send()
                    .await
                    .map_err(|e| s.classify("cloudformation:CreateStackInstances", e))
            })
            .await?;
        out.operation_id().unwrap_or_default().to_string()
    };
    report.operation_status = Some(follow(&a, &name, &operation, progress).await?);
    report.instances = instances(&a, &name).await?;
    // An existing StackSet: deploy to the plan's organizational units it does not target yet (added
    // to the plan, or a first deployment that failed). When CloudFormation does not say which it
    // targets, they are missing if a listed account has no stack.
    if let Some(targeted) = held {
        let missing: Vec<String> = match targeted {
            Some(t) => o.organizational_units.iter().filter(|u| !t.contains(u)).cloned().collect(),
            None if !report.unreached().is_empty() => o.organizational_units.clone(),
            None => Vec::new(),
        };
        if !missing.is_empty() && report.operation_status.as_deref() == Some("SUCCEEDED") {
            report.steps.push(format!("deploy its stacks to every account of {} in {region}", missing.join(", ")));
            let out = s
                .call("cloudformation:CreateStackInstances", || async {
                    cfn.create_stack_instances()
                        .stack_set_name(&name)
                        .call_as(a.call_as.clone())
                        .deployment_targets(DeploymentTargets::builder().set_organizational_unit_ids(Some(missing.clone())).build())
                        .regions(&region)
                        .operation_preferences(preferences(o))
                        .send()
                        .await
                        .map_err(|e| s.classify("cloudformation:CreateStackInstances", e))
                })
                .await?;
            report.operation_status = Some(follow(&a, &name, out.operation_id().unwrap_or_default(), progress).await?);
            report.instances = instances(&a, &name).await?;
        }
    }
    if management {
        report.management_stack = Some(deploy_management_stack(s, cfn, &name, &template).await?);
    }
    Ok(report)
}

/// The plain stack in the management account: created, or updated (no change is not an error).
async fn deploy_management_stack(s: &Session, cfn: &Client, name: &str, template: &str) -> Result<String, CloudError> {
    match settle(s, cfn, name).await? {
        None => {
            s.call("cloudformation:CreateStack", || async {
                cfn.create_stack()
                    .stack_name(name)
                    .template_body(template)
                    .capabilities(Capability::CapabilityNamedIam)
                    .send()
                    .await
                    .map_err(|e| s.classify("cloudformation:CreateStack", e))
            })
            .await?;
        }
        Some(_) => {
            let updated =
                cfn.update_stack().stack_name(name).template_body(template).capabilities(Capability::CapabilityNamedIam).send().await;
            match updated {
                Ok(_) => {}
                // "No updates are to be performed": the stack already is the template.
                Err(e) if e.as_service_error().and_then(|x| x.message()).is_some_and(|m| m.contains("No updates")) => {}
                Err(e) => return Err(s.classify("cloudformation:UpdateStack", e)),
            }
        }
    }
    Ok(settle(s, cfn, name).await?.map(|x| x.as_str().to_string()).unwrap_or_default())
}

/// Removes the StackSet: its stacks in the OUs' accounts (the roles go with them), then the
/// StackSet, then the management account's plain stack. A StackSet that does not exist is nothing to
/// remove.
pub async fn revoke_stack_set(r: &Resolved, settings: &AwsSettings, progress: StackProgress<'_>) -> Result<StackSetReport, CloudError> {
    let o = org(r)?;
    let a = connect(r, o, settings).await?;
    let (s, cfn) = (&a.s, &a.cfn);
    let name = stack_set_name(r);
    let region = s.region.clone();
    let mut report = StackSetReport {
        caller: a.caller.clone(),
        stack_set: name.clone(),
        region: region.clone(),
        dry_run: false,
        existed: false,
        steps: Vec::new(),
        operation_status: None,
        instances: Vec::new(),
        management_stack: None,
        expected: Vec::new(),
        call_as: a.call_as.as_str().to_string(),
        management_account: a.management.clone(),
    };
    report.existed = exists(&a, &name).await?.is_some();
    if report.existed {
        let out = s
            .call("cloudformation:DeleteStackInstances", || async {
                cfn.delete_stack_instances()
                    .stack_set_name(&name)
                    .call_as(a.call_as.clone())
                    .deployment_targets(targets(o))
                    .regions(&region)
                    .retain_stacks(false)
                    .operation_preferences(preferences(o))
                    .send()
                    .await
                    .map_err(|e| s.classify("cloudformation:DeleteStackInstances", e))
            })
            .await?;
        let status = follow(&a, &name, out.operation_id().unwrap_or_default(), progress).await?;
        report.steps.push(format!("deleted the stacks of {} ({status})", o.organizational_units.join(", ")));
        report.instances = instances(&a, &name).await?;
        report.operation_status = Some(status);
        if report.instances.is_empty() {
            s.call("cloudformation:DeleteStackSet", || async {
                cfn.delete_stack_set()
                    .stack_set_name(&name)
                    .call_as(a.call_as.clone())
                    .send()
                    .await
                    .map_err(|e| s.classify("cloudformation:DeleteStackSet", e))
            })
            .await?;
            report.steps.push(format!("deleted the StackSet {name}"));
        } else {
            report.steps.push(format!("kept the StackSet {name}: {} account stack(s) remain", report.instances.len()));
        }
    }
    if deploys_management_stack(o, &a) && stack_status(s, cfn, &name).await?.is_some() {
        s.call("cloudformation:DeleteStack", || async {
            cfn.delete_stack().stack_name(&name).send().await.map_err(|e| s.classify("cloudformation:DeleteStack", e))
        })
        .await?;
        let left = settle(s, cfn, &name).await?;
        report.management_stack = Some(left.map(|x| x.as_str().to_string()).unwrap_or_else(|| "DELETE_COMPLETE".into()));
        report.steps.push(format!("deleted the stack {name} in the management account"));
    }
    Ok(report)
}
