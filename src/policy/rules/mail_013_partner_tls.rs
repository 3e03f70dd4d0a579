//! HISF-MAIL-013: required, verified TLS to listed health partner domains.

use crate::config::model::MailGateway;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Listed partners should get required, verified TLS.
pub struct PartnerTls;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-013",
    title: "Required, verified TLS to listed health partner domains",
    severity: Severities::all(Severity::Warning),
    source: "NZISM CID 1787",
    rationale: "For partners known to support TLS, a per-destination policy that requires and verifies TLS stops a downgrade to clear text that opportunistic TLS cannot detect.",
    help: "set the partner's `tls: verify` (or at least `required`)",
    scope: &[Scope::Config],
};

impl Rule for PartnerTls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        for (i, p) in gw.outbound.partners.iter().enumerate() {
            if !matches!(p.tls.as_str(), "required" | "verify") {
                out.push(finding(&META, format!("/spec/outbound/partners/{i}/tls"), format!("mail to partner {} uses `{}` TLS, which can silently fall back to clear text", p.domain, p.tls)));
            }
        }
    }
}
