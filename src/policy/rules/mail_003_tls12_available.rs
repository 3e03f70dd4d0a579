//! HISF-MAIL-003: TLS 1.2 or later can be negotiated.

use crate::config::model::{MailGateway, TlsVersion};
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// TLS 1.2+ must be available.
pub struct Tls12Available;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-003",
    title: "TLS 1.2 or later can be negotiated",
    severity: Severities::all(Severity::Error),
    source: "Seed clause 1; NZISM CID 7522",
    rationale: "The guidance sets TLS 1.2 as the floor. A server whose highest version is below 1.2 cannot meet it with any peer.",
    help: "raise `max_version` to `TLSv1.3` (or remove it to allow the newest version)",
    scope: &[Scope::Config, Scope::Live],
};

impl Rule for Tls12Available {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        for (dir, tls) in [("inbound", &gw.inbound.tls), ("outbound", &gw.outbound.tls)] {
            if tls.mode == "none" {
                continue;
            }
            if let Some(max) = tls.max_version.filter(|m| *m < TlsVersion::Tls12) {
                out.push(finding(
                    &META,
                    format!("/spec/{dir}/tls/max_version"),
                    format!(
                        "{dir} TLS is capped at {}, so TLS 1.2 can never be negotiated",
                        max.name()
                    ),
                ));
            }
        }
    }
}
