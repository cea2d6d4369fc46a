//! CloudFormation, Terraform and Pulumi for AWS, from the one model ([`RoleSet`]) that vendor plans
//! and role packs both lower into: customer-managed policies, then each role with its trust,
//! boundary, tags, inline policies and attachments. Every value goes through the format's own
//! quoting (`yaml::to_yaml` for CloudFormation, `hcl_str`/`heredoc`, `py_str`/`py_literal`); the
//! documents are the very ones exported as JSON beside them.

use serde_json::{json, Map, Value};

use crate::model::{Boundary, RoleSet};
use crate::policy::PolicyDocument;
use crate::render::aws::MANAGED_BY_TAG;
use crate::render::cfn::{sub, Pseudo};
use crate::render::pulumi::{py_literal, py_str};
use crate::render::terraform::{hcl_str, heredoc};
use crate::render::yaml::to_yaml;

fn pseudo(set: &RoleSet) -> Pseudo<'_> {
    Pseudo {
        partition: &set.partition,
        account: if set.account.is_empty() { "-" } else { &set.account },
        region: set.region.as_deref().unwrap_or("-"),
        dns_suffix: crate::validate::dns_suffix(&set.partition),
        external_id: set.iac.external_id.as_deref(),
    }
}

fn doc_value(doc: &PolicyDocument) -> Value {
    // A PolicyDocument is plain data (strings, lists, maps); serializing it cannot fail.
    serde_json::to_value(doc).unwrap_or(Value::Null)
}

fn managed_name<'a>(set: &'a RoleSet, name: &str) -> Option<&'a crate::model::Document> {
    set.managed_policies.iter().map(|m| &m.document).find(|d| d.name == name)
}

fn tags(set: &RoleSet) -> [(&str, &str); 2] {
    [(MANAGED_BY_TAG.0, MANAGED_BY_TAG.1), (set.owner.key.as_str(), set.owner.value.as_str())]
}

// --- CloudFormation ----------------------------------------------------------------------------

/// The template as a value (tests read it back after YAML parsing).
pub fn cfn_value(set: &RoleSet) -> Value {
    let ps = pseudo(set);
    let mut params = Map::new();
    let single_role = set.roles.len() == 1;
    if set.iac.parameters && single_role {
        params.insert(
            "RoleName".into(),
            json!({"Type": "String", "Default": set.roles[0].name, "AllowedPattern": "[\\w+=,.@-]{1,64}", "Description": "Name of the role the vendor assumes"}),
        );
        if let Some(x) = &set.iac.external_id {
            params.insert(
                "ExternalId".into(),
                json!({"Type": "String", "Default": x, "AllowedPattern": "[\\w+=,.@:/-]{2,1224}", "Description": "External id the vendor must present (not a secret, unique to you)"}),
            );
        }
    }
    let skips: Vec<Value> =
        set.iac.accepted_checks.iter().filter(|c| !c.roles_only).map(|c| json!({"id": c.id, "comment": c.reason})).collect();
    let mut resources = Map::new();
    // AWS::IAM::ManagedPolicy has no Tags property, so a stack's customer-managed policies carry no
    // ownership tags and `revoke.sh` will not delete them: a stack is revoked by deleting the stack
    // (the header says so).
    for m in &set.managed_policies {
        let d = &m.document;
        let mut res = json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "ManagedPolicyName": d.name,
            "Description": m.description,
            "PolicyDocument": sub(&doc_value(&d.policy), &ps)}});
        if !skips.is_empty() {
            res["Metadata"] = json!({"checkov": {"skip": skips}});
        }
        resources.insert(d.iac.cfn.clone(), res);
    }
    let tag_list: Vec<Value> = tags(set).iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
    for role in &set.roles {
        let mut props = Map::new();
        props.insert("RoleName".into(), if set.iac.parameters && single_role { json!({"Ref": "RoleName"}) } else { json!(role.name) });
        if role.path != "/" {
            props.insert("Path".into(), json!(role.path));
        }
        props.insert("Description".into(), json!(role.description));
        props.insert("AssumeRolePolicyDocument".into(), sub(&doc_value(&role.trust.policy), &ps));
        match &role.boundary {
            Some(Boundary::Arn(arn)) => {
                props.insert("PermissionsBoundary".into(), sub(&json!(arn), &ps));
            }
            Some(Boundary::Managed(name)) => {
                let id = managed_name(set, name).map(|d| d.iac.cfn.clone()).unwrap_or_default();
                props.insert("PermissionsBoundary".into(), json!({"Ref": id}));
            }
            None => {}
        }
        if !role.inline.is_empty() {
            let policies: Vec<Value> =
                role.inline.iter().map(|d| json!({"PolicyName": d.name, "PolicyDocument": sub(&doc_value(&d.policy), &ps)})).collect();
            props.insert("Policies".into(), Value::Array(policies));
        }
        let mut arns: Vec<Value> = role.managed.iter().filter_map(|m| managed_name(set, m)).map(|d| json!({"Ref": d.iac.cfn})).collect();
        arns.extend(role.aws_managed_arns.iter().map(|a| sub(&json!(a), &ps)));
        if !arns.is_empty() {
            props.insert("ManagedPolicyArns".into(), Value::Array(arns));
        }
        props.insert("Tags".into(), Value::Array(tag_list.clone()));
        resources.insert(role.iac.cfn.clone(), json!({"Type": "AWS::IAM::Role", "Properties": props}));
    }
    let mut outputs = Map::new();
    for role in &set.roles {
        let mut o = json!({"Value": {"Fn::GetAtt": [role.iac.cfn, "Arn"]}});
        if let Some(d) = &set.iac.output_description {
            o["Description"] = json!(d);
        }
        outputs.insert(role.output.cfn.clone(), o);
    }
    if params.contains_key("ExternalId") {
        outputs
            .insert("ExternalId".into(), json!({"Description": "The external id the vendor must present", "Value": {"Ref": "ExternalId"}}));
    }
    let mut t = Map::new();
    t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    t.insert("Description".into(), json!(set.iac.title));
    if !params.is_empty() {
        t.insert("Parameters".into(), Value::Object(params));
    }
    t.insert("Resources".into(), Value::Object(resources));
    t.insert("Outputs".into(), Value::Object(outputs));
    Value::Object(t)
}

