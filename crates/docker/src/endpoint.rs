//! Where the Docker daemon listens: `DOCKER_HOST`, else the first socket that exists.

use std::fmt;
use std::path::{Path, PathBuf};

use super::DockerError;

/// An address of a Docker daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A Unix socket (the normal case on Linux).
    Unix(PathBuf),
    /// `tcp://host:port`, plain HTTP: only sensible on loopback.
    Tcp(String),
}

/// The system socket: the default when nothing else is found, so the error names it.
const SYSTEM_SOCKET: &str = "/var/run/docker.sock";

impl Endpoint {
    /// Finds the daemon from this process's environment.
    pub fn discover() -> Result<Endpoint, DockerError> {
        let docker_host = std::env::var("DOCKER_HOST").ok();
        Self::discover_from(docker_host.as_deref(), dirs::home_dir().as_deref(), |p| {
            p.exists()
        })
    }

    /// The discovery rule, kept pure for tests: `DOCKER_HOST` wins; else the system socket,
    /// then Docker Desktop's per-user one (`~/.docker/run/docker.sock`); else the system
    /// socket, so the error message names the usual place.
    pub fn discover_from(
        docker_host: Option<&str>,
        home: Option<&Path>,
        exists: impl Fn(&Path) -> bool,
    ) -> Result<Endpoint, DockerError> {
        if let Some(host) = docker_host.map(str::trim).filter(|h| !h.is_empty()) {
            return if let Some(path) = host.strip_prefix("unix://") {
                Ok(Endpoint::Unix(PathBuf::from(path)))
            } else if host.starts_with("tcp://") || host.starts_with("http://") {
                Ok(Endpoint::Tcp(host.to_owned()))
            } else {
                Err(DockerError::UnsupportedHost(host.to_owned()))
            };
        }
        let candidates = std::iter::once(PathBuf::from(SYSTEM_SOCKET))
            .chain(home.map(|h| h.join(".docker/run/docker.sock")));
        Ok(Endpoint::Unix(
            candidates
                .into_iter()
                .find(|p| exists(p))
                .unwrap_or_else(|| PathBuf::from(SYSTEM_SOCKET)),
        ))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp(addr) => f.write_str(addr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &Path) -> bool {
        false
    }

    #[test]
    fn docker_host_wins_over_sockets_on_disk() {
        let ep = Endpoint::discover_from(Some("unix:///tmp/d.sock"), None, |_| true).unwrap();
        assert_eq!(ep, Endpoint::Unix("/tmp/d.sock".into()));
        let ep = Endpoint::discover_from(Some("tcp://127.0.0.1:2375"), None, none).unwrap();
        assert_eq!(ep, Endpoint::Tcp("tcp://127.0.0.1:2375".into()));
    }

    #[test]
    fn ssh_hosts_are_refused_with_the_value_named() {
        let err = Endpoint::discover_from(Some("ssh://me@box"), None, none).unwrap_err();
        assert!(err.to_string().contains("ssh://me@box"), "{err}");
    }

    #[test]
    fn the_desktop_socket_is_used_when_the_system_one_is_missing() {
        let home = Path::new("/home/learner");
        let ep = Endpoint::discover_from(None, Some(home), |p| {
            p == Path::new("/home/learner/.docker/run/docker.sock")
        })
        .unwrap();
        assert_eq!(
            ep.to_string(),
            "unix:///home/learner/.docker/run/docker.sock"
        );
    }

    #[test]
    fn with_no_socket_anywhere_the_system_path_is_named() {
        let ep = Endpoint::discover_from(Some("  "), Some(Path::new("/h")), none).unwrap();
        assert_eq!(ep, Endpoint::Unix(SYSTEM_SOCKET.into()));
    }
}
