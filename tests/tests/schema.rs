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

#[test]
fn schema_rejects_unknown_fields() {
    let s: serde_json::Value = serde_json::from_str(&Plan::json_schema()).unwrap();
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(s["required"].as_array().unwrap().iter().filter(|v| *v == "version").count(), 1);
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
