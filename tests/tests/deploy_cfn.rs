//! The exported CloudFormation templates, deployed: the real aws CLI (`scripts/setup.sh` installs
//! it in `$TRUSTBRIDGE_CACHE/awscli`) runs each template's own `# Deploy:` line
//! (`aws cloudformation deploy … --capabilities CAPABILITY_NAMED_IAM`) against a moto server, and
//! `tests/checkers/deploy_cfn.py` reads the whole account back with IAM calls. What IAM holds must
//! equal what the bundle's JSON documents say, whole: the same roles (path, description, trust,
//! inline policies, attachments, boundary, tags), the same customer-managed policies (document,
//! description, tags), the same stack resources — nothing more. Policy documents are compared
//! parsed (moto keeps a stack's inline policies as Python reprs; the checker reads them with
//! `ast.literal_eval`).
//!
//! One gap of moto's, bridged in the open: it ignores `ManagedPolicyArns` of `AWS::IAM::Role` (the
//! role is created without those attachments). The checker reads them from the deployed template,
//! resolved against the deployed stack (a `Ref` is the managed policy moto made; an AWS-managed
//! ARN must be in moto's catalog of AWS's policies), and adds them to what IAM lists; attachments
//! made any other way (`AWS::IAM::ManagedPolicy` `Roles`) are IAM's own answer.
//!
//! Planted controls: the same templates with one extra role, inline policy, attached managed
//! policy, `ManagedPolicyArns` entry or action are deployed too, and the comparison must reject
//! each, naming the plant.
//!
//! Not deployed: the `aws-cn` plan as it is (moto's CloudFormation resolves `AWS::Partition` to
//! `aws` and `AWS::URLSuffix` to `amazonaws.com` in every region); the same plan moved to the `aws`
//! partition is, so its boundary, role path, prefix and KMS grant are deployed. `iac.rs` reads the
//! aws-cn template back with the partition's own pseudo parameters.

mod common;
#[path = "common/iam_state.rs"]
mod iam_state;
#[path = "../../src-tauri/crates/cloud/tests/common/moto.rs"]
mod moto;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use trustbridge_core::export::write_bundle;
use trustbridge_core::model::RoleSet;
use trustbridge_core::pack::{render_pack, validate_pack, PackPlan};

const PLANS: &[&str] = &["three-clouds.json", "mlcube-aws.json", "jfrog-ml.json", "custom.json", "custom-keyless.json"];
const PACKS: &[&str] = &["mlspace", "sagemaker-service-role", "eks-service-account", "cross-account-data-sharing", "mlspace (bounded)"];

/// The aws CLI `scripts/setup.sh` installs in a venv of its own (`TRUSTBRIDGE_AWS_CLI` overrides).
fn aws_cli() -> PathBuf {
    let cli = match std::env::var_os("TRUSTBRIDGE_AWS_CLI") {
        Some(p) => PathBuf::from(p),
        None => {
            let cache = std::env::var_os("TRUSTBRIDGE_CACHE").map(PathBuf::from).unwrap_or_else(|| "/var/tmp/trustbridge-cache".into());
            cache.join("awscli/bin/aws")
        }
    };
    let ok = Command::new(&cli).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "the aws CLI is required for this test ({}): run scripts/setup.sh", cli.display());
    cli
}

/// One template to deploy, what its bundle's JSON documents say, and what was planted (if anything).
struct Case {
    name: String,
    template: PathBuf,
    region: String,
    want: Value,
    plant: Option<&'static str>,
}

/// What IAM must hold after the deploy ([`iam_state::expected_iam`]), plus the stack's resources:
/// each role by name, each customer-managed policy by ARN. One difference from the other formats:
/// `AWS::IAM::ManagedPolicy` has no Tags property, so a stack's customer-managed policies carry no
/// tags (the template's header says to revoke it by deleting the stack).
fn expected(set: &RoleSet, aws_dir: &Path) -> Value {
    let mut want = iam_state::expected_iam(set, aws_dir);
    if let Some(managed) = want["managed"].as_object_mut() {
        for p in managed.values_mut() {
            p["tags"] = json!({});
        }
    }
    let mut resources: Vec<Value> = set.roles.iter().map(|r| json!(["AWS::IAM::Role", r.name])).collect();
    resources.extend(set.managed_policies.iter().map(|m| json!(["AWS::IAM::ManagedPolicy", iam_state::policy_arn(set, &m.document.name)])));
    resources.sort_by_key(|v| v.to_string());
    want["stack_resources"] = Value::Array(resources);
    want
}

