//! HISF-MFD-008: firmware supported and current.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Firmware must be supported and up to date.
pub struct Firmware;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MFD-008",
    title: "Firmware supported and current",
    severity: Severities::all(Severity::Warning),
    source: "NZISM CID 3460, CID 3449",
    rationale: "MFD firmware carries the TLS stack and the web server; unsupported or old firmware keeps known vulnerabilities and often cannot speak TLS 1.2.",
    help: "install the vendor's current firmware; replace devices the vendor no longer supports",
    scope: &[Scope::Config],
};

impl Rule for Firmware {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(f) = &m.firmware else { return };
        if f.supported == Some(false) {
            out.push(finding(
                &META,
                "/spec/firmware/supported",
                "the firmware is no longer supported by the vendor",
            ));
        }
        if f.current == Some(false) {
            out.push(finding(
                &META,
                "/spec/firmware/current",
                "the firmware is not the current release",
            ));
        }
    }
}
