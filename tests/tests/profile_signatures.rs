//! Signed vendor profiles: each case of `tests/fixtures/profile-signatures.json` writes a
//! vendor profile file and its `.minisig` (or something hostile in its place) next to a plan, loads
//! the plan as the CLI does (`validate_with`: a key trusted for the run, `--allow-unsigned-profile`
//! or not) and expects one outcome: signed, unsigned-and-allowed (recorded as such in SUMMARY.md and
//! handoff.json, read back with a JSON parser), or one error code at `platform`. No case may hang.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use trustbridge_core::profile_trust::{self, ProfileTrust, TrustedKey};
use trustbridge_core::validate::{validate_with, Resolved};
use trustbridge_core::{render, Plan, Problem};

const BASE: &str = include_str!("../../src-tauri/crates/core/profiles/custom.json");

fn profile_text() -> String {
    let mut p: serde_json::Value = serde_json::from_str(BASE).unwrap();
    p["id"] = "acme".into();
    p["display_name"] = "Acme ML".into();
    serde_json::to_string_pretty(&p).unwrap()
}

fn plan() -> Plan {
    Plan::from_json(
        &serde_json::json!({"version": 1, "platform": "./vendor.json", "integration": {"name": "A", "project_id": "p"},
            "aws": {"account_id": "123456789012", "region": "us-east-1", "external_id": "ext-id-0123456789",
                    "vendor": {"account_id": "210987654321"}, "storage": [{"bucket": "acme-data"}]}})
        .to_string(),
    )
    .unwrap()
}

