//! Declares DevLoop's commands to Tauri so each gets a permission the capabilities can grant.

const COMMANDS: &[&str] = &[
    "loop_model",
    "settings_get",
    "settings_set_locale",
    "settings_set_workspace",
    "doctor_report",
    "first_paint",
    "workshop_overview",
    "lesson_open",
    "step_check",
    "quiz_answer",
    "step_solve",
    "block_run",
    "lesson_reset",
    "workspace_reset",
    "pipeline_workflows",
    "pipeline_run",
    "pipeline_cancel",
    "pipeline_runs",
    "pipeline_subscribe",
    "pipeline_rerun",
    "pipeline_detail",
    "pipeline_log",
    "release_plan",
    "release_create",
    "releases_list",
    "deploy_status",
    "deploy_run",
    "deploy_history",
    "deploy_mode_set",
    "deploy_address_set",
    "monitor_view",
    "monitor_export",
    "monitor_rules",
    "monitor_rules_set",
    "monitor_probes",
    "monitor_probes_set",
    "plan_items",
    "plan_add",
    "plan_move",
    "plan_from_alert",
    "operate_status",
    "operate_scale",
    "operate_chaos",
    "operate_autoscaler",
    "operate_load",
    "operate_logs",
    "operate_logs_stop",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
