//! Every kind of bad input gets a clear error that names the field, the rule and the value.

mod common;

use common::*;
use trustbridge_core::{render, validate, Plan};

#[test]
fn every_bad_input_is_reported_at_its_field() {
    let cases = bad_inputs();
    assert!(cases.len() >= 30, "at least 30 kinds of bad input ({} now)", cases.len());
    for c in &cases {
        let plan = Plan::from_json(&c.plan_json).unwrap_or_else(|e| panic!("{}: should parse: {e}", c.kind));
        let problems = match validate(&plan, None) {
            Ok(_) => panic!("{}: accepted, but it is invalid", c.kind),
            Err(p) => p,
        };
        let hit = problems.iter().find(|p| p.field == c.field);
        let hit = hit.unwrap_or_else(|| panic!("{}: no problem at '{}', got {problems:#?}", c.kind, c.field));
        let line = hit.to_string();
        assert!(line.starts_with(&format!("{}: ", c.field)), "{}: {line}", c.kind);
        assert!(line.contains("(got '"), "{}: names the value: {line}", c.kind);
        assert!(!line.contains('\n'), "{}: one line: {line:?}", c.kind);
        assert!(hit.code().starts_with("validation."), "{}", c.kind);
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let mut v: serde_json::Value = serde_json::from_str(&plan_text("three-clouds.json")).unwrap();
    v["aws"]["account_id"] = "1".into();
    v["gcp"]["project_id"] = "X".into();
    v["azure"]["tenant_id"] = "nope".into();
    let problems = validate(&Plan::from_json(&v.to_string()).unwrap(), None).unwrap_err();
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    for f in ["aws.account_id", "gcp.project_id", "azure.tenant_id"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

#[test]
fn the_reference_service_account_gets_a_valid_suggestion() {
    let mut v: serde_json::Value = serde_json::from_str(&plan_text("three-clouds.json")).unwrap();
    v["gcp"]["service_account"] = "ml3PlatformServiceAccount".into();
    let problems = validate(&Plan::from_json(&v.to_string()).unwrap(), None).unwrap_err();
    let p = problems.iter().find(|p| p.field == "gcp.service_account").unwrap();
    assert_eq!(p.fix.as_deref(), Some("use 'ml3-platform-service-account' instead"));
}

#[test]
fn structure_errors_are_reported_not_panicked() {
    for (text, needle) in [
        ("", "line"),
        ("{", "line"),
        ("[]", "version"),
        (r#"{"version": 2, "platform": "mlcube"}"#, "unsupported plan version 2"),
        (r#"{"version": "1"}"#, "unsupported plan version"),
        (
            r#"{"version": 1, "platform": "mlcube", "integration": {"name": "a", "project_id": "b"}, "azuree": {}}"#,
            "unknown field `azuree`",
        ),
        (r#"{"version": 1, "platform": "mlcube", "integration": {"name": 5, "project_id": "b"}}"#, "invalid type"),
        (
            r#"{"version": 1, "platform": "mlcube", "integration": {"name": "a", "project_id": "b"}, "aws": {"account_id": "123456789012", "region": "eu-west-1", "storage": [{"bucket": "b", "secret_key": "x"}]}}"#,
            "unknown field `secret_key`",
        ),
    ] {
        let err = Plan::from_json(text).expect_err(text).to_string();
        assert!(err.contains(needle), "{text:?} → {err}");
    }
}

#[test]
fn valid_fixtures_render_every_file() {
    for name in ["three-clouds.json", "jfrog-ml.json", "aws-kms-prefix.json", "custom.json"] {
        let b = render(&resolved(name));
        for f in &b.files {
            assert!(!f.content.is_empty(), "{name}: {} is empty", f.path);
            if f.path.ends_with(".json") {
                serde_json::from_str::<serde_json::Value>(&f.content).unwrap_or_else(|e| panic!("{name}: {}: {e}", f.path));
            }
        }
    }
}
