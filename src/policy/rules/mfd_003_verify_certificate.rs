//! HISF-MFD-003: the SMTP server certificate is verified.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// The MFD should verify its SMTP server.
pub struct VerifyCertificate;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MFD-003",
    title: "Scan-to-email verifies the SMTP server certificate",
    severity: Severities::all(Severity::Warning),
    source: "NZISM 17.3.6; RFC 7817",
    rationale: "Without certificate verification, anyone who can redirect the device's traffic can pose as the mail server and collect both the scans and the device's mail credentials.",
    help: "set `scan_to_email.smtp.verify_certificate: true` and install the CA that issued the server's certificate",
    scope: &[Scope::Config],
};

impl Rule for VerifyCertificate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(smtp) = m
            .scan_to_email
            .as_ref()
            .filter(|s| s.enabled)
            .and_then(|s| s.smtp.as_ref())
        else {
            return;
        };
        match smtp.verify_certificate {
            Some(true) => {}
            Some(false) => out.push(finding(
                &META,
                "/spec/scan_to_email/smtp/verify_certificate",
                "scan-to-email does not verify the SMTP server's certificate",
            )),
            None => out.push(finding(
                &META,
                "/spec/scan_to_email/smtp",
                "scan-to-email does not say whether it verifies the SMTP server's certificate",
            )),
        }
    }
}
