// Reports the first paint exactly as DevLoop's UI does: two frames after load.
requestAnimationFrame(() =>
  requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke('first_paint')),
);
