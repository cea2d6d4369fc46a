//! Role packs: sets of AWS roles described as data (trust and policy templates with `{VARIABLE}`
//! placeholders, a typed variables table, AWS-managed attachments, permissions boundaries), for
//! the reference systems that are not a vendor hand-off: the MLSpace roles, a SageMaker service
//! role, an EKS service-account (IRSA) role. A pack plan fills the variables; every variable is
//! validated by its kind, and any placeholder left unfilled is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::CoreError;
use crate::lint::{self, Finding, Severity};
use crate::policy::{PolicyDocument, INLINE_POLICIES_AGGREGATE_MAX, MANAGED_POLICY_MAX, TRUST_POLICY_MAX};
use crate::render::{Artifact, Bundle};
use crate::validate::{rules, Problem};

pub const BUILTIN: &[(&str, &str)] = &[
    ("mlspace", include_str!("../packs/mlspace.json")),
    ("sagemaker-service-role", include_str!("../packs/sagemaker-service-role.json")),
    ("eks-service-account", include_str!("../packs/eks-service-account.json")),
    ("cross-account-data-sharing", include_str!("../packs/cross-account-data-sharing.json")),
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
                message: format!("format must be 1 and every placeholder declared (undeclared: {undeclared:?})"),
            });
        }
        p.check().map_err(|message| CoreError::Profile { id: origin.to_string(), message })?;
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
        let text = crate::profile::read_small_file(&path).map_err(|message| CoreError::Profile { id: id_or_path.into(), message })?;
        Pack::from_json(&text, id_or_path)
    }
}

fn scan_placeholders(s: &str, out: &mut BTreeSet<String>) {
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) if j > 0 && after[..j].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') => {
                out.insert(after[..j].to_string());
                rest = &after[j + 1..];
            }
            _ => rest = after,
        }
    }
}

fn placeholders(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => scan_placeholders(s, out),
        Value::Array(a) => a.iter().for_each(|x| placeholders(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            scan_placeholders(k, out);
            placeholders(x, out)
        }),
        _ => {}
    }
}

