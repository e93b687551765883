//! Times `devloop run` on the demo workflow against a bash script doing the same work (clone
//! the commit, build; clone, test), the runner's cost per step with 100 trivial steps, and
//! `devloop workflow check` of a hostile file: 5,000 jobs in one `needs` chain.
//! Medians of several runs; warm caches, because a learner's second run is the usual one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clap::Parser;

#[derive(Debug, Parser)]
struct Args {
    /// The `devloop` binary.
    #[arg(long)]
    devloop: PathBuf,
    /// The pack whose demo project is used.
    #[arg(long)]
    pack: PathBuf,
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

fn main() {
    let mut args = Args::parse();
    // Runs happen in other folders: resolve the paths once.
    args.devloop = std::fs::canonicalize(&args.devloop).expect("the devloop binary exists");
    args.pack = std::fs::canonicalize(&args.pack).expect("the pack exists");
    let home = tempfile::tempdir().expect("temp dir");
    let ws = home.path().join("ws");
    let ok = Command::new(&args.devloop)
        .args(["workspace", "reset", &args.pack.display().to_string()])
        .env("DEVLOOP_WORKSPACE", &ws)
        .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
        .status()
        .expect("devloop");
    assert!(ok.success(), "workspace reset failed");

    let devloop = |dir: &Path, workflow: &str| {
        let status = Command::new(&args.devloop)
            .arg("run")
            // The demo also ships delivery.yml; the one compared is ci.yml.
            .args(["--workflow", workflow])
            .current_dir(dir)
            .env("DEVLOOP_CONFIG_DIR", home.path().join("config"))
            .env("DEVLOOP_DATA_DIR", home.path().join("data"))
            .env_remove("CARGO_TARGET_DIR")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("devloop run");
        assert!(status.success(), "devloop run failed");
    };
    let bash = |script: &str, dir: &Path| {
        let status = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(dir)
            .env_remove("CARGO_TARGET_DIR")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("bash");
        assert!(status.success(), "the bash baseline failed");
    };

    // The same work as the demo workflow: each job checks out the commit and runs its command.
    let baseline = format!(
        "rm -rf {b}/b {b}/t && git clone -q {ws} {b}/b && (cd {b}/b && cargo build --release --locked -q) && git clone -q {ws} {b}/t && (cd {b}/t && cargo test --locked -q)",
        b = home.path().join("bash").display(),
        ws = ws.display()
    );
    std::fs::create_dir_all(home.path().join("bash")).expect("dir");
    let demo_devloop = median(args.runs, || devloop(&ws, ".github/workflows/ci.yml"));
    let demo_bash = median(args.runs, || bash(&baseline, &ws));

    // 100 trivial steps in one job, against bash starting `true` 100 times the same way.
    let many = home.path().join("many");
    std::fs::create_dir_all(many.join(".github/workflows")).expect("dir");
    let steps: String = (0..100).map(|_| "      - run: \"true\"\n").collect();
    std::fs::write(
        many.join(".github/workflows/many.yml"),
        format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n{steps}"),
    )
    .expect("write");
    assert!(Command::new("git")
        .args(["init", "-q"])
        .current_dir(&many)
        .status()
        .expect("git")
        .success());
    let steps_devloop = median(args.runs, || devloop(&many, ".github/workflows/many.yml"));
    let loop_script = "for i in $(seq 100); do bash --noprofile --norc -eo pipefail -c true; done";
    let steps_bash = median(args.runs, || bash(loop_script, &many));

    // 5,000 jobs, each needing the one before: planning must stay linear.
    let chain_file = home.path().join("chain.yml");
    let mut chain = String::from("on: push\njobs:\n");
    for i in 0..5000 {
        chain.push_str(&format!("  j{i}:\n    runs-on: x\n"));
        if i > 0 {
            chain.push_str(&format!("    needs: j{}\n", i - 1));
        }
        chain.push_str("    steps:\n      - run: echo\n");
    }
    std::fs::write(&chain_file, chain).expect("chain.yml");
    let chain_check = median(args.runs, || {
        assert!(Command::new(&args.devloop)
            .args(["workflow", "check"])
            .arg(&chain_file)
            .output()
            .expect("devloop workflow check")
            .status
            .success());
    });

    println!("\n{:<34} {:>12} {:>12}", "", "devloop run", "plain bash");
    println!(
        "{:<34} {:>10.0}ms {:>10.0}ms",
        "demo workflow (build, test)", demo_devloop, demo_bash
    );
    println!(
        "{:<34} {:>10.0}ms {:>10.0}ms",
        "100 trivial steps", steps_devloop, steps_bash
    );
    println!(
        "\nratio devloop/bash on the demo: {:.2} (target ≤ 1.05); per-step overhead: {:.1} ms (target < 10 ms); medians of {} runs",
        demo_devloop / demo_bash,
        (steps_devloop - steps_bash) / 100.0,
        args.runs
    );
    println!("`devloop workflow check` of a 5,000-job needs chain: {chain_check:.0} ms (median)");
}

/// Median wall time of `runs` calls, in milliseconds.
fn median(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
