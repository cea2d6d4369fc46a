//! An organization-wide plan with the `stack-set` engine: one CloudFormation template for a
//! service-managed StackSet over the plan's organizational units, and the commands that deploy and
//! remove it (`aws/stackset/deploy.sh`, `revoke.sh`, and Terraform's `stackset.tf`).
//!
//! Every account of the OUs gets the vendor's role with its trust (the same role, trust and
//! external id as a single-account plan), including accounts that join an OU later (automatic
//! deployment). Each account listed in the plan also gets its own storage and events policies: the
//! template holds every listed account's documents, each under a condition on `AWS::AccountId`, so
//! one template serves all accounts and no account ever receives another's grants. A service-managed
//! StackSet never deploys to the management account; when the plan lists it, `deploy.sh` deploys the
//! same template there as a plain stack.
//!
//! Why conditions on `AWS::AccountId` and not per-account parameter overrides (what the issue that
//! asked for this engine suggested): with overrides, an account's buckets and buses would live in
//! `OverrideParameters` of `CreateStackInstances` / `UpdateStackInstances`, outside the template —
//! a security team reviewing the export would have to read the template and every override call
//! to know who gets what, each account's grant would be a separate StackSet operation (overrides
//! apply to every stack the call targets, so one account's values need a call of their own), and an override
//! forgotten on a re-run silently falls back to the template's defaults. Here every grant of every
//! account is in the one template (read back by cfn-lint and CloudFormation on moto in the tests),
//! one operation deploys them all, and an account the plan does not list — including one that joins
//! an OU later — gets the role and its trust only, never a default grant.

use serde_json::{json, Map, Value};

use crate::model::RoleSet;
use crate::render::aws_iac::{cfn_value, CFN_BODY_MAX};
use crate::render::cfn::{stack_name, sub, Pseudo};
use crate::render::sh::{lit, render_words as render, var, Script, Word};
use crate::render::terraform::hcl_str;
use crate::render::yaml::to_yaml;
use crate::validate::{OrgEngine, Resolved, ResolvedOrg};

/// The template's file name, beside `deploy.sh` in `aws/stackset/`.
pub const TEMPLATE_FILE: &str = "stackset.yaml";

/// A CloudFormation logical id for an account's inline policy: the policy's name in capitalised
/// words (`trustbridge-storage-read` → `TrustbridgeStorageRead`) and the account id. Each of an
/// account's policies has its own, whatever the renderers of single-account plans call them.
fn policy_id(name: &str, account: &str) -> String {
    let words: String = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        })
        .collect();
    format!("{words}{account}")
}

/// The condition that selects an account's grants. Named by the account id, like its resources:
/// logical ids are deployment state, so adding or removing an account in the plan never renames
/// another account's resources (a renamed one would be replaced, and its replacement's inline policy,
/// of the same name, deleted with the old one).
fn condition(account: &str) -> String {
    format!("InAccount{account}")
}

/// The StackSet template as a value (tests read it back after YAML parsing); `None` unless the plan
/// uses the stack-set engine.
pub fn template_value(r: &Resolved) -> Option<Value> {
    let o = r.aws_org.as_ref().filter(|o| o.engine == OrgEngine::StackSet)?;
    let first = o.accounts.first()?;
    let base = RoleSet::from_vendor(&r.for_account(first))?;
    let role = base.roles.first()?;
    let mut t = cfn_value(&base);
    // The role and its trust are every account's; the grants below are per account.
    if let Some(props) = t.pointer_mut(&format!("/Resources/{}/Properties", role.iac.cfn)).and_then(Value::as_object_mut) {
        props.remove("Policies");
    }
    let mut conditions = Map::new();
    let mut grants = Map::new();
    for a in &o.accounts {
        let Some(set) = RoleSet::from_vendor(&r.for_account(a)) else { continue };
        let Some(own) = set.roles.first() else { continue };
        conditions.insert(condition(&a.account_id), json!({"Fn::Equals": [{"Ref": "AWS::AccountId"}, a.account_id]}));
        // The account's own id becomes `AWS::AccountId`; its region stays literal (the StackSet
        // deploys in one region, the account's buckets and buses may be elsewhere).
        let ps = Pseudo {
            partition: &a.partition.name,
            account: &a.account_id,
            region: "-",
            dns_suffix: a.partition.dns_suffix(),
            external_id: a.external_id.as_deref(),
        };
        for d in &own.inline {
            let policy = serde_json::to_value(&d.policy).unwrap_or(Value::Null);
            grants.insert(
                policy_id(&d.name, &a.account_id),
                json!({"Type": "AWS::IAM::Policy", "Condition": condition(&a.account_id), "Properties": {
                    "PolicyName": d.name,
                    "PolicyDocument": sub(&policy, &ps),
                    "Roles": [{"Ref": role.iac.cfn}],
                }}),
            );
        }
    }
    if let Some(m) = t.as_object_mut() {
        // Keep the key order readable: conditions before resources.
        let resources = m.remove("Resources");
        let outputs = m.remove("Outputs");
        m.insert("Conditions".into(), Value::Object(conditions));
        if let Some(Value::Object(mut res)) = resources {
            res.extend(grants);
            m.insert("Resources".into(), Value::Object(res));
        }
        if let Some(out) = outputs {
            m.insert("Outputs".into(), out);
        }
        m.insert("Description".into(), json!(format!("{} (StackSet over an AWS Organization)", base.iac.title)));
    }
    Some(t)
}

