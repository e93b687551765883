//! End-to-end tests of the real DevLoop app: WebKit under Xvfb, driven through tauri-driver.
//!
//! Run with `make e2e` (which builds the app, starts Xvfb and dockerd when needed). Each test
//! launches the app with its own settings folder, so tests never see each other's choices.
//! Set `DEVLOOP_SCREENSHOTS=dir` to save the home screen in both languages.

mod delivery;
mod driver;
mod home;
mod journey;
mod korean;
mod lessons;
mod monitor;
mod pipeline;
mod plan;
mod steps;
mod webdriver;

use libtest_mimic::{Arguments, Failed, Trial};

use delivery::*;
use home::*;
use journey::{code_release_and_deploy_again_in_korean, the_whole_workshop_as_its_text_says};
use korean::*;
use lessons::*;
use monitor::*;
use pipeline::*;
use plan::*;
use steps::Binaries;

/// Each test function becomes a trial named after it.
macro_rules! trials {
    ($($test:ident),* $(,)?) => {
        vec![$(Trial::test(stringify!($test), || $test().map_err(Failed::from))),*]
    };
}

fn main() {
    let mut args = Arguments::from_args();
    // One display, one app at a time: parallel WebKit windows would fight over focus.
    args.test_threads = Some(1);
    let bins = Binaries::locate();
    for (what, path) in [("app", &bins.app), ("CLI", &bins.cli)] {
        if !path.is_file() {
            eprintln!(
                "devloop-e2e: the {what} binary {} is missing; run `make e2e`",
                path.display()
            );
            std::process::exit(2);
        }
    }
    let trials = trials![
        home_draws_the_loop_with_eight_stages_and_the_refine_path,
        clicking_a_stage_opens_its_page_and_escape_comes_home,
        arrow_keys_walk_the_loop_and_enter_opens_a_stage,
        the_csp_stops_injected_scripts_and_eval,
        switching_to_korean_changes_the_text_and_survives_a_restart,
        first_start_follows_the_os_locale,
        switching_language_on_a_stage_page_keeps_the_page,
        the_status_bar_shows_docker_connected_and_devloop_doctor_agrees,
        the_system_check_lists_every_check_and_its_cli_twin,
        without_docker_the_app_says_so_and_shows_the_fix,
        the_code_lesson_follows_real_commits_and_keeps_progress_after_a_restart,
        a_runnable_command_asks_first_then_shows_its_output,
        the_learner_moves_the_workspace_and_the_workshop_follows,
        the_build_lessons_pipeline_step_runs_devloop_from_do_it_for_me,
        one_click_runs_the_demo_workflow_live_and_cancel_stops_a_long_step,
        a_commit_that_breaks_a_test_turns_the_push_run_red_at_the_test_job,
        a_million_log_lines_stay_smooth_and_searchable,
        inputs_artifacts_and_a_summary_show_and_a_rerun_repeats_the_run,
        a_release_from_the_releases_page_builds_tags_and_lists_it,
        a_release_deployed_blue_green_answers_on_the_stable_address_and_a_broken_one_rolls_back,
        one_click_runs_build_test_release_and_deploy_and_delivery_waits_for_a_person,
        chaos_is_healed_and_peak_traffic_makes_the_autoscaler_add_a_replica,
        a_hostile_pack_runs_nothing_loads_nothing_and_never_leaves_the_app,
        the_monitor_page_draws_live_charts_shows_values_under_the_pointer_and_exports,
        with_the_demo_deployed_monitor_charts_its_traffic_and_a_probe_alert_fires_and_resolves,
        the_backlog_board_adds_moves_by_keyboard_and_drag_opens_an_item_and_agrees_with_the_cli,
        every_page_and_lesson_in_korean_has_no_english_outside_code,
        the_whole_workshop_as_its_text_says,
        code_release_and_deploy_again_in_korean,
    ];
    libtest_mimic::run(&args, trials).exit();
}
