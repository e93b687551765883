//! docs/registry.md's offline registry, as the document says to run it: `scripts/local-registry.sh`
//! builds it FROM scratch out of Debian's package and runs it on loopback only; a release pushed
//! to it comes back by a pull; `stop` removes it.

use std::process::Command;

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().expect(cmd);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd} {args:?}: {said}");
    said
}

/// Removes what the test made, pass or fail.
struct Cleanup(String);
impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rmi", "-f", &self.0]).output();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/local-registry.sh"
        );
        let _ = Command::new(script).arg("stop").output();
    }
}

#[test]
fn a_release_pushed_to_the_offline_registry_comes_back_by_a_pull() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/local-registry.sh"
    );
    let name = format!(
        "127.0.0.1:5000/devloop-test-registry-{}:0.1.0",
        std::process::id()
    );
    let _cleanup = Cleanup(name.clone());
    assert!(run(script, &[]).contains("127.0.0.1:5000"));

    // Loopback only: the published port is bound to 127.0.0.1, nowhere else.
    let ports = run("docker", &["port", "devloop-registry", "5000/tcp"]);
    assert_eq!(ports.trim(), "127.0.0.1:5000", "{ports}");

    // Any small local image stands in for a release.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("/bin/busybox", dir.path().join("busybox")).unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT [\"/bin/busybox\"]\n",
    )
    .unwrap();
    run(
        "docker",
        &[
            "build",
            "-q",
            "-t",
            &name,
            &dir.path().display().to_string(),
        ],
    );
    run("docker", &["push", &name]);
    let pushed = run(
        "docker",
        &["image", "inspect", "--format", "{{.Id}}", &name],
    );
    run("docker", &["rmi", &name]);
    run("docker", &["pull", &name]);
    let pulled = run(
        "docker",
        &["image", "inspect", "--format", "{{.Id}}", &name],
    );
    assert_eq!(pulled, pushed, "the same image came back");
}
