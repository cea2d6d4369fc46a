//! The MLSpace role pack against the MLSpace guide it comes from, role by role.
//!
//! The independent source is `fixtures/reference/mlspace-roles.json`: the guide's IAM documents
//! (the public AWS MLSpace "CDK Deployment" guide, as text) copied verbatim with their placeholders, and
//! which policies the guide attaches to which role. Both sides are filled with the same values (the
//! fixture plan's variables and the pack's defaults), then, for every role (and the permissions
//! boundary, which the guide creates but attaches to no role):
//!
//! - the role exists on both sides (names mapped in `ROLES`), with the same trust principals, the
//!   same AWS-managed policies and the guide's customer-managed policies (`POLICIES`);
//! - every Allow we give (action × resource × conditions, case-insensitive actions, Sid, order and
//!   one-or-many irrelevant) is inside an Allow the guide gives: we are never wider;
//! - every Deny the guide writes, we write too;
//! - every Allow the guide gives that we do not give as such is named in `DELIBERATELY_NARROWER`
//!   with the reason, and every entry there is still such a grant (no stale entries).
//!
//! `cargo test -p trustbridge-tests --test mlspace_reference -- --nocapture` prints the per-role
//! summary.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trustbridge_core::pack::{validate_pack, PackPlan, ResolvedPack};
use trustbridge_core::policy::{Effect, PolicyDocument};

/// The guide's role sections (fixture `roles[].role`) → the pack's role names. The first three are
/// the guide's own examples for `{MLSPACE_NOTEBOOK_ROLE_NAME}`, `{MLSPACE_APP_ROLE_NAME}` and
/// `{MLSPACE_SYSTEM_ROLE_NAME}` (its variable table), which are the pack's defaults; the guide lets
/// you name the last two as you like.
const ROLES: &[(&str, &str)] = &[
    ("Notebook Role", "mlspace-notebook-role"),
    ("App Role", "mlspace-app-role"),
    ("System Role", "mlspace-system-role"),
    ("S3 Reader Role", "mlspace-s3-reader-role"),
    ("API Gateway CloudWatch Role", "mlspace-apigateway-cloudwatch-role"),
];

/// The fixture's policy labels → the pack's customer-managed policy names. The guide lets you name
/// every policy but the permissions boundary, whose name its `iam:CreateRole` condition requires.
const POLICIES: &[(&str, &str)] = &[
    ("notebook-policy", "mlspace-notebook-policy"),
    ("permission-boundary", "mlspace-project-user-permission-boundary"),
    ("app-policy", "mlspace-app-policy"),
    ("system-policy", "mlspace-system-policy"),
    ("s3-reader-policy", "mlspace-s3-reader-policy"),
];

/// The permissions boundary: created by the guide (App Role section) for the per-project/user
/// roles MLSpace creates itself, attached to no role here, so compared as a subject of its own.
const BOUNDARY: &str = "mlspace-project-user-permission-boundary";

/// Roles the guide names but the pack does not create, and why. The guide gives no document for
/// them: they are made from the console's EMR use cases, which attach AWS's own policies.
const NOT_CREATED: &[(&str, &str)] = &[
    (
        "Service Role",
        "the EMR service role: MLSpace uses an existing one (or the CDK deployment creates it); the pack takes its ARN as \
         EMR_DEFAULT_ROLE_ARN and only lets the app and system roles pass it",
    ),
    (
        "Instance Role",
        "the EMR EC2 instance role: likewise existing or made by the CDK deployment; the pack takes its ARN as \
         EMR_EC2_INSTANCE_ROLE_ARN",
    ),
    ("Cleanup Role", "the EMR cleanup role: a console use case with a fixed name, which MLSpace does not reference by ARN"),
];

/// A grant of the guide that we do not give as written, on purpose. `subjects` are our role names
/// (or `BOUNDARY`); each (subject, action, reference_resource) must be an Allow of the guide for
/// that subject (any conditions) that we do not give as such. `reference_resource` may hold the
/// guide's placeholders.
struct Narrower {
    subjects: &'static [&'static str],
    actions: &'static [&'static str],
    reference_resource: &'static str,
    reason: &'static str,
}

