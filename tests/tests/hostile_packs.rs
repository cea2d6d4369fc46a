//! Role packs are untrusted input too: a pack file's names reach scripts,
//! templates and comments, and its variables reach policy documents. Each hostile pack (an edit of
//! the built-in sagemaker-service-role pack) is refused at load, naming the field; each hostile
//! variable value is refused at its variable.

use std::collections::BTreeMap;

use trustbridge_core::pack::{validate_pack, Pack, PackPlan};

const BASE: &str = include_str!("../../src-tauri/crates/core/packs/sagemaker-service-role.json");

#[test]
fn hostile_pack_files_are_refused_at_load() {
    assert!(Pack::from_json(BASE, "pack.json").is_ok());
    type Edit = fn(&mut serde_json::Value);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "AWS_ACCOUNT not an account id (so apply could not check the account)",
            |p| {
                for v in p["variables"].as_array_mut().unwrap().iter_mut().filter(|v| v["name"] == "AWS_ACCOUNT") {
                    v["kind"] = "text".into();
                }
            },
            "must declare AWS_ACCOUNT",
        ),
        ("managed policy name with a newline", |p| p["managed_policies"][0]["name"] = "p\nrm -rf /".into(), "managed_policies[0].name"),
        ("managed policy name with a quote", |p| p["managed_policies"][0]["name"] = "p'; echo x; '".into(), "managed_policies[0].name"),
        ("role name with a space", |p| p["roles"][0]["name"] = "my role".into(), "roles[0].name"),
        ("role description with a line separator", |p| p["roles"][0]["description"] = "reads\u{2028}writes".into(), "roles[0].description"),
        ("display name with a control character", |p| p["display_name"] = "Pack\u{1b}[2J".into(), "display_name"),
        (
            "variable name in lower case",
            |p| {
                p["variables"]
                    .as_array_mut()
                    .unwrap()
                    .push(serde_json::json!({"name": "extra_name", "kind": "region", "description": "d", "example": "e", "default": null}))
            },
            "1-64 of A-Z, 0-9 and '_'",
        ),
        (
            "attached policy that is not the pack's",
            |p| p["roles"][0]["managed_policy_names"] = serde_json::json!(["AdministratorAccess"]),
            "not one of this pack's managed_policies",
        ),
        (
            "AWS-managed policy with a newline",
            |p| p["roles"][0]["aws_managed_policies"] = serde_json::json!(["AdministratorAccess\nx"]),
            "aws_managed_policies",
        ),
        (
            "accepted check id with spaces",
            |p| p["accepted_checks"] = serde_json::json!([{"id": "CKV AWS", "reason": "r"}]),
            "accepted_checks[0].id",
        ),
    ];
    for (kind, edit, want) in cases {
        let mut v: serde_json::Value = serde_json::from_str(BASE).unwrap();
        if v.get("managed_policies").and_then(|m| m.as_array()).is_none_or(|m| m.is_empty()) {
            v["managed_policies"] = serde_json::json!([{"name": "base-policy", "document": {"Version": "2012-10-17", "Statement": []}}]);
        }
        edit(&mut v);
        let e = Pack::from_json(&v.to_string(), "pack.json").expect_err(kind).to_string();
        assert!(e.contains(want), "{kind}: expected '{want}' in {e}");
        assert!(!e.contains('\n') && !e.contains('\u{2028}') && !e.contains('\u{1b}'), "{kind}: one plain line: {e:?}");
    }
}

#[test]
fn a_wildcard_policy_arn_variable_is_refused() {
    // MLSpace's JOB_INSTANCE_CONSTRAINT_POLICY_ARN lands in an iam:PolicyARN condition on
    // iam:AttachRolePolicy: "*" there would let the role attach any policy to itself.
    let example: serde_json::Value = serde_json::from_str(include_str!("../fixtures/packs/mlspace.json")).unwrap();
    let mut vars: BTreeMap<String, String> = serde_json::from_value(example["variables"].clone()).unwrap();
    assert!(
        validate_pack(&PackPlan { version: 1, pack: "mlspace".into(), variables: vars.clone() }, None).is_ok(),
        "the example plan is valid"
    );
    for bad in ["*", "arn:aws:iam::*:policy/*", "arn:aws:iam::123456789012:policy/*", "arn:aws:iam::123456789012:role/x"] {
        vars.insert("JOB_INSTANCE_CONSTRAINT_POLICY_ARN".into(), bad.into());
        let problems = validate_pack(&PackPlan { version: 1, pack: "mlspace".into(), variables: vars.clone() }, None).expect_err(bad);
        assert!(problems.iter().any(|p| p.field == "variables.JOB_INSTANCE_CONSTRAINT_POLICY_ARN"), "{bad}: {problems:#?}");
    }
}
