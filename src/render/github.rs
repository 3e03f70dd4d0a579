//! GitHub Actions workflow commands (`::error file=…::msg`) and the step summary.

use crate::lint::LintReport;
use crate::policy::Severity;

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

/// One annotation per unsuppressed finding, most severe first.
pub fn render(r: &LintReport) -> String {
    let mut list: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    list.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut out = String::new();
    for f in list {
        let cmd = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let l = &f.location;
        out.push_str(&format!(
            "::{cmd} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&l.path()),
            l.start.line,
            l.start.column,
            l.end.line,
            l.end.column.max(l.start.column),
            escape_property(&format!("{} {}", f.rule.id, f.rule.title)),
            escape_data(&format!("{}\nhelp: {}", f.message, f.help)),
        ));
    }
    for p in &r.io_problems {
        out.push_str(&format!(
            "::error title=hisf::{}\n",
            escape_data(&p.message)
        ));
    }
    out
}

/// Markdown for `$GITHUB_STEP_SUMMARY`.
pub fn step_summary(r: &LintReport) -> String {
    let mut s = String::from("## hisf lint\n\n");
    let verdict = if r.exit_code() == 0 {
        "✅ passed"
    } else {
        "❌ failed"
    };
    s.push_str(&format!(
        "{verdict} — profile `{}`, fail on `{}`: {} errors, {} warnings, {} info in {} files.\n\n",
        r.profile.as_str(),
        r.fail_on.as_str(),
        r.count(Severity::Error),
        r.count(Severity::Warning),
        r.count(Severity::Info),
        r.files
    ));
    let shown: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    if !shown.is_empty() {
        s.push_str("| severity | rule | location | message |\n|---|---|---|---|\n");
        for f in shown.iter().take(200) {
            s.push_str(&format!(
                "| {} | [{}]({}) | `{}:{}:{}` | {} |\n",
                f.severity.as_str(),
                f.rule.id,
                f.rule.docs_url(),
                f.location.path(),
                f.location.start.line,
                f.location.start.column,
                f.message.replace('|', "\\|").replace('\n', " ")
            ));
        }
        if shown.len() > 200 {
            s.push_str(&format!(
                "\n…and {} more; run `hisf lint` locally or see the SARIF/JSON output for all.\n",
                shown.len() - 200
            ));
        }
    }
    s
}
