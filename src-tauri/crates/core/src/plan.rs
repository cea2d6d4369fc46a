//! The plan: one versioned JSON document that every output is rendered from.
//!
//! Field values are kept as the user typed them (strings) so that validation can report
//! `field.path: rule (got 'value')` instead of failing at parse time. Structure problems
//! (unknown fields, wrong JSON types) are reported by [`Plan::from_json`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// The only plan format version this build reads and writes.
pub const PLAN_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Plan format version; must be 1.
    pub version: u32,
    /// Built-in vendor profile id (`mlcube`, `jfrog-ml`, `custom`) or a path to a vendor profile file.
    pub platform: String,
    pub integration: Integration,
    /// Present when AWS is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsPlan>,
    /// Present when Google Cloud is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcp: Option<GcpPlan>,
    /// Present when Azure is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzurePlan>,
}

/// How the vendor platform will know this integration (the hand-off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Integration {
    /// Name of the credentials on the vendor platform, e.g. `AWS_01`.
    pub name: String,
    /// The customer's project id on the vendor platform.
    pub project_id: String,
    /// Whether these credentials become the platform's default.
    #[serde(default)]
    pub default: bool,
    /// The vendor API's base URL, for a vendor profile whose registration API has none built in
    /// (`TRUSTBRIDGE_VENDOR_API_URL` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AwsPlan {
    /// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b` or `aws-eusc`.
    #[serde(default = "default_partition")]
    pub partition: String,
    /// The customer's 12-digit AWS account id.
    pub account_id: String,
    pub region: String,
    /// IAM role name; the profile's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    #[serde(default = "default_role_path")]
    pub role_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_arn: Option<String>,
    /// `sts:ExternalId` the vendor must present. Not a secret, but unique per customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Who is trusted, for the `custom` profile (built-in vendors carry this in their profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<AwsVendor>,
    /// The id the vendor's API gave these credentials when they were registered (`trustbridge
    /// register`); written by Trustbridge, never a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_credentials_id: Option<String>,
    #[serde(default)]
    pub storage: Vec<S3Storage>,
    #[serde(default)]
    pub events: Vec<EventBus>,
    /// Many accounts at once (AWS Organizations). With it, `account_id` is the account you sign in
    /// to (the management or a delegated-administrator account), and the role goes into each of
    /// `accounts` (and, with the `stack-set` engine, every account of the organizational units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<AwsOrganization>,
    /// The member accounts, each with its own buckets and event buses (only with `organization`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AwsMemberAccount>,
}

/// How an organization-wide plan reaches its member accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AwsOrganization {
    /// `member-role`: apply signs in to each listed account by assuming `member_role_name` there.
    /// `stack-set`: a service-managed CloudFormation StackSet over `organizational_units`, with
    /// automatic deployment to accounts that join them later.
    pub engine: String,
    /// The organizational units (`ou-…`) or the root (`r-…`) the StackSet deploys to (`stack-set`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizational_units: Vec<String>,
    /// The role apply assumes in each member account (`member-role`); `OrganizationAccountAccessRole`
    /// when absent (`AWSControlTowerExecution` under Control Tower).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_role_name: Option<String>,
    /// How many accounts are worked on at once: 1 to 50, 8 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
}

