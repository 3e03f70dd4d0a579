//! HISF-MAIL-006: TLS 1.3 is offered.

use crate::config::model::{MailGateway, TlsVersion};
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// TLS 1.3 should be available.
pub struct Tls13Offered;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-006",
    title: "TLS 1.3 is offered",
    severity: Severities::all(Severity::Info),
    source: "NZISM CID 2598",
    rationale: "TLS 1.3 removes the legacy key exchanges and suites of TLS 1.2 and always gives forward secrecy. NZISM recommends it where supported.",
    help: "set `max_version: TLSv1.3` (or remove the cap)",
    scope: &[Scope::Config, Scope::Live],
};

impl Rule for Tls13Offered {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        let tls = &gw.inbound.tls;
        if let Some(max) = tls
            .max_version
            .filter(|m| *m >= TlsVersion::Tls12 && *m < TlsVersion::Tls13)
        {
            if tls.mode != "none" {
                out.push(finding(
                    &META,
                    "/spec/inbound/tls/max_version",
                    format!(
                        "inbound TLS is capped at {}; TLS 1.3 is not offered",
                        max.name()
                    ),
                ));
            }
        }
    }
}
