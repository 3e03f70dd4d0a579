//! HISF-MAIL-005: no NULL, EXPORT, RC4, 3DES or anonymous suites.

use super::ciphers::{classify, CipherClass};
use crate::config::model::MailGateway;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Broken cipher suites must be off.
pub struct NoBrokenCiphers;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-005",
    title: "No NULL, EXPORT, RC4, 3DES or anonymous cipher suites",
    severity: Severities::all(Severity::Error),
    source: "DHS BOD 18-01; NZISM 17.2; NCSC-NL TLS guidelines (insufficient)",
    rationale: "These suites give no confidentiality (NULL), breakable keys (EXPORT, RC4, 3DES/Sweet32) or no authentication (anonymous DH), so a connection using them is not secure whatever the protocol version.",
    help: "remove the listed suites; keep ECDHE/DHE suites with AES-GCM or ChaCha20-Poly1305",
    scope: &[Scope::Config, Scope::Live],
};

impl Rule for NoBrokenCiphers {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        for (dir, tls) in [("inbound", &gw.inbound.tls), ("outbound", &gw.outbound.tls)] {
            for (i, c) in tls.ciphers.iter().flatten().enumerate() {
                if let CipherClass::Insufficient(why) = classify(c) {
                    out.push(finding(
                        &META,
                        format!("/spec/{dir}/tls/ciphers/{i}"),
                        format!("{dir} TLS enables `{c}` ({why})"),
                    ));
                }
            }
        }
    }
}
