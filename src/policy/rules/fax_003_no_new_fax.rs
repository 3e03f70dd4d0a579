//! HISF-FAX-003: no fax device acquired after June 2019.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// No new analogue fax after the guidance.
pub struct NoNewFax;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-FAX-003",
    title: "No fax device acquired after June 2019",
    severity: Severities::strict_error(Severity::Warning),
    source: "Seed clause 2",
    rationale: "Clause 2: new analogue fax machines should not be purchased, with immediate effect (June 2019). A device with an active fax line bought later contradicts it.",
    help: "buy MFDs without the fax option, or disable the fax line and record the device as scan-to-email only",
    scope: &[Scope::Config],
};

/// Last day before the guidance took effect.
const GUIDANCE_DATE: &str = "2019-06-30";

impl Rule for NoNewFax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        let fax_on = m
            .fax
            .as_ref()
            .and_then(|f| f.analogue.as_ref())
            .is_some_and(|a| a.enabled);
        if let Some(acq) = m
            .acquired
            .as_deref()
            .filter(|d| fax_on && *d > GUIDANCE_DATE)
        {
            out.push(finding(&META, "/spec/acquired", format!("a device with analogue fax was acquired on {acq}, after the June 2019 guidance")));
        }
    }
}