/// CloudFormation takes a template body of at most this many bytes in the request; a larger one
/// only from S3 (`aws cloudformation deploy --s3-bucket`).
pub const CFN_BODY_MAX: usize = 51_200;

/// The bucket placeholder of the deploy line of a template over [`CFN_BODY_MAX`].
pub const CFN_BUCKET_PLACEHOLDER: &str = "YOUR-BUCKET";

/// `aws/cloudformation.yaml`: a comment header (how to deploy — through an S3 bucket when the
/// whole file is over 51,200 bytes —, how to revoke), then the template.
pub fn cfn_yaml(set: &RoleSet) -> String {
    let body = to_yaml(&cfn_value(set));
    let direct = cfn_header(set, false) + &body;
    if direct.len() <= CFN_BODY_MAX {
        return direct;
    }
    cfn_header(set, true) + &body
}

fn cfn_header(set: &RoleSet, via_s3: bool) -> String {
    let mut s = String::from("# Generated by Trustbridge from plan.json: the same grants as the JSON documents next to it.\n");
    let region = set.region.as_deref().map(|r| format!(" --region {r}")).unwrap_or_default();
    if via_s3 {
        s.push_str(&format!(
            "# Over {CFN_BODY_MAX} bytes: CloudFormation reads a template this size only from S3. Replace {CFN_BUCKET_PLACEHOLDER} with a bucket of yours in the region.\n"
        ));
    }
    s.push_str(&format!(
        "# Deploy: aws cloudformation deploy --template-file cloudformation.yaml --stack-name {} --capabilities CAPABILITY_NAMED_IAM{region}{}\n",
        set.iac.stack_name,
        if via_s3 { format!(" --s3-bucket {CFN_BUCKET_PLACEHOLDER}") } else { String::new() }
    ));
    if !set.managed_policies.is_empty() {
        s.push_str(&format!(
            "# Revoke: aws cloudformation delete-stack --stack-name {} (CloudFormation cannot tag customer-managed policies, so aws/revoke.sh, which changes only what carries Trustbridge's tags, refuses them)\n",
            set.iac.stack_name
        ));
    }
    if set.iac.parameters {
        if let Some(r) = &set.region {
            s.push_str("# Console quick-create links need the template at an https URL (S3); upload it, then open\n");
            s.push_str(&format!(
                "# https://console.aws.amazon.com/cloudformation/home?region={r}#/stacks/quickcreate?templateURL=<URL>&stackName={}\n",
                set.iac.stack_name
            ));
        }
    }
    s
}

