//! Rules about the config files themselves: syntax, schema, suppressions.
//! They have no logic of their own: the loader and the suppression engine raise them.

use crate::policy::{RuleMeta, Scope, Severities, Severity};

/// A file that cannot be parsed.
pub static SYNTAX: RuleMeta = RuleMeta {
    id: "HISF-CFG-001",
    title: "Config file parses",
    severity: Severities::all(Severity::Error),
    source: "hisf config format (docs/config-format.md)",
    rationale: "A file that does not parse cannot be checked, and the device or gateway that reads it may fail or fall back to defaults.",
    help: "fix the syntax at the marked position",
    scope: &[Scope::File],
};

/// A document that breaks the JSON Schema.
pub static SCHEMA: RuleMeta = RuleMeta {
    id: "HISF-CFG-002",
    title: "Config document matches the hisf schema",
    severity: Severities::all(Severity::Error),
    source: "schemas/hisf-config.schema.json",
    rationale: "Unknown kinds, unknown fields and wrong types usually mean a typo; a misspelt security setting would otherwise be ignored silently.",
    help: "see docs/config-format.md for the fields of each kind",
    scope: &[Scope::File],
};

/// A suppression without a reason.
pub static SUPPRESSION_INVALID: RuleMeta = RuleMeta {
    id: "HISF-CFG-003",
    title: "Suppressions name a rule and give a reason",
    severity: Severities::all(Severity::Error),
    source: "hisf suppressions (docs/suppressions.md)",
    rationale: "A suppression hides a policy failure from CI; reviewers and auditors need to know why it was accepted.",
    help: "write `# hisf: ignore[RULE-ID] reason for the exception`",
    scope: &[Scope::File],
};

/// An expired suppression.
pub static SUPPRESSION_EXPIRED: RuleMeta = RuleMeta {
    id: "HISF-CFG-004",
    title: "Suppressions have not expired",
    severity: Severities::all(Severity::Warning),
    source: "hisf suppressions (docs/suppressions.md)",
    rationale: "An exception is granted until a date. After that the finding it covered counts again, and the stale entry should be removed or renewed.",
    help: "remove the entry, or renew it with a new `expires` date and approval",
    scope: &[Scope::File],
};

/// A suppression that matched nothing.
pub static SUPPRESSION_UNUSED: RuleMeta = RuleMeta {
    id: "HISF-CFG-005",
    title: "Suppressions are in use",
    severity: Severities::all(Severity::Warning),
    source: "hisf suppressions (docs/suppressions.md)",
    rationale: "A suppression that matches no finding is left over from a fixed problem or is misspelt; either way it should be removed before it hides a future finding.",
    help: "remove the suppression, or correct its rule ID or path",
    scope: &[Scope::File],
};
