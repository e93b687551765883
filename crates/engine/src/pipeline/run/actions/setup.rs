//! The `setup-*` actions of the four language starter workflows, and the two Rust ones, run
//! natively: nothing is downloaded. Each checks that this machine's own toolchain satisfies the
//! version the workflow asks for, points the later steps at it (as the real action puts it
//! first on `PATH`), and sets the outputs the real action sets. When the machine's version does
//! not satisfy the request, the step fails naming the version asked for, the one found, and
//! how to install it: a run here never silently uses another version than the one on GitHub.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Action, Context, Done};

/// A language's setup action: its inputs, how to find and ask its tool, how to install it.
pub struct Setup {
    name: &'static str,
    /// The input naming the version (`node-version`) and the one naming a file holding it.
    input: &'static str,
    file_input: &'static str,
    /// The output that reports the version found.
    output: &'static str,
    /// Commands to try, the most specific first; `{v}` is the version asked for (`python3.11`).
    commands: &'static [&'static str],
    /// Arguments that print the version, and where the version is in what they print.
    version_args: &'static [&'static str],
    parse: fn(&str) -> Option<String>,
    /// Version words that mean "the newest" of a kind (`lts/*`, `stable`): GitHub would install
    /// the newest; here the machine's own is used, and the step says so.
    newest: &'static [&'static str],
    /// How to install a version (`{v}`), said when the machine has no fitting one.
    install: &'static str,
    /// Names the later steps can call, linked to the tool found (`python` → `python3.11`).
    shims: &'static [&'static str],
}

pub const NODE: Setup = Setup {
    name: "actions/setup-node",
    input: "node-version",
    file_input: "node-version-file",
    output: "node-version",
    commands: &["node"],
    version_args: &["--version"],
    parse: |out| Some(out.trim().trim_start_matches('v').to_owned()),
    newest: &["lts/*", "node", "latest", "current"],
    install: "install Node.js {v} (for example `nvm install {v}`), or ask for the version this machine has",
    shims: &[],
};

pub const PYTHON: Setup = Setup {
    name: "actions/setup-python",
    input: "python-version",
    file_input: "python-version-file",
    output: "python-version",
    commands: &["python{v}", "python3", "python"],
    version_args: &["--version"],
    parse: |out| out.trim().strip_prefix("Python ").map(str::to_owned),
    newest: &["3.x"],
    install: "install Python {v} (for example `pyenv install {v}` or `uv python install {v}`), or ask for the version this machine has",
    // GitHub's runners have `python` and `pip`; Debian has only `python3`.
    shims: &["python", "python3", "pip", "pip3"],
};

pub const GO: Setup = Setup {
    name: "actions/setup-go",
    input: "go-version",
    file_input: "go-version-file",
    output: "go-version",
    commands: &["go"],
    version_args: &["version"],
    parse: |out| {
        out.split_whitespace()
            .find_map(|w| w.strip_prefix("go").filter(|v| v.starts_with(|c: char| c.is_ascii_digit())))
            .map(str::to_owned)
    },
    newest: &["stable", "oldstable"],
    install: "install Go {v} from https://go.dev/dl/ (or `sudo apt-get install golang`), or ask for the version this machine has",
    shims: &[],
};

pub const JAVA: Setup = Setup {
    name: "actions/setup-java",
    input: "java-version",
    file_input: "java-version-file",
    output: "version",
    commands: &["java"],
    version_args: &["-version"],
    parse: |out| {
        let quoted = out.split('"').nth(1)?;
        // Java 8 calls itself 1.8.0_392.
        Some(match quoted.strip_prefix("1.") {
            Some(rest) => rest.replace('_', "."),
            None => quoted.to_owned(),
        })
    },
    newest: &[],
    install: "install a JDK {v} (for example `sudo apt-get install openjdk-{v}-jdk`), or ask for the version this machine has",
    shims: &[],
};

impl Action for Setup {
    fn name(&self) -> &'static str {
        self.name
    }

    fn run(&self, cx: &Context) -> Result<Done, String> {
        let asked = self.asked(cx)?;
        let (command, path, found) = self.find(cx, asked.as_deref())?;
        let mut done = Done::success().output(self.output, self.shown(&found));
        match asked.as_deref() {
            None => cx.log(format!(
                "no `{}` given: using this machine's {command} {found}",
                self.input
            )),
            Some(want) if self.is_newest(want) => cx.log(format!(
                "notice: `{want}` asks GitHub for the newest version; DevLoop cannot look that up offline and uses this machine's {command} {found}"
            )),
            Some(want) => cx.log(format!(
                "{command} {found} satisfies `{want}`: using {}",
                path.display()
            )),
        }
        self.extras(cx, &path, &found, &mut done)?;
        let shims = self.shims(cx, &path)?;
        done.path.extend(shims);
        Ok(done)
    }
}