const NOTEBOOK: &str = "mlspace-notebook-role";
const APP: &str = "mlspace-app-role";
const SYSTEM: &str = "mlspace-system-role";

const DELIBERATELY_NARROWER: &[Narrower] = &[
    // Notebook policy (notebook and app roles), boundary, system policy: CloudWatch Logs writes.
    Narrower {
        subjects: &[NOTEBOOK, APP, SYSTEM, BOUNDARY],
        actions: &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        reference_resource: "*",
        reason: "Resource '*' scoped to this account's log groups in the MLSpace region \
                 (arn:{AWS_PARTITION}:logs:{AWS_REGION}:{AWS_ACCOUNT}:log-group:*): MLSpace's notebooks, jobs and \
                 Lambdas write their logs only there",
    },
    // Notebook policy, boundary, system policy: iam:GetRole (the app policy's is below).
    Narrower {
        subjects: &[NOTEBOOK, BOUNDARY],
        actions: &["iam:GetRole"],
        reference_resource: "*",
        reason: "Resource '*' scoped to this account's roles (arn:{AWS_PARTITION}:iam::{AWS_ACCOUNT}:role/*): \
                 MLSpace only reads its own account's roles",
    },
    Narrower {
        subjects: &[NOTEBOOK, APP, SYSTEM, BOUNDARY],
        actions: &["sagemaker:DescribeWorkteam", "sagemaker:ListTrainingJobsForHyperParameterTuningJob"],
        reference_resource: "*",
        reason: "Resource '*' scoped to this account's SageMaker resources in the MLSpace region \
                 (arn:{AWS_PARTITION}:sagemaker:{AWS_REGION}:{AWS_ACCOUNT}:*), like the guide's other SageMaker \
                 grants: both calls take the name of a work team or tuning job of the calling account",
    },
    // App and system policies: IAM reads. iam:ListRoles has no resource-level scope and stays '*'.
    Narrower {
        subjects: &[APP, SYSTEM],
        actions: &["iam:GetRole", "iam:GetPolicy", "iam:ListAttachedRolePolicies", "iam:ListEntitiesForPolicy", "iam:ListPolicyVersions"],
        reference_resource: "*",
        reason: "Resource '*' scoped to this account's roles and policies (arn:{AWS_PARTITION}:iam::{AWS_ACCOUNT}:role/* \
                 and :policy/*): MLSpace manages only its own account's IAM; iam:ListRoles stays '*'",
    },
    Narrower {
        subjects: &[APP, SYSTEM],
        actions: &["logs:FilterLogEvents"],
        reference_resource: "*",
        reason: "Resource '*' scoped to this account's log groups in the MLSpace region: MLSpace reads its SageMaker logs by log group name there",
    },
];

// ---------------------------------------------------------------------------------------------
// Grants with comparable conditions.

/// One condition: operator (canonical, see `canonical_op`), key (lower case: IAM condition keys are
/// case-insensitive), values.
type Cond = (String, String, BTreeSet<String>);

/// One elementary permission of a policy: effect, action (lower case), resource, conditions (all
/// of which must hold).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct G {
    effect: Effect,
    action: String,
    resource: String,
    conds: BTreeSet<Cond>,
}

impl fmt::Display for G {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {} on {}", self.effect, self.action, self.resource)?;
        if !self.conds.is_empty() {
            let c: Vec<String> =
                self.conds.iter().map(|(op, k, v)| format!("{op} {k}={}", v.iter().cloned().collect::<Vec<_>>().join("|"))).collect();
            write!(f, " when {}", c.join(", "))?;
        }
        Ok(())
    }
}

fn has_wildcard(s: &str) -> bool {
    s.contains('*') || s.contains('?')
}

