//! HISF-MAIL-001: every inbound MX host offers STARTTLS.

use crate::config::model::MailGateway;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Inbound SMTP must offer STARTTLS.
pub struct InboundStarttls;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-001",
    title: "Inbound mail offers STARTTLS",
    severity: Severities::all(Severity::Error),
    source: "Seed clause 1; NZISM CID 1786; RFC 3207",
    rationale: "Mail between agencies crosses the public Internet. Without STARTTLS on the MX, every message to the agency travels in clear text and can be read or altered in transit.",
    help: "set `inbound.tls.mode: opportunistic` (or `required` for known partners) so the MX advertises STARTTLS",
    scope: &[Scope::Config, Scope::Live],
};

impl Rule for InboundStarttls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        if gw.inbound.tls.mode == "none" {
            out.push(finding(
                &META,
                "/spec/inbound/tls/mode",
                "inbound SMTP does not offer STARTTLS (TLS mode is `none`)",
            ));
        }
    }
}