// --- Terraform ---------------------------------------------------------------------------------

/// The ownership tags, as a resource's `tags` block: `setup.sh`, `revoke.sh` and `trustbridge apply`
/// act only on a role or policy that carries them, so every format writes them on both.
fn hcl_tags(set: &RoleSet) -> String {
    let mut s = String::from("  tags = {\n");
    for (k, v) in tags(set) {
        s.push_str(&format!("    {} = {}\n", hcl_str(k), hcl_str(v)));
    }
    s.push_str("  }\n");
    s
}

/// `aws/main.tf`.
pub fn terraform(set: &RoleSet) -> String {
    let mut s = String::from(crate::render::terraform::HEADER);
    s.push_str("terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n\n");
    if let Some(region) = &set.region {
        s.push_str(&format!("provider \"aws\" {{\n  region = {}\n}}\n\n", hcl_str(region)));
    }
    let skip_line = |c: &crate::model::AcceptedCheck| format!("  # checkov:skip={}:{}\n", c.id, c.reason);
    let all_skips: String = set.iac.accepted_checks.iter().filter(|c| !c.roles_only).map(skip_line).collect();
    let role_skips: String = set.iac.accepted_checks.iter().map(skip_line).collect();
    for m in &set.managed_policies {
        let d = &m.document;
        s.push_str(&format!(
            "resource \"aws_iam_policy\" \"{}\" {{\n{all_skips}  name        = {}\n  description = {}\n  policy      = {}\n",
            d.iac.tf,
            hcl_str(&d.name),
            hcl_str(&m.description),
            heredoc(&d.policy.to_pretty_json(), "  ")
        ));
        s.push_str(&hcl_tags(set));
        s.push_str("}\n\n");
    }
    let tf_of = |name: &str| managed_name(set, name).map(|d| d.iac.tf.clone()).unwrap_or_default();
    for role in &set.roles {
        let id = &role.iac.tf;
        s.push_str(&format!("resource \"aws_iam_role\" \"{id}\" {{\n{role_skips}"));
        s.push_str(&format!("  name        = {}\n", hcl_str(&role.name)));
        if role.path != "/" {
            s.push_str(&format!("  path        = {}\n", hcl_str(&role.path)));
        }
        s.push_str(&format!("  description = {}\n", hcl_str(&role.description)));
        match &role.boundary {
            Some(Boundary::Arn(arn)) => s.push_str(&format!("  permissions_boundary = {}\n", hcl_str(arn))),
            Some(Boundary::Managed(name)) => s.push_str(&format!("  permissions_boundary = aws_iam_policy.{}.arn\n", tf_of(name))),
            None => {}
        }
        s.push_str(&format!("  assume_role_policy = {}\n", heredoc(&role.trust.policy.to_pretty_json(), "  ")));
        s.push_str(&hcl_tags(set));
        s.push_str("}\n\n");
        for d in &role.inline {
            s.push_str(&format!(
                "resource \"aws_iam_role_policy\" \"{}\" {{\n{all_skips}  name   = {}\n  role   = aws_iam_role.{id}.id\n  policy = {}\n}}\n\n",
                d.iac.tf,
                hcl_str(&d.name),
                heredoc(&d.policy.to_pretty_json(), "  ")
            ));
        }
        for m in &role.managed {
            let pid = tf_of(m);
            s.push_str(&format!(
                "resource \"aws_iam_role_policy_attachment\" \"{id}_{pid}\" {{\n  role       = aws_iam_role.{id}.name\n  policy_arn = aws_iam_policy.{pid}.arn\n}}\n\n"
            ));
        }
        for arn in &role.aws_managed_arns {
            let short = crate::model::ident(arn.rsplit('/').next().unwrap_or_default());
            s.push_str(&format!(
                "resource \"aws_iam_role_policy_attachment\" \"{id}_{short}\" {{\n  role       = aws_iam_role.{id}.name\n  policy_arn = {}\n}}\n\n",
                hcl_str(arn)
            ));
        }
        s.push_str(&format!("output \"{}\" {{\n", role.output.tf));
        if let Some(d) = &set.iac.output_description {
            s.push_str(&format!("  description = {}\n", hcl_str(d)));
        }
        s.push_str(&format!("  value       = aws_iam_role.{id}.arn\n}}\n\n"));
    }
    s.truncate(s.trim_end().len());
    s.push('\n');
    s
}

