//! CLI behaviour that had no test:
//! - one rule for a connectivity test's verdict, in the CLI and the window: nothing proven is not a
//!   pass. A plan whose clouds are all keyless has no customer-held credential to test with, so
//!   every probe is skipped: `trustbridge verify` must not say "passed" nor exit 0;
//! - an export that fails in the middle of writing leaves nothing: no destination, no temporary folder;
//! - a vendor profile file named by a path relative to the plan loads from any working directory,
//!   and the loader's promised refusals (a wildcard action, an administrator role, external id
//!   `none` without principal patterns) reach the CLI user with the field and the rule, exit 2.

use std::path::Path;
use std::process::Command;

use trustbridge_cloud::probe::{Check, Cloud, ProbeId, ProbeResult, ProbeStatus, Verdict};

fn probe(status: ProbeStatus) -> ProbeResult {
    ProbeResult { id: ProbeId::new(Cloud::Aws, Check::RoleExists), status, duration_ms: 0, message: String::new(), fix: None, code: None }
}

#[test]
fn the_verdict_rule() {
    use ProbeStatus::*;
    assert_eq!(Verdict::of(&[]), Verdict::NothingProven);
    assert_eq!(Verdict::of(&[probe(Skip), probe(Skip)]), Verdict::NothingProven);
    assert_eq!(Verdict::of(&[probe(Skip), probe(Pass)]), Verdict::Pass);
    assert_eq!(Verdict::of(&[probe(Pass), probe(Fail), probe(Skip)]), Verdict::Fail);
    // Checked only partly is not a clean pass, and a failure still wins.
    assert_eq!(Verdict::of(&[probe(Pass), probe(Partial)]), Verdict::Partial);
    assert_eq!(Verdict::of(&[probe(Skip), probe(Partial)]), Verdict::Partial);
    assert_eq!(Verdict::of(&[probe(Partial), probe(Fail)]), Verdict::Fail);
}

#[test]
fn verify_of_a_plan_where_every_probe_is_skipped_is_not_a_pass() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/plans/custom-keyless.json");
    let mut plan: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    plan.as_object_mut().unwrap().remove("aws");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();

    let o = Command::new(env!("CARGO_BIN_EXE_trustbridge"))
        .args(["verify", "--plan"])
        .arg(&path)
        .env("HOME", dir.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("skip"), "every probe is skipped:\n{out}");
    assert!(!out.contains("ok  "), "no probe passed:\n{out}");
    assert!(out.contains("connectivity test proved NOTHING"), "{out}");
    assert!(!out.contains("connectivity test passed"), "{out}");
    assert_eq!(o.status.code(), Some(1), "{out}{}", String::from_utf8_lossy(&o.stderr));
}

/// The process may write files of at most 1 or 2 KiB (`ulimit -f 2`: 512- or 1024-byte blocks, as the
/// shell counts them; SIGXFSZ ignored so the write
/// fails with EFBIG instead of killing it): the small documents are written, then the first larger
/// file fails. Control: the same export without the limit succeeds, and the bundle does hold a
/// file over the limit and several under it, so the failure really comes mid-write.
#[cfg(unix)]
#[test]
fn an_export_that_fails_mid_write_leaves_nothing() {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/plans/three-clouds.json");
    let dir = tempfile::tempdir().unwrap();

    let ok = dir.path().join("control");
    let o = Command::new(env!("CARGO_BIN_EXE_trustbridge")).args(["export", "--plan"]).arg(&plan).arg("--out").arg(&ok).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sizes: Vec<u64> = walk(&ok).iter().map(|p| std::fs::metadata(p).unwrap().len()).collect();
    assert!(sizes.iter().filter(|s| **s <= 1024).count() >= 3 && sizes.iter().any(|s| *s > 2048), "{sizes:?}");

    let parent = dir.path().join("limited");
    std::fs::create_dir(&parent).unwrap();
    let out = parent.join("bundle");
    let o = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 2 && exec \"$0\" export --plan \"$1\" --out \"$2\"")
        .arg(env!("CARGO_BIN_EXE_trustbridge"))
        .arg(&plan)
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "the write failed: {err}");
    assert!(err.contains("File too large") || err.contains("too large"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&parent).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "nothing left beside the destination: {left:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The cases of `tests/fixtures/hostile-profiles.json` the issue names, applied to the built-in
/// custom profile written as a file beside the plan.
#[test]
fn a_profile_file_relative_to_the_plan_loads_and_its_refusals_reach_the_cli() {
    let hostile: Vec<serde_json::Value> = serde_json::from_str(include_str!("../../../../tests/fixtures/hostile-profiles.json")).unwrap();
    let case = |kind: &str| hostile.iter().find(|c| c["kind"] == kind).unwrap_or_else(|| panic!("no case {kind}")).clone();
    let base: serde_json::Value = serde_json::from_str(include_str!("../../core/profiles/custom.json")).unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let (plans, vendors, elsewhere) = (tmp.path().join("plans"), tmp.path().join("vendors"), tmp.path().join("elsewhere"));
    for d in [&plans, &vendors, &elsewhere] {
        std::fs::create_dir(d).unwrap();
    }
    let plan = plans.join("plan.json");
    std::fs::write(
        &plan,
        serde_json::json!({"version": 1, "platform": "../vendors/acme.json", "integration": {"name": "A", "project_id": "p"},
            "aws": {"account_id": "123456789012", "region": "us-east-1", "external_id": "ext-id-0123456789",
                    "vendor": {"account_id": "210987654321"}, "storage": [{"bucket": "acme-data"}]}})
        .to_string(),
    )
    .unwrap();
    let validate = |profile: &serde_json::Value| {
        std::fs::write(vendors.join("acme.json"), profile.to_string()).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_trustbridge"))
            .current_dir(&elsewhere)
            .args(["validate", "--allow-unsigned-profile", "--plan"])
            .arg(&plan)
            .output()
            .unwrap();
        (o.status.code(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
    };

    let mut valid = base.clone();
    valid["id"] = "acme".into();
    let (code, text) = validate(&valid);
    assert_eq!(code, Some(0), "the file loads from another working directory: {text}");
    assert!(text.contains("valid") && text.contains("UNSIGNED"), "{text}");

    for kind in ["AWS storage wildcard", "Azure User Access Administrator", "AWS no external id and no patterns"] {
        let c = case(kind);
        let mut p = valid.clone();
        for (ptr, v) in c["set"].as_object().unwrap() {
            *p.pointer_mut(ptr).unwrap_or_else(|| panic!("{kind}: {ptr} not in the custom profile")) = v.clone();
        }
        let (code, text) = validate(&p);
        assert_eq!(code, Some(2), "{kind}: refused: {text}");
        assert!(text.contains("platform: profile '../vendors/acme.json'"), "{kind}: names the field: {text}");
        assert!(text.contains(c["expect"].as_str().unwrap()), "{kind}: says the rule: {text}");
    }
}
