//! HISF-MAIL-002: outbound TLS is enabled.

use crate::config::model::MailGateway;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Outbound delivery must try TLS.
pub struct OutboundTls;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-002",
    title: "Outbound mail uses TLS",
    severity: Severities::all(Severity::Error),
    source: "Seed clause 1; NZISM CID 1786",
    rationale: "The guidance requires opportunistic TLS for mail sent over the Internet as well as received. A gateway that never starts TLS sends patient information in clear text even when the receiver supports TLS.",
    help: "set `outbound.tls.mode: opportunistic` (at least) so the gateway uses STARTTLS whenever the receiving MX offers it",
    scope: &[Scope::Config],
};

impl Rule for OutboundTls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        if gw.outbound.tls.mode == "none" {
            out.push(finding(
                &META,
                "/spec/outbound/tls/mode",
                "outbound delivery never uses TLS (TLS mode is `none`)",
            ));
        }
    }
}
