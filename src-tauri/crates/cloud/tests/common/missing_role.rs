//! A gateway in front of moto that answers STS `AssumeRole` into chosen accounts as AWS does when
//! the role named does not exist there (or does not trust the caller): HTTP 403 with the
//! `AccessDenied` error of the STS API reference ("AssumeRole", Errors; the query protocol's
//! `ErrorResponse`). Everything else reaches moto unchanged. This is the one behaviour added to the
//! real server: moto's own AssumeRole "does not need the role to exist" (its documentation), so an
//! account whose member role is missing cannot be made with moto alone.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// The loopback server of the doubles, included again here: some test crates that use this harness
// load `doubles` too, and some do not.
#[allow(clippy::duplicate_mod)]
#[path = "../doubles/server.rs"]
mod server;

pub struct MissingRoleGateway {
    pub port: u16,
    /// AssumeRole calls answered with the refusal.
    pub refusals: Arc<AtomicUsize>,
    missing: Arc<Mutex<BTreeSet<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MissingRoleGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One request read off a connection: its head and body, as bytes.
struct Raw {
    head: String,
    body: Vec<u8>,
}

async fn read_request(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Raw> {
    let mut tmp = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = sock.read(&mut tmp).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut tmp).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&tmp[..n]);
    }
    let body = buf[head_end..head_end + len].to_vec();
    buf.drain(..head_end + len);
    Some(Raw { head, body })
}

/// The role ARN of an STS AssumeRole request into one of `missing`'s accounts.
fn refused(req: &Raw, missing: &Mutex<BTreeSet<String>>) -> Option<String> {
    let form: Vec<(String, String)> = String::from_utf8_lossy(&req.body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (server::pct_decode(k), server::pct_decode(v)))
        .collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let arn = field("RoleArn").filter(|_| field("Action").as_deref() == Some("AssumeRole"))?;
    let account = arn.split(':').nth(4)?;
    missing.lock().unwrap().contains(account).then_some(arn)
}

fn access_denied(arn: &str) -> Vec<u8> {
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code>\
         <Message>User: arn:aws:iam::123456789012:root is not authorized to perform: sts:AssumeRole on resource: {arn}</Message>\
         </Error><RequestId>4c1b5e2a-0000-4000-8000-000000000000</RequestId></ErrorResponse>"
    );
    format!("HTTP/1.1 403 Forbidden\r\ncontent-type: text/xml\r\ncontent-length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// The request as sent to moto, which is asked to close the connection after answering (so its
/// answer is read whole by reading to the end).
fn closing(req: &Raw) -> Vec<u8> {
    let mut lines = req.head.trim_end().split("\r\n");
    let mut out = String::from(lines.next().unwrap_or_default());
    out.push_str("\r\n");
    for l in lines.filter(|l| !l.to_ascii_lowercase().starts_with("connection:")) {
        out.push_str(l);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&req.body);
    bytes
}

impl MissingRoleGateway {
    /// In front of moto on `upstream`; AssumeRole into `missing` accounts is refused.
    pub async fn start(upstream: u16, missing: &[&str]) -> MissingRoleGateway {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let missing = Arc::new(Mutex::new(missing.iter().map(|a| a.to_string()).collect::<BTreeSet<_>>()));
        let refusals = Arc::new(AtomicUsize::new(0));
        let (m, r) = (missing.clone(), refusals.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = l.accept().await else { return };
                let (m, r) = (m.clone(), r.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    while let Some(req) = read_request(&mut client, &mut buf).await {
                        let answer = match refused(&req, &m) {
                            Some(arn) => {
                                r.fetch_add(1, Ordering::SeqCst);
                                access_denied(&arn)
                            }
                            None => {
                                let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)).await else { return };
                                let mut answer = Vec::new();
                                if up.write_all(&closing(&req)).await.is_err() || up.read_to_end(&mut answer).await.is_err() {
                                    return;
                                }
                                answer
                            }
                        };
                        if client.write_all(&answer).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        MissingRoleGateway { port, refusals, missing, task }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The member role now exists in `account` (made by its owner).
    pub fn role_made_in(&self, account: &str) {
        self.missing.lock().unwrap().remove(account);
    }
}
