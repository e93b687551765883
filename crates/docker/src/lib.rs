//! The Docker Engine adapter: finds the daemon's socket and talks to it through bollard.
//!
//! Later stages (release, deploy, operate, monitor) share one cheap-to-clone [`Engine`].

pub mod build;
mod dockerignore;
mod endpoint;
mod engine;

pub use endpoint::Endpoint;
pub use engine::{Engine, EngineVersion, MIN_API_VERSION};

use std::path::PathBuf;

use devloop_base::finding::{self, Finding};
use devloop_base::{glob, Code, Error};

/// What can go wrong between DevLoop and the Docker daemon.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("no Docker socket at {0}: the Docker daemon is not running, or not installed")]
    SocketMissing(PathBuf),
    #[error("permission denied on {0}: this user may not use Docker")]
    PermissionDenied(PathBuf),
    #[error("nothing answers on {path}: the daemon stopped and left its socket behind ({source})")]
    NotListening {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "DOCKER_HOST={0} is not supported: use unix:///path/to/docker.sock or tcp://host:port"
    )]
    UnsupportedHost(String),
    #[error("the Docker daemon speaks API {found}, DevLoop needs {MIN_API_VERSION} or newer")]
    ApiTooOld { found: String },
    #[error("Docker API error: {0}")]
    Api(#[from] bollard::errors::Error),
}

/// The machine facts that decide which command fixes a missing daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    /// `dockerd` is installed.
    pub has_dockerd: bool,
    /// systemd runs services here (not the case in most containers and CI sandboxes).
    pub has_systemd: bool,
}

impl Host {
    /// Looks at this machine.
    pub fn probe() -> Host {
        let on_path = |name: &str| {
            std::env::var_os("PATH").is_some_and(|path| {
                std::env::split_paths(&path).any(|dir| dir.join(name).is_file())
            })
        };
        Host {
            has_dockerd: on_path("dockerd"),
            has_systemd: std::path::Path::new("/run/systemd/system").is_dir(),
        }
    }

    /// The command that gets a daemon running on this host.
    pub fn start_daemon_command(self) -> &'static str {
        match (self.has_dockerd, self.has_systemd) {
            (false, _) => "sudo apt-get install -y docker.io",
            (true, true) => "sudo systemctl start docker",
            (true, false) => "sudo sh -c 'dockerd > /var/log/dockerd.log 2>&1 &'",
        }
    }
}

impl DockerError {
    /// Turns this into the error the UI and CLI show, with the command that fixes it here.
    pub fn into_error(self, host: Host) -> Error {
        let message = self.to_string();
        let (code, found) = match &self {
            DockerError::SocketMissing(path) => (
                Code::DockerUnavailable,
                Finding::new("dockerSocketMissing").with("path", path.display()),
            ),
            DockerError::NotListening { path, .. } => (
                Code::DockerUnavailable,
                Finding::new("dockerNotListening").with("path", path.display()),
            ),
            DockerError::PermissionDenied(path) => (
                Code::DockerPermissionDenied,
                Finding::new("dockerDenied").with("path", path.display()),
            ),
            DockerError::UnsupportedHost(value) => (
                Code::DockerUnavailable,
                Finding::new("dockerHostUnsupported").with("value", value),
            ),
            DockerError::ApiTooOld { found } => (
                Code::DockerApiTooOld,
                Finding::new("dockerApiTooOld")
                    .with("found", found)
                    .with("needed", MIN_API_VERSION),
            ),
            // The engine's own words: DevLoop cannot say them better.
            DockerError::Api(e) => (
                Code::DockerUnavailable,
                Finding::new("dockerSaid").with("cause", e),
            ),
        };
        let error = Error::said(code, found, message);
        match self {
            DockerError::SocketMissing(_) | DockerError::NotListening { .. } => {
                error.with_fix(host.start_daemon_command())
            }
            DockerError::PermissionDenied(_) => {
                error.with_fix("sudo usermod -aG docker \"$USER\" && newgrp docker")
            }
            DockerError::UnsupportedHost(_) => error.with_fix("unset DOCKER_HOST"),
            DockerError::ApiTooOld { .. } => {
                error.with_fix("sudo apt-get install --only-upgrade docker.io")
            }
            DockerError::Api(_) => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fix_for_a_missing_daemon_fits_the_host() {
        let host = |has_dockerd, has_systemd| Host {
            has_dockerd,
            has_systemd,
        };
        assert_eq!(
            host(false, true).start_daemon_command(),
            "sudo apt-get install -y docker.io"
        );
        assert_eq!(
            host(true, true).start_daemon_command(),
            "sudo systemctl start docker"
        );
        assert!(host(true, false).start_daemon_command().contains("dockerd"));
    }

    #[test]
    fn permission_denied_maps_to_its_own_code_with_the_group_fix() {
        let err = DockerError::PermissionDenied("/var/run/docker.sock".into()).into_error(Host {
            has_dockerd: true,
            has_systemd: true,
        });
        assert_eq!(err.code, Code::DockerPermissionDenied);
        assert!(err.fix.unwrap().contains("usermod -aG docker"));
        assert!(err.message.contains("/var/run/docker.sock"));
    }
}
