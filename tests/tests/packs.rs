//! Role packs (reference systems beyond the vendor hand-off): MLSpace, SageMaker service role,
//! EKS service-account role. Variables validated by kind, unfilled placeholders refused, every
//! document exported and checked by the ecosystem's tools, CloudFormation equivalent to the JSON.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use trustbridge_core::export::write_bundle;
use trustbridge_core::lint::Severity;
use trustbridge_core::pack::{lint_pack, render_pack, validate_pack, Pack, PackPlan, ResolvedPack};
use trustbridge_core::policy::PolicyDocument;

const PACKS: &[&str] = &["mlspace", "sagemaker-service-role", "eks-service-account", "cross-account-data-sharing"];

fn fixture(name: &str) -> PackPlan {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/packs").join(format!("{name}.json"));
    PackPlan::from_json(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn resolved(name: &str) -> ResolvedPack {
    validate_pack(&fixture(name), None).unwrap_or_else(|p| panic!("{name}: {p:#?}"))
}

fn export(name: &str, root: &Path) -> PathBuf {
    let out = root.join(name);
    write_bundle(&render_pack(&resolved(name)), &out).unwrap();
    out
}

#[test]
fn builtin_packs_load_and_fixtures_validate() {
    assert_eq!(Pack::builtins().len(), PACKS.len());
    for name in PACKS {
        let r = resolved(name);
        assert!(!r.roles.is_empty(), "{name}");
    }
    let m = resolved("mlspace");
    let names: BTreeSet<&str> = m.roles.iter().map(|r| r.name.as_str()).collect();
    for want in
        ["mlspace-notebook-role", "mlspace-app-role", "mlspace-system-role", "mlspace-s3-reader-role", "mlspace-apigateway-cloudwatch-role"]
    {
        assert!(names.contains(want), "{want} missing from {names:?}");
    }
    let arns: BTreeSet<&str> = m.roles.iter().flat_map(|r| r.aws_managed_arns.iter().map(|s| s.as_str())).collect();
    assert!(arns.contains("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"));
    assert!(arns.contains("arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"));
    assert!(m.managed_policies.iter().any(|(n, _, _)| n == "mlspace-project-user-permission-boundary"));
}

#[test]
fn every_missing_or_bad_variable_is_named() {
    let mut plan = fixture("mlspace");
    plan.variables.remove("MLSPACE_KMS_KEY_ID");
    plan.variables.insert("MLSPACE_PRIVATE_SUBNET_2".into(), "subnet-XYZ".into());
    plan.variables.insert("MLSPACE_VPC_SECURITY_GROUP".into(), "default".into());
    plan.variables.insert("AWS_REGION".into(), "cn-north-1".into());
    plan.variables.insert("EMR_DEFAULT_ROLE_ARN".into(), "arn:aws:iam::123:role/x".into());
    plan.variables.insert("NOT_A_VARIABLE".into(), "x".into());
    let problems = validate_pack(&plan, None).unwrap_err();
    let fields: BTreeSet<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    for f in [
        "variables.MLSPACE_KMS_KEY_ID",
        "variables.MLSPACE_PRIVATE_SUBNET_2",
        "variables.MLSPACE_VPC_SECURITY_GROUP",
        "variables.AWS_REGION",
        "variables.EMR_DEFAULT_ROLE_ARN",
        "variables.NOT_A_VARIABLE",
    ] {
        assert!(fields.contains(f), "{f} not in {fields:?}");
    }
    let missing = problems.iter().find(|p| p.field == "variables.MLSPACE_KMS_KEY_ID").unwrap();
    assert!(missing.to_string().contains("unfilled placeholder {MLSPACE_KMS_KEY_ID}"), "{missing}");
}

#[test]
fn an_undeclared_placeholder_in_a_pack_file_is_refused() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../src-tauri/crates/core/packs/eks-service-account.json"))
            .unwrap()
            .replace("system:serviceaccount:{K8S_NAMESPACE}", "system:serviceaccount:{K8S_NAMESPACEE}");
    let err = Pack::from_json(&text, "pack.json").unwrap_err().to_string();
    assert!(err.contains("K8S_NAMESPACEE"), "{err}");
}

#[test]
fn service_role_trusts_are_right() {
    let s = resolved("sagemaker-service-role");
    let g = s.roles[0].trust.grants();
    assert_eq!(g.iter().map(|x| x.principal.as_str()).collect::<Vec<_>>(), ["Service:sagemaker.amazonaws.com"]);
    assert_eq!(g.iter().next().unwrap().condition, "StringEquals:aws:sourceaccount=123456789012");
    let e = resolved("eks-service-account");
    let g = e.roles[0].trust.grants();
    let only = g.iter().next().unwrap();
    assert_eq!(only.action, "sts:assumerolewithwebidentity");
    assert_eq!(
        only.principal,
        "Federated:arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    );
    assert!(only.condition.contains(":sub=system:serviceaccount:ml-jobs:trainer"), "{}", only.condition);
    assert!(only.condition.contains(":aud=sts.amazonaws.com"), "{}", only.condition);
}

#[test]
fn full_access_policies_get_a_least_privilege_warning() {
    let f = lint_pack(&resolved("sagemaker-service-role"));
    let w = f.iter().find(|x| x.code == "lint.broad_managed_policy").expect("warning");
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.fix.contains("AmazonSageMakerReadOnly"));
    for name in PACKS {
        assert!(lint_pack(&resolved(name)).iter().all(|f| f.severity != Severity::Error), "{name}");
    }
}

fn tool(cmd: &str) -> Command {
    assert!(Command::new(cmd).arg("--version").output().is_ok(), "{cmd} is required: run scripts/setup.sh");
    Command::new(cmd)
}

#[test]
fn packs_export_and_pass_cfn_lint_shellcheck_checkov() {
    let tmp = tempfile::tempdir().unwrap();
    for name in PACKS {
        let dir = export(name, tmp.path());
        let o = tool("cfn-lint").arg(dir.join("aws/cloudformation.yaml")).output().unwrap();
        assert!(o.status.success(), "{name}: cfn-lint:\n{}", String::from_utf8_lossy(&o.stdout));
        for sh in ["setup.sh", "revoke.sh"] {
            let o = tool("shellcheck").arg(dir.join("aws").join(sh)).output().unwrap();
            assert!(o.status.success(), "{name}: {sh}:\n{}", String::from_utf8_lossy(&o.stdout));
            // macOS runs them with bash 3.2: none of bash 4's case folding, associative arrays,
            // mapfile, `|&` or `&>>`, and no array expanded (empty, it fails `set -u` before 4.4).
            let text = std::fs::read_to_string(dir.join("aws").join(sh)).unwrap();
            for bash4 in [",,}", "^^}", ",}", "^}", "declare -A", "local -A", "mapfile", "readarray", "|&", "&>>", "[@]}"] {
                assert!(!text.contains(bash4), "{name}: {sh} needs bash 4 ({bash4})");
            }
        }
        let o = tool("checkov").args(["--skip-download", "--quiet", "--compact", "-o", "json", "-d"]).arg(&dir).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let reports = if v.is_array() { v.as_array().unwrap().clone() } else { vec![v] };
        for rep in reports {
            assert_eq!(rep["summary"]["failed"].as_u64().unwrap_or(0), 0, "{name}: {}", rep["results"]["failed_checks"]);
        }
    }
}

/// `got` — what a format's own parser read back: `{managed: {name: doc}, roles: {name: {trust, inline:
/// {name: doc}, attached: [arn]}}}` — grants exactly what the pack's JSON documents grant: the same
/// policies and roles (no more, no fewer), each with the same (action, resource, condition) set and
/// the same attachments.
fn assert_grants_match(name: &str, format: &str, r: &ResolvedPack, got: &serde_json::Value) {
    let g = |v: &serde_json::Value| PolicyDocument::parse(&v.to_string()).unwrap().grants();
    assert_eq!(got["managed"].as_object().map_or(0, |m| m.len()), r.managed_policies.len(), "{name} ({format}): managed policies");
    for (pname, _, doc) in &r.managed_policies {
        assert_eq!(g(&got["managed"][pname]), doc.grants(), "{name} ({format}): managed {pname}");
    }
    assert_eq!(got["roles"].as_object().map_or(0, |m| m.len()), r.roles.len(), "{name} ({format}): roles");
    for role in &r.roles {
        let have_role = &got["roles"][&role.name];
        assert_eq!(g(&have_role["trust"]), role.trust.grants(), "{name} ({format}): {} trust", role.name);
        for (pname, doc) in &role.inline {
            assert_eq!(g(&have_role["inline"][pname]), doc.grants(), "{name} ({format}): {} {pname}", role.name);
        }
        let mut want: Vec<String> = role.managed.iter().cloned().chain(role.aws_managed_arns.iter().cloned()).collect();
        want.sort();
        let mut have: Vec<String> = serde_json::from_value(have_role["attached"].clone()).unwrap();
        have.sort();
        assert_eq!(have, want, "{name} ({format}): {} attachments", role.name);
    }
}

#[test]
fn pack_cloudformation_grants_exactly_the_json_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/pack_cfn.py");
    for name in PACKS {
        let r = resolved(name);
        let dir = export(name, tmp.path());
        let o = tool("python3")
            .arg(&script)
            .arg(dir.join("aws/cloudformation.yaml"))
            .args([r.partition.as_str(), r.account.as_deref().unwrap_or("-"), r.region.as_deref().unwrap_or("-")])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_grants_match(name, "CloudFormation", &r, &serde_json::from_slice(&o.stdout).unwrap());
    }
}