/// The StackSet's name (and the management account's stack's).
pub fn stack_set_name(r: &Resolved) -> String {
    stack_name(r)
}

/// `aws/stackset/stackset.yaml`.
pub fn template_yaml(r: &Resolved) -> Option<String> {
    let body = to_yaml(&template_value(r)?);
    let mut s = String::from("# Generated by Trustbridge from plan.json: the StackSet template; deploy it with deploy.sh next to it.\n");
    s.push_str("# Every account of the organizational units gets the role; each account listed in the plan also gets its own grants.\n");
    if s.len() + body.len() > CFN_BODY_MAX {
        s.push_str(&format!("# Over {CFN_BODY_MAX} bytes: CloudFormation takes a template this size only from S3 (--template-url).\n"));
    }
    Some(s + &body)
}

fn org(r: &Resolved) -> Option<&ResolvedOrg> {
    r.aws_org.as_ref().filter(|o| o.engine == OrgEngine::StackSet)
}

/// The region the StackSet deploys its stacks in (IAM is global; the plan's region).
fn region(r: &Resolved) -> String {
    r.plan.aws.as_ref().map(|a| a.region.clone()).unwrap_or_default()
}

/// Sets `MANAGEMENT` (the organization's management account) and `CALL_AS`: `SELF` when the
/// script runs in it, else `DELEGATED_ADMIN` (an account the management account registered for
/// StackSets), which every StackSet call then says. A delegated administrator cannot reach the
/// management account, so when the plan lists it the script stops before any change.
fn call_as(s: &mut Script, o: &ResolvedOrg) {
    let listed: Vec<&str> = o.accounts.iter().map(|a| a.account_id.as_str()).collect();
    s.capture(
        "MANAGEMENT",
        &[
            lit("aws"),
            lit("organizations"),
            lit("describe-organization"),
            lit("--query"),
            lit("Organization.MasterAccountId"),
            lit("--output"),
            lit("text"),
        ],
    )
    .raw("if [ \"$MANAGEMENT\" = \"$ACCOUNT\" ]; then CALL_AS=SELF; else CALL_AS=DELEGATED_ADMIN; fi")
    .set("LISTED", &format!(" {} ", listed.join(" ")))
    .raw("if [ \"$CALL_AS\" = DELEGATED_ADMIN ]; then")
    .raw("  case \"$LISTED\" in *\" $MANAGEMENT \"*)")
    .raw("    echo \"Account $ACCOUNT is a delegated administrator, and the plan lists the organization's management account $MANAGEMENT, which only the management account itself can set up: remove it from the plan's accounts, or run this in the management account.\" >&2")
    .raw("    exit 1 ;;")
    .raw("  esac")
    .raw("fi");
}

