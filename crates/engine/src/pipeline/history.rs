//! What a run leaves behind: its events in the run history (SQLite) and each step's log in a
//! file of bounded size; old runs' files are pruned by a size budget.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use super::run::RunEvent;
use crate::store::Store;

/// A step's log file stops growing here; a note says so.
pub const STEP_LOG_LIMIT: u64 = 8 * 1024 * 1024;

/// A step's log file being written, and how many bytes it has so far.
type OpenLog = (std::io::BufWriter<std::fs::File>, u64);

/// The first file a full disk refused, if one did.
type Full = Arc<Mutex<Option<PathBuf>>>;

/// Writes a run's events to the store and its log lines to files. Use it as (part of) a sink.
#[derive(Debug)]
pub struct Recorder {
    store: Arc<Mutex<Store>>,
    number: u64,
    run_dir: PathBuf,
    /// Buffered: a step printing a million short lines must not cost a million writes. What
    /// is buffered reaches the disk within [`FLUSH_EVERY`], so a run killed with SIGKILL keeps
    /// what it printed; a step's file is flushed (and closed) when the step finishes.
    open: Arc<Mutex<HashMap<(String, u32), OpenLog>>>,
    /// Set when the disk filled up under the run's logs or history: the run then ends as a
    /// failure that says so, recorded in the space the data folder held back.
    full: Full,
    data_dir: PathBuf,
}

/// How long a printed line may wait in memory before it is on disk.
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

impl Recorder {
    /// `data_dir` holds the database and its [`crate::store::reserve`].
    pub fn new(store: Arc<Mutex<Store>>, number: u64, run_dir: &Path, data_dir: &Path) -> Self {
        let open: Arc<Mutex<HashMap<(String, u32), OpenLog>>> = Arc::default();
        let full = Full::default();
        let flushed = Arc::downgrade(&open);
        let flush_full = Arc::clone(&full);
        let dir = run_dir.to_path_buf();
        // A thread, not a task: the recorder is used from sync sinks, on any runtime or none.
        // It ends with the recorder.
        let _ = std::thread::Builder::new()
            .name("run-log-flush".into())
            .spawn(move || loop {
                std::thread::sleep(FLUSH_EVERY);
                let Some(open) = flushed.upgrade() else {
                    return;
                };
                let mut open = open.lock();
                for ((job, step), (file, _)) in open.iter_mut() {
                    note(&flush_full, file.flush(), || {
                        Self::log_file(&dir, job, *step)
                    });
                }
            });
        Recorder {
            store,
            number,
            run_dir: run_dir.to_path_buf(),
            open,
            full,
            data_dir: data_dir.to_path_buf(),
        }
    }

    /// The log file of one step.
    pub fn log_file(run_dir: &Path, job: &str, step: u32) -> PathBuf {
        run_dir
            .join("logs")
            .join(slug(job))
            .join(format!("{step}.log"))
    }

    fn log_path(&self, job: &str, step: u32) -> PathBuf {
        Self::log_file(&self.run_dir, job, step)
    }

    /// Keeps `event`; returns it as kept, which differs only at the end of a run that filled
    /// the disk: a run whose logs or history are not all kept did not succeed.
    pub fn record(&self, event: RunEvent, now: i64) -> RunEvent {
        if let RunEvent::Log {
            job, step, text, ..
        } = &event
        {
            self.append(job, *step, text);
            return event;
        }
        if let RunEvent::StepFinished { job, step, .. } = &event {
            let mut open = self.open.lock();
            if let Some((mut file, _)) = open.remove(&(job.clone(), *step)) {
                note(&self.full, file.flush(), || self.log_path(job, *step));
            }
        }
        let event = match event {
            RunEvent::RunFinished {
                result,
                millis,
                problem: None,
            } => self.finish(result, millis),
            other => other,
        };
        let store = self.store.lock();
        // History is best effort: a full disk must not stop the run itself.
        if let Err(e) = store.record_event(self.number, &event, now) {
            if e.code == crate::Code::DiskLow {
                let mut full = self.full.lock();
                full.get_or_insert_with(|| self.data_dir.join("devloop.sqlite"));
            }
        }
        event
    }

