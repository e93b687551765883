//! The UI's TypeScript types are generated from the engine's wire types; this test fails when
//! `ui/src/lib/bindings.ts` is stale. Run `make bindings` (DEVLOOP_BLESS=1) to regenerate it.

use devloop_engine::check::{Finding, Outcome};
use devloop_engine::deploy::health::HealthCheck;
use devloop_engine::deploy::replica::{LogLine, Replica};
use devloop_engine::deploy::rollout::{DeployEvent, Strategy};
use devloop_engine::docker::build::BuildEvent;
use devloop_engine::docker::EngineVersion;
use devloop_engine::doctor::{
    DataCheck, DiskCheck, DockerCheck, GitCheck, Report, RustCheck, Status, WorkspaceCheck,
};
use devloop_engine::markdown::CodeBlock;
use devloop_engine::monitor::alert::{Comparator, Rule, Severity, State as AlertState};
use devloop_engine::monitor::board::{Active, AlertChange, AlertEvent};
use devloop_engine::monitor::chart::{Marker, PlotArea};
use devloop_engine::monitor::collect::SourceStatus;
use devloop_engine::monitor::view::{ChartView, LineValues, MonitorView, Window};
use devloop_engine::operate::autoscale::{AutoscalerView, Decision, DecisionAt, Metric, Policy};
use devloop_engine::operate::load::{LoadPlan, LoadReport};
use devloop_engine::pipeline::run::{Result as RunResult, RunEvent};
use devloop_engine::pipeline::view::{
    InputView, JobView, PracticeBracket, RunDetail, RunUpdate, StepLog, WorkflowView,
};
use devloop_engine::plan::detail::{DeployOf, ItemDetail, LinkedCommit, ShippedIn};
use devloop_engine::plan::dora::Dora;
use devloop_engine::plan::drafts::Source as PlanSource;
use devloop_engine::plan::refine::{Band, Bands, MetricChart, RefineView};
use devloop_engine::plan::retro::Retro;
use devloop_engine::plan::state::LoopState;
use devloop_engine::release::version::Bump;
use devloop_engine::release::{ReleaseEvent, ReleasePlan, ReleaseRecord};
use devloop_engine::service::OperateStatus;
use devloop_engine::service::ServiceStatus;
use devloop_engine::settings::{Locale, LocaleSource, Settings};
use devloop_engine::stage::{LoopModel, Practice, PracticeSpan, Stage};
use devloop_engine::store::deploys::DeployRecord;
use devloop_engine::store::ops::{OpKind, OpsEvent};
use devloop_engine::store::plan::{Column, Item, ItemCommit, Kind as ItemKind, NewItem, Sprint};
use devloop_engine::store::progress::{LessonProgress, StepProgress};
use devloop_engine::store::retro::{Note, NoteKind};
use devloop_engine::store::runs::{ArtifactRecord, JobRecord, RunSummary, StepRecord};
use devloop_engine::workshop::learner::{
    CheckResult, Choice, CommandRun, LessonSummary, LessonView, QuizResult, QuizView, StepView,
    WorkshopOverview,
};
use devloop_engine::workshop::trust::{CommandKind, PackCommand, Trust};
use devloop_engine::workshop::Diagnostic;
use devloop_engine::{Code, Error};
use ts_rs::{Config, TS};

