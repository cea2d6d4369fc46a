//! Vendor profiles are untrusted input: each case of `tests/fixtures/hostile-profiles.json`
//! edits the built-in ML cube profile into something a hostile or careless vendor file could hold,
//! and must be refused with a message naming the field and the rule. The unedited profile loads.

use trustbridge_core::Profile;

const BASE: &str = include_str!("../../src-tauri/crates/core/profiles/mlcube.json");

fn set(doc: &mut serde_json::Value, ptr: &str, value: serde_json::Value) {
    let (parent, key) = ptr.rsplit_once('/').unwrap();
    match doc.pointer_mut(parent).unwrap_or_else(|| panic!("{ptr}")) {
        serde_json::Value::Object(m) => {
            m.insert(key.to_string(), value);
        }
        serde_json::Value::Array(a) => a[key.parse::<usize>().unwrap()] = value,
        _ => panic!("{ptr}"),
    }
}

#[test]
fn every_hostile_profile_is_refused_at_its_field() {
    assert!(Profile::from_json(BASE, "mlcube.json").is_ok(), "the base profile loads");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../fixtures/hostile-profiles.json")).expect("hostile-profiles.json");
    assert!(cases.len() >= 60, "at least 60 hostile profiles ({} now)", cases.len());
    for c in &cases {
        let kind = c["kind"].as_str().unwrap();
        let mut doc: serde_json::Value = serde_json::from_str(BASE).unwrap();
        for (ptr, v) in c["set"].as_object().unwrap() {
            set(&mut doc, ptr, v.clone());
        }
        let e = match Profile::from_json(&doc.to_string(), "vendor.json") {
            Ok(_) => panic!("{kind}: accepted"),
            Err(e) => e,
        };
        assert_eq!(e.code(), "profile.invalid", "{kind}");
        let m = e.to_string();
        let want = c["expect"].as_str().unwrap();
        assert!(m.contains(want), "{kind}: expected '{want}' in: {m}");
        assert!(
            !m.contains('\n') && !m.contains('\u{2028}') && !m.contains('\u{202e}') && !m.contains('\u{1b}'),
            "{kind}: the message is one plain line: {m:?}"
        );
    }
}
