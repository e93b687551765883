//! The loops that keep a hosted service: once a second it heals what stopped and, when the
//! autoscaler is on, lets it decide; four times a second, on the swarm target, the proxy
//! follows the tasks Swarm runs. They hold the service weakly, so they end with it (or when it
//! is closed).

use std::sync::Arc;
use std::time::Duration;

use super::Service;

/// Starts keeping `service` on the current tokio runtime.
pub fn keep(service: &Arc<Service>) {
    let weak = Arc::downgrade(service);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        // A slow tick (a heal starting a replica) is not made up for with a burst of ticks.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(service) = weak.upgrade().filter(|s| !s.is_closed()) else {
                return;
            };
            // Errors (the daemon restarting) are tried again next second; heals are logged.
            let _ = service.heal_once().await;
            let _ = service.autoscale_tick().await;
        }
    });
    let weak = Arc::downgrade(service);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(service) = weak.upgrade().filter(|s| !s.is_closed()) else {
                return;
            };
            let _ = service.route_swarm().await;
        }
    });
}