// --- Pulumi ------------------------------------------------------------------------------------

/// The ownership tags as a Python dict literal.
fn py_tags(set: &RoleSet) -> String {
    let t: Vec<String> = tags(set).iter().map(|(k, v)| format!("{}: {}", py_str(k), py_str(v))).collect();
    format!("{{{}}}", t.join(", "))
}

/// `aws/pulumi/__main__.py`.
pub fn pulumi(set: &RoleSet) -> String {
    let mut s = String::from(crate::render::pulumi::HEADER);
    s.push_str("import json\n\nimport pulumi\nimport pulumi_aws as aws\n\n");
    let mut vars: Vec<(String, String)> = Vec::new();
    for (i, m) in set.managed_policies.iter().enumerate() {
        let d = &m.document;
        s.push_str(&format!("MANAGED_POLICY_{i} = {}\n\n", py_literal(&doc_value(&d.policy))));
        s.push_str(&format!(
            "managed_{i} = aws.iam.Policy(\n    {},\n    name={},\n    description={},\n    policy=json.dumps(MANAGED_POLICY_{i}),\n    tags={},\n)\n\n",
            py_str(&d.iac.pulumi),
            py_str(&d.name),
            py_str(&m.description),
            py_tags(set)
        ));
        vars.push((d.name.clone(), format!("managed_{i}")));
    }
    let var_of = |n: &str| vars.iter().find(|(p, _)| p == n).map(|(_, v)| v.clone()).unwrap_or_default();
    for (i, role) in set.roles.iter().enumerate() {
        s.push_str(&format!("ROLE_{i}_TRUST = {}\n\n", py_literal(&doc_value(&role.trust.policy))));
        s.push_str(&format!("role_{i} = aws.iam.Role(\n    {},\n    name={},\n", py_str(&role.iac.pulumi), py_str(&role.name)));
        if role.path != "/" {
            s.push_str(&format!("    path={},\n", py_str(&role.path)));
        }
        s.push_str(&format!("    description={},\n", py_str(&role.description)));
        match &role.boundary {
            Some(Boundary::Arn(arn)) => s.push_str(&format!("    permissions_boundary={},\n", py_str(arn))),
            Some(Boundary::Managed(name)) => s.push_str(&format!("    permissions_boundary={}.arn,\n", var_of(name))),
            None => {}
        }
        s.push_str(&format!("    assume_role_policy=json.dumps(ROLE_{i}_TRUST),\n"));
        s.push_str(&format!("    tags={},\n)\n\n", py_tags(set)));
        for (j, d) in role.inline.iter().enumerate() {
            s.push_str(&format!("ROLE_{i}_INLINE_{j} = {}\n\n", py_literal(&doc_value(&d.policy))));
            s.push_str(&format!(
                "aws.iam.RolePolicy(\n    {},\n    name={},\n    role=role_{i}.id,\n    policy=json.dumps(ROLE_{i}_INLINE_{j}),\n)\n\n",
                py_str(&d.iac.pulumi),
                py_str(&d.name)
            ));
        }
        for m in &role.managed {
            s.push_str(&format!(
                "aws.iam.RolePolicyAttachment({}, role=role_{i}.name, policy_arn={}.arn)\n",
                py_str(&format!("{}-{m}", role.name)),
                var_of(m)
            ));
        }
        for arn in &role.aws_managed_arns {
            let short = arn.rsplit('/').next().unwrap_or_default();
            s.push_str(&format!(
                "aws.iam.RolePolicyAttachment({}, role=role_{i}.name, policy_arn={})\n",
                py_str(&format!("{}-{short}", role.name)),
                py_str(arn)
            ));
        }
        s.push_str(&format!("pulumi.export({}, role_{i}.arn)\n\n", py_str(&role.output.pulumi)));
    }
    s.truncate(s.trim_end().len());
    s.push('\n');
    s
}
