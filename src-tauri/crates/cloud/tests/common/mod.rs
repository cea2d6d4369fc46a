//! Test harness: a real moto server per test (free 127.0.0.1 port, stopped by PID), a black-holed
//! endpoint, a loopback proxy that resets one connection mid-apply, and a gateway that refuses
//! AssumeRole into accounts without the member role.
#![allow(dead_code)]

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trustbridge_cloud::aws::{AwsSettings, Credentials, Session};
use trustbridge_cloud::retry::RetryPolicy;
use trustbridge_core::validate::Resolved;
use trustbridge_core::{validate, Plan};

mod missing_role;
mod moto;
#[allow(unused_imports)] // only the organization tests use it
pub use missing_role::*;
pub use moto::*;

pub fn creds(id: &str, secret: &str) -> Credentials {
    Credentials::new(id, secret, None, None, "test")
}

/// Settings pointed at `endpoint`, with moto's dummy customer credentials and short bounds.
pub fn settings(endpoint: &str) -> AwsSettings {
    AwsSettings {
        endpoint_url: Some(endpoint.to_string()),
        credentials: Some(creds("testing", "testing")),
        timeout: Duration::from_secs(5),
        propagation: RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(200),
            max_total: Duration::from_secs(2),
        },
        ..AwsSettings::default()
    }
}

pub const EXTERNAL_ID: &str = "Zk3pQ9vX2mN7bR4tY8wL1cH6jD5sF0gA";
pub const BUCKET: &str = "my-company-data-bucket";
pub const BUS: &str = "retrain-events";
pub const REGION: &str = "eu-west-1";

pub fn plan_json(account: &str) -> String {
    format!(
        r#"{{"version":1,"platform":"mlcube","integration":{{"name":"AWS_01","project_id":"your_project_id"}},
        "aws":{{"partition":"aws","account_id":"{account}","region":"{REGION}","role_name":"mlcube-platform-access","role_path":"/",
        "external_id":"{EXTERNAL_ID}","storage":[{{"bucket":"{BUCKET}"}}],"events":[{{"event_bus_name":"{BUS}"}}]}}}}"#
    )
}

pub fn resolved(text: &str) -> Resolved {
    validate(&Plan::from_json(text).expect("plan parses"), None).expect("plan is valid")
}

pub fn plan() -> Resolved {
    resolved(&plan_json("123456789012"))
}

/// Creates the customer's bucket(s) and event bus(es) the plan names, as the customer would have.
pub async fn seed(r: &Resolved, s: &AwsSettings) {
    let a = r.aws.as_ref().unwrap();
    let sess = Session::connect(a, s).await;
    for st in &a.storage {
        create_bucket(&sess, &st.bucket).await;
    }
    for bus in &a.event_buses {
        sess.events.create_event_bus().name(bus).send().await.expect("create event bus");
    }
}

/// A bucket policy that admits only another organization's principals (`aws:PrincipalOrgID`):
/// pre-flight's blocking finding for the vendor, which is in none of the customer's.
pub fn org_only_policy(bucket: &str, sid: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{sid}","Effect":"Deny","Principal":"*","Action":"s3:*",
        "Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"],"Condition":{{"StringNotEquals":{{"aws:PrincipalOrgID":"o-someotherorg"}}}}}}]}}"#
    )
}

/// From outside any runtime (a dialog's "meanwhile", say): the owner of member `account`'s bucket
/// `data-{account}` puts in [`org_only_policy`] under `sid`, through the account's own role.
pub fn owner_restricts_bucket(base: &AwsSettings, account: &str, sid: &str) {
    let (base, who, sid) = (base.clone(), account.to_string(), sid.to_string());
    std::thread::spawn(move || {
        trustbridge_cloud::runtime().unwrap().block_on(async {
            let mgmt = Session::for_region(REGION, &base).await;
            let bucket = format!("data-{who}");
            let m = member_session(&mgmt, &who).await;
            m.s3.put_bucket_policy().bucket(&bucket).policy(org_only_policy(&bucket, &sid)).send().await.unwrap();
        })
    })
    .join()
    .unwrap();
}

pub async fn create_bucket(sess: &Session, name: &str) {
    let conf = aws_sdk_s3::types::CreateBucketConfiguration::builder()
        .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
        .build();
    sess.s3.create_bucket().bucket(name).create_bucket_configuration(conf).send().await.expect("create bucket");
}

/// Someone else's use of a policy: a role of theirs (`team-role`) and a user (`team-user`), each
/// with `arn` attached.
pub async fn use_policy_elsewhere(sess: &Session, arn: &str) {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    sess.iam.create_role().role_name("team-role").assume_role_policy_document(trust).send().await.unwrap();
    sess.iam.attach_role_policy().role_name("team-role").policy_arn(arn).send().await.unwrap();
    sess.iam.create_user().user_name("team-user").send().await.unwrap();
    sess.iam.attach_user_policy().user_name("team-user").policy_arn(arn).send().await.unwrap();
}

/// How many of the roles named exist.
pub async fn roles_existing<'a>(sess: &Session, names: impl IntoIterator<Item = &'a str>) -> usize {
    let mut n = 0;
    for name in names {
        n += usize::from(sess.iam.get_role().role_name(name).send().await.is_ok());
    }
    n
}

