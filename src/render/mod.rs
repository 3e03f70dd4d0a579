//! Output formats. Every format renders the same [`crate::lint::LintReport`].

pub mod check;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// ruff/rustc-style diagnostics with source snippets.
    Human,
    /// Versioned JSON (schemas/lint-result.schema.json).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow-command annotations (+ step summary).
    Github,
}

/// Renders a report in a format.
pub fn render(report: &crate::lint::LintReport, format: OutputFormat, color: bool) -> String {
    match format {
        OutputFormat::Human => human::render(report, color),
        OutputFormat::Json => json::render(report),
        OutputFormat::Sarif => sarif::render(report),
        OutputFormat::Github => github::render(report),
    }
}
