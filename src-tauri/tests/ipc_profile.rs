//! Vendor profile files in the wizard, over IPC through Tauri's mock runtime: the webview never names
//! a file — Rust raises the file picker (scripted here), reads the file and its `.minisig` with the
//! CLI's hardened reads, checks the signature on those bytes, then the content, and keeps what passed
//! under `imported:<hex>`. An unsigned or unknown-key file is usable only after the person's yes in
//! a native dialog Rust raises; a bad signature never. Profiles are signed with a key made here.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::{invoke_with, App};
use serde_json::{json, Value};
use tauri::test::mock_builder;
use trustbridge::commands_confirm::{Asker, Scripted};
use trustbridge_core::profile_trust::{generate_key_pair, sign, NewKeyPair, TrustedKey};

/// The app with its native dialogs answered by `asker`, trusting `keys` besides the compiled-in
/// ones, with its app data in `data`.
fn app(asker: &Arc<Scripted>, keys: &[&NewKeyPair], data: &Path) -> App {
    let keys = keys.iter().map(|k| TrustedKey::from_public_key_text(&k.public_key_file).unwrap()).collect();
    trustbridge::builder_trusting(
        mock_builder(),
        trustbridge::commands_cloud::CloudState::from_env(),
        Asker::Scripted(asker.clone()),
        keys,
        Some(data.to_path_buf()),
    )
    .build(tauri::generate_context!())
    .expect("mock app")
}

fn call(app: &App, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_with(app, cmd, "tauri://localhost", args)
}

const HOSTILE: &str = "CONTENT-9c1e-never-echoed";

/// The custom profile as a vendor's file "Acme ML" (`edit` changes it), written to `dir/name`.
fn profile_file(dir: &Path, name: &str, edit: impl Fn(&mut Value)) -> PathBuf {
    let mut p: Value = serde_json::from_str(include_str!("../crates/core/profiles/custom.json")).unwrap();
    p["id"] = "acme".into();
    p["display_name"] = "Acme ML".into();
    edit(&mut p);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&p).unwrap()).unwrap();
    path
}

fn sign_file(path: &Path, key: &NewKeyPair) {
    let s = sign(&std::fs::read(path).unwrap(), &key.secret_key_file, None, "acme profile").unwrap();
    std::fs::write(trustbridge_core::profile_trust::signature_path(path), s.signature_file).unwrap();
}

fn plan(platform: &str) -> Value {
    json!({"version": 1, "platform": platform, "integration": {"name": "A", "project_id": "p"},
        "aws": {"account_id": "123456789012", "region": "us-east-1", "external_id": "ext-id-0123456789",
                "vendor": {"account_id": "210987654321"}, "storage": [{"bucket": "acme-data"}]}})
}

/// Imports whatever the scripted picker answers next.
fn import(app: &App, asker: &Scripted, file: &Path) -> Result<Value, Value> {
    asker.pick_file(file.to_path_buf());
    call(app, "import_profile", json!({}))
}

/// Exports `platform`'s plan into a new folder under `parent`; handoff.json and SUMMARY.md read back.
fn export(app: &App, platform: &str, parent: &Path) -> Result<(Value, String), Value> {
    let r = call(app, "export_bundle", json!({"plan": plan(platform), "parent": parent.display().to_string()}))?;
    let dir = Path::new(r["dir"].as_str().unwrap());
    let handoff: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("handoff.json")).unwrap()).unwrap();
    Ok((handoff, std::fs::read_to_string(dir.join("SUMMARY.md")).unwrap()))
}

/// Every command that takes a plan refuses `platform` with `code` (and reads nothing else).
fn refused_everywhere(app: &App, platform: &str, code: &str, parent: &Path) {
    let p = plan(platform);
    for (cmd, args) in [
        ("preview", json!({"plan": p})),
        ("export_bundle", json!({"plan": p, "parent": parent.display().to_string()})),
        ("apply_aws", json!({"plan": p, "dryRun": false, "adopt": false})),
        ("apply_aws", json!({"plan": p, "dryRun": true, "adopt": false})),
        ("confirm_apply", json!({"plan": p, "adopt": false})),
        ("credentials_status", json!({"plan": p})),
    ] {
        let e = call(app, cmd, args).expect_err(cmd);
        assert_eq!(e["code"], code, "{cmd} {platform}: {e}");
        assert_eq!(e["field"], "platform", "{cmd}: {e}");
    }
    let v = call(app, "validate_plan", json!({"plan": p})).unwrap();
    assert_eq!(v[0]["code"], code, "{v}");
}