/// `aws/stackset/deploy.sh`: create (or update) the StackSet, deploy it to the plan's OUs (those an
/// existing StackSet does not target yet, too), wait for the operation and list each account's
/// stack; then the management account's plain stack when the plan lists that account.
pub fn deploy_sh(r: &Resolved) -> Option<String> {
    let o = org(r)?;
    let name = stack_set_name(r);
    let mut s = Script::new(
        "Deploys the vendor's role to every account of the organizational units, as a service-managed CloudFormation StackSet.",
        &[
            "Run it in the organization's management account, or in an account it registered as a delegated administrator for StackSets, with trusted access for StackSets turned on in AWS Organizations.",
            "Re-running it updates the StackSet to this template and deploys to organizational units added to the plan.",
        ],
    );
    crate::render::aws_sh::check_account(&mut s, &o.management_account_id);
    call_as(&mut s, o);
    s.set("STACK_SET", &name).set("REGION", &region(r)).set("OUS", &o.organizational_units.join(",")).blank();
    // Soft failure tolerance: under the default (strict) mode CloudFormation caps the concurrency at
    // the failure tolerance + 1, one account at a time here.
    let prefs = format!("MaxConcurrentCount={},FailureToleranceCount=0,ConcurrencyMode=SOFT_FAILURE_TOLERANCE", o.max_concurrency);
    let stack_set_args = |verb: &str| {
        vec![
            lit("aws"),
            lit("cloudformation"),
            lit(verb),
            lit("--stack-set-name"),
            var("STACK_SET"),
            lit("--template-body"),
            lit(format!("file://{TEMPLATE_FILE}")),
            lit("--permission-model"),
            lit("SERVICE_MANAGED"),
            lit("--auto-deployment"),
            lit("Enabled=true,RetainStacksOnAccountRemoval=false"),
            lit("--capabilities"),
            lit("CAPABILITY_NAMED_IAM"),
            lit("--call-as"),
            var("CALL_AS"),
            lit("--region"),
            var("REGION"),
        ]
    };
    let mut update = stack_set_args("update-stack-set");
    update.extend([lit("--operation-preferences"), lit(prefs.clone()), lit("--query"), lit("OperationId"), lit("--output"), lit("text")]);
    let create = stack_set_args("create-stack-set");
    let create_instances = |ous: &str| {
        render(&[
            lit("aws"),
            lit("cloudformation"),
            lit("create-stack-instances"),
            lit("--stack-set-name"),
            var("STACK_SET"),
            lit("--deployment-targets"),
            Word::LitVar("OrganizationalUnitIds=".into(), ous.into()),
            lit("--regions"),
            var("REGION"),
            lit("--call-as"),
            var("CALL_AS"),
            lit("--operation-preferences"),
            lit(prefs.clone()),
            lit("--query"),
            lit("OperationId"),
            lit("--output"),
            lit("text"),
        ])
    };
    s.comment("Waits for a StackSet operation to end; prints how it ended.")
        .raw("wait_for() {")
        .raw("  local status=RUNNING")
        .raw("  for _ in $(seq 1 360); do")
        .raw("    status=\"$(aws cloudformation describe-stack-set-operation --stack-set-name \"$STACK_SET\" --operation-id \"$1\" --call-as \"$CALL_AS\" --region \"$REGION\" --query StackSetOperation.Status --output text)\"")
        .raw("    case \"$status\" in SUCCEEDED|FAILED|STOPPED) break ;; esac")
        .raw("    sleep 5")
        .raw("  done")
        .raw("  echo \"$status\"")
        .raw("}")
        .blank()
        .comment("1. The StackSet: updated when it exists, else created (any other error stops here).")
        .raw("if DESCRIBED=\"$(aws cloudformation describe-stack-set --stack-set-name \"$STACK_SET\" --call-as \"$CALL_AS\" --region \"$REGION\" --query StackSet.OrganizationalUnitIds --output text 2>&1)\"; then")
        .raw(&format!("  OPERATION=\"$({})\"", render(&update)))
        .raw("  STATUS=\"$(wait_for \"$OPERATION\")\"")
        .comment("  The plan's organizational units it does not target yet get their stacks too (\"None\":")
        .comment("  CloudFormation did not say which it targets; nothing is added).")
        .raw("  MISSING=\"\"")
        .raw("  TARGETED=\" $(echo \"$DESCRIBED\" | tr '\\t' ' ') \"")
        .raw("  for OU in ${OUS//,/ }; do")
        .raw("    case \"$TARGETED\" in *\" $OU \"*) ;; *) MISSING=\"${MISSING:+$MISSING,}$OU\" ;; esac")
        .raw("  done")
        .raw("  if [ \"$STATUS\" = SUCCEEDED ] && [ -n \"$MISSING\" ] && [ \"$DESCRIBED\" != None ]; then")
        .raw(&format!("    OPERATION=\"$({})\"", create_instances("MISSING")))
        .raw("  fi")
        .raw("elif echo \"$DESCRIBED\" | grep -q StackSetNotFoundException; then")
        .run_indented(&create)
        .comment("  2. Its stacks in every account of the organizational units (new accounts get one automatically).")
        .raw(&format!("  OPERATION=\"$({})\"", create_instances("OUS")))
        .raw("else")
        .raw("  echo \"$DESCRIBED\" >&2")
        .raw("  exit 1")
        .raw("fi")
        .blank()
        .comment("3. Wait for the operation, then show each account's stack.")
        .raw("STATUS=\"$(wait_for \"$OPERATION\")\"")
        .run(&[
            lit("aws"),
            lit("cloudformation"),
            lit("list-stack-instances"),
            lit("--stack-set-name"),
            var("STACK_SET"),
            lit("--call-as"),
            var("CALL_AS"),
            lit("--region"),
            var("REGION"),
            lit("--query"),
            lit("Summaries[].[Account,StackInstanceStatus.DetailedStatus,StatusReason]"),
            lit("--output"),
            lit("table"),
        ])
        .raw("if [ \"$STATUS\" != SUCCEEDED ]; then echo \"The StackSet operation ended $STATUS: see the accounts above.\" >&2; exit 1; fi");
    if o.accounts.iter().any(|a| a.account_id == o.management_account_id) {
        s.blank()
            .comment("4. The management account (a service-managed StackSet never deploys there): the same template as a stack.")
            .raw("if [ \"$CALL_AS\" = SELF ]; then")
            .run_indented(&[
                lit("aws"),
                lit("cloudformation"),
                lit("deploy"),
                lit("--template-file"),
                lit(TEMPLATE_FILE),
                lit("--stack-name"),
                var("STACK_SET"),
                lit("--capabilities"),
                lit("CAPABILITY_NAMED_IAM"),
                lit("--no-fail-on-empty-changeset"),
                lit("--region"),
                var("REGION"),
            ])
            .raw("fi");
    }
    let partition = o.accounts.first().map(|a| a.partition.name.as_str()).unwrap_or("aws");
    s.echo(&format!("Done. Each account's role ARN: arn:{partition}:iam::<account>:role/ + the role name; see handoff.json at the top of the export folder."));
    Some(s.finish())
}