fn render() -> String {
    // Byte counts fit easily in a JS number; bigint would make every UI sum awkward.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        Code::decl(&cfg),
        Error::decl(&cfg),
        Stage::decl(&cfg),
        Practice::decl(&cfg),
        PracticeSpan::decl(&cfg),
        LoopModel::decl(&cfg),
        Locale::decl(&cfg),
        LocaleSource::decl(&cfg),
        Settings::decl(&cfg),
        Status::decl(&cfg),
        EngineVersion::decl(&cfg),
        DockerCheck::decl(&cfg),
        GitCheck::decl(&cfg),
        RustCheck::decl(&cfg),
        DiskCheck::decl(&cfg),
        WorkspaceCheck::decl(&cfg),
        DataCheck::decl(&cfg),
        Report::decl(&cfg),
        Diagnostic::decl(&cfg),
        Finding::decl(&cfg),
        Outcome::decl(&cfg),
        StepProgress::decl(&cfg),
        LessonProgress::decl(&cfg),
        CodeBlock::decl(&cfg),
        Choice::decl(&cfg),
        QuizView::decl(&cfg),
        StepView::decl(&cfg),
        LessonView::decl(&cfg),
        LessonSummary::decl(&cfg),
        WorkshopOverview::decl(&cfg),
        Trust::decl(&cfg),
        PackCommand::decl(&cfg),
        CommandKind::decl(&cfg),
        CheckResult::decl(&cfg),
        QuizResult::decl(&cfg),
        CommandRun::decl(&cfg),
        RunResult::decl(&cfg),
        devloop_engine::record::run::RunStatus::decl(&cfg),
        RunEvent::decl(&cfg),
        RunSummary::decl(&cfg),
        JobView::decl(&cfg),
        WorkflowView::decl(&cfg),
        RunUpdate::decl(&cfg),
        PracticeBracket::decl(&cfg),
        InputView::decl(&cfg),
        JobRecord::decl(&cfg),
        StepRecord::decl(&cfg),
        ArtifactRecord::decl(&cfg),
        RunDetail::decl(&cfg),
        StepLog::decl(&cfg),
        Bump::decl(&cfg),
        BuildEvent::decl(&cfg),
        ReleasePlan::decl(&cfg),
        ReleaseRecord::decl(&cfg),
        ReleaseEvent::decl(&cfg),
        Strategy::decl(&cfg),
        devloop_engine::record::deploy::DeployStatus::decl(&cfg),
        devloop_engine::record::deploy::Target::decl(&cfg),
        devloop_engine::swarm::tasks::Task::decl(&cfg),
        devloop_engine::swarm::SwarmState::decl(&cfg),
        HealthCheck::decl(&cfg),
        Replica::decl(&cfg),
        LogLine::decl(&cfg),
        ServiceStatus::decl(&cfg),
        DeployEvent::decl(&cfg),
        DeployRecord::decl(&cfg),
        Metric::decl(&cfg),
        Policy::decl(&cfg),
        AutoscalerView::decl(&cfg),
        Decision::decl(&cfg),
        DecisionAt::decl(&cfg),
        OpKind::decl(&cfg),
        OpsEvent::decl(&cfg),
        LoadPlan::decl(&cfg),
        LoadReport::decl(&cfg),
        OperateStatus::decl(&cfg),
        Window::decl(&cfg),
        PlotArea::decl(&cfg),
        Marker::decl(&cfg),
        LineValues::decl(&cfg),
        ChartView::decl(&cfg),
        Comparator::decl(&cfg),
        Severity::decl(&cfg),
        Rule::decl(&cfg),
        AlertState::decl(&cfg),
        Active::decl(&cfg),
        AlertChange::decl(&cfg),
        AlertEvent::decl(&cfg),
        SourceStatus::decl(&cfg),
        MonitorView::decl(&cfg),
        ItemKind::decl(&cfg),
        Column::decl(&cfg),
        NewItem::decl(&cfg),
        Item::decl(&cfg),
        ItemCommit::decl(&cfg),
        Sprint::decl(&cfg),
        Dora::decl(&cfg),
        Band::decl(&cfg),
        Bands::decl(&cfg),
        MetricChart::decl(&cfg),
        RefineView::decl(&cfg),
        PlanSource::decl(&cfg),
        LoopState::decl(&cfg),
        LinkedCommit::decl(&cfg),
        ShippedIn::decl(&cfg),
        DeployOf::decl(&cfg),
        ItemDetail::decl(&cfg),
        NoteKind::decl(&cfg),
        Note::decl(&cfg),
        Retro::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/engine by `make bindings`; do not edit by hand.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    // Limits the engine enforces, so the UI's inputs offer exactly what it accepts.
    let replicas = devloop_engine::deploy::REPLICAS;
    out.push_str(&format!(
        "/** How many replicas a release may run. */\nexport const REPLICAS = {{ min: {}, max: {} }} as const;\n",
        replicas.start(),
        replicas.end()
    ));
    out
}

#[test]
fn ui_bindings_match_the_rust_wire_types() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts");
    let expected = render();
    if std::env::var_os("DEVLOOP_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale: run `make bindings` and commit the result",
        path.display()
    );
}
