//! Runs tauri-driver (which runs WebKitWebDriver) for one app launch, with that launch's environment.

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::webdriver::{Result, Session};

/// A running tauri-driver. The app inherits its environment, which is how each test gets its
/// own settings folder and locale. Dropping it stops the driver.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub fn start(env: &[(&str, &std::ffi::OsStr)]) -> Result<Driver> {
        // Both ports are taken before either is released, so they cannot come out equal.
        let (port, native_port) = two_free_ports()?;
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            // WebKit and GTK chatter drowns the test report; DEVLOOP_E2E_VERBOSE=1 shows it.
            .stderr(if std::env::var_os("DEVLOOP_E2E_VERBOSE").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            // Its own process group, so stopping it also stops the WebKitWebDriver it starts.
            .process_group(0)
            // The app runs a learner's commands (cargo in the workspace); a learner's machine
            // has no CARGO_TARGET_DIR of DevLoop's own build (CI sets one for it).
            .env_remove("CARGO_TARGET_DIR");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver (cargo install tauri-driver --locked --version '^2'): {e}"))?;
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("tauri-driver did not listen within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn two_free_ports() -> Result<(u16, u16)> {
    let a = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let b = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = |l: &TcpListener| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string());
    Ok((port(&a)?, port(&b)?))
}

/// A running DevLoop app and its driver. Fields drop in order: the session (closing the app)
/// before the driver.
#[derive(Debug)]
pub struct App {
    pub session: Session,
    _driver: Driver,
}

impl App {
    /// Launches `binary` with `env` added to this process's environment.
    /// A driver that fails to bring the app up (it happens, rarely, when WebKitWebDriver is
    /// slow to start on a loaded machine) gets one fresh retry before the test fails.
    pub fn launch(binary: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Result<App> {
        let mut last = String::new();
        for _ in 0..2 {
            let driver = Driver::start(env)?;
            match Session::start(&driver.url, &binary.display().to_string()) {
                Ok(session) => {
                    return Ok(App {
                        session,
                        _driver: driver,
                    })
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}
