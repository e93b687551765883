//! What the tests share: the binaries under test, a fresh home per test, and the steps many tests take (open a lesson, commit, release the demo, wait for a state).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::driver::App;
use crate::webdriver::{self, Result};

pub(crate) const ESCAPE: &str = "\u{E00C}";

pub(crate) const ENTER: &str = "\u{E007}";

pub(crate) const ARROW_LEFT: &str = "\u{E012}";

pub(crate) const ARROW_RIGHT: &str = "\u{E014}";

pub(crate) const ARROW_UP: &str = "\u{E013}";

pub(crate) const STAGES: [&str; 8] = [
    "plan", "code", "build", "test", "release", "deploy", "operate", "monitor",
];

/// Where the binaries under test are: next to this one (`target/<profile>/`) unless overridden.
pub(crate) struct Binaries {
    pub(crate) app: PathBuf,
    pub(crate) cli: PathBuf,
}

impl Binaries {
    pub(crate) fn locate() -> Binaries {
        let dir = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let pick = |var: &str, name: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .unwrap_or_else(|| dir.join(name))
        };
        Binaries {
            app: pick("DEVLOOP_APP", "devloop-app"),
            cli: pick("DEVLOOP_CLI", "devloop"),
        }
    }
}

/// A fresh settings folder and workspace for one test.
pub(crate) struct Home {
    pub(crate) dir: tempfile::TempDir,
}

impl Home {
    pub(crate) fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    pub(crate) fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }
    pub(crate) fn workspace(&self) -> PathBuf {
        self.dir.path().join("DevLoop")
    }
    pub(crate) fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
    /// Launches the app with this home and `lang` as the OS locale, plus any `extra` variables.
    pub(crate) fn launch(&self, lang: &str, extra: &[(&str, &OsStr)]) -> Result<App> {
        let config = self.config();
        let workspace = self.workspace();
        let data = self.data();
        let mut env: Vec<(&str, &OsStr)> = vec![
            ("DEVLOOP_CONFIG_DIR", config.as_os_str()),
            ("DEVLOOP_WORKSPACE", workspace.as_os_str()),
            ("DEVLOOP_DATA_DIR", data.as_os_str()),
            ("LANG", OsStr::new(lang)),
            ("LC_ALL", OsStr::new(lang)),
        ];
        env.extend_from_slice(extra);
        App::launch(&Binaries::locate().app, &env)
    }

    /// `devloop …` in a terminal beside the app: the same home, the service at `addr`.
    pub(crate) fn devloop(&self, addr: &str, args: &[&str]) -> Result<String> {
        self.cli(args, &[("DEVLOOP_PROXY_ADDR", addr)])
    }

    /// `devloop args` on this home, as a learner's terminal runs it; fails unless it succeeds.
    pub(crate) fn cli(&self, args: &[&str], env: &[(&str, &str)]) -> Result<String> {
        let out = Command::new(Binaries::locate().cli)
            .args(args)
            .current_dir(self.workspace())
            .env("DEVLOOP_CONFIG_DIR", self.config())
            .env("DEVLOOP_WORKSPACE", self.workspace())
            .env("DEVLOOP_DATA_DIR", self.data())
            .envs(env.iter().copied())
            .output()
            .map_err(|e| e.to_string())?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        check(out.status.success(), format!("devloop {args:?}: {text}"))?;
        Ok(text)
    }
}

/// The shipped workshop's lessons, in its order.
pub(crate) const LESSONS: [&str; 12] = [
    "intro",
    "plan",
    "code",
    "build",
    "test",
    "continuous",
    "release",
    "deploy",
    "operate",
    "swarm",
    "monitor",
    "refine",
];

pub(crate) const TITLE_EN: &str = "The DevOps loop";

pub(crate) const TITLE_KO: &str = "데브옵스 루프";

/// Waits until the home screen's heading reads `title`: the quickest sign of the UI language.
pub(crate) fn home_title_is(s: &webdriver::Session, title: &str) -> Result<()> {
    s.wait_text(
        "[data-testid=home] h1",
        &format!("the title {title:?}"),
        |t| t == title,
    )
    .map(drop)
}

pub(crate) fn check(condition: bool, message: impl Into<String>) -> Result<()> {
    if condition {
        Ok(())
    } else {
        Err(message.into())
    }
}

/// Runs git in the learner's workspace, as the learner would in a terminal.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<()> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Learner")
        .env("GIT_AUTHOR_EMAIL", "learner@example.com")
        .env("GIT_COMMITTER_NAME", "Learner")
        .env("GIT_COMMITTER_EMAIL", "learner@example.com")
        .output()
        .map_err(|e| e.to_string())?;
    check(
        out.status.success(),
        format!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr)),
    )
}

