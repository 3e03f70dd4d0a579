//! Sector compliance over time, from the history store: counts by verdict
//! per run, by organisation type and by mail provider; newly non-compliant
//! and newly fixed domains; the longest-standing non-compliance.

pub mod html;
pub mod text;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::{CheckRecord, HistoryStore, Run};

/// Verdict counts.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// compliant
    pub compliant: usize,
    /// non_compliant
    pub non_compliant: usize,
    /// inconclusive
    pub inconclusive: usize,
    /// not_applicable
    pub not_applicable: usize,
}

impl Counts {
    fn add(&mut self, verdict: &str) {
        match verdict {
            "compliant" => self.compliant += 1,
            "non_compliant" => self.non_compliant += 1,
            "inconclusive" => self.inconclusive += 1,
            _ => self.not_applicable += 1,
        }
    }

    /// Domains counted.
    pub fn total(&self) -> usize {
        self.compliant + self.non_compliant + self.inconclusive + self.not_applicable
    }

    /// Compliant share of the domains with a definite verdict (compliant or non-compliant), in percent.
    pub fn compliance_percent(&self) -> Option<f64> {
        let decided = self.compliant + self.non_compliant;
        (decided > 0).then(|| 100.0 * self.compliant as f64 / decided as f64)
    }
}

/// One run in the trend.
#[derive(Debug, Clone, Serialize)]
pub struct RunPoint {
    /// The run.
    pub run: Run,
    /// Verdicts of the domains checked in it.
    pub counts: Counts,
}

/// A domain's current state.
#[derive(Debug, Clone, Serialize)]
pub struct DomainState {
    /// Domain.
    pub domain: String,
    /// From the target list.
    pub organisation: String,
    /// From the target list.
    pub organisation_type: String,
    /// From the target list.
    pub region: String,
    /// Registrable domain of the first MX host.
    pub provider: String,
    /// Latest verdict.
    pub verdict: String,
    /// Verdict in the scan before the latest, if any.
    pub previous_verdict: Option<String>,
    /// The last compliant or non-compliant verdict before the latest, if any
    /// (what "newly non-compliant" and "newly fixed" compare with).
    pub previous_definite_verdict: Option<String>,
    /// The verdict differs from the previous scan's.
    pub changed_since_previous: bool,
    /// When the latest result was taken.
    pub checked_at: String,
    /// Start of the current non-compliant streak (inconclusive scans do not end it).
    pub first_seen_non_compliant: Option<String>,
    /// Whole days from that start to the latest check.
    pub days_non_compliant: Option<i64>,
    /// Rules failed at error severity in the latest scan.
    pub failed_rules: Vec<String>,
    /// Profile and policy version of the latest verdict.
    pub profile: String,
    /// Policy catalogue version of the latest verdict.
    pub policy_version: String,
    /// The run of the latest result.
    pub run_id: String,
}

/// A group (organisation type or provider) and its counts.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// Name.
    pub name: String,
    /// Latest verdicts.
    pub counts: Counts,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `"1"`.
    pub schema_version: &'static str,
    /// When the report was made.
    pub generated_at: String,
    /// One point per run, oldest first.
    pub trend: Vec<RunPoint>,
    /// Latest verdict of every domain.
    pub latest: Counts,
    /// By organisation type.
    pub by_organisation_type: Vec<Group>,
    /// By mail provider (largest first).
    pub by_provider: Vec<Group>,
    /// Non-compliant now, not in the previous scan.
    pub newly_non_compliant: Vec<DomainState>,
    /// Compliant now, non-compliant in the previous scan.
    pub newly_fixed: Vec<DomainState>,
    /// Non-compliant now, longest streak first.
    pub longest_non_compliant: Vec<DomainState>,
    /// Every domain.
    pub domains: Vec<DomainState>,
}

/// Reads every record (a page at a time) and builds the report.
pub async fn build<S: HistoryStore + Sync>(store: &S) -> Result<Report, String> {
    store.init().await.map_err(|e| e.to_string())?;
    let runs = store.runs().await.map_err(|e| e.to_string())?;
    let mut records = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .records(cursor.as_deref(), 500)
            .await
            .map_err(|e| e.to_string())?;
        records.extend(page.items);
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    Ok(from_records(runs, records))
}

