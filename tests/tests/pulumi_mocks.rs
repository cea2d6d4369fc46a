//! Every exported Pulumi program, run by the real `pulumi` SDK with the real provider SDKs
//! (`pulumi-aws`, `pulumi-gcp`, `pulumi-azuread`, `pulumi-azure-native` from PyPI, in
//! `$TRUSTBRIDGE_CACHE/pulumi`, installed by `scripts/setup.sh` at versions the exported
//! requirements.txt allows) under Pulumi's mocks: `tests/checkers/pulumi_mocks.py` records every
//! resource the program registers and reads it as its provider would (a type, invoke or input it
//! does not know is an error; a wrong argument name is the SDK's TypeError). What the program
//! would make must equal, whole, what the bundle's JSON documents say:
//! - AWS (vendor plans and role packs): every role (path, description, trust, inline policies,
//!   attachments, boundary, tags) and customer-managed policy (document, description, tags), the
//!   documents parsed;
//! - GCP: the service account, the custom role (`gcp/custom-role.json`), every binding
//!   (`gcp/bindings.json`), and for keyless plans the pool and the AWS provider, whose condition
//!   admits exactly the vendor's role;
//! - Azure: the app (or the vendor's multi-tenant app), its service principal, and every role
//!   assignment (`azure/role-assignments.json`), each to that service principal;
//! - the stack outputs are what handoff.json gives the vendor.
//!
//! Planted controls: programs with one resource more, an input the checker does not know, a
//! resource type it does not know, and a misspelt argument must each fail.

mod common;
#[path = "common/iam_state.rs"]
mod iam_state;

use std::path::{Path, PathBuf};
use std::process::Command;

use iam_state::{diff, read_json};
use serde_json::{json, Value};
use trustbridge_core::export::write_bundle;
use trustbridge_core::model::gcp;
use trustbridge_core::model::RoleSet;
use trustbridge_core::pack::{render_pack, validate_pack, PackPlan};
use trustbridge_core::validate::Resolved;

const PLANS: &[&str] =
    &["three-clouds.json", "custom-keyless.json", "mlcube-aws.json", "jfrog-ml.json", "custom.json", "aws-kms-prefix.json"];
const PACKS: &[&str] = &["mlspace", "sagemaker-service-role", "eks-service-account", "cross-account-data-sharing", "mlspace (bounded)"];

/// The Python of the venv `scripts/setup.sh` makes for the Pulumi SDKs.
fn python() -> PathBuf {
    let cache = std::env::var_os("TRUSTBRIDGE_CACHE").map(PathBuf::from).unwrap_or_else(|| "/var/tmp/trustbridge-cache".into());
    let py = cache.join("pulumi/bin/python");
    let ok = Command::new(&py)
        .args(["-c", "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ['pulumi', 'pulumi_aws', 'pulumi_gcp', 'pulumi_azuread', 'pulumi_azure_native']))"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "the Pulumi SDKs are required for this test ({}): run scripts/setup.sh", py.display());
    py
}

/// One program to run and what it must make.
struct Case {
    name: String,
    program: PathBuf,
    account: String,
    partition: String,
    want_state: Value,
    want_exports: Value,
}

/// Runs the checker on `program` (the requirements.txt next to it is the one checked).
fn run(py: &Path, case: &Case, program: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/pulumi_mocks.py");
    let requirements = case.program.with_file_name("requirements.txt");
    let o = Command::new(py).arg(script).arg(program).args([&case.account, &case.partition]).arg(requirements).output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("{}: checker output ({e}):\n{}\n{}", case.name, String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    });
    assert_eq!(o.status.success(), v.get("error").is_none(), "{}: exit status and answer disagree: {v}", case.name);
    v
}

/// The differences between what the program would make and what the bundle says (a checker
/// error is one).
fn compare(case: &Case, got: &Value) -> Vec<String> {
    if let Some(e) = got.get("error") {
        return vec![format!("{}\n{}", e.as_str().unwrap_or_default(), got["traceback"].as_str().unwrap_or_default())];
    }
    let mut d = diff(&case.want_state, &got["state"]);
    d.extend(diff(&case.want_exports, &got["exports"]).into_iter().map(|x| format!("exports{x}")));
    if got["logs"] != json!([]) {
        d.push(format!("the SDKs logged: {}", got["logs"]));
    }
    d
}

