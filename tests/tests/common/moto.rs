//! A real moto server of a test's own (`python3 -m moto.server`, installed by scripts/setup.sh):
//! a free 127.0.0.1 port, ready when its control API answers, stopped by PID on drop. Std only.
//! Include it with `#[path = "common/moto.rs"] mod moto;`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL_HINT: &str =
    "moto is required for this test: run scripts/setup.sh (it installs 'moto[server]'); these tests never pass without it";

/// A moto server of our own; killed by PID on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Moto {
    pub fn start(env: &[(&str, &str)]) -> Moto {
        let ok = Command::new("python3")
            .args(["-c", "import moto.server, flask, boto3, yaml"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "{INSTALL_HINT}");
        for _ in 0..3 {
            let port = free_port();
            let mut cmd = Command::new("python3");
            cmd.args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .stdin(Stdio::null());
            for (k, v) in env {
                cmd.env(k, v);
            }
            let child = cmd.spawn().unwrap_or_else(|e| panic!("{INSTALL_HINT} ({e})"));
            let mut m = Moto { child, port };
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = m.child.try_wait() {
                    eprintln!("moto exited early ({status}); retrying on another port");
                    break;
                }
                if m.get("/moto-api/").is_ok() {
                    return m;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("moto did not start; {INSTALL_HINT}");
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn get(&self, path: &str) -> std::io::Result<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut out = String::new();
        s.read_to_string(&mut out)?;
        if out.starts_with("HTTP/1.1 200") || out.starts_with("HTTP/1.0 200") {
            Ok(out)
        } else {
            Err(std::io::Error::other(out.lines().next().unwrap_or("").to_string()))
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // By PID: only the process this test started.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
