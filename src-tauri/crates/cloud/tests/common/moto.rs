//! A real moto server of a test's own: on a 127.0.0.1 port it binds itself, ready when its control
//! API answers, stopped by PID on drop. Std only, so the app crate's tests include this file too
//! (`#[path = "../crates/cloud/tests/common/moto.rs"] mod moto;`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL_HINT: &str =
    "moto is not installed: run `pip install 'moto[server]'` (CI installs it; these tests never pass without it)";

/// A moto server of our own; killed by PID on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
}

fn moto_command() -> Command {
    // Prefer the `moto_server` executable on PATH; fall back to `python3 -m moto.server`.
    let on_path = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join("moto_server").is_file())).unwrap_or(false);
    if on_path {
        return Command::new("moto_server");
    }
    let ok = Command::new("python3")
        .args(["-c", "import moto.server, flask"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        panic!("{INSTALL_HINT}");
    }
    let mut c = Command::new("python3");
    c.args(["-m", "moto.server"]);
    c
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Moto {
        // Port 0: the server binds a free port itself and prints it (" * Running on
        // http://127.0.0.1:PORT"). Choosing a free port first and handing it over raced: two tests
        // could be given the same one, and the second then talked to the first's server.
        let mut cmd = moto_command();
        cmd.args(["-H", "127.0.0.1", "-p", "0"]).stdout(Stdio::null()).stderr(Stdio::piped()).stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{INSTALL_HINT} ({e})"));
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the port, then keeps reading (the server logs every request there; a full pipe
        // would stop it).
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let port = line.split("Running on http://127.0.0.1:").nth(1).and_then(|p| p.trim().parse::<u16>().ok());
                if let Some(port) = port {
                    if let Some(t) = tx.take() {
                        let _ = t.send(port);
                    }
                }
            }
        });
        let port = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                panic!("moto_server did not start; {INSTALL_HINT}");
            }
        };
        let m = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if m.http("GET", "/moto-api/", "").is_ok() {
                return m;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("moto_server on port {port} did not answer; {INSTALL_HINT}");
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One plain HTTP/1.1 request to the server's control API.
    pub fn http(&self, method: &str, path: &str, body: &str) -> std::io::Result<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())?;
        let mut out = String::new();
        s.read_to_string(&mut out)?;
        if !out.starts_with("HTTP/1.1 200") && !out.starts_with("HTTP/1.0 200") {
            return Err(std::io::Error::other(out.lines().next().unwrap_or("").to_string()));
        }
        Ok(out)
    }

    pub fn reset(&self) {
        self.http("POST", "/moto-api/reset", "").expect("moto reset");
    }

    /// From now on, moto checks signatures and identity policies (auth mode).
    pub fn enable_auth(&self) {
        self.http("POST", "/moto-api/reset-auth", "0").expect("moto reset-auth");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // By PID: only the process this test started.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
