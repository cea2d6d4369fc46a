//! Role packs: sets of AWS roles described as data (trust and policy templates with `{VARIABLE}`
//! placeholders, a typed variables table, AWS-managed attachments, permissions boundaries), for
//! the reference systems that are not a vendor hand-off: the MLSpace roles, a SageMaker service
//! role, an EKS service-account (IRSA) role. A pack plan fills the variables; every variable is
//! validated by its kind, and any placeholder left unfilled is an error.
//!
//! Here: the model (a pack, a pack plan, a resolved pack). `validate.rs` fills and checks a plan,
//! `lint.rs` lints what it renders; the export bundle is `crate::render::pack`, and the role set it
//! lowers into for the shared renderers and the AWS engine is `crate::model::RoleSet::from_pack`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::CoreError;
use crate::policy::PolicyDocument;

pub const BUILTIN: &[(&str, &str)] = &[
    ("mlspace", include_str!("../../packs/mlspace.json")),
    ("sagemaker-service-role", include_str!("../../packs/sagemaker-service-role.json")),
    ("eks-service-account", include_str!("../../packs/eks-service-account.json")),
    ("cross-account-data-sharing", include_str!("../../packs/cross-account-data-sharing.json")),
];

pub const MAX_MANAGED_POLICIES_PER_ROLE: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum VarKind {
    Partition,
    Region,
    AccountId,
    KmsKeyId,
    SubnetId,
    SecurityGroupId,
    RoleName,
    RoleArn,
    BucketName,
    AwsManagedPolicy,
    OidcProvider,
    K8sName,
    ExternalId,
    /// One IAM policy ARN (`arn:PARTITION:iam::ACCOUNT|aws:policy/NAME`), no wildcard.
    PolicyArn,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    pub name: String,
    pub kind: VarKind,
    pub description: String,
    pub example: String,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedDocument {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[schemars(with = "Value")]
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleTemplate {
    pub name: String,
    pub description: String,
    #[schemars(with = "Value")]
    pub trust: Value,
    #[serde(default)]
    pub inline_policies: Vec<NamedDocument>,
    /// Names of this pack's managed policies to attach.
    #[serde(default)]
    pub managed_policy_names: Vec<String>,
    /// AWS-managed policies, the part after `arn:PARTITION:iam::aws:policy/`.
    #[serde(default)]
    pub aws_managed_policies: Vec<String>,
    /// Name of one of this pack's managed policies, used as the permissions boundary.
    #[serde(default)]
    pub permissions_boundary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub format: u32,
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub variables: Vec<Variable>,
    #[serde(default)]
    pub managed_policies: Vec<NamedDocument>,
    pub roles: Vec<RoleTemplate>,
    /// Checker findings accepted for this pack's templates, each with its reason; emitted as
    /// checkov suppressions on the managed policies in the CloudFormation template.
    #[serde(default)]
    pub accepted_checks: Vec<AcceptedCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptedCheck {
    pub id: String,
    pub reason: String,
}

/// A pack plan: which pack, and the variables' values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackPlan {
    /// Plan format version; must be 1.
    pub version: u32,
    /// Built-in pack id (`mlspace`, `sagemaker-service-role`, `eks-service-account`) or a path to a pack file.
    pub pack: String,
    /// `VARIABLE` → value. Variables with a default may be left out.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

impl PackPlan {
    pub fn from_json(text: &str) -> Result<PackPlan, CoreError> {
        crate::error::parse_json(text).map_err(crate::error::plan_parse)
    }
    pub fn to_json_pretty(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("serializes");
        s.push('\n');
        s
    }
}

/// True when a plan document is a pack plan (it has a `pack` key) rather than a vendor plan.
pub fn is_pack_plan(text: &str) -> bool {
    serde_json::from_str::<Value>(text).ok().and_then(|v| v.get("pack").cloned()).is_some()
}

impl Pack {
    pub fn from_json(text: &str, origin: &str) -> Result<Pack, CoreError> {
        let p: Pack = crate::error::parse_json(text).map_err(|(field, e)| CoreError::Profile {
            id: origin.to_string(),
            field: None,
            message: format!("not a valid role pack at line {}, column {}{}: {e}", e.line(), e.column(), crate::error::at_field(&field)),
        })?;
        let declared: BTreeSet<&str> = p.variables.iter().map(|v| v.name.as_str()).collect();
        let mut used = BTreeSet::new();
        let mut walk = vec![p.roles.iter().map(|r| serde_json::to_value(r).expect("json")).collect::<Vec<_>>()];
        walk.push(p.managed_policies.iter().map(|m| serde_json::to_value(m).expect("json")).collect());
        for v in walk.iter().flatten() {
            placeholders(v, &mut used);
        }
        let undeclared: Vec<&String> = used.iter().filter(|u| !declared.contains(u.as_str())).collect();
        if p.format != 1 || !undeclared.is_empty() {
            return Err(CoreError::Profile {
                id: origin.to_string(),
                field: None,
                message: format!("format must be 1 and every placeholder declared (undeclared: {undeclared:?})"),
            });
        }
        p.check().map_err(|message| CoreError::Profile { id: origin.to_string(), field: None, message })?;
        Ok(p)
    }

    /// A pack file is untrusted input: its names reach scripts, templates and comments, and its
    /// account variable is what apply checks the caller against.
    fn check(&self) -> Result<(), String> {
        use crate::profile::plain_text;
        let mut errs = Vec::new();
        if self.id.is_empty() || self.id.len() > 40 || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            errs.push(format!("id: 1-40 characters of a-z, 0-9 and '-' (got '{}')", crate::validate::show_value(&self.id)));
        }
        plain_text("display_name", &self.display_name, 80, &mut errs);
        plain_text("description", &self.description, 1000, &mut errs);
        if !self.variables.iter().any(|v| v.name == "AWS_ACCOUNT" && v.kind == VarKind::AccountId) {
            errs.push(
                "variables: a pack must declare AWS_ACCOUNT (kind account_id): apply checks the credentials' account against it".into(),
            );
        }
        for (i, v) in self.variables.iter().enumerate() {
            let ok = !v.name.is_empty()
                && v.name.len() <= 64
                && v.name.starts_with(|c: char| c.is_ascii_uppercase())
                && v.name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                errs.push(format!(
                    "variables[{i}].name: 1-64 of A-Z, 0-9 and '_', starting with a letter (got '{}')",
                    crate::validate::show_value(&v.name)
                ));
            }
            plain_text(&format!("variables[{i}].description"), &v.description, 500, &mut errs);
            plain_text(&format!("variables[{i}].example"), &v.example, 256, &mut errs);
        }
        // Names may hold {PLACEHOLDERS}; what is around them must be a valid IAM name.
        let iam_name = |field: String, v: &str, errs: &mut Vec<String>| {
            let bare: String = v.chars().filter(|c| !matches!(c, '{' | '}')).collect();
            if bare.is_empty() || v.len() > 128 || !bare.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)) {
                errs.push(format!(
                    "{field}: 1-128 characters of letters, digits and + = , . @ _ - (got '{}')",
                    crate::validate::show_value(v)
                ));
            }
        };
        for (i, m) in self.managed_policies.iter().enumerate() {
            iam_name(format!("managed_policies[{i}].name"), &m.name, &mut errs);
            if let Some(d) = &m.description {
                plain_text(&format!("managed_policies[{i}].description"), d, 1000, &mut errs);
            }
        }
        for (i, r) in self.roles.iter().enumerate() {
            iam_name(format!("roles[{i}].name"), &r.name, &mut errs);
            plain_text(&format!("roles[{i}].description"), &r.description, 1000, &mut errs);
            for (j, d) in r.inline_policies.iter().enumerate() {
                iam_name(format!("roles[{i}].inline_policies[{j}].name"), &d.name, &mut errs);
            }
            for n in r.managed_policy_names.iter().chain(r.permissions_boundary.iter()) {
                if !self.managed_policies.iter().any(|m| &m.name == n) {
                    errs.push(format!("roles[{i}]: '{}' is not one of this pack's managed_policies", crate::validate::show_value(n)));
                }
            }
            for a in &r.aws_managed_policies {
                let bare: String = a.chars().filter(|c| !matches!(c, '{' | '}')).collect();
                if check_var(VarKind::AwsManagedPolicy, &bare, "aws").is_err() {
                    errs.push(format!(
                        "roles[{i}].aws_managed_policies: not an AWS-managed policy name (got '{}')",
                        crate::validate::show_value(a)
                    ));
                }
            }
        }
        for (i, c) in self.accepted_checks.iter().enumerate() {
            if c.id.is_empty() || c.id.len() > 40 || !c.id.chars().all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_') {
                errs.push(format!("accepted_checks[{i}].id: a checker id like CKV_AWS_111 (got '{}')", crate::validate::show_value(&c.id)));
            }
            plain_text(&format!("accepted_checks[{i}].reason"), &c.reason, 1000, &mut errs);
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs.join("; "))
        }
    }

    pub fn builtin(id: &str) -> Option<Pack> {
        BUILTIN.iter().find(|(b, _)| *b == id).map(|(b, t)| Pack::from_json(t, b).expect("built-in packs are checked by tests"))
    }

    pub fn builtins() -> Vec<Pack> {
        BUILTIN.iter().map(|(id, _)| Pack::builtin(id).expect("built-in")).collect()
    }

    pub fn resolve(id_or_path: &str, base_dir: Option<&Path>) -> Result<Pack, CoreError> {
        if let Some(p) = Pack::builtin(id_or_path) {
            return Ok(p);
        }
        if !crate::profile::looks_like_path(id_or_path) {
            let ids: Vec<&str> = BUILTIN.iter().map(|(id, _)| *id).collect();
            return Err(CoreError::Profile {
                id: id_or_path.into(),
                field: None,
                message: format!(
                    "pack: unknown role pack (got '{id_or_path}'); use one of {} or a path to a pack .json file",
                    ids.join(", ")
                ),
            });
        }
        let mut path = Path::new(id_or_path).to_path_buf();
        if let (true, Some(base)) = (path.is_relative(), base_dir) {
            path = base.join(path);
        }
        let text = crate::profile::read_small_file(&path).map_err(|e| CoreError::Profile {
            id: id_or_path.into(),
            field: None,
            message: e.to_string(),
        })?;
        Pack::from_json(&text, id_or_path)
    }
}

/// One role of a filled-in pack.
#[derive(Debug, Clone)]
pub struct PackRole {
    pub name: String,
    pub description: String,
    pub trust: PolicyDocument,
    pub inline: Vec<(String, PolicyDocument)>,
    pub managed: Vec<String>,
    pub aws_managed_arns: Vec<String>,
    pub boundary: Option<String>,
}

/// A validated pack plan with every document filled in and parsed.
#[derive(Debug, Clone)]
pub struct ResolvedPack {
    pub plan: PackPlan,
    pub pack: Pack,
    pub vars: BTreeMap<String, String>,
    pub partition: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub managed_policies: Vec<(String, String, PolicyDocument)>,
    pub roles: Vec<PackRole>,
}

impl ResolvedPack {
    pub fn managed_policy_arn(&self, name: &str) -> String {
        format!("arn:{}:iam::{}:policy/{name}", self.partition, self.account.as_deref().unwrap_or("${AWS::AccountId}"))
    }
}

mod lint;
mod validate;

use self::validate::{check_var, placeholders};

pub use self::lint::lint_pack;
pub use self::validate::validate_pack;
pub use crate::render::pack::render_pack;