#[test]
fn a_profile_signed_by_a_trusted_key_is_usable_and_its_origin_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let key = generate_key_pair(None).unwrap();
    let file = profile_file(tmp.path(), "acme.json", |_| {});
    sign_file(&file, &key);
    let asker = Scripted::new(true, None);
    let app = app(&asker, &[&key], &tmp.path().join("data"));

    let v = import(&app, &asker, &file).unwrap();
    let id = v["profile"]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("imported:") && id.len() == "imported:".len() + 16, "{v}");
    assert_eq!((v["origin"].as_str(), v["usable"].as_bool()), (Some("signed"), Some(true)), "{v}");
    assert_eq!(v["key_id"], key.key_id.as_str());
    assert_eq!(v["vendor_profile_id"], "acme");
    assert_eq!(v["profile"]["display_name"], "Acme ML");
    assert!(v["grants"].as_array().unwrap().iter().any(|g| g.as_str().unwrap().contains("s3:GetObject")), "{v}");
    assert!(!v.to_string().contains(&tmp.path().display().to_string()), "no path comes back: {v}");

    call(&app, "preview", json!({"plan": plan(&id)})).expect("preview");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let (handoff, summary) = export(&app, &id, &out).expect("export");
    assert_eq!(handoff["profile_origin"]["origin"], "signed", "{handoff}");
    assert_eq!(handoff["profile_origin"]["key_id"], key.key_id.as_str());
    assert!(summary.contains(&format!("signed by key `{}`", key.key_id)), "{summary}");
    let asked = asker.asked();
    assert!(asked.iter().all(|c| c.title != trustbridge::confirm::UNSIGNED_PROFILE_TITLE), "a signed profile needs no acceptance");

    // After a restart the kept copy (0600 in a 0700 folder) is verified again and still usable.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let kept = tmp.path().join("data/profiles");
        assert_eq!(std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777, 0o700);
        for f in std::fs::read_dir(&kept).unwrap() {
            assert_eq!(f.unwrap().metadata().unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
    drop(app);
    let again = self::app(&asker, &[&key], &tmp.path().join("data"));
    let v = call(&again, "imported_profile", json!({"id": id})).unwrap();
    assert_eq!((v["origin"].as_str(), v["usable"].as_bool()), (Some("signed"), Some(true)), "{v}");
    call(&again, "preview", json!({"plan": plan(&id)})).expect("preview after a restart");
    // Without the key (another build), the kept copy is an unknown key: not usable.
    let other = self::app(&asker, &[], &tmp.path().join("data"));
    refused_everywhere(&other, &id, "profile.unknown_key", &out);
}

#[test]
fn an_unsigned_profile_is_refused_until_the_person_says_yes_in_rusts_dialog_and_is_recorded_unsigned() {
    let tmp = tempfile::tempdir().unwrap();
    let file = profile_file(tmp.path(), "acme.json", |_| {});
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let asker = Scripted::new(true, None);
    let app = app(&asker, &[], &tmp.path().join("data"));

    let v = import(&app, &asker, &file).unwrap();
    let id = v["profile"]["id"].as_str().unwrap().to_string();
    assert_eq!((v["origin"].as_str(), v["usable"].as_bool()), (Some("no-signature"), Some(false)), "{v}");
    assert_eq!(v["key_id"], Value::Null);
    refused_everywhere(&app, &id, "profile.unsigned", &out);
    assert!(asker.asked().is_empty(), "nothing was asked, nothing applied: {:?}", asker.asked());

    // The person cancels Rust's dialog: still refused.
    asker.answer_next(false);
    let e = call(&app, "accept_unsigned_profile", json!({"id": id})).unwrap_err();
    assert_eq!(e["code"], "profile.accept_cancelled", "{e}");
    refused_everywhere(&app, &id, "profile.unsigned", &out);
    let asked = asker.asked();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].title, trustbridge::confirm::UNSIGNED_PROFILE_TITLE);
    for want in ["Acme ML", "profile id acme", "It has no signature", "s3:GetObject", "UNSIGNED"] {
        assert!(asked[0].message.contains(want), "{want:?} in:\n{}", asked[0].message);
    }

    // Yes in Rust's dialog: usable, and the export says UNSIGNED and who allowed it.
    let v = call(&app, "accept_unsigned_profile", json!({"id": id})).unwrap();
    assert_eq!(v["usable"], true, "{v}");
    assert_eq!(asker.asked().len(), 2);
    let (handoff, summary) = export(&app, &id, &out).expect("export after the yes");
    assert_eq!(
        handoff["profile_origin"],
        json!({"origin": "unsigned", "reason": "no-signature", "allowed_by": trustbridge_core::profile_trust::WIZARD_ALLOWED_BY}),
        "{handoff}"
    );
    assert!(summary.contains("**UNSIGNED — allowed by the person in Trustbridge's native confirmation dialog**"), "{summary}");

    // Importing the same file again asks again; so does a restart (an acceptance is not kept).
    import(&app, &asker, &file).unwrap();
    refused_everywhere(&app, &id, "profile.unsigned", &out);
    let again = self::app(&asker, &[], &tmp.path().join("data"));
    let v = call(&again, "imported_profile", json!({"id": id})).unwrap();
    assert_eq!((v["origin"].as_str(), v["usable"].as_bool()), (Some("no-signature"), Some(false)), "{v}");
    refused_everywhere(&again, &id, "profile.unsigned", &out);
}

