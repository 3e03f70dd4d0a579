//! HISF-MAIL-009: certificate key and signature strength.

use crate::config::model::MailGateway;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// RSA ≥ 2048 or EC ≥ 256, SHA-2 signatures.
pub struct CertificateStrength;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-009",
    title: "Certificate key is RSA ≥ 2048 or EC ≥ 256 bits with a SHA-2 signature",
    severity: Severities::all(Severity::Warning),
    source: "NZISM CID 7186, CID 2155",
    rationale: "Short RSA keys, DSA keys and SHA-1/MD5 signatures can be forged or factored with affordable effort; NZISM sets these minimums for approved algorithms.",
    help: "reissue the certificate with an RSA 2048+ or ECDSA P-256+ key and a SHA-256 (or stronger) signature",
    scope: &[Scope::Config, Scope::Live],
};

impl Rule for CertificateStrength {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(cert) = &gw.inbound.tls.certificate else {
            return;
        };
        let base = "/spec/inbound/tls/certificate";
        let min = match cert.key_type.as_deref() {
            Some("rsa") => Some(2048),
            Some("ec") => Some(256),
            Some("dsa") => {
                out.push(finding(
                    &META,
                    format!("{base}/key_type"),
                    "certificate uses a DSA key, which is no longer approved",
                ));
                None
            }
            _ => None,
        };
        if let (Some(min), Some(bits)) = (min, cert.key_bits) {
            if bits < min {
                out.push(finding(
                    &META,
                    format!("{base}/key_bits"),
                    format!("certificate key is {bits} bits; at least {min} are required"),
                ));
            }
        }
        if let Some(sig @ ("sha1" | "md5")) = cert.signature_algorithm.as_deref() {
            out.push(finding(
                &META,
                format!("{base}/signature_algorithm"),
                format!(
                    "certificate is signed with {}, which can be forged",
                    sig.to_uppercase()
                ),
            ));
        }
    }
}