fn fill_str(s: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = s.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

fn fill(v: &Value, vars: &BTreeMap<String, String>) -> Value {
    match v {
        Value::String(s) => Value::String(fill_str(s, vars)),
        Value::Array(a) => Value::Array(a.iter().map(|x| fill(x, vars)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (fill_str(k, vars), fill(x, vars))).collect()),
        other => other.clone(),
    }
}

fn hex_id(v: &str, prefix: &str) -> bool {
    v.strip_prefix(prefix)
        .is_some_and(|h| (h.len() == 8 || h.len() == 17) && h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
}

fn check_var(kind: VarKind, v: &str, partition: &str) -> rules::Rule {
    let fail = |m: &str| Err(m.to_string());
    match kind {
        VarKind::Partition => rules::partition(v),
        VarKind::Region => rules::aws_region(v, partition),
        VarKind::AccountId => rules::aws_account_id(v),
        VarKind::KmsKeyId => {
            let probe = format!("arn:aws:kms:us-east-1:123456789012:key/{v}");
            rules::kms_key_arn(&probe, "aws", "us-east-1").map_err(|_| "a KMS key id is a UUID or 'mrk-' and 32 hex digits".to_string())
        }
        VarKind::SubnetId if hex_id(v, "subnet-") => Ok(()),
        VarKind::SubnetId => fail("a subnet id looks like subnet-0123456789abcdef0"),
        VarKind::SecurityGroupId if hex_id(v, "sg-") => Ok(()),
        VarKind::SecurityGroupId => fail("a security group id looks like sg-0123456789abcdef0"),
        VarKind::RoleName => rules::aws_role_name(v),
        VarKind::RoleArn => {
            let rest = v
                .strip_prefix(&format!("arn:{partition}:iam::"))
                .ok_or_else(|| format!("a role ARN starts with 'arn:{partition}:iam::'"))?;
            let (acct, res) = rest.split_once(':').ok_or("a role ARN looks like arn:aws:iam::123456789012:role/name")?;
            rules::aws_account_id(acct)?;
            let name = res.strip_prefix("role/").ok_or("a role ARN's resource starts with 'role/'")?;
            rules::aws_role_name(name.rsplit('/').next().unwrap_or_default())
        }
        VarKind::BucketName => rules::s3_bucket(v),
        VarKind::AwsManagedPolicy => {
            if v.is_empty()
                || v.len() > 512
                || !v.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
                || v.starts_with('/')
            {
                fail("an AWS-managed policy name looks like AmazonSageMakerReadOnly or service-role/AWSLambdaVPCAccessExecutionRole")
            } else {
                Ok(())
            }
        }
        VarKind::OidcProvider => {
            let ok = !v.starts_with("https://")
                && v.contains('/')
                && v.len() <= 255
                && v.chars().all(|c| c.is_ascii_alphanumeric() || "./-_".contains(c));
            if ok {
                Ok(())
            } else {
                fail("an OIDC provider looks like oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE (no https://)")
            }
        }
        VarKind::K8sName => {
            let ok = !v.is_empty()
                && v.len() <= 63
                && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !v.starts_with('-')
                && !v.ends_with('-');
            if ok {
                Ok(())
            } else {
                fail("a Kubernetes name is 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit")
            }
        }
        VarKind::ExternalId => rules::external_id(v),
        VarKind::PolicyArn => rules::policy_arn(v, partition),
        VarKind::Text => rules::display_name(v, 256).and_then(|_| {
            if v.contains(['{', '}', '"', '\'', '\\']) {
                fail("must not contain braces, quotes or backslashes")
            } else if v.contains(['*', '?']) {
                fail("must not contain '*' or '?' (a wildcard would widen what the pack grants)")
            } else {
                Ok(())
            }
        }),
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

/// Validates a pack plan: every variable by its kind, no unknown variables, no placeholder left,
/// every document parsed, IAM size and count limits.
pub fn validate_pack(plan: &PackPlan, base_dir: Option<&Path>) -> Result<ResolvedPack, Vec<Problem>> {
    let mut problems = Vec::new();
    if plan.version != 1 {
        problems.push(Problem::new("version", "must be 1", &plan.version.to_string()));
    }
    let pack = match Pack::resolve(&plan.pack, base_dir) {
        Ok(p) => p,
        Err(e) => {
            problems.push(Problem::new("pack", e.to_string(), &plan.pack));
            return Err(problems);
        }
    };
    let declared: BTreeMap<&str, &Variable> = pack.variables.iter().map(|v| (v.name.as_str(), v)).collect();
    for k in plan.variables.keys() {
        if !declared.contains_key(k.as_str()) {
            problems.push(Problem::new(format!("variables.{k}"), format!("pack '{}' has no such variable", pack.id), k));
        }
    }
    let mut vars = BTreeMap::new();
    for v in &pack.variables {
        match plan.variables.get(&v.name).cloned().or_else(|| v.default.clone()) {
            Some(val) => {
                vars.insert(v.name.clone(), val);
            }
            None => problems.push(
                Problem::new(
                    format!("variables.{}", v.name),
                    format!("required: {} (unfilled placeholder {{{}}})", v.description, v.name),
                    "",
                )
                .with_fix(format!("for example '{}'", v.example)),
            ),
        }
    }
    let partition = vars.get("AWS_PARTITION").cloned().unwrap_or_else(|| "aws".into());
    for v in &pack.variables {
        if let Some(val) = vars.get(&v.name) {
            if let Err(rule) = check_var(v.kind, val, &partition) {
                problems.push(Problem::new(format!("variables.{}", v.name), rule, val));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let parse = |field: String, v: &Value, problems: &mut Vec<Problem>| -> Option<PolicyDocument> {
        let filled = fill(v, &vars);
        let mut left = BTreeSet::new();
        placeholders(&filled, &mut left);
        if !left.is_empty() {
            problems.push(Problem::new(field, "unfilled placeholder", &left.into_iter().collect::<Vec<_>>().join(", ")));
            return None;
        }
        match PolicyDocument::parse(&filled.to_string()) {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(Problem::new(field, format!("not an IAM policy document: {e}"), ""));
                None
            }
        }
    };
    let mut managed_policies = Vec::new();
    for (i, m) in pack.managed_policies.iter().enumerate() {
        let name = fill_str(&m.name, &vars);
        if let Some(doc) = parse(format!("pack.managed_policies[{i}]"), &m.document, &mut problems) {
            let size = doc.iam_size();
            if size > MANAGED_POLICY_MAX {
                problems.push(Problem::new(
                    format!("pack.managed_policies[{i}]"),
                    format!("IAM limit 'managed policy size' is {MANAGED_POLICY_MAX} characters (whitespace not counted)"),
                    &format!("{size} characters"),
                ));
            }
            managed_policies.push((name, m.description.clone().unwrap_or_default(), doc));
        }
    }
    let known: BTreeSet<String> = pack.managed_policies.iter().map(|m| m.name.clone()).collect();
    let mut roles = Vec::new();
    for (i, r) in pack.roles.iter().enumerate() {
        let field = format!("pack.roles[{i}]");
        let name = fill_str(&r.name, &vars);
        if let Err(rule) = rules::aws_role_name(&name) {
            problems.push(Problem::new(format!("{field}.name"), rule, &name));
        }
        let trust = parse(format!("{field}.trust"), &r.trust, &mut problems);
        let mut inline = Vec::new();
        for (j, p) in r.inline_policies.iter().enumerate() {
            if let Some(d) = parse(format!("{field}.inline_policies[{j}]"), &p.document, &mut problems) {
                inline.push((fill_str(&p.name, &vars), d));
            }
        }
        for m in r.managed_policy_names.iter().chain(r.permissions_boundary.iter()) {
            if !known.contains(m) {
                problems.push(Problem::new(format!("{field}"), "names a managed policy the pack does not define", m));
            }
        }
        let attached = r.managed_policy_names.len() + r.aws_managed_policies.len();
        if attached > MAX_MANAGED_POLICIES_PER_ROLE {
            problems.push(Problem::new(
                field.clone(),
                format!("IAM limit 'managed policies per role' is {MAX_MANAGED_POLICIES_PER_ROLE}"),
                &attached.to_string(),
            ));
        }
        if let Some(t) = &trust {
            if t.iam_size() > TRUST_POLICY_MAX {
                problems.push(Problem::new(
                    format!("{field}.trust"),
                    format!("IAM limit 'role trust policy length' is {TRUST_POLICY_MAX}"),
                    &t.iam_size().to_string(),
                ));
            }
        }
        let agg: usize = inline.iter().map(|(_, d)| d.iam_size()).sum();
        if agg > INLINE_POLICIES_AGGREGATE_MAX {
            problems.push(Problem::new(
                format!("{field}.inline_policies"),
                format!("IAM limit 'inline policies per role, aggregate' is {INLINE_POLICIES_AGGREGATE_MAX}"),
                &agg.to_string(),
            ));
        }
        if let Some(trust) = trust {
            roles.push(PackRole {
                name,
                description: fill_str(&r.description, &vars),
                trust,
                inline,
                managed: r.managed_policy_names.iter().map(|m| fill_str(m, &vars)).collect(),
                aws_managed_arns: r
                    .aws_managed_policies
                    .iter()
                    .map(|m| format!("arn:{partition}:iam::aws:policy/{}", fill_str(m, &vars)))
                    .collect(),
                boundary: r.permissions_boundary.as_ref().map(|b| fill_str(b, &vars)),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ResolvedPack {
        plan: plan.clone(),
        account: vars.get("AWS_ACCOUNT").cloned(),
        region: vars.get("AWS_REGION").cloned(),
        partition,
        vars,
        pack,
        managed_policies,
        roles,
    })
}

/// Lint: the shared document lint on every document, plus least-privilege warnings for broad
/// AWS-managed policies with a narrower suggestion.
pub fn lint_pack(r: &ResolvedPack) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, _, doc) in &r.managed_policies {
        out.extend(lint::lint_document(&format!("aws/managed-policies/{name}.json"), doc, &r.partition, false));
    }
    for role in &r.roles {
        out.extend(lint::lint_document(&format!("aws/roles/{}/trust-policy.json", role.name), &role.trust, &r.partition, true));
        for (pname, doc) in &role.inline {
            out.extend(lint::lint_document(&format!("aws/roles/{}/{pname}.json", role.name), doc, &r.partition, false));
        }
        for arn in &role.aws_managed_arns {
            let short = arn.rsplit('/').next().unwrap_or_default();
            if short.ends_with("FullAccess") || short == "AdministratorAccess" || short == "PowerUserAccess" {
                let narrower = if short.starts_with("AmazonSageMaker") {
                    "attach AmazonSageMakerReadOnly (or a policy listing only the SageMaker actions the jobs call) and keep data access in the inline bucket policy"
                } else {
                    "attach the service's ReadOnly policy, or an inline policy with the exact actions and resources"
                };
                out.push(Finding {
                    severity: Severity::Warning,
                    code: "lint.broad_managed_policy".into(),
                    document: format!("aws/roles/{}", role.name),
                    message: format!("'{short}' grants far more than most workloads need (least privilege)"),
                    fix: narrower.into(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.severity.cmp(&b.severity).then(a.document.cmp(&b.document)));
    out
}

fn pretty(doc: &PolicyDocument) -> String {
    doc.to_pretty_json()
}

/// The export bundle of a pack plan.
pub fn render_pack(r: &ResolvedPack) -> Bundle {
    let mut files = vec![Artifact::text("SUMMARY.md", summary(r)), Artifact::text("plan.json", r.plan.to_json_pretty())];
    for (name, _, doc) in &r.managed_policies {
        files.push(Artifact::text(&format!("aws/managed-policies/{name}.json"), pretty(doc)));
    }
    for role in &r.roles {
        files.push(Artifact::text(&format!("aws/roles/{}/trust-policy.json", role.name), pretty(&role.trust)));
        for (pname, doc) in &role.inline {
            files.push(Artifact::text(&format!("aws/roles/{}/{pname}.json", role.name), pretty(doc)));
        }
    }
    files.push(Artifact::script("aws/setup.sh", setup_sh(r)));
    files.push(Artifact::script("aws/revoke.sh", revoke_sh(r)));
    let set = crate::model::RoleSet::from_pack(r);
    files.push(Artifact::text("aws/cloudformation.yaml", crate::render::aws_iac::cfn_yaml(&set)));
    files.push(Artifact::text("aws/main.tf", crate::render::aws_iac::terraform(&set)));
    files.push(Artifact::text("aws/pulumi/__main__.py", crate::render::aws_iac::pulumi(&set)));
    files.push(Artifact::text(
        "aws/pulumi/Pulumi.yaml",
        crate::render::pulumi::project_yaml(&format!("trustbridge-{}", r.pack.id), &r.pack.display_name),
    ));
    files.push(Artifact::text("aws/pulumi/requirements.txt", crate::render::pulumi::requirements("aws")));
    Bundle { files }
}

fn summary(r: &ResolvedPack) -> String {
    let mut s = format!("# {}\n\n{}\n\n## Roles\n\n", r.pack.display_name, r.pack.description);
    for role in &r.roles {
        let actions: BTreeSet<String> = role.inline.iter().flat_map(|(_, d)| d.grants().into_iter().map(|g| g.action)).collect();
        s.push_str(&format!("- **{}**: {}. Trusted by: {}.", role.name, role.description, trusted_by(&role.trust)));
        s.push_str(&format!(" Inline: {} action(s) in {} policy(ies).", actions.len(), role.inline.len()));
        if !role.managed.is_empty() || !role.aws_managed_arns.is_empty() {
            s.push_str(&format!(
                " Attached: {}.",
                role.managed.iter().chain(role.aws_managed_arns.iter()).map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(b) = &role.boundary {
            s.push_str(&format!(" Permissions boundary: `{b}`."));
        }
        s.push('\n');
    }
    s.push_str(&format!("\n## Apply\n\nRun `aws/setup.sh` (aws CLI, signed in to the target account), or deploy `aws/cloudformation.yaml` with `aws cloudformation deploy --capabilities CAPABILITY_NAMED_IAM`.\n\n## Revoke\n\nWhat `aws/setup.sh` (or Terraform, or Pulumi) created: run `aws/revoke.sh`: it detaches and deletes every policy, then the roles. A CloudFormation stack: delete the stack (`aws cloudformation delete-stack --stack-name trustbridge-{}`); CloudFormation cannot tag customer-managed policies, so `aws/revoke.sh` refuses them (it changes only what carries its tags).\n", r.pack.id));
    s
}

fn trusted_by(trust: &PolicyDocument) -> String {
    let who: BTreeSet<String> =
        trust.grants().into_iter().map(|g| g.principal.split_once(':').map(|(_, v)| v.to_string()).unwrap_or(g.principal)).collect();
    who.into_iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
}

const FOREIGN_PACK_FIX: &str =
    "A pack's roles and policies have fixed names: delete or rename the existing one in IAM (after checking who uses it), or apply the pack in another account.";

/// `aws/setup.sh`: the pack's role set ([`crate::model::RoleSet`]) through the one AWS script renderer.
fn setup_sh(r: &ResolvedPack) -> String {
    crate::render::aws_sh::setup_sh(&crate::model::RoleSet::from_pack(r), FOREIGN_PACK_FIX, &["Done.".to_string()])
}

fn revoke_sh(r: &ResolvedPack) -> String {
    crate::render::aws_sh::revoke_sh(&crate::model::RoleSet::from_pack(r), FOREIGN_PACK_FIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_in_keys_and_values() {
        let mut s = BTreeSet::new();
        placeholders(&serde_json::json!({"{A}:sub": ["x{B_2}y", "{not this}", "{}"]}), &mut s);
        assert_eq!(s.into_iter().collect::<Vec<_>>(), ["A", "B_2"]);
    }
}
