//! A dockerd of a test's own (socket, data, exec root and a bridge in a temporary folder), so
//! tests can stop and restart a daemon without touching the machine's. Needs root and dockerd.

// Each test file uses some of this.
#![allow(dead_code)]

use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

pub fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn eventually(what: &str, f: impl FnMut() -> bool) {
    eventually_seen(what, f, String::new);
}

/// The same, saying in its failure what `seen` last saw: a state that never settles is a
/// defect to read, not a timeout to raise.
pub fn eventually_seen(what: &str, mut f: impl FnMut() -> bool, seen: impl Fn() -> String) {
    let deadline = Instant::now() + Duration::from_secs(45);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("{what} did not happen within 45 s; last seen: {}", seen());
}

/// A dockerd of the test's own: socket, data, exec root and bridge in a temporary folder.
pub struct PrivateDocker {
    dir: tempfile::TempDir,
    bridge: String,
    daemon: Option<Child>,
    /// This machine's network interfaces before the daemon started.
    interfaces: Vec<String>,
}

/// The names of this machine's network interfaces.
fn interfaces() -> Vec<String> {
    std::fs::read_dir("/sys/class/net")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

impl PrivateDocker {
    pub fn start_new() -> PrivateDocker {
        // Short: interface names have 15 characters, sockets 108.
        let dir = tempfile::Builder::new()
            .prefix("dl")
            .tempdir_in("/tmp")
            .unwrap();
        let bridge = format!("dlt{}", std::process::id() % 100_000);
        let subnet = format!("10.213.{}.1/24", std::process::id() % 250);
        for args in [
            vec!["link", "add", &bridge, "type", "bridge"],
            vec!["addr", "add", &subnet, "dev", &bridge],
            vec!["link", "set", &bridge, "up"],
        ] {
            let out = Command::new("ip").args(&args).output().expect("ip");
            assert!(
                out.status.success(),
                "ip {args:?} (this test needs root): {}",
                said(&out)
            );
        }
        let mut d = PrivateDocker {
            dir,
            bridge,
            daemon: None,
            interfaces: interfaces(),
        };
        d.start();
        d
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.dir.path().join("d.sock").display())
    }

    pub fn start(&mut self) {
        let p = |name: &str| self.dir.path().join(name);
        let log = std::fs::File::create(p("dockerd.log")).unwrap();
        let child = Command::new("dockerd")
            .arg("--host")
            .arg(self.host())
            .arg("--data-root")
            .arg(p("data"))
            .arg("--exec-root")
            .arg(p("x"))
            .arg("--pidfile")
            .arg(p("d.pid"))
            .args([
                "--bridge",
                &self.bridge,
                "--iptables=false",
                "--ip6tables=false",
            ])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("dockerd (apt-get install docker.io)");
        self.daemon = Some(child);
        let host = self.host();
        eventually("the private dockerd answering", || {
            Command::new("docker")
                .args(["-H", &host, "version"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
    }

    /// Stops it as a service manager would (SIGTERM), and waits until it has.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateDocker {
    fn drop(&mut self) {
        if self.daemon.is_some() {
            // Its containers go with it; the folder holds everything else it made. A swarm is
            // left first: its services would start their tasks again, and its networks are
            // bridges on this machine that would outlive the daemon.
            let host = self.host();
            let swarm = self.docker(&["info", "--format", "{{.Swarm.LocalNodeState}}"]);
            let _ = Command::new("docker")
                .args(["-H", &host, "swarm", "leave", "--force"])
                .output();
            if swarm == "active" {
                // A swarm's bridges (its gateway bridge, its networks') are this machine's
                // interfaces, and a daemon stopped soon after leaving may not have removed
                // them. Only one swarm test runs at a time (one port, 2377), so the new ones
                // are this daemon's.
                self.stop();
                for name in interfaces() {
                    let swarms = name == "docker_gwbridge" || name.starts_with("br-");
                    if swarms && !self.interfaces.contains(&name) {
                        let _ = Command::new("ip").args(["link", "del", &name]).output();
                    }
                }
            }
            if let Ok(out) = Command::new("docker")
                .args(["-H", &host, "ps", "-aq"])
                .output()
            {
                for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("docker")
                        .args(["-H", &host, "rm", "-f", id])
                        .output();
                }
            }
        }
        self.stop();
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .output();
        let _ = Command::new("umount")
            .args(["-R"])
            .arg(self.dir.path().join("data"))
            .output();
    }
}

impl PrivateDocker {
    /// `docker -H <this daemon> args…`, its standard output.
    pub fn docker(&self, args: &[&str]) -> String {
        let out = Command::new("docker")
            .args(["-H", &self.host()])
            .args(args)
            .output()
            .expect("docker CLI");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}