pub(crate) fn step_status_is(s: &webdriver::Session, step: &str, status: &str) -> Result<()> {
    let css = format!("[data-testid=step-{step}]");
    s.wait(&format!("step {step} to be {status}"), || {
        let Some(el) = s.find_all(&css)?.into_iter().next() else {
            return Ok(None);
        };
        Ok((s.attribute(&el, "data-status")?.as_deref() == Some(status)).then_some(()))
    })
}

pub(crate) fn open_lesson(s: &webdriver::Session, lesson: &str) -> Result<()> {
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.click(&s.find(&format!("[data-testid=lesson-{lesson}]"))?)?;
    s.find(&format!(
        "[data-testid=lesson-page][data-lesson={lesson}] [data-testid=lesson-body]"
    ))
    .map(drop)
}

/// The workspace's workflows, written as the learner would, after the workshop created it.
pub(crate) fn with_workflow(
    home: &Home,
    s: &webdriver::Session,
    name: &str,
    yaml: &str,
) -> Result<()> {
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.find("[data-testid=lesson-intro]")?;
    std::fs::write(home.workspace().join(".github/workflows").join(name), yaml)
        .map_err(|e| e.to_string())?;
    s.click(&s.find("[data-testid=nav-pipeline]")?)?;
    Ok(())
}

/// Removes the demo images a test released, pass or fail; the test refuses to start where
/// such an image already exists, so nothing a learner made is touched.
pub(crate) struct DemoImages(pub(crate) Vec<String>);

impl Drop for DemoImages {
    fn drop(&mut self) {
        for image in &self.0 {
            let _ = Command::new("docker").args(["rmi", "-f", image]).output();
        }
    }
}

/// The demo's static binary, built in the workspace as the Release lesson does it.
/// A loopback address nothing listens on, for the app's deploy proxy in one test.
pub(crate) fn free_loopback_addr() -> Result<String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.to_string())
        .map_err(|e| e.to_string())
}

/// Releases the demo from the Releases page, as a learner would: nothing is built by hand
/// first, since the release builds its commit in a clean checkout. Returns the released
/// commit's short sha.
pub(crate) fn release_the_demo(home: &Home, s: &webdriver::Session) -> Result<String> {
    // The workshop makes the workspace.
    s.click(&s.find("[data-testid=nav-workshop]")?)?;
    s.find("[data-testid=lesson-intro]")?;
    let ws = home.workspace();
    let sha = String::from_utf8_lossy(
        &Command::new("git")
            .args(["rev-parse", "--short=7", "HEAD"])
            .current_dir(&ws)
            .output()
            .map_err(|e| e.to_string())?
            .stdout,
    )
    .trim()
    .to_owned();
    s.click(&s.find("[data-testid=nav-releases]")?)?;
    s.wait_text(
        "[data-testid=release-plan]",
        "the proposed first version",
        |t| t.contains("The next release of loop-service") && t.contains("No release yet"),
    )?;
    check(
        s.execute("return document.querySelector('[data-testid=release-version]').value;")?
            .as_str()
            == Some("0.1.0"),
        "0.1.0 is proposed",
    )?;
    s.click(&s.find("[data-testid=create-release]")?)?;
    s.wait_text("[data-testid=release-made]", "the release made", |t| {
        t.contains("loop-service 0.1.0 is released.")
    })?;
    s.wait_text(
        "[data-testid=releases-list]",
        "the release in the list",
        |t| t.contains("loop-service 0.1.0") && t.contains(&sha),
    )?;
    Ok(sha)
}

/// Removes the containers a test deployed, pass or fail: only DevLoop's (the deploy label).
pub(crate) struct DemoContainers;

impl Drop for DemoContainers {
    fn drop(&mut self) {
        let ids = Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                "label=dev.devloop.app=loop-service",
                "--filter",
                "label=dev.devloop.deploy",
            ])
            .output();
        if let Ok(ids) = ids {
            for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
                let _ = Command::new("docker").args(["rm", "-f", id]).output();
            }
        }
    }
}

/// Writes what went well and one improvement in the Refine page's retrospective.
pub(crate) fn retro_notes(s: &webdriver::Session, well: &str, improve: &str) -> Result<()> {
    s.type_text(&s.find("[data-testid=note-well]")?, well)?;
    s.click(&s.find("[data-testid=note-add-well]")?)?;
    s.type_text(&s.find("[data-testid=note-improve]")?, improve)?;
    s.click(&s.find("[data-testid=note-add-improve]")?)
}

