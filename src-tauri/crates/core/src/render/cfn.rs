//! CloudFormation (YAML) for the AWS part: the role, its trust and inline policies, rendered from
//! the same typed documents as the JSON files, with partition/account/region as pseudo parameters.

use serde_json::{json, Map, Value};

use crate::render::aws::{AwsDocuments, INTEGRATION_TAG, MANAGED_BY_TAG};
use crate::render::yaml::to_yaml;
use crate::validate::{Resolved, ResolvedAws};

pub const STACK_NAME_PREFIX: &str = "trustbridge-";

/// Rewrites literal partition/account/region inside ARNs (and the S3 service name for
/// kms:ViaService) into `Fn::Sub` pseudo parameters, so the template deploys in any partition.
/// What `sub` replaces with pseudo parameters.
pub struct Pseudo<'a> {
    pub partition: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    pub dns_suffix: &'a str,
    pub external_id: Option<&'a str>,
}

impl<'a> Pseudo<'a> {
    pub fn of(a: &'a ResolvedAws) -> Pseudo<'a> {
        Pseudo {
            partition: &a.partition.name,
            account: &a.account_id,
            region: &a.region,
            dns_suffix: a.partition.dns_suffix(),
            external_id: a.external_id.as_deref(),
        }
    }
}

pub fn sub(v: &Value, a: &Pseudo) -> Value {
    match v {
        Value::String(s) => {
            let parts: Vec<&str> = s.splitn(6, ':').collect();
            let mut t = s.clone();
            if parts.len() == 6 && parts[0] == "arn" && parts[1] == a.partition {
                // Only our own account and region: the vendor's account stays literal.
                let region = if parts[3] == a.region { "${AWS::Region}" } else { parts[3] };
                let account = if parts[4] == a.account { "${AWS::AccountId}" } else { parts[4] };
                t = format!("arn:${{AWS::Partition}}:{}:{region}:{account}:{}", parts[2], parts[5]);
            }
            if *s == format!("s3.{}.{}", a.region, a.dns_suffix) {
                t = "s3.${AWS::Region}.${AWS::URLSuffix}".into();
            }
            if &t == s {
                v.clone()
            } else {
                json!({ "Fn::Sub": t })
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(|x| sub(x, a)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    // The external id becomes a reference to the template parameter.
                    let is_ext = k == "sts:ExternalId" && a.external_id.is_some_and(|e| x.as_str() == Some(e));
                    (k.clone(), if is_ext { json!({ "Ref": "ExternalId" }) } else { sub(x, a) })
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

pub fn template_value(r: &Resolved, a: &ResolvedAws, docs: &AwsDocuments) -> Value {
    let ps = Pseudo::of(a);
    let mut params = Map::new();
    params.insert(
        "RoleName".into(),
        json!({"Type": "String", "Default": a.role_name, "AllowedPattern": "[\\w+=,.@-]{1,64}", "Description": "Name of the role the vendor assumes"}),
    );
    if let Some(x) = &a.external_id {
        params.insert(
            "ExternalId".into(),
            json!({"Type": "String", "Default": x, "AllowedPattern": "[\\w+=,.@:/-]{2,1224}", "Description": "External id the vendor must present (not a secret, unique to you)"}),
        );
    }
    let mut props = Map::new();
    props.insert("RoleName".into(), json!({"Ref": "RoleName"}));
    props.insert("Path".into(), json!(a.role_path));
    props.insert("Description".into(), json!(format!("Access for {} (integration {})", r.profile.display_name, r.plan.integration.name)));
    props.insert("AssumeRolePolicyDocument".into(), sub(&serde_json::to_value(&docs.trust).expect("json"), &ps));
    if let Some(b) = &a.permissions_boundary_arn {
        props.insert("PermissionsBoundary".into(), sub(&json!(b), &ps));
    }
    let policies: Vec<Value> = docs
        .inline()
        .iter()
        .map(|(name, d)| json!({"PolicyName": name, "PolicyDocument": sub(&serde_json::to_value(d).expect("json"), &ps)}))
        .collect();
    if !policies.is_empty() {
        props.insert("Policies".into(), Value::Array(policies));
    }
    props.insert(
        "Tags".into(),
        json!([{"Key": MANAGED_BY_TAG.0, "Value": MANAGED_BY_TAG.1}, {"Key": INTEGRATION_TAG, "Value": r.plan.integration.name}]),
    );
    let mut outputs = Map::new();
    outputs
        .insert("RoleArn".into(), json!({"Description": "Give this to the vendor", "Value": {"Fn::GetAtt": ["VendorAccessRole", "Arn"]}}));
    if a.external_id.is_some() {
        outputs
            .insert("ExternalId".into(), json!({"Description": "The external id the vendor must present", "Value": {"Ref": "ExternalId"}}));
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("Trustbridge: least-privilege access for {} (integration {})", r.profile.display_name, r.plan.integration.name),
        "Parameters": params,
        "Resources": {"VendorAccessRole": {"Type": "AWS::IAM::Role", "Properties": props}},
        "Outputs": outputs,
    })
}

pub fn stack_name(r: &Resolved) -> String {
    let safe: String = r.plan.integration.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("{STACK_NAME_PREFIX}{safe}")
}

pub fn template_yaml(r: &Resolved, a: &ResolvedAws, docs: &AwsDocuments) -> String {
    let mut s = String::new();
    s.push_str("# Generated by Trustbridge from plan.json: the same grants as the JSON documents next to it.\n");
    s.push_str(&format!(
        "# Deploy: aws cloudformation deploy --template-file cloudformation.yaml --stack-name {} --capabilities CAPABILITY_NAMED_IAM --region {}\n",
        stack_name(r),
        a.region
    ));
    s.push_str("# Console quick-create links need the template at an https URL (S3); upload it, then open\n");
    s.push_str(&format!(
        "# https://console.aws.amazon.com/cloudformation/home?region={}#/stacks/quickcreate?templateURL=<URL>&stackName={}\n",
        a.region,
        stack_name(r)
    ));
    s.push_str(&to_yaml(&template_value(r, a, docs)));
    s
}