/// Operators that match the same requests are written the same way. Only what IAM's documented
/// condition operators make equal: with no `*` or `?` in the values, `StringLike` is
/// `StringEquals`, and `ArnEquals`/`ArnLike` (case-sensitive, per ARN segment) match exactly the
/// same ARN, so they are `StringEquals` too; with wildcards, `ArnEquals` is `ArnLike` (the same
/// operator in IAM) and stays distinct from `StringLike`. `ForAnyValue:`/`ForAllValues:` and
/// `IfExists` are kept.
fn canonical_op(op: &str, values: &BTreeSet<String>) -> String {
    let (set, rest) = match op.split_once(':') {
        Some((q, r)) => (format!("{q}:"), r),
        None => (String::new(), op),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(b) => (b, "IfExists"),
        None => (rest, ""),
    };
    let wild = values.iter().any(|v| has_wildcard(v));
    let base = match base {
        "StringLike" | "ArnEquals" | "ArnLike" if !wild => "StringEquals",
        "ArnEquals" => "ArnLike",
        b => b,
    };
    format!("{set}{base}{if_exists}")
}

fn grants(doc: &PolicyDocument) -> BTreeSet<G> {
    let mut out = BTreeSet::new();
    for st in &doc.statement {
        assert!(st.principal.is_none(), "a permissions policy with a Principal: {st:?}");
        let mut conds = BTreeSet::new();
        for (op, keys) in st.condition.iter().flatten() {
            for (k, v) in keys {
                let values: BTreeSet<String> = v.values().into_iter().collect();
                conds.insert((canonical_op(op, &values), k.to_ascii_lowercase(), values));
            }
        }
        let resources = st.resource.as_ref().map(|r| r.values()).unwrap_or_else(|| panic!("a statement with no Resource: {st:?}"));
        for a in st.action.values() {
            for r in &resources {
                out.insert(G { effect: st.effect, action: a.to_ascii_lowercase(), resource: r.clone(), conds: conds.clone() });
            }
        }
    }
    out
}

/// Whether the IAM wildcard pattern `pat` matches every string the pattern `s` matches: a `*` of
/// `pat` takes any run of `s` (wildcards included); a `?` of `pat` takes one character of `s` that is
/// not a `*`; any other character of `pat` only itself (so never a wildcard of `s`).
fn glob_covers(pat: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pat.chars().collect(), s.chars().collect());
    // m[i][j]: p[i..] covers s[j..].
    let mut m = vec![vec![false; s.len() + 1]; p.len() + 1];
    m[p.len()][s.len()] = true;
    for i in (0..p.len()).rev() {
        for j in (0..=s.len()).rev() {
            m[i][j] = match p[i] {
                '*' => m[i + 1][j] || (j < s.len() && m[i][j + 1]),
                '?' => j < s.len() && s[j] != '*' && m[i + 1][j + 1],
                c => j < s.len() && s[j] == c && m[i + 1][j + 1],
            };
        }
    }
    m[0][0]
}

/// `wide` allows at least every request `narrow` allows: same effect, its action and resource
/// patterns cover `narrow`'s, and every one of its conditions is also one of `narrow`'s (more
/// conditions, all required, allow less).
fn covers(wide: &G, narrow: &G) -> bool {
    wide.effect == narrow.effect
        && glob_covers(&wide.action, &narrow.action)
        && glob_covers(&wide.resource, &narrow.resource)
        && wide.conds.is_subset(&narrow.conds)
}

// ---------------------------------------------------------------------------------------------
// The comparison of one subject (a role, or the boundary).

