//! HISF-FAX-004: no PSTN↔LAN bridging.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// The fax line must not bridge into the LAN.
pub struct NoPstnBridge;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-FAX-004",
    title: "No PSTN↔LAN bridging (PC-fax receive, relay broadcast)",
    severity: Severities::all(Severity::Warning),
    source: "NZISM CID 2570",
    rationale: "PC-fax receive and relay broadcast connect the telephone network to the internal network through the device, a path that bypasses the agency's mail and network controls.",
    help: "set `fax.pc_fax_receive: false` and `fax.relay_broadcast: false`",
    scope: &[Scope::Config],
};

impl Rule for NoPstnBridge {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(fax) = &m.fax else { return };
        if fax.pc_fax_receive == Some(true) {
            out.push(finding(
                &META,
                "/spec/fax/pc_fax_receive",
                "PC-fax receive bridges the phone line to the LAN",
            ));
        }
        if fax.relay_broadcast == Some(true) {
            out.push(finding(
                &META,
                "/spec/fax/relay_broadcast",
                "relay broadcast lets callers use the device to send faxes onwards",
            ));
        }
    }
}