impl Setup {
    /// A word for "the newest" of a kind (`lts/*`, and Node's named LTS lines, `lts/iron`).
    fn is_newest(&self, want: &str) -> bool {
        self.newest.contains(&want) || (self.name == NODE.name && want.starts_with("lts/"))
    }

    /// The version asked for, from the input or the file it names; `None` when neither is
    /// given, which the real actions take as "what is installed".
    fn asked(&self, cx: &Context) -> Result<Option<String>, String> {
        if let Some(v) = cx.input(self.input) {
            return Ok(Some(v.trim_start_matches('v').to_owned()));
        }
        let Some(file) = cx.input(self.file_input) else {
            return Ok(None);
        };
        let path = cx.resolve(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("`{}: {file}` cannot be read: {e}", self.file_input))?;
        version_in_file(&path, &text)
            .map(Some)
            .ok_or_else(|| format!("`{file}` names no version DevLoop can read"))
    }

    /// The first command whose version satisfies `want`, with its path and version.
    fn find(&self, cx: &Context, want: Option<&str>) -> Result<(String, PathBuf, String), String> {
        let accepts = |found: &str| match want {
            None => true,
            Some(w) if self.is_newest(w) => true,
            Some(w) => satisfies(w, found),
        };
        let mut seen: Vec<(String, String)> = Vec::new();
        for pattern in self.commands {
            let command = match (pattern.contains("{v}"), want) {
                (true, Some(w)) if w.chars().all(|c| c.is_ascii_digit() || c == '.') => {
                    // `python3.11` for 3.11 or 3.11.4.
                    let short: Vec<&str> = w.split('.').take(2).collect();
                    pattern.replace("{v}", &short.join("."))
                }
                (true, _) => continue,
                (false, _) => (*pattern).to_owned(),
            };
            let Some(path) = which(&command, &cx.search_path) else {
                continue;
            };
            let Some(found) = self.version_of(&path) else {
                continue;
            };
            if accepts(&found) {
                return Ok((command, path, found));
            }
            seen.push((command, found));
        }
        let want = want.unwrap_or("any");
        let install = self.install.replace("{v}", want);
        Err(match seen.first() {
            Some((command, found)) => format!(
                "`{}` asks for version {want}, and this machine has {command} {found}: {install}",
                self.input
            ),
            None => format!(
                "`{}` asks for version {want}, and this machine has no {}: {install}",
                self.input,
                self.commands[self.commands.len() - 1]
            ),
        })
    }

    fn version_of(&self, path: &Path) -> Option<String> {
        let out = Command::new(path).args(self.version_args).output().ok()?;
        // `java -version` writes to stderr.
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (self.parse)(&text)
    }

    /// The version as the real action reports it (`v20.11.0` for Node).
    fn shown(&self, found: &str) -> String {
        if self.name == NODE.name {
            format!("v{found}")
        } else {
            found.to_owned()
        }
    }

    /// What one action sets beyond its version: Python's location, Java's home.
    fn extras(
        &self,
        cx: &Context,
        path: &Path,
        found: &str,
        done: &mut Done,
    ) -> Result<(), String> {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let home = real.parent().and_then(Path::parent).map(Path::to_path_buf);
        if self.name == PYTHON.name {
            // Python says where it is installed: a version manager's shim is not the place.
            let out = Command::new(path)
                .args(["-c", "import sys; print(sys.executable); print(sys.prefix)"])
                .output()
                .map_err(|e| format!("{} did not answer: {e}", path.display()))?;
            let said = String::from_utf8_lossy(&out.stdout).into_owned();
            let mut lines = said.lines();
            let executable = lines.next().unwrap_or_default();
            done.outputs
                .insert("python-path".into(), executable.to_owned());
            if let Some(prefix) = lines.next() {
                done.env.insert("pythonLocation".into(), prefix.to_owned());
            }
        } else if self.name == JAVA.name {
            // GitHub refuses the step without it: "Input required and not supplied".
            let distribution = cx
                .input("distribution")
                .ok_or("`distribution` is required (for example `temurin`), as on GitHub")?;
            cx.log(format!(
                "notice: this machine's JDK {found} is used as it is; its distribution may not be `{distribution}`"
            ));
            done.outputs
                .insert("distribution".into(), distribution.to_owned());
            if let Some(home) = home {
                done.outputs
                    .insert("path".into(), home.display().to_string());
                done.env
                    .insert("JAVA_HOME".into(), home.display().to_string());
            }
        } else if self.name == NODE.name && cx.input("cache").is_some() {
            cx.log("notice: `cache:` is not done here: the package manager's own cache on this machine is used as it is");
        }
        Ok(())
    }

