//! HISF-MFD-004: SMTP authentication is not anonymous; basic auth to cloud mail is flagged.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// The MFD should authenticate, and not with basic auth to cloud mail.
pub struct SmtpAuth;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MFD-004",
    title: "Scan-to-email authenticates (not anonymous; no basic auth to cloud mail)",
    severity: Severities::all(Severity::Warning),
    source: "NZISM CID 2575",
    rationale: "An unauthenticated relay for devices can be used by anything on the network to send mail as the agency. Cloud mail providers are retiring basic authentication, and a stored password on a shared device is easily extracted.",
    help: "set `scan_to_email.smtp.auth` to `oauth2` or `certificate` (or `basic` to an on-premises relay)",
    scope: &[Scope::Config],
};

/// Host suffixes of cloud mail services that are retiring basic auth.
const CLOUD_MAIL: &[&str] = &[
    "office365.com",
    "outlook.com",
    "gmail.com",
    "googlemail.com",
];

impl Rule for SmtpAuth {
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
        match smtp.auth.as_deref() {
            None | Some("none") => out.push(finding(
                &META,
                "/spec/scan_to_email/smtp/auth",
                "scan-to-email sends without SMTP authentication",
            )),
            Some("basic") => {
                let host = smtp.host.to_ascii_lowercase();
                if CLOUD_MAIL
                    .iter()
                    .any(|c| host == *c || host.ends_with(&format!(".{c}")))
                {
                    out.push(finding(
                        &META,
                        "/spec/scan_to_email/smtp/auth",
                        format!(
                            "scan-to-email uses basic authentication to cloud mail ({})",
                            smtp.host
                        ),
                    ));
                }
            }
            Some(_) => {}
        }
    }
}
