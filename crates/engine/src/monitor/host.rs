//! The machine, as sysinfo sees it: CPU (total and per core), memory and swap, each disk's use
//! and I/O, the network in and out, and DevLoop itself (this process and its children, the
//! WebKit ones included). Blocking calls: it runs on a thread of its own, never on tokio's.

use std::collections::HashSet;
use std::time::Instant;

use sysinfo::{Disks, Networks, Pid, ProcessRefreshKind, ProcessesToUpdate, System};

use super::metric::Key;

/// Looks at the machine once a call; rates are over the time since the last call.
pub struct Host {
    sys: System,
    disks: Disks,
    nets: Networks,
    last: Instant,
    /// This process and its descendants, found again every `FAMILY_EVERY` looks: listing every
    /// process each second would cost more than everything else here.
    family: Vec<Pid>,
    looks: u32,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("family", &self.family)
            .finish_non_exhaustive()
    }
}

const FAMILY_EVERY: u32 = 10;
const MIB: f64 = 1024.0 * 1024.0;

impl Host {
    /// Ready to look; an error when this system cannot be read at all.
    pub fn new() -> Result<Host, crate::Error> {
        let unreadable = |e: sysinfo::Error| {
            crate::Error::internal(format!("this machine's statistics cannot be read: {e}"))
        };
        let mut sys = System::new().map_err(unreadable)?;
        sys.refresh_cpu_usage();
        sys.refresh_memory();
        Ok(Host {
            sys,
            disks: Disks::new_with_refreshed_list().map_err(unreadable)?,
            nets: Networks::new_with_refreshed_list().map_err(unreadable)?,
            last: Instant::now(),
            family: Vec::new(),
            looks: 0,
        })
    }

    /// One sample of every host metric.
    pub fn sample(&mut self) -> Vec<(Key, f64)> {
        let secs = self.last.elapsed().as_secs_f64().max(0.001);
        self.last = Instant::now();
        self.sys.refresh_cpu_usage();
        self.sys.refresh_memory();
        self.disks.refresh(true);
        self.nets.refresh(true);
        let mut out = vec![(Key::new("host.cpu"), f64::from(self.sys.global_cpu_usage()))];
        for (i, cpu) in self.sys.cpus().iter().enumerate() {
            out.push((
                Key::new("host.cpuCore").with("core", &i.to_string()),
                f64::from(cpu.usage()),
            ));
        }
        let percent = |used: u64, total: u64| {
            if total == 0 {
                0.0
            } else {
                used as f64 / total as f64 * 100.0
            }
        };
        out.push((
            Key::new("host.memory"),
            percent(self.sys.used_memory(), self.sys.total_memory()),
        ));
        out.push((
            Key::new("host.swap"),
            percent(self.sys.used_swap(), self.sys.total_swap()),
        ));
        // One entry per mount that holds data; the same device mounted twice counts once.
        let mut devices = HashSet::new();
        for d in self.disks.iter() {
            if d.total_space() == 0 || !devices.insert(d.name().to_owned()) {
                continue;
            }
            let mount = d.mount_point().display().to_string();
            let full = disk_percent(d.mount_point()).unwrap_or_else(|| {
                percent(
                    d.total_space().saturating_sub(d.available_space()),
                    d.total_space(),
                )
            });
            let io = d.usage();
            out.push((Key::new("host.disk").with("mount", &mount), full));
            out.push((
                Key::new("host.diskRead").with("mount", &mount),
                io.read_bytes as f64 / secs,
            ));
            out.push((
                Key::new("host.diskWrite").with("mount", &mount),
                io.written_bytes as f64 / secs,
            ));
        }
        let (mut rx, mut tx) = (0u64, 0u64);
        for (name, data) in self.nets.iter() {
            if name != "lo" {
                rx += data.received();
                tx += data.transmitted();
            }
        }
        out.push((Key::new("host.netIn"), rx as f64 / secs));
        out.push((Key::new("host.netOut"), tx as f64 / secs));
        out.extend(self.devloop());
        out
    }

