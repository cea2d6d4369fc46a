//! `trustbridge profile keygen|sign|verify` and the profile-trust flags of the commands that load a
//! plan (`--trust-profile-key`, `--allow-unsigned-profile`), through the real binary: a vendor makes
//! a key and signs its profile, a customer exports with it; a changed byte is refused even with the
//! allow flag; the secret key and its password never appear in any output.

use std::path::Path;
use std::process::{Command, Output};

const PASSWORD: &str = "pw-CANARY-5e1f";

fn tb(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustbridge"))
        .current_dir(dir)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("TRUSTBRIDGE_SIGNING_KEY_PASSWORD", PASSWORD)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run trustbridge")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn write_profile_and_plan(dir: &Path) {
    let mut p: serde_json::Value = serde_json::from_str(include_str!("../../core/profiles/custom.json")).unwrap();
    p["id"] = "acme".into();
    p["display_name"] = "Acme ML".into();
    std::fs::write(dir.join("acme.json"), serde_json::to_string_pretty(&p).unwrap()).unwrap();
    std::fs::write(
        dir.join("plan.json"),
        serde_json::json!({"version": 1, "platform": "./acme.json", "integration": {"name": "A", "project_id": "p"},
            "aws": {"account_id": "123456789012", "region": "us-east-1", "external_id": "ext-id-0123456789",
                    "vendor": {"account_id": "210987654321"}, "storage": [{"bucket": "acme-data"}]}})
        .to_string(),
    )
    .unwrap();
}

fn handoff_origin(out: &Path) -> serde_json::Value {
    let h: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("handoff.json")).unwrap()).unwrap();
    h["profile_origin"].clone()
}