/// `aws/stackset/revoke.sh`: delete every stack of the StackSet (the roles go with them), then the
/// StackSet, then the management account's stack if there is one. Re-runnable: a StackSet already
/// gone is nothing to delete.
pub fn revoke_sh(r: &Resolved) -> Option<String> {
    let o = org(r)?;
    let mut s = Script::new(
        "Removes the vendor's role from every account of the organizational units: the StackSet's stacks, then the StackSet.",
        &["Run it where deploy.sh ran."],
    );
    crate::render::aws_sh::check_account(&mut s, &o.management_account_id);
    call_as(&mut s, o);
    s.set("STACK_SET", &stack_set_name(r)).set("REGION", &region(r)).set("OUS", &o.organizational_units.join(",")).blank();
    s.comment("The StackSet's stacks, then the StackSet (nothing to do when it is gone already).")
        .raw("if DESCRIBED=\"$(aws cloudformation describe-stack-set --stack-set-name \"$STACK_SET\" --call-as \"$CALL_AS\" --region \"$REGION\" --output text 2>&1)\"; then")
        .raw(&format!(
            "  OPERATION=\"$({})\"",
            render(&[
                lit("aws"),
                lit("cloudformation"),
                lit("delete-stack-instances"),
                lit("--stack-set-name"),
                var("STACK_SET"),
                lit("--deployment-targets"),
                Word::LitVar("OrganizationalUnitIds=".into(), "OUS".into()),
                lit("--regions"),
                var("REGION"),
                lit("--call-as"),
                var("CALL_AS"),
                lit("--no-retain-stacks"),
                lit("--query"),
                lit("OperationId"),
                lit("--output"),
                lit("text"),
            ])
        ))
        .raw("  STATUS=RUNNING")
        .raw("  for _ in $(seq 1 360); do")
        .raw("    STATUS=\"$(aws cloudformation describe-stack-set-operation --stack-set-name \"$STACK_SET\" --operation-id \"$OPERATION\" --call-as \"$CALL_AS\" --region \"$REGION\" --query StackSetOperation.Status --output text)\"")
        .raw("    case \"$STATUS\" in SUCCEEDED|FAILED|STOPPED) break ;; esac")
        .raw("    sleep 5")
        .raw("  done")
        .raw("  if [ \"$STATUS\" != SUCCEEDED ]; then echo \"Deleting the stacks ended $STATUS; the StackSet is kept.\" >&2; exit 1; fi")
        .run_indented(&[
            lit("aws"),
            lit("cloudformation"),
            lit("delete-stack-set"),
            lit("--stack-set-name"),
            var("STACK_SET"),
            lit("--call-as"),
            var("CALL_AS"),
            lit("--region"),
            var("REGION"),
        ])
        .raw("elif ! echo \"$DESCRIBED\" | grep -q StackSetNotFoundException; then")
        .raw("  echo \"$DESCRIBED\" >&2")
        .raw("  exit 1")
        .raw("fi");
    if o.accounts.iter().any(|a| a.account_id == o.management_account_id) {
        s.raw("if [ \"$CALL_AS\" = SELF ]; then")
            .run_indented(&[
                lit("aws"),
                lit("cloudformation"),
                lit("delete-stack"),
                lit("--stack-name"),
                var("STACK_SET"),
                lit("--region"),
                var("REGION"),
            ])
            .raw("fi");
    }
    s.echo("Revoked: the vendor's role is gone from the organization's accounts.");
    Some(s.finish())
}

