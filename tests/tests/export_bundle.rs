//! The export bundle on disk: every file, a refused folder leaves nothing behind, and the
//! ecosystem's checker (shellcheck) on every generated script. (That a write failing part-way
//! leaves nothing is proven in `core/src/export.rs` and `app/tests/cli_behaviour.rs`.)

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use trustbridge_core::export::write_bundle;
use trustbridge_core::render;

const EXPECTED: &[&str] = &[
    "SUMMARY.md",
    "plan.json",
    "handoff.json",
    "aws/trust-policy.json",
    "aws/storage-policy.json",
    "aws/events-policy.json",
    "aws/setup.sh",
    "aws/revoke.sh",
    "gcp/custom-role.json",
    "gcp/bindings.json",
    "gcp/setup.sh",
    "gcp/revoke.sh",
    "azure/role-assignments.json",
    "azure/setup.sh",
    "azure/revoke.sh",
    "aws/cloudformation.yaml",
    "aws/main.tf",
    "aws/pulumi/__main__.py",
    "aws/pulumi/Pulumi.yaml",
    "aws/pulumi/requirements.txt",
    "gcp/main.tf",
    "gcp/pulumi/__main__.py",
    "gcp/pulumi/Pulumi.yaml",
    "gcp/pulumi/requirements.txt",
    "azure/main.tf",
    "azure/pulumi/__main__.py",
    "azure/pulumi/Pulumi.yaml",
    "azure/pulumi/requirements.txt",
];

fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn three_cloud_export_writes_the_whole_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    write_bundle(&render(&resolved("three-clouds.json")), &out).unwrap();
    let mut want: Vec<String> = EXPECTED.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(files_under(&out), want);
    // Nothing but the bundle was left next to it.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    let summary = std::fs::read_to_string(out.join("SUMMARY.md")).unwrap();
    for needle in [
        "What:",
        "Apply:",
        "Revoke:",
        "arn:aws:iam::123456789012:role/mlcube-platform-access",
        "883313729965",
        "**Vendor profile:** `mlcube`, built in",
    ] {
        assert!(summary.contains(needle), "SUMMARY.md lacks {needle:?}");
    }
    let handoff: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("handoff.json")).unwrap()).unwrap();
    assert_eq!(handoff["aws"]["role_arn"], "arn:aws:iam::123456789012:role/mlcube-platform-access");
    assert_eq!(handoff["profile_origin"], serde_json::json!({"origin": "built-in"}));
    assert_eq!(handoff["gcp"]["service_account_email"], "ml3-platform-sa@my-project.iam.gserviceaccount.com");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("aws/setup.sh")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}

#[test]
fn scripts_say_what_the_issue_requires() {
    let b = render(&resolved("three-clouds.json"));
    let aws = &b.get("aws/setup.sh").unwrap().content;
    for needle in
        ["aws iam create-role", "file://trust-policy.json", "aws iam put-role-policy", "get-caller-identity", "update-assume-role-policy"]
    {
        assert!(aws.contains(needle), "aws/setup.sh lacks {needle}");
    }
    let gcp = &b.get("gcp/setup.sh").unwrap().content;
    for needle in [
        "gcloud iam service-accounts create",
        "gcloud iam roles create",
        "--file=custom-role.json",
        "gcloud projects add-iam-policy-binding",
        "gcloud storage buckets add-iam-policy-binding gs://my-company-data-bucket",
        "--role=roles/storage.objectViewer",
        "gcloud pubsub topics add-iam-policy-binding my-topic",
        "--role=roles/pubsub.publisher",
        "iam.disableServiceAccountKeyCreation",
        "keys create",
    ] {
        assert!(gcp.contains(needle), "gcp/setup.sh lacks {needle}");
    }
    let az = &b.get("azure/setup.sh").unwrap().content;
    assert!(!az.contains("--skip-assignment"), "obsolete flag");
    for needle in ["--assignee-principal-type ServicePrincipal", "--assignee-object-id", "'Storage Blob Data Reader'", "'EventGrid Data Sender'",
        "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/my-rg/providers/Microsoft.Storage/storageAccounts/mystorageacct/blobServices/default/containers/my-blob-container",
        "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/my-rg/providers/Microsoft.EventGrid/topics/my-topic"] {
        assert!(az.contains(needle), "azure/setup.sh lacks {needle}");
    }
}

