//! A connection to one Docker daemon, with the API version negotiated down to what it speaks.

use bollard::{Docker, API_DEFAULT_VERSION};
use serde::Serialize;
use ts_rs::TS;

use super::{DockerError, Endpoint};

/// The oldest Engine API DevLoop drives (Docker 20.10, Debian 12's `docker.io`, speaks 1.41).
pub const MIN_API_VERSION: &str = "1.41";

/// Seconds before a request to the daemon gives up. The daemon is local, so anything slower
/// means it is stuck, and the learner should hear about it rather than wait.
const REQUEST_TIMEOUT_SECS: u64 = 10;

/// A connected daemon. Cheap to clone: clones share one HTTP client.
#[derive(Debug, Clone)]
pub struct Engine {
    docker: Docker,
    endpoint: Endpoint,
    /// The DevLoop this connection acts for (see `devloop_base::instance`): the replicas it makes
    /// carry it, and it touches no others. Empty until `owned_by`.
    owner: std::sync::Arc<str>,
}

/// What the daemon says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EngineVersion {
    /// Docker's release, e.g. `20.10.24+dfsg1`.
    pub version: String,
    /// The API version in use after negotiation, e.g. `1.41`.
    pub api_version: String,
    pub os: String,
    pub arch: String,
}

impl Engine {
    /// Connects and negotiates the API version. Failing early with a precise reason (no socket,
    /// no permission, stale socket) beats a generic HTTP error later.
    pub async fn connect(endpoint: Endpoint) -> Result<Engine, DockerError> {
        let docker = match &endpoint {
            Endpoint::Unix(path) => {
                if !path.exists() {
                    return Err(DockerError::SocketMissing(path.clone()));
                }
                if let Err(e) = tokio::net::UnixStream::connect(path).await {
                    return Err(match e.kind() {
                        std::io::ErrorKind::PermissionDenied => {
                            DockerError::PermissionDenied(path.clone())
                        }
                        _ => DockerError::NotListening {
                            path: path.clone(),
                            source: e,
                        },
                    });
                }
                Docker::connect_with_unix(
                    &path.to_string_lossy(),
                    REQUEST_TIMEOUT_SECS,
                    API_DEFAULT_VERSION,
                )?
            }
            Endpoint::Tcp(addr) => {
                Docker::connect_with_http(addr, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)?
            }
        };
        let docker = docker.negotiate_version().await?;
        Ok(Engine {
            docker,
            endpoint,
            owner: "".into(),
        })
    }

    /// The daemon this machine uses (`DOCKER_HOST`, else the usual sockets), or the error a
    /// person can act on, with the command that starts one here.
    pub async fn connect_here() -> Result<Engine, crate::Error> {
        let host = super::Host::probe();
        let endpoint = Endpoint::discover().map_err(|e| e.into_error(host))?;
        Engine::connect(endpoint)
            .await
            .map_err(|e| e.into_error(host))
    }

    /// The same daemon, acting for the DevLoop `owner` (its instance id).
    #[must_use]
    pub fn owned_by(mut self, owner: &str) -> Engine {
        self.owner = owner.into();
        self
    }

    /// The DevLoop this connection acts for.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Where this daemon listens.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The bollard client, for the adapters built on this one.
    pub fn client(&self) -> &Docker {
        &self.docker
    }

    /// Asks the daemon for its version and checks the API is new enough.
    pub async fn version(&self) -> Result<EngineVersion, DockerError> {
        let v = self.docker.version().await?;
        let negotiated = self.docker.client_version();
        let api_version = format!("{}.{}", negotiated.major_version, negotiated.minor_version);
        if !api_at_least(&api_version, MIN_API_VERSION) {
            return Err(DockerError::ApiTooOld { found: api_version });
        }
        Ok(EngineVersion {
            version: v.version.unwrap_or_default(),
            api_version,
            os: v.os.unwrap_or_default(),
            arch: v.arch.unwrap_or_default(),
        })
    }
}

/// Compares `major.minor` API versions numerically (1.9 is older than 1.41).
fn api_at_least(found: &str, min: &str) -> bool {
    let parse = |v: &str| -> Option<(u32, u32)> {
        let (major, minor) = v.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    };
    matches!((parse(found), parse(min)), (Some(f), Some(m)) if f >= m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions_compare_as_numbers_not_text() {
        assert!(api_at_least("1.41", "1.41"));
        assert!(api_at_least("1.53", "1.41"));
        assert!(!api_at_least("1.9", "1.41"));
        assert!(!api_at_least("1.40", "1.41"));
        assert!(!api_at_least("garbage", "1.41"));
    }
}
