//! Every export format grants exactly what the JSON documents grant, read back by each
//! ecosystem's own parser, and passes that ecosystem's checker: cfn-lint, checkov, parliament,
//! python-hcl2, py_compile. The tools are required (scripts/setup.sh installs them).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use trustbridge_core::export::write_bundle;
use trustbridge_core::model::{azure, gcp};
use trustbridge_core::policy::{Grant, PolicyDocument};
use trustbridge_core::render::{self, aws};

const PLANS: &[&str] = &["three-clouds.json", "jfrog-ml.json", "aws-kms-prefix.json", "custom.json", "custom-keyless.json"];

fn export(name: &str, root: &Path) -> PathBuf {
    let out = root.join(name.trim_end_matches(".json"));
    write_bundle(&render::render(&resolved(name)), &out).unwrap();
    out
}

fn tool(cmd: &str) -> Command {
    let probe = Command::new(cmd).arg("--version").output();
    assert!(probe.is_ok(), "{cmd} is required for this test: run scripts/setup.sh (pip install parliament cfn-lint checkov python-hcl2)");
    Command::new(cmd)
}

fn extract(kind: &str, file: &Path, extra: &[&str]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/extract.py");
    let o = tool("python3").arg(script).arg(kind).arg(file).args(extra).output().unwrap();
    assert!(o.status.success(), "extract {kind} {}: {}", file.display(), String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn grants(v: &serde_json::Value) -> BTreeSet<Grant> {
    PolicyDocument::parse(&v.to_string()).unwrap().grants()
}

/// CloudFormation, Terraform and Pulumi, read back by their own parsers, grant exactly the JSON
/// documents' grants (and no policy more or less).
fn assert_aws_formats_agree(name: &str, r: &trustbridge_core::validate::Resolved, dir: &Path) {
    let a = r.aws.as_ref().unwrap();
    let docs = aws::documents(a);
    let want_trust = docs.trust.grants();
    let want_inline: Vec<(String, BTreeSet<Grant>)> = docs.inline().iter().map(|(n, d)| (n.to_string(), d.grants())).collect();
    let partition = a.partition.name.as_str();
    let cfn = extract("cfn", &dir.join("cloudformation.yaml"), &[partition, &a.account_id, &a.region, a.partition.dns_suffix()]);
    let tf = extract("tf-aws", &dir.join("main.tf"), &[]);
    for (format, got) in [("cloudformation", &cfn), ("terraform", &tf)] {
        assert_eq!(grants(&got["trust"]), want_trust, "{name}: {format} trust");
        assert_eq!(got["inline"].as_object().unwrap().len(), want_inline.len(), "{name}: {format} inline policy count");
        for (pname, want) in &want_inline {
            assert_eq!(&grants(&got["inline"][pname]), want, "{name}: {format} {pname}");
        }
    }
    let py = extract("pulumi-aws", &dir.join("pulumi/__main__.py"), &[]);
    assert_eq!(grants(&py["trust"]), want_trust, "{name}: pulumi trust");
    assert_eq!(py["inline"].as_object().unwrap().len(), want_inline.len(), "{name}: pulumi inline policy count");
    for (pname, want) in &want_inline {
        assert_eq!(&grants(&py["inline"][pname]), want, "{name}: pulumi {pname}");
    }
}

#[test]
fn every_aws_format_grants_exactly_the_json_documents() {
    let tmp = tempfile::tempdir().unwrap();
    for name in PLANS {
        let r = resolved(name);
        assert_aws_formats_agree(name, &r, &export(name, tmp.path()).join("aws"));
    }
}

/// The read-backs compare whole files: a planted extra resource or attachment in the exported
/// CloudFormation template or Terraform file is refused by the extractor (Pulumi's whole program is
/// compared under its mocks in `pulumi_mocks.rs`, CloudFormation's deployed state in `deploy_cfn.rs`).
#[test]
fn read_backs_refuse_an_extra_resource_or_attachment() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = export("three-clouds.json", tmp.path()).join("aws");
    let refused = |kind: &str, file: &Path, extra: &[&str]| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkers/extract.py");
        let o = tool("python3").arg(script).arg(kind).arg(file).args(extra).output().unwrap();
        (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let cfn_args = ["aws", "123456789012", "eu-west-1", "amazonaws.com"];
    assert!(
        refused("tf-aws", &dir.join("main.tf"), &[]).0 && refused("cfn", &dir.join("cloudformation.yaml"), &cfn_args).0,
        "the unedited files read back"
    );

    let tf = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    let bad_tf = dir.join("extra.tf");
    std::fs::write(&bad_tf, format!("{tf}\nresource \"aws_iam_role_policy_attachment\" \"admin\" {{\n  role       = aws_iam_role.vendor_access.name\n  policy_arn = \"arn:aws:iam::aws:policy/AdministratorAccess\"\n}}\n")).unwrap();
    let (ok, err) = refused("tf-aws", &bad_tf, &[]);
    assert!(!ok && err.contains("unexpected Terraform resource aws_iam_role_policy_attachment.admin"), "{err}");

    let cfn = std::fs::read_to_string(dir.join("cloudformation.yaml")).unwrap();
    let bad_cfn = dir.join("extra.yaml");
    let planted = cfn.replacen(
        "    Properties:\n",
        "    Properties:\n      ManagedPolicyArns:\n        - arn:aws:iam::aws:policy/AdministratorAccess\n",
        1,
    );
    assert_ne!(planted, cfn, "the template has a Properties block to plant into");
    std::fs::write(&bad_cfn, planted).unwrap();
    let (ok, err) = refused("cfn", &bad_cfn, &cfn_args);
    assert!(!ok && err.contains("unexpected properties on the role ['ManagedPolicyArns']"), "{err}");
}

/// Issue 11 (findings 5 and 6): prefixes that are legal S3 keys but special to YAML, Python or HCL
/// render without a panic and grant the same string in every format.
#[test]
fn hostile_but_legal_prefixes_grant_the_same_string_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let prefixes = [
        "reports: true/",
        "team\u{2028}  data/",
        "team\u{2029}data/",
        "quote\"back\\slash/",
        "%{if x}y%{endif} 'single' \"\"\"/",
        "right\u{202e}left/",
        "bom\u{feff}/",
        "key: {a: b} # - null/",
    ];
    for (i, prefix) in prefixes.iter().enumerate() {
        let mut v: serde_json::Value = serde_json::from_str(&plan_text("aws-kms-prefix.json")).unwrap();
        v["aws"]["storage"][0]["prefix"] = (*prefix).into();
        let plan = trustbridge_core::Plan::from_json(&v.to_string()).unwrap();
        let r = trustbridge_core::validate(&plan, None).unwrap_or_else(|p| panic!("{prefix:?}: {p:?}"));
        let out = tmp.path().join(format!("p{i}"));
        write_bundle(&render::render(&r), &out).unwrap();
        assert_aws_formats_agree(&format!("{prefix:?}"), &r, &out.join("aws"));
        // And the JSON document itself grants the prefix as typed.
        let doc = PolicyDocument::parse(&std::fs::read_to_string(out.join("aws/storage-policy.json")).unwrap()).unwrap();
        assert!(doc.grants().iter().any(|g| g.resource.ends_with(&format!("/{prefix}*"))), "{prefix:?}");
    }
}

#[test]
fn gcp_and_azure_terraform_grant_exactly_the_model() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["three-clouds.json", "custom-keyless.json"] {
        let r = resolved(name);
        let dir = export(name, tmp.path());
        let want: BTreeSet<Vec<String>> = gcp::model(r.gcp.as_ref().unwrap(), &r.plan.integration.name)
            .bindings
            .iter()
            .map(|b| vec![b.resource.clone(), b.role.clone(), b.member.clone()])
            .collect();
        let got: BTreeSet<Vec<String>> = serde_json::from_value(extract("tf-gcp", &dir.join("gcp/main.tf"), &[])).unwrap();
        assert_eq!(got, want, "{name}");
        let want: BTreeSet<Vec<String>> = azure::model(r.azure.as_ref().unwrap())
            .role_assignments
            .iter()
            .map(|a| vec![a.role.clone(), a.scope.clone(), a.principal_type.clone()])
            .collect();
        let got: BTreeSet<Vec<String>> = serde_json::from_value(extract("tf-azure", &dir.join("azure/main.tf"), &[])).unwrap();
        assert_eq!(got, want, "{name}");
    }
}

