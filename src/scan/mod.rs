//! Sector scans: every domain of a target list through the `hisf check`
//! engine, each result stored the moment it completes, inconclusive ones
//! retried later, resumable by run ID.

pub mod targets;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use crate::policy::{Severity, POLICY_VERSION};
use crate::probe::verdict::{check_target, TargetResult, Verdict};
use crate::probe::{CheckOptions, Prober, Target};
use crate::store::{CheckRecord, HistoryStore, Run};
use targets::SectorTarget;

/// How a scan runs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Probe options (concurrency is the number of addresses probed at once).
    pub check: CheckOptions,
    /// Retries of inconclusive domains.
    pub retries: u32,
    /// Wait before each retry round.
    pub retry_delay: Duration,
}

/// What happened to one domain, for progress output.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// 1 for the first pass; retries count up.
    pub attempt: u32,
    /// The domain's result.
    pub result: &'a TargetResult,
    /// Domains finished in this pass.
    pub done: usize,
    /// Domains in this pass.
    pub of: usize,
}

/// The outcome of a scan.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScanSummary {
    /// Run ID (give it to `--resume`).
    pub run_id: String,
    /// Domains in the target list.
    pub total: usize,
    /// Already stored in this run before it (re)started.
    pub resumed_past: usize,
    /// Results stored.
    pub stored: usize,
    /// Latest verdict counts of this run's domains probed now.
    pub verdicts: BTreeMap<String, usize>,
}

/// A new run ID: `YYYYMMDDTHHMMSSZ-xxxx`.
pub fn new_run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let now = crate::dates::rfc3339(crate::dates::now_secs()).replace(['-', ':'], "");
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    format!("{now}-{:04x}", h.finish() & 0xffff)
}

/// Builds the stored record of a result.
pub fn record(
    t: &SectorTarget,
    r: &TargetResult,
    run_id: &str,
    attempt: u32,
    profile: &str,
) -> CheckRecord {
    let mut failed: Vec<String> = r
        .hosts
        .iter()
        .flat_map(|h| &h.findings)
        .chain(&r.findings)
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.rule.to_string())
        .collect();
    failed.sort();
    failed.dedup();
    CheckRecord {
        domain: t.domain.clone(),
        run_id: run_id.to_string(),
        checked_at: crate::dates::rfc3339(crate::dates::now_secs()),
        attempt,
        verdict: r.verdict.as_str().to_string(),
        profile: profile.to_string(),
        policy_version: POLICY_VERSION.to_string(),
        organisation: t.organisation.clone(),
        organisation_type: t.organisation_type.clone(),
        region: t.region.clone(),
        provider: r
            .hosts
            .first()
            .map(|h| targets::provider(&h.host))
            .unwrap_or_default(),
        failed_rules: failed,
        result: serde_json::to_value(r).unwrap_or(serde_json::Value::Null),
    }
}

/// Scans `targets` into `store` under `run_id` (new, or one to resume).
pub async fn scan<S: HistoryStore + Sync>(
    store: &S,
    targets: &[SectorTarget],
    run_id: &str,
    opts: &ScanOptions,
    on_event: &(dyn Fn(&Event<'_>) + Sync),
    on_retry_wait: &(dyn Fn(u32, usize, Duration) + Sync),
) -> Result<ScanSummary, String> {
    let profile = opts.check.profile.as_str();
    store.init().await.map_err(|e| e.to_string())?;
    store
        .start_run(&Run {
            id: run_id.to_string(),
            started_at: crate::dates::rfc3339(crate::dates::now_secs()),
            finished_at: None,
            profile: profile.to_string(),
            policy_version: POLICY_VERSION.to_string(),
            total: targets.len() as u64,
        })
        .await
        .map_err(|e| e.to_string())?;
    let done: std::collections::HashSet<String> = store
        .run_domains(run_id)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();
    let mut todo: Vec<&SectorTarget> = targets
        .iter()
        .filter(|t| !done.contains(&t.domain))
        .collect();
    // Resuming: domains this run already stored as inconclusive still have
    // their retries due; they rejoin at their next attempt.
    let mut due: BTreeMap<u32, Vec<&SectorTarget>> = BTreeMap::new();
    if opts.retries > 0 {
        for t in targets.iter().filter(|t| done.contains(&t.domain)) {
            let history = store.history(&t.domain).await.map_err(|e| e.to_string())?;
            if let Some(r) = history.iter().find(|r| r.run_id == run_id) {
                if r.verdict == Verdict::Inconclusive.as_str() && r.attempt <= opts.retries {
                    due.entry(r.attempt + 1).or_default().push(t);
                }
            }
        }
    }
    let mut summary = ScanSummary {
        run_id: run_id.to_string(),
        total: targets.len(),
        resumed_past: targets.len() - todo.len(),
        stored: 0,
        verdicts: BTreeMap::new(),
    };
    let mut latest: BTreeMap<String, Verdict> = BTreeMap::new();
    // Domain tasks in flight: many more than addresses probed at once, so
    // that DNS for later domains (and domains whose address is already being
    // probed for another) overlaps the probing; bounded so memory does not
    // grow with the list (a waiting domain costs a few KiB).
    let in_flight = (opts.check.concurrency * 16).clamp(16, 4096);
    for attempt in 1..=opts.retries + 1 {
        todo.extend(due.remove(&attempt).unwrap_or_default());
        if todo.is_empty() {
            if due.is_empty() {
                break;
            }
            continue;
        }
        if attempt > 1 {
            on_retry_wait(attempt, todo.len(), opts.retry_delay);
            tokio::time::sleep(opts.retry_delay).await;
        }
        // A fresh prober per pass: a retry must not reuse the cached inconclusive probe.
        let prober = Arc::new(Prober::new(opts.check.clone())?);
        let of = todo.len();
        let mut counter = 0usize;
        let pass = std::mem::take(&mut todo);
        let mut stream = futures_util::stream::iter(pass)
            .map(|t| {
                let prober = prober.clone();
                async move {
                    (
                        t,
                        check_target(&prober, &Target::Domain(t.domain.clone())).await,
                    )
                }
            })
            .buffer_unordered(in_flight);
        let mut inconclusive = Vec::new();
        while let Some((t, r)) = stream.next().await {
            counter += 1;
            let rec = record(t, &r, run_id, attempt, profile);
            // Stored before anything else happens: a kill loses only what is in flight.
            store.put(&rec).await.map_err(|e| e.to_string())?;
            summary.stored += 1;
            latest.insert(t.domain.clone(), r.verdict);
            on_event(&Event {
                attempt,
                result: &r,
                done: counter,
                of,
            });
            if r.verdict == Verdict::Inconclusive {
                inconclusive.push(t);
            }
        }
        drop(stream);
        todo = inconclusive;
    }
    for v in latest.values() {
        *summary.verdicts.entry(v.as_str().to_string()).or_default() += 1;
    }
    store
        .finish_run(run_id, &crate::dates::rfc3339(crate::dates::now_secs()))
        .await
        .map_err(|e| e.to_string())?;
    Ok(summary)
}
