//! The shipped JSON Schemas are generated from the Rust types; this fails when they are stale.
//! Regenerate with `UPDATE_SCHEMAS=1 cargo test -p trustbridge-tests --test schema`.

use std::path::Path;

use trustbridge_core::pack::{Pack, PackPlan};
use trustbridge_core::{Plan, Profile};

fn check(path: &str, generated: String) {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&full, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(committed == generated, "{path} is stale: run UPDATE_SCHEMAS=1 cargo test -p trustbridge-tests --test schema");
}

#[test]
fn plan_schema_is_current() {
    check("src-tauri/crates/core/schema/plan.schema.json", Plan::json_schema());
}

#[test]
fn profile_schema_is_current() {
    check("src-tauri/crates/core/schema/profile.schema.json", Profile::json_schema());
}

/// The plan schema, run by a real JSON Schema validator (python-jsonschema, which cfn-lint brings
/// in; `scripts/setup.sh` installs it): every fixture plan is accepted, and an unknown field at the
/// top or inside a section, a wrong type and a missing `version` are each rejected — and Rust's own
/// parser agrees on every case.
#[test]
fn schema_rejects_unknown_fields() {
    let schema = Plan::json_schema();
    let plans = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/plans");
    let mut cases: Vec<(String, serde_json::Value, bool)> = Vec::new();
    for e in std::fs::read_dir(&plans).unwrap() {
        let p = e.unwrap().path();
        cases.push((p.display().to_string(), serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(), true));
    }
    assert!(cases.len() >= 5, "{cases:?}");
    let base = cases.iter().find(|(n, _, _)| n.ends_with("three-clouds.json")).unwrap().1.clone();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = base.clone();
        f(&mut v);
        v
    };
    cases.push(("unknown top-level field".into(), edit(&|v| v["grant_everything"] = true.into()), false));
    cases.push(("unknown field in aws".into(), edit(&|v| v["aws"]["admin"] = true.into()), false));
    cases.push(("unknown field in a storage row".into(), edit(&|v| v["gcp"]["storage"][0]["public"] = true.into()), false));
    cases.push(("wrong type".into(), edit(&|v| v["aws"]["account_id"] = 123456789012u64.into()), false));
    cases.push(("no version".into(), edit(&|v| drop(v.as_object_mut().unwrap().remove("version"))), false));
    let input = serde_json::to_string(&serde_json::json!({
        "schema": serde_json::from_str::<serde_json::Value>(&schema).unwrap(),
        "cases": cases.iter().map(|(_, v, _)| v).collect::<Vec<_>>(),
    }))
    .unwrap();
    let script = "import json, sys, jsonschema\nd = json.load(sys.stdin)\nv = jsonschema.validators.validator_for(d['schema'])(d['schema'])\nprint(json.dumps([v.is_valid(c) for c in d['cases']]))";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (with jsonschema: scripts/setup.sh installs it)");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python-jsonschema failed: {}", String::from_utf8_lossy(&out.stderr));
    let valid: Vec<bool> = serde_json::from_slice(&out.stdout).unwrap();
    for ((name, v, want), got) in cases.iter().zip(&valid) {
        assert_eq!(*got, *want, "JSON Schema validator on {name}");
        assert_eq!(Plan::from_json(&v.to_string()).is_ok(), *want, "Rust's parser on {name}");
    }
}

fn schema_of<T: schemars::JsonSchema>() -> String {
    let mut s = serde_json::to_string_pretty(&schemars::schema_for!(T)).unwrap();
    s.push('\n');
    s
}

#[test]
fn pack_schemas_are_current() {
    check("src-tauri/crates/core/schema/pack.schema.json", schema_of::<Pack>());
    check("src-tauri/crates/core/schema/pack-plan.schema.json", schema_of::<PackPlan>());
}
