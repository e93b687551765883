// Generated from crates/engine by `make bindings`; do not edit by hand.

export type Code = "dockerUnavailable" | "dockerPermissionDenied" | "dockerApiTooOld" | "gitUnavailable" | "gitIdentityMissing" | "workspaceUnusable" | "diskLow" | "settings" | "store" | "workshop" | "invalidInput" | "toolMissing" | "serviceElsewhere" | "untrusted" | "internal";

export type AppError = { 
/**
 * Stable identifier to branch on.
 */
code: Code, 
/**
 * English sentence saying what went wrong; shown as detail beside the UI's localised headline.
 */
message: string, 
/**
 * A command that fixes it, shown with a Copy button; `None` when no command can.
 */
fix?: string, 
/**
 * What `message` says, as a code and its facts for the UI's catalogs (`errors.details`),
 * so the learner reads it in their language; the English message is the fallback.
 */
detail?: Finding, };

export type Stage = "plan" | "code" | "build" | "test" | "release" | "deploy" | "operate" | "monitor";

export type Practice = "integration" | "delivery" | "deployment";

export type PracticeSpan = { practice: Practice, automated: Array<Stage>, manualGate?: Stage, };

export type LoopModel = { stages: Array<Stage>, practices: Array<PracticeSpan>, };

export type Locale = "en" | "ko";

export type LocaleSource = "system" | "chosen";

export type Settings = { locale: Locale, localeSource: LocaleSource, 
/**
 * The learner's workspace folder (it may not exist yet).
 */
workspace: string, 
/**
 * The settings file, so an instructor can find it.
 */
file: string, 
/**
 * Continuous Deployment is on (green push runs deploy by themselves); off is Continuous
 * Delivery (a person clicks Deploy).
 */
continuousDeployment: boolean, 
/**
 * Where the deployed service answers from its next start.
 */
proxyAddress: string, 
/**
 * `DEVLOOP_PROXY_ADDR` is set and decides the address (the setting is then not used).
 */
proxyAddressFromEnv: boolean, 
/**
 * Set when the settings file could not be read; defaults are in force and the broken
 * file is kept until the next save moves it aside.
 */
problem?: AppError, };

export type Status = "pass" | "warn" | "fail";

export type EngineVersion = { 
/**
 * Docker's release, e.g. `20.10.24+dfsg1`.
 */
version: string, 
/**
 * The API version in use after negotiation, e.g. `1.41`.
 */
apiVersion: string, os: string, arch: string, };

export type DockerCheck = { status: Status, 
/**
 * Where DevLoop looked, e.g. `unix:///var/run/docker.sock`.
 */
endpoint: string, version?: EngineVersion, problem?: AppError, };

export type GitCheck = { status: Status, 
/**
 * `git --version` of the command learners type, e.g. `2.39.5`.
 */
cliVersion?: string, 
/**
 * The libgit2 DevLoop itself is built with.
 */
libgit2Version: string, 
/**
 * `Name <email>` that commits will carry, when configured.
 */
identity?: string, problem?: AppError, };

export type RustCheck = { status: Status, 
/**
 * `cargo --version`'s number, e.g. `1.95.0`.
 */
cargoVersion?: string, 
/**
 * The target the static build uses (`x86_64-unknown-linux-gnu`).
 */
staticTarget: string, 
/**
 * Its standard library is installed.
 */
staticTargetInstalled: boolean, problem?: AppError, };

export type DiskCheck = { status: Status, 
/**
 * The mount point that holds the workspace.
 */
mountPoint: string, freeBytes: number, totalBytes: number, problem?: AppError, };

export type WorkspaceCheck = { status: Status, path: string, 
/**
 * False before the first lesson creates it.
 */
exists: boolean, problem?: AppError, };

export type DataCheck = { status: Status, 
/**
 * The data folder.
 */
path: string, problem?: AppError, };

export type Report = { docker: DockerCheck, git: GitCheck, rust: RustCheck, disk: DiskCheck, workspace: WorkspaceCheck, data: DataCheck, };

export type Diagnostic = { 
/**
 * The file, relative to the folder the learner knows (the workshops folder, the repo).
 */
file: string, 
/**
 * 1-based; 0 when the problem is the file as a whole (for example, it is missing).
 */
line: number, column: number, 
/**
 * The problem as a code and its facts: the UI's `diagnostics` catalogs say it, and how to
 * fix it, in the learner's language.
 */
finding: Finding, 
/**
 * The problem in English, for the CLI and editors.
 */
message: string, 
/**
 * What to change, in English words.
 */
fix: string, };

