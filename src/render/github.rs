//! GitHub Actions: workflow-command annotations (`::error file=…::msg`), the
//! step summary and the step outputs.
//!
//! GitHub shows at most 10 error, 10 warning and 10 notice annotations per
//! step and 50 per job; the rest are dropped without a word (actions/toolkit,
//! docs/problem-matchers.md, "Limitations"). A step summary may be at most
//! 1 MiB. So: the most severe findings become annotations, the others are
//! printed as plain log lines in a collapsed group, and the summary says how
//! many were not annotated and where to find them.

use std::fmt::Write as _;

use crate::lint::{Finding, LintReport};
use crate::policy::Severity;

/// Annotations of one kind that GitHub shows per step.
pub const ANNOTATIONS_PER_KIND: usize = 10;

/// Bytes the step summary may take. GitHub's cap is 1 MiB per step; stay
/// well below it so other steps' text and multi-byte characters fit.
pub const SUMMARY_BUDGET: usize = 512 * 1024;

/// Escapes a workflow-command message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Unsuppressed findings, most severe first. Within a severity the first
/// finding of each rule comes before the second of any, so the ten
/// annotations GitHub shows name as many different problems as possible;
/// ties stay in file order.
fn ranked(r: &LintReport) -> Vec<(usize, &Finding)> {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let mut list: Vec<(usize, usize, &Finding)> = Vec::new();
    for (i, f) in r.findings.iter().enumerate() {
        if f.suppressed.is_some() {
            continue;
        }
        let nth = match seen.iter_mut().find(|e| e.0 == f.rule.id) {
            Some(e) => {
                e.1 += 1;
                e.1
            }
            None => {
                seen.push((f.rule.id, 0));
                0
            }
        };
        list.push((nth, i, f));
    }
    // Stable: findings are already in file order.
    list.sort_by_key(|(nth, _, f)| (std::cmp::Reverse(f.severity), *nth));
    list.into_iter().map(|(_, i, f)| (i, f)).collect()
}

/// How many findings of a severity are not shown as annotations.
pub fn not_annotated(r: &LintReport, s: Severity) -> usize {
    r.count(s).saturating_sub(ANNOTATIONS_PER_KIND)
}