/// Builds the report from runs and records (records in run order).
pub fn from_records(runs: Vec<Run>, records: Vec<CheckRecord>) -> Report {
    let order: BTreeMap<&str, usize> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut trend: Vec<RunPoint> = runs
        .iter()
        .map(|r| RunPoint {
            run: r.clone(),
            counts: Counts::default(),
        })
        .collect();
    let mut by_domain: BTreeMap<String, Vec<&CheckRecord>> = BTreeMap::new();
    for rec in &records {
        if let Some(&i) = order.get(rec.run_id.as_str()) {
            trend[i].counts.add(&rec.verdict);
        }
        by_domain.entry(rec.domain.clone()).or_default().push(rec);
    }
    let mut domains = Vec::new();
    for (domain, mut hist) in by_domain {
        hist.sort_by_key(|r| {
            (
                order.get(r.run_id.as_str()).copied().unwrap_or(usize::MAX),
                r.checked_at.clone(),
            )
        });
        let last = hist[hist.len() - 1];
        let previous = hist.len().checked_sub(2).map(|i| hist[i]);
        // The last definite verdict before this one: an inconclusive scan in
        // between neither starts nor ends a change.
        let previous_definite = hist[..hist.len() - 1]
            .iter()
            .rev()
            .find(|r| r.verdict == "compliant" || r.verdict == "non_compliant")
            .map(|r| r.verdict.clone());
        let mut streak_start = None;
        if last.verdict == "non_compliant" {
            for r in hist.iter().rev() {
                match r.verdict.as_str() {
                    "non_compliant" => streak_start = Some(r.checked_at.clone()),
                    "inconclusive" => {}
                    _ => break,
                }
            }
        }
        let days = streak_start.as_deref().and_then(|s| {
            let a = crate::dates::parse_rfc3339(s)?;
            let b = crate::dates::parse_rfc3339(&last.checked_at)?;
            Some((b - a).div_euclid(86_400))
        });
        domains.push(DomainState {
            domain,
            organisation: last.organisation.clone(),
            organisation_type: last.organisation_type.clone(),
            region: last.region.clone(),
            provider: last.provider.clone(),
            verdict: last.verdict.clone(),
            previous_verdict: previous.map(|p| p.verdict.clone()),
            previous_definite_verdict: previous_definite,
            changed_since_previous: previous.is_some_and(|p| p.verdict != last.verdict),
            checked_at: last.checked_at.clone(),
            first_seen_non_compliant: streak_start,
            days_non_compliant: days,
            failed_rules: last.failed_rules.clone(),
            profile: last.profile.clone(),
            policy_version: last.policy_version.clone(),
            run_id: last.run_id.clone(),
        });
    }
    let mut latest = Counts::default();
    let mut types: BTreeMap<String, Counts> = BTreeMap::new();
    let mut providers: BTreeMap<String, Counts> = BTreeMap::new();
    for d in &domains {
        latest.add(&d.verdict);
        types
            .entry(or_unknown(&d.organisation_type))
            .or_default()
            .add(&d.verdict);
        providers
            .entry(or_unknown(&d.provider))
            .or_default()
            .add(&d.verdict);
    }
    let mut by_provider: Vec<Group> = providers
        .into_iter()
        .map(|(name, counts)| Group { name, counts })
        .collect();
    by_provider.sort_by(|a, b| {
        b.counts
            .total()
            .cmp(&a.counts.total())
            .then(a.name.cmp(&b.name))
    });
    let newly_non_compliant = domains
        .iter()
        .filter(|d| {
            d.verdict == "non_compliant"
                && d.previous_definite_verdict.as_deref() == Some("compliant")
        })
        .cloned()
        .collect();
    let newly_fixed = domains
        .iter()
        .filter(|d| {
            d.verdict == "compliant"
                && d.previous_definite_verdict.as_deref() == Some("non_compliant")
        })
        .cloned()
        .collect();
    let mut longest: Vec<DomainState> = domains
        .iter()
        .filter(|d| d.verdict == "non_compliant")
        .cloned()
        .collect();
    longest.sort_by(|a, b| {
        a.first_seen_non_compliant
            .cmp(&b.first_seen_non_compliant)
            .then(a.domain.cmp(&b.domain))
    });
    Report {
        schema_version: "1",
        generated_at: crate::dates::rfc3339(crate::dates::now_secs()),
        trend,
        latest,
        by_organisation_type: types
            .into_iter()
            .map(|(name, counts)| Group { name, counts })
            .collect(),
        by_provider,
        newly_non_compliant,
        newly_fixed,
        longest_non_compliant: longest,
        domains,
    }
}

fn or_unknown(s: &str) -> String {
    if s.is_empty() {
        "(unknown)".into()
    } else {
        s.to_string()
    }
}