export type Finding = { code: string, params: { [key in string]: string }, command?: string, 
/**
 * What lies under it, said after it: a deploy that failed because its health check found
 * a wrong status says both, each from its catalog.
 */
because?: Finding, };

export type Outcome = { "status": "pass" } | { "status": "fail", hint: string, finding?: Finding, } | { "status": "error", why: string, 
/**
 * The reasons a learner meets (Docker down, a broken workspace) as a code for the
 * UI's catalogs; the rest are technical and shown as the engine said them.
 */
finding?: Finding, };

export type StepProgress = { 
/**
 * Unix seconds of the first pass. A step once passed stays passed, even if the learner
 * later changes the workspace: progress is what they achieved, not the state of today.
 */
passedAt?: number, attempts: number, 
/**
 * For quizzes: the choices picked last.
 */
chosen?: Array<string>, };

export type LessonProgress = { startedAt?: number, steps: { [key in string]: StepProgress }, };

export type CodeBlock = { 
/**
 * The language from the fence (`sh`, `rust`...), empty when none.
 */
lang: string, code: string, 
/**
 * Written as ```` ```sh run ````: the learner may run it in the workspace after confirming.
 */
runnable: boolean, };

export type Choice = { id: string, text: string, };

export type QuizView = { question: string, choices: Array<Choice>, 
/**
 * More than one answer is correct ("choose all that apply").
 */
multiple: boolean, 
/**
 * Why the answer is what it is, in the lesson's language; only once the learner answered,
 * so a language switch shows it again in the new language.
 */
explanation?: string, };

export type StepView = { id: string, title: string, hint?: string, 
/**
 * Set for quizzes.
 */
quiz?: QuizView, 
/**
 * The command "solve" would run, shown to the learner before they confirm.
 */
solve?: string, 
/**
 * The CLI command that runs this step's check.
 */
cli: string, progress?: StepProgress, };

export type LessonView = { id: string, title: string, summary: string, stage?: Stage, 
/**
 * Sanitised HTML of the lesson body.
 */
html: string, codeBlocks: Array<CodeBlock>, steps: Array<StepView>, startedAt?: number, 
/**
 * The pack is not trusted yet: its command checks, Run buttons and solves are off.
 */
restricted: boolean, };

export type LessonSummary = { id: string, title: string, summary: string, stage?: Stage, steps: number, passed: number, };

export type WorkshopOverview = { id: string, title: string, workspace: string, lessons: Array<LessonSummary>, 
/**
 * Whether the pack may run its commands, and which; none for a pack vouched for.
 */
trust?: Trust, };

export type Trust = { trusted: boolean, 
/**
 * The pack DevLoop ships, as shipped: trusted without asking.
 */
shipped: boolean, 
/**
 * The content digest that trust is kept under.
 */
digest: string, 
/**
 * Where the pack is, for the CLI twin.
 */
packDir: string, commands: Array<PackCommand>, 
/**
 * `devloop workshop trust <dir>`: the same from a terminal.
 */
cli: string, };

export type PackCommand = { lesson: string, kind: CommandKind, command: string, };

export type CommandKind = "check" | "solve" | "run";

export type CheckResult = { step: string, outcome: Outcome, progress: StepProgress, };

export type QuizResult = { outcome: Outcome, 
/**
 * Shown after any answer, right or wrong.
 */
explanation: string, progress: StepProgress, };

export type CommandRun = { command: string, exitCode?: number, output: string, timedOut: boolean, 
/**
 * A tool the command needs is not installed (its output says `cargo: not found`): which,
 * and the command that installs it.
 */
missing?: Finding, };

export type RunResult = "success" | "failure" | "cancelled" | "skipped";

export type RunStatus = "running" | "success" | "failure" | "cancelled" | "skipped" | "interrupted";

export type RunEvent = { "kind": "jobStarted", job: string, } | { "kind": "stepStarted", job: string, step: number, name: string, } | { "kind": "log", job: string, step: number, text: string, stderr: boolean, atMs: number, } | { "kind": "stepFinished", job: string, step: number, outcome: RunResult, conclusion: RunResult, millis: number, } | { "kind": "jobFinished", job: string, result: RunResult, millis: number, } | { "kind": "jobSettled", job: string, result: RunResult, outputs: { [key in string]: string }, } | { "kind": "artifact", job: string, name: string, files: number, bytes: number, } | { "kind": "runFinished", result: RunResult, millis: number, problem?: AppError, };

