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
        // Two in one test (a swarm's manager and its worker) need two bridges and subnets.
        static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) % 40;
        let bridge = format!("dlt{}n{n}", std::process::id() % 100_000);
        let subnet = format!("10.{}.{}.1/24", 213 + n, std::process::id() % 250);
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
        let mut bridges = Vec::new();
        if self.daemon.is_some() {
            // Its containers go with it; the folder holds everything else it made. A swarm is
            // left first: its services would start their tasks again.
            let host = self.host();
            let _ = Command::new("docker")
                .args(["-H", &host, "swarm", "leave", "--force"])
                .output();
            bridges = self.bridges();
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
        // Its networks' bridges are this machine's interfaces and outlive it: a swarm's
        // gateway bridge (which leaving a swarm keeps) and any network's. Only those it made
        // go: another daemon's, here before it started, stay.
        for name in bridges {
            if !self.interfaces.contains(&name) {
                let _ = Command::new("ip").args(["link", "del", &name]).output();
            }
        }
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
    /// The interfaces of its bridge networks other than its default one: the name a network
    /// gives its bridge (as `docker_gwbridge` does), else Docker's `br-` and twelve of its id.
    fn bridges(&self) -> Vec<String> {
        let ids = self.docker(&["network", "ls", "-q", "--filter", "driver=bridge"]);
        ids.split_whitespace()
            .filter_map(|id| {
                let line = self.docker(&[
                    "network",
                    "inspect",
                    "-f",
                    "{{.Id}} {{index .Options \"com.docker.network.bridge.name\"}}",
                    id,
                ]);
                let mut words = line.split_whitespace();
                let full = words.next()?;
                let named = words.next().filter(|n| *n != "<no" && *n != self.bridge);
                Some(named.map_or_else(|| format!("br-{}", &full[..12]), str::to_owned))
            })
            .filter(|name| *name != self.bridge)
            .collect()
    }

    /// Makes it a swarm of the learner's own (not DevLoop's), as `docker swarm init` does,
    /// advertised on loopback.
    #[allow(dead_code)] // Only the swarm tests make one.
    pub fn learners_swarm(&self) {
        let out = Command::new("docker")
            .args(["-H", &self.host(), "swarm", "init"])
            .args([
                "--advertise-addr",
                "127.0.0.1",
                "--listen-addr",
                "127.0.0.1:2377",
            ])
            .output()
            .expect("docker CLI");
        assert!(out.status.success(), "swarm init: {}", said(&out));
    }

    /// Joins `manager`'s swarm as a worker, listening on a port of its own (both daemons
    /// share this machine's addresses).
    #[allow(dead_code)] // Only the swarm tests make one.
    pub fn join_as_worker(&self, manager: &PrivateDocker) {
        let token = manager.docker(&["swarm", "join-token", "-q", "worker"]);
        let out = Command::new("docker")
            .args(["-H", &self.host(), "swarm", "join", "--token", &token])
            .args([
                "--listen-addr",
                "127.0.0.1:2378",
                "--advertise-addr",
                "127.0.0.1:2378",
            ])
            .arg("127.0.0.1:2377")
            .output()
            .expect("docker CLI");
        assert!(out.status.success(), "swarm join: {}", said(&out));
    }

    /// `docker stats`' own figures for container `name`: percent of one core, and MiB.
    #[allow(dead_code)] // Not every test that starts a daemon reads its statistics.
    pub fn stats(&self, name: &str) -> (f64, f64) {
        let line = self.docker(&[
            "stats",
            "--no-stream",
            "--format",
            "{{.CPUPerc}} {{.MemUsage}}",
            name,
        ]);
        let mut words = line.split_whitespace();
        let cpu: f64 = words.next().unwrap().trim_end_matches('%').parse().unwrap();
        let mem = words.next().unwrap();
        let split = mem.find(|c: char| c.is_ascii_alphabetic()).unwrap();
        let (n, unit) = mem.split_at(split);
        let scale = match unit {
            "B" => 1.0 / 1024.0 / 1024.0,
            "KiB" => 1.0 / 1024.0,
            "MiB" => 1.0,
            "GiB" => 1024.0,
            other => panic!("a unit docker stats does not use: {other} in {line}"),
        };
        (cpu, n.parse::<f64>().unwrap() * scale)
    }

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
