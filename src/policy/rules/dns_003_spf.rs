//! HISF-DNS-003: SPF record valid and ends `-all`.

use crate::policy::live::{records, DomainFacts, LiveFinding};
use crate::policy::{Rule, RuleMeta, Scope, Severities};

/// SPF names the hosts that may send as the domain.
pub struct Spf;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-DNS-003",
    title: "SPF record valid and ending `-all`",
    severity: Severities::GOVT_ERROR,
    source: "NZISM CID 1792, 1793; RFC 7208",
    rationale: "An SPF record that ends `-all` lets receivers reject mail forged in the agency's name; `~all` or `?all` leaves the decision to each receiver.",
    help: "publish one `v=spf1 … -all` TXT record listing the agency's sending hosts",
    scope: &[Scope::Live],
};

impl Rule for Spf {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn domain(&self, f: &DomainFacts, out: &mut Vec<LiveFinding>) {
        let Ok(txt) = &f.txt else { return };
        let recs: Vec<&str> = records(txt, "v=spf1")
            .into_iter()
            .filter(|r| r.len() == 6 || r.as_bytes()[6] == b' ')
            .collect();
        let message = match recs.as_slice() {
            [] => format!("no SPF record at {}", f.domain),
            [r] => {
                let last = r.split_whitespace().last().unwrap_or("");
                if last.eq_ignore_ascii_case("-all")
                    || r.split_whitespace()
                        .any(|t| t.to_ascii_lowercase().starts_with("redirect="))
                {
                    return;
                }
                format!("the SPF record ends `{last}`, not `-all`: `{r}`")
            }
            _ => format!(
                "{} SPF records; receivers treat that as a permanent error (RFC 7208 §4.5)",
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
