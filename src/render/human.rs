//! Human output in the style of ruff and rustc: a snippet, a caret under the span, a `help:` line.

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use crate::lint::{Finding, LintReport};
use crate::policy::Severity;

/// Renders all unsuppressed findings and a summary.
pub fn render(report: &LintReport, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        out.push_str(&render_one(&renderer, f));
        out.push_str("\n\n");
    }
    for p in &report.io_problems {
        out.push_str(&format!("error: {}\n\n", p.message));
    }
    out.push_str(&summary(report));
    out
}

fn render_one(renderer: &Renderer, f: &Finding) -> String {
    let level = match f.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let loc = &f.location;
    let path = loc.path();
    let mut ann = AnnotationKind::Primary.span(loc.span.clone());
    if let Some(l) = &loc.label {
        ann = ann.label(l.as_str());
    }
    let snippet = Snippet::source(loc.source.text.as_str())
        .path(path.as_str())
        .fold(true)
        .annotation(ann);
    let note = format!("{}: {}", f.rule.title, f.rule.docs_url());
    let group = level
        .primary_title(f.message.as_str())
        .id(f.rule.id)
        .element(snippet)
        .element(Level::HELP.message(f.help.as_str()))
        .element(Level::NOTE.message(note));
    renderer.render(&[group])
}

/// One-line totals and the verdict.
pub fn summary(report: &LintReport) -> String {
    let suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let (e, w, i) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    let mut s = format!(
        "{} finding{} ({e} error{}, {w} warning{}, {i} info) in {} file{} ({} document{}), profile {}",
        e + w + i,
        plural(e + w + i),
        plural(e),
        plural(w),
        report.files,
        plural(report.files),
        report.documents,
        plural(report.documents),
        report.profile.as_str(),
    );
    if suppressed > 0 {
        s.push_str(&format!("; {suppressed} suppressed"));
    }
    s.push('\n');
    let failing = report.failing();
    if !report.io_problems.is_empty() {
        s.push_str(&format!(
            "hisf: {} path{} could not be read (exit 2)\n",
            report.io_problems.len(),
            plural(report.io_problems.len())
        ));
    } else if failing > 0 {
        s.push_str(&format!(
            "hisf: {failing} finding{} at or above `--fail-on {}` (exit 1)\n",
            plural(failing),
            report.fail_on.as_str()
        ));
    } else {
        s.push_str(&format!(
            "hisf: no findings at or above `--fail-on {}`\n",
            report.fail_on.as_str()
        ));
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
