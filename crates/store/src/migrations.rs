//! Numbered schema migrations, applied in order inside one transaction each.

/// Each entry moves the schema from version `i` to `i + 1`. Append only: never edit one that
/// has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: learner progress.
    "CREATE TABLE step_progress (
        pack TEXT NOT NULL,
        lesson TEXT NOT NULL,
        step TEXT NOT NULL,
        passed_at INTEGER,            -- unix seconds of the first pass; NULL until then
        attempts INTEGER NOT NULL DEFAULT 0,
        last_outcome TEXT NOT NULL,   -- pass, fail or error
        PRIMARY KEY (pack, lesson, step)
    );
    CREATE TABLE quiz_answer (
        pack TEXT NOT NULL,
        lesson TEXT NOT NULL,
        step TEXT NOT NULL,
        chosen TEXT NOT NULL,         -- JSON array of choice ids
        correct INTEGER NOT NULL,
        answered_at INTEGER NOT NULL,
        PRIMARY KEY (pack, lesson, step)
    );
    CREATE TABLE lesson_visit (
        pack TEXT NOT NULL,
        lesson TEXT NOT NULL,
        started_at INTEGER NOT NULL,  -- first opened
        PRIMARY KEY (pack, lesson)
    );",
    // 2: workflow run history.
    "CREATE TABLE run (
        id INTEGER PRIMARY KEY,       -- the run number learners see
        workflow TEXT NOT NULL,
        trigger TEXT NOT NULL,        -- push, workflow_dispatch, manual
        sha TEXT NOT NULL,
        branch TEXT NOT NULL,
        status TEXT NOT NULL,         -- running, success, failure, cancelled, interrupted
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        millis INTEGER
    );
    CREATE TABLE run_job (
        run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        job TEXT NOT NULL,
        result TEXT,
        millis INTEGER,
        PRIMARY KEY (run, job)
    );
    CREATE TABLE run_step (
        run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        job TEXT NOT NULL,
        step INTEGER NOT NULL,
        name TEXT NOT NULL,
        outcome TEXT,
        conclusion TEXT,
        millis INTEGER,
        PRIMARY KEY (run, job, step)
    );",
    // 3: what a re-run needs, and the files runs kept.
    "ALTER TABLE run ADD COLUMN git_ref TEXT NOT NULL DEFAULT '';
    ALTER TABLE run ADD COLUMN inputs TEXT NOT NULL DEFAULT '{}';  -- JSON object
    ALTER TABLE run ADD COLUMN rerun_of INTEGER;
    ALTER TABLE run ADD COLUMN workflow_text TEXT NOT NULL DEFAULT '';  -- as it ran, for re-runs
    ALTER TABLE run ADD COLUMN pid INTEGER;  -- the process running it: alive means not interrupted
    CREATE TABLE run_artifact (
        run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        job TEXT NOT NULL,
        name TEXT NOT NULL,
        files INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        PRIMARY KEY (run, name)
    );",
    // 4: releases.
    "CREATE TABLE release (
        app TEXT NOT NULL,
        version TEXT NOT NULL,
        sha TEXT NOT NULL,
        image_id TEXT NOT NULL,
        image_bytes INTEGER NOT NULL,
        archive TEXT NOT NULL,        -- the saved image, loadable with docker load
        notes TEXT NOT NULL,          -- markdown
        created_at INTEGER NOT NULL,
        PRIMARY KEY (app, version)
    );",
    // 5: deploys.
    "CREATE TABLE deploy (
        id INTEGER PRIMARY KEY,
        app TEXT NOT NULL,
        version TEXT NOT NULL,
        strategy TEXT NOT NULL,
        replicas INTEGER NOT NULL,
        status TEXT NOT NULL,         -- running, live, rolled-back, failed, interrupted
        reason TEXT NOT NULL DEFAULT '',
        logs TEXT NOT NULL DEFAULT '',  -- the failing container's last lines
        started_at INTEGER NOT NULL,
        finished_at INTEGER
    );",
    // 6: the operations log: deploys, rollbacks, scaling, healing, chaos.
    "CREATE TABLE ops_event (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,          -- unix milliseconds
        app TEXT NOT NULL,
        kind TEXT NOT NULL,           -- deploy, rollback, scale, heal, chaos
        message TEXT NOT NULL,
        millis INTEGER                -- how long it took (a heal's recovery), when it applies
    );",
    // 7: the operations log in Korean too (notifications and the Operate page follow the
    // learner's language); the replica count's change (autoscaler lesson checks); load runs.
    "ALTER TABLE ops_event ADD COLUMN message_ko TEXT NOT NULL DEFAULT '';
     ALTER TABLE ops_event ADD COLUMN change INTEGER;",
    // 8: Monitor: each series' minutes (min, max, average) for 24 hours, and the alert history.
    "CREATE TABLE metric_minute (
        series TEXT NOT NULL,         -- name{label=value}
        at INTEGER NOT NULL,          -- the minute's first second (unix)
        min REAL NOT NULL,
        max REAL NOT NULL,
        avg REAL NOT NULL,
        PRIMARY KEY (series, at)
    ) WITHOUT ROWID;
     CREATE INDEX metric_minute_at ON metric_minute (at);
     CREATE TABLE alert_event (
        id INTEGER PRIMARY KEY,
        rule TEXT NOT NULL,
        series TEXT NOT NULL,
        severity TEXT NOT NULL,
        state TEXT NOT NULL,          -- pending, firing, resolved
        at INTEGER NOT NULL,          -- unix seconds
        value REAL,
        fired_at INTEGER,
        description TEXT NOT NULL
    );",
    // 9: Plan: the backlog's items (#N is the id), sprints, and the commits that name items.
    "CREATE TABLE sprint (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        starts INTEGER NOT NULL,      -- unix seconds
        ends INTEGER NOT NULL
    );
     CREATE TABLE plan_item (
        id INTEGER PRIMARY KEY,       -- the item's #N
        kind TEXT NOT NULL,           -- feature, bug, chore
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',  -- markdown, sanitised when shown
        estimate INTEGER,
        state TEXT NOT NULL DEFAULT 'backlog', -- backlog, sprint, doing, done
        sprint INTEGER REFERENCES sprint(id),
        infra INTEGER NOT NULL DEFAULT 0,      -- needs infrastructure work
        position REAL NOT NULL DEFAULT 0,      -- order within its column
        source TEXT NOT NULL DEFAULT '',       -- what raised it: an alert, a run, a rollback
        created_at INTEGER NOT NULL,
        done_at INTEGER
    );
     CREATE TABLE item_commit (
        item INTEGER NOT NULL REFERENCES plan_item(id),
        sha TEXT NOT NULL,
        closes INTEGER NOT NULL,
        committed_at INTEGER NOT NULL,
        PRIMARY KEY (item, sha)
    );",
    // 10: Refine: each sprint's retrospective. An improvement is also a backlog item (`item`).
    "CREATE TABLE retro_note (
        id INTEGER PRIMARY KEY,
        sprint INTEGER NOT NULL REFERENCES sprint(id),
        kind TEXT NOT NULL,           -- well, not, improve
        text TEXT NOT NULL,
        item INTEGER REFERENCES plan_item(id),
        created_at INTEGER NOT NULL
    );",
    // 11: why a deploy did not go live (or waits), as a finding's JSON, so the history reads
    // in the learner's language; `reason` keeps the English for the CLI.
    "ALTER TABLE deploy ADD COLUMN detail TEXT;",
    // 12: why a run failed when no step says so (the disk filled up under its logs), as the
    // error's JSON.
    "ALTER TABLE run ADD COLUMN problem TEXT;",
    // 13: why an operation failed, as a finding's JSON, when the engine has no Korean phrase
    // for it: the Operate page says it from its catalogs.
    "ALTER TABLE ops_event ADD COLUMN reason TEXT;",
    // 14: each job of a run by id, with its result and outputs as JSON, so "Re-run failed
    // jobs" keeps the jobs that succeeded with what they gave.
    "CREATE TABLE run_job_settled (
        run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        job TEXT NOT NULL,
        result TEXT NOT NULL,
        outputs TEXT NOT NULL,
        PRIMARY KEY (run, job)
    );",
    // 15: what an operation did, as a finding's JSON (a code and its facts) that each UI
    // catalog words: no language is stored, so a new one needs no migration. `message` keeps
    // the English for the CLI; `message_ko` and `reason` stay for the entries written before.
    "ALTER TABLE ops_event ADD COLUMN what TEXT;",
    // 16: where a deploy went: `local` (the engine, behind the proxy) or `swarm`.
    "ALTER TABLE deploy ADD COLUMN target TEXT NOT NULL DEFAULT 'local';",
];

