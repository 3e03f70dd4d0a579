//! HISF-MFD-002: scan-to-email minimum TLS version is 1.2 or later.

use crate::config::model::{Mfd, TlsVersion};
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Scan-to-email must not accept TLS below 1.2.
pub struct ScanToEmailMinTls;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MFD-002",
    title: "Scan-to-email minimum TLS version is 1.2 or later",
    severity: Severities::all(Severity::Error),
    source: "Seed clauses 1 and 3b",
    rationale: "Scans of referrals and results are health information; the guidance's TLS 1.2 floor applies to the MFD's SMTP client as much as to mail servers.",
    help: "set `scan_to_email.smtp.min_tls_version: TLSv1.2` (update the firmware if the device offers nothing newer)",
    scope: &[Scope::Config],
};

impl Rule for ScanToEmailMinTls {
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
        if smtp.security != "none" && smtp.min_tls_version < TlsVersion::Tls12 {
            out.push(finding(
                &META,
                "/spec/scan_to_email/smtp/min_tls_version",
                format!(
                    "scan-to-email permits {} (below TLS 1.2)",
                    smtp.min_tls_version.name()
                ),
            ));
        }
    }
}