fn gcp_expected(r: &Resolved, dir: &Path) -> Value {
    let g = r.gcp.as_ref().unwrap();
    let m = gcp::model(g, &r.plan.integration.name);
    let mut custom_roles = serde_json::Map::new();
    if let Some(role) = &m.custom_role {
        custom_roles.insert(format!("projects/{}/roles/{}", g.project_id, role.id), read_json(&dir.join("gcp/custom-role.json")));
    }
    let mut bindings: Vec<Value> = read_json(&dir.join("gcp/bindings.json"))
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            assert_eq!(b.as_object().unwrap().len(), 3, "{b}");
            json!([b["resource"], b["role"], b["member"]])
        })
        .collect();
    bindings.sort_by_key(|v| v.to_string());
    let (mut pools, mut providers) = (serde_json::Map::new(), serde_json::Map::new());
    if let Some((acct, role, pool)) = &g.workload_identity {
        // gcp/setup.sh names the pool so, with Google's documented attribute mapping for AWS; the
        // condition admits exactly the vendor's role.
        pools.insert(pool.clone(), json!({"project": g.project_id, "display_name": "Trustbridge vendor"}));
        let mapping: serde_json::Map<String, Value> = gcp::WIF_AWS_ROLE_MAPPING
            .split_once(',')
            .map(|(a, b)| [a, b])
            .unwrap()
            .iter()
            .map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), json!(v))).unwrap())
            .collect();
        providers.insert(
            format!("{pool}/{}", gcp::WIF_PROVIDER_ID),
            json!({
                "project": g.project_id,
                "attribute_mapping": mapping,
                "attribute_condition": format!("attribute.aws_role=='arn:aws:sts::{acct}:assumed-role/{role}'"),
                "aws_account_id": acct,
            }),
        );
    }
    json!({
        "service_accounts": {g.service_account_email(): {
            "project": g.project_id, "account_id": g.service_account, "display_name": g.profile.service_account_display_name}},
        "custom_roles": custom_roles,
        "bindings": bindings,
        "pools": pools,
        "providers": providers,
    })
}

/// The client id the service principal is made for: the vendor's multi-tenant app (keyless), or
/// the app the program creates (the mocks answer `client-id-of-app:{display name}` for it).
fn azure_client(r: &Resolved) -> String {
    let z = r.azure.as_ref().unwrap();
    z.vendor_app_id.clone().unwrap_or_else(|| format!("client-id-of-app:{}", z.service_principal_name))
}