    /// A folder of this action's shims (`python` → the Python found), for the job's `PATH`.
    fn shims(&self, cx: &Context, tool: &Path) -> Result<Vec<PathBuf>, String> {
        if self.shims.is_empty() {
            return Ok(Vec::new());
        }
        let dir = cx
            .run_dir
            .join("tools")
            .join(format!("{}-{}", sanitize(&cx.job), cx.step));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        for name in self.shims {
            let shim = dir.join(name);
            let _ = std::fs::remove_file(&shim);
            let made = if name.starts_with("pip") {
                // `pip` of this Python, whichever `pip` the machine has first on its PATH.
                let script = format!("#!/bin/sh\nexec '{}' -m pip \"$@\"\n", tool.display());
                std::fs::write(&shim, script).and_then(|()| {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755))
                })
            } else {
                std::os::unix::fs::symlink(tool, &shim)
            };
            made.map_err(|e| format!("cannot make {}: {e}", shim.display()))?;
        }
        Ok(vec![dir])
    }
}

/// `dtolnay/rust-toolchain`: the toolchain comes from the ref (`@stable`, `@1.75.0`) or the
/// `toolchain` input; `targets` and `components` must be installed.
pub struct RustToolchain;

impl Action for RustToolchain {
    fn name(&self) -> &'static str {
        "dtolnay/rust-toolchain"
    }

    fn run(&self, cx: &Context) -> Result<Done, String> {
        let reference = cx.uses.split_once('@').map(|(_, r)| r).unwrap_or("");
        let want = cx
            .input("toolchain")
            .map(str::to_owned)
            .or_else(|| (!["master", "v1", ""].contains(&reference)).then(|| reference.to_owned()))
            .ok_or(
                "say which toolchain: `dtolnay/rust-toolchain@stable`, or `with: toolchain: 1.75`",
            )?;
        let rustc = which("rustc", &cx.search_path).ok_or(
            "this machine has no rustc: install Rust with rustup (https://rustup.rs, or `sudo apt-get install rustup`)",
        )?;
        let mut done = Done::success();
        // A toolchain rustup already has is chosen for the later steps, as the action does.
        let installed = rustup(cx, &["toolchain", "list"]).unwrap_or_default();
        let chosen = installed
            .lines()
            .map(|l| l.split_whitespace().next().unwrap_or(""))
            .find(|t| *t == want || t.starts_with(&format!("{want}-")))
            .map(str::to_owned);
        let version = match &chosen {
            Some(toolchain) => {
                done.env
                    .insert("RUSTUP_TOOLCHAIN".into(), toolchain.clone());
                rustc_version(&rustc, Some(toolchain))
            }
            None => rustc_version(&rustc, None),
        }
        .ok_or("rustc did not say its version")?;
        let fits = match want.as_str() {
            "stable" => !version.contains("-beta") && !version.contains("-nightly"),
            "beta" => version.contains("-beta"),
            w if w.starts_with("nightly") => version.contains("-nightly"),
            w => satisfies(w, version.split(['-', ' ']).next().unwrap_or("")),
        };
        if !fits {
            return Err(format!(
                "the toolchain `{want}` is asked for, and this machine has rustc {version}: run `rustup toolchain install {want}`"
            ));
        }
        if ["stable", "beta", "nightly"].contains(&want.as_str()) {
            cx.log(format!("notice: `{want}` asks GitHub for the newest {want} Rust; DevLoop cannot look that up offline and uses this machine's rustc {version}"));
        } else {
            cx.log(format!("rustc {version} satisfies `{want}`"));
        }
        let toolchain = chosen.clone();
        let listed = |what: &str| -> Vec<String> {
            let mut args = vec![what, "list", "--installed"];
            if let Some(t) = &toolchain {
                args.extend(["--toolchain", t.as_str()]);
            }
            rustup(cx, &args)
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect()
        };
        for (input, kind) in [("targets", "target"), ("components", "component")] {
            let asked: Vec<String> = cx
                .input(input)
                .unwrap_or("")
                .split([',', ' ', '\n'])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if asked.is_empty() {
                continue;
            }
            let have = listed(kind);
            for name in asked {
                // Components are listed with their host triple (`clippy-x86_64-unknown-linux-gnu`).
                if !have
                    .iter()
                    .any(|h| *h == name || h.starts_with(&format!("{name}-")))
                {
                    return Err(format!(
                        "the {kind} `{name}` is asked for and not installed here: run `rustup {kind} add {name}`"
                    ));
                }
            }
        }
        let key = crate::pipeline::hash_files::sha256_hex(version.as_bytes());
        Ok(done
            .output("name", chosen.unwrap_or(want))
            .output("cachekey", &key[..12]))
    }
}

