//! Versioned JSON output, described by `schemas/lint-result.schema.json`.

use serde_json::json;

use crate::lint::{Finding, LintReport};
use crate::policy::{Severity, POLICY_VERSION};

/// Version of the JSON layout; bumped on incompatible changes.
pub const SCHEMA_VERSION: &str = "1";

/// One finding as JSON.
pub fn finding(f: &Finding) -> serde_json::Value {
    json!({
        "rule": f.rule.id,
        "title": f.rule.title,
        "severity": f.severity,
        "message": f.message,
        "path": f.location.path(),
        "start": f.location.start,
        "end": f.location.end,
        "label": f.location.label,
        "help": f.help,
        "docs": f.rule.docs_url(),
        "suppressed": f.suppressed.as_ref().map(|r| json!({"reason": r})),
    })
}

/// The whole report.
pub fn render(r: &LintReport) -> String {
    let v = json!({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "hisf", "version": env!("CARGO_PKG_VERSION")},
        "policy": {"profile": r.profile.as_str(), "version": POLICY_VERSION},
        "fail_on": r.fail_on,
        "summary": {
            "files": r.files,
            "documents": r.documents,
            "errors": r.count(Severity::Error),
            "warnings": r.count(Severity::Warning),
            "info": r.count(Severity::Info),
            "suppressed": r.findings.iter().filter(|f| f.suppressed.is_some()).count(),
            "failing": r.failing(),
            "exit_code": r.exit_code(),
        },
        "findings": r.findings.iter().map(finding).collect::<Vec<_>>(),
        "io_errors": r.io_problems.iter().map(|p| json!({"path": p.path.display().to_string(), "message": p.message})).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
