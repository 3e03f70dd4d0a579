//! SARIF 2.1.0 as GitHub code scanning accepts it.

use serde_json::json;

use crate::lint::LintReport;
use crate::policy::{registry, RuleMeta, Severity, POLICY_VERSION};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub maps security-severity to critical/high/medium/low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

fn rule_json(m: &RuleMeta, profile: crate::policy::Profile) -> serde_json::Value {
    let sev = m.severity.get(profile);
    json!({
        "id": m.id,
        "name": m.title,
        "shortDescription": {"text": m.title},
        "fullDescription": {"text": m.rationale},
        "help": {
            "text": format!("{}\n\nFix: {}\nSource: {}", m.rationale, m.help, m.source),
            "markdown": format!("**{}** ({})\n\n{}\n\n**Fix:** {}\n\n**Source:** {}\n\n[Rule reference]({})", m.title, m.id, m.rationale, m.help, m.source, m.docs_url()),
        },
        "helpUri": m.docs_url(),
        "defaultConfiguration": {"level": level(sev)},
        "properties": {"security-severity": security_severity(sev), "tags": ["security", "configuration"], "precision": "high"},
    })
}

/// The whole report as a SARIF log.
pub fn render(r: &LintReport) -> String {
    let rules: Vec<&RuleMeta> = registry::all().collect();
    let results: Vec<_> = r
        .findings
        .iter()
        .map(|f| {
            let idx = rules.iter().position(|m| m.id == f.rule.id).unwrap_or(0);
            let l = &f.location;
            let mut res = json!({
                "ruleId": f.rule.id,
                "ruleIndex": idx,
                "level": level(f.severity),
                "message": {"text": format!("{}\nhelp: {}", f.message, f.help)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": l.path(), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": l.start.line, "startColumn": l.start.column, "endLine": l.end.line, "endColumn": l.end.column.max(l.start.column)},
                }}],
                "partialFingerprints": {"hisf/v1": format!("{}:{}:{}", f.rule.id, l.path(), f.message)},
            });
            if let Some(reason) = &f.suppressed {
                res["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
            }
            res
        })
        .collect();
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hisf",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/hisf-nz/hisf",
                "rules": rules.iter().map(|m| rule_json(m, r.profile)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory hisf was run from"}}},
            "properties": {"policyProfile": r.profile.as_str(), "policyVersion": POLICY_VERSION},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
