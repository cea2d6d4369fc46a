//! The loopback HTTP/1.1 server every test double runs on (one request per connection), with the
//! request as recorded and the response to send. Needs only tokio, so other crates' tests include it
//! (with `aws_sso.rs`) by path.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(&k.to_ascii_lowercase()).map(String::as_str)
    }
    pub fn bearer(&self) -> Option<&str> {
        self.header("authorization").and_then(|h| h.strip_prefix("Bearer "))
    }
    pub fn form(&self) -> BTreeMap<String, String> {
        String::from_utf8_lossy(&self.body)
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (pct_decode(k), pct_decode(v)))
            .collect()
    }
}

pub fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub fn json(status: u16, v: serde_json::Value) -> Response {
    Response { status, headers: vec![("content-type".into(), "application/json".into())], body: v.to_string() }
}

type Handler = Arc<dyn Fn(Request) -> Response + Send + Sync>;

/// A minimal HTTP/1.1 server on a free 127.0.0.1 port (one request per connection). Stops when dropped.
pub struct Double {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
    /// How many requests are answered at once (a test sets `hold_ms` to make them overlap).
    pub load: Arc<Load>,
    task: tokio::task::JoinHandle<()>,
}

/// Each request is held `hold_ms` before it is answered (0: none), or longer where [`Load::hold_on`]
/// says; `most` is the largest number of requests the double held at the same moment, `most_of`
/// the same for one method's (the writes).
#[derive(Default)]
pub struct Load {
    pub hold_ms: AtomicU64,
    /// ("METHOD /path prefix", ms): such a request is held that long instead.
    held_on: Mutex<Vec<(String, u64)>>,
    in_flight: AtomicUsize,
    most: AtomicUsize,
    /// By method: (held now, most at once).
    methods: Mutex<BTreeMap<String, (usize, usize)>>,
}

impl Load {
    pub fn most(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }
    pub fn most_of(&self, method: &str) -> usize {
        self.methods.lock().unwrap().get(method).map_or(0, |m| m.1)
    }
    /// Holds the requests whose "METHOD path" starts with `what` for `ms` before answering them.
    pub fn hold_on(&self, what: &str, ms: u64) {
        self.held_on.lock().unwrap().push((what.to_string(), ms));
    }
    fn hold(&self, method: &str, path: &str) -> u64 {
        let request = format!("{method} {path}");
        let on = self.held_on.lock().unwrap().iter().find(|(what, _)| request.starts_with(what.as_str())).map(|(_, ms)| *ms);
        on.unwrap_or_else(|| self.hold_ms.load(Ordering::SeqCst))
    }
    /// Counts again from now.
    pub fn reset(&self) {
        self.most.store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
        for m in self.methods.lock().unwrap().values_mut() {
            m.1 = m.0;
        }
    }
    fn enter(&self, method: &str) {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let mut methods = self.methods.lock().unwrap();
        let m = methods.entry(method.to_string()).or_default();
        m.0 += 1;
        m.1 = m.1.max(m.0);
    }
    fn leave(&self, method: &str) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Some(m) = self.methods.lock().unwrap().get_mut(method) {
            m.0 -= 1;
        }
    }
}

impl Drop for Double {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn serve(handler: impl Fn(Request) -> Response + Send + Sync + 'static) -> Double {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handler: Handler = Arc::new(handler);
    let requests = Arc::new(Mutex::new(Vec::new()));
    let reqs = requests.clone();
    let load = Arc::new(Load::default());
    let held = load.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let handler = handler.clone();
            let reqs = reqs.clone();
            let load = held.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut tmp = [0u8; 8192];
                let head_end = loop {
                    let Ok(n) = sock.read(&mut tmp).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&tmp[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or_default().split(' ');
                let method = first.next().unwrap_or_default().to_string();
                let path = first.next().unwrap_or_default().to_string();
                let headers: BTreeMap<String, String> =
                    lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
                let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                while buf.len() < head_end + len {
                    let Ok(n) = sock.read(&mut tmp).await else { return };
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&tmp[..n]);
                }
                let req = Request { method, path, headers, body: buf[head_end..].to_vec() };
                reqs.lock().unwrap().push(req.clone());
                let method = req.method.clone();
                load.enter(&method);
                let hold = load.hold(&req.method, &req.path);
                if hold > 0 {
                    tokio::time::sleep(Duration::from_millis(hold)).await;
                }
                let r = handler(req);
                load.leave(&method);
                let mut out = format!("HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n", r.status, r.body.len());
                for (k, v) in &r.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&r.body);
                let _ = sock.write_all(out.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Double { url, requests, load, task }
}
