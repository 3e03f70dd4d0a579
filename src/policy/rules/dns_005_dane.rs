//! HISF-DNS-005: DANE TLSA records on the MX hosts.

use crate::policy::live::{DomainFacts, LiveFinding};
use crate::policy::{Rule, RuleMeta, Scope, Severities, Severity};

/// DANE pins the MX certificates in DNSSEC-signed DNS.
pub struct Dane;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-DNS-005",
    title: "DANE TLSA records on the MX hosts",
    severity: Severities::all(Severity::Info),
    source: "NZISM 15.2.29; RFC 7672",
    rationale: "With DNSSEC, TLSA records at `_25._tcp.<mx>` let senders authenticate the MX certificate without trusting every public CA, and make STARTTLS downgrade detectable. hisf reports whether the records exist; it does not validate DNSSEC.",
    help: "sign the zone with DNSSEC and publish `_25._tcp.<mx> TLSA 3 1 1 <sha-256 of the key>` for every MX host",
    scope: &[Scope::Live],
};

impl Rule for Dane {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn domain(&self, f: &DomainFacts, out: &mut Vec<LiveFinding>) {
        let missing: Vec<&str> = f
            .tlsa
            .iter()
            .filter(|(_, r)| matches!(r, Ok(false)))
            .map(|(h, _)| h.as_str())
            .collect();
        if !missing.is_empty() {
            out.push(LiveFinding {
                rule: &META,
                message: format!(
                    "no TLSA records for {}",
                    missing
                        .iter()
                        .map(|h| format!("_25._tcp.{h}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                help: META.help.to_string(),
            });
        }
    }
}