#[test]
fn an_unknown_key_shows_its_key_id_and_needs_the_yes_too() {
    let tmp = tempfile::tempdir().unwrap();
    let signer = generate_key_pair(None).unwrap();
    let trusted = generate_key_pair(None).unwrap();
    let file = profile_file(tmp.path(), "acme.json", |_| {});
    sign_file(&file, &signer);
    let asker = Scripted::new(true, None);
    let app = app(&asker, &[&trusted], &tmp.path().join("data"));
    let v = import(&app, &asker, &file).unwrap();
    let id = v["profile"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        (v["origin"].as_str(), v["key_id"].as_str(), v["usable"].as_bool()),
        (Some("unknown-key"), Some(&*signer.key_id), Some(false))
    );
    refused_everywhere(&app, &id, "profile.unknown_key", tmp.path());
    let v = call(&app, "accept_unsigned_profile", json!({"id": id})).unwrap();
    assert_eq!(v["usable"], true);
    let asked = asker.asked();
    assert!(asked[0].message.contains(&format!("signed by key {}", signer.key_id)), "{}", asked[0].message);
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let (handoff, _) = export(&app, &id, &out).unwrap();
    assert_eq!(handoff["profile_origin"]["reason"], "unknown-key");
    assert_eq!(handoff["profile_origin"]["key_id"], signer.key_id.as_str());
}

