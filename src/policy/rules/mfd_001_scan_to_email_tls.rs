//! HISF-MFD-001: scan-to-email requires TLS.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Scan-to-email must not fall back to clear text.
pub struct ScanToEmailTls;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MFD-001",
    title: "Scan-to-email SMTP security is implicit TLS or required STARTTLS",
    severity: Severities::all(Severity::Error),
    source: "Seed clause 3b; RFC 8314",
    rationale: "The guidance allows MFD scan-to-email in place of fax only when it uses secure e-mail. Opportunistic STARTTLS silently sends scans in clear text when the TLS step fails or is stripped.",
    help: "set `scan_to_email.smtp.security: implicit_tls` (port 465) or `starttls_required` (port 587)",
    scope: &[Scope::Config],
};

impl Rule for ScanToEmailTls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(s) = m.scan_to_email.as_ref().filter(|s| s.enabled) else {
            return;
        };
        match &s.smtp {
            None => out.push(finding(
                &META,
                "/spec/scan_to_email",
                "scan-to-email is enabled but no SMTP security settings are recorded",
            )),
            Some(smtp)
                if !matches!(smtp.security.as_str(), "implicit_tls" | "starttls_required") =>
            {
                out.push(finding(
                    &META,
                    "/spec/scan_to_email/smtp/security",
                    format!(
                        "scan-to-email SMTP security is `{}`, which can send scans in clear text",
                        smtp.security
                    ),
                ))
            }
            Some(_) => {}
        }
    }
}