/// Annotations for the most severe findings (up to the per-step limit of each
/// kind); every other finding as a plain `path:line:col` log line in a group.
pub fn render(r: &LintReport) -> String {
    let mut out = String::new();
    let mut shown = [0usize; 3];
    let mut rest = Vec::new();
    for (i, f) in ranked(r) {
        let n = &mut shown[f.severity as usize];
        if *n >= ANNOTATIONS_PER_KIND {
            rest.push((i, f));
            continue;
        }
        *n += 1;
        let l = &f.location;
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(f.severity),
            escape_property(&l.path()),
            l.start.line,
            l.start.column,
            l.end.line,
            l.end.column.max(l.start.column),
            escape_property(&format!("{} {}", f.rule.id, f.rule.title)),
            escape_data(&format!("{}\nhelp: {}", f.message, f.help)),
        );
    }
    if !rest.is_empty() {
        rest.sort_unstable_by_key(|(i, _)| *i);
        let _ = writeln!(
            out,
            "::group::hisf: {} more findings (GitHub shows {} annotations of each kind per step)",
            rest.len(),
            ANNOTATIONS_PER_KIND
        );
        for (_, f) in rest {
            let l = &f.location;
            // Plain text, not a workflow command: a `::` at the start of a
            // message must not be read as one.
            let _ = writeln!(
                out,
                "{}:{}:{}: {} {}: {}",
                l.path(),
                l.start.line,
                l.start.column,
                f.severity.as_str(),
                f.rule.id,
                f.message.replace('\n', " ")
            );
        }
        out.push_str("::endgroup::\n");
    }
    for p in &r.io_problems {
        let _ = writeln!(out, "::error title=hisf::{}", escape_data(&p.message));
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Markdown for `$GITHUB_STEP_SUMMARY`: verdict, counts per rule, then the
/// findings until [`SUMMARY_BUDGET`] is reached. Never larger than the budget.
pub fn step_summary(r: &LintReport) -> String {
    let mut s = String::from("## hisf lint\n\n");
    let verdict = if r.exit_code() == 0 {
        "✅ passed"
    } else {
        "❌ failed"
    };
    let _ = writeln!(
        s,
        "{verdict} — profile `{}`, fail on `{}`: {} errors, {} warnings, {} info in {} files.\n",
        r.profile.as_str(),
        r.fail_on.as_str(),
        r.count(Severity::Error),
        r.count(Severity::Warning),
        r.count(Severity::Info),
        r.files
    );
    for p in &r.io_problems {
        let _ = writeln!(s, "- ❗ {}", cell(&p.message));
    }
    let list: Vec<&Finding> = ranked(r).into_iter().map(|(_, f)| f).collect();
    if list.is_empty() {
        return s;
    }
    let hidden: Vec<String> = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .filter(|&sev| not_annotated(r, sev) > 0)
        .map(|sev| format!("{} {}", not_annotated(r, sev), sev.as_str()))
        .collect();
    if !hidden.is_empty() {
        let _ = writeln!(
            s,
            "> [!NOTE]\n> GitHub shows {ANNOTATIONS_PER_KIND} annotations of each kind per step: \
             {} more findings ({}) are not annotated. They are in the table below (as far as \
             the summary's size allows), in this step's log under *hisf: N more findings*, \
             and in the SARIF output (code scanning) when it is enabled.\n",
            hidden_total(r),
            hidden.join(", ")
        );
    }
    // Counts per rule: bounded by the size of the catalogue.
    let mut per_rule: Vec<(&str, &str, Severity, usize)> = Vec::new();
    for f in &list {
        match per_rule.iter_mut().find(|e| e.0 == f.rule.id) {
            Some(e) => e.3 += 1,
            None => per_rule.push((f.rule.id, f.rule.title, f.severity, 1)),
        }
    }
    s.push_str("| rule | severity | findings |\n|---|---|---:|\n");
    for (id, title, sev, n) in &per_rule {
        let _ = writeln!(s, "| {id} {} | {} | {n} |", cell(title), sev.as_str());
    }
    s.push_str("\n| severity | rule | location | message |\n|---|---|---|---|\n");
    let tail_reserve = 256;
    let mut written = 0;
    for f in &list {
        let row = format!(
            "| {} | [{}]({}) | `{}:{}:{}` | {} |\n",
            f.severity.as_str(),
            f.rule.id,
            f.rule.docs_url(),
            cell(&f.location.path()),
            f.location.start.line,
            f.location.start.column,
            cell(&f.message)
        );
        if s.len() + row.len() + tail_reserve > SUMMARY_BUDGET {
            break;
        }
        s.push_str(&row);
        written += 1;
    }
    if written < list.len() {
        let _ = writeln!(
            s,
            "\n…and {} more findings not listed here (summary size limit). \
             See this step's log, the SARIF output, or run `hisf lint` locally.",
            list.len() - written
        );
    }
    s
}

fn hidden_total(r: &LintReport) -> usize {
    [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .map(|s| not_annotated(r, s))
        .sum()
}

/// `key=value` lines for `$GITHUB_OUTPUT`: counts by severity.
pub fn outputs(r: &LintReport) -> String {
    let suppressed = r.findings.iter().filter(|f| f.suppressed.is_some()).count();
    format!(
        "errors={}\nwarnings={}\nnotes={}\nsuppressed={}\nfiles={}\nfailed={}\n",
        r.count(Severity::Error),
        r.count(Severity::Warning),
        r.count(Severity::Info),
        suppressed,
        r.files,
        r.exit_code() != 0
    )
}
