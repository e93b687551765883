//! Docker checks against the real daemon, with a container this test builds, starts and removes.
//!
//! The image is `FROM scratch` around Debian's static busybox: nothing is pulled.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use devloop_engine::check::{Outcome, Spec};

const IMAGE: &str = "devloop-test/busybox:checks";

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn build_image() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("/bin/busybox", dir.path().join("busybox"))
        .expect("busybox-static is installed by scripts/deps.sh test");
    std::fs::write(dir.path().join("index.html"), "ok\n").unwrap();
    // busybox picks its applet from argv[0]: the copy at /bin/sh is the shell health checks need.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY busybox /bin/sh\nCOPY index.html /www/index.html\nENTRYPOINT [\"/bin/busybox\"]\n",
    )
    .unwrap();
    docker(&[
        "build",
        "-q",
        "-t",
        IMAGE,
        &dir.path().display().to_string(),
    ]);
}

/// Removes the container when the test ends, pass or fail.
struct Container(String);
impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "-f", &self.0]).output();
    }
}

async fn check(spec: Spec) -> Outcome {
    spec.evaluate(&devloop_engine::check::Context {
        workspace: Path::new("/").into(),
        database: None,
    })
    .await
}

#[tokio::test]
async fn image_container_health_and_port_checks_see_the_real_engine() {
    build_image();
    let name = format!("devloop-test-checks-{}", std::process::id());
    let _guard = Container(name.clone());

    assert_eq!(
        check(Spec::DockerImageExists {
            image: IMAGE.into()
        })
        .await,
        Outcome::Pass
    );
    assert!(matches!(
        check(Spec::DockerImageExists {
            image: "devloop-test/none:0".into()
        })
        .await,
        Outcome::Fail { .. }
    ));
    assert!(matches!(
        check(Spec::DockerContainerRunning {
            name: Some(name.clone()),
            label: None
        })
        .await,
        Outcome::Fail { .. }
    ));

    docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        "devloop.test=checks",
        "-p",
        "127.0.0.1::8080",
        "--health-cmd",
        "/bin/busybox wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1",
        "--health-interval",
        "1s",
        IMAGE,
        "httpd",
        "-f",
        "-p",
        "8080",
        "-h",
        "/www",
    ]);

    assert_eq!(
        check(Spec::DockerContainerRunning {
            name: Some(name.clone()),
            label: None
        })
        .await,
        Outcome::Pass
    );
    assert_eq!(
        check(Spec::DockerContainerRunning {
            name: None,
            label: Some("devloop.test=checks".into())
        })
        .await,
        Outcome::Pass
    );
    // A prefix of the name is not the name.
    assert!(matches!(
        check(Spec::DockerContainerRunning {
            name: Some("devloop-test".into()),
            label: None
        })
        .await,
        Outcome::Fail { .. }
    ));
    assert_eq!(
        check(Spec::DockerPortPublished {
            name: name.clone(),
            port: 8080,
            host_ip: Some("127.0.0.1".into()),
            host_port: None,
        })
        .await,
        Outcome::Pass
    );
    // Published on loopback, but on a port the engine picked, not the one the lesson names.
    let Outcome::Fail { hint, .. } = check(Spec::DockerPortPublished {
        name: name.clone(),
        port: 8080,
        host_ip: Some("127.0.0.1".into()),
        host_port: Some(1),
    })
    .await
    else {
        panic!("port 1 is never the engine's pick")
    };
    assert!(hint.contains("publishes port 8080 on 127.0.0.1:"), "{hint}");
    assert!(hint.contains("`-p 127.0.0.1:1:8080`"), "{hint}");
    assert!(matches!(
        check(Spec::DockerPortPublished {
            name: name.clone(),
            port: 9090,
            host_ip: None,
            host_port: None,
        })
        .await,
        Outcome::Fail { .. }
    ));

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match check(Spec::DockerContainerHealthy { name: name.clone() }).await {
            Outcome::Pass => break,
            other if Instant::now() > deadline => panic!("never healthy: {other:?}"),
            _ => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }

    docker(&["stop", "-t", "0", &name]);
    let Outcome::Fail { hint, .. } =
        check(Spec::DockerContainerHealthy { name: name.clone() }).await
    else {
        panic!("a stopped container is not healthy")
    };
    assert!(hint.contains("not running"), "{hint}");
}