/// A `DELIBERATELY_NARROWER` entry for one subject: (action lower case, resource filled, reason).
type NarrowerEntry = (String, String, &'static str);

#[derive(Debug, Default)]
struct Outcome {
    reference_allows: usize,
    reference_denies: usize,
    our_allows: usize,
    our_denies: usize,
    /// Reference Allows we give exactly.
    same: usize,
    /// Reference Allows we do not give as written, each with its reason and what we give instead
    /// (our grants inside it that the guide does not write as such).
    narrower: Vec<(G, &'static str, Vec<G>)>,
    /// Denies of ours the guide does not write (they only narrow).
    extra_denies: Vec<G>,
}

fn compare(subject: &str, reference: &BTreeSet<G>, ours: &BTreeSet<G>, listed: &[NarrowerEntry]) -> Result<Outcome, Vec<String>> {
    let mut errors = Vec::new();
    let allows = |set: &BTreeSet<G>| set.iter().filter(|g| g.effect == Effect::Allow).cloned().collect::<BTreeSet<G>>();
    let denies = |set: &BTreeSet<G>| set.iter().filter(|g| g.effect == Effect::Deny).cloned().collect::<BTreeSet<G>>();
    let (ref_allow, ref_deny, our_allow, our_deny) = (allows(reference), denies(reference), allows(ours), denies(ours));

    // Never wider: every Allow of ours inside an Allow of the guide; every Deny of the guide ours.
    for g in &our_allow {
        if !ref_allow.iter().any(|r| covers(r, g)) {
            errors.push(format!("{subject}: WIDER than the reference: we grant {g}, which no reference Allow covers"));
        }
    }
    for d in ref_deny.difference(&our_deny) {
        errors.push(format!("{subject}: WIDER than the reference: the reference has {d}, we do not"));
    }

    // Every reference Allow we do not give as written is listed, with its reason.
    let missing: Vec<&G> = ref_allow.difference(&our_allow).collect();
    let mut out = Outcome {
        reference_allows: ref_allow.len(),
        reference_denies: ref_deny.len(),
        our_allows: our_allow.len(),
        our_denies: our_deny.len(),
        same: ref_allow.intersection(&our_allow).count(),
        extra_denies: our_deny.difference(&ref_deny).cloned().collect(),
        ..Outcome::default()
    };
    for g in &missing {
        match listed.iter().find(|(a, r, _)| *a == g.action && *r == g.resource) {
            Some((_, _, reason)) => {
                let instead: Vec<G> = our_allow.iter().filter(|o| !ref_allow.contains(o) && covers(g, o)).cloned().collect();
                out.narrower.push(((*g).clone(), reason, instead));
            }
            None => errors.push(format!("{subject}: the reference grants {g}, we do not, and DELIBERATELY_NARROWER does not say why")),
        }
    }
    // No stale entries: each names a reference Allow we do not give.
    for (a, r, _) in listed {
        if !missing.iter().any(|g| g.action == *a && g.resource == *r) {
            let why = if ref_allow.iter().any(|g| g.action == *a && g.resource == *r) {
                "we do grant it as the reference writes it"
            } else {
                "the reference grants no such thing"
            };
            errors.push(format!("{subject}: stale DELIBERATELY_NARROWER entry {a} on {r}: {why}"));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------------------------------------
// Loading both sides.

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn resolved() -> ResolvedPack {
    let plan = PackPlan::from_json(&std::fs::read_to_string(fixtures().join("packs/mlspace.json")).unwrap()).unwrap();
    validate_pack(&plan, None).unwrap_or_else(|p| panic!("{p:#?}"))
}

fn fixture() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("reference/mlspace-roles.json")).unwrap()).unwrap()
}

/// The guide's `{VARIABLE}` placeholders filled with the pack's values; none may be left.
fn fill(s: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = s.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    for (i, _) in out.match_indices('{') {
        let name: String = out[i + 1..].chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect();
        assert!(
            name.is_empty() || !out[i + 1 + name.len()..].starts_with('}'),
            "placeholder {{{name}}} of the reference has no value: {s}"
        );
    }
    out
}

fn fill_value(v: &Value, vars: &BTreeMap<String, String>) -> Value {
    match v {
        Value::String(s) => Value::String(fill(s, vars)),
        Value::Array(a) => Value::Array(a.iter().map(|x| fill_value(x, vars)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), fill_value(x, vars))).collect()),
        other => other.clone(),
    }
}

