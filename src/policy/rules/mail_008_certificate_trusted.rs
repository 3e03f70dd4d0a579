//! HISF-MAIL-008: the MX certificate is trusted, matches and is in date.

use crate::config::model::MailGateway;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// The presented certificate should be publicly trusted and current.
pub struct CertificateTrusted;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-008",
    title: "MX certificate is trusted, matches the host and has not expired",
    severity: Severities::all(Severity::Warning),
    source: "NZISM 15.2.34; RFC 8461 (MTA-STS)",
    rationale: "Opportunistic TLS does not authenticate the server, so a bad certificate does not stop mail; but senders that verify (MTA-STS, DANE, partner policies) will refuse delivery, and the domain cannot move to MTA-STS enforce. Live checks raise this to an error when the domain enforces MTA-STS.",
    help: "present a certificate from a public CA that covers the MX host name, and renew it before `not_after`",
    scope: &[Scope::Config, Scope::Live],
};

impl Rule for CertificateTrusted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, ctx: &Context, out: &mut Vec<RawFinding>) {
        let Some(cert) = &gw.inbound.tls.certificate else {
            return;
        };
        let base = "/spec/inbound/tls/certificate";
        match cert.issuer.as_deref() {
            Some("self_signed") => out.push(finding(&META, format!("{base}/issuer"), "inbound certificate is self-signed; verifying senders will not trust it")),
            Some("private_ca") => out.push(finding(&META, format!("{base}/issuer"), "inbound certificate is issued by a private CA; senders outside the organisation will not trust it")),
            _ => {}
        }
        if let Some(na) = cert
            .not_after
            .as_deref()
            .filter(|d| *d < ctx.today.as_str())
        {
            out.push(finding(
                &META,
                format!("{base}/not_after"),
                format!("inbound certificate expired on {na}"),
            ));
        }
    }
}
