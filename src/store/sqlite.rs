//! The embedded store: one SQLite file (WAL), each result committed as it
//! arrives, so an interrupted scan loses only what was in flight.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use super::{CheckRecord, HistoryStore, Page, Run, StoreError};

/// Schema migrations, in order; the store records how many it has applied.
const MIGRATIONS: &[&str] = &[
    // 1: runs and results.
    "CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        profile TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        total INTEGER NOT NULL
     );
     CREATE TABLE results (
        domain TEXT NOT NULL,
        run_id TEXT NOT NULL REFERENCES runs(id),
        checked_at TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        profile TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        organisation TEXT NOT NULL,
        organisation_type TEXT NOT NULL,
        region TEXT NOT NULL,
        provider TEXT NOT NULL,
        failed_rules TEXT NOT NULL,
        result TEXT NOT NULL,
        PRIMARY KEY (domain, run_id)
     );
     CREATE INDEX results_by_run ON results(run_id);",
];

/// SQLite-backed history.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn err(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let context = context.into();
    move |source| StoreError::Sqlite { context, source }
}

impl SqliteStore {
    /// Opens (creating) the file and its directory.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn =
            Connection::open(path).map_err(err(format!("cannot open {}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err("busy_timeout"))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err("journal_mode"))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err("synchronous"))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err("foreign_keys"))?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut c = self.conn();
        let version: i64 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err("user_version"))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = c.transaction().map_err(err("begin migration"))?;
            tx.execute_batch(sql)
                .map_err(err(format!("migration {}", i + 1)))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(err("user_version"))?;
            tx.commit().map_err(err("commit migration"))?;
        }
        Ok(())
    }
}

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Run> {
    Ok(Run {
        id: r.get(0)?,
        started_at: r.get(1)?,
        finished_at: r.get(2)?,
        profile: r.get(3)?,
        policy_version: r.get(4)?,
        total: r.get::<_, i64>(5)? as u64,
    })
}

const RECORD_COLUMNS: &str = "domain, run_id, checked_at, attempt, verdict, profile, policy_version, organisation, organisation_type, region, provider, failed_rules, result";

/// RECORD_COLUMNS qualified with the `r` alias of `results`.
fn qualified_columns() -> String {
    RECORD_COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn record_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(CheckRecord, String)> {
    let rules: String = r.get(11)?;
    let result: String = r.get(12)?;
    Ok((
        CheckRecord {
            domain: r.get(0)?,
            run_id: r.get(1)?,
            checked_at: r.get(2)?,
            attempt: r.get::<_, i64>(3)? as u32,
            verdict: r.get(4)?,
            profile: r.get(5)?,
            policy_version: r.get(6)?,
            organisation: r.get(7)?,
            organisation_type: r.get(8)?,
            region: r.get(9)?,
            provider: r.get(10)?,
            failed_rules: rules
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            result: serde_json::Value::Null,
        },
        result,
    ))
}

fn finish(rows: Vec<(CheckRecord, String)>) -> Result<Vec<CheckRecord>, StoreError> {
    rows.into_iter()
        .map(|(mut rec, text)| {
            rec.result = serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(rec.domain.clone(), e.to_string()))?;
            Ok(rec)
        })
        .collect()
}

impl HistoryStore for SqliteStore {
    async fn init(&self) -> Result<(), StoreError> {
        self.migrate()
    }

