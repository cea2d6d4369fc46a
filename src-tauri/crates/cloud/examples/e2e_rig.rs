//! TEST RIG for the end-to-end tests (tests/e2e/gcp-azure.e2e.mjs): starts the same real emulators and
//! marked TEST DOUBLES as `tests/gcp_azure.rs` (tests/doubles/mod.rs) so the wizard's connectivity test
//! can go green in the real window, and keeps them up until its stdin closes.
//!
//! - real gcp-storage-emulator with the spec's buckets;
//! - DOUBLE of Google's token endpoint that verifies the RS256 signature of a key made here (the key
//!   file is written where the spec says, for the test to pick in the wizard);
//! - DOUBLE of Pub/Sub `testIamPermissions` granting publish on the spec's topics;
//! - real Azurite over https (`--oauth basic`, a self-signed certificate made here) with the spec's
//!   containers (`devstoreaccount1/<name>`);
//! - DOUBLE of Entra ID's client-credentials endpoint accepting the spec's app id and secret;
//! - DOUBLE of an Event Grid topic (sender allowed) for each of the spec's Azure topics;
//! - DOUBLE of ML cube's Platform SDK API (tests/doubles/vendor_api.rs) accepting the spec's API key
//!   and projects (`"vendor": {"api_key", "projects", "account"?}`); its URL is answered as
//!   `vendor_url` (the person types it into the wizard, like a real one).
//!
//! - DOUBLE of the AWS access portal (tests/doubles/aws_sso.rs: IAM Identity Center's OIDC device
//!   flow and portal API) with the spec's accounts and roles (`"sso": {"accounts": [[id, name,
//!   [roles]]]}`); the person "confirms" at once. Its URL goes to the app as
//!   `TRUSTBRIDGE_AWS_SSO_ENDPOINT_URL`.
//!
//! - DOUBLE of Google's IAM-related APIs for apply (tests/doubles/gcp_iam.rs; `"gcp_apply":
//!   {"project", "adc_file"?, "sign_in"?, "buckets", "topics", "org_policies"?}`), with an authorized user's
//!   Application Default Credentials file written where the spec says (or, with `"sign_in": true`,
//!   Google's authorization page for the window's "Sign in with Google"); and DOUBLE of Entra ID +
//!   Microsoft Graph + Resource Manager role assignments (tests/doubles/azure_arm.rs;
//!   `"azure_apply": {"tenant", "scopes", "sign_in"?}`), signed in as the environment's service
//!   principal (or, with `"sign_in": true`, through the window's device-code sign-in); with
//!   `"data": {"containers": ["devstoreaccount1/<name>"], "topics": [[name, scope]]}` also real
//!   Azurite (https, `--oauth basic`) with those containers and a DOUBLE of each Event Grid topic
//!   whose access follows the role assignments apply made (azure_arm.rs `eventgrid_topic`), so the
//!   connectivity test can run with the client secret the window made. Questions `"gcp_apply"` and
//!   `"azure_apply"` answer what they hold (names and counts, never a secret).
//!
//! `"canaries"` answers the last key line and client secret the doubles made, for the test's
//! search of the disk (it never prints them).
//!
//! Protocol: one JSON spec line on stdin → one JSON line on stdout `{"env": {...}, "gcp_key_id": ...,
//! "vendor_url": ...}` with the environment the app needs → then each further line on stdin is a
//! question answered with one JSON line: `"vendor"` → what the vendor double received, compared here
//! with what the rig made or was given (booleans and non-secret fields only: never a key, a secret or
//! the API key) → runs until stdin reaches EOF, then stops everything by PID.
//! Not part of the product: an example of the cloud crate, built by `cargo test`.

#[path = "../tests/doubles/mod.rs"]
mod doubles;
#[path = "../tests/doubles/vendor_api.rs"]
mod vendor_api;

use std::collections::BTreeMap;
use std::io::BufRead;