fn doc(v: &Value, vars: &BTreeMap<String, String>) -> PolicyDocument {
    serde_json::from_value(fill_value(v, vars)).unwrap_or_else(|e| panic!("not a policy document: {e}: {v}"))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}")).iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

fn ours_of(label: &str) -> &'static str {
    POLICIES.iter().find(|(l, _)| *l == label).unwrap_or_else(|| panic!("reference policy '{label}' not mapped in POLICIES")).1
}

/// `DELIBERATELY_NARROWER` for one subject, filled.
fn listed_for(subject: &str, vars: &BTreeMap<String, String>) -> Vec<NarrowerEntry> {
    DELIBERATELY_NARROWER
        .iter()
        .filter(|n| n.subjects.contains(&subject))
        .flat_map(|n| n.actions.iter().map(move |a| (a.to_ascii_lowercase(), fill(n.reference_resource, vars), n.reason)))
        .collect()
}

/// One subject: its name (ours), the reference's grants, ours.
struct Subject {
    name: String,
    reference: BTreeSet<G>,
    ours: BTreeSet<G>,
}

/// Checks roles, trust and attachments (panics on a difference) and returns each subject's grants.
fn subjects(r: &ResolvedPack, f: &Value, log: &mut Vec<String>) -> Vec<Subject> {
    let vars = &r.vars;
    let ref_policies = f["customer_managed_policies"].as_object().unwrap();
    let our_policies: BTreeMap<&str, &PolicyDocument> = r.managed_policies.iter().map(|(n, _, d)| (n.as_str(), d)).collect();

    // The same customer-managed policies: each of the guide's is one of ours, and no more.
    let want: BTreeSet<&str> = ref_policies.keys().map(|l| ours_of(l)).collect();
    assert_eq!(our_policies.keys().copied().collect::<BTreeSet<_>>(), want, "customer-managed policies");

    // The same roles.
    let ref_roles = f["roles"].as_array().unwrap();
    let ref_names: BTreeSet<&str> = ref_roles.iter().map(|x| x["role"].as_str().unwrap()).collect();
    assert_eq!(ref_names, ROLES.iter().map(|(g, _)| *g).collect(), "the guide's roles with documents vs ROLES");
    assert_eq!(
        r.roles.iter().map(|x| x.name.as_str()).collect::<BTreeSet<_>>(),
        ROLES.iter().map(|(_, o)| *o).collect(),
        "the pack's roles vs ROLES"
    );
    let without: BTreeSet<&str> = f["roles_without_documents"].as_array().unwrap().iter().map(|x| x["role"].as_str().unwrap()).collect();
    assert_eq!(without, NOT_CREATED.iter().map(|(g, _)| *g).collect(), "the guide's roles without documents vs NOT_CREATED");
    for (g, why) in NOT_CREATED {
        log.push(format!("  not created by the pack: EMR {g}: {why}"));
    }

    let mut out = Vec::new();
    for rr in ref_roles {
        let section = rr["role"].as_str().unwrap();
        let name = ROLES.iter().find(|(g, _)| *g == section).unwrap().1;
        let role = r.roles.iter().find(|x| x.name == name).unwrap();
        if let Some(var) = rr["name_variable"].as_str() {
            assert_eq!(fill(var, vars), name, "{section}: the guide's {var}");
        }

        // Trust: the same principals, actions and conditions.
        let ref_trust = doc(&rr["trust"], vars).grants();
        assert_eq!(role.trust.grants(), ref_trust, "{name}: trust");
        let principals: Vec<&str> = ref_trust.iter().map(|g| g.principal.as_str()).collect();

        // AWS-managed policies: the guide names them; we attach them by ARN.
        let prefix = format!("arn:{}:iam::aws:policy/", r.partition);
        let ours_aws: BTreeSet<String> = role
            .aws_managed_arns
            .iter()
            .map(|a| {
                let path = a.strip_prefix(&prefix).unwrap_or_else(|| panic!("{name}: {a} is not an AWS-managed policy ARN"));
                path.rsplit('/').next().unwrap().to_string()
            })
            .collect();
        assert_eq!(ours_aws, strs(&rr["aws_managed_policies"]).into_iter().collect(), "{name}: AWS-managed policies");

        // Customer-managed policies: the guide's. For the System Role the guide offers its
        // least-privilege system policy or, instead, re-using the app and notebook policies (wider);
        // the pack takes the first, so that is what we compare with.
        let ref_attached = strs(&rr["customer_managed_policies"]);
        let want: BTreeSet<&str> = ref_attached.iter().map(|l| ours_of(l)).collect();
        assert_eq!(role.managed.iter().map(|s| s.as_str()).collect::<BTreeSet<_>>(), want, "{name}: customer-managed policies");
        if let Some(alt) = rr.get("customer_managed_policies_alternative") {
            log.push(format!("  {name}: the guide's alternative {:?} (wider) is not what the pack follows", strs(alt)));
        }

        let reference: BTreeSet<G> = ref_attached.iter().flat_map(|l| grants(&doc(&ref_policies[l.as_str()]["document"], vars))).collect();
        let mut ours: BTreeSet<G> = role.managed.iter().flat_map(|m| grants(our_policies[m.as_str()])).collect();
        ours.extend(role.inline.iter().flat_map(|(_, d)| grants(d)));
        log.push(format!(
            "  {name} ({section}): trust {principals:?}; AWS-managed {ours_aws:?}; customer-managed {:?}; inline {}; boundary {:?}",
            role.managed,
            role.inline.len(),
            role.boundary
        ));
        out.push(Subject { name: name.to_string(), reference, ours });
    }

    // The boundary, attached to no role on either side.
    let label = POLICIES.iter().find(|(_, o)| *o == BOUNDARY).unwrap().0;
    assert!(r.roles.iter().all(|x| !x.managed.iter().any(|m| m == BOUNDARY)), "the boundary is attached to a role");
    assert!(ref_roles.iter().all(|x| !strs(&x["customer_managed_policies"]).iter().any(|l| l == label)));
    assert_eq!(ref_policies[label]["name"].as_str(), Some(BOUNDARY), "the guide's name for the boundary");
    out.push(Subject {
        name: BOUNDARY.to_string(),
        reference: grants(&doc(&ref_policies[label]["document"], vars)),
        ours: grants(our_policies[BOUNDARY]),
    });
    out
}