#[test]
fn generated_scripts_pass_shellcheck() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["three-clouds.json", "jfrog-ml.json", "aws-kms-prefix.json", "custom.json", "custom-keyless.json"] {
        let out = tmp.path().join(name.trim_end_matches(".json"));
        write_bundle(&render(&resolved(name)), &out).unwrap();
        for f in files_under(&out).into_iter().filter(|f| f.ends_with(".sh")) {
            let path = out.join(&f);
            let res = Command::new("shellcheck")
                .arg("--severity=style")
                .arg(&path)
                .output()
                .expect("shellcheck is required for this test (apt-get install shellcheck; the README's setup installs it)");
            assert!(res.status.success(), "{name}: {f}:\n{}", String::from_utf8_lossy(&res.stdout));
            let syntax = Command::new("bash").arg("-n").arg(&path).status().unwrap();
            assert!(syntax.success(), "{name}: {f}: bash -n failed");
        }
    }
}

#[test]
fn export_refuses_a_non_empty_folder_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("taken");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let err = write_bundle(&render(&resolved("jfrog-ml.json")), &out).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    assert_eq!(files_under(tmp.path()), vec!["taken/keep.txt".to_string()]);

    let missing_parent = tmp.path().join("no/such/dir");
    assert!(write_bundle(&render(&resolved("jfrog-ml.json")), &missing_parent).is_err());
    assert_eq!(files_under(tmp.path()), vec!["taken/keep.txt".to_string()]);
}

#[test]
fn an_empty_existing_folder_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("empty");
    std::fs::create_dir(&out).unwrap();
    write_bundle(&render(&resolved("jfrog-ml.json")), &out).unwrap();
    assert!(out.join("aws/trust-policy.json").is_file());
}

#[test]
fn keyless_exports_create_no_key_and_no_secret() {
    let b = render(&resolved("custom-keyless.json"));
    let gcp = &b.get("gcp/setup.sh").unwrap().content;
    assert!(!gcp.contains("keys create"), "no key step when keyless");
    for needle in [
        "workload-identity-pools create",
        "providers create-aws",
        "--account-id=210987654321",
        "roles/iam.workloadIdentityUser",
        "--attribute-condition=attribute.aws_role==",
        "arn:aws:sts::210987654321:assumed-role/acme-platform-workers",
        "create-cred-config",
    ] {
        assert!(gcp.contains(needle), "gcp/setup.sh lacks {needle}");
    }
    let az = &b.get("azure/setup.sh").unwrap().content;
    assert!(!az.contains("credential reset") && !az.contains("az ad app create"), "no secret, no app registration when keyless");
    assert!(az.contains("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/adminconsent?client_id=11111111-2222-3333-4444-555555555555"));
    let handoff: serde_json::Value = serde_json::from_str(&b.get("handoff.json").unwrap().content).unwrap();
    assert!(handoff["gcp"]["credentials"].as_str().unwrap().starts_with("keyless"));
    assert!(handoff["azure"]["credentials"].as_str().unwrap().starts_with("keyless"));
}

#[test]
fn keyless_is_refused_where_the_vendor_does_not_support_it() {
    let mut v: serde_json::Value = serde_json::from_str(&plan_text("three-clouds.json")).unwrap();
    v["gcp"]["workload_identity"] = serde_json::json!({"vendor_aws_account_id": "883313729965", "vendor_role_name": "x"});
    v["azure"]["vendor_app_id"] = "11111111-2222-3333-4444-555555555555".into();
    let problems = trustbridge_core::validate(&trustbridge_core::Plan::from_json(&v.to_string()).unwrap(), None).unwrap_err();
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert!(fields.contains(&"gcp.workload_identity") && fields.contains(&"azure.vendor_app_id"), "{fields:?}");
}
