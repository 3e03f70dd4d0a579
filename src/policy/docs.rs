//! The rule reference (docs/rules.md), generated from the catalogue so it cannot drift.

use super::{registry, Profile, Scope};

/// Renders docs/rules.md.
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# hisf rule reference\n\n\
         <!-- Generated from src/policy/rules by `hisf rules --markdown`; a test keeps this file in sync. -->\n\n\
         Every rule has a stable ID. Severities are per policy profile (`--profile`): \
         `nz-health` (default), `nz-govt`, `strict`. An `error` fails `hisf lint` (exit 1); \
         `warning` and `info` are shown and counted, and fail only with `--fail-on warning` / `--fail-on info`.\n\n\
         Sources: *Seed* = Ministry of Health / ACC, \"Secure digital communications within the NZ health & \
         disability sector — Implementation guidance\", June 2019 (clauses 1–3, footnotes 3 and 4); \
         NZISM = New Zealand Information Security Manual, cited by control ID (CID).\n\n\
         | ID | title | nz-health | nz-govt | strict | checked in |\n|---|---|---|---|---|---|\n",
    );
    for m in registry::all() {
        s.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} | {} |\n",
            m.id,
            m.docs_anchor(),
            m.title,
            m.severity.get(Profile::NzHealth).as_str(),
            m.severity.get(Profile::NzGovt).as_str(),
            m.severity.get(Profile::Strict).as_str(),
            scopes(m.scope)
        ));
    }
    for m in registry::all() {
        s.push_str(&format!("\n## {}\n\n**{}**\n\n", m.id, m.title));
        s.push_str(&format!(
            "- Severity: `nz-health` {}, `nz-govt` {}, `strict` {}\n",
            m.severity.get(Profile::NzHealth).as_str(),
            m.severity.get(Profile::NzGovt).as_str(),
            m.severity.get(Profile::Strict).as_str()
        ));
        s.push_str(&format!(
            "- Source: {}\n- Checked in: {}\n\n",
            m.source,
            scopes(m.scope)
        ));
        s.push_str(&format!("{}\n\n**Fix:** {}\n", m.rationale, m.help));
    }
    s
}

fn scopes(scope: &[Scope]) -> String {
    scope
        .iter()
        .map(|s| match s {
            Scope::Config => "configs",
            Scope::Live => "live checks",
            Scope::File => "config files",
        })
        .collect::<Vec<_>>()
        .join(", ")
}