/// `aws/stackset/stackset.tf`: the same StackSet with Terraform's AWS provider.
pub fn terraform(r: &Resolved) -> Option<String> {
    let o = org(r)?;
    let name = stack_set_name(r);
    let mut s = String::from(crate::render::terraform::HEADER);
    s.push_str("# The StackSet of stackset.yaml over the organizational units; apply it in the management account, or in an\n# account it registered as a delegated administrator for StackSets (call_as says which, read from the organization).\n\n");
    s.push_str(&format!("provider \"aws\" {{\n  region = {}\n}}\n\n", hcl_str(&region(r))));
    s.push_str("data \"aws_caller_identity\" \"current\" {}\n\ndata \"aws_organizations_organization\" \"current\" {}\n\n");
    s.push_str("locals {\n  is_management = data.aws_organizations_organization.current.master_account_id == data.aws_caller_identity.current.account_id\n  call_as       = local.is_management ? \"SELF\" : \"DELEGATED_ADMIN\"\n}\n\n");
    s.push_str(&format!(
        "resource \"aws_cloudformation_stack_set\" \"vendor_access\" {{\n  name             = {}\n  permission_model = \"SERVICE_MANAGED\"\n  call_as          = local.call_as\n  capabilities     = [\"CAPABILITY_NAMED_IAM\"]\n  template_body    = file(\"${{path.module}}/{TEMPLATE_FILE}\")\n\n  auto_deployment {{\n    enabled                          = true\n    retain_stacks_on_account_removal = false\n  }}\n\n  operation_preferences {{\n    max_concurrent_count    = {}\n    failure_tolerance_count = 0\n  }}\n\n  # A delegated administrator cannot set up the management account: the plan must not list it then.\n  lifecycle {{\n    precondition {{\n      condition     = local.is_management || !contains([{}], data.aws_organizations_organization.current.master_account_id)\n      error_message = \"This account is a delegated administrator, and the plan lists the organization's management account, which only the management account itself can set up: remove it from the plan's accounts, or apply in the management account.\"\n    }}\n  }}\n}}\n\n",
        hcl_str(&name),
        o.max_concurrency,
        o.accounts.iter().map(|a| hcl_str(&a.account_id)).collect::<Vec<_>>().join(", ")
    ));
    let ous: Vec<String> = o.organizational_units.iter().map(|u| hcl_str(u)).collect();
    s.push_str(&format!(
        "resource \"aws_cloudformation_stack_set_instance\" \"organizational_units\" {{\n  stack_set_name = aws_cloudformation_stack_set.vendor_access.name\n  call_as        = local.call_as\n  region         = {}\n\n  deployment_targets {{\n    organizational_unit_ids = [{}]\n  }}\n}}\n",
        hcl_str(&region(r)),
        ous.join(", ")
    ));
    if o.accounts.iter().any(|a| a.account_id == o.management_account_id) {
        s.push_str(&format!(
            "\n# The management account: a service-managed StackSet never deploys there (and a delegated administrator cannot).\nresource \"aws_cloudformation_stack\" \"management_account\" {{\n  count         = local.is_management ? 1 : 0\n  name          = {}\n  capabilities  = [\"CAPABILITY_NAMED_IAM\"]\n  template_body = file(\"${{path.module}}/{TEMPLATE_FILE}\")\n}}\n",
            hcl_str(&name)
        ));
    }
    Some(s)
}
