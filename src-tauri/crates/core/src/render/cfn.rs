//! CloudFormation helpers: literal partition/account/region inside ARNs become pseudo parameters
//! ([`sub`]), and the stack name of a vendor plan. The template itself is rendered from the one AWS
//! model by `render::aws_iac`.

use serde_json::{json, Value};

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

pub fn stack_name(r: &Resolved) -> String {
    let safe: String = r.plan.integration.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("{STACK_NAME_PREFIX}{safe}")
}