fn vendor_case(name: &str, plan_json: &str, root: &Path) -> Case {
    let plan = trustbridge_core::Plan::from_json(plan_json).unwrap();
    let r = trustbridge_core::validate(&plan, None).unwrap_or_else(|p| panic!("{name}: {p:#?}"));
    let dir = write_bundle(&trustbridge_core::render::render(&r), &root.join(name.replace(['.', ' '], "-"))).unwrap();
    let set = RoleSet::from_vendor(&r).expect("an AWS section");
    Case {
        name: name.to_string(),
        template: dir.join("aws/cloudformation.yaml"),
        region: r.aws.as_ref().unwrap().region.clone(),
        want: expected(&set, &dir.join("aws")),
        plant: None,
    }
}

fn pack_case(name: &str, root: &Path) -> Case {
    let r = if name == "mlspace (bounded)" {
        iam_state::bounded_mlspace(root)
    } else {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/packs").join(format!("{name}.json"));
        let plan = PackPlan::from_json(&std::fs::read_to_string(p).unwrap()).unwrap();
        validate_pack(&plan, None).unwrap_or_else(|p| panic!("{name}: {p:#?}"))
    };
    let dir = write_bundle(&render_pack(&r), &root.join(name.replace([' ', '(', ')'], "-"))).unwrap();
    Case {
        name: format!("pack {name}"),
        template: dir.join("aws/cloudformation.yaml"),
        region: r.region.clone().unwrap_or_else(|| "us-east-1".into()),
        want: expected(&RoleSet::from_pack(&r), &dir.join("aws")),
        plant: None,
    }
}

/// The aws-cn fixture moved to the `aws` partition (moto's CloudFormation knows no other): a role
/// path, a permissions boundary, a prefix and a KMS key, deployed.
fn kms_prefix_in_aws() -> String {
    let mut v: Value = serde_json::from_str(&common::plan_text("aws-kms-prefix.json")).unwrap();
    let text = v.to_string().replace("arn:aws-cn:", "arn:aws:").replace("cn-north-1", "eu-west-1");
    v = serde_json::from_str(&text).unwrap();
    v["aws"]["partition"] = json!("aws");
    v.to_string()
}

/// Deploys every case (moto reset before each) and returns each one's read-back.
fn deploy(moto: &moto::Moto, cases: &[Case]) -> Vec<Value> {
    let jobs: Vec<Value> = cases.iter().map(|c| json!({"template": c.template, "region": c.region, "plant": c.plant})).collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/deploy_cfn.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(moto.url())
        .arg(aws_cli())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is required: run scripts/setup.sh");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), Value::Array(jobs).to_string().as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "deploy_cfn.py: {}", String::from_utf8_lossy(&o.stderr));
    let out: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out.len(), cases.len());
    out
}

/// The comparison, as a list of differences; a failed deploy is one too.
fn compare(case: &Case, got: &Value) -> Vec<String> {
    if let Some(e) = got.get("error") {
        return vec![format!("deploy failed: {}", e.as_str().unwrap_or_default())];
    }
    let mut diffs = iam_state::diff(&case.want, &got["deployed"]);
    if got["status"] != "CREATE_COMPLETE" {
        diffs.push(format!("stack status {}", got["status"]));
    }
    diffs
}