/// `Swatinem/rust-cache`: keeps the workspace's `target/` between runs under a key made of the
/// lockfile, the manifests and the compiler, through `actions/cache`. `~/.cargo` is this
/// machine's own and lasts between runs already, so it is left alone.
pub struct RustCache;

impl Action for RustCache {
    fn name(&self) -> &'static str {
        "Swatinem/rust-cache"
    }

    fn run(&self, cx: &Context) -> Result<Done, String> {
        let mut manifest = Vec::new();
        for file in [
            "Cargo.lock",
            "Cargo.toml",
            "rust-toolchain",
            "rust-toolchain.toml",
        ] {
            if let Ok(bytes) = std::fs::read(cx.workspace.join(file)) {
                manifest.extend_from_slice(file.as_bytes());
                manifest.extend_from_slice(&bytes);
            }
        }
        let toolchain = cx.env.get("RUSTUP_TOOLCHAIN").map(String::as_str);
        let rustc = which("rustc", &cx.search_path)
            .and_then(|r| rustc_version(&r, toolchain))
            .unwrap_or_default();
        manifest.extend_from_slice(rustc.as_bytes());
        let prefix = format!(
            "v0-rust-{}-{}-",
            cx.input("prefix-key").unwrap_or(""),
            cx.input("shared-key").unwrap_or(&cx.job)
        );
        let hash = crate::pipeline::hash_files::sha256_hex(&manifest);
        let mut with = BTreeMap::new();
        with.insert("key".to_owned(), format!("{prefix}{}", &hash[..16]));
        with.insert("path".to_owned(), "target".to_owned());
        with.insert("restore-keys".to_owned(), prefix);
        cx.log("~/.cargo is this machine's own and lasts between runs; only target/ is cached");
        super::cache::Cache.run(&Context { with, ..cx.clone() })
    }
}

fn rustup(cx: &Context, args: &[&str]) -> Option<String> {
    let rustup = which("rustup", &cx.search_path)?;
    let out = Command::new(rustup).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `1.83.0` (or `1.85.0-nightly`) from `rustc --version`.
fn rustc_version(rustc: &Path, toolchain: Option<&str>) -> Option<String> {
    let mut command = Command::new(rustc);
    command.arg("--version");
    if let Some(t) = toolchain {
        command.env("RUSTUP_TOOLCHAIN", t);
    }
    let out = command.output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .map(str::to_owned)
}

/// The first `command` on `path`, as a shell would find it.
fn which(command: &str, path: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    path.split(':').filter(|d| !d.is_empty()).find_map(|dir| {
        let candidate = Path::new(dir).join(command);
        std::fs::metadata(&candidate)
            .ok()
            .filter(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .map(|_| candidate)
    })
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The version a version file names: `.nvmrc` and `.python-version` hold it alone, `go.mod`
/// on its `toolchain` or `go` line, `package.json` in `volta.node` or `engines.node`.
fn version_in_file(path: &Path, text: &str) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    if name == "go.mod" {
        let line = |key: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(key).map(|v| v.trim().to_owned()))
        };
        return line("toolchain go").or_else(|| line("go "));
    }
    if name == "package.json" {
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        return json["volta"]["node"]
            .as_str()
            .or(json["engines"]["node"].as_str())
            .map(str::to_owned);
    }
    // `.tool-versions` lines are `tool version`; the others hold the version alone.
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let version = first.split_whitespace().last()?;
    Some(version.trim_start_matches('v').to_owned())
}

