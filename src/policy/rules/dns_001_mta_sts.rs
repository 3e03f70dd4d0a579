//! HISF-DNS-001: MTA-STS record and policy published, mode enforce, covering every MX.

use crate::policy::live::{records, DomainFacts, LiveFinding};
use crate::policy::{Rule, RuleMeta, Scope, Severities};

/// MTA-STS makes TLS to the domain's MX hosts mandatory and authenticated.
pub struct MtaSts;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-DNS-001",
    title: "MTA-STS record and enforcing policy cover every MX",
    severity: Severities::GOVT_ERROR,
    source: "NZISM CID 7521; RFC 8461; Secure Government Email framework",
    rationale: "STARTTLS alone can be stripped by anyone on the path, and senders then deliver in clear text. An MTA-STS policy in `enforce` mode tells senders to require TLS with a valid certificate for the listed MX hosts.",
    help: "publish `_mta-sts.<domain> TXT \"v=STSv1; id=<serial>\"` and `https://mta-sts.<domain>/.well-known/mta-sts.txt` with `mode: enforce` and an `mx:` line for every MX host",
    scope: &[Scope::Live],
};

impl Rule for MtaSts {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn domain(&self, f: &DomainFacts, out: &mut Vec<LiveFinding>) {
        let Ok(txt) = &f.mta_sts_txt else { return };
        let recs = records(txt, "v=STSv1");
        let mut say = |m: String| {
            out.push(LiveFinding {
                rule: &META,
                message: m,
                help: META.help.to_string(),
            })
        };
        if recs.is_empty() {
            say(format!("no MTA-STS record at _mta-sts.{}", f.domain));
            return;
        }
        if recs.len() > 1 {
            say(format!(
                "{} MTA-STS records at _mta-sts.{}; senders ignore all of them (RFC 8461 §3.1)",
                recs.len(),
                f.domain
            ));
        }
        match &f.mta_sts_policy {
            None => {}
            Some(Err(e)) => say(format!("the MTA-STS policy cannot be fetched: {e}")),
            Some(Ok(p)) => {
                if p.mode != "enforce" {
                    say(format!(
                        "the MTA-STS policy is in `{}` mode, not `enforce`",
                        p.mode
                    ));
                }
                let missing: Vec<&str> = f
                    .mx_hosts
                    .iter()
                    .filter(|h| !p.covers(h))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    say(format!(
                        "the MTA-STS policy's `mx` patterns do not cover {}",
                        missing.join(", ")
                    ));
                }
            }
        }
    }
}