export type RunSummary = { number: number, workflow: string, trigger: string, sha: string, branch: string, status: RunStatus, startedAt: number, millis?: number, 
/**
 * The run this one re-ran, if it is a re-run.
 */
rerunOf?: number, 
/**
 * Why it failed when no step says so (see [`RunEvent::RunFinished`]).
 */
problem?: AppError, };

export type JobView = { id: string, name: string, needs: Array<string>, 
/**
 * The loop stage the job does, from its id or name (`build`, `unit-tests`, `deploy`...).
 */
stage?: Stage, };

export type WorkflowView = { 
/**
 * Relative to the repository, e.g. `.github/workflows/ci.yml`.
 */
file: string, name: string, runnable: boolean, 
/**
 * Errors and things DevLoop does not run, each with file:line:col: they stop a run.
 */
problems: Array<Diagnostic>, 
/**
 * What does not stop a run but is worth knowing before it: steps that run differently
 * here (a marketplace action skipped with a notice) and what a linter warns about.
 */
notes: Array<Diagnostic>, 
/**
 * Jobs by stage: every job's needs are in earlier stages.
 */
stages: Array<Array<JobView>>, 
/**
 * CI, Continuous Delivery and Continuous Deployment over the graph, in that order.
 */
practices: Array<PracticeBracket>, 
/**
 * What a run by hand asks for (`on.workflow_dispatch.inputs`); `None` when the workflow
 * cannot be run by hand on GitHub.
 */
inputs?: Array<InputView>, 
/**
 * The CLI command that runs the same workflow.
 */
cli: string, };

export type RunUpdate = { file: string, number: number, events: Array<RunEvent>, };

export type PracticeBracket = { practice: Practice, 
/**
 * The loop stages this practice adds to the one before it.
 */
adds: Array<Stage>, 
/**
 * True when the workflow has a job for what the practice adds.
 */
present: boolean, 
/**
 * The graph columns its jobs span, first and last; `None` when it has none here.
 */
columns?: [number, number], 
/**
 * Where a person clicks (Continuous Delivery's Deploy), if anywhere.
 */
manualGate?: Stage, };

export type InputView = { name: string, description?: string, required: boolean, default?: string, 
/**
 * string, boolean, choice, number or environment.
 */
kind: string, options: Array<string>, };

export type JobRecord = { job: string, result?: RunResult, millis?: number, };

export type StepRecord = { job: string, step: number, name: string, outcome?: RunResult, conclusion?: RunResult, millis?: number, };

export type ArtifactRecord = { job: string, name: string, files: number, bytes: number, };

export type RunDetail = { run: RunSummary, jobs: Array<JobRecord>, steps: Array<StepRecord>, artifacts: Array<ArtifactRecord>, inputs: { [key in string]: string }, 
/**
 * What the steps wrote to `$GITHUB_STEP_SUMMARY`, rendered and sanitised; empty when none.
 */
summaryHtml: string, 
/**
 * The run's folder: logs, artifacts and the summary as files.
 */
dir: string, 
/**
 * The command that runs it again.
 */
rerunCli: string, 
/**
 * The CLI command that re-runs only its failed jobs.
 */
rerunFailedCli: string, };

export type StepLog = { step: number, text: string, };

export type Bump = "patch" | "minor" | "major";

export type BuildEvent = { "kind": "context", files: number, bytes: number, } | { "kind": "step", n: number, of: number, instruction: string, } | { "kind": "log", text: string, };

export type ReleasePlan = { 
/**
 * The image name (`loop-service`).
 */
app: string, last?: string, proposed: string, bump: Bump, 
/**
 * The version the commit's `Cargo.toml` declares: what the service itself reports. A
 * release named otherwise is shown with a warning.
 */
declared?: string, 
/**
 * The commits since the last release, newest first: short sha and first line.
 */
commits: Array<[string, string]>, notes: string, sha: string, 
/**
 * Tracked files have uncommitted changes: a release must be a commit, so it is refused.
 */
dirty: boolean, 
/**
 * Those files, relative to the repository, so the learner knows what to commit.
 */
dirtyFiles: Array<string>, 
/**
 * The command that makes this release.
 */
cli: string, };

export type ReleaseRecord = { app: string, version: string, sha: string, imageId: string, imageBytes: number, archive: string, notes: string, createdAt: number, 
/**
 * The deploy history says this version is the one live now.
 */
live: boolean, };

