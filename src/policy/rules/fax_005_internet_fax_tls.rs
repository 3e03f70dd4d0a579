//! HISF-FAX-005: internet fax (T.37) only over TLS.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// T.37 internet fax must use TLS.
pub struct InternetFaxTls;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-FAX-005",
    title: "Internet fax (T.37) only over TLS",
    severity: Severities::strict_error(Severity::Warning),
    source: "Seed clause 1",
    rationale: "T.37 internet fax is e-mail underneath; without TLS it sends the document in clear text across the Internet, against clause 1.",
    help: "set `fax.internet_fax.tls: true` (or disable internet fax)",
    scope: &[Scope::Config],
};

impl Rule for InternetFaxTls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(ifax) = m
            .fax
            .as_ref()
            .and_then(|f| f.internet_fax.as_ref())
            .filter(|i| i.enabled)
        else {
            return;
        };
        let message = match ifax.tls {
            Some(true) => return,
            Some(false) => "internet fax (T.37) is enabled without TLS",
            None => "internet fax (T.37) is enabled and does not say it uses TLS",
        };
        out.push(finding(&META, "/spec/fax/internet_fax/tls", message));
    }
}