/// The real app on a home of its own, its service on a free loopback address, for tests that
/// deploy the demo. Fields drop in order: the app goes first, so it cannot heal what the
/// guards then remove.
pub(crate) struct DemoApp {
    pub(crate) app: App,
    pub(crate) home: Home,
    pub(crate) addr: String,
    pub(crate) _containers: DemoContainers,
    pub(crate) _images: AllDemoImages,
}

impl DemoApp {
    pub(crate) fn launch() -> Result<DemoApp> {
        DemoApp::launch_with(&[])
    }

    /// The same, with more variables for the app.
    pub(crate) fn launch_with(extra: &[(&str, &OsStr)]) -> Result<DemoApp> {
        DemoApp::launch_in("en_US.UTF-8", extra)
    }

    /// The same, with `lang` as the OS locale.
    pub(crate) fn launch_in(lang: &str, extra: &[(&str, &OsStr)]) -> Result<DemoApp> {
        demo_is_free()?;
        let (images, containers) = (AllDemoImages, DemoContainers);
        let addr = free_loopback_addr()?;
        let home = Home::new();
        let mut env = vec![("DEVLOOP_PROXY_ADDR", OsStr::new(&addr))];
        env.extend_from_slice(extra);
        let app = home.launch(lang, &env)?;
        Ok(DemoApp {
            app,
            home,
            addr,
            _containers: containers,
            _images: images,
        })
    }
}

/// Refuses to start where a learner's `loop-service` image or container exists: these tests
/// remove every one of them when they end.
pub(crate) fn demo_is_free() -> Result<()> {
    for args in [
        &["images", "-q", "loop-service"][..],
        &[
            "ps",
            "-aq",
            "--filter",
            "label=dev.devloop.app=loop-service",
        ][..],
    ] {
        let out = Command::new("docker")
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        check(
            out.stdout.is_empty(),
            "loop-service images or containers exist on this machine; this test will not touch them",
        )?;
    }
    Ok(())
}

/// Removes every `loop-service` image a test made, pass or fail (the test refuses to start
/// where one already exists, so none is a learner's).
pub(crate) struct AllDemoImages;

impl Drop for AllDemoImages {
    fn drop(&mut self) {
        if let Ok(out) = Command::new("docker")
            .args([
                "images",
                "--format",
                "{{.Repository}}:{{.Tag}}",
                "loop-service",
            ])
            .output()
        {
            for image in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = Command::new("docker").args(["rmi", "-f", image]).output();
            }
        }
    }
}

pub(crate) fn save(dir: &Path, name: &str, png: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(name), png).map_err(|e| format!("{}: {e}", dir.join(name).display()))
}

pub(crate) fn job_state_is(
    s: &webdriver::Session,
    scope: &str,
    job: &str,
    state: &str,
) -> Result<()> {
    let css = format!("{scope} [data-testid=job-{job}]");
    s.wait(&format!("job {job} to be {state}"), || {
        let Some(el) = s.find_all(&css)?.into_iter().next() else {
            return Ok(None);
        };
        Ok((s.attribute(&el, "data-state")?.as_deref() == Some(state)).then_some(()))
    })
}

/// A session bus of the test's own, with a monitor that writes down every desktop
/// notification sent on it: the app's notifications, seen where a notification daemon would
/// receive them (none runs under Xvfb).
pub(crate) struct NotificationBus {
    pub(crate) address: String,
    pub(crate) daemon: std::process::Child,
    pub(crate) monitor: std::process::Child,
    pub(crate) seen: tempfile::NamedTempFile,
}

impl NotificationBus {
    pub(crate) fn start() -> Result<NotificationBus> {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(std::process::Stdio::piped())
            // It says it may not raise its file limit, which does not matter here.
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-daemon (apt-get install dbus-daemon): {e}"))?;
        let mut address = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(daemon.stdout.take().ok_or("no stdout")?),
            &mut address,
        )
        .map_err(|e| e.to_string())?;
        let address = address.trim().to_owned();
        let seen = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        let monitor = Command::new("dbus-monitor")
            .args([
                "--address",
                &address,
                "interface='org.freedesktop.Notifications'",
            ])
            .stdout(seen.reopen().map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| format!("dbus-monitor (apt-get install dbus-bin): {e}"))?;
        // The monitor is listening once it has said hello on the bus.
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok(NotificationBus {
            address,
            daemon,
            monitor,
            seen,
        })
    }

    /// Everything sent to the notification service so far.
    pub(crate) fn said(&self) -> String {
        std::fs::read_to_string(self.seen.path()).unwrap_or_default()
    }
}

impl Drop for NotificationBus {
    fn drop(&mut self) {
        let _ = self.monitor.kill();
        let _ = self.monitor.wait();
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
