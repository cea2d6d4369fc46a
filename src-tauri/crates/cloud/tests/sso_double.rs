//! The AWS access portal device sign-in (`aws::sso`) against the SSO double (tests/doubles/aws_sso.rs,
//! a test double: no emulator of IAM Identity Center exists here), and the role credentials it
//! yields used against a real moto server.
mod common;
mod doubles;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use doubles::aws_sso::{sso_double, Person, ACCESS_TOKEN, CLIENT_SECRET, ROLE_SECRET};
use trustbridge_cloud::aws::{sso, AwsSettings, Session};
use trustbridge_cloud::CloudError;

fn settings(sso: &str) -> AwsSettings {
    AwsSettings { sso_endpoint_url: Some(sso.to_string()), timeout: Duration::from_secs(5), ..AwsSettings::default() }
}

/// A sleep that only records what it was asked for (the intervals are AWS's, in seconds).
fn recorder() -> (Arc<Mutex<Vec<Duration>>>, impl Fn(Duration) -> std::future::Ready<()>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let a = asked.clone();
    (asked, move |d| {
        a.lock().unwrap().push(d);
        std::future::ready(())
    })
}

#[tokio::test]
async fn device_sign_in_polls_as_told_then_lists_accounts_and_roles_and_signs_with_the_role() {
    let double = sso_double(
        Person::Confirms { after_polls: 3 },
        vec![
            ("111122223333", "Production", vec!["ReadOnly"]),
            ("123456789012", "Data", vec!["AdministratorAccess", "Billing"]),
            ("999988887777", "Empty", vec![]),
        ],
    )
    .await;
    let s = settings(&double.url);
    let device = sso::start("https://d-1234567890.awsapps.com/start", "eu-west-1", &s).await.expect("device authorization");
    assert_eq!(device.user_code, "WDJB-MJHT");
    assert!(device.verification_uri_complete.ends_with("user_code=WDJB-MJHT"));
    assert!(!format!("{device:?}").contains(CLIENT_SECRET), "Debug never shows the client secret");

    let (asked, sleep) = recorder();
    let token = device.wait(sleep).await.expect("token after the person confirms");
    // Pending, slow down (+5 s from then on), pending, then the token: AWS's interval of 1 s, then 6 s.
    let secs: Vec<u64> = asked.lock().unwrap().iter().map(Duration::as_secs).collect();
    assert_eq!(secs, [1, 1, 6, 6]);
    assert!(!format!("{token:?}").contains(ACCESS_TOKEN));

    let accounts = token.accounts().await.expect("accounts");
    let listed: Vec<(&str, Vec<&str>)> =
        accounts.iter().map(|a| (a.account_name.as_str(), a.roles.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        listed,
        [("Data", vec!["AdministratorAccess", "Billing"]), ("Production", vec!["ReadOnly"])],
        "an account without roles is left out"
    );

    let role = token.role("123456789012", "AdministratorAccess");
    let creds = role.fetch().await.expect("role credentials");
    assert!(creds.expiry().is_some(), "role credentials carry their expiry, so the SDK refreshes them");
    assert!(!format!("{creds:?}").contains(ROLE_SECRET));
    let e = token.role("123456789012", "NotMine").fetch().await.unwrap_err();
    assert!(e.code().starts_with("aws."), "{e}");

    // The requests were the documented ones: the device grant, the bearer header on the portal.
    let reqs = double.requests.lock().unwrap().clone();
    let token_polls = reqs.iter().filter(|r| r.path == "/token").count();
    assert_eq!(token_polls, 4);
    assert!(reqs.iter().filter(|r| r.method == "GET").all(|r| r.header("x-amz-sso_bearer_token") == Some(ACCESS_TOKEN)));

    // The role signs a real session (moto accepts any key): who we are comes from STS.
    let moto = common::Moto::start();
    let on_moto = AwsSettings {
        endpoint_url: Some(moto.url()),
        provider: Some(aws_credential_types::provider::SharedCredentialsProvider::new(role)),
        ..settings(&double.url)
    };
    let caller = Session::for_region("eu-west-1", &on_moto).await.caller_identity().await.expect("signed with the SSO role");
    assert_eq!(caller.account, "123456789012");
}

#[tokio::test]
async fn a_refusal_an_expired_code_and_a_user_without_accounts_each_say_so() {
    for (person, accounts, code) in [
        (Person::Refuses, vec![("123456789012", "Data", vec!["Admin"])], "aws.sso_denied"),
        (Person::Away, vec![("123456789012", "Data", vec!["Admin"])], "aws.sso_code_expired"),
        (Person::Confirms { after_polls: 0 }, vec![("123456789012", "Data", vec![])], "aws.sso_no_access"),
    ] {
        let double = sso_double(person, accounts).await;
        let s = settings(&double.url);
        let device = sso::start("https://d-1234567890.awsapps.com/start", "eu-west-1", &s).await.unwrap();
        let (_, sleep) = recorder();
        let err: CloudError = match device.wait(sleep).await {
            Err(e) => e,
            Ok(token) => token.accounts().await.unwrap_err(),
        };
        assert_eq!(err.code(), code, "{err}");
        let shown = format!("{err} {:?} {:?}", err.fix(), err.window_fix());
        assert!(!shown.contains(CLIENT_SECRET) && !shown.contains(ACCESS_TOKEN), "{shown}");
    }
}
