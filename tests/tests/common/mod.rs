#![allow(dead_code)]
use std::path::{Path, PathBuf};

use trustbridge_core::validate::Resolved;
use trustbridge_core::{validate, Plan};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn plan_text(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("plans").join(name)).expect("fixture plan")
}

pub fn plan(name: &str) -> Plan {
    Plan::from_json(&plan_text(name)).expect("fixture parses")
}

pub fn resolved(name: &str) -> Resolved {
    validate(&plan(name), None).unwrap_or_else(|p| panic!("fixture {name} invalid: {p:#?}"))
}

pub fn reference(name: &str, fill: &[(&str, &str)]) -> String {
    let mut s = std::fs::read_to_string(fixtures().join("reference").join(name)).expect("reference fixture");
    for (k, v) in fill {
        s = s.replace(k, v);
    }
    s
}

/// One entry of `fixtures/bad-inputs.json` applied to the valid three-cloud plan.
pub struct BadInput {
    pub kind: String,
    pub field: String,
    pub plan_json: String,
}

pub fn bad_inputs() -> Vec<BadInput> {
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("bad-inputs.json")).unwrap()).unwrap();
    cases
        .into_iter()
        .map(|c| {
            let mut plan: serde_json::Value = serde_json::from_str(&plan_text("three-clouds.json")).unwrap();
            if let Some(set) = c.get("set").and_then(|s| s.as_object()) {
                for (ptr, value) in set {
                    let (parent, key) = ptr.rsplit_once('/').unwrap();
                    let target = plan.pointer_mut(parent).unwrap_or_else(|| panic!("{ptr}"));
                    match target {
                        serde_json::Value::Object(m) => {
                            m.insert(key.to_string(), value.clone());
                        }
                        serde_json::Value::Array(a) => {
                            let i: usize = key.parse().unwrap();
                            if i < a.len() {
                                a[i] = value.clone();
                            } else {
                                a.push(value.clone());
                            }
                        }
                        _ => panic!("{ptr}"),
                    }
                }
            }
            if let Some(rm) = c.get("remove").and_then(|s| s.as_array()) {
                for ptr in rm {
                    let (parent, key) = ptr.as_str().unwrap().rsplit_once('/').unwrap();
                    plan.pointer_mut(if parent.is_empty() { "" } else { parent }).unwrap().as_object_mut().unwrap().remove(key);
                }
            }
            if let Some(n) = c.get("many_buckets").and_then(|n| n.as_u64()) {
                let buckets: Vec<serde_json::Value> =
                    (0..n).map(|i| serde_json::json!({"bucket": format!("training-data-bucket-number-{i:05}")})).collect();
                plan["aws"]["storage"] = serde_json::Value::Array(buckets);
            }
            BadInput {
                kind: c["kind"].as_str().unwrap().to_string(),
                field: c["field"].as_str().unwrap().to_string(),
                plan_json: serde_json::to_string_pretty(&plan).unwrap(),
            }
        })
        .collect()
}
