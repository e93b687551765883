//! A learner's home for tests that drive `devloop serve` and `devloop deploy`: data, settings,
//! a repository with a web service in it and a free address, with every container and image
//! of its app removed at the end.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::private_docker::said;

/// A learner's home: data, settings, a repository with a web service in it, a free address.
pub struct Home {
    pub dir: tempfile::TempDir,
    pub repo: PathBuf,
    pub app: String,
    pub addr: String,
    pub docker_host: Option<String>,
}

impl Home {
    pub fn new(app: &str, docker_host: Option<String>) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join(app);
        std::fs::create_dir_all(repo.join("www")).unwrap();
        std::fs::copy("/bin/busybox", repo.join("busybox")).unwrap();
        std::fs::write(
            repo.join("Dockerfile"),
            "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nENTRYPOINT [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n",
        )
        .unwrap();
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .to_string();
        let home = Home {
            dir,
            repo,
            app: app.to_owned(),
            addr,
            docker_host,
        };
        home.git(&["init", "-q", "-b", "main"]);
        home
    }

    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.repo)
            .env("DEVLOOP_DATA_DIR", self.dir.path().join("data"))
            .env("DEVLOOP_CONFIG_DIR", self.dir.path().join("config"))
            .env("DEVLOOP_WORKSPACE", &self.repo)
            .env("DEVLOOP_PROXY_ADDR", &self.addr)
            .env_remove("CARGO_TARGET_DIR");
        match &self.docker_host {
            Some(h) => cmd.env("DOCKER_HOST", h),
            None => cmd.env_remove("DOCKER_HOST"),
        };
        cmd
    }

    pub fn devloop_cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_devloop"));
        cmd.args(args);
        cmd
    }

    pub fn devloop(&self, args: &[&str]) -> Output {
        self.devloop_cmd(args).output().unwrap()
    }

    /// `devloop …` that must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.devloop(args);
        assert!(out.status.success(), "devloop {args:?}: {}", said(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn git(&self, args: &[&str]) {
        let out = self
            .command("git")
            .args(["-c", "user.name=L", "-c", "user.email=l@x"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", said(&out));
    }

    /// Two releases: 0.1.0 answers `v1` and is healthy; 0.2.0 answers `v2` but has no
    /// `/health`, so its deploy waits out the start period (the window to break things in).
    pub fn release_two(&self) {
        self.release("v1", true);
        self.release("v2", false);
    }

    /// Commits a site that answers `body` (and `/health` when `healthy`), and releases it.
    pub fn release(&self, body: &str, healthy: bool) {
        std::fs::write(self.repo.join("www/index.html"), format!("{body}\n")).unwrap();
        let health = self.repo.join("www/health");
        if healthy {
            std::fs::write(&health, "ok\n").unwrap();
        } else {
            let _ = std::fs::remove_file(&health);
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-qm", &format!("feat: answer {body}")]);
        self.ok(&["release"]);
    }

    /// `devloop serve`, once it says it serves.
    pub fn serve(&self) -> (Child, String) {
        let mut child = self
            .devloop_cmd(&["serve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let said = read_until(&mut child, "serving ");
        (child, said)
    }

    pub fn body(&self) -> String {
        let out = Command::new("curl")
            .args(["-s", "--max-time", "3", &format!("http://{}/", self.addr)])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn docker(&self, args: &[&str]) -> String {
        let out = self.command("docker").args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Every container DevLoop started for the app, as `version state` lines.
    pub fn containers(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .docker(&[
                "ps",
                "-a",
                "--filter",
                &format!("label=dev.devloop.app={}", self.app),
                "--filter",
                "label=dev.devloop.deploy",
                "--format",
                "{{.Label \"dev.devloop.version\"}} {{.State}}",
            ])
            .lines()
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    }

    pub fn history(&self) -> devloop_engine::store::Store {
        devloop_engine::store::Store::open(&self.dir.path().join("data/devloop.sqlite")).unwrap()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        for id in self
            .docker(&[
                "ps",
                "-aq",
                "--filter",
                &format!("label=dev.devloop.app={}", self.app),
            ])
            .split_whitespace()
        {
            self.docker(&["rm", "-f", id]);
        }
        // Every tag of the test's own app: a release tags its image with the version and the
        // commit's short sha, and removing only the version left the image behind.
        for id in self
            .docker(&[
                "images",
                "-q",
                "--filter",
                &format!("reference={}", self.app),
            ])
            .split_whitespace()
        {
            self.docker(&["rmi", "-f", id]);
        }
    }
}

/// Kills a child process at the end, pass or fail.
pub struct Killed(pub Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads `child`'s output until a line contains `wanted`; everything read so far.
pub fn read_until(child: &mut Child, wanted: &str) -> String {
    read_until_any(child, &[wanted])
}

/// Reads `child`'s output until a line contains one of `wanted`; everything read so far.
pub fn read_until_any(child: &mut Child, wanted: &[&str]) -> String {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if wanted.iter().any(|w| line.contains(w)) {
                    return seen;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    panic!("{wanted:?} never came; the output was:\n{seen}");
}