#[test]
fn pack_terraform_grants_exactly_the_json_documents_and_pulumi_compiles() {
    let tmp = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/extract.py");
    for name in PACKS {
        let r = resolved(name);
        let dir = export(name, tmp.path());
        let o = tool("python3").arg(&script).arg("tf-pack").arg(dir.join("aws/main.tf")).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_grants_match(name, "Terraform", &r, &serde_json::from_slice(&o.stdout).unwrap());
        let o = tool("python3").arg("-m").arg("py_compile").arg(dir.join("aws/pulumi/__main__.py")).output().unwrap();
        assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
    }
}

/// Runs parliament on one policy file (JSON output); returns its findings, one JSON value each.
/// With a config, runs parliament's CLI through checkers/parliament_cli.py, which makes the
/// config's ignore_locations work (parliament 1.6.4 never matches them; see that file).
fn parliament(file: &Path, config: Option<&Path>) -> Vec<serde_json::Value> {
    let mut cmd = match config {
        None => tool("parliament"),
        Some(c) => {
            let mut cmd = tool("python3");
            cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/parliament_cli.py"));
            cmd.arg("--config").arg(c);
            cmd
        }
    };
    let out = cmd.arg("--json").arg("--files").arg(file).stdin(std::process::Stdio::null()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<serde_json::Value> =
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    // parliament exits 0 with no findings and 1 with findings printed; anything else (a crash, a
    // bad config) must not pass as "no findings".
    assert_eq!(
        out.status.code(),
        Some(if findings.is_empty() { 0 } else { 1 }),
        "parliament on {}: {}\n{}",
        file.display(),
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    findings
}

/// Why tests/checkers/parliament-mlspace.yaml may remove a finding from an MLSpace policy: one
/// kind per reason given there, and only in the files named there.
fn mlspace_ignored_kind(file: &str, f: &serde_json::Value) -> Option<&'static str> {
    let detail_actions =
        || -> Vec<&str> { f["detail"].as_array().map(|a| a.iter().filter_map(|d| d["action"].as_str()).collect()).unwrap_or_default() };
    match (f["issue"].as_str()?, file) {
        ("RESOURCE_MISMATCH", "mlspace-app-policy.json" | "mlspace-system-policy.json")
            if !detail_actions().is_empty() && detail_actions().iter().all(|a| a.starts_with("s3:List") || a.starts_with("s3:Get")) =>
        {
            Some("s3:List*/s3:Get* actions with no bucket or object resource")
        }
        ("RESOURCE_MISMATCH", "mlspace-notebook-policy.json" | "mlspace-project-user-permission-boundary.json")
            if detail_actions() == ["sagemaker:CreateEndpoint"] =>
        {
            Some("sagemaker:CreateEndpoint granted on its two resources in two statements")
        }
        ("UNKNOWN_CONDITION_FOR_ACTION", "mlspace-app-policy.json" | "mlspace-system-policy.json")
            if f["detail"].as_str()?.starts_with("Unknown condition iam:ResourceTag/system for action iam:") =>
        {
            Some("iam:ResourceTag on role actions")
        }
        _ => None,
    }
}

#[test]
fn parliament_on_pack_policies() {
    let tmp = tempfile::tempdir().unwrap();
    let mlspace_config = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/parliament-mlspace.yaml");
    assert!(mlspace_config.is_file(), "{}", mlspace_config.display());
    let mut ignored = BTreeSet::new();
    for name in PACKS {
        let dir = export(name, tmp.path()).join("aws");
        let mut files = Vec::new();
        for sub in ["managed-policies", "roles"] {
            let Ok(rd) = std::fs::read_dir(dir.join(sub)) else { continue };
            for e in rd {
                let p = e.unwrap().path();
                if p.is_dir() {
                    files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                } else {
                    files.push(p);
                }
            }
        }
        for f in files {
            let trust = f.ends_with("trust-policy.json");
            // Every pack must have 0 findings. The MLSpace policies are checked with the ignores
            // in checkers/parliament-mlspace.yaml, each with its reason there.
            let config = (*name == "mlspace").then_some(mlspace_config.as_path());
            let reported = parliament(&f, config);
            let findings: Vec<String> = reported
                .iter()
                .map(|v| v.to_string())
                // parliament's known false positives on trust policies: no Resource, and EKS OIDC
                // providers it does not recognise as a federation source.
                .filter(|l| !(trust && (l.contains("neither Resource nor NotResource") || l.contains("Unknown federation source"))))
                .collect();
            assert!(findings.is_empty(), "{}: {findings:#?}", f.display());
            if config.is_some() {
                // What the config removed must be exactly the kinds it gives reasons for, so a
                // statement that moves onto an ignored line cannot hide a new finding.
                let file = f.file_name().unwrap().to_str().unwrap().to_string();
                for v in parliament(&f, None) {
                    if reported.contains(&v) {
                        continue;
                    }
                    let kind = mlspace_ignored_kind(&file, &v).unwrap_or_else(|| panic!("{}: ignored without a reason: {v}", f.display()));
                    ignored.insert((file.clone(), kind));
                }
            }
        }
    }
    // Each reason in the config still removes a finding in each file it names (else that ignore is
    // stale and must go).
    let want: BTreeSet<(String, &str)> = [
        ("mlspace-app-policy.json", "s3:List*/s3:Get* actions with no bucket or object resource"),
        ("mlspace-system-policy.json", "s3:List*/s3:Get* actions with no bucket or object resource"),
        ("mlspace-notebook-policy.json", "sagemaker:CreateEndpoint granted on its two resources in two statements"),
        ("mlspace-project-user-permission-boundary.json", "sagemaker:CreateEndpoint granted on its two resources in two statements"),
        ("mlspace-app-policy.json", "iam:ResourceTag on role actions"),
        ("mlspace-system-policy.json", "iam:ResourceTag on role actions"),
    ]
    .into_iter()
    .map(|(f, k)| (f.to_string(), k))
    .collect();
    assert_eq!(ignored, want);
}

#[test]
fn data_sharing_explains_ram_and_trusts_the_consumer_with_an_external_id() {
    let r = resolved("cross-account-data-sharing");
    let g = r.roles[0].trust.grants();
    let only = g.iter().next().unwrap();
    assert_eq!(only.principal, "AWS:arn:aws:iam::210987654321:root");
    assert_eq!(only.condition, "StringEquals:sts:externalid=Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA");
    let summary = render_pack(&r).files.into_iter().find(|f| f.path == "SUMMARY.md").unwrap().content;
    assert!(summary.contains("RAM cannot share ordinary S3 buckets"), "{summary}");
}
