//! Tauri commands of the swarm target: the node's swarm as it is, made and left by DevLoop.

use devloop_engine::docker::Engine;
use devloop_engine::swarm::{self, SwarmState};
use devloop_engine::Error;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn swarm_state(state: State<'_, AppState>) -> Result<SwarmState, Error> {
    let engine = Engine::connect_here().await?;
    swarm::state(&engine, state.devloop.paths()).await
}

/// Makes this machine a one-node swarm (or takes the one it is in); the swarm as it is now.
#[tauri::command]
pub async fn swarm_init(state: State<'_, AppState>) -> Result<SwarmState, Error> {
    let engine = Engine::connect_here().await?;
    swarm::init(&engine, state.devloop.paths()).await?;
    swarm::state(&engine, state.devloop.paths()).await
}

/// Leaves the swarm DevLoop made; the swarm as it is now.
#[tauri::command]
pub async fn swarm_leave(state: State<'_, AppState>) -> Result<SwarmState, Error> {
    let engine = Engine::connect_here().await?;
    swarm::leave(&engine, state.devloop.paths()).await?;
    swarm::state(&engine, state.devloop.paths()).await
}