// ---------------------------------------------------------------------------------------------

#[test]
fn mlspace_pack_matches_the_reference_role_by_role_and_is_never_wider() {
    let r = resolved();
    let f = fixture();
    let mut log = Vec::new();
    let subjects = subjects(&r, &f, &mut log);
    for s in DELIBERATELY_NARROWER.iter().flat_map(|n| n.subjects) {
        assert!(subjects.iter().any(|x| x.name == *s), "DELIBERATELY_NARROWER names '{s}', which is no subject");
    }

    println!("MLSpace pack vs {}", f["source"].as_str().unwrap().split(", sections").next().unwrap());
    for l in &log {
        println!("{l}");
    }
    println!(
        "{:<42} {:>10} {:>10} {:>9} {:>6} {:>10} {:>11}",
        "role / policy", "ref allow", "our allow", "ref deny", "same", "narrower*", "extra deny"
    );
    let mut errors = Vec::new();
    let mut details = Vec::new();
    let (mut total_ref, mut total_ours, mut total_narrower) = (0, 0, 0);
    for s in &subjects {
        match compare(&s.name, &s.reference, &s.ours, &listed_for(&s.name, &r.vars)) {
            Ok(o) => {
                assert_eq!(o.reference_denies, o.our_denies - o.extra_denies.len());
                println!(
                    "{:<42} {:>10} {:>10} {:>9} {:>6} {:>10} {:>11}",
                    s.name,
                    o.reference_allows,
                    o.our_allows,
                    o.reference_denies,
                    o.same,
                    o.narrower.len(),
                    o.extra_denies.len()
                );
                total_ref += o.reference_allows;
                total_ours += o.our_allows;
                total_narrower += o.narrower.len();
                // One line per reason: the guide's grants, and the resources we give them on instead.
                let mut by_reason: BTreeMap<&str, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
                for (g, reason, instead) in &o.narrower {
                    let e = by_reason.entry(reason).or_default();
                    e.0.insert(format!("{} on {}", g.action, g.resource));
                    e.1.extend(instead.iter().map(|x| x.resource.clone()));
                }
                for (reason, (theirs, ours)) in by_reason {
                    details.push(format!("  {}: {theirs:?}\n      ours instead on {ours:?}\n      why: {reason}", s.name));
                }
                for d in &o.extra_denies {
                    details.push(format!("  {}: extra {d}", s.name));
                }
            }
            Err(e) => errors.extend(e),
        }
    }
    println!("{:<42} {total_ref:>10} {total_ours:>10} {:>9} {:>6} {total_narrower:>10}", "total", "", "");
    println!("* reference Allows we do not give as written, each in DELIBERATELY_NARROWER:");
    for d in &details {
        println!("{d}");
    }
    assert!(errors.is_empty(), "MLSpace pack vs the reference:\n{}", errors.join("\n"));
}

