//! HISF-MAIL-007: forward secrecy and AEAD suites only.

use super::ciphers::{classify, CipherClass};
use crate::config::model::MailGateway;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Suites should be ECDHE/DHE with AEAD.
pub struct ForwardSecretAead;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-007",
    title: "Forward-secret AEAD cipher suites only",
    severity: Severities::strict_error(Severity::Warning),
    source: "NCSC-NL TLS guidelines (good/sufficient); Australian ISM-1369, ISM-1453",
    rationale: "Static-RSA key exchange lets anyone who later obtains the server key decrypt recorded traffic; CBC suites have a long history of padding-oracle attacks. NCSC-NL rates both 'phase out'.",
    help: "replace the suite with an ECDHE or DHE suite using AES-GCM or ChaCha20-Poly1305",
    scope: &[Scope::Config, Scope::Live],
};

impl Rule for ForwardSecretAead {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        for (dir, tls) in [("inbound", &gw.inbound.tls), ("outbound", &gw.outbound.tls)] {
            for (i, c) in tls.ciphers.iter().flatten().enumerate() {
                if let CipherClass::PhaseOut(why) = classify(c) {
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