/// A legal display name that looks like HCL syntax (`= <<EOF`, an open `[`, a comment start) stays
/// one string literal: the parser reads back exactly the name typed. (Found by props_readback:
/// python-hcl2's line pre-scan took `= <<` inside the string for a heredoc.)
#[test]
fn a_display_name_that_looks_like_hcl_is_one_literal_in_terraform() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, name) in ["\u{e9}>= <<EOF- [", "x = <<EOT ] (", "a /* b = <<-X"].iter().enumerate() {
        let mut v: serde_json::Value = serde_json::from_str(&plan_text("three-clouds.json")).unwrap();
        v["azure"]["service_principal_name"] = (*name).into();
        let plan = trustbridge_core::Plan::from_json(&v.to_string()).unwrap();
        let r = trustbridge_core::validate(&plan, None).unwrap_or_else(|p| panic!("{name:?}: {p:?}"));
        let out = tmp.path().join(format!("n{i}"));
        write_bundle(&render::render(&r), &out).unwrap();
        let got = extract("tf-azure-app-name", &out.join("azure/main.tf"), &[]);
        assert_eq!(got, serde_json::json!([name]), "{name:?}");
    }
}

#[test]
fn cfn_lint_reports_no_errors_or_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    for name in PLANS {
        let f = export(name, tmp.path()).join("aws/cloudformation.yaml");
        let o = tool("cfn-lint").arg(&f).output().unwrap();
        assert!(o.status.success(), "{name}: cfn-lint exit {:?}:\n{}", o.status.code(), String::from_utf8_lossy(&o.stdout));
    }
}

