//! The architecture as a test: the engine's modules, across its crates, sit in layers and name only their own layer or lower ones, and no crate of the workspace has a cycle between its top-level modules.
//!
//! The crates (base, docker, store, delivery, engine) make the compiler keep the coarse
//! order; this test keeps the order inside each crate too.
//!
//! Read from the source text: a module depends on another when it names it (`crate::x`,
//! `use crate::{x, …}`, or `super::…::x` climbing to the crate root). Comments do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The engine's layers, lowest first. A module may name modules of its own layer (without a
/// cycle) or of a lower one, never a higher one. Every module is listed, so a new one is
/// placed on purpose.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "primitives",
        &[
            "atomic",
            "finding",
            "error",
            "diagnostic",
            "words",
            "text",
            "glob",
            "http",
            "markdown",
            "process",
            "instance",
            "tools",
            "stage",
            "stats",
        ],
    ),
    ("settings and records", &["settings", "workspace", "record"]),
    ("adapters", &["docker", "store"]),
    (
        "mechanisms",
        &[
            "release",
            "deploy",
            "backlog",
            "operate",
            "swarm",
            "test_repo",
        ],
    ),
    ("the running service", &["service"]),
    ("watching and running", &["monitor", "pipeline"]),
    (
        "plan, lessons and checks",
        &["plan", "workshop", "check", "doctor"],
    ),
    ("the facade the CLI and the shell hold", &["context"]),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Top-level module → the top-level modules it names → the files that name them.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// The engine's crates: each `(src, None)` holds top-level modules; each `(src, Some(name))`
/// is one module as a whole crate (the docker and store adapters).
fn engine_crates() -> Vec<(PathBuf, Option<&'static str>)> {
    let crates = repo().join("crates");
    vec![
        (crates.join("base/src"), None),
        (crates.join("docker/src"), Some("docker")),
        (crates.join("store/src"), Some("store")),
        (crates.join("delivery/src"), None),
        (crates.join("engine/src"), None),
    ]
}

/// The names directly under `src`: its files (but the crate root) and its folders.
fn children(src: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(src).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            names.insert(name);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if stem != "lib" && stem != "main" {
                names.insert(stem.to_owned());
            }
        }
    }
    names
}

/// One graph over the modules of `crates`, by module name: a crate names a lower crate's
/// module by the same path (`crate::finding`) as its own, through the re-exports at its root.
fn graph(crates: &[(PathBuf, Option<&str>)]) -> (BTreeSet<String>, Graph) {
    let mut modules = BTreeSet::new();
    for (src, whole) in crates {
        match whole {
            Some(name) => modules.insert((*name).to_owned()),
            None => {
                modules.extend(children(src));
                true
            }
        };
    }
    let mut graph = Graph::new();
    for (src, whole) in crates {
        // Inside a one-module crate, its own submodules are not other modules of the engine.
        let own = whole.map(|_| children(src)).unwrap_or_default();
        let mut files = Vec::new();
        walk(src, &mut files);
        for file in files {
            let rel = file.strip_prefix(src).unwrap();
            let parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let top = match whole {
                Some(name) => (*name).to_owned(),
                None => parts[0].trim_end_matches(".rs").to_owned(),
            };
            if !modules.contains(&top) {
                continue;
            }
            // How many `super::` reach the crate root from this file's module.
            let depth = parts.len()
                - usize::from(parts.last().is_some_and(|p| p == "mod.rs" || p == "lib.rs"));
            let text = without_comments(&std::fs::read_to_string(&file).unwrap());
            for named in named_modules(&text, depth) {
                if named != top && modules.contains(&named) && !own.contains(&named) {
                    graph
                        .entry(top.clone())
                        .or_default()
                        .entry(named)
                        .or_default()
                        .insert(
                            file.strip_prefix(repo())
                                .unwrap_or(&file)
                                .display()
                                .to_string(),
                        );
                }
            }
        }
    }
    (modules, graph)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text with `//` comments blanked (doc links name modules without depending on them).
/// Strings are kept whole, so a `//` inside one is not taken for a comment.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut prev = ' ';
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            if c == '"' && prev != '\\' {
                in_string = !in_string;
            }
            if !in_string && c == '/' && prev == '/' {
                cut = i - 1;
                break;
            }
            prev = c;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// The crate-root names a file's code reaches: `crate::x`, each first name in a
/// `crate::{…}` group, and `super::x` climbed `depth` times.
fn named_modules(text: &str, depth: usize) -> BTreeSet<String> {
    let mut roots = vec!["crate::".to_owned()];
    if depth > 0 {
        roots.push("super::".repeat(depth));
    }
    let mut names = BTreeSet::new();
    for root in &roots {
        let mut rest = text;
        while let Some(i) = rest.find(root.as_str()) {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + root.len()..];
            // `super::super::x` also contains `super::x`; only a whole path counts.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                names.extend(group_heads(group));
            } else {
                names.insert(ident(rest));
            }
        }
    }
    names
}

