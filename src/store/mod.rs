//! Scan history: a small store interface with an embedded SQLite
//! implementation (the default) — one interface so a DynamoDB one can sit
//! beside it, tested by the same conformance suite.

pub mod dynamo;
pub mod sqlite;

use std::future::Future;

use serde::{Deserialize, Serialize};

/// Errors of a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store URL is not understood.
    #[error(
        "`{0}` is not a store: use sqlite:PATH (or dynamodb://TABLE once that backend exists)"
    )]
    BadUrl(String),
    /// The database said no.
    #[error("{context}: {source}")]
    Sqlite {
        /// What was being done.
        context: String,
        /// Why it failed.
        source: rusqlite::Error,
    },
    /// DynamoDB said no.
    #[error("DynamoDB: {context}: {message}")]
    Dynamo {
        /// What was being done.
        context: String,
        /// Why it failed.
        message: String,
    },
    /// The schema is newer than this hisf understands.
    #[error("the store's schema version {found} is newer than this hisf ({known}); upgrade hisf")]
    TooNew {
        /// In the store.
        found: i64,
        /// Known here.
        known: i64,
    },
    /// A stored result could not be read back.
    #[error("stored result for {0} is not valid JSON: {1}")]
    Corrupt(String, String),
}

/// A scan run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// `YYYYMMDDTHHMMSSZ-xxxx`.
    pub id: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// RFC 3339 UTC, once every domain is done.
    pub finished_at: Option<String>,
    /// Profile of the run.
    pub profile: String,
    /// Policy catalogue version.
    pub policy_version: String,
    /// Domains in the target list.
    pub total: u64,
}

/// One domain's result in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// The mail domain.
    pub domain: String,
    /// The run.
    pub run_id: String,
    /// When the result was taken, RFC 3339 UTC.
    pub checked_at: String,
    /// 1 for the first probe; retries of an inconclusive result count up.
    pub attempt: u32,
    /// `compliant`, `non_compliant`, `inconclusive`, `not_applicable`.
    pub verdict: String,
    /// Profile the verdict is under.
    pub profile: String,
    /// Policy catalogue version the verdict is under.
    pub policy_version: String,
    /// From the target list.
    pub organisation: String,
    /// From the target list.
    pub organisation_type: String,
    /// From the target list.
    pub region: String,
    /// Mail provider: the registrable domain of the first MX host.
    pub provider: String,
    /// Rule IDs that failed at error severity.
    pub failed_rules: Vec<String>,
    /// The full `hisf check` result for the domain (schemas/check-result.schema.json `results[]`).
    pub result: serde_json::Value,
}

/// A page of records and the cursor for the next one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// Items.
    pub items: Vec<T>,
    /// Opaque; `None` on the last page.
    pub next: Option<String>,
}

/// What scans and reports need from a store.
pub trait HistoryStore {
    /// Creates the schema or table, applying pending migrations.
    fn init(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records a run (a second call with the same id changes nothing).
    fn start_run(&self, run: &Run) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Marks a run finished.
    fn finish_run(&self, id: &str, at: &str)
        -> impl Future<Output = Result<(), StoreError>> + Send;
    /// One run.
    fn run(&self, id: &str) -> impl Future<Output = Result<Option<Run>, StoreError>> + Send;
    /// Every run, oldest first.
    fn runs(&self) -> impl Future<Output = Result<Vec<Run>, StoreError>> + Send;
    /// Stores a result. Idempotent: the same (domain, run, attempt) again
    /// changes nothing; a later attempt replaces an earlier one; an earlier
    /// attempt never replaces a later one.
    fn put(&self, rec: &CheckRecord) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Domains with a result in a run (to resume it).
    fn run_domains(
        &self,
        run_id: &str,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// A domain's results, in run order (by run start).
    fn history(
        &self,
        domain: &str,
    ) -> impl Future<Output = Result<Vec<CheckRecord>, StoreError>> + Send;
    /// All results (the latest attempt of each (domain, run)), a page at a
    /// time, each exactly once, in an order of the backend's choosing.
    fn records(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Page<CheckRecord>, StoreError>> + Send;
}

/// A store chosen by URL.
#[derive(Debug)]
pub enum Store {
    /// `sqlite:PATH`
    Sqlite(sqlite::SqliteStore),
    /// `dynamodb://TABLE`
    Dynamo(dynamo::DynamoStore),
}

/// Opens `sqlite:PATH` or `dynamodb://TABLE` (the SDK's standard
/// configuration; `AWS_ENDPOINT_URL_DYNAMODB` points it at a local server).
pub async fn open(url: &str) -> Result<Store, StoreError> {
    if let Some(table) = url.strip_prefix("dynamodb://") {
        let table = table.trim_end_matches('/');
        if table.is_empty()
            || !table
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        {
            return Err(StoreError::BadUrl(url.to_string()));
        }
        return Ok(Store::Dynamo(dynamo::DynamoStore::connect(table).await));
    }
    match url.split_once(':') {
        Some(("sqlite", path)) if !path.is_empty() => Ok(Store::Sqlite(sqlite::SqliteStore::open(
            std::path::Path::new(path),
        )?)),
        _ => Err(StoreError::BadUrl(url.to_string())),
    }
}

macro_rules! both {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Store::Sqlite($s) => $e.await,
            Store::Dynamo($s) => $e.await,
        }
    };
}

impl HistoryStore for Store {
    async fn init(&self) -> Result<(), StoreError> {
        both!(self, s => s.init())
    }
    async fn start_run(&self, run: &Run) -> Result<(), StoreError> {
        both!(self, s => s.start_run(run))
    }
    async fn finish_run(&self, id: &str, at: &str) -> Result<(), StoreError> {
        both!(self, s => s.finish_run(id, at))
    }
    async fn run(&self, id: &str) -> Result<Option<Run>, StoreError> {
        both!(self, s => s.run(id))
    }
    async fn runs(&self) -> Result<Vec<Run>, StoreError> {
        both!(self, s => s.runs())
    }
    async fn put(&self, rec: &CheckRecord) -> Result<(), StoreError> {
        both!(self, s => s.put(rec))
    }
    async fn run_domains(&self, run_id: &str) -> Result<Vec<String>, StoreError> {
        both!(self, s => s.run_domains(run_id))
    }
    async fn history(&self, domain: &str) -> Result<Vec<CheckRecord>, StoreError> {
        both!(self, s => s.history(domain))
    }
    async fn records(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<CheckRecord>, StoreError> {
        both!(self, s => s.records(cursor, limit))
    }
}

/// The default store: `$XDG_DATA_HOME/hisf/history.sqlite3` (or `~/.local/share/…`).
pub fn default_url() -> String {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    format!(
        "sqlite:{}",
        base.join("hisf").join("history.sqlite3").display()
    )
}
