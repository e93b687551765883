//! The service's containers through Docker's stats streams: one stream per container, started
//! when it appears among the replicas and dropped when it goes. Each stream keeps its newest
//! reading (Docker sends one a second); a container that disappears mid-stream simply ends
//! its stream, and its lines get a gap.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Instant;

use futures_util::StreamExt;

use super::metric::Key;
use crate::deploy::replica::Replica;
use crate::docker::Engine;

/// What one message of a stream says.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Reading {
    at: Instant,
    /// Percent of one core since the message before (Docker sends both counters).
    cpu: Option<f64>,
    memory_mib: f64,
    limit_mib: f64,
    /// Bytes a second since the message before.
    net_in: Option<f64>,
    net_out: Option<f64>,
}

type Latest = Arc<Mutex<HashMap<String, Reading>>>;

/// The streams of the containers followed now.
#[derive(Debug, Default)]
pub struct Streams {
    tasks: HashMap<String, (String, tokio::task::JoinHandle<()>)>,
    latest: Latest,
}

impl Drop for Streams {
    fn drop(&mut self) {
        for (_, (_, task)) in self.tasks.drain() {
            task.abort();
        }
    }
}

impl Streams {
    /// Follows exactly `replicas`: streams for new ones start, those of the others stop.
    pub fn follow(&mut self, engine: &Engine, replicas: &[Replica]) {
        self.tasks.retain(|id, (_, task)| {
            let keep = replicas.iter().any(|r| &r.id == id) && !task.is_finished();
            if !keep {
                task.abort();
            }
            keep
        });
        self.latest
            .lock()
            .retain(|id, _| replicas.iter().any(|r| &r.id == id));
        for r in replicas {
            if self.tasks.contains_key(&r.id) {
                continue;
            }
            let task = tokio::spawn(stream(
                engine.clone(),
                r.id.clone(),
                Arc::clone(&self.latest),
            ));
            self.tasks.insert(r.id.clone(), (r.name.clone(), task));
        }
    }

    /// The newest reading of each container followed, if it is at most 3 seconds old.
    pub fn samples(&self) -> Vec<(Key, f64)> {
        let latest = self.latest.lock();
        let mut out = Vec::new();
        for (id, (name, _)) in &self.tasks {
            let Some(r) = latest.get(id).filter(|r| r.at.elapsed().as_secs() <= 3) else {
                continue;
            };
            let k = |metric: &str| Key::new(metric).with("name", name);
            out.push((k("container.memory"), r.memory_mib));
            out.push((k("container.memoryLimit"), r.limit_mib));
            if let Some(cpu) = r.cpu {
                out.push((k("container.cpu"), cpu));
            }
            if let Some(v) = r.net_in {
                out.push((k("container.netIn"), v));
            }
            if let Some(v) = r.net_out {
                out.push((k("container.netOut"), v));
            }
        }
        out
    }

    /// How many containers are followed.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

async fn stream(engine: Engine, id: String, latest: Latest) {
    let mut stats = engine.client().stats(
        &id,
        Some(bollard::query_parameters::StatsOptions {
            stream: true,
            one_shot: false,
        }),
    );
    let mut before: Option<(Instant, u64, u64)> = None;
    // Ends when the container goes (the daemon closes the stream) or the daemon does.
    while let Some(Ok(s)) = stats.next().await {
        let now = Instant::now();
        let cpu = match (s.cpu_stats.as_ref(), s.precpu_stats.as_ref()) {
            (Some(c), Some(p)) => {
                let used = c.cpu_usage.as_ref().and_then(|u| u.total_usage);
                let used0 = p.cpu_usage.as_ref().and_then(|u| u.total_usage);
                match (used, used0, c.system_cpu_usage, p.system_cpu_usage) {
                    (Some(u), Some(u0), Some(sys), Some(sys0)) if sys > sys0 && u >= u0 => Some(
                        (u - u0) as f64 / (sys - sys0) as f64
                            * f64::from(c.online_cpus.unwrap_or(1))
                            * 100.0,
                    ),
                    _ => None,
                }
            }
            _ => None,
        };
        let (rx, tx) = s
            .networks
            .as_ref()
            .map(|n| {
                n.values().fold((0u64, 0u64), |(rx, tx), i| {
                    (rx + i.rx_bytes.unwrap_or(0), tx + i.tx_bytes.unwrap_or(0))
                })
            })
            .unwrap_or((0, 0));
        let rate = |now_b: u64, then_b: u64, then: Instant| {
            let secs = now.duration_since(then).as_secs_f64();
            (secs > 0.0).then(|| now_b.saturating_sub(then_b) as f64 / secs)
        };
        let (net_in, net_out) = match before {
            Some((then, rx0, tx0)) => (rate(rx, rx0, then), rate(tx, tx0, then)),
            None => (None, None),
        };
        before = Some((now, rx, tx));
        let mib = |b: Option<u64>| b.unwrap_or(0) as f64 / 1024.0 / 1024.0;
        let mem = s.memory_stats.as_ref();
        latest.lock().insert(
            id.clone(),
            Reading {
                at: now,
                cpu,
                memory_mib: mib(mem.and_then(in_use)),
                limit_mib: mib(mem.and_then(|m| m.limit)),
                net_in,
                net_out,
            },
        );
    }
    latest.lock().remove(&id);
}

/// The memory a container uses, as `docker stats` counts it: the cgroup's usage less the
/// page cache the kernel may drop at will (`total_inactive_file` on cgroup v1,
/// `inactive_file` on v2). A container that wrote a 40 MiB file would otherwise read as
/// 40 MiB heavier than `docker stats` says.
fn in_use(mem: &bollard::models::ContainerMemoryStats) -> Option<u64> {
    let usage = mem.usage?;
    let stats = mem.stats.as_ref();
    let inactive = stats
        .and_then(|s| s.get("total_inactive_file"))
        .or_else(|| stats.and_then(|s| s.get("inactive_file")))
        .copied()
        .filter(|v| *v < usage)
        .unwrap_or(0);
    Some(usage - inactive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::ContainerMemoryStats;

    fn mem(usage: u64, stats: &[(&str, u64)]) -> ContainerMemoryStats {
        ContainerMemoryStats {
            usage: Some(usage),
            stats: Some(stats.iter().map(|(k, v)| ((*k).into(), *v)).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn memory_in_use_leaves_out_the_droppable_page_cache_as_docker_stats_does() {
        // cgroup v1 and v2 name it differently.
        assert_eq!(in_use(&mem(100, &[("total_inactive_file", 60)])), Some(40));
        assert_eq!(in_use(&mem(100, &[("inactive_file", 30)])), Some(70));
        // A counter above the usage (read at another moment) is not subtracted.
        assert_eq!(in_use(&mem(100, &[("inactive_file", 130)])), Some(100));
        assert_eq!(in_use(&mem(100, &[])), Some(100));
        assert_eq!(in_use(&ContainerMemoryStats::default()), None);
    }
}