    /// DevLoop's own CPU (percent of one core) and memory (MiB), children included.
    fn devloop(&mut self) -> Vec<(Key, f64)> {
        if self.looks.is_multiple_of(FAMILY_EVERY) {
            self.sys.refresh_processes_specifics(
                ProcessesToUpdate::All,
                true,
                ProcessRefreshKind::nothing(),
            );
            let me = Pid::from_u32(std::process::id());
            let mut family = vec![me];
            // Parents come before children only by luck; repeat until nothing is added.
            loop {
                let before = family.len();
                for (pid, p) in self.sys.processes() {
                    // Linux lists each thread as a task whose parent is its process, with the
                    // process's memory and CPU: counting them multiplied both by the threads.
                    if p.thread_kind().is_some() {
                        continue;
                    }
                    if !family.contains(pid) && p.parent().is_some_and(|pp| family.contains(&pp)) {
                        family.push(*pid);
                    }
                }
                if family.len() == before {
                    break;
                }
            }
            self.family = family;
            self.looks = self.looks.wrapping_add(1);
            // CPU is a difference between two readings of the same process: the listing just
            // done is not one, so this look says nothing rather than something wrong.
            self.sys.refresh_processes_specifics(
                ProcessesToUpdate::Some(&self.family),
                false,
                ProcessRefreshKind::nothing().with_cpu().with_memory(),
            );
            return Vec::new();
        }
        self.looks = self.looks.wrapping_add(1);
        self.sys.refresh_processes_specifics(
            ProcessesToUpdate::Some(&self.family),
            false,
            ProcessRefreshKind::nothing().with_cpu().with_memory(),
        );
        let (mut cpu, mut mem) = (0.0, 0.0);
        for pid in &self.family {
            if let Some(p) = self.sys.process(*pid) {
                cpu += f64::from(p.cpu_usage());
                mem += p.memory() as f64 / MIB;
            }
        }
        vec![
            (Key::new("devloop.cpu"), cpu),
            (Key::new("devloop.memory"), mem),
        ]
    }
}

/// How full the filesystem at `mount` is, as `df` counts it: used blocks over those used and
/// those a user may still take. Blocks reserved for root count for neither; `total - available`
/// counted them as used, and read 91 % on a disk `df` called 76 % full.
#[cfg(unix)]
fn disk_percent(mount: &std::path::Path) -> Option<f64> {
    let s = rustix::fs::statvfs(mount).ok()?;
    let used = s.f_blocks.saturating_sub(s.f_bfree);
    let usable = used + s.f_bavail;
    (usable > 0).then(|| used as f64 * 100.0 / usable as f64)
}

#[cfg(not(unix))]
fn disk_percent(_mount: &std::path::Path) -> Option<f64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_full_the_disk_is_agrees_with_df() {
        let out = std::process::Command::new("df")
            .args(["--output=pcent", "/"])
            .output()
            .expect("df");
        let text = String::from_utf8_lossy(&out.stdout);
        let df: f64 = text
            .lines()
            .nth(1)
            .and_then(|l| l.trim().trim_end_matches('%').parse().ok())
            .expect("df's percentage");
        let ours = disk_percent(std::path::Path::new("/")).expect("statvfs of /");
        // df rounds up to a whole percent.
        assert!(
            (df - 1.0..=df).contains(&ours) || (ours - df).abs() < 1.0,
            "DevLoop says {ours:.1} %, df says {df} %"
        );
    }

    #[test]
    fn a_look_at_this_machine_has_every_host_metric_in_range() {
        let mut host = Host::new().unwrap();
        // The first look finds DevLoop's processes; the second measures them.
        host.sample();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let sample = host.sample();
        let value = |name: &str| {
            sample
                .iter()
                .find(|(k, _)| k.name == name)
                .map(|(_, v)| *v)
                .unwrap_or_else(|| panic!("{name} in {sample:?}"))
        };
        for name in ["host.cpu", "host.memory", "host.disk"] {
            let v = value(name);
            assert!((0.0..=100.0).contains(&v), "{name} = {v}");
        }
        assert!(value("host.memory") > 0.0, "something uses memory");
        let cores = sample
            .iter()
            .filter(|(k, _)| k.name == "host.cpuCore")
            .count();
        assert_eq!(cores, std::thread::available_parallelism().unwrap().get());
        assert!(
            value("devloop.memory") > 1.0,
            "this test process uses some MiB"
        );
        assert!(value("host.netIn") >= 0.0);
    }
}
