//! `trustbridge preflight / apply / verify / revoke` of an organization-wide plan, as a user runs
//! them with the management account's credentials, against a real moto server holding a real AWS
//! Organization (started and stopped by PID here). Without moto this FAILS, saying how to install it.

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "../../cloud/tests/common/moto.rs"]
mod moto;
use moto::Moto;

const ROLE: &str = "mlcube-platform-access";
const REGION: &str = "us-east-1";

fn trustbridge(endpoint: &str, args: &[&str]) -> Output {
    trustbridge_as(endpoint, args, &trustbridge_cloud::aws::Credentials::new("testing", "testing", None, None, "test"))
}

/// The CLI signed in with `creds` (a member account's, say).
fn trustbridge_as(endpoint: &str, args: &[&str], creds: &trustbridge_cloud::aws::Credentials) -> Output {
    let c = creds;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trustbridge"));
    if let Some(token) = c.session_token() {
        cmd.env("AWS_SESSION_TOKEN", token);
    } else {
        cmd.env_remove("AWS_SESSION_TOKEN");
    }
    cmd.args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("TRUSTBRIDGE_VENDOR_PROFILE")
        .env_remove("TRUSTBRIDGE_AWS_ORG_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", c.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", c.secret_access_key())
        .stdin(Stdio::null())
        .output()
        .expect("run trustbridge")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn settings(endpoint: &str, creds: trustbridge_cloud::aws::Credentials) -> trustbridge_cloud::aws::AwsSettings {
    trustbridge_cloud::aws::AwsSettings { endpoint_url: Some(endpoint.into()), credentials: Some(creds), ..Default::default() }
}

/// Three member accounts, each with its own bucket and bus made with its own credentials; the
/// second has a same-named role trustbridge did not create. Returns the account ids and the root.
fn organization(endpoint: &str) -> (Vec<String>, String) {
    let rt = trustbridge_cloud::runtime().unwrap();
    rt.block_on(async {
        let base = settings(endpoint, trustbridge_cloud::aws::Credentials::new("testing", "testing", None, None, "test"));
        let mgmt = trustbridge_cloud::aws::Session::for_region(REGION, &base).await;
        let org = aws_sdk_organizations::Client::new(&mgmt.conf);
        org.create_organization().feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All).send().await.unwrap();
        let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
        let mut ids = Vec::new();
        for i in 0..3 {
            let made = org.create_account().account_name(format!("m{i}")).email(format!("m{i}@example.com")).send().await.unwrap();
            let id = made.create_account_status().and_then(|s| s.account_id()).unwrap().to_string();
            let assumed = mgmt
                .sts
                .assume_role()
                .role_arn(format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole"))
                .role_session_name("cli-org-test")
                .send()
                .await
                .unwrap();
            let c = assumed.credentials().unwrap();
            let creds = trustbridge_cloud::aws::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_string()),
                None,
                "member",
            );
            let m = mgmt.with_credentials(None, Some(creds)).await;
            m.s3.create_bucket().bucket(format!("data-{id}")).send().await.unwrap();
            if i == 1 {
                m.iam
                    .create_role()
                    .role_name(ROLE)
                    .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
                    .send()
                    .await
                    .unwrap();
            }
            ids.push(id);
        }
        (ids, root)
    })
}

/// Whether `account` has the vendor role, read through its member role; with `delete`, its owner
/// deletes it first.
fn role_exists(endpoint: &str, account: &str) -> bool {
    role_in(endpoint, account, false)
}

/// A member account's credentials, through its `OrganizationAccountAccessRole`.
fn member_creds(endpoint: &str, account: &str) -> trustbridge_cloud::aws::Credentials {
    let rt = trustbridge_cloud::runtime().unwrap();
    rt.block_on(async {
        let base = settings(endpoint, trustbridge_cloud::aws::Credentials::new("testing", "testing", None, None, "test"));
        let mgmt = trustbridge_cloud::aws::Session::for_region(REGION, &base).await;
        let assumed = mgmt
            .sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"))
            .role_session_name("cli-org-test")
            .send()
            .await
            .unwrap();
        let c = assumed.credentials().unwrap();
        trustbridge_cloud::aws::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "member",
        )
    })
}

