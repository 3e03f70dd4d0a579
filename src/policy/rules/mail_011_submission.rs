//! HISF-MAIL-011: mail submission uses implicit TLS or required STARTTLS, with authentication.

use crate::config::model::MailGateway;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Submission must be encrypted and authenticated.
pub struct SecureSubmission;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-011",
    title: "Mail submission uses implicit TLS (465) or required STARTTLS (587) with authentication",
    severity: Severities::all(Severity::Error),
    source: "NZISM CID 1780; RFC 8314",
    rationale: "Submission carries user credentials and outgoing mail from staff and devices. Optional STARTTLS can be stripped by an attacker on the path; RFC 8314 prefers implicit TLS.",
    help: "set `security: implicit_tls` (port 465) or `starttls_required` (port 587) and `auth_required: true`",
    scope: &[Scope::Config],
};

impl Rule for SecureSubmission {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        for (i, s) in gw.submission.iter().enumerate() {
            if !matches!(s.security.as_str(), "implicit_tls" | "starttls_required") {
                out.push(finding(
                    &META,
                    format!("/spec/submission/{i}/security"),
                    format!(
                        "submission on port {} does not require TLS (security is `{}`)",
                        s.port, s.security
                    ),
                ));
            }
            if !s.auth_required {
                out.push(finding(
                    &META,
                    format!("/spec/submission/{i}/auth_required"),
                    format!(
                        "submission on port {} accepts mail without authentication",
                        s.port
                    ),
                ));
            }
        }
    }
}
