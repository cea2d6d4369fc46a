//! A pack plan's validation: every variable by its kind, no unknown variable, no placeholder left
//! unfilled, every document parsed, IAM's size and count limits.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::*;
use crate::policy::{PolicyDocument, INLINE_POLICIES_AGGREGATE_MAX, MANAGED_POLICY_MAX, TRUST_POLICY_MAX};
use crate::validate::{rules, Problem};

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

pub(super) fn placeholders(v: &Value, out: &mut BTreeSet<String>) {
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

/// A filled name (`what`: "role name", …) that breaks its rule (`check`). The pack file's own text was
/// checked around its placeholders, so what breaks a name is mostly a value of a variable it takes:
/// the problem is then reported at that variable (the field the person fills), naming the pack's
/// field, with the filled name in its fix. That variable is the one whose value, put back as a plain `x`, lets
/// the name pass; when none alone does, each variable the name takes. A name that breaks its rule
/// with every value plain (no variable in it, or fixed text past the length IAM allows) is the
/// pack's own problem, at its field.
fn filled_name_problems(
    what: &str,
    field: &str,
    template: &str,
    vars: &BTreeMap<String, String>,
    check: impl Fn(&str) -> rules::Rule,
) -> Vec<Problem> {
    let filled = fill_str(template, vars);
    let Err(rule) = check(&filled) else { return Vec::new() };
    let mut used = BTreeSet::new();
    scan_placeholders(template, &mut used);
    let used: Vec<(&String, &String)> = used.iter().filter_map(|v| vars.get_key_value(v)).collect();
    // With every value plain the name still breaks its rule (the pack's own text is too long, say):
    // no value is to blame.
    let mut all_plain = vars.clone();
    all_plain.extend(used.iter().map(|(v, _)| (v.to_string(), "x".to_string())));
    if check(&fill_str(template, &all_plain)).is_err() {
        return vec![Problem::new(field, rule, &filled)];
    }
    let alone: Vec<(&String, &String)> = used
        .iter()
        .filter(|(v, _)| {
            let mut plain = vars.clone();
            plain.insert(v.to_string(), "x".into());
            check(&fill_str(template, &plain)).is_ok()
        })
        .copied()
        .collect();
    let blamed = if alone.is_empty() { used } else { alone };
    blamed
        .into_iter()
        .map(|(v, val)| {
            Problem::new(format!("variables.{v}"), format!("makes the {what} at {field} invalid: {rule}"), val)
                .with_fix(format!("filled in, the {what} is '{filled}'"))
        })
        .collect()
}

fn hex_id(v: &str, prefix: &str) -> bool {
    v.strip_prefix(prefix)
        .is_some_and(|h| (h.len() == 8 || h.len() == 17) && h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
}

pub(super) fn check_var(kind: VarKind, v: &str, partition: &str) -> rules::Rule {
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
        // The pack file's names were checked around their placeholders; filled, they are checked whole.
        problems.extend(filled_name_problems(
            "policy name",
            &format!("pack.managed_policies[{i}].name"),
            &m.name,
            &vars,
            rules::aws_policy_name,
        ));
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
        problems.extend(filled_name_problems("role name", &format!("{field}.name"), &r.name, &vars, rules::aws_role_name));
        let trust = parse(format!("{field}.trust"), &r.trust, &mut problems);
        let mut inline = Vec::new();
        for (j, p) in r.inline_policies.iter().enumerate() {
            let policy = fill_str(&p.name, &vars);
            problems.extend(filled_name_problems(
                "policy name",
                &format!("{field}.inline_policies[{j}].name"),
                &p.name,
                &vars,
                rules::aws_policy_name,
            ));
            if let Some(d) = parse(format!("{field}.inline_policies[{j}]"), &p.document, &mut problems) {
                inline.push((policy, d));
            }
        }
        for (j, m) in r.aws_managed_policies.iter().enumerate() {
            let managed = |v: &str| check_var(VarKind::AwsManagedPolicy, v, &partition);
            problems.extend(filled_name_problems(
                "AWS-managed policy name",
                &format!("{field}.aws_managed_policies[{j}]"),
                m,
                &vars,
                managed,
            ));
        }
        for m in r.managed_policy_names.iter().chain(r.permissions_boundary.iter()) {
            if !known.contains(m) {
                problems.push(Problem::new(field.to_string(), "names a managed policy the pack does not define", m));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A pack file's names are checked around their placeholders; filled in, a policy name is
    /// checked whole, so a text variable cannot put a space (or anything else IAM refuses) into an
    /// inline, customer-managed or AWS-managed policy's name.
    #[test]
    fn filled_policy_names_are_checked_whole() {
        let mut pack: serde_json::Value = serde_json::from_str(include_str!("../../packs/eks-service-account.json")).unwrap();
        pack["id"] = "labelled".into();
        pack["variables"].as_array_mut().unwrap().push(serde_json::json!(
            {"name": "LABEL", "kind": "text", "description": "A label", "example": "x", "default": null}
        ));
        pack["roles"][0]["inline_policies"][0]["name"] = "data-{LABEL}".into();
        pack["roles"][0]["aws_managed_policies"] = serde_json::json!(["service-role/{LABEL}"]);
        pack["managed_policies"] = serde_json::json!([{"name": "{LABEL}-policy", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}}]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("labelled.json"), pack.to_string()).unwrap();
        let plan = |label: &str| {
            let vars = [
                ("AWS_ACCOUNT", "123456789012"),
                ("OIDC_PROVIDER", "oidc.eks.us-east-1.amazonaws.com/id/ABC"),
                ("K8S_NAMESPACE", "ml"),
                ("K8S_SERVICE_ACCOUNT", "trainer"),
                ("ROLE_NAME", "trainer"),
                ("DATA_BUCKET", "my-data"),
                ("LABEL", label),
            ];
            PackPlan {
                version: 1,
                pack: "labelled.json".into(),
                variables: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            }
        };
        validate_pack(&plan("fine"), Some(dir.path())).unwrap_or_else(|p| panic!("{p:#?}"));
        let problems = validate_pack(&plan("two words"), Some(dir.path())).unwrap_err();
        // Each is reported at the variable the person fills, naming the pack's field and the name.
        let said: Vec<(&str, &str, &str)> = problems.iter().map(|p| (p.field.as_str(), p.rule.as_str(), p.value.as_str())).collect();
        let names = [
            ("policy name", "pack.managed_policies[0].name", "two words-policy"),
            ("policy name", "pack.roles[0].inline_policies[0].name", "data-two words"),
            ("AWS-managed policy name", "pack.roles[0].aws_managed_policies[0]", "service-role/two words"),
        ];
        assert_eq!(said.len(), names.len(), "{problems:#?}");
        for (((field, rule, value), p), (what, name_field, name)) in said.into_iter().zip(&problems).zip(names) {
            assert_eq!((field, value), ("variables.LABEL", "two words"), "{problems:#?}");
            assert!(rule.starts_with(&format!("makes the {what} at {name_field} invalid: ")), "{rule}");
            assert_eq!(p.fix.as_deref(), Some(format!("filled in, the {what} is '{name}'").as_str()));
        }
    }

    /// A name is reported at the variable whose value breaks it; one no value can mend is the pack's
    /// own problem, at its field.
    #[test]
    fn a_name_breaks_its_rule_by_a_variable_or_by_itself() {
        let vars: BTreeMap<String, String> =
            [("A", "x y"), ("B", "z"), ("C", &"c".repeat(30)), ("D", &"d".repeat(30))].map(|(k, v)| (k.to_string(), v.to_string())).into();
        let fields = |template: &str| -> Vec<String> {
            filled_name_problems("role name", "pack.roles[0].name", template, &vars, rules::aws_role_name)
                .into_iter()
                .map(|p| p.field)
                .collect()
        };
        // The variable whose value breaks the name, not the others it takes.
        assert_eq!(fields("r-{A}-{B}"), ["variables.A"]);
        // Too long: either value, put back plain, makes it fit, so both are named.
        assert_eq!(fields("role-{C}-{D}"), ["variables.C", "variables.D"]);
        assert!(fields("r-{B}-{C}").is_empty());
        let p = filled_name_problems("role name", "pack.roles[0].name", "r x", &vars, rules::aws_role_name);
        assert_eq!((p[0].field.as_str(), p[0].value.as_str(), p.len()), ("pack.roles[0].name", "r x", 1), "{p:#?}");
        // Fixed text past IAM's 64 characters: no value can mend it, so the pack's field is named.
        let long = format!("{}-{{B}}", "r".repeat(70));
        let p = filled_name_problems("role name", "pack.roles[0].name", &long, &vars, rules::aws_role_name);
        assert_eq!((p[0].field.as_str(), p.len()), ("pack.roles[0].name", 1), "{p:#?}");
    }

    #[test]
    fn placeholders_are_found_in_keys_and_values() {
        let mut s = BTreeSet::new();
        placeholders(&serde_json::json!({"{A}:sub": ["x{B_2}y", "{not this}", "{}"]}), &mut s);
        assert_eq!(s.into_iter().collect::<Vec<_>>(), ["A", "B_2"]);
    }
}