fn role_in(endpoint: &str, account: &str, delete: bool) -> bool {
    let creds = member_creds(endpoint, account);
    let rt = trustbridge_cloud::runtime().unwrap();
    rt.block_on(async {
        let base = settings(endpoint, trustbridge_cloud::aws::Credentials::new("testing", "testing", None, None, "test"));
        let mgmt = trustbridge_cloud::aws::Session::for_region(REGION, &base).await;
        let m = mgmt.with_credentials(None, Some(creds)).await;
        if delete {
            m.iam.delete_role().role_name(ROLE).send().await.unwrap();
        }
        m.iam.get_role().role_name(ROLE).send().await.is_ok()
    })
}

fn write_plan(dir: &Path, accounts: &[String]) -> String {
    let entries: Vec<String> = accounts.iter().map(|a| format!(r#"{{"account_id":"{a}","storage":[{{"bucket":"data-{a}"}}]}}"#)).collect();
    let p = dir.join("org.json");
    std::fs::write(
        &p,
        format!(
            r#"{{"version":1,"platform":"mlcube","integration":{{"name":"AWS_ORG","project_id":"demo"}},
            "aws":{{"account_id":"123456789012","region":"{REGION}","role_name":"{ROLE}","external_id":"Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
            "organization":{{"engine":"member-role","max_concurrency":2}},"accounts":[{}]}}}}"#,
            entries.join(",")
        ),
    )
    .unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn an_organization_plan_from_the_command_line_one_row_per_account_and_honest_exit_codes() {
    let moto = Moto::start();
    let url = moto.url();
    let (accounts, root) = organization(&url);
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(dir.path(), &accounts);

    // Pre-flight reads every account and finds nothing blocking (moto serves no SCPs here).
    let o = trustbridge(&url, &["preflight", "--plan", &plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("pre-flight: 3 of 3 accounts ok"), "{out}");

    // Apply: two accounts done, the one with a foreign role refused there only; exit 1, and a row each.
    let o = trustbridge(&url, &["apply", "--plan", &plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    for (i, a) in accounts.iter().enumerate() {
        let row = out.lines().find(|l| l.starts_with(a.as_str())).unwrap_or_else(|| panic!("no row for {a}: {out}"));
        if i == 1 {
            assert!(row.contains("FAILED [aws.role_not_ours]"), "{row}");
        } else {
            assert!(row.contains("applied") && row.contains(&format!("arn:aws:iam::{a}:role/{ROLE}")), "{row}");
        }
        assert!(err.contains(&format!("apply {a} as arn:aws:iam::{a}:role/OrganizationAccountAccessRole")), "live progress: {err}");
    }
    assert!(out.contains(&format!("apply: 2 of 3 accounts ok, 1 failing: {}", accounts[1])), "{out}");
    // Under the summary, each failing account with its fix.
    let under = out.lines().skip_while(|l| !l.starts_with("apply: 2 of 3")).nth(1).unwrap_or_default();
    let fix = under.strip_prefix(&format!("  {}: ", accounts[1])).unwrap_or_else(|| panic!("{out}"));
    assert!(fix.contains("adopt") && out.contains(&format!("fix: {fix}")), "the row's own fix, said again: {out}");

    // verify --json: one document, each account with its probes; exit 1 while one account fails.
    let o = trustbridge(&url, &["verify", "--plan", &plan, "--json"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let rows = doc["accounts"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["account_id"], accounts[0].as_str());
    assert!(rows[0]["ok"].as_array().is_some_and(|p| !p.is_empty()), "{:#}", rows[0]);
    // Every probe names its account; the summary is one line.
    for row in rows.iter().filter(|r| r["ok"].is_array()) {
        for p in row["ok"].as_array().unwrap() {
            assert_eq!(p["account_id"], row["account_id"], "{p:#}");
        }
    }
    assert!(
        doc["summary"].as_str().is_some_and(|s| s.starts_with("2 of 3 accounts green, 1 failing: ") && s.ends_with(accounts[1].as_str())),
        "{doc:#}"
    );
    assert_eq!(doc["probes"], serde_json::json!([]));

    // Revoke: the two roles trustbridge made are deleted; the foreign one does not trust the vendor,
    // so there is nothing of ours to revoke there, and it is left as it is.
    let o = trustbridge(&url, &["revoke", "--plan", &plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    for a in [&accounts[0], &accounts[2]] {
        assert!(out.contains(&format!("role arn:aws:iam::{a}:role/{ROLE} deleted")), "{out}");
        assert!(!role_exists(&url, a), "{a}: revoked");
    }
    assert!(out.lines().any(|l| l.starts_with(accounts[1].as_str()) && l.contains("nothing to revoke")), "{out}");
    assert!(role_exists(&url, &accounts[1]), "the foreign role is not ours to delete");

    // Engine stack-set over the organization's root: apply deploys the StackSet (a row per
    // account's stack), verify tests each listed account through its member role, revoke removes
    // the stacks. (moto ignores OU targets when deleting stacks: then revoke keeps the StackSet,
    // says so and exits 1; on AWS it removes them.)
    let stack_set = std::fs::read_to_string(&plan)
        .unwrap()
        .replace(r#""engine":"member-role","max_concurrency":2"#, &format!(r#""engine":"stack-set","organizational_units":["{root}"]"#));
    let stack_set =
        stack_set.replace(&format!(r#",{{"account_id":"{}","storage":[{{"bucket":"data-{}"}}]}}"#, accounts[1], accounts[1]), "");
    std::fs::write(&plan, stack_set).unwrap();
    // The foreign role's owner removes it first (a StackSet's stack there would fail on it).
    assert!(!role_in(&url, &accounts[1], true));
    let o = trustbridge(&url, &["apply", "--plan", &plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    for a in &accounts {
        assert!(out.lines().any(|l| l.starts_with(a.as_str()) && l.contains("SUCCEEDED")), "{a}: {out}");
        // Live progress on stderr: each account's stack as its status changes.
        assert!(err.lines().any(|l| l == format!("stack {a}: SUCCEEDED")), "{a}: {err}");
    }
    // (moto also deploys to the management account, which is in the root; AWS never does.)
    assert!(out.contains("operation SUCCEEDED") && !out.contains("failing"), "{out}");
    let o = trustbridge(&url, &["verify", "--plan", &plan]);
    let (out, err) = text(&o);
    assert!(out.contains("connectivity test: 2 of 2 accounts ok"), "{out}\n{err}");
    // moto's gap (stackset_moto.rs): the OU-targeted delete deletes no stack, so the StackSet is
    // kept, said, and the exit is 1 — never a success while stacks remain.
    let o = trustbridge(&url, &["revoke", "--plan", &plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(out.contains("kept the StackSet") && !out.contains("deleted the StackSet"), "{out}\n{err}");
    // The gap bridged in the open (the stacks deleted by account): revoke then deletes the
    // StackSet and the management account's stack, and a removal that ended well exits 0.
    trustbridge_cloud::runtime().unwrap().block_on(async {
        let base = settings(&url, trustbridge_cloud::aws::Credentials::new("testing", "testing", None, None, "test"));
        let mgmt = trustbridge_cloud::aws::Session::for_region(REGION, &base).await;
        let cfn = aws_sdk_cloudformation::Client::new(&mgmt.conf);
        let name = out.lines().find_map(|l| l.split("kept the StackSet ").nth(1)).and_then(|r| r.split(':').next()).unwrap().to_string();
        let mut stacks = accounts.clone();
        stacks.push("123456789012".into());
        cfn.delete_stack_instances()
            .stack_set_name(name)
            .set_accounts(Some(stacks))
            .regions(REGION)
            .retain_stacks(false)
            .send()
            .await
            .unwrap();
    });
    let o = trustbridge(&url, &["revoke", "--plan", &plan]);
    let (out, err) = text(&o);
    assert!(out.contains("deleted the StackSet"), "{out}\n{err}");
    assert_eq!(o.status.code(), Some(0), "a removal that ended well: {out}\n{err}");
    for a in &accounts {
        assert!(!role_exists(&url, a), "{a}: revoked");
    }
}

/// An SCP that denies the vendor's reads, attached to one account: pre-flight says so for that
/// account (exit 1); the member-role apply skips that account only (nothing changed there, the
/// other applied) until `--ignore-preflight`; the StackSet apply, one deployment for every
/// account, changes nothing anywhere until `--ignore-preflight` (moto does not enforce SCPs, so
/// the apply then succeeds).
#[test]
fn a_blocking_scp_on_one_account_stops_the_organizations_apply_until_told_otherwise() {
    let moto = Moto::start();
    let url = moto.url();
    let (all, root) = organization(&url);
    let accounts = vec![all[0].clone(), all[2].clone()];
    let (clear, denied) = (&accounts[0], &accounts[1]);
    trustbridge_cloud::runtime().unwrap().block_on(async {
        let base = settings(&url, trustbridge_cloud::aws::Credentials::new("testing", "testing", None, None, "test"));
        let mgmt = trustbridge_cloud::aws::Session::for_region(REGION, &base).await;
        let org = aws_sdk_organizations::Client::new(&mgmt.conf);
        let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoGet","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#;
        let made = org
            .create_policy()
            .name("NoObjectReads")
            .description("test")
            .content(deny)
            .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
            .send()
            .await
            .unwrap();
        let id = made.policy().and_then(|p| p.policy_summary()).and_then(|s| s.id()).unwrap().to_string();
        org.attach_policy().policy_id(id).target_id(denied.as_str()).send().await.unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(dir.path(), &accounts);

    let o = trustbridge(&url, &["preflight", "--plan", &plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    // An account's lines: its row and the indented lines under it.
    let row = |out: &str, a: &str| {
        out.lines()
            .skip_while(|l| !l.starts_with(a))
            .enumerate()
            .take_while(|(i, l)| *i == 0 || l.starts_with(' '))
            .map(|(_, l)| l)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(row(&out, denied).contains("BLOCKING [preflight.scp_denies]") && row(&out, denied).contains("NoObjectReads"), "{out}");
    assert!(row(&out, denied).contains("or to detach NoObjectReads from the account"), "{out}");
    assert!(!row(&out, clear).is_empty() && !row(&out, clear).contains("BLOCKING"), "{out}");

    // Member-role engine: the denied account is left as it was, the other applied.
    let o = trustbridge(&url, &["apply", "--plan", &plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(row(&out, denied).contains("FAILED [aws.preflight_blocked]") && out.contains("--ignore-preflight applies anyway"), "{out}");
    assert!(!role_exists(&url, denied), "nothing changed in the account pre-flight stopped");
    assert!(role_exists(&url, clear), "the other account applied: {out}");
    let o = trustbridge(&url, &["apply", "--plan", &plan, "--ignore-preflight"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(role_exists(&url, denied), "applied when told to: {out}");
    let o = trustbridge(&url, &["revoke", "--plan", &plan]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));

    // StackSet engine: refused before any StackSet exists. (The root's third account holds a
    // foreign role of the same name; its owner removes it, as a StackSet's stack there would fail.)
    assert!(!role_in(&url, &all[1], true));
    let stack_set = std::fs::read_to_string(&plan)
        .unwrap()
        .replace(r#""engine":"member-role","max_concurrency":2"#, &format!(r#""engine":"stack-set","organizational_units":["{root}"]"#));
    std::fs::write(&plan, stack_set).unwrap();
    let o = trustbridge(&url, &["apply", "--plan", &plan]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains("error [aws.preflight_blocked]"), "{err}");
    assert!(row(&out, denied).contains("BLOCKING [preflight.scp_denies]"), "{out}");
    assert!(!out.contains("SUCCEEDED") && !role_exists(&url, clear) && !role_exists(&url, denied), "nothing deployed: {out}");
    let o = trustbridge(&url, &["apply", "--plan", &plan, "--ignore-preflight"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(role_exists(&url, clear) && role_exists(&url, denied), "deployed when told to: {out}");
}

/// A StackSet plan run by a delegated administrator (a member account signed in) that lists the
/// organization's management account: refused before pre-flight reaches into any account
/// (`aws.management_unreachable`, with its fix), and nothing is made anywhere.
#[test]
fn a_delegated_administrator_listing_the_management_account_is_refused_before_preflight() {
    let moto = Moto::start();
    let url = moto.url();
    let (ids, root) = organization(&url);
    let admin = ids[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("stackset.json");
    std::fs::write(
        &plan,
        format!(
            r#"{{"version":1,"platform":"mlcube","integration":{{"name":"AWS_ORG","project_id":"demo"}},
            "aws":{{"account_id":"{admin}","region":"{REGION}","role_name":"{ROLE}","external_id":"Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA",
            "organization":{{"engine":"stack-set","organizational_units":["{root}"]}},
            "accounts":[{{"account_id":"{}","storage":[{{"bucket":"data-{}"}}]}},{{"account_id":"123456789012","storage":[{{"bucket":"mgmt-data"}}]}}]}}}}"#,
            ids[2], ids[2]
        ),
    )
    .unwrap();
    let o = trustbridge_as(&url, &["apply", "--plan", plan.to_str().unwrap()], &member_creds(&url, &admin));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains("error [aws.management_unreachable]") && err.contains("fix: remove account 123456789012"), "{err}");
    assert!(!out.contains("pre-flight") && !err.contains("pre-flight"), "refused before pre-flight: {out}\n{err}");
    assert!(!role_exists(&url, &ids[2]), "nothing was made");
}