/// The first name of each path in a `{…}` group.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = vec![ident(group.trim_start())];
    let mut depth = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => heads.push(ident(group[i + 1..].trim_start())),
            _ => {}
        }
    }
    heads
}

fn ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// A cycle in `graph`, as the modules along it, if there is one.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flat_map(|edges| edges.keys()) {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
}

fn explain(graph: &Graph, cycle: &[String]) -> String {
    cycle
        .windows(2)
        .map(|pair| {
            let files = &graph[&pair[0]][&pair[1]];
            format!("  {} → {} (in {:?})", pair[0], pair[1], files)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_crate_has_a_cycle_between_its_top_level_modules() {
    let root = repo();
    let mut sources = vec![
        root.join("crates/cli/src"),
        root.join("src-tauri/src"),
        root.join("tests/e2e/src"),
    ];
    for bench in std::fs::read_dir(root.join("bench")).unwrap().flatten() {
        if bench.path().join("src").is_dir() {
            sources.push(bench.path().join("src"));
        }
    }
    let mut graphs = vec![("the engine's crates".to_owned(), graph(&engine_crates()).1)];
    for src in sources {
        graphs.push((src.display().to_string(), graph(&[(src, None)]).1));
    }
    for (name, graph) in graphs {
        if let Some(found) = cycle(&graph) {
            panic!(
                "{} has a cycle between its modules:\n{}\nMove what both need into a lower module.",
                name,
                explain(&graph, &found)
            );
        }
    }
}

#[test]
fn the_engines_modules_name_only_their_own_layer_or_lower_ones() {
    let (modules, graph) = graph(&engine_crates());
    let layer_of: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, (_, names))| names.iter().map(move |n| (*n, i)))
        .collect();
    let unplaced: Vec<&String> = modules
        .iter()
        .filter(|m| !layer_of.contains_key(m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer: {unplaced:?}; add each to LAYERS in {}",
        file!()
    );
    let mut upward = Vec::new();
    for (from, edges) in &graph {
        for (to, files) in edges {
            let (a, b) = (layer_of[from.as_str()], layer_of[to.as_str()]);
            if b > a {
                upward.push(format!(
                    "  {from} ({}) names {to} ({}) in {files:?}",
                    LAYERS[a].0, LAYERS[b].0
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "a lower layer names a higher one:\n{}\nMove what both need down, or hand the lower one a function to call.",
        upward.join("\n")
    );
}

#[test]
fn the_reader_sees_paths_groups_and_super_and_not_comments() {
    let text = without_comments(
        "use crate::{store::Store, finding::{self, Finding}};\n\
         // crate::service is only mentioned\n\
         let s = \"http://x\"; crate::glob::matches();\n\
         super::super::deploy::x(); super::not_root();\n",
    );
    let named = named_modules(&text, 2);
    let want: BTreeSet<String> = ["store", "finding", "glob", "deploy"]
        .map(String::from)
        .into();
    assert_eq!(named, want);
    let mut g = Graph::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        g.entry(a.into())
            .or_default()
            .entry(b.into())
            .or_default()
            .insert(format!("{a}.rs"));
    }
    assert_eq!(
        cycle(&g),
        Some(["a", "b", "c", "a"].map(String::from).to_vec())
    );
    g.get_mut("c").unwrap().remove("a");
    assert_eq!(cycle(&g), None);
}