/// Does `found` (`20.11.0`) satisfy `want` as the setup actions read it? A bare version is a
/// prefix (`20` is any 20.x, `3.11` any 3.11.x, `1.21.x` any 1.21.x); anything else is a
/// semver range (`>=18 <21`, `^1.21`).
pub fn satisfies(want: &str, found: &str) -> bool {
    let want = want.trim().trim_start_matches('v');
    let bare = want.split('.').all(|part| {
        !part.is_empty() && (part.chars().all(|c| c.is_ascii_digit()) || part == "x" || part == "*")
    });
    if bare {
        let found: Vec<&str> = found.split(['.', '-', '+']).collect();
        return want
            .split('.')
            .zip(found.iter().chain(std::iter::repeat(&"0")))
            .all(|(w, f)| w == "x" || w == "*" || w == *f);
    }
    let Ok(found) = semver::Version::parse(&full(found)) else {
        return false;
    };
    // npm writes `>=18 <21`; the semver crate wants commas between comparators.
    let range = want.split_whitespace().collect::<Vec<_>>().join(", ");
    let range = range.replace(", ,", ",");
    semver::VersionReq::parse(&range).is_ok_and(|r| r.matches(&found))
}

/// `3.11` as `3.11.0`, so a two-part version (Go's `1.21`) parses.
fn full(v: &str) -> String {
    let core = v.split(['-', '+']).next().unwrap_or(v);
    match core.matches('.').count() {
        0 => format!("{core}.0.0"),
        1 => format!("{core}.0"),
        _ => core.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // setup-node: "Supported version syntax: 22, 22.x, 22.1.0, >=22, lts/*"; setup-python:
    // "3.12", "3.x", ">=3.9 <3.12"; setup-go: "1.21", "1.21.x", "^1.21.1", ">=1.20".
    #[test]
    fn versions_are_read_as_the_setup_actions_read_them() {
        assert!(satisfies("20", "20.11.0"));
        assert!(satisfies("20.x", "20.11.0"));
        assert!(!satisfies("18", "20.11.0"));
        assert!(satisfies("3.11", "3.11.7"));
        assert!(!satisfies("3.11", "3.12.1"));
        assert!(satisfies("3.x", "3.12.1"));
        assert!(satisfies("3.11.7", "3.11.7"));
        assert!(!satisfies("3.11.6", "3.11.7"));
        assert!(satisfies(">=3.9 <3.12", "3.11.7"));
        assert!(!satisfies(">=3.9 <3.11", "3.11.7"));
        assert!(satisfies("^1.21.1", "1.21.5"));
        assert!(satisfies(">=1.20", "1.22"));
        assert!(satisfies("1.21", "1.21"));
        assert!(satisfies("17", "17.0.9"));
        assert!(satisfies("1.75", "1.75.0"));
        assert!(NODE.is_newest("lts/iron") && NODE.is_newest("lts/*"));
        assert!(!PYTHON.is_newest("lts/iron"));
        assert!(!satisfies("1.75", "1.83.0"));
    }

    #[test]
    fn version_files_are_read_in_their_own_formats() {
        let v = |name: &str, text: &str| version_in_file(Path::new(name), text);
        assert_eq!(v(".nvmrc", "v20.11.0\n").as_deref(), Some("20.11.0"));
        assert_eq!(
            v(".python-version", "# pinned\n3.11\n").as_deref(),
            Some("3.11")
        );
        assert_eq!(
            v("go.mod", "module x\n\ngo 1.21\n\ntoolchain go1.21.5\n").as_deref(),
            Some("1.21.5")
        );
        assert_eq!(v("go.mod", "module x\ngo 1.22\n").as_deref(), Some("1.22"));
        assert_eq!(
            v("package.json", r#"{"engines": {"node": ">=18"}}"#).as_deref(),
            Some(">=18")
        );
        assert_eq!(
            v(".tool-versions", "java 17.0.9\n").as_deref(),
            Some("17.0.9")
        );
    }

    #[test]
    fn each_tool_version_is_parsed_from_what_it_prints() {
        assert_eq!((NODE.parse)("v20.20.2\n").as_deref(), Some("20.20.2"));
        assert_eq!((PYTHON.parse)("Python 3.11.7\n").as_deref(), Some("3.11.7"));
        assert_eq!(
            (GO.parse)("go version go1.21.5 linux/amd64\n").as_deref(),
            Some("1.21.5")
        );
        assert_eq!(
            (JAVA.parse)("openjdk version \"17.0.9\" 2023-10-17\nOpenJDK Runtime\n").as_deref(),
            Some("17.0.9")
        );
        assert_eq!(
            (JAVA.parse)("java version \"1.8.0_392\"\n").as_deref(),
            Some("8.0.392")
        );
    }
}
