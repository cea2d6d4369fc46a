//! The store's layout and guarantees, against the in-memory backend (which enforces Windows'
//! 2,560-byte credential cap).

mod common;

use common::*;
use trustbridge_secrets::*;

fn gcp_secret(project: &str) -> (ValidatedSecret, TestGcpKey) {
    let k = gcp_key(project, &format!("sa@{project}.iam.gserviceaccount.com"), "https://oauth2.googleapis.com/token");
    (ValidatedSecret::parse(SecretKind::Gcp, &Sensitive::new(k.json.clone())).unwrap(), k)
}

#[test]
fn service_names_are_namespaced_by_app_id_and_build_kind() {
    assert_eq!(service_name(BuildKind::Release), "dev.trustbridge.wizard");
    assert_eq!(service_name(BuildKind::Debug), "dev.trustbridge.wizard/debug");
    assert_eq!(SecretStore::os().service(), "dev.trustbridge.wizard/debug", "tests are debug builds");
}

#[test]
fn a_gcp_key_over_the_windows_cap_is_chunked_and_reads_back() {
    let (store, mem) = SecretStore::memory();
    let (secret, k) = gcp_secret("my-project");
    assert!(k.json.len() > 2200 && k.json.len() > CHUNK_BYTES, "a real-size key: {} bytes", k.json.len());
    let st = store.set("GCP_01", &secret).unwrap();
    assert!(st.stored);
    assert_eq!(st.fingerprint.as_ref().unwrap().principal, "sa@my-project.iam.gserviceaccount.com");
    let svc = store.service().to_string();
    assert_eq!(
        mem.users(&svc),
        ["GCP_01/gcp-service-account-key", "GCP_01/gcp-service-account-key#g1.0", "GCP_01/gcp-service-account-key#g1.1"]
    );
    assert_eq!(store.get("GCP_01", SecretKind::Gcp).unwrap().expose(), &k.json);
    let key = store.gcp_key("GCP_01").unwrap();
    assert_eq!(key.project_id, "my-project");
}

#[test]
fn replacing_removes_stale_chunks_and_status_shows_only_the_fingerprint() {
    let (store, mem) = SecretStore::memory();
    let (gcp, _) = gcp_secret("my-project");
    store.set("I1", &gcp).unwrap();
    // Replace it: the old generation goes away.
    let (gcp2, _) = gcp_secret("my-project");
    store.set("I1", &gcp2).unwrap();
    let users = mem.users(store.service());
    assert_eq!(users.iter().filter(|u| u.contains("#g1.")).count(), 0, "stale chunks: {users:?}");
    assert_eq!(users.iter().filter(|u| u.contains("#g2.")).count(), 2);

    let az = ValidatedSecret::parse(SecretKind::Azure, &Sensitive::new(azure_json("CANARY-az-secret"))).unwrap();
    store.set("I1", &az).unwrap();
    let st = store.status("I1", SecretKind::Azure).unwrap();
    let json = serde_json::to_string(&st).unwrap();
    assert!(!json.contains("CANARY"), "{json}");
    assert!(json.contains(AZ_APP_ID));
    assert_eq!(st.to_string(), format!("I1 azure: stored (appId {AZ_APP_ID} · tenant {TENANT})"));

    assert!(store.delete("I1", SecretKind::Gcp).unwrap());
    assert!(!store.delete("I1", SecretKind::Gcp).unwrap());
    assert!(!store.status("I1", SecretKind::Gcp).unwrap().stored);
    assert_eq!(store.get("I1", SecretKind::Gcp).unwrap_err().code(), "secrets.not_found");
    assert!(store.delete("I1", SecretKind::Azure).unwrap());
    assert!(mem.users(store.service()).is_empty(), "nothing left: {:?}", mem.users(store.service()));
}

#[test]
fn an_interrupted_replace_keeps_the_old_secret_and_leaves_no_chunks() {
    let (store, mem) = SecretStore::memory();
    let (old, k_old) = gcp_secret("my-project");
    store.set("I", &old).unwrap();
    let (new, _) = gcp_secret("my-project");
    mem.fail_writes_after(Some(1)); // chunk 0 of the new generation lands, chunk 1 fails
    assert_eq!(store.set("I", &new).unwrap_err().code(), "keyring.error");
    mem.fail_writes_after(None);
    assert_eq!(store.get("I", SecretKind::Gcp).unwrap().expose(), &k_old.json);
    assert!(mem.users(store.service()).iter().all(|u| !u.contains("#g2.")), "{:?}", mem.users(store.service()));

    // A chunk left by a crash between chunk and manifest writes is removed by delete.
    mem.put_raw(store.service(), "I/gcp-service-account-key#g2.0", b"leftover");
    store.delete("I", SecretKind::Gcp).unwrap();
    assert!(mem.users(store.service()).is_empty(), "{:?}", mem.users(store.service()));
}

#[test]
fn a_tampered_chunk_is_reported_not_returned() {
    let (store, mem) = SecretStore::memory();
    let (s, _) = gcp_secret("p");
    store.set("I", &s).unwrap();
    mem.put_raw(store.service(), "I/gcp-service-account-key#g1.1", b"garbage");
    let e = store.get("I", SecretKind::Gcp).unwrap_err();
    assert_eq!(e.code(), "secrets.corrupt");
    assert!(e.fix().unwrap().contains("delete"));
}

#[test]
fn an_unavailable_keyring_fails_every_call_with_its_code_and_no_fallback() {
    let (store, mem) = SecretStore::memory();
    mem.fail_with(Some(SecretsError::KeyringUnavailable { detail: "no bus".into() }));
    let (s, _) = gcp_secret("p");
    let e = store.set("I", &s).unwrap_err();
    assert_eq!(e.code(), "keyring.unavailable");
    assert_eq!(store.status("I", SecretKind::Gcp).unwrap_err().code(), "keyring.unavailable");
    mem.fail_with(Some(SecretsError::KeyringLocked { detail: "locked".into() }));
    assert_eq!(store.get("I", SecretKind::Gcp).unwrap_err().code(), "keyring.locked");
    mem.fail_with(None);
    assert!(mem.users(store.service()).is_empty());
}

#[test]
fn integration_names_are_checked() {
    let (store, _) = SecretStore::memory();
    for bad in ["", "a/b", "x#g1", &"a".repeat(65)] {
        assert_eq!(store.status(bad, SecretKind::Gcp).unwrap_err().code(), "secrets.bad_integration", "{bad}");
    }
    assert!(store.status("AWS_01.prod-2", SecretKind::Gcp).is_ok());
}