/// The findings our generators suppress (`checkov:skip` comments), each justified where it is
/// written: (check, resource, file). Any other suppression, or one of these gone, fails.
const ACCEPTED_CHECKOV: &[(&str, &str, &str)] = &[
    // Trusting the vendor's account is the role's purpose; every statement is conditioned.
    ("CKV_AWS_61", "aws_iam_role.vendor_access", "/aws/main.tf"),
    // A GitHub-Actions OIDC check that errors (and reports FAILED) on every AWS provider.
    ("CKV_GCP_125", "google_iam_workload_identity_pool_provider.vendor_aws", "/gcp/main.tf"),
];

#[test]
fn checkov_finds_nothing_failed_and_suppresses_only_the_accepted_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let mut suppressed_anywhere = BTreeSet::new();
    for name in PLANS {
        let dir = export(name, tmp.path());
        // Without --quiet, so the report lists passed and skipped (suppressed) checks too.
        let o = tool("checkov").args(["--skip-download", "--compact", "-o", "json", "-d"]).arg(&dir).output().unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: checkov output: {e}\n{text}"));
        let reports = if v.is_array() { v.as_array().unwrap().clone() } else { vec![v] };
        let mut passed = 0;
        for rep in &reports {
            let failed = rep["summary"]["failed"].as_u64().unwrap_or(0);
            passed += rep["summary"]["passed"].as_u64().unwrap_or(0);
            assert_eq!(
                failed,
                0,
                "{name}: checkov {}:\n{}",
                rep["check_type"],
                serde_json::to_string_pretty(&rep["results"]["failed_checks"]).unwrap()
            );
            let skipped = rep["results"]["skipped_checks"].as_array().cloned().unwrap_or_default();
            assert_eq!(skipped.len() as u64, rep["summary"]["skipped"].as_u64().unwrap_or(0), "{name}: the report lists its skips");
            for c in skipped {
                let id = (
                    c["check_id"].as_str().unwrap_or_default().to_string(),
                    c["resource"].as_str().unwrap_or_default().to_string(),
                    c["file_path"].as_str().unwrap_or_default().to_string(),
                );
                println!("{name}: suppressed {} on {} ({})", id.0, id.1, id.2);
                assert!(
                    ACCEPTED_CHECKOV.iter().any(|(a, b, f)| (*a, *b, *f) == (id.0.as_str(), id.1.as_str(), id.2.as_str())),
                    "{name}: a suppression that is not accepted: {id:?}"
                );
                suppressed_anywhere.insert(id);
            }
        }
        assert!(passed > 0, "{name}: checkov scanned nothing");
    }
    // Each accepted finding is still suppressed somewhere (else its skip comment is dead).
    for (a, b, f) in ACCEPTED_CHECKOV {
        assert!(
            suppressed_anywhere.contains(&(a.to_string(), b.to_string(), f.to_string())),
            "{a} on {b} is accepted but no plan suppresses it: {suppressed_anywhere:?}"
        );
    }
}

#[test]
fn parliament_finds_nothing_in_permission_policies() {
    let tmp = tempfile::tempdir().unwrap();
    for name in PLANS {
        let dir = export(name, tmp.path()).join("aws");
        for f in ["storage-policy.json", "events-policy.json", "trust-policy.json"] {
            let path = dir.join(f);
            if !path.exists() {
                continue;
            }
            let o = tool("parliament").stdin(std::fs::File::open(&path).unwrap()).output().unwrap();
            let findings: Vec<String> =
                String::from_utf8_lossy(&o.stdout).lines().filter(|l| !l.trim().is_empty()).map(String::from).collect();
            // parliament falsely flags trust policies (no Resource) as MALFORMED; only that is accepted.
            let unexpected: Vec<&String> = findings
                .iter()
                .filter(|l| !(f == "trust-policy.json" && l.contains("Statement contains neither Resource nor NotResource")))
                .collect();
            assert!(unexpected.is_empty(), "{name}: parliament {f}: {unexpected:#?}");
        }
    }
}

#[test]
fn pulumi_programs_compile() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["three-clouds.json", "custom-keyless.json"] {
        let dir = export(name, tmp.path());
        for cloud in ["aws", "gcp", "azure"] {
            let f = dir.join(cloud).join("pulumi/__main__.py");
            let o = tool("python3").arg("-m").arg("py_compile").arg(&f).output().unwrap();
            assert!(o.status.success(), "{cloud}: {}", String::from_utf8_lossy(&o.stderr));
            assert!(dir.join(cloud).join("pulumi/Pulumi.yaml").is_file());
        }
    }
}