use doubles::*;

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect()).unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let mut line = String::new();
    let mut stdin = std::io::stdin().lock();
    stdin.read_line(&mut line).expect("read the spec line");
    let spec: serde_json::Value = serde_json::from_str(&line).expect("the spec is one JSON line");
    let s = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_else(|| panic!("spec lacks {k}")).to_string();
    let mut env = BTreeMap::new();
    let mut keep_procs = Vec::new();
    let mut keep_doubles = Vec::new();
    let mut out = serde_json::json!({});
    let mut gcp_key: Option<serde_json::Value> = None;
    let mut azure_sp: Option<(String, String, String)> = None;

    let g = &spec["gcp"];
    if g.is_object() {
        let project = s(g, "project");
        let gcs = gcs_emulator();
        for b in strings(&g["buckets"]) {
            gcs_bucket(gcs.port, &project, &b).await;
        }
        let (pem, public) = fresh_rsa();
        let token = google_token_double(public, s(g, "client_email")).await;
        let mut id = [0u8; 20];
        aws_lc_rs::rand::fill(&mut id).unwrap();
        let key_id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        // Every field of a key file gcloud writes (ML cube's SDK requires them all).
        let email = s(g, "client_email");
        let key = serde_json::json!({"type": "service_account", "project_id": project, "private_key_id": key_id, "private_key": pem,
            "client_email": email, "client_id": "1", "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": format!("{}/token", token.double.url), "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": format!("https://www.googleapis.com/robot/v1/metadata/x509/{}", email.replace('@', "%40")),
            "universe_domain": "googleapis.com"});
        std::fs::write(s(g, "key_file"), key.to_string()).expect("write the key file");
        gcp_key = Some(key);
        let topics = strings(&g["topics"]).into_iter().map(|t| (t, vec!["pubsub.topics.publish".to_string()])).collect();
        let pubsub = pubsub_double(&project, topics, token.token.clone()).await;
        env.insert("STORAGE_EMULATOR_HOST", format!("http://127.0.0.1:{}", gcs.port));
        env.insert("PUBSUB_EMULATOR_HOST", pubsub.url.clone());
        out["gcp_key_id"] = key_id.into();
        keep_procs.push(gcs);
        keep_doubles.push(token.double);
        keep_doubles.push(pubsub);
    }

    let z = &spec["azure"];
    let cert_dir = tempfile::Builder::new().prefix("tb-e2e-rig-").tempdir().unwrap();
    if z.is_object() {
        let (cert, key) = self_signed(cert_dir.path());
        let azurite = azurite(&cert, &key);
        let ca = std::fs::read(&cert).unwrap();
        let (tenant, app, secret) = (s(z, "tenant"), s(z, "app_id"), s(z, "secret"));
        let entra = entra_double(tenant.clone(), app.clone(), secret.clone()).await;
        azure_sp = Some((tenant.clone(), app.clone(), secret.clone()));
        for c in strings(&z["containers"]) {
            azurite_container(&azurite, &ca, &entra.url, &tenant, &app, &secret, &c).await;
        }
        let mut endpoints = Vec::new();
        for t in strings(&z["topics"]) {
            let eg = eventgrid_double(true).await;
            endpoints.push(format!("{t}={}/api/events", eg.url));
            keep_doubles.push(eg);
        }
        env.insert("AZURE_AUTHORITY_HOST", entra.url.clone());
        env.insert("TRUSTBRIDGE_AZURE_BLOB_ENDPOINT", format!("https://127.0.0.1:{}/{{account}}", azurite.port));
        env.insert("TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS", endpoints.join(","));
        env.insert("TRUSTBRIDGE_CA_FILE", cert.display().to_string());
        keep_procs.push(azurite);
        keep_doubles.push(entra);
    }

    let ga = &spec["gcp_apply"];
    let gcp_apply = if ga.is_object() {
        let d = doubles::gcp_iam::gcp_iam_double(&s(ga, "project")).await;
        {
            let mut st = d.state.lock().unwrap();
            for b in strings(&ga["buckets"]) {
                st.add_bucket(&b, serde_json::json!([]));
            }
            for t in strings(&ga["topics"]) {
                st.add_topic(&t, serde_json::json!([]));
            }
            // The project's organization policies (`"org_policies": {constraint: policy}`).
            if let Some(policies) = ga["org_policies"].as_object() {
                for (constraint, policy) in policies {
                    st.org_policies.insert(constraint.clone(), policy.clone());
                }
            }
        }
        let u = d.double.url.clone();
        // Without "adc_file", this computer has no gcloud sign-in: the window's "Sign in with
        // Google" (the double's authorization page, `"sign_in": true`) is the way in.
        if ga["adc_file"].is_string() {
            let file = serde_json::json!({"type": "authorized_user", "client_id": "e2e.apps.googleusercontent.com", "client_secret": doubles::gcp_iam::CLIENT_SECRET,
                "refresh_token": doubles::gcp_iam::REFRESH_TOKEN, "account": "admin@example.com"});
            std::fs::write(s(ga, "adc_file"), file.to_string()).expect("write the ADC file");
            env.insert("GOOGLE_APPLICATION_CREDENTIALS", s(ga, "adc_file"));
        }
        if ga["sign_in"] == true {
            env.insert("TRUSTBRIDGE_GCP_AUTH_URI", format!("{u}/auth"));
        }
        env.insert("TRUSTBRIDGE_GCP_TOKEN_URI", format!("{u}/token"));
        for k in [
            "TRUSTBRIDGE_GCP_IAM_ENDPOINT",
            "TRUSTBRIDGE_GCP_RESOURCE_MANAGER_ENDPOINT",
            "TRUSTBRIDGE_GCP_ORG_POLICY_ENDPOINT",
            "TRUSTBRIDGE_GCP_ASSET_ENDPOINT",
            "STORAGE_EMULATOR_HOST",
            "PUBSUB_EMULATOR_HOST",
        ] {
            env.insert(k, u.clone());
        }
        Some(d)
    } else {
        None
    };
    let za = &spec["azure_apply"];
    let azure_apply = if za.is_object() {
        let d = doubles::azure_arm::azure_double(&s(za, "tenant")).await;
        for sc in strings(&za["scopes"]) {
            d.state.lock().unwrap().add_scope(&sc);
        }
        let u = d.double.url.clone();
        // `"sign_in": true`: no service principal in the environment; the window's device-code
        // sign-in (the double confirms the code at once) is the way in.
        if za["sign_in"] != true {
            env.insert("AZURE_TENANT_ID", s(za, "tenant"));
            env.insert("AZURE_CLIENT_ID", doubles::azure_arm::ADMIN_APP.into());
            env.insert("AZURE_CLIENT_SECRET", doubles::azure_arm::ADMIN_SECRET.into());
        }
        for k in ["AZURE_AUTHORITY_HOST", "TRUSTBRIDGE_AZURE_GRAPH_ENDPOINT", "TRUSTBRIDGE_AZURE_MANAGEMENT_ENDPOINT"] {
            env.insert(k, u.clone());
        }
        let data = &za["data"];
        if data.is_object() {
            // Azurite's basic OAuth checks a token's audience, issuer and lifetime, not who holds
            // which role: the containers are made with a token of the rig's own (an Entra double of
            // its own), and the blob probe proves the client secret signs in. Event Grid's double
            // checks the Data Sender assignment itself.
            let (cert, key) = self_signed(cert_dir.path());
            let azurite = azurite(&cert, &key);
            let ca = std::fs::read(&cert).unwrap();
            let tenant = s(za, "tenant");
            let rig = entra_double(tenant.clone(), "rig-setup".into(), "rig-setup-secret".into()).await;
            for c in strings(&data["containers"]) {
                azurite_container(&azurite, &ca, &rig.url, &tenant, "rig-setup", "rig-setup-secret", &c).await;
            }
            let mut endpoints = Vec::new();
            for t in data["topics"].as_array().cloned().unwrap_or_default() {
                let (name, scope) = (t[0].as_str().unwrap_or_default().to_string(), t[1].as_str().unwrap_or_default().to_string());
                let eg = doubles::azure_arm::eventgrid_topic(d.state.clone(), scope).await;
                endpoints.push(format!("{name}={}/api/events", eg.url));
                keep_doubles.push(eg);
            }
            env.insert("TRUSTBRIDGE_AZURE_BLOB_ENDPOINT", format!("https://127.0.0.1:{}/{{account}}", azurite.port));
            env.insert("TRUSTBRIDGE_AZURE_EVENTGRID_ENDPOINTS", endpoints.join(","));
            env.insert("TRUSTBRIDGE_CA_FILE", cert.display().to_string());
            keep_procs.push(azurite);
            keep_doubles.push(rig);
        }
        Some(d)
    } else {
        None
    };

    // DOUBLE of the AWS access portal (IAM Identity Center OIDC + portal APIs): the person confirms
    // at once; `"sso": {"accounts": [[id, name, [roles]]]}`.
    let sso = &spec["sso"];
    if sso.is_object() {
        let accounts: Vec<(&'static str, &'static str, Vec<&'static str>)> = sso["accounts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        let leak = |v: &serde_json::Value| -> &'static str {
                            Box::leak(v.as_str().unwrap_or_default().to_string().into_boxed_str())
                        };
                        (leak(&x[0]), leak(&x[1]), x[2].as_array().map(|r| r.iter().map(leak).collect()).unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let d = aws_sso::sso_double(aws_sso::Person::Confirms { after_polls: 0 }, accounts).await;
        env.insert("TRUSTBRIDGE_AWS_SSO_ENDPOINT_URL", d.url.clone());
        keep_doubles.push(d);
    }

    let v = &spec["vendor"];
    let vendor = v.is_object().then(|| {
        let account = v["account"].as_str().unwrap_or("883313729965").to_string();
        let projects = strings(&v["projects"]);
        let api = vendor_api::VendorApi::start(&s(v, "api_key"), &account, &projects.iter().map(String::as_str).collect::<Vec<_>>());
        out["vendor_url"] = api.url.clone().into();
        (api, s(v, "api_key"))
    });

    out["env"] = serde_json::to_value(&env).unwrap();
    println!("{out}");
    // Up until the test closes our stdin (or exits); each line is a question.
    let mut rest = String::new();
    while stdin.read_line(&mut rest).map(|n| n > 0).unwrap_or(false) {
        let answer = match (rest.trim(), &vendor) {
            ("\"vendor\"", Some((api, key))) => vendor_report(api, key, gcp_key.as_ref(), azure_sp.as_ref()),
            ("\"gcp_apply\"", _) if gcp_apply.is_some() => {
                let st = gcp_apply.as_ref().map(|d| d.state.clone()).unwrap();
                let st = st.lock().unwrap();
                let members: serde_json::Map<String, serde_json::Value> = st
                    .policies
                    .keys()
                    .map(|k| {
                        (
                            k.clone(),
                            serde_json::json!(st.policy(k)["bindings"]
                                .as_array()
                                .map(|b| b.iter().flat_map(|x| x["members"].as_array().cloned().unwrap_or_default()).collect::<Vec<_>>())
                                .unwrap_or_default()),
                        )
                    })
                    .collect();
                serde_json::json!({"service_accounts": st.service_accounts.keys().collect::<Vec<_>>(), "roles": st.roles.iter().filter(|(_, r)| r["deleted"] != true).map(|(k, _)| k).collect::<Vec<_>>(), "members": members, "keys_created": st.keys_created})
            }
            ("\"azure_apply\"", _) if azure_apply.is_some() => {
                let st = azure_apply.as_ref().map(|d| d.state.clone()).unwrap();
                let st = st.lock().unwrap();
                serde_json::json!({"apps": st.apps.values().map(|a| a["displayName"].clone()).collect::<Vec<_>>(), "assignments": st.assigned().len()})
            }
            // For the test's search of the disk only (never shown): a line of the last key Google's
            // double made and the last client secret Entra's double made.
            ("\"canaries\"", _) => {
                let mut v = Vec::new();
                if let Some(g) = &gcp_apply {
                    v.push(g.state.lock().unwrap().last_key_line.clone());
                }
                if let Some(z) = &azure_apply {
                    v.push(z.state.lock().unwrap().last_secret.clone());
                }
                serde_json::json!(v.into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>())
            }
            _ => serde_json::json!({"error": format!("unknown question {:?}", rest.trim())}),
        };
        println!("{answer}");
        rest.clear();
    }
    drop(vendor);
    drop(keep_doubles);
    drop(keep_procs);
}

/// What the vendor double received, without a secret: each registration's non-secret fields (and,
/// for AWS, the external id it issued, which is not a secret), whether every request carried the
/// right API key, and whether the GCP key / Azure service principal arrived equal, field by field,
/// to the ones the rig made or was given.
fn vendor_report(
    api: &vendor_api::VendorApi,
    api_key: &str,
    gcp_key: Option<&serde_json::Value>,
    azure: Option<&(String, String, String)>,
) -> serde_json::Value {
    let requests = api.requests();
    let keyed = requests.iter().all(|r| r.headers.iter().any(|(k, v)| k == "x-api-key" && v == api_key));
    let mut gcp_equal = serde_json::Value::Null;
    let mut azure_equal = serde_json::Value::Null;
    let regs: Vec<serde_json::Value> = api
        .registrations()
        .iter()
        .map(|r| {
            let req = &r["_request"];
            let mut view = serde_json::json!({
                "type": r["type"], "name": r["name"], "credentials_id": r["credentials_id"], "default": r["default"],
                "project_id": req["project_id"], "role_arn": r["role_arn"], "client_email": r["client_email"],
                "app_id": r["app_id"], "tenant": r["tenant"], "display_name": r["display_name"],
            });
            if let Some(t) = r["_trust_policy"].as_str() {
                let doc: serde_json::Value = serde_json::from_str(t).unwrap_or_default();
                view["external_id"] = doc["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"].clone();
            }
            if r["type"] == "gcp" {
                if let Some(key) = gcp_key {
                    let info = &req["account_info"];
                    let fields = info.as_object().map(|o| o.len()).unwrap_or(0);
                    let same = fields == 11 && info.as_object().unwrap().iter().all(|(k, v)| key.get(k) == Some(v));
                    gcp_equal = same.into();
                }
            }
            if r["type"] == "azure" {
                if let Some((tenant, app, secret)) = azure {
                    let c = &req["credentials"];
                    let same = c["tenant"] == tenant.as_str() && c["app_id"] == app.as_str() && c["password"] == secret.as_str();
                    azure_equal = same.into();
                }
            }
            view
        })
        .collect();
    serde_json::json!({"requests": requests.len(), "all_keyed": keyed, "registrations": regs,
        "gcp_account_info_equal": gcp_equal, "azure_credentials_equal": azure_equal})
}
