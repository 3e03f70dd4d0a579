//! HISF-DNS-004: DMARC record with `p=reject`.

use crate::policy::live::{records, tag, DomainFacts, LiveFinding};
use crate::policy::{Rule, RuleMeta, Scope, Severities};

/// DMARC tells receivers to reject mail that fails SPF and DKIM alignment.
pub struct Dmarc;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-DNS-004",
    title: "DMARC record with `p=reject`",
    severity: Severities::GOVT_ERROR,
    source: "NZISM CID 6019, 6020; RFC 7489",
    rationale: "Health agencies are impersonated in phishing. `p=reject` tells receivers to refuse mail that fails SPF and DKIM alignment; `none` and `quarantine` only monitor or file it.",
    help: "publish `_dmarc.<domain> TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@<domain>\"` once reports show legitimate mail aligns",
    scope: &[Scope::Live],
};

impl Rule for Dmarc {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn domain(&self, f: &DomainFacts, out: &mut Vec<LiveFinding>) {
        let Ok(txt) = &f.dmarc_txt else { return };
        let recs = records(txt, "v=DMARC1");
        let message = match recs.as_slice() {
            [] => format!("no DMARC record at _dmarc.{}", f.domain),
            [r] => match tag(r, "p") {
                Some(p) if p.eq_ignore_ascii_case("reject") => return,
                Some(p) => format!("the DMARC policy is `p={p}`, not `p=reject`"),
                None => "the DMARC record has no `p=` policy".to_string(),
            },
            _ => format!(
                "{} DMARC records; receivers ignore them (RFC 7489 §6.6.3)",
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
