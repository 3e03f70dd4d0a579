//! HISF-MAIL-012: no open relay.

use crate::config::model::MailGateway;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// The gateway must not relay for anyone.
pub struct NoOpenRelay;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-012",
    title: "The gateway is not an open relay",
    severity: Severities::all(Severity::Error),
    source: "NZISM CID 1774",
    rationale: "An open relay sends mail for anyone, so it is abused for spam and phishing that carries the agency's reputation, and lands it on block lists that stop its own mail.",
    help: "set `relay.open: false` and limit `relay.networks` to the agency's own client networks",
    scope: &[Scope::Config],
};

impl Rule for NoOpenRelay {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(relay) = &gw.inbound.relay else {
            return;
        };
        if relay.open == Some(true) {
            out.push(finding(
                &META,
                "/spec/inbound/relay/open",
                "the gateway relays mail from anyone to anywhere",
            ));
        }
        for (i, n) in relay.networks.iter().enumerate() {
            // Any network with prefix length 0 (0.0.0.0/0, ::/0, [::]/0, 0::/0) is everyone.
            if n.trim().rsplit_once('/').is_some_and(|(_, len)| len == "0") {
                out.push(finding(
                    &META,
                    format!("/spec/inbound/relay/networks/{i}"),
                    format!("relay network `{n}` covers the whole Internet"),
                ));
            }
        }
    }
}
