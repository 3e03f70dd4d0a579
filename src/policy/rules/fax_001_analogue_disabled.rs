//! HISF-FAX-001: analogue (PSTN/ISDN) fax is disabled.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Analogue fax must be off, or covered by an unexpired recorded exception.
pub struct AnalogueFaxDisabled;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-FAX-001",
    title: "Analogue (PSTN/ISDN) fax disabled",
    severity: Severities::all(Severity::Error),
    source: "Seed clauses 2 and 3, footnote 3; Australian ISM-2075",
    rationale: "Analogue fax has no encryption or recipient authentication: a misdialled number sends patient records to a stranger. The guidance asks agencies to replace it with secure digital channels; footnote 3 allows exceptions where regulation still requires fax (e.g. prescriptions). While a recorded exception (reference, approver, expiry) is unexpired this rule is a warning.",
    help: "disable the fax line (`fax.analogue.enabled: false`) or record an approved exception under `fax.exception` with `reference`, `approver` and `expires`",
    scope: &[Scope::Config],
};

impl Rule for AnalogueFaxDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, ctx: &Context, out: &mut Vec<RawFinding>) {
        let Some(fax) = &m.fax else { return };
        if !fax.analogue.as_ref().is_some_and(|a| a.enabled) {
            return;
        }
        let mut f = finding(
            &META,
            "/spec/fax/analogue/enabled",
            "analogue fax is enabled",
        );
        match &fax.exception {
            Some(e) if e.expires.as_str() >= ctx.today.as_str() => {
                f.message = format!(
                    "analogue fax is enabled under exception {} (approved by {}, until {})",
                    e.reference, e.approver, e.expires
                );
                f.severity = Some(Severity::Warning);
            }
            Some(e) => {
                f.pointer = "/spec/fax/exception/expires".into();
                f.message = format!(
                    "analogue fax is enabled and its exception {} expired on {}",
                    e.reference, e.expires
                );
            }
            None => {}
        }
        out.push(f);
    }
}
