//! `actions/cache`: restores folders saved under a key by an earlier run, and saves them after
//! a successful job when there was no exact hit, as GitHub does. Entries live on this machine
//! under the data folder and the oldest go first when they outgrow a budget.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{copy_tree, Action, Context, Done};
use crate::pipeline::hash_files::sha256_hex;

pub struct Cache;

/// Disk all cache entries together may use; the least recently used go first beyond it.
pub const BUDGET: u64 = 1024 * 1024 * 1024;

impl Action for Cache {
    fn name(&self) -> &'static str {
        "actions/cache"
    }

    fn run(&self, cx: &Context) -> Result<Done, String> {
        let key = cx
            .input("key")
            .ok_or("`key` is required, for example `cargo-${{ hashFiles('Cargo.lock') }}`")?
            .to_owned();
        if key.len() > 512 || key.contains(',') {
            return Err("a cache key is at most 512 characters and has no commas".into());
        }
        let paths = cx.lines("path");
        if paths.is_empty() {
            return Err("`path` is required: the folders to cache".into());
        }
        let exact = entry_dir(&cx.cache_dir, &key);
        let found = if exact.join("key").is_file() {
            Some(exact.clone())
        } else {
            cx.lines("restore-keys")
                .iter()
                .find_map(|prefix| newest_with_prefix(&cx.cache_dir, prefix))
        };
        let hit = found.as_ref() == Some(&exact);
        match &found {
            Some(dir) => {
                let restored = restore(dir, cx)?;
                let matched = std::fs::read_to_string(dir.join("key")).unwrap_or_default();
                // Touching the entry marks it used, so the budget keeps it longest.
                let _ = std::fs::write(dir.join("key"), &matched);
                cx.log(format!(
                    "cache restored from key `{matched}` ({restored} file(s)){}",
                    if hit {
                        ""
                    } else {
                        " (a restore key matched; the cache will be saved under the new key)"
                    }
                ));
            }
            None => cx.log(format!("cache not found for key `{key}`")),
        }
        let mut done = Done::success()
            .output("cache-hit", if hit { "true" } else { "false" })
            .output(
                "cache-matched-key",
                found
                    .as_ref()
                    .and_then(|d| std::fs::read_to_string(d.join("key")).ok())
                    .unwrap_or_default(),
            );
        if !hit {
            let cx = cx.clone();
            done.post = Some(Box::new(move |job_succeeded| {
                if !job_succeeded {
                    cx.log("cache not saved: the job did not succeed");
                    return;
                }
                match save(&cx, &key, &paths) {
                    Ok((files, bytes)) => cx.log(format!(
                        "cache saved under key `{key}`: {files} file(s), {bytes} bytes"
                    )),
                    Err(e) => cx.log(format!("cache not saved: {e}")),
                }
                prune(&cx.cache_dir, BUDGET);
            }));
        }
        Ok(done)
    }
}

/// One folder per key; the name is a digest because keys hold any characters.
fn entry_dir(cache_dir: &Path, key: &str) -> PathBuf {
    cache_dir.join(&sha256_hex(key.as_bytes())[..32])
}

fn entries(cache_dir: &Path) -> Vec<(PathBuf, String, SystemTime)> {
    std::fs::read_dir(cache_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let key_file = e.path().join("key");
            let key = std::fs::read_to_string(&key_file).ok()?;
            let used = std::fs::metadata(&key_file).ok()?.modified().ok()?;
            Some((e.path(), key, used))
        })
        .collect()
}

/// GitHub's restore-keys rule: the newest entry whose key starts with the prefix.
fn newest_with_prefix(cache_dir: &Path, prefix: &str) -> Option<PathBuf> {
    entries(cache_dir)
        .into_iter()
        .filter(|(_, key, _)| key.starts_with(prefix))
        .max_by_key(|(_, _, used)| *used)
        .map(|(dir, _, _)| dir)
}

fn restore(dir: &Path, cx: &Context) -> Result<u64, String> {
    let manifest = std::fs::read_to_string(dir.join("paths")).unwrap_or_default();
    let mut files = 0;
    for (i, path) in manifest.lines().enumerate() {
        let from = dir.join("data").join(i.to_string());
        if from.exists() {
            files += copy_tree(&from, &cx.resolve(path))
                .map_err(|e| format!("cannot restore {path}: {e}"))?
                .0;
        }
    }
    Ok(files)
}

fn save(cx: &Context, key: &str, paths: &[String]) -> Result<(u64, u64), String> {
    let dir = entry_dir(&cx.cache_dir, key);
    if dir.join("key").is_file() {
        return Err(format!("another job already saved key `{key}`"));
    }
    // Written beside, then renamed: a half-written entry is never restored.
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    let (mut files, mut bytes) = (0, 0);
    for (i, path) in paths.iter().enumerate() {
        let from = cx.resolve(path);
        if from.exists() {
            let (f, b) = copy_tree(&from, &partial.join("data").join(i.to_string()))
                .map_err(|e| format!("cannot copy {path}: {e}"))?;
            files += f;
            bytes += b;
        }
    }
    if files == 0 {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(format!("none of {} exists", paths.join(", ")));
    }
    std::fs::write(partial.join("paths"), paths.join("\n")).map_err(|e| e.to_string())?;
    std::fs::write(partial.join("key"), key).map_err(|e| e.to_string())?;
    std::fs::rename(&partial, &dir).map_err(|e| e.to_string())?;
    Ok((files, bytes))
}

/// Removes the least recently used entries until the rest fit in `budget` bytes.
fn prune(cache_dir: &Path, budget: u64) {
    let mut all: Vec<(PathBuf, SystemTime, u64)> = entries(cache_dir)
        .into_iter()
        .map(|(dir, _, used)| {
            let mut files = Vec::new();
            super::files_under(&dir, &dir, &mut files);
            let size = files
                .iter()
                .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
                .map(|m| m.len())
                .sum();
            (dir, used, size)
        })
        .collect();
    all.sort_by_key(|e| e.1);
    let mut total: u64 = all.iter().map(|e| e.2).sum();
    for (dir, _, size) in all {
        if total <= budget {
            break;
        }
        if std::fs::remove_dir_all(&dir).is_ok() {
            total -= size;
        }
    }
}
