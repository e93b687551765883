//! Refine commands: the DORA metrics of the workspace's app, now and week by week. A thin
//! wrapper over `devloop_engine::plan::refine`.

use devloop_engine::plan::refine::{self, RefineView};
use devloop_engine::release;
use devloop_engine::store::{now, Store};
use devloop_engine::{Code, Error};
use tauri::State;

use crate::commands::blocking;
use crate::AppState;

#[tauri::command]
pub async fn refine_view(
    state: State<'_, AppState>,
    weeks: i64,
    width: u32,
    dark: bool,
    utc_offset_min: i64,
) -> Result<RefineView, Error> {
    if !(1..=52).contains(&weeks) || !(200..=2000).contains(&width) {
        return Err(Error::new(
            Code::InvalidInput,
            "choose 1 to 52 weeks and a chart 200 to 2000 pixels wide",
        ));
    }
    let paths = state.paths.clone();
    blocking(move || {
        let repo = paths.workspace(&paths.load().unwrap_or_default());
        let store = Store::open(&paths.database_file())?;
        refine::view(
            &store,
            &repo,
            &release::app_name(&repo),
            now(),
            weeks,
            (width, 160),
            dark,
            utc_offset_min.clamp(-14 * 60, 14 * 60) * 60,
        )
    })
    .await
}