#[test]
fn a_vendor_signs_and_a_customer_exports_with_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_profile_and_plan(d);
    let mut outputs = Vec::new();

    // Unsigned: refused by every command that loads the plan, with the code and the flag to allow it.
    for cmd in
        [&["validate", "--plan", "plan.json"][..], &["lint", "--plan", "plan.json"], &["export", "--plan", "plan.json", "--out", "x"]]
    {
        let o = tb(d, cmd);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", text(&o));
        assert!(text(&o).contains("[profile.unsigned]") && text(&o).contains("--allow-unsigned-profile"), "{}", text(&o));
        outputs.push(o);
    }
    assert!(!d.join("x").exists());

    // The vendor: a key pair (secret key 0600, never overwritten), then the signature.
    let o = tb(d, &["profile", "keygen", "--out", "keys"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let key_id = text(&o).split_whitespace().nth(1).unwrap().trim_end_matches(':').to_string();
    assert_eq!(key_id.len(), 16, "{}", text(&o));
    outputs.push(o);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(d.join("keys/trustbridge-profile.key")).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let secret_line = std::fs::read_to_string(d.join("keys/trustbridge-profile.key")).unwrap().lines().nth(1).unwrap().to_string();
    let o = tb(d, &["profile", "keygen", "--out", "keys"]);
    assert_eq!(o.status.code(), Some(2), "never overwrites a key: {}", text(&o));
    outputs.push(o);
    let o = tb(d, &["profile", "sign", "--key", "keys/trustbridge-profile.key", "acme.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(d.join("acme.json.minisig").is_file());
    outputs.push(o);

    // The customer: verify and export with the vendor's public key; the export records the signer.
    let pubkey = ["--trust-profile-key", "keys/trustbridge-profile.pub"];
    let o = tb(d, &[&["profile", "verify"][..], &pubkey, &["acme.json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains(&format!("signed by a key trusted on the command line (key {key_id})")), "{}", text(&o));
    outputs.push(o);
    let o = tb(d, &["profile", "verify", "acme.json"]);
    assert_eq!(o.status.code(), Some(2), "not a compiled-in key: {}", text(&o));
    assert!(text(&o).contains("profile.unknown_key") && text(&o).contains(&key_id), "{}", text(&o));
    outputs.push(o);
    let o = tb(d, &[&["export", "--plan", "plan.json", "--out", "signed"][..], &pubkey].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    outputs.push(o);
    assert_eq!(
        handoff_origin(&d.join("signed")),
        serde_json::json!({"origin": "signed", "signer": "a key trusted on the command line", "key_id": key_id, "trusted_by": "--trust-profile-key"})
    );
    assert!(std::fs::read_to_string(d.join("signed/SUMMARY.md")).unwrap().contains(&format!("signed by key `{key_id}`")));

    // Without the key but allowed: exported, and recorded as UNSIGNED (signed by an unknown key).
    let o = tb(d, &["export", "--plan", "plan.json", "--out", "allowed", "--allow-unsigned-profile"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!(
            "warning: vendor profile './acme.json' is UNSIGNED — allowed by --allow-unsigned-profile (signed by unknown key {key_id})"
        )),
        "{}",
        text(&o)
    );
    outputs.push(o);
    assert_eq!(handoff_origin(&d.join("allowed"))["reason"], "unknown-key");
    assert!(std::fs::read_to_string(d.join("allowed/SUMMARY.md")).unwrap().contains("UNSIGNED — allowed by --allow-unsigned-profile"));

    // One byte changed after signing: refused even with the key and the allow flag; nothing written.
    let profile = std::fs::read_to_string(d.join("acme.json")).unwrap();
    std::fs::write(d.join("acme.json"), profile.replacen("Acme ML", "Acme MM", 1)).unwrap();
    for cmd in [
        &[&["export", "--plan", "plan.json", "--out", "tampered", "--allow-unsigned-profile"][..], &pubkey].concat(),
        &[&["profile", "verify"][..], &pubkey, &["acme.json"]].concat(),
    ] {
        let o = tb(d, cmd);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", text(&o));
        assert!(text(&o).contains("profile.bad_signature"), "{}", text(&o));
        outputs.push(o);
    }
    assert!(!d.join("tampered").exists());

    // A wrong password: refused, and neither the password nor the key is ever shown.
    let o = Command::new(env!("CARGO_BIN_EXE_trustbridge"))
        .current_dir(d)
        .env("TRUSTBRIDGE_SIGNING_KEY_PASSWORD", "not-the-password")
        .args(["profile", "sign", "--key", "keys/trustbridge-profile.key", "acme.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("wrong password") && !text(&o).contains("not-the-password"), "{}", text(&o));
    outputs.push(o);
    for o in &outputs {
        assert!(!text(o).contains(PASSWORD) && !text(o).contains(&secret_line), "{}", text(o));
    }
}

#[test]
fn trusted_key_files_are_untrusted_input() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_profile_and_plan(d);
    std::fs::write(d.join("garbage.pub"), "hello\n").unwrap();
    std::fs::write(d.join("huge.pub"), vec![b'R'; 1 << 20]).unwrap();
    assert!(Command::new("mkfifo").arg(d.join("fifo.pub")).status().unwrap().success());
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.pub")).unwrap();
    let o = tb(d, &["profile", "keygen", "--out", "keys"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let secret_line = std::fs::read_to_string(d.join("keys/trustbridge-profile.key")).unwrap().lines().nth(1).unwrap().to_string();
    for (file, why) in [
        ("garbage.pub", "not a minisign public key"),
        ("huge.pub", "larger than"),
        ("fifo.pub", "not a regular file"),
        ("zero.pub", "not a regular file"),
        ("missing.pub", "cannot read"),
        ("keys", "not a regular file"),
        ("keys/trustbridge-profile.key", "not a minisign public key"),
    ] {
        let o = tb(d, &["validate", "--plan", "plan.json", "--trust-profile-key", file]);
        assert_eq!(o.status.code(), Some(2), "{file}: {}", text(&o));
        let t = text(&o);
        assert!(t.contains("--trust-profile-key") && t.contains(file) && t.contains(why), "{file}: {t}");
        assert!(!t.contains(&secret_line), "never echoes the file: {t}");
    }
    // A profile that fails its own checks is not signed.
    std::fs::write(d.join("bad.json"), r#"{"format": 1}"#).unwrap();
    let o = tb(d, &["profile", "sign", "--key", "keys/trustbridge-profile.key", "bad.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!d.join("bad.json.minisig").exists());
}