fn sign(data: &[u8], key: &profile_trust::NewKeyPair) -> String {
    profile_trust::sign(data, &key.secret_key_file, None, "trustbridge vendor profile acme").unwrap().signature_file
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Lays out `dir/vendor.json` and its signature for one case.
fn lay_out(dir: &Path, case: &str, trusted: &profile_trust::NewKeyPair, other: &profile_trust::NewKeyPair) {
    let profile = dir.join("vendor.json");
    let sig = dir.join("vendor.json.minisig");
    let text = profile_text();
    std::fs::write(&profile, &text).unwrap();
    let good = sign(text.as_bytes(), trusted);
    let write_sig = |s: &[u8]| std::fs::write(&sig, s).unwrap();
    match case {
        "trusted" => write_sig(good.as_bytes()),
        "trusted-crlf" => write_sig(good.replace('\n', "\r\n").as_bytes()),
        "none" => {}
        "unknown-key" => write_sig(sign(text.as_bytes(), other).as_bytes()),
        "tampered-byte" => {
            write_sig(good.as_bytes());
            std::fs::write(&profile, text.replacen("Acme ML", "Acme MM", 1)).unwrap();
        }
        "tampered-whitespace" => {
            write_sig(good.as_bytes());
            std::fs::write(&profile, format!("{text}\n")).unwrap();
        }
        "other-file" => write_sig(sign(b"{}", trusted).as_bytes()),
        "comment-edited" => write_sig(good.replace("trusted comment: trustbridge", "trusted comment: evil").as_bytes()),
        "global-truncated" => {
            let mut lines: Vec<String> = good.lines().map(String::from).collect();
            lines[3].truncate(24);
            write_sig(lines.join("\n").as_bytes());
        }
        "garbage" => write_sig(b"untrusted comment: hello\nnot base64 at all\ntrusted comment: x\n!!!\n"),
        "empty" => write_sig(b""),
        "binary" => write_sig(&[0xff, 0xfe, 0, 1, 2, 0x80]),
        "huge" => write_sig(&vec![b'A'; 1 << 20]),
        "public-key" => write_sig(trusted.public_key_file.as_bytes()),
        "fifo" => assert!(std::process::Command::new("mkfifo").arg(&sig).status().unwrap().success()),
        "dev-zero" => symlink(Path::new("/dev/zero"), &sig),
        "folder" => std::fs::create_dir(&sig).unwrap(),
        "dangling" => symlink(&dir.join("nowhere"), &sig),
        "trusted-hostile-content" => {
            let mut p: serde_json::Value = serde_json::from_str(&text).unwrap();
            p["azure"]["container_roles"][0] =
                serde_json::json!({"name": "Storage Blob Data Reader", "id": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"});
            let hostile = p.to_string();
            std::fs::write(&profile, &hostile).unwrap();
            write_sig(sign(hostile.as_bytes(), trusted).as_bytes());
        }
        "profile-fifo" => {
            std::fs::remove_file(&profile).unwrap();
            assert!(std::process::Command::new("mkfifo").arg(&profile).status().unwrap().success());
            write_sig(good.as_bytes());
        }
        other => panic!("unknown case {other}"),
    }
}

/// Validates in a thread so that a read that blocks fails the test instead of hanging it.
fn load(dir: &Path, trust: ProfileTrust) -> Result<Resolved, Vec<Problem>> {
    let (tx, rx) = mpsc::channel();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(validate_with(&plan(), Some(&dir), &trust));
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("loading the profile hung")
}

#[test]
fn every_signature_case_has_its_outcome() {
    let trusted = profile_trust::generate_key_pair(None).unwrap();
    let other = profile_trust::generate_key_pair(None).unwrap();
    let key = TrustedKey::from_public_key_text(&trusted.public_key_file).unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(include_str!("../fixtures/profile-signatures.json")).unwrap();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for c in &cases {
        let kind = c["kind"].as_str().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        lay_out(tmp.path(), c["signature"].as_str().unwrap(), &trusted, &other);
        let trust = ProfileTrust::new(vec![key.clone()], c["allow"].as_bool().unwrap());
        let expect = c["expect"].as_str().unwrap();
        match (load(tmp.path(), trust), expect) {
            (Ok(r), "signed" | "unsigned:no-signature" | "unsigned:unknown-key") => {
                recorded(kind, &r, expect, &trusted.key_id, &other.key_id)
            }
            (Ok(_), _) => panic!("{kind}: accepted, expected {expect}"),
            (Err(problems), _) => {
                assert_eq!(problems.len(), 1, "{kind}: {problems:?}");
                let p = &problems[0];
                assert_eq!((p.field.as_str(), p.code()), ("platform", expect.to_string()), "{kind}: {p}");
                let shown = p.to_string();
                assert!(!shown.contains('\n') && !shown.contains('\0'), "{kind}: one plain line: {shown:?}");
                if expect == "profile.unknown_key" {
                    assert!(shown.contains(&other.key_id), "{kind}: the message shows the key id: {shown}");
                }
                if expect.starts_with("profile.") {
                    assert!(p.fix.is_some(), "{kind}: has a fix");
                }
            }
        }
    }
}

/// SUMMARY.md and handoff.json say where the profile came from.
fn recorded(kind: &str, r: &Resolved, expect: &str, trusted: &str, other: &str) {
    let b = render(r);
    let summary = &b.get("SUMMARY.md").unwrap().content;
    let handoff: serde_json::Value = serde_json::from_str(&b.get("handoff.json").unwrap().content).unwrap();
    let origin = &handoff["profile_origin"];
    match expect {
        "signed" => {
            assert_eq!(origin["origin"], "signed", "{kind}: {origin}");
            assert_eq!(origin["key_id"], trusted, "{kind}");
            assert_eq!(origin["trusted_by"], "--trust-profile-key", "{kind}");
            assert!(summary.contains(&format!("signed by key `{trusted}`")), "{kind}: {summary}");
            assert!(!summary.contains("UNSIGNED"), "{kind}");
        }
        "unsigned:no-signature" => {
            assert_eq!(
                *origin,
                serde_json::json!({"origin": "unsigned", "reason": "no-signature", "allowed_by": "--allow-unsigned-profile"})
            );
            assert!(summary.contains("**UNSIGNED — allowed by --allow-unsigned-profile** (it has no signature)"), "{kind}: {summary}");
        }
        _ => {
            assert_eq!(
                *origin,
                serde_json::json!({"origin": "unsigned", "reason": "unknown-key", "key_id": other, "allowed_by": "--allow-unsigned-profile"})
            );
            assert!(
                summary.contains(&format!(
                    "**UNSIGNED — allowed by --allow-unsigned-profile** (signed by key `{other}`, which is not trusted)"
                )),
                "{kind}: {summary}"
            );
        }
    }
}

#[test]
fn built_in_profiles_need_no_signature_and_say_so() {
    let mut v: serde_json::Value = serde_json::from_str(&plan().to_json_pretty()).unwrap();
    v["platform"] = "custom".into();
    let r = validate_with(&Plan::from_json(&v.to_string()).unwrap(), None, &ProfileTrust::default()).unwrap();
    let b = render(&r);
    let handoff: serde_json::Value = serde_json::from_str(&b.get("handoff.json").unwrap().content).unwrap();
    assert_eq!(handoff["profile_origin"], serde_json::json!({"origin": "built-in"}));
    assert!(b.get("SUMMARY.md").unwrap().content.contains("**Vendor profile:** `custom`, built in"));
}

#[test]
fn without_flags_a_profile_file_needs_a_compiled_in_key() {
    // `validate` (what the IPC and every caller without flags use) trusts the compiled-in keys only:
    // a file signed by any other key is refused.
    let trusted = profile_trust::generate_key_pair(None).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    lay_out(tmp.path(), "trusted", &trusted, &trusted);
    let problems = trustbridge_core::validate(&plan(), Some(tmp.path())).unwrap_err();
    assert_eq!(problems[0].code(), "profile.unknown_key", "{}", problems[0]);
}

#[test]
fn revalidating_does_not_read_the_profile_again() {
    // `apply` re-validates the plan after the vendor's registration rewrote it: against the profile
    // it verified, not a file swapped in since.
    let trusted = profile_trust::generate_key_pair(None).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    lay_out(tmp.path(), "trusted", &trusted, &trusted);
    let trust = ProfileTrust::new(vec![TrustedKey::from_public_key_text(&trusted.public_key_file).unwrap()], false);
    let r = validate_with(&plan(), Some(tmp.path()), &trust).unwrap();
    std::fs::write(tmp.path().join("vendor.json"), "{}").unwrap();
    let again = r.revalidate(&r.plan).unwrap();
    assert_eq!((again.profile.id.as_str(), &again.profile_origin), ("acme", &r.profile_origin));
    let mut other = r.plan.clone();
    other.platform = "custom".into();
    assert_eq!(r.revalidate(&other).unwrap_err()[0].field, "platform");
}