/// The comparison fails on each thing it claims to catch, on the real data.
#[test]
fn the_comparison_fails_when_the_pack_is_wider_or_the_list_is_wrong() {
    let r = resolved();
    let mut log = Vec::new();
    let subjects = subjects(&r, &fixture(), &mut log);
    let app = subjects.iter().find(|s| s.name == APP).unwrap();
    let listed = listed_for(APP, &r.vars);
    compare(APP, &app.reference, &app.ours, &listed).expect("the real pack passes");
    let fails = |ours: &BTreeSet<G>, listed: &[NarrowerEntry], want: &str| {
        let e = compare(APP, &app.reference, ours, listed).expect_err(want);
        assert!(e.iter().any(|x| x.contains(want)), "{want}: {e:#?}");
    };
    let allow = |a: &str, r: &str| G { effect: Effect::Allow, action: a.into(), resource: r.into(), conds: BTreeSet::new() };

    // A grant the reference does not give: a new action, and a known action on a wider resource.
    let mut wider = app.ours.clone();
    wider.insert(allow("iam:passrole", "*"));
    fails(&wider, &listed, "WIDER than the reference: we grant Allow iam:passrole on *");
    let mut wider = app.ours.clone();
    wider.insert(allow("s3:deletebucket", "arn:aws:s3:::*"));
    fails(&wider, &listed, "we grant Allow s3:deletebucket");
    // The same grant without the reference's condition is wider.
    let labeling = app.ours.iter().find(|g| g.action == "sagemaker:createlabelingjob" && g.effect == Effect::Allow).unwrap().clone();
    let mut wider = app.ours.clone();
    wider.remove(&labeling);
    wider.insert(G { conds: BTreeSet::new(), ..labeling });
    fails(&wider, &listed, "we grant Allow sagemaker:createlabelingjob");
    // A Deny of the reference dropped.
    let deny = app.ours.iter().find(|g| g.effect == Effect::Deny).unwrap().clone();
    let mut wider = app.ours.clone();
    wider.remove(&deny);
    fails(&wider, &listed, "the reference has Deny");
    // A reference grant missing without a reason.
    fails(&app.ours, &listed[1..], "DELIBERATELY_NARROWER does not say why");
    let mut narrower = app.ours.clone();
    narrower.remove(&allow("kms:retiregrant", &format!("arn:aws:kms:us-east-1:123456789012:key/{}", r.vars["MLSPACE_KMS_KEY_ID"])));
    fails(&narrower, &listed, "the reference grants Allow kms:retiregrant");
    // Stale entries: one we do grant, one the reference never had.
    let mut stale = listed.clone();
    stale.push(("translate:translatetext".into(), "*".into(), "test"));
    fails(&app.ours, &stale, "stale DELIBERATELY_NARROWER entry translate:translatetext on *: we do grant it");
    let mut stale = listed.clone();
    stale.push(("iam:createuser".into(), "*".into(), "test"));
    fails(&app.ours, &stale, "stale DELIBERATELY_NARROWER entry iam:createuser on *: the reference grants no such thing");
}