    async fn start_run(&self, run: &Run) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO runs (id, started_at, finished_at, profile, policy_version, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(id) DO NOTHING",
                params![run.id, run.started_at, run.finished_at, run.profile, run.policy_version, run.total as i64],
            )
            .map_err(err("record the run"))?;
        Ok(())
    }

    async fn finish_run(&self, id: &str, at: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE runs SET finished_at = ?2 WHERE id = ?1",
                params![id, at],
            )
            .map_err(err("finish the run"))?;
        Ok(())
    }

    async fn run(&self, id: &str) -> Result<Option<Run>, StoreError> {
        self.conn()
            .query_row(
                "SELECT id, started_at, finished_at, profile, policy_version, total FROM runs WHERE id = ?1",
                params![id],
                run_from_row,
            )
            .optional()
            .map_err(err("read the run"))
    }

    async fn runs(&self) -> Result<Vec<Run>, StoreError> {
        let c = self.conn();
        let mut st = c
            .prepare("SELECT id, started_at, finished_at, profile, policy_version, total FROM runs ORDER BY started_at, id")
            .map_err(err("list runs"))?;
        let rows = st.query_map([], run_from_row).map_err(err("list runs"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(err("list runs"))
    }

    async fn put(&self, r: &CheckRecord) -> Result<(), StoreError> {
        self
            .conn()
            .execute(
                &format!(
                    "INSERT INTO results ({RECORD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT(domain, run_id) DO UPDATE SET
                       checked_at = excluded.checked_at, attempt = excluded.attempt, verdict = excluded.verdict,
                       profile = excluded.profile, policy_version = excluded.policy_version,
                       organisation = excluded.organisation, organisation_type = excluded.organisation_type,
                       region = excluded.region, provider = excluded.provider,
                       failed_rules = excluded.failed_rules, result = excluded.result
                     WHERE excluded.attempt > results.attempt"
                ),
                params![
                    r.domain,
                    r.run_id,
                    r.checked_at,
                    r.attempt as i64,
                    r.verdict,
                    r.profile,
                    r.policy_version,
                    r.organisation,
                    r.organisation_type,
                    r.region,
                    r.provider,
                    r.failed_rules.join(","),
                    r.result.to_string()
                ],
            )
            .map_err(err(format!("store the result for {}", r.domain)))?;
        Ok(())
    }

    async fn run_domains(&self, run_id: &str) -> Result<Vec<String>, StoreError> {
        let c = self.conn();
        let mut st = c
            .prepare("SELECT domain FROM results WHERE run_id = ?1 ORDER BY domain")
            .map_err(err("list the run's domains"))?;
        let rows = st
            .query_map(params![run_id], |r| r.get(0))
            .map_err(err("list the run's domains"))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(err("list the run's domains"))
    }

    async fn history(&self, domain: &str) -> Result<Vec<CheckRecord>, StoreError> {
        let rows = {
            let c = self.conn();
            let cols = qualified_columns();
            let mut st = c
                .prepare(&format!(
                    "SELECT {cols} FROM results r JOIN runs ON runs.id = r.run_id
                     WHERE r.domain = ?1 ORDER BY runs.started_at, r.run_id"
                ))
                .map_err(err("read history"))?;
            let rows = st
                .query_map(params![domain], record_from_row)
                .map_err(err("read history"))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(err("read history"))?
        };
        finish(rows)
    }

    async fn records(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<CheckRecord>, StoreError> {
        // The cursor is the position of the last row returned: "started_at\u{1f}run_id\u{1f}domain".
        let (after_start, after_run, after_domain) =
            match cursor.map(|c| c.split('\u{1f}').collect::<Vec<_>>()) {
                Some(p) if p.len() == 3 => (p[0].to_string(), p[1].to_string(), p[2].to_string()),
                _ => (String::new(), String::new(), String::new()),
            };
        let rows = {
            let c = self.conn();
            let cols = qualified_columns();
            let mut st = c
                .prepare(&format!(
                    "SELECT {cols}, runs.started_at FROM results r JOIN runs ON runs.id = r.run_id
                     WHERE (runs.started_at, r.run_id, r.domain) > (?1, ?2, ?3)
                     ORDER BY runs.started_at, r.run_id, r.domain LIMIT ?4"
                ))
                .map_err(err("page results"))?;
            let rows = st
                .query_map(
                    params![after_start, after_run, after_domain, limit as i64],
                    |r| Ok((record_from_row(r)?, r.get::<_, String>(13)?)),
                )
                .map_err(err("page results"))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(err("page results"))?
        };
        let next = if rows.len() == limit {
            rows.last()
                .map(|((rec, _), start)| format!("{start}\u{1f}{}\u{1f}{}", rec.run_id, rec.domain))
        } else {
            None
        };
        let items = finish(rows.into_iter().map(|(r, _)| r).collect())?;
        Ok(Page { items, next })
    }
}