#[test]
fn every_template_deploys_and_iam_holds_exactly_the_json_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<Case> = PLANS.iter().map(|n| vendor_case(n, &common::plan_text(n), tmp.path())).collect();
    cases.push(vendor_case("aws-kms-prefix.json (in aws)", &kms_prefix_in_aws(), tmp.path()));
    cases.extend(PACKS.iter().map(|n| pack_case(n, tmp.path())));
    // What is being proved is there to prove: mlspace's grants are all attachments (no inline
    // policy), the moved plan has a boundary and a role path.
    let ml = cases.iter().find(|c| c.name == "pack mlspace").unwrap();
    assert_eq!(ml.want["roles"].as_object().unwrap().len(), 5);
    assert!(ml.want["roles"]["mlspace-app-role"]["attached"].as_array().unwrap().len() >= 3, "{}", ml.want);
    let bounded = cases.iter().find(|c| c.name == "pack mlspace (bounded)").unwrap();
    assert_eq!(
        bounded.want["roles"]["mlspace-notebook-role"]["boundary"],
        "arn:aws:iam::123456789012:policy/mlspace-project-user-permission-boundary"
    );
    let kms = cases.iter().find(|c| c.name.starts_with("aws-kms-prefix")).unwrap();
    assert_eq!(kms.want["roles"]["mlcube-access"]["path"], "/vendors/");
    assert_eq!(kms.want["roles"]["mlcube-access"]["boundary"], "arn:aws:iam::123456789012:policy/vendor-boundary");

    let moto = moto::Moto::start();
    let got = deploy(&moto, &cases);
    let mut failures = Vec::new();
    for (case, got) in cases.iter().zip(&got) {
        let diffs = compare(case, got);
        if !diffs.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, diffs.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "deployed ≠ the JSON documents:\n{}", failures.join("\n"));
}

/// Planted controls: one thing added to a template (a role, an inline policy, an attached managed
/// policy, a `ManagedPolicyArns` entry, an action) deploys fine, and the comparison rejects it
/// with a difference its unplanted twin does not have, naming what was planted; an attachment of
/// an AWS-managed policy that does not exist is refused.
#[test]
fn the_comparison_rejects_a_template_with_one_thing_more() {
    let tmp = tempfile::tempdir().unwrap();
    let plants: &[(&str, &str)] = &[
        ("extra-role", "/roles/planted-extra-role: extra"),
        ("extra-inline-policy", "/inline/planted-inline: extra"),
        ("extra-managed-policy", "/managed/planted-managed: extra"),
        ("extra-attachment", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ("extra-action", "s3:PutObject"),
        // moto accepts any ARN there (it ignores ManagedPolicyArns); the checker's existence
        // check is what a real deploy would do.
        ("unknown-attachment", "ReadOnlyAcess, which is not an AWS-managed policy"),
    ];
    let twins = |dir: &str| {
        let root = tmp.path().join(dir);
        std::fs::create_dir(&root).unwrap();
        [vendor_case("three-clouds.json", &common::plan_text("three-clouds.json"), &root), pack_case("mlspace", &root)]
    };
    // The unplanted twins first: whatever they differ by is not the plants' doing.
    let mut cases: Vec<Case> = twins("clean").into_iter().collect();
    let mut says = Vec::new();
    for (plant, said) in plants {
        for mut c in twins(plant) {
            c.plant = Some(plant);
            cases.push(c);
            says.push(*said);
        }
    }
    let moto = moto::Moto::start();
    let got = deploy(&moto, &cases);
    let clean: Vec<Vec<String>> = cases[..2].iter().zip(&got).map(|(c, g)| compare(c, g)).collect();
    for (i, ((case, got), said)) in cases[2..].iter().zip(&got[2..]).zip(says).enumerate() {
        let plant = case.plant.unwrap();
        if plant != "unknown-attachment" {
            assert!(got.get("error").is_none(), "{} + {plant}: the planted template must deploy: {}", case.name, got["error"]);
            assert_eq!(got["status"], "CREATE_COMPLETE", "{} + {plant}", case.name);
        }
        let added: Vec<String> = compare(case, got).into_iter().filter(|d| !clean[i % 2].contains(d)).collect();
        assert!(!added.is_empty(), "{} + {plant}: the comparison passed a planted template", case.name);
        assert!(
            added.iter().any(|d| d.contains(said)),
            "{} + {plant}: no difference names the plant ({said}):\n{}",
            case.name,
            added.join("\n")
        );
    }
}