fn azure_expected(r: &Resolved, dir: &Path) -> Value {
    let z = r.azure.as_ref().unwrap();
    let client = azure_client(r);
    let doc = read_json(&dir.join("azure/role-assignments.json"));
    let mut assignments: Vec<Value> = doc["roleAssignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!([a["roleDefinitionId"], a["scope"], a["principalType"], format!("sp:{client}")]))
        .collect();
    assignments.sort_by_key(|v| v.to_string());
    let applications = if z.vendor_app_id.is_some() { json!({}) } else { json!({doc["servicePrincipalName"].as_str().unwrap(): {}}) };
    json!({"applications": applications, "service_principals": {client: {}}, "role_assignments": assignments})
}

fn vendor_cases(name: &str, root: &Path) -> Vec<Case> {
    let r = common::resolved(name);
    let dir = write_bundle(&trustbridge_core::render::render(&r), &root.join(name.trim_end_matches(".json"))).unwrap();
    let handoff = read_json(&dir.join("handoff.json"));
    let (account, partition) =
        r.aws.as_ref().map(|a| (a.account_id.clone(), a.partition.name.clone())).unwrap_or_else(|| ("-".into(), "aws".into()));
    let case = |cloud: &str, want_state: Value, want_exports: Value| Case {
        name: format!("{name} {cloud}"),
        program: dir.join(cloud).join("pulumi/__main__.py"),
        account: account.clone(),
        partition: partition.clone(),
        want_state,
        want_exports,
    };
    let mut out = Vec::new();
    if let Some(set) = RoleSet::from_vendor(&r) {
        out.push(case("aws", iam_state::expected_iam(&set, &dir.join("aws")), json!({"role_arn": handoff["aws"]["role_arn"]})));
    }
    if r.gcp.is_some() {
        out.push(case("gcp", gcp_expected(&r, &dir), json!({"service_account_email": handoff["gcp"]["service_account_email"]})));
    }
    if r.azure.is_some() {
        out.push(case("azure", azure_expected(&r, &dir), json!({"application_client_id": azure_client(&r)})));
    }
    out
}

fn pack_case(name: &str, root: &Path) -> Case {
    let r = if name == "mlspace (bounded)" {
        iam_state::bounded_mlspace(root)
    } else {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/packs").join(format!("{name}.json"));
        validate_pack(&PackPlan::from_json(&std::fs::read_to_string(p).unwrap()).unwrap(), None).unwrap()
    };
    let dir = write_bundle(&render_pack(&r), &root.join(name.replace([' ', '(', ')'], "-"))).unwrap();
    let set = RoleSet::from_pack(&r);
    let exports: serde_json::Map<String, Value> = set
        .roles
        .iter()
        .map(|role| (format!("{}_arn", role.name), json!(format!("arn:{}:iam::{}:role/{}", set.partition, set.account, role.name))))
        .collect();
    Case {
        name: format!("pack {name}"),
        program: dir.join("aws/pulumi/__main__.py"),
        account: set.account.clone(),
        partition: set.partition.clone(),
        want_state: iam_state::expected_iam(&set, &dir.join("aws")),
        want_exports: Value::Object(exports),
    }
}

#[test]
fn every_pulumi_program_makes_exactly_what_the_json_documents_say() {
    let py = python();
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<Case> = PLANS.iter().flat_map(|n| vendor_cases(n, tmp.path())).collect();
    cases.extend(PACKS.iter().map(|n| pack_case(n, tmp.path())));
    // Every cloud's program, keyless and not, is here.
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    for want in [
        "three-clouds.json gcp",
        "three-clouds.json azure",
        "custom-keyless.json gcp",
        "custom-keyless.json azure",
        "pack mlspace",
        "pack mlspace (bounded)",
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
    let mut failures = Vec::new();
    for case in &cases {
        let got = run(&py, case, &case.program);
        let d = compare(case, &got);
        if !d.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, d.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "Pulumi programs ≠ the JSON documents:\n{}", failures.join("\n"));
}

/// Planted controls: each program with one line appended must fail, for the planted reason (a
/// difference, or a checker error, its unplanted twin does not have).
#[test]
fn a_program_with_one_thing_more_or_wrong_fails() {
    let py = python();
    let tmp = tempfile::tempdir().unwrap();
    let three = vendor_cases("three-clouds.json", tmp.path());
    let aws = &three[0];
    let mlspace = pack_case("mlspace", tmp.path());
    let sub = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590";
    let plants: Vec<(&Case, String, &str)> = vec![
        (
            aws,
            "aws.iam.RolePolicyAttachment(\"planted\", role=role_0.name, policy_arn=\"arn:aws:iam::aws:policy/ReadOnlyAccess\")".into(),
            "/roles/mlcube-platform-access/attached: want [], got [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]",
        ),
        (
            aws,
            "aws.iam.RolePolicy(\"planted\", name=\"planted\", role=role_0.id, policy=json.dumps(ROLE_0_INLINE_0))".into(),
            "/roles/mlcube-platform-access/inline/planted: extra",
        ),
        (
            aws,
            "aws.iam.Role(\"planted\", name=\"planted\", assume_role_policy=json.dumps(ROLE_0_TRUST), managed_policy_arns=[\"arn:aws:iam::aws:policy/AdministratorAccess\"])".into(),
            "inputs this checker does not understand: ['managedPolicyArns']",
        ),
        (aws, "aws.iam.User(\"planted\", name=\"planted\")".into(), "resource type this checker does not know: aws:iam/user:User"),
        (
            aws,
            "aws.iam.RolePolicy(\"planted\", name=\"planted\", role=role_0.id, polcy=\"{}\")".into(),
            "TypeError: RolePolicy._internal_init() got an unexpected keyword argument 'polcy'",
        ),
        (
            &mlspace,
            "aws.iam.Role(\"planted\", name=\"planted-role\", assume_role_policy=json.dumps(ROLE_0_TRUST))".into(),
            "/roles/planted-role: extra",
        ),
        (
            &three[1],
            "gcp.projects.IAMMember(\"planted\", project=PROJECT, role=\"roles/owner\", member=member)".into(),
            "/bindings: want",
        ),
        (
            &three[2],
            format!("azure_native.authorization.RoleAssignment(\"planted\", scope=\"{sub}\", role_definition_id=\"{sub}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635\", principal_id=sp.object_id, principal_type=\"ServicePrincipal\")"),
            "/role_assignments: want",
        ),
    ];
    let mut clean = std::collections::BTreeMap::new();
    for (i, (case, line, said)) in plants.iter().enumerate() {
        // What the unplanted program differs by (if anything) is not the plant's doing.
        let twin = clean.entry(case.name.clone()).or_insert_with(|| compare(case, &run(&py, case, &case.program)));
        let planted = tmp.path().join(format!("planted-{i}.py"));
        std::fs::write(&planted, format!("{}\n{line}\n", std::fs::read_to_string(&case.program).unwrap())).unwrap();
        let added: Vec<String> = compare(case, &run(&py, case, &planted)).into_iter().filter(|d| !twin.contains(d)).collect();
        assert!(!added.is_empty(), "{} + `{line}`: passed", case.name);
        assert!(added.iter().any(|x| x.contains(said)), "{} + `{line}`: no difference says {said:?}:\n{}", case.name, added.join("\n"));
    }
}
