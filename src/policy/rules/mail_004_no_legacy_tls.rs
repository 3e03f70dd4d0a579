//! HISF-MAIL-004: TLS below 1.2 is not permitted.

use crate::config::model::{MailGateway, TlsVersion};
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// SSLv3, TLS 1.0 and 1.1 must be off.
pub struct NoLegacyTls;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-004",
    title: "TLS below 1.2 is not permitted",
    severity: Severities::all(Severity::Error),
    source: "Seed clause 1; RFC 8996",
    rationale: "TLS 1.0 and 1.1 are deprecated (RFC 8996) and the guidance requires TLS 1.2 or later. A server that still accepts them lets a downgraded or old peer exchange mail over broken protocols.",
    help: "set `min_version: TLSv1.2`",
    scope: &[Scope::Config, Scope::Live],
};

impl Rule for NoLegacyTls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn gateway(&self, gw: &MailGateway, _: &Context, out: &mut Vec<RawFinding>) {
        for (dir, tls) in [("inbound", &gw.inbound.tls), ("outbound", &gw.outbound.tls)] {
            if tls.mode != "none" && tls.min_version < TlsVersion::Tls12 {
                out.push(finding(
                    &META,
                    format!("/spec/{dir}/tls/min_version"),
                    format!(
                        "{dir} TLS permits {} (below TLS 1.2)",
                        tls.min_version.name()
                    ),
                ));
            }
        }
        for (i, s) in gw.submission.iter().enumerate() {
            if let Some(v) = s.min_version.filter(|v| *v < TlsVersion::Tls12) {
                out.push(finding(
                    &META,
                    format!("/spec/submission/{i}/min_version"),
                    format!(
                        "submission on port {} permits {} (below TLS 1.2)",
                        s.port,
                        v.name()
                    ),
                ));
            }
        }
    }
}