export type ReleaseEvent = { "kind": "phase", phase: string, } | { "kind": "build", event: BuildEvent, } | { "kind": "compile", line: string, } | { "kind": "saving", bytes: number, };

export type Strategy = "recreate" | "blueGreen" | "rolling";

export type DeployStatus = "running" | "live" | "rolled-back" | "failed" | "interrupted" | "waiting" | "approved";

export type Target = "local" | "swarm";

export type Task = { id: string, 
/**
 * `app.slot`, as `docker service ps` prints it.
 */
name: string, slot: number, 
/**
 * The node's host name.
 */
node: string, 
/**
 * What Swarm says the task is: `new` … `running`, `complete`, `shutdown`, `failed`,
 * `rejected`.
 */
state: string, 
/**
 * What Swarm wants it to be: `running`, or `shutdown` once it is replaced.
 */
desired: string, version: string, container?: string, 
/**
 * Where it answers on this machine (`ip:port` on DevLoop's network), while it runs here.
 */
address?: string, 
/**
 * Swarm's word for why it ended (`task: non-zero exit (1)`, an unhealthy container).
 */
error?: string, 
/**
 * When Swarm last changed its state (unix milliseconds).
 */
atMs: number, };

export type SwarmState = { 
/**
 * `inactive`, `pending`, `active`, `error` or `locked`, as the daemon says it.
 */
nodeState: string, 
/**
 * This node manages the swarm (DevLoop can create services on it).
 */
manager: boolean, 
/**
 * The swarm's id, when there is one.
 */
cluster?: string, 
/**
 * DevLoop made this swarm, so `devloop swarm leave` may leave it.
 */
madeByDevloop: boolean, };

export type HealthCheck = { path: string, intervalMs: number, timeoutMs: number, retries: number, startPeriodMs: number, };

export type Replica = { id: string, name: string, version: string, colour: string, deploy: string, 
/**
 * Where it answers on this machine: 127.0.0.1:`port` (0 for a swarm task).
 */
port: number, running: boolean, 
/**
 * A swarm task's address on DevLoop's network (`ip:port`); none for a local replica.
 */
address?: string, };

export type LogLine = { text: string, stderr: boolean, 
/**
 * When the container printed it (unix milliseconds), as Docker stamped it.
 */
at?: number, };

export type ServiceStatus = { app: string, 
/**
 * `http://127.0.0.1:8080`
 */
url: string, version?: string, replicas: Array<Replica>, 
/**
 * Containers reconcile removed when the service started.
 */
removedAtStart: Array<string>, 
/**
 * Where the traffic goes: this machine's replicas, or a swarm service's tasks.
 */
target: Target, 
/**
 * On the swarm: every task Swarm keeps of the service, the stopped and failed ones too,
 * newest first within each slot.
 */
tasks: Array<Task>, };

export type DeployEvent = { "kind": "starting", version: string, n: number, of: number, } | { "kind": "healthy", name: string, millis: number, } | { "kind": "switched", version: string, replicas: number, } | { "kind": "stopped", name: string, } | { "kind": "task", name: string, version: string, node: string, n: number, of: number, } | { "kind": "rolledBack", reason: string, to?: string, };

export type DeployRecord = { id: number, app: string, version: string, strategy: Strategy, replicas: number, status: DeployStatus, reason: string, 
/**
 * `reason` as a code and its facts, for the UI's catalogs; none for deploys recorded
 * before DevLoop kept it.
 */
detail?: Finding, logs: string, startedAt: number, finishedAt?: number, 
/**
 * Where it went.
 */
target: Target, };

export type Metric = "rps" | "cpu";

export type Policy = { min: number, max: number, metric: Metric, 
/**
 * What one replica should carry: requests a second, or percent of one core.
 */
targetPerReplica: number, upWindowMs: number, downWindowMs: number, cooldownMs: number, };

export type AutoscalerView = { enabled: boolean, policy: Policy, 
/**
 * Newest first.
 */
decisions: Array<DecisionAt>, };

export type Decision = { 
/**
 * The replica count wanted; equal to the current one means stay.
 */
replicas: number, why: Finding, reason: string, };

export type DecisionAt = { atMs: number, decision: Decision, };

export type OpsKind = "deploy" | "rollback" | "scale" | "autoscale" | "heal" | "chaos" | "load" | "plan";