#[test]
fn a_changed_byte_or_a_hostile_profile_is_refused_and_never_acceptable() {
    let tmp = tempfile::tempdir().unwrap();
    let key = generate_key_pair(None).unwrap();
    let asker = Scripted::new(true, None);
    let app = app(&asker, &[&key], &tmp.path().join("data"));

    // Signed, then one byte changed: profile.bad_signature, nothing kept, nothing to accept.
    let file = profile_file(tmp.path(), "acme.json", |_| {});
    sign_file(&file, &key);
    let text = std::fs::read_to_string(&file).unwrap().replace("Acme ML", "Acme MM");
    std::fs::write(&file, &text).unwrap();
    let e = import(&app, &asker, &file).unwrap_err();
    assert_eq!(e["code"], "profile.bad_signature", "{e}");
    let sha = std::process::Command::new("sha256sum").arg(&file).output().unwrap();
    let id = format!("imported:{}", &String::from_utf8_lossy(&sha.stdout)[..16]);
    for cmd in ["accept_unsigned_profile", "imported_profile"] {
        let e = call(&app, cmd, json!({"id": id})).unwrap_err();
        assert_eq!(e["code"], "profile.not_imported", "{cmd}: {e}");
    }
    assert!(asker.asked().is_empty(), "a bad signature is never offered for acceptance");
    refused_everywhere(&app, &id, "validation.platform", tmp.path());
    assert!(!tmp.path().join("data/profiles").exists() || std::fs::read_dir(tmp.path().join("data/profiles")).unwrap().count() == 0);

    // Content errors, signed by a trusted key or not: profile.invalid at the field, content never echoed.
    let owner = |p: &mut Value| {
        p["azure"]["container_roles"] = json!([{"name": HOSTILE, "id": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"}]);
    };
    let typed = |p: &mut Value| p["aws"]["bucket_actions"] = json!(HOSTILE);
    let unknown = |p: &mut Value| p[HOSTILE] = json!(1);
    for (name, signed, edit, field) in [
        ("owner.json", true, &owner as &dyn Fn(&mut Value), "profile.azure"),
        ("typed.json", false, &typed, "profile.aws"),
        ("unknown.json", true, &unknown, "profile"),
    ] {
        let f = profile_file(tmp.path(), name, edit);
        if signed {
            sign_file(&f, &key);
        }
        let e = import(&app, &asker, &f).unwrap_err();
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("profile.invalid"), Some(field)), "{name}: {e}");
        assert!(!e.to_string().contains(HOSTILE), "{name}: the content is echoed: {e}");
    }
    // Not JSON, not UTF-8.
    for (name, bytes) in [("garbage.json", format!("{{\"{HOSTILE}").into_bytes()), ("binary.json", vec![0xff, 0xfe, b'{'])] {
        let f = tmp.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let e = import(&app, &asker, &f).unwrap_err();
        assert!(["profile.invalid", "profile.unreadable"].contains(&e["code"].as_str().unwrap()), "{name}: {e}");
        assert!(!e.to_string().contains(HOSTILE), "{e}");
    }
}

#[test]
fn a_plan_never_names_a_path_or_an_unknown_imported_id_and_cancel_has_its_own_code() {
    let tmp = tempfile::tempdir().unwrap();
    let asker = Scripted::new(true, None);
    let app = app(&asker, &[], &tmp.path().join("data"));
    let file = profile_file(tmp.path(), "acme.json", |_| {});
    for platform in [file.display().to_string(), "imported:../../acme.json".into(), "./acme.json".into()] {
        let e = call(&app, "preview", json!({"plan": plan(&platform)})).unwrap_err();
        assert_eq!(e["code"], "validation.platform", "{platform}: {e}");
    }
    for platform in ["imported:0123456789abcdef", "imported:XYZ", "imported:"] {
        refused_everywhere(&app, platform, "validation.platform", tmp.path());
    }
    // Cancel in the picker: nothing is imported.
    let e = call(&app, "import_profile", json!({})).unwrap_err();
    assert_eq!(e["code"], "profile.import_cancelled", "{e}");
    // The page may not pass a path to the import.
    let v = import(&app, &asker, &file).unwrap();
    assert_eq!(v["origin"], "no-signature");
    let e = call(&app, "import_profile", json!({"path": "/etc/passwd"})).unwrap_err();
    assert_eq!(e["code"], "profile.import_cancelled", "the argument is ignored; the picker (cancelled) decides: {e}");
}

#[test]
fn a_fifo_or_a_huge_file_chosen_in_the_picker_is_a_clean_error_without_a_hang() {
    let tmp = tempfile::tempdir().unwrap();
    let asker = Scripted::new(true, None);
    let app = app(&asker, &[], &tmp.path().join("data"));
    let fifo = tmp.path().join("pipe.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let huge = tmp.path().join("huge.json");
    std::fs::write(&huge, vec![b' '; 2 * 1024 * 1024]).unwrap();
    // A good profile whose .minisig is a FIFO: a bad signature, not a hang.
    let file = profile_file(tmp.path(), "acme.json", |_| {});
    assert!(std::process::Command::new("mkfifo").arg(tmp.path().join("acme.json.minisig")).status().unwrap().success());
    for (f, code) in [
        (&fifo, "profile.unreadable"),
        (&huge, "profile.unreadable"),
        (&file, "profile.bad_signature"),
        (&tmp.path().to_path_buf(), "profile.unreadable"),
    ] {
        let started = Instant::now();
        let e = import(&app, &asker, f).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "{f:?} took {:?}", started.elapsed());
        assert_eq!(e["code"], code, "{f:?}: {e}");
    }
}
