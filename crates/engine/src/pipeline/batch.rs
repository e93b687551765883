//! Run events in batches, for a transport that pays per message (a Tauri Channel costs a
//! round into the web view for each): a step printing a million lines becomes a few hundred
//! messages, and the order of events is kept.

use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use super::run::RunEvent;

type Deliver = Arc<dyn Fn(Vec<RunEvent>) + Send + Sync>;

/// Collects events and hands them on every `every`, and at once when the run finishes.
/// Dropping it stops the timer; call [`Batched::flush`] first to hand on what is left.
pub struct Batched {
    pending: Arc<Mutex<Vec<RunEvent>>>,
    deliver: Deliver,
    timer: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Batched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batched").finish_non_exhaustive()
    }
}

/// The most events one message carries; a burst is split so no message grows without end.
pub const MAX_BATCH: usize = 5000;

impl Batched {
    /// Needs a tokio runtime (the timer is a task).
    pub fn new(every: Duration, deliver: impl Fn(Vec<RunEvent>) + Send + Sync + 'static) -> Self {
        let pending = Arc::new(Mutex::new(Vec::new()));
        let deliver: Deliver = Arc::new(deliver);
        let (p, d) = (Arc::clone(&pending), Arc::clone(&deliver));
        let timer = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                flush_into(&p, &d);
            }
        });
        Batched {
            pending,
            deliver,
            timer,
        }
    }

    pub fn push(&self, event: RunEvent) {
        let finished = matches!(event, RunEvent::RunFinished { .. });
        let full = {
            let mut pending = self.pending.lock();
            pending.push(event);
            pending.len() >= MAX_BATCH
        };
        if finished || full {
            self.flush();
        }
    }

    /// Hands on everything collected so far.
    pub fn flush(&self) {
        flush_into(&self.pending, &self.deliver);
    }
}

/// Delivers under the lock, so a timer flush and a push flush never swap two batches.
fn flush_into(pending: &Mutex<Vec<RunEvent>>, deliver: &Deliver) {
    let mut pending = pending.lock();
    if !pending.is_empty() {
        deliver(std::mem::take(&mut *pending));
    }
}

impl Drop for Batched {
    fn drop(&mut self) {
        self.timer.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize) -> RunEvent {
        RunEvent::Log {
            job: "a".into(),
            step: 1,
            text: n.to_string(),
            stderr: false,
            at_ms: 0,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_arrives_in_few_messages_in_order_and_a_quiet_line_still_arrives() {
        let got: Arc<Mutex<Vec<Vec<RunEvent>>>> = Arc::default();
        let sink = Arc::clone(&got);
        let batched = Batched::new(Duration::from_millis(50), move |b| sink.lock().push(b));
        for n in 0..12_000 {
            batched.push(line(n));
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
        let messages = got.lock().len();
        assert!(messages <= 4, "{messages} messages for 12000 lines");
        let all: Vec<RunEvent> = got.lock().concat();
        assert_eq!(all.len(), 12_000);
        assert_eq!(all[11_999], line(11_999));
        assert!(all.windows(2).all(|w| match (&w[0], &w[1]) {
            (RunEvent::Log { text: a, .. }, RunEvent::Log { text: b, .. }) =>
                a.parse::<usize>().unwrap() + 1 == b.parse::<usize>().unwrap(),
            _ => false,
        }));

        // One line in a quiet moment is not held back for long.
        batched.push(line(7));
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(got.lock().last().unwrap(), &vec![line(7)]);

        // The end of the run goes at once, with what came before it.
        batched.push(line(8));
        batched.push(RunEvent::RunFinished {
            result: crate::pipeline::run::Result::Success,
            millis: 1,
            problem: None,
        });
        assert_eq!(got.lock().last().unwrap().len(), 2);
    }
}
