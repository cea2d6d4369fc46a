//! Tauri commands of an organization-wide AWS plan with the `stack-set` engine: deploy the
//! StackSet (or its dry run) after pre-flight in every listed account, and remove it. The work is
//! `trustbridge_app::confirmed_org` (asked through Rust's native dialog here), on
//! `org_apply::apply_stack_set` (the CLI's too) and the cloud crate's `aws::stackset`; these adapt
//! arguments and shape the answer. Each account's stack is sent through the channel as its status
//! changes.

use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use trustbridge_cloud::aws::org::AccountOutcome;
use trustbridge_cloud::aws::preflight::PreflightReport;
use trustbridge_cloud::aws::stackset::{StackInstance, StackSetReport};

use crate::commands::resolve;
use crate::commands_cloud::{apply_error, CloudState, Dialog};
use crate::confirmed_org;
use crate::imported::ProfileStore;
use crate::ipc::{GuardrailFinding, IpcError, OrgAccountRow, OrgAccountStatus, StackInstanceRow, StackSetResult};

/// A listed account's pre-flight as a row of the page's table (no changes: the StackSet makes them).
fn preflight_row(o: &AccountOutcome<PreflightReport>) -> OrgAccountRow {
    let (status, preflight, error) = match (o.ok(), o.failure()) {
        (Some(rep), _) => {
            let blocking = trustbridge_core::guardrail::blocking(&rep.findings).count() > 0;
            let status = if blocking { OrgAccountStatus::Blocked } else { OrgAccountStatus::Done };
            (status, rep.findings.iter().map(GuardrailFinding::from).collect(), None)
        }
        (None, f) => (OrgAccountStatus::Failed, Vec::new(), f.map(apply_error)),
    };
    OrgAccountRow {
        account_id: o.account_id.clone(),
        via_role: o.via_role.clone(),
        status,
        role_arn: None,
        changes: Vec::new(),
        preflight,
        error,
    }
}

fn result(dry_run: bool, preflight: Vec<OrgAccountRow>, report: Option<&StackSetReport>, removal: bool) -> StackSetResult {
    let Some(rep) = report else {
        return StackSetResult {
            dry_run,
            stopped: true,
            preflight,
            stack_set: String::new(),
            exists: false,
            steps: Vec::new(),
            operation_status: None,
            instances: Vec::new(),
            management_stack: None,
            unreached: Vec::new(),
            ok: false,
        };
    };
    StackSetResult {
        dry_run,
        stopped: false,
        preflight,
        stack_set: rep.stack_set.clone(),
        exists: rep.existed,
        steps: rep.steps.clone(),
        operation_status: rep.operation_status.clone(),
        instances: rep.instances.iter().map(StackInstanceRow::from).collect(),
        management_stack: rep.management_stack.clone(),
        unreached: if removal || rep.dry_run { Vec::new() } else { rep.unreached().into_iter().map(str::to_string).collect() },
        // A removal is done only when no account's stack is left.
        ok: if removal { rep.removed() } else { rep.ok() },
    }
}

/// Deploys the plan's StackSet (or, with `dry_run`, says what it would do and what pre-flight
/// finds in each listed account). Deploying first checks the credentials are the plan's account's
/// and needs the person's yes in a native dialog Rust builds from the validated plan
/// (`confirm::apply_aws_stack_set`; Cancel: `apply.cancelled`, nothing deployed). A blocking
/// finding in any listed account stops the StackSet (`stopped`, the findings in the rows) unless
/// `ignore_preflight` ("Apply anyway"): then pre-flight runs first, the dialog names each blocking
/// finding with its account, and only those are gone past.
#[tauri::command]
pub async fn apply_aws_stack_set<R: Runtime>(
    app: AppHandle<R>,
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    dry_run: bool,
    ignore_preflight: Option<bool>,
    on_event: Channel<StackInstanceRow>,
) -> Result<StackSetResult, IpcError> {
    let send = move |i: &StackInstance| {
        let _ = on_event.send(StackInstanceRow::from(i));
    };
    let done =
        confirmed_org::stack_set_apply(resolve(&store, &plan)?, cloud.aws(), dry_run, ignore_preflight == Some(true), &Dialog(&app), send)
            .await?;
    Ok(result(dry_run, done.preflight.iter().map(preflight_row).collect(), done.report.as_ref(), false))
}

/// Removes the plan's StackSet: after the person's yes in a native dialog naming the StackSet and
/// its units (`confirm::revoke_aws_stack_set`; Cancel: `revoke.cancelled`, nothing removed), the
/// stacks of the units go (the role with each), then the StackSet, then the management account's
/// own stack. A stack CloudFormation cannot delete keeps the StackSet: `ok` is false and the
/// instances say which.
#[tauri::command]
pub async fn revoke_aws_stack_set<R: Runtime>(
    app: AppHandle<R>,
    cloud: State<'_, CloudState>,
    store: State<'_, ProfileStore>,
    plan: serde_json::Value,
    on_event: Channel<StackInstanceRow>,
) -> Result<StackSetResult, IpcError> {
    let send = move |i: &StackInstance| {
        let _ = on_event.send(StackInstanceRow::from(i));
    };
    let rep = confirmed_org::stack_set_revoke(resolve(&store, &plan)?, cloud.aws(), &Dialog(&app), send).await?;
    Ok(result(false, Vec::new(), Some(&rep), true))
}
