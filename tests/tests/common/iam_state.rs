//! What an AWS account must hold after an export is deployed, built from the bundle's JSON
//! documents, and a whole-value comparison that lists every difference. Shared by the tests that
//! deploy or run an export (`deploy_cfn.rs`, `pulumi_mocks.rs`); include it with
//! `#[path = "common/iam_state.rs"] mod iam_state;`.
#![allow(dead_code)]

use std::path::Path;

use serde_json::{json, Value};
use trustbridge_core::model::{Boundary, RoleSet};
use trustbridge_core::pack::{validate_pack, Pack, PackPlan, ResolvedPack};
use trustbridge_core::render::aws::MANAGED_BY_TAG;

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn policy_arn(set: &RoleSet, name: &str) -> String {
    format!("arn:{}:iam::{}:policy/{name}", set.partition, set.account)
}

/// `{"roles": {name: {path, description, trust, inline: {name: doc}, attached: [arn, sorted],
/// boundary, tags}}, "managed": {name: {arn, path, description, document, tags}}}`: the role set's
/// names, attachments, boundary and owner tags (on every role and customer-managed policy, as
/// `trustbridge apply` and the scripts put them and require them before they change or delete
/// one: `RoleSet::owner`), with every document read from the bundle's JSON file that holds it
/// (under `aws_dir`, the bundle's `aws/`).
pub fn expected_iam(set: &RoleSet, aws_dir: &Path) -> Value {
    let tags = json!({MANAGED_BY_TAG.0: MANAGED_BY_TAG.1, set.owner.key.as_str(): set.owner.value});
    let mut roles = serde_json::Map::new();
    for r in &set.roles {
        let inline: serde_json::Map<String, Value> = r.inline.iter().map(|d| (d.name.clone(), read_json(&aws_dir.join(&d.file)))).collect();
        let mut attached: Vec<String> = r.managed.iter().map(|m| policy_arn(set, m)).chain(r.aws_managed_arns.iter().cloned()).collect();
        attached.sort();
        let boundary = match &r.boundary {
            None => Value::Null,
            Some(Boundary::Arn(a)) => json!(a),
            Some(Boundary::Managed(n)) => json!(policy_arn(set, n)),
        };
        roles.insert(
            r.name.clone(),
            json!({
                "path": r.path,
                "description": r.description,
                "trust": read_json(&aws_dir.join(&r.trust.file)),
                "inline": inline,
                "attached": attached,
                "boundary": boundary,
                "tags": tags,
            }),
        );
    }
    let managed: serde_json::Map<String, Value> = set
        .managed_policies
        .iter()
        .map(|m| {
            (
                m.document.name.clone(),
                json!({
                    "arn": policy_arn(set, &m.document.name),
                    "path": "/",
                    "description": m.description,
                    "document": read_json(&aws_dir.join(&m.document.file)),
                    "tags": tags,
                }),
            )
        })
        .collect();
    json!({"roles": roles, "managed": managed})
}

/// The MLSpace pack with its notebook role bounded by the pack's own boundary policy (no built-in
/// pack uses `permissions_boundary`; this one does, so a boundary by `Ref` is exported and read
/// back too). Written as a pack file under `root`; the fixture plan's variables.
pub fn bounded_mlspace(root: &Path) -> ResolvedPack {
    let mut pack = serde_json::to_value(Pack::builtin("mlspace").expect("built-in")).unwrap();
    assert_eq!(pack["roles"][0]["name"], "{MLSPACE_NOTEBOOK_ROLE_NAME}");
    pack["roles"][0]["permissions_boundary"] = json!("mlspace-project-user-permission-boundary");
    let file = root.join("mlspace-bounded.json");
    std::fs::write(&file, pack.to_string()).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/packs/mlspace.json");
    let mut plan: PackPlan = PackPlan::from_json(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    plan.pack = file.to_str().unwrap().to_string();
    let r = validate_pack(&plan, None).unwrap_or_else(|p| panic!("bounded mlspace: {p:#?}"));
    assert_eq!(r.roles[0].boundary.as_deref(), Some("mlspace-project-user-permission-boundary"));
    r
}

/// Every place where `got` differs from `want`, as `path: …` lines (empty: equal). Objects are
/// compared key by key (a key on one side only is a difference), arrays of one length element by
/// element, everything else (and arrays of different lengths) by value.
pub fn differences(want: &Value, got: &Value, at: &str, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                match g.get(k) {
                    Some(gv) => differences(wv, gv, &format!("{at}/{k}"), out),
                    None => out.push(format!("{at}/{k}: missing (want {wv})")),
                }
            }
            for (k, gv) in g {
                if !w.contains_key(k) {
                    out.push(format!("{at}/{k}: extra {gv}"));
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                differences(wv, gv, &format!("{at}/{i}"), out);
            }
        }
        _ if want == got => {}
        _ => out.push(format!("{at}: want {want}, got {got}")),
    }
}

pub fn diff(want: &Value, got: &Value) -> Vec<String> {
    let mut out = Vec::new();
    differences(want, got, "", &mut out);
    out
}

#[test]
fn differences_sees_extra_missing_and_changed() {
    let want = json!({"a": {"x": [1, 2]}, "b": "s"});
    assert_eq!(diff(&want, &json!({"b": "s", "a": {"x": [1, 2]}})), Vec::<String>::new(), "key order does not matter");
    for got in [
        json!({"a": {"x": [1, 2]}, "b": "s", "c": 1}),
        json!({"a": {"x": [1, 2]}}),
        json!({"a": {"x": [1, 2, 3]}, "b": "s"}),
        json!({"a": {"x": [1, 3]}, "b": "s"}),
        json!({"a": {"x": [1, 2]}, "b": null}),
    ] {
        assert!(!diff(&want, &got).is_empty(), "{got}");
    }
}