export type OpsEvent = { atMs: number, app: string, kind: OpsKind, 
/**
 * What happened, as a code and its facts, which the UI's catalogs word; none in entries
 * older than that.
 */
what?: Finding, 
/**
 * What happened in English, as the CLI prints it.
 */
message: string, 
/**
 * Older entries' Korean, written before `what`; new entries leave it empty.
 */
messageKo?: string, 
/**
 * How long it took: a heal's recovery, a load run's duration.
 */
millis?: number, 
/**
 * How the replica count changed (scale, autoscale): +1 is one more.
 */
change?: number, 
/**
 * Older entries' reason, said after `message_ko`; new entries carry it in `what`.
 */
reason?: Finding, };

export type LoadPlan = { path: string, rps: number, durationMs: number, concurrency: number, 
/**
 * The rate grows from zero to `rps` over this long.
 */
rampMs: number, };

export type LoadReport = { sent: number, 
/**
 * Answers by status code; 0 counts requests that got no HTTP answer at all.
 */
statuses: Record<string, number>, 
/**
 * Ticks skipped because `concurrency` requests were already on their way.
 */
skipped: number, p50Micros: number, p99Micros: number, };

export type OperateStatus = { service: ServiceStatus, autoscaler: AutoscalerView, 
/**
 * The operations log, newest first.
 */
ops: Array<OpsEvent>, };

export type MonitorWindow = "5m" | "1h" | "24h";

export type PlotArea = { left: number, right: number, top: number, bottom: number, };

export type Marker = { at: number, 
/**
 * `deploy`, `rollback`, `alert` or `resolved`.
 */
kind: string, label: string, };

export type LineValues = { label: string, values: Array<number | null>, };

export type ChartView = { id: string, unit: string, svg: string, area: PlotArea, from: number, to: number, step: number, lines: Array<LineValues>, 
/**
 * No sample at all in the window: the page says why instead of an empty frame.
 */
empty: boolean, };

export type Comparator = ">" | ">=" | "<" | "<=";

export type Severity = "info" | "warning" | "critical";

export type Rule = { name: string, 
/**
 * A metric name, with labels to narrow it: `host.cpu`, `endpoint.errorRate{service=app}`.
 * Without labels it matches every series of that name, each alerting on its own.
 */
metric: string, comparator: Comparator, threshold: number, 
/**
 * Seconds the condition must hold before the alert fires; 0 fires at once.
 */
forS: number, severity: Severity, description: string, };

export type AlertState = { "state": "inactive" } | { "state": "pending", since: number, } | { "state": "firing", since: number, };

export type Active = { rule: string, series: string, severity: Severity, state: AlertState, 
/**
 * The rule's own description; empty for a built-in rule, which the UI says from its
 * name and these figures in the learner's language.
 */
description: string, threshold: number, forS: number, };

export type AlertChange = "pending" | "firing" | "resolved" | "unwatched";

export type AlertEvent = { rule: string, 
/**
 * The series it is about, e.g. `endpoint.errorRate{service=app}`.
 */
series: string, severity: Severity, state: AlertChange, at: number, value?: number, 
/**
 * When it began firing (for `resolved`, how long it fired is `at - fired_at`).
 */
firedAt?: number, description: string, };

export type SourceStatus = { 
/**
 * Empty when fine; otherwise what went wrong, in a sentence.
 */
host: string, containers: string, 
/**
 * The service's `/metrics`, when it could not be read.
 */
scrape: string, 
/**
 * Set when a collector failed (a bug) and was started again.
 */
collector: string, 
/**
 * Set when `alerts.json` could not be used: why, and that the defaults are in force.
 */
rules: string, 
/**
 * Seconds the wall clock jumped at the last look, when it did (samples keep their order;
 * the time axis follows the new clock).
 */
clockJumpS: number, };

export type MonitorView = { charts: Array<ChartView>, markers: Array<Marker>, active: Array<Active>, 
/**
 * Newest first.
 */
history: Array<AlertEvent>, status: SourceStatus, 
/**
 * The names the service's own `/metrics` gave, to chart one of them.
 */
scraped: Array<string>, 
/**
 * The service's replicas now, to follow one's logs beside the charts.
 */
replicas: Array<Replica>, 
/**
 * The swarm service's tasks, with their nodes and states (none on this machine's target).
 */
tasks: Array<Task>, };

export type ItemKind = "feature" | "bug" | "chore";

export type PlanColumn = "backlog" | "sprint" | "doing" | "done";

export type NewItem = { kind: ItemKind, title: string, description: string, estimate: number | null, infra: boolean, 
/**
 * What raised it (an alert, a failed run, …), shown with it.
 */
source: string, };