/// An AWS Organization on moto, made by the management account `mgmt`: the OUs named under the
/// root and `n` member accounts spread over them in turn (each gets `OrganizationAccountAccessRole`,
/// as AWS does). Returns the OU ids and the member account ids.
pub async fn organization(mgmt: &Session, ous: &[&str], n: usize) -> (Vec<String>, Vec<String>) {
    let org = aws_sdk_organizations::Client::new(&mgmt.conf);
    org.create_organization().feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All).send().await.unwrap();
    let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_string();
    let mut ou_ids = Vec::new();
    for name in ous {
        let ou = org.create_organizational_unit().parent_id(&root).name(*name).send().await.unwrap();
        ou_ids.push(ou.organizational_unit().unwrap().id().unwrap().to_string());
    }
    let mut members = Vec::new();
    for i in 0..n {
        let made = org.create_account().account_name(format!("member-{i}")).email(format!("m{i}@example.com")).send().await.unwrap();
        let id = made.create_account_status().and_then(|s| s.account_id()).unwrap().to_string();
        if !ou_ids.is_empty() {
            org.move_account()
                .account_id(&id)
                .source_parent_id(&root)
                .destination_parent_id(&ou_ids[i % ou_ids.len()])
                .send()
                .await
                .unwrap();
        }
        members.push(id);
    }
    (ou_ids, members)
}

/// Credentials of member `account`, through its `OrganizationAccountAccessRole` (as the
/// management account: a test's own seeding and read-backs, or a member signed in to).
pub async fn member_credentials(mgmt: &Session, account: &str) -> Credentials {
    let out = mgmt
        .sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"))
        .role_session_name("trustbridge-test")
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    Credentials::new(c.access_key_id(), c.secret_access_key(), Some(c.session_token().to_string()), None, "member")
}

/// The clients of member `account`, through its `OrganizationAccountAccessRole` (the test's own
/// seeding and read-backs).
pub async fn member_session(mgmt: &Session, account: &str) -> Session {
    mgmt.with_credentials(None, Some(member_credentials(mgmt, account).await)).await
}

/// A TCP endpoint that accepts connections and never answers.
pub struct BlackHole {
    pub port: u16,
    stop: Arc<AtomicBool>,
    _thread: std::thread::JoinHandle<()>,
}

impl BlackHole {
    pub fn start() -> BlackHole {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        l.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let s2 = stop.clone();
        let t = std::thread::spawn(move || {
            let mut held = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(120);
            while !s2.load(Ordering::Relaxed) && Instant::now() < deadline {
                match l.accept() {
                    Ok((c, _)) => held.push(c), // keep it open, say nothing
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        BlackHole { port, stop, _thread: t }
    }
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A loopback proxy to `upstream` that lets request number `reset_at` (1-based, counted across
/// connections) reach the server, then resets the client's connection instead of answering.
pub struct ResetProxy {
    pub port: u16,
    pub requests: Arc<AtomicUsize>,
    pub resets: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

fn starts_request(chunk: &[u8]) -> bool {
    ["GET ", "POST ", "PUT ", "HEAD ", "DELETE "].iter().any(|m| chunk.starts_with(m.as_bytes()))
}

impl ResetProxy {
    pub async fn start(upstream: u16, reset_at: usize) -> ResetProxy {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let resets = Arc::new(AtomicUsize::new(0));
        let (rq, rs) = (requests.clone(), resets.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = l.accept().await else { return };
                let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await else { continue };
                let (rq, rs) = (rq.clone(), rs.clone());
                tokio::spawn(async move {
                    let (mut client, mut server) = (client, server);
                    let mut doomed = false;
                    let mut cbuf = vec![0u8; 64 * 1024];
                    let mut sbuf = vec![0u8; 64 * 1024];
                    loop {
                        tokio::select! {
                            r = client.read(&mut cbuf) => {
                                let n = match r { Ok(0) | Err(_) => break, Ok(n) => n };
                                if starts_request(&cbuf[..n]) && rq.fetch_add(1, Ordering::SeqCst) + 1 == reset_at {
                                    doomed = true;
                                }
                                if server.write_all(&cbuf[..n]).await.is_err() { break; }
                            }
                            r = server.read(&mut sbuf) => {
                                let n = match r { Ok(0) | Err(_) => break, Ok(n) => n };
                                if doomed {
                                    // The server has acted and answered; the client gets a reset instead.
                                    rs.fetch_add(1, Ordering::SeqCst);
                                    #[allow(deprecated)] // linger 0 does not block: it resets
                                    let _ = client.set_linger(Some(Duration::ZERO));
                                    return;
                                }
                                if client.write_all(&sbuf[..n]).await.is_err() { break; }
                            }
                        }
                    }
                    let _ = client.shutdown().await;
                });
            }
        });
        ResetProxy { port, requests, resets, task }
    }
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for ResetProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A role's tags, as IAM lists them (key, value).
pub async fn role_tags(s: &Session, role: &str) -> Vec<(String, String)> {
    let out = s.iam.list_role_tags().role_name(role).send().await.unwrap();
    out.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
}

/// A role's inline policies' names, sorted.
pub async fn inline_names(s: &Session, role: &str) -> Vec<String> {
    let out = s.iam.list_role_policies().role_name(role).send().await.unwrap();
    let mut names = out.policy_names().to_vec();
    names.sort();
    names
}
