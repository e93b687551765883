//! The UI calls the shell's commands through `ui/src/lib/commands.ts`, generated here from the
//! `#[tauri::command]` functions themselves: a command renamed, added, or given another argument
//! changes the file, and the UI's type check then finds every caller it breaks. This test fails
//! when the file is stale; `DEVLOOP_BLESS=1` rewrites it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use syn::{FnArg, GenericArgument, Item, PathArguments, ReturnType, Type};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The commands the app registers, in `generate_handler!`'s order, as `module::function`.
fn registered() -> Vec<(String, String)> {
    let lib = std::fs::read_to_string(root().join("src-tauri/src/lib.rs")).unwrap();
    let list = lib
        .split("generate_handler![")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("lib.rs registers its commands with generate_handler!");
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (module, function) = s.split_once("::").expect("module::function");
            (module.to_owned(), function.to_owned())
        })
        .collect()
}

/// Rust names that ts-rs exports under another name (`#[ts(rename = "…")]`), across the crates.
fn renamed() -> BTreeMap<String, String> {
    let pattern = regex::Regex::new(
        r#"#\[ts\(rename = "(\w+)"\)\](?:[ \t]*//[^\n]*)?\s*(?:#\[[^\]]*\](?:[ \t]*//[^\n]*)?\s*)*pub (?:enum|struct) (\w+)"#,
    )
    .unwrap();
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let mut stack = vec![root().join("crates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for c in pattern.captures_iter(&text) {
                    let (ts, rust) = (c[1].to_owned(), c[2].to_owned());
                    if let Some(before) = map.insert(rust.clone(), ts.clone()) {
                        assert_eq!(before, ts, "two `{rust}`s export under different names");
                    }
                }
            }
        }
    }
    map
}

struct Typer<'a> {
    renamed: &'a BTreeMap<String, String>,
    /// Names the generated file imports from bindings.ts.
    used: std::collections::BTreeSet<String>,
    channel: bool,
}