export type Item = { id: number, kind: ItemKind, title: string, description: string, estimate?: number, column: PlanColumn, infra: boolean, position: number, source: string, createdAt: number, doneAt?: number, 
/**
 * How many commits name it.
 */
commits: number, };

export type ItemCommit = { item: number, sha: string, closes: boolean, committedAt: number, };

export type Sprint = { id: number, name: string, 
/**
 * Unix seconds.
 */
starts: number, ends: number, };

export type Dora = { 
/**
 * Live deploys per day over the period.
 */
deploysPerDay: number, leadTimeMedianS?: number, leadTimeP90S?: number, 
/**
 * Changes whose commit time is after their deploy (a skewed clock); counted as zero.
 */
skewedChanges: number, 
/**
 * Percent of deploys in the period that led to a failure.
 */
changeFailurePercent?: number, timeToRestoreMedianS?: number, 
/**
 * Incidents still going at the end of the period, and how long the oldest has been: a
 * restore time that is not known yet, so it is shown beside the median, not in it.
 */
openIncidents: number, openLongestS?: number, 
/**
 * Percent of live deploys in the period that were rework (2024's fifth metric).
 */
reworkPercent?: number, 
/**
 * How many deploys, changes and incidents the figures come from: the counts behind each
 * rate, so a learner sees "1 of 2", not only "50 %".
 */
deploys: number, liveDeploys: number, failedDeploys: number, reworkDeploys: number, changes: number, incidents: number, 
/**
 * Incidents with a known recovery time, which the median is taken over.
 */
restored: number, 
/**
 * Drills in the period, kept out of every figure above.
 */
drills: number, };

export type Band = "elite" | "high" | "medium" | "low";

export type Bands = { frequency: Band, leadTime?: Band, changeFailure?: Band, timeToRestore?: Band, };

export type MetricChart = { 
/**
 * `frequency`, `leadTime`, `changeFailure`, `timeToRestore` (failed deployment recovery
 * time), `rework`.
 */
id: string, svg: string, area: PlotArea, };

export type RefineView = { app: string, 
/**
 * The last seven days.
 */
current: Dora, bands: Bands, charts: Array<MetricChart>, };

export type PlanSource = { "from": "run", number: number, } | { "from": "deploy", id: number, } | { "from": "heal", atMs: number, };

export type LoopState = { 
/**
 * Items in the sprint or being worked on.
 */
inSprint: number, 
/**
 * The workspace's last commit: its short id and subject.
 */
lastCommit?: string, latestRelease?: string, liveVersion?: string, replicas: number, alertsFiring: number, };

export type LinkedCommit = { sha: string, 
/**
 * Its first line; empty when the workspace no longer has it.
 */
summary: string, 
/**
 * It says `fix #N` (or another closing word), so its deploy finishes the item.
 */
closes: boolean, committedAt: number, };

export type ShippedIn = { version: string, releasedAt: number, };

export type DeployOf = { id: number, version: string, status: DeployStatus, at: number, };

export type ItemDetail = { item: Item, 
/**
 * The description rendered by the lesson renderer: no script, no remote image, and
 * external links only marked (the app never follows them).
 */
descriptionHtml: string, commits: Array<LinkedCommit>, 
/**
 * Runs of those commits, newest first.
 */
runs: Array<RunSummary>, 
/**
 * The first release of the app that carried each commit, oldest first.
 */
releases: Array<ShippedIn>, 
/**
 * Every deploy of those releases, newest first.
 */
deploys: Array<DeployOf>, };

export type NoteKind = "well" | "not" | "improve";

export type Note = { id: number, sprint: number, kind: NoteKind, text: string, 
/**
 * The backlog item an improvement became.
 */
item?: number, createdAt: number, };

export type Retro = { sprint: Sprint, notes: Array<Note>, 
/**
 * Over the sprint's days (to now, while it runs).
 */
metrics: Dora, 
/**
 * The sprint before, to compare with.
 */
before?: [string, Dora], 
/**
 * Items finished during the sprint.
 */
done: number, 
/**
 * Items in the Sprint or Doing column now; only for the newest sprint, since the board
 * keeps no record of what an earlier sprint had left.
 */
left?: number, 
/**
 * Items the loop raised during the sprint (from alerts, runs, deploys, heals, retros).
 */
raised: number, };

/** How many replicas a release may run. */
export const REPLICAS = { min: 1, max: 8 } as const;
