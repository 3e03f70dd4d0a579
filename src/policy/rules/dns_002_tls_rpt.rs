//! HISF-DNS-002: TLS-RPT record published.

use crate::policy::live::{records, tag, DomainFacts, LiveFinding};
use crate::policy::{Rule, RuleMeta, Scope, Severities};

/// TLS reporting tells the domain when senders fail to negotiate TLS.
pub struct TlsRpt;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-DNS-002",
    title: "TLS-RPT record published",
    severity: Severities::GOVT_ERROR,
    source: "NZISM CID 7523; RFC 8460",
    rationale: "Without TLS reporting an agency does not learn that senders fail to reach it over TLS (expired certificate, stripped STARTTLS) until mail is lost or sent in clear text.",
    help: "publish `_smtp._tls.<domain> TXT \"v=TLSRPTv1; rua=mailto:tls-reports@<domain>\"`",
    scope: &[Scope::Live],
};

impl Rule for TlsRpt {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn domain(&self, f: &DomainFacts, out: &mut Vec<LiveFinding>) {
        let Ok(txt) = &f.tlsrpt_txt else { return };
        let recs = records(txt, "v=TLSRPTv1");
        let message = match recs.as_slice() {
            [] => format!("no TLS-RPT record at _smtp._tls.{}", f.domain),
            [r] if tag(r, "rua").is_none_or(str::is_empty) => {
                "the TLS-RPT record has no `rua` destination".to_string()
            }
            [_] => return,
            _ => format!(
                "{} TLS-RPT records; senders ignore all of them (RFC 8460 §3)",
                recs.len()
            ),
        };
        out.push(LiveFinding {
            rule: &META,
            message,
            help: META.help.to_string(),
        });
    }
}
