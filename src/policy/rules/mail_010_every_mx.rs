//! HISF-MAIL-010: every MX, backup included, meets the same TLS posture.

use crate::config::model::{ConfigDoc, Tls};
use crate::policy::{
    finding, Context, DocRef, RawFinding, Rule, RuleMeta, Scope, Severities, Severity,
};

/// Backup MX hosts must not be weaker than the primary.
pub struct EveryMx;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MAIL-010",
    title: "Every MX host (backup too) meets the same TLS posture",
    severity: Severities::all(Severity::Error),
    source: "NZISM CID 1782",
    rationale: "Senders fall back to any MX, and an attacker can force the fallback by blocking the primary. A backup MX without STARTTLS or with legacy TLS undoes the primary's protection for the whole domain.",
    help: "give the backup MX's gateway the same `inbound.tls` settings as the primary's",
    scope: &[Scope::Config, Scope::Live],
};

/// (STARTTLS offered, lowest version) — lower is weaker.
fn posture(t: &Tls) -> (bool, crate::config::model::TlsVersion) {
    (t.mode != "none", t.min_version)
}

impl Rule for EveryMx {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn repo(&self, docs: &[DocRef<'_>], _: &Context, out: &mut Vec<(usize, RawFinding)>) {
        let gateway = |name: &str| {
            docs.iter().find_map(|d| match d.doc {
                ConfigDoc::MailGateway { metadata, spec } if metadata.name == name => Some(spec),
                _ => None,
            })
        };
        for d in docs {
            let ConfigDoc::MailDomain { spec, .. } = d.doc else {
                continue;
            };
            let known: Vec<_> = spec
                .mx
                .iter()
                .enumerate()
                .filter_map(|(i, mx)| Some((i, mx, gateway(mx.gateway.as_deref()?)?)))
                .collect();
            let Some(best) = known.iter().map(|(_, _, g)| posture(&g.inbound.tls)).max() else {
                continue;
            };
            for (i, mx, gw) in &known {
                let p = posture(&gw.inbound.tls);
                if p < best {
                    let why = if !p.0 {
                        "offers no STARTTLS".to_string()
                    } else {
                        format!("accepts {}", p.1.name())
                    };
                    out.push((
                        d.index,
                        finding(&META, format!("/spec/mx/{i}/gateway"), format!("MX {} (preference {}) {why}, weaker than the domain's other MX hosts", mx.host, mx.preference)),
                    ));
                }
            }
        }
    }
}
