//! The runs going now in one DevLoop, each with the token that cancels it.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio_util::sync::CancellationToken;

use super::launch::Prepared;
use super::run::{Result as RunResult, RunEvent};

/// Shared: every clone sees the same runs.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<Mutex<HashMap<u64, CancellationToken>>>);

impl InFlight {
    /// Runs `prepared` to its end, cancellable by its number meanwhile.
    pub async fn execute(
        &self,
        prepared: Prepared,
        forward: impl Fn(&RunEvent) + Send + Sync + 'static,
    ) -> RunResult {
        let number = prepared.number;
        let cancel = CancellationToken::new();
        self.0.lock().insert(number, cancel.clone());
        // Out of the list however the run ends: finished, panicked, or its task dropped.
        let _going = Going(self, number);
        prepared.execute(forward, cancel).await
    }

    /// Cancels run `number`; false when it is not going in this DevLoop.
    pub fn cancel(&self, number: u64) -> bool {
        match self.0.lock().get(&number) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Cancels every run going (the learner pressed Ctrl-C in the terminal running them).
    pub fn cancel_all(&self) {
        for token in self.0.lock().values() {
            token.cancel();
        }
    }
}

/// A run in the list while it lives.
struct Going<'a>(&'a InFlight, u64);

impl Drop for Going<'_> {
    fn drop(&mut self) {
        self.0 .0.lock().remove(&self.1);
    }
}