/// One member account of an organization-wide plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AwsMemberAccount {
    /// The member account's 12-digit id.
    pub account_id: String,
    /// Its buckets' and buses' region; the plan's `region` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default)]
    pub storage: Vec<S3Storage>,
    #[serde(default)]
    pub events: Vec<EventBus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AwsVendor {
    /// The vendor's 12-digit AWS account id.
    pub account_id: String,
    /// Optional `aws:PrincipalArn` patterns (ArnLike) narrowing which vendor roles may assume.
    #[serde(default)]
    pub principal_patterns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct S3Storage {
    pub bucket: String,
    /// Optional key prefix; narrows object reads and listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// KMS key ARN when the bucket uses SSE-KMS; adds `kms:Decrypt` via S3 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct EventBus {
    pub event_bus_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct GcpPlan {
    pub project_id: String,
    /// Service-account id (the part before `@`); the profile's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    /// The id the vendor's API gave these credentials when they were registered (`trustbridge
    /// register`); written by Trustbridge, never a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_credentials_id: Option<String>,
    #[serde(default)]
    pub storage: Vec<GcsStorage>,
    #[serde(default)]
    pub events: Vec<PubSubTopic>,
    /// Keyless: the vendor, running on AWS, impersonates the service account through Workload
    /// Identity Federation instead of holding a key. Only where the vendor profile supports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_identity: Option<GcpWorkloadIdentity>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct GcpWorkloadIdentity {
    /// The vendor's AWS account id.
    pub vendor_aws_account_id: String,
    /// The vendor's IAM role (name) whose sessions may impersonate the service account.
    pub vendor_role_name: String,
    /// Workload identity pool id; `trustbridge-vendor` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct GcsStorage {
    pub bucket: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PubSubTopic {
    pub topic: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AzurePlan {
    pub tenant_id: String,
    pub subscription_id: String,
    pub resource_group: String,
    /// Display name of the service principal; the profile's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principal_name: Option<String>,
    /// The id the vendor's API gave these credentials when they were registered (`trustbridge
    /// register`); written by Trustbridge, never a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_credentials_id: Option<String>,
    #[serde(default)]
    pub storage: Vec<BlobContainer>,
    #[serde(default)]
    pub events: Vec<EventGridTopic>,
    /// Keyless: the vendor's multi-tenant app (client id). An admin consents once; roles are
    /// assigned to the vendor's enterprise app and no secret is created. Only where the vendor
    /// profile supports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_app_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct BlobContainer {
    pub storage_account: String,
    pub container: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct EventGridTopic {
    pub topic: String,
}

fn default_partition() -> String {
    "aws".into()
}

fn default_role_path() -> String {
    "/".into()
}

impl Plan {
    /// Parses a plan; structure errors name the line, column and what serde expected.
    pub fn from_json(text: &str) -> Result<Plan, CoreError> {
        // Check the version first so a future plan gets a clear message, not an unknown-field one.
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
            match v.get("version") {
                Some(serde_json::Value::Number(n)) if n.as_u64() == Some(PLAN_VERSION as u64) => {}
                Some(other) => {
                    return Err(CoreError::PlanVersion { got: other.to_string() });
                }
                None => return Err(CoreError::PlanVersion { got: "missing".into() }),
            }
        }
        crate::error::parse_json(text).map_err(crate::error::plan_parse)
    }

    pub fn to_json_pretty(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plan serializes");
        s.push('\n');
        s
    }

    /// The JSON Schema of the plan, generated from these types.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Plan);
        let mut s = serde_json::to_string_pretty(&schema).expect("schema serializes");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_name_the_field() {
        let text = r#"{"version": 1, "platform": "mlcube", "integration": {"name": "A", "project_id": "p"},
            "aws": {"account_id": 210987654321, "region": "eu-west-1", "storage": []}}"#;
        let e = Plan::from_json(text).unwrap_err();
        assert_eq!(e.code(), "plan.parse");
        let m = e.to_string();
        assert!(m.contains("field aws.account_id") && m.contains("expected a string"), "{m}");
        let text = r#"{"version": 1, "platform": "mlcube", "integration": {"name": "A", "project_id": "p"},
            "aws": {"account_id": "210987654321", "region": "eu-west-1", "storage": [{"bucket": "b", "prefx": "x"}]}}"#;
        let m = Plan::from_json(text).unwrap_err().to_string();
        assert!(m.contains("field aws.storage[0]") && m.contains("unknown field `prefx`"), "{m}");
        let ok = r#"{"version": 1, "platform": "mlcube", "integration": {"name": "A", "project_id": "p"}}"#;
        assert!(Plan::from_json(ok).is_ok());
        let m = Plan::from_json(&format!("{ok} trailing")).unwrap_err().to_string();
        assert!(m.contains("trailing characters"), "{m}");
    }
}