pub fn apply(conn: &mut rusqlite::Connection) -> Result<(), String> {
    // Under the write lock, and the version read again there: the app and a terminal's
    // `devloop` may open a new database at the same moment, and only one may migrate it.
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| e.to_string())?;
    let current: usize = tx
        .pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0))
        .map_err(|e| e.to_string())? as usize;
    if current > MIGRATIONS.len() {
        return Err(format!(
            "it was written by a newer DevLoop (schema {current}, this one knows {}); update DevLoop",
            MIGRATIONS.len()
        ));
    }
    if current == MIGRATIONS.len() {
        return Ok(());
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        tx.execute_batch(sql)
            .map_err(|e| format!("migration {}: {e}", i + 1))?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)
        .map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_idempotent_and_a_newer_schema_is_refused() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        apply(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        assert!(apply(&mut conn).unwrap_err().contains("newer DevLoop"));
    }

    #[test]
    fn processes_opening_a_new_database_at_once_migrate_it_once() {
        // The app and a terminal's devloop, both first: threads stand in for them, each with
        // its own connection, as each process has.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("devloop.sqlite");
        let start = std::sync::Arc::new(std::sync::Barrier::new(8));
        let opened: Vec<_> = (0..8)
            .map(|_| {
                let (file, start) = (file.clone(), std::sync::Arc::clone(&start));
                std::thread::spawn(move || {
                    start.wait();
                    crate::Store::open(&file).map(drop)
                })
            })
            .collect();
        for t in opened {
            t.join().unwrap().unwrap();
        }
    }
}
