//! Is the Docker engine reachable, and which version and API does it speak?

use serde::Serialize;
use ts_rs::TS;

use super::Status;
use crate::docker::{DockerError, Endpoint, Engine, Host};
use crate::Error;

/// The Docker engine as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DockerCheck {
    pub status: Status,
    /// Where DevLoop looked, e.g. `unix:///var/run/docker.sock`.
    pub endpoint: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<crate::docker::EngineVersion>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Error>,
}

/// Connects to the daemon at `endpoint` (as discovered) and asks for its version.
pub(super) async fn check(endpoint: Result<Endpoint, DockerError>) -> DockerCheck {
    let shown = match &endpoint {
        Ok(ep) => ep.to_string(),
        Err(_) => std::env::var("DOCKER_HOST").unwrap_or_default(),
    };
    let result = async { Engine::connect(endpoint?).await?.version().await }.await;
    match result {
        Ok(version) => DockerCheck {
            status: Status::Pass,
            endpoint: shown,
            version: Some(version),
            problem: None,
        },
        Err(e) => DockerCheck {
            status: Status::Fail,
            endpoint: shown,
            version: None,
            problem: Some(e.into_error(Host::probe())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    #[tokio::test]
    async fn a_missing_socket_fails_with_the_path_and_a_command_to_fix_it() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("docker.sock");
        let check = check(Ok(Endpoint::Unix(socket.clone()))).await;
        assert_eq!(check.status, Status::Fail);
        let problem = check.problem.unwrap();
        assert_eq!(problem.code, Code::DockerUnavailable);
        assert!(
            problem.message.contains(&socket.display().to_string()),
            "{problem:?}"
        );
        assert!(problem.fix.is_some());
    }

    #[tokio::test]
    async fn a_stale_socket_nobody_listens_on_is_told_apart_from_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("docker.sock");
        // Bind then drop: the socket file stays, but nothing accepts on it.
        drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
        let check = check(Ok(Endpoint::Unix(socket))).await;
        let problem = check.problem.unwrap();
        assert_eq!(problem.code, Code::DockerUnavailable);
        assert!(problem.message.contains("nothing answers"), "{problem:?}");
    }
}