    /// The end of the run: as it was, or, when the disk filled up, a failure that says so,
    /// with the reserve given back so that the history can take it.
    fn finish(&self, result: super::run::Result, millis: u64) -> RunEvent {
        {
            let mut open = self.open.lock();
            for ((job, step), (file, _)) in open.iter_mut() {
                note(&self.full, file.flush(), || self.log_path(job, *step));
            }
        }
        let full = self.full.lock().clone();
        let Some(path) = full else {
            return RunEvent::RunFinished {
                result,
                millis,
                problem: None,
            };
        };
        crate::store::reserve::release(&self.data_dir);
        let shown = path.display().to_string();
        let problem = crate::Error::said(
            crate::Code::DiskLow,
            crate::finding::Finding::new("runDiskFull").with("path", &shown),
            format!("the disk filled up during the run: {shown} could not be written, so what the run did is not all kept"),
        )
        .with_fix(format!(
            "df -h {}",
            shlex::try_quote(&self.data_dir.display().to_string()).unwrap_or_default()
        ));
        RunEvent::RunFinished {
            // A cancelled run stays cancelled; anything else did not succeed.
            result: match result {
                super::run::Result::Cancelled => result,
                _ => super::run::Result::Failure,
            },
            millis,
            problem: Some(problem),
        }
    }

    fn append(&self, job: &str, step: u32, text: &str) {
        let mut open = self.open.lock();
        let key = (job.to_owned(), step);
        if !open.contains_key(&key) {
            let path = self.log_path(job, step);
            let _ = std::fs::create_dir_all(path.parent().unwrap_or(&self.run_dir));
            match std::fs::File::create(&path) {
                Ok(f) => {
                    open.insert(key.clone(), (std::io::BufWriter::new(f), 0));
                }
                Err(e) => {
                    note(&self.full, Err(e), || path);
                    return;
                }
            }
        }
        let Some((file, written)) = open.get_mut(&key) else {
            return;
        };
        if *written >= STEP_LOG_LIMIT {
            return;
        }
        let line = text.len() as u64 + 1;
        if *written + line > STEP_LOG_LIMIT {
            let _ = writeln!(
                file,
                "[devloop] the log of this step reached {} MiB; the rest is not kept",
                STEP_LOG_LIMIT / 1024 / 1024
            );
            *written = STEP_LOG_LIMIT;
            return;
        }
        let wrote = writeln!(file, "{text}");
        note(&self.full, wrote, || self.log_path(job, step));
        *written += line;
    }
}

/// Remembers `at` as where the disk filled up, when `wrote` failed for that reason.
fn note(full: &Full, wrote: std::io::Result<()>, at: impl FnOnce() -> PathBuf) {
    if wrote.is_err_and(|e| e.kind() == std::io::ErrorKind::StorageFull) {
        let mut full = full.lock();
        full.get_or_insert_with(at);
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let mut open = self.open.lock();
        for (file, _) in open.values_mut() {
            let _ = file.flush();
        }
    }
}

/// A job name as a folder name: `build (linux)` → `build__linux_`.
pub(crate) fn slug(job: &str) -> String {
    job.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Deletes the oldest run folders under `runs` until they fit in `budget` bytes. Run folders
/// are named by run number; the newest `keep` are never deleted.
pub fn prune(runs: &Path, budget: u64, keep: usize) -> usize {
    let mut dirs: Vec<(u64, PathBuf, u64)> = std::fs::read_dir(runs)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_str()?.parse::<u64>().ok()?;
            Some((n, e.path(), size(&e.path())))
        })
        .collect();
    dirs.sort_by_key(|d| d.0);
    let mut total: u64 = dirs.iter().map(|d| d.2).sum();
    let mut removed = 0;
    let removable = dirs.len().saturating_sub(keep);
    for (_, path, bytes) in dirs.into_iter().take(removable) {
        if total <= budget {
            break;
        }
        if std::fs::remove_dir_all(&path).is_ok() {
            total -= bytes;
            removed += 1;
        }
    }
    removed
}

fn size(path: &Path) -> u64 {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| size(&e.path()))
            .sum(),
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_logs_are_capped_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
        let rec = Recorder::new(store, 1, dir.path(), dir.path());
        let line = "x".repeat(1024 * 1024);
        for _ in 0..20 {
            rec.record(
                RunEvent::Log {
                    job: "build (linux)".into(),
                    step: 2,
                    text: line.clone(),
                    stderr: false,
                    at_ms: 0,
                },
                0,
            );
        }
        drop(rec);
        let file = Recorder::log_file(dir.path(), "build (linux)", 2);
        let meta = std::fs::metadata(&file).unwrap();
        assert!(meta.len() <= STEP_LOG_LIMIT + 200, "{}", meta.len());
        assert!(std::fs::read_to_string(&file)
            .unwrap()
            .ends_with("the rest is not kept\n"));
    }

    #[test]
    fn pruning_removes_the_oldest_runs_first_and_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        for n in 1..=5 {
            let d = dir.path().join(n.to_string());
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("log"), vec![0u8; 1000]).unwrap();
        }
        assert_eq!(prune(dir.path(), 2500, 1), 3);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        assert_eq!(left.len(), 2);
        assert!(left.contains(&"5".to_owned()) && left.contains(&"4".to_owned()));
    }
}
