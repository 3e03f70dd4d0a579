//! Versioned JSON output, described by `schemas/lint-result.schema.json`.
//! Serialised straight from borrowed structs: large repos produce tens of thousands of findings.

use serde::Serialize;

use crate::lint::{Finding, LintReport};
use crate::policy::{Severity, POLICY_VERSION};
use crate::source::LineCol;

/// Version of the JSON layout; bumped on incompatible changes.
pub const SCHEMA_VERSION: &str = "1";

#[derive(Serialize)]
struct Out<'a> {
    schema_version: &'static str,
    tool: Tool,
    policy: Policy,
    fail_on: Severity,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    io_errors: Vec<IoError>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Policy {
    profile: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    documents: usize,
    errors: usize,
    warnings: usize,
    info: usize,
    suppressed: usize,
    failing: usize,
    exit_code: i32,
}

/// One finding as JSON.
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    rule: &'static str,
    title: &'static str,
    severity: Severity,
    message: &'a str,
    path: String,
    start: LineCol,
    end: LineCol,
    label: Option<&'a str>,
    help: &'a str,
    docs: String,
    suppressed: Option<Suppressed<'a>>,
}

#[derive(Serialize)]
struct Suppressed<'a> {
    reason: &'a str,
}

#[derive(Serialize)]
struct IoError {
    path: String,
    message: String,
}

impl<'a> JsonFinding<'a> {
    /// Borrows a finding for serialisation.
    pub fn new(f: &'a Finding) -> Self {
        JsonFinding {
            rule: f.rule.id,
            title: f.rule.title,
            severity: f.severity,
            message: &f.message,
            path: f.location.path(),
            start: f.location.start,
            end: f.location.end,
            label: f.location.label.as_deref(),
            help: &f.help,
            docs: f.rule.docs_url(),
            suppressed: f.suppressed.as_deref().map(|reason| Suppressed { reason }),
        }
    }
}

/// The whole report.
pub fn render(r: &LintReport) -> String {
    let out = Out {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "hisf",
            version: env!("CARGO_PKG_VERSION"),
        },
        policy: Policy {
            profile: r.profile.as_str(),
            version: POLICY_VERSION,
        },
        fail_on: r.fail_on,
        summary: Summary {
            files: r.files,
            documents: r.documents,
            errors: r.count(Severity::Error),
            warnings: r.count(Severity::Warning),
            info: r.count(Severity::Info),
            suppressed: r.findings.iter().filter(|f| f.suppressed.is_some()).count(),
            failing: r.failing(),
            exit_code: r.exit_code(),
        },
        findings: r.findings.iter().map(JsonFinding::new).collect(),
        io_errors: r
            .io_problems
            .iter()
            .map(|p| IoError {
                path: p.path.display().to_string(),
                message: p.message.clone(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}
