//! The window's apply on Google Cloud and Azure over IPC (Tauri's mock runtime): who this computer
//! acts as, the dry run, the native confirmation Rust raises with its own text (Cancel applies
//! nothing), the apply and its re-run. Against the marked TEST DOUBLES of Google's IAM-related APIs
//! and of Entra ID + Microsoft Graph + Resource Manager (cloud/tests/doubles/{gcp_iam,azure_arm}.rs;
//! no emulator of them exists here). One test per process: the sign-in comes from the environment.

#[path = "../crates/cloud/tests/doubles/azure_arm.rs"]
mod azure_arm;
mod common;
#[path = "../crates/cloud/tests/doubles/gcp_iam.rs"]
mod gcp_iam;
#[path = "../crates/cloud/tests/doubles/server.rs"]
mod server;

use serde_json::json;
use trustbridge::commands_confirm::Scripted;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const SA: &str = "ml3-platform-sa@my-project.iam.gserviceaccount.com";

#[test]
fn apply_to_google_cloud_and_azure_from_the_window_is_confirmed_by_rust_and_idempotent() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let g = rt.block_on(gcp_iam::gcp_iam_double("my-project"));
    g.state.lock().unwrap().add_bucket("training", json!([]));
    let a = rt.block_on(azure_arm::azure_double(TENANT));
    let container = format!("/subscriptions/{SUB}/resourceGroups/my-rg/providers/Microsoft.Storage/storageAccounts/acct1/blobServices/default/containers/training");
    a.state.lock().unwrap().add_scope(&container);
    let dir = tempfile::tempdir().unwrap();
    let adc = dir.path().join("adc.json");
    let file = json!({"type": "authorized_user", "client_id": "c", "client_secret": gcp_iam::CLIENT_SECRET, "refresh_token": gcp_iam::REFRESH_TOKEN, "account": "admin@example.com"});
    std::fs::write(&adc, file.to_string()).unwrap();
    let (gu, au) = (g.double.url.clone(), a.double.url.clone());
    // SAFETY: this test binary runs this one test; nothing else reads the environment meanwhile.
    unsafe {
        std::env::set_var("GOOGLE_APPLICATION_CREDENTIALS", &adc);
        std::env::set_var("AZURE_TENANT_ID", TENANT);
        std::env::set_var("AZURE_CLIENT_ID", azure_arm::ADMIN_APP);
        std::env::set_var("AZURE_CLIENT_SECRET", azure_arm::ADMIN_SECRET);
        common::point_clouds_at(&gu, &au);
    }
    let plan = json!({"version": 1, "platform": "mlcube", "integration": {"name": "TB_WIN", "project_id": "x"},
        "gcp": {"project_id": "my-project", "service_account": "ml3-platform-sa", "storage": [{"bucket": "training"}]},
        "azure": {"tenant_id": TENANT, "subscription_id": SUB, "resource_group": "my-rg", "storage": [{"storage_account": "acct1", "container": "training"}]}});
    let call = |app: &common::App, cmd: &str, args: serde_json::Value| common::invoke_with(app, cmd, "tauri://localhost", args);

    let no = Scripted::new(false, None);
    let app = common::app_asking(no.clone());
    // Nothing of ours there yet: removing finds nothing and asks nothing.
    for cloud in ["gcp", "azure"] {
        let none = call(&app, "revoke_cloud", json!({"plan": plan, "cloud": cloud})).unwrap();
        assert!(none["changes"].as_array().unwrap().is_empty() && none["revoke"] == true, "{none}");
    }
    assert!(no.asked().is_empty(), "nothing to remove: no question");
    let who = call(&app, "cloud_sign_ins", json!({"plan": plan})).unwrap();
    assert_eq!(who["gcp"], "admin@example.com (gcloud application-default login)", "{who}");
    assert!(who["azure"].as_str().unwrap().contains(azure_arm::ADMIN_APP), "{who}");
    assert!(!who.to_string().contains(azure_arm::ADMIN_SECRET) && !who.to_string().contains(gcp_iam::REFRESH_TOKEN), "no secret crosses");

    // The project forbids key creation (an organization policy): the dry run says it will stop the vendor.
    g.state.lock().unwrap().org_policies.insert("iam.disableServiceAccountKeyCreation".into(), json!({"rules": [{"enforce": true}]}));
    for (cloud, n) in [("gcp", 4), ("azure", 3)] {
        let dry = call(&app, "apply_cloud", json!({"plan": plan, "cloud": cloud, "dryRun": true})).unwrap();
        assert_eq!(dry["changes"].as_array().unwrap().len(), n, "{dry}");
        assert_eq!(dry["dry_run"], true);
        let blocking: Vec<&serde_json::Value> =
            dry["preflight"].as_array().unwrap().iter().filter(|f| f["severity"] == "blocking").collect();
        assert_eq!(
            cloud == "gcp",
            blocking.iter().any(|f| f["message"].as_str().unwrap().contains("iam.disableServiceAccountKeyCreation forbids key creation")),
            "{dry}"
        );
        if cloud == "gcp" {
            // A real apply is refused before anything is asked, naming the policy.
            let e = call(&app, "apply_cloud", json!({"plan": plan, "cloud": cloud, "dryRun": false})).unwrap_err();
            assert_eq!(e["code"], "gcp.preflight_blocked", "{e}");
            assert!(e["message"].as_str().unwrap().contains("iam.disableServiceAccountKeyCreation"), "{e}");
            assert!(no.asked().is_empty(), "refused before the question");
        }
        // Cancel in Rust's dialog (Google Cloud: the person chose to apply anyway): nothing is applied.
        let e = call(&app, "apply_cloud", json!({"plan": plan, "cloud": cloud, "dryRun": false, "ignorePreflight": true})).unwrap_err();
        assert_eq!(e["code"], "apply.cancelled", "{e}");
    }
    let asked = no.asked();
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[0].title, trustbridge::confirm::APPLY_GCP_TITLE);
    assert!(
        asked[0].message.contains("You chose to apply anyway") && asked[0].message.contains("iam.disableServiceAccountKeyCreation"),
        "the dialog names what it overrides: {}",
        asked[0].message
    );
    assert!(!asked[1].message.contains("apply anyway"), "Azure had nothing to override: {}", asked[1].message);
    assert!(
        asked[0].message.contains("Google Cloud project my-project, signed in as admin@example.com") && asked[0].message.contains(SA),
        "{}",
        asked[0].message
    );
    assert!(
        asked[0].message.contains("grant roles/storage.objectViewer on //storage.googleapis.com/projects/_/buckets/training")
            && asked[0].message.contains("that this plan no longer names"),
        "{}",
        asked[0].message
    );
    assert_eq!(asked[1].title, trustbridge::confirm::APPLY_AZURE_TITLE);
    assert!(
        asked[1].message.contains(&format!("Azure tenant {TENANT}"))
            && asked[1].message.contains("assign Storage Blob Data Reader on")
            && asked[1]
                .message
                .contains("remove the role assignments Trustbridge made for this integration (marked as its own) in subscription"),
        "{}",
        asked[1].message
    );
    assert!(g.state.lock().unwrap().service_accounts.is_empty() && a.state.lock().unwrap().apps.is_empty(), "Cancel applied nothing");

    let no_app = app;
    let yes = Scripted::new(true, None);
    let app = common::app_asking(yes.clone());
    for (cloud, n) in [("gcp", 4), ("azure", 3)] {
        let done = call(&app, "apply_cloud", json!({"plan": plan, "cloud": cloud, "dryRun": false, "ignorePreflight": true})).unwrap();
        assert_eq!(done["changes"].as_array().unwrap().len(), n, "{done}");
        let again = call(&app, "apply_cloud", json!({"plan": plan, "cloud": cloud, "dryRun": true})).unwrap();
        assert!(again["changes"].as_array().unwrap().is_empty(), "{again}");
    }
    assert_eq!(yes.asked().len(), 2, "one native yes per apply");
    assert!(g.state.lock().unwrap().service_accounts.contains_key(SA));
    assert_eq!(a.state.lock().unwrap().assignments.len(), 1);

    // Remove the vendor's access: Rust asks with what the dry run found; Cancel removes nothing.
    for (cloud, title, what) in [
        ("gcp", trustbridge::confirm::REVOKE_GCP_TITLE, format!("delete service account {SA}")),
        ("azure", trustbridge::confirm::REVOKE_AZURE_TITLE, "delete app registration ML3PlatformSP".to_string()),
    ] {
        let e = call(&no_app, "revoke_cloud", json!({"plan": plan, "cloud": cloud})).unwrap_err();
        assert_eq!(e["code"], "revoke.cancelled", "{e}");
        let q = no.asked().last().unwrap().clone();
        assert_eq!(q.title, title);
        assert!(q.message.contains(&what) && q.message.contains("Remove access"), "{}", q.message);
        assert!(!q.message.contains("keyring"), "no key is stored here, so none is said to go: {}", q.message);
    }
    assert!(g.state.lock().unwrap().service_accounts.contains_key(SA), "Cancel removed nothing");
    assert_eq!(a.state.lock().unwrap().assignments.len(), 1, "Cancel removed nothing");
    for cloud in ["gcp", "azure"] {
        let gone = call(&app, "revoke_cloud", json!({"plan": plan, "cloud": cloud})).unwrap();
        assert!(gone["revoke"] == true && gone["dry_run"] == false && !gone["changes"].as_array().unwrap().is_empty(), "{gone}");
        let again = call(&app, "revoke_cloud", json!({"plan": plan, "cloud": cloud})).unwrap();
        assert!(again["changes"].as_array().unwrap().is_empty(), "a second removal finds nothing: {again}");
    }
    assert_eq!(yes.asked().len(), 4, "one native yes per apply and per removal");
    assert!(g.state.lock().unwrap().service_accounts.is_empty(), "the service account is gone");
    assert!(
        a.state.lock().unwrap().apps.is_empty() && a.state.lock().unwrap().assignments.is_empty(),
        "the app and its assignment are gone"
    );
}