#[test]
fn wildcards_and_condition_operators_compare_soundly() {
    assert!(glob_covers("*", "arn:aws:logs:us-east-1:1:log-group:*"));
    assert!(glob_covers("s3:get*", "s3:getobject"));
    assert!(glob_covers("arn:aws:s3:::*", "arn:aws:s3:::b/*"));
    assert!(!glob_covers("arn:aws:s3:::b/*", "arn:aws:s3:::*"));
    assert!(!glob_covers("a?", "a*"), "? covers one character, not any run");
    assert!(!glob_covers("s3:getobject", "s3:get*"));
    let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(canonical_op("ArnEquals", &v(&["arn:aws:iam::1:policy/p"])), canonical_op("StringEquals", &v(&["arn:aws:iam::1:policy/p"])));
    assert_eq!(canonical_op("ForAnyValue:ArnLike", &v(&["arn:aws:iam::1:policy/p"])), "ForAnyValue:StringEquals");
    assert_ne!(canonical_op("ArnLike", &v(&["arn:aws:iam::1:policy/*"])), canonical_op("StringEquals", &v(&["arn:aws:iam::1:policy/*"])));
    assert_ne!(canonical_op("ArnEquals", &v(&["arn:*"])), canonical_op("StringLike", &v(&["arn:*"])));
    assert_eq!(canonical_op("StringLikeIfExists", &v(&["x"])), "StringEqualsIfExists");
}

/// The fixture is what the guide says: each document is the JSON at its `lines` of the guide, each
/// quote is in the guide. The guide's text is not part of the repository (it is the public MLSpace
/// "CDK Deployment" page, saved as text): this check runs only when asked, with
/// `TRUSTBRIDGE_MLSPACE_GUIDE=<that text file> cargo test -p trustbridge-tests --test
/// mlspace_reference -- --ignored`, and fails when the file is not there.
#[test]
#[ignore = "needs the MLSpace guide's text outside the repository: TRUSTBRIDGE_MLSPACE_GUIDE=<file>"]
fn the_fixture_is_a_verbatim_copy_of_the_guide() {
    let path = PathBuf::from(std::env::var_os("TRUSTBRIDGE_MLSPACE_GUIDE").expect("TRUSTBRIDGE_MLSPACE_GUIDE names the guide's text"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<&str> = text.split('\n').collect();
    let at = |range: &str| -> Value {
        let (a, b) = range.split_once('-').unwrap();
        let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
        serde_json::from_str(&lines[a - 1..b].join("\n")).unwrap_or_else(|e| panic!("lines {range}: {e}"))
    };
    let f = fixture();
    let mut checked = 0;
    for (label, p) in f["customer_managed_policies"].as_object().unwrap() {
        assert_eq!(at(p["lines"].as_str().unwrap()), p["document"], "{label}");
        checked += 1;
    }
    for r in f["roles"].as_array().unwrap() {
        assert_eq!(at(r["trust_lines"].as_str().unwrap()), r["trust"], "{}", r["role"]);
        checked += 1;
    }
    // And no IAM document of the guide is left out.
    let in_guide = lines.windows(2).filter(|w| w[0] == "{" && w[1].starts_with("\"Version\"")).count();
    assert_eq!(checked, in_guide, "documents in the fixture vs in the guide");
    for x in f["roles"]
        .as_array()
        .unwrap()
        .iter()
        .chain(f["roles_without_documents"].as_array().unwrap())
        .chain(f["customer_managed_policies"].as_object().unwrap().values().filter(|p| p.get("says").is_some()))
    {
        for q in strs(&x["says"]) {
            assert!(text.contains(&q), "not in the guide: {q}");
        }
    }
    println!("{checked} documents and every quote match {}", path.display());
}