impl Typer<'_> {
    fn ts(&mut self, ty: &Type) -> String {
        match ty {
            Type::Reference(r) => self.ts(&r.elem),
            // `()` arrives as null, and nothing reads it.
            Type::Tuple(t) if t.elems.is_empty() => "void".into(),
            Type::Path(p) => {
                let last = p.path.segments.last().expect("a type name");
                let name = last.ident.to_string();
                let args: Vec<&Type> = match &last.arguments {
                    PathArguments::AngleBracketed(a) => a
                        .args
                        .iter()
                        .filter_map(|g| match g {
                            GenericArgument::Type(t) => Some(t),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                match (name.as_str(), args.as_slice()) {
                    ("String" | "str" | "PathBuf" | "Path", []) => "string".into(),
                    (
                        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "f32" | "f64",
                        [],
                    ) => "number".into(),
                    ("bool", []) => "boolean".into(),
                    ("Option", [t]) => format!("{} | null", self.ts(t)),
                    ("Vec", [t]) => format!("Array<{}>", self.ts(t)),
                    ("HashMap" | "BTreeMap", [k, v]) => {
                        format!("Record<{}, {}>", self.ts(k), self.ts(v))
                    }
                    ("Channel", [t]) => {
                        self.channel = true;
                        format!("Channel<{}>", self.ts(t))
                    }
                    (_, []) => {
                        let ts = self.renamed.get(&name).cloned().unwrap_or(name);
                        self.used.insert(ts.clone());
                        ts
                    }
                    _ => panic!("no TypeScript for `{name}<…>`: teach commands.rs"),
                }
            }
            _ => panic!("no TypeScript for a type of this shape: teach commands.rs"),
        }
    }
}

/// Arguments Tauri fills in itself, which the UI never passes: its own types (`State`,
/// `AppHandle`, `Window`…), named through `tauri::` or imported from it. The engine has a
/// `Window` of its own (Monitor's time window), which the UI does pass.
fn injected(ty: &Type, from_tauri: &[String]) -> bool {
    let Type::Path(p) = ty else { return false };
    let first = p.path.segments.first().unwrap().ident.to_string();
    let name = p.path.segments.last().unwrap().ident.to_string();
    let tauris = first == "tauri" || from_tauri.contains(&name);
    tauris
        && matches!(
            name.as_str(),
            "State" | "AppHandle" | "Window" | "WebviewWindow" | "Webview"
        )
}

/// The names a file imports from `tauri` (`use tauri::{State, Window};`).
fn tauri_imports(file: &syn::File) -> Vec<String> {
    fn walk(tree: &syn::UseTree, under_tauri: bool, out: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => walk(&p.tree, under_tauri || p.ident == "tauri", out),
            syn::UseTree::Name(n) if under_tauri => out.push(n.ident.to_string()),
            syn::UseTree::Rename(r) if under_tauri => out.push(r.rename.to_string()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(t, under_tauri, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for item in &file.items {
        if let Item::Use(u) = item {
            walk(&u.tree, false, &mut out);
        }
    }
    out
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn generate() -> String {
    let renamed = renamed();
    let mut typer = Typer {
        renamed: &renamed,
        used: Default::default(),
        channel: false,
    };
    let mut files: BTreeMap<String, syn::File> = BTreeMap::new();
    let mut body = String::new();
    for (module, function) in registered() {
        let file = files.entry(module.clone()).or_insert_with(|| {
            let text =
                std::fs::read_to_string(root().join(format!("src-tauri/src/{module}.rs"))).unwrap();
            syn::parse_file(&text).unwrap()
        });
        let f = file
            .items
            .iter()
            .find_map(|item| match item {
                Item::Fn(f) if f.sig.ident == function => Some(f),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{module}.rs has no fn {function}"));
        assert!(
            f.attrs
                .iter()
                .any(|a| a.path().segments.iter().any(|s| s.ident == "command")),
            "{module}::{function} is registered but not a #[tauri::command]"
        );
        let from_tauri = tauri_imports(file);
        let mut params = Vec::new();
        for input in &f.sig.inputs {
            let FnArg::Typed(arg) = input else { continue };
            if injected(&arg.ty, &from_tauri) {
                continue;
            }
            let syn::Pat::Ident(name) = &*arg.pat else {
                panic!("{module}::{function}: name each argument")
            };
            // Tauri reads the arguments' keys in camelCase.
            params.push((camel(&name.ident.to_string()), typer.ts(&arg.ty)));
        }
        let returns = match &f.sig.output {
            ReturnType::Default => "void".to_owned(),
            ReturnType::Type(_, ty) => {
                // `Result<T, Error>`: the promise resolves to T and rejects with the error.
                let inner = match &**ty {
                    Type::Path(p) if p.path.segments.last().unwrap().ident == "Result" => {
                        match &p.path.segments.last().unwrap().arguments {
                            PathArguments::AngleBracketed(a) => match a.args.first() {
                                Some(GenericArgument::Type(t)) => t.clone(),
                                _ => unreachable!(),
                            },
                            _ => unreachable!(),
                        }
                    }
                    other => other.clone(),
                };
                typer.ts(&inner)
            }
        };
        let docs: Vec<String> = f
            .attrs
            .iter()
            .filter_map(|a| match &a.meta {
                syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s.value().trim().to_owned()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        if !docs.is_empty() {
            body.push_str(&format!("  /** {} */\n", docs.join(" ")));
        }
        let name = camel(&function);
        if params.is_empty() {
            body.push_str(&format!(
                "  {name}: (): Promise<{returns}> => call('{function}'),\n"
            ));
        } else {
            let fields: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            body.push_str(&format!(
                "  {name}: (args: {{ {} }}): Promise<{returns}> => call('{function}', args),\n",
                fields.join("; ")
            ));
        }
    }
    let bindings = std::fs::read_to_string(root().join("ui/src/lib/bindings.ts")).unwrap();
    for name in &typer.used {
        assert!(
            bindings.contains(&format!("export type {name} ")),
            "`{name}` crosses to the UI as a command's argument or result, but bindings.ts has no such type: export it in crates/engine/tests/bindings.rs"
        );
    }
    let mut out = String::from(
        "// Generated by src-tauri/tests/commands.rs from the shell's #[tauri::command] functions.\n\
         // Do not edit: run `make bindings`.\n",
    );
    if typer.channel {
        out.push_str("import type { Channel } from '@tauri-apps/api/core';\n");
    }
    out.push_str(&format!(
        "import type {{ {} }} from './bindings';\n",
        typer.used.iter().cloned().collect::<Vec<_>>().join(", ")
    ));
    out.push_str("import { call } from './backend/ipc';\n\n");
    out.push_str(
        "/** Every command of the shell, by its name in camelCase, typed as Rust declares it. */\n",
    );
    out.push_str("export const commands = {\n");
    out.push_str(&body);
    out.push_str("};\n");
    out
}

#[test]
fn the_uis_typed_commands_match_the_shells_command_functions() {
    let path = root().join("ui/src/lib/commands.ts");
    let fresh = generate();
    if std::env::var_os("DEVLOOP_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        kept == fresh,
        "ui/src/lib/commands.ts is stale: run `make bindings`"
    );
}
