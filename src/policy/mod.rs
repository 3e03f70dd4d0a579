//! Rule catalogue: severities, profiles, rule metadata and the registry.

pub mod docs;
pub mod live;
pub mod registry;
pub mod rules;

use serde::Serialize;

use crate::config::model::{ConfigDoc, MailGateway, Mfd};

/// Version of the rule set; stamped on every result so history stays readable.
pub const POLICY_VERSION: &str = "2026.12.0";

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advice.
    Info,
    /// Shown and counted; fails only with `--fail-on warning`.
    Warning,
    /// Fails CI and makes a live result non-compliant.
    #[default]
    Error,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A policy profile: which regime's severities apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum, Default)]
pub enum Profile {
    /// The 2019 guidance plus NZISM MUST controls (default).
    #[default]
    #[value(name = "nz-health")]
    #[serde(rename = "nz-health")]
    NzHealth,
    /// Adds the Secure Government Email framework.
    #[value(name = "nz-govt")]
    #[serde(rename = "nz-govt")]
    NzGovt,
    /// Adds comparable regimes: weak cipher classes, any fax, DANE advice.
    #[value(name = "strict")]
    #[serde(rename = "strict")]
    Strict,
}

impl Profile {
    /// Name as written on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::NzHealth => "nz-health",
            Profile::NzGovt => "nz-govt",
            Profile::Strict => "strict",
        }
    }
}

/// Severity of a rule in each profile.
#[derive(Debug, Clone, Copy)]
pub struct Severities {
    /// `nz-health`.
    pub nz_health: Severity,
    /// `nz-govt`.
    pub nz_govt: Severity,
    /// `strict`.
    pub strict: Severity,
}

impl Severities {
    /// Warning, raised to error under `nz-govt` and `strict` (the SGE framework's DNS records).
    pub const GOVT_ERROR: Severities = Severities {
        nz_health: Severity::Warning,
        nz_govt: Severity::Error,
        strict: Severity::Error,
    };

    /// The same severity in every profile.
    pub const fn all(s: Severity) -> Self {
        Severities {
            nz_health: s,
            nz_govt: s,
            strict: s,
        }
    }

    /// `s` by default, raised to error under `strict`.
    pub const fn strict_error(s: Severity) -> Self {
        Severities {
            nz_health: s,
            nz_govt: s,
            strict: Severity::Error,
        }
    }

    /// The severity under `p`.
    pub fn get(&self, p: Profile) -> Severity {
        match p {
            Profile::NzHealth => self.nz_health,
            Profile::NzGovt => self.nz_govt,
            Profile::Strict => self.strict,
        }
    }
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Config files (declarative and Postfix).
    Config,
    /// Live probes only.
    Live,
    /// The config files themselves (syntax, schema, suppressions).
    File,
}

/// Everything known about a rule except its logic.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable ID, e.g. `HISF-MAIL-004`.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Severity per profile.
    pub severity: Severities,
    /// Where the requirement comes from (clause, control, RFC).
    pub source: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// What to change, in the declarative format.
    pub help: &'static str,
    /// Where the rule can be evaluated.
    pub scope: &'static [Scope],
}

impl RuleMeta {
    /// Anchor of the rule's section in docs/rules.md.
    pub fn docs_anchor(&self) -> String {
        self.id.to_ascii_lowercase()
    }

    /// URL of the rule's docs.
    pub fn docs_url(&self) -> String {
        format!("{}#{}", DOCS_RULES_URL, self.docs_anchor())
    }
}

/// Where the rule reference is published.
pub const DOCS_RULES_URL: &str = "https://github.com/hisf-nz/hisf/blob/main/docs/rules.md";

/// A finding as a rule reports it: a logical location, not a line.
#[derive(Debug, Clone)]
pub struct RawFinding {
    /// The rule.
    pub rule: &'static RuleMeta,
    /// JSON pointer into the document (`/spec/inbound/tls/min_version`).
    pub pointer: String,
    /// What is wrong, specifically.
    pub message: String,
    /// A rule-specific severity (used only where POLICY.md defines one, e.g. fax exceptions).
    pub severity: Option<Severity>,
}

/// Facts that rules may need beyond the document.
#[derive(Debug, Clone)]
pub struct Context {
    /// Today's date as YYYY-MM-DD (for expiry dates).
    pub today: String,
}

/// A typed document and its index in the run, for rules that compare documents.
pub struct DocRef<'a> {
    /// The decoded document.
    pub doc: &'a ConfigDoc,
    /// Index into the run's document list.
    pub index: usize,
}

/// One policy rule. Implement only the hooks the rule needs.
pub trait Rule: Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Checks one mail gateway.
    fn gateway(&self, _gw: &MailGateway, _ctx: &Context, _out: &mut Vec<RawFinding>) {}
    /// Checks one MFD.
    fn mfd(&self, _mfd: &Mfd, _ctx: &Context, _out: &mut Vec<RawFinding>) {}
    /// Checks the documents of a run together; returns (document index, finding).
    fn repo(&self, _docs: &[DocRef<'_>], _ctx: &Context, _out: &mut Vec<(usize, RawFinding)>) {}
    /// Checks a mail domain's DNS records (live).
    fn domain(&self, _facts: &live::DomainFacts, _out: &mut Vec<live::LiveFinding>) {}
}

/// Shorthand for rules building a finding.
pub fn finding(
    rule: &'static RuleMeta,
    pointer: impl Into<String>,
    message: impl Into<String>,
) -> RawFinding {
    RawFinding {
        rule,
        pointer: pointer.into(),
        message: message.into(),
        severity: None,
    }
}
