//! Signing in to Google Cloud and Azure from the window (no gcloud, no Azure CLI), over IPC (Tauri's
//! mock runtime), with the sign-in clients an imported vendor profile provides: "Sign in with
//! Google" (Rust opens the page; here a stand-in `xdg-open` that fetches it with curl, as a browser
//! would, following Google's redirect to Trustbridge's loopback listener) and Entra ID's device code;
//! then Apply acts as that person. Against the marked TEST DOUBLES of Google's OAuth and IAM APIs and
//! of Entra ID + Microsoft Graph + Resource Manager (cloud/tests/doubles/{gcp_iam,azure_arm}.rs; no
//! emulator of them exists here). One test per process: the settings come from the environment.

#[path = "../crates/cloud/tests/doubles/azure_arm.rs"]
mod azure_arm;
mod common;
#[path = "../crates/cloud/tests/doubles/gcp_iam.rs"]
mod gcp_iam;
#[path = "../crates/cloud/tests/doubles/server.rs"]
mod server;

use serde_json::json;
use tauri::Manager;
use trustbridge::commands_confirm::Scripted;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";

#[test]
fn sign_in_to_google_and_azure_in_the_window_then_apply_as_that_person() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let g = rt.block_on(gcp_iam::gcp_iam_double("my-project"));
    g.state.lock().unwrap().add_bucket("training", json!([]));
    let a = rt.block_on(azure_arm::azure_double(TENANT));
    let container = format!("/subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.Storage/storageAccounts/acct1/blobServices/default/containers/training");
    a.state.lock().unwrap().add_scope(&container);
    let dir = tempfile::tempdir().unwrap();
    // The "browser": fetches the page it is given and follows its redirects.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let opener = bin.join("xdg-open");
    std::fs::write(&opener, "#!/bin/sh\nexec curl -sfL -o /dev/null \"$1\"\n").unwrap();
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let (gu, au) = (g.double.url.clone(), a.double.url.clone());
    // SAFETY: this test binary runs this one test; nothing else reads the environment meanwhile.
    unsafe {
        // No gcloud login, no Azure CLI, no AZURE_* service principal: only the window's sign-in.
        std::env::set_var("PATH", format!("{}:/usr/bin:/bin", bin.display()));
        std::env::set_var("CLOUDSDK_CONFIG", dir.path().join("gcloud"));
        for k in ["GOOGLE_APPLICATION_CREDENTIALS", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"] {
            std::env::remove_var(k);
        }
        common::point_clouds_at(&gu, &au);
    }
    let (secrets, keyring) = trustbridge_secrets::SecretStore::memory();
    let kept = secrets.clone(); // the same memory keyring, for the test to look into
    let asker = Scripted::new(true, None);
    let app = common::app_with(
        trustbridge::commands_cloud::CloudState::new(trustbridge::verify_all::CloudSettings::from_env(), secrets),
        asker.clone(),
    );
    // The vendor's profile file, with its sign-in clients, imported and accepted (unsigned) as the
    // wizard's "Use a vendor profile file…" does.
    let mut profile: serde_json::Value = serde_json::from_str(include_str!("../crates/core/profiles/mlcube.json")).unwrap();
    profile["id"] = json!("mlcube-signin");
    profile["gcp"]["sign_in"] = json!({"client_id": gcp_iam::SIGN_IN_CLIENT, "client_secret": gcp_iam::SIGN_IN_SECRET});
    profile["azure"]["sign_in_client_id"] = json!(azure_arm::SIGN_IN_CLIENT);
    let file = dir.path().join("vendor.json");
    std::fs::write(&file, profile.to_string()).unwrap();
    let store = app.state::<trustbridge::imported::ProfileStore>();
    store.set_data_dir(&dir.path().join("data"));
    let id = store.import_file(&file).unwrap().id;
    store.accept(&id).unwrap();

    let plan = json!({"version": 1, "platform": id, "integration": {"name": "TB_SIGNIN", "project_id": "x"},
        "gcp": {"project_id": "my-project", "service_account": "ml3-platform-sa", "storage": [{"bucket": "training"}]},
        "azure": {"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "storage": [{"storage_account": "acct1", "container": "training"}]}});
    let call = |cmd: &str, args: serde_json::Value| common::invoke_with(&app, cmd, "tauri://localhost", args);
    let secrets = [gcp_iam::SIGNED_IN_REFRESH, gcp_iam::SIGN_IN_SECRET, azure_arm::SIGNED_IN_REFRESH, azure_arm::DEVICE_CODE];
    let no_secret = |v: &serde_json::Value| {
        let t = v.to_string();
        assert!(!secrets.iter().any(|s| t.contains(s)), "no secret crosses to the page: {t}");
    };

    let who = call("cloud_sign_ins", json!({"plan": plan})).unwrap();
    assert_eq!(who["gcp"], serde_json::Value::Null, "{who}");
    assert_eq!(who["azure"], serde_json::Value::Null, "{who}");
    assert_eq!((who["gcp_can_sign_in"].as_bool(), who["azure_can_sign_in"].as_bool()), (Some(true), Some(true)), "{who}");
    // Nothing to apply with yet.
    let e = call("apply_cloud", json!({"plan": plan, "cloud": "gcp", "dryRun": true})).unwrap_err();
    assert_eq!(e["code"], "gcp.no_credentials", "{e}");

    // Nothing to list with either (the wizard then offers "Sign in with Google").
    let e = call("gcp_list", json!({"what": {"what": "projects"}})).unwrap_err();
    assert_eq!(e["code"], "gcp.no_credentials", "{e}");

    // Google: Rust opens the page; the browser comes back to the loopback listener. Only the
    // vendor is needed (the wizard signs in on its project question, before the plan is complete).
    let signed = call("gcp_sign_in", json!({"platform": id})).unwrap();
    assert_eq!(signed, format!("{} (signed in with Google in Trustbridge)", gcp_iam::SIGNED_IN_EMAIL));
    // What that person sees, for the pick lists: names only.
    let projects = call("gcp_list", json!({"what": {"what": "projects"}})).unwrap();
    no_secret(&projects);
    assert_eq!(projects["names"], json!(["my-project"]), "{projects}");
    assert!(projects["acting_as"].as_str().unwrap().starts_with(gcp_iam::SIGNED_IN_EMAIL), "{projects}");
    let buckets = call("gcp_list", json!({"what": {"what": "buckets", "project": "my-project"}})).unwrap();
    assert_eq!(buckets["names"], json!(["training"]), "{buckets}");
    let topics = call("gcp_list", json!({"what": {"what": "topics", "project": "my-project"}})).unwrap();
    assert_eq!(topics["names"], json!([]), "{topics}");
    // A project id that breaks the plan's rule never reaches Google (a type error is refused too).
    let e = call("gcp_list", json!({"what": {"what": "buckets", "project": "../../evil"}})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("is not a project id"), "{e}");
    assert!(call("gcp_list", json!({"what": {"what": "buckets"}})).is_err());
    // Azure: the code to enter, then the wait (the double confirms at once).
    // Nothing to list with yet.
    let e = call("azure_list", json!({"what": {"what": "subscriptions"}})).unwrap_err();
    assert_eq!(e["code"], "azure.no_credentials", "{e}");
    // A tenant answered that is not a GUID is the tenant field's problem; nothing is asked of Entra ID.
    let asked = a.double.requests.lock().unwrap().len();
    let e = call("azure_sign_in_start", json!({"platform": id, "tenant": "contoso/../x"})).unwrap_err();
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("validation.azure.tenant_id"), Some("azure.tenant_id")), "{e}");
    assert_eq!(a.double.requests.lock().unwrap().len(), asked, "nothing was asked of Entra ID");
    // No tenant answered yet: any work or school account; the tenant is then the token's.
    let device = call("azure_sign_in_start", json!({"platform": id, "tenant": null})).unwrap();
    assert_eq!(device["user_code"], "F7QX-K2LM");
    no_secret(&device);
    let signed = call("azure_sign_in_wait", json!({})).unwrap();
    assert_eq!(signed, format!("{} (signed in to Azure in Trustbridge)", azure_arm::SIGNED_IN_USER));
    // What that person sees, and the tenant the token named.
    let subs = call("azure_list", json!({"what": {"what": "subscriptions"}})).unwrap();
    no_secret(&subs);
    assert_eq!((subs["names"].clone(), subs["tenant"].as_str()), (json!([SUB]), Some(TENANT)), "{subs}");
    let containers = call(
        "azure_list",
        json!({"what": {"what": "containers", "subscription": SUB, "resource_group": "my-rg", "storage_account": "acct1"}}),
    )
    .unwrap();
    assert_eq!(containers["names"], json!(["training"]), "{containers}");
    let e = call("azure_list", json!({"what": {"what": "topics", "subscription": SUB, "resource_group": "my rg?"}})).unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("is not a resource group"), "{e}");

    let who = call("cloud_sign_ins", json!({"plan": plan})).unwrap();
    no_secret(&who);
    assert!(who["gcp"].as_str().unwrap().starts_with(gcp_iam::SIGNED_IN_EMAIL), "{who}");
    assert!(who["azure"].as_str().unwrap().starts_with(azure_arm::SIGNED_IN_USER), "{who}");
    // A dry run never makes a key, even when asked to.
    let dry = call("apply_cloud", json!({"plan": plan, "cloud": "gcp", "dryRun": true, "withCredentials": true})).unwrap();
    assert_eq!((dry["credentials"].clone(), g.state.lock().unwrap().keys_created), (serde_json::Value::Null, 0), "{dry}");
    // Google Cloud: "Apply and create the key" — one confirmation says both; the key goes straight
    // into the keyring once applied, only its status comes back. Azure: apply alone.
    for (cloud, with) in [("gcp", true), ("azure", false)] {
        let done = call("apply_cloud", json!({"plan": plan, "cloud": cloud, "dryRun": false, "withCredentials": with})).unwrap();
        no_secret(&done);
        assert!(!done["changes"].as_array().unwrap().is_empty(), "{done}");
        let acting = done["acting_as"].as_str().unwrap();
        assert!(acting.starts_with(gcp_iam::SIGNED_IN_EMAIL) || acting.starts_with(azure_arm::SIGNED_IN_USER), "{done}");
        let asked = asker.asked().last().unwrap().clone();
        if with {
            assert_eq!(asked.title, trustbridge::confirm::APPLY_GCP_TITLE);
            assert!(
                asked
                    .message
                    .contains("Once applied: Trustbridge will also create a key for the service account ml3-platform-sa@my-project")
                    && asked.message.contains("make these changes and create it"),
                "the one dialog says both: {}",
                asked.message
            );
            assert_eq!(
                (done["credentials"]["stored"].as_bool(), done["credentials_error"].clone()),
                (Some(true), serde_json::Value::Null),
                "{done}"
            );
            let key_line = g.state.lock().unwrap().last_key_line.clone();
            assert!(!key_line.is_empty() && !done.to_string().contains(&key_line), "the key stays in Rust: {done}");
            assert_eq!(g.state.lock().unwrap().keys_created, 1);
        } else {
            assert!(asked.message.contains("No key or secret is created"), "{}", asked.message);
            assert_eq!(done["credentials"], serde_json::Value::Null, "{done}");
        }
    }
    assert!(g.state.lock().unwrap().service_accounts.contains_key("ml3-platform-sa@my-project.iam.gserviceaccount.com"));
    assert_eq!(a.state.lock().unwrap().assignments.len(), 1);

    // The vendor's key and client secret, made by each cloud as that person, straight into the
    // keyring after Rust's own confirmation; only their status comes back (Google's key is there
    // already: nothing new is made).
    for (cloud, title) in [("gcp", trustbridge::confirm::CREATE_GCP_KEY_TITLE), ("azure", trustbridge::confirm::CREATE_AZURE_SECRET_TITLE)]
    {
        let st = call("create_cloud_credentials", json!({"plan": plan, "cloud": cloud})).unwrap();
        assert_eq!(st["stored"], true, "{st}");
        assert_eq!(asker.asked().last().unwrap().title, title);
        let shown = st.to_string();
        let (key_line, secret) = (g.state.lock().unwrap().last_key_line.clone(), a.state.lock().unwrap().last_secret.clone());
        assert!(
            !shown.contains("PRIVATE KEY") && !shown.contains(&key_line) && (secret.is_empty() || !shown.contains(&secret)),
            "no secret crosses: {shown}"
        );
    }
    let listed = call("credentials_status", json!({"plan": plan})).unwrap();
    assert!(listed.as_array().unwrap().iter().filter(|c| c["stored"] == true).count() == 2, "both are in the keyring: {listed}");
    drop(keyring);
    let again = call("create_cloud_credentials", json!({"plan": plan, "cloud": "gcp"})).unwrap();
    assert_eq!(again["stored"], true);
    assert_eq!(g.state.lock().unwrap().keys_created, 1, "one already stored: nothing new is made");
    // Apply asked to make the key once it is stored: Rust reads the keyring again, its dialog says
    // no key is made, and none is.
    let done = call("apply_cloud", json!({"plan": plan, "cloud": "gcp", "dryRun": false, "withCredentials": true})).unwrap();
    assert!(asker.asked().last().unwrap().message.contains("No key or secret is created"), "{}", asker.asked().last().unwrap().message);
    assert_eq!((done["credentials"].clone(), g.state.lock().unwrap().keys_created), (serde_json::Value::Null, 1), "{done}");
    assert_eq!(a.state.lock().unwrap().passwords, 1);

    // Removing the vendor's access as the signed-in person also deletes the key and the secret,
    // which no longer open anything, from the keyring.
    for cloud in ["gcp", "azure"] {
        let gone = call("revoke_cloud", json!({"plan": plan, "cloud": cloud})).unwrap();
        no_secret(&gone);
        assert!(!gone["changes"].as_array().unwrap().is_empty(), "{gone}");
        assert!(gone["notes"].to_string().contains("no longer opens anything and was deleted from it"), "the page is told: {gone}");
        let asked = asker.asked().last().unwrap().message.clone();
        assert!(
            asked.contains("in this computer's keyring stops working and is deleted from it too"),
            "the dialog says the stored one goes: {asked}"
        );
    }
    assert!(g.state.lock().unwrap().service_accounts.is_empty() && a.state.lock().unwrap().apps.is_empty(), "both identities are gone");
    let listed = call("credentials_status", json!({"plan": plan})).unwrap();
    assert!(listed.as_array().unwrap().iter().all(|c| c["stored"] == false), "the dead key and secret left the keyring: {listed}");

    // Nothing of ours left there: a client secret stored for another tenant (answers that pointed
    // elsewhere before) is kept; one for the plan's tenant opens nothing any more and goes.
    let put = |tenant: &str| {
        let json =
            json!({"appId": "33333333-4444-5555-6666-777777777777", "password": "Tb8Q~stale-canary-secret", "tenant": tenant}).to_string();
        let v =
            trustbridge_secrets::ValidatedSecret::parse(trustbridge_secrets::SecretKind::Azure, &trustbridge_secrets::Sensitive::new(json))
                .unwrap();
        kept.set("TB_SIGNIN", &v).unwrap();
    };
    let stored = || kept.status("TB_SIGNIN", trustbridge_secrets::SecretKind::Azure).unwrap().stored;
    put("11111111-2222-3333-4444-555555555555");
    let none = call("revoke_cloud", json!({"plan": plan, "cloud": "azure"})).unwrap();
    assert!(none["changes"].as_array().unwrap().is_empty(), "{none}");
    assert!(stored(), "another tenant's secret is not ours to delete");
    put(TENANT);
    call("revoke_cloud", json!({"plan": plan, "cloud": "azure"})).unwrap();
    assert!(!stored(), "the plan's tenant's secret, with nothing of ours left, is deleted");

    // Signing out forgets both; a wait with nothing under way says so.
    call("cloud_sign_out", json!({})).unwrap();
    let who = call("cloud_sign_ins", json!({"plan": plan})).unwrap();
    assert_eq!((who["gcp"].clone(), who["azure"].clone()), (serde_json::Value::Null, serde_json::Value::Null), "{who}");
    assert_eq!(call("azure_sign_in_wait", json!({})).unwrap_err()["code"], "sign_in.not_started");

    // A built-in profile has no sign-in client.
    assert_eq!(call("azure_sign_in_start", json!({"platform": "mlcube", "tenant": TENANT})).unwrap_err()["code"], "sign_in.unavailable");
    assert_eq!(call("gcp_sign_in", json!({"platform": "mlcube"})).unwrap_err()["code"], "sign_in.unavailable");
}
