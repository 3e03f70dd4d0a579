//! HISF-FAX-002: fax forwarding to e-mail only over required TLS 1.2+.

use crate::config::model::{Mfd, TlsVersion};
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Faxes forwarded to e-mail must travel over required TLS 1.2+.
pub struct FaxForwardingTls;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-FAX-002",
    title: "Fax forwarding to e-mail only over required TLS 1.2 or later",
    severity: Severities::all(Severity::Error),
    source: "Seed footnote 4",
    rationale: "Footnote 4: an MFD's fax function should not be used unless it sends the document through secure e-mail. Forwarding received faxes over opportunistic or old TLS carries the same risks as the fax itself.",
    help: "set `fax.forwarding.tls: required` and `fax.forwarding.min_tls_version: TLSv1.2`",
    scope: &[Scope::Config],
};

impl Rule for FaxForwardingTls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(fw) = m.fax.as_ref().and_then(|f| f.forwarding.as_ref()) else {
            return;
        };
        if !fw.enabled || fw.to.as_deref().is_some_and(|t| t != "email") {
            return;
        }
        match fw.tls.as_deref() {
            Some("required") => {}
            Some(t) => out.push(finding(
                &META,
                "/spec/fax/forwarding/tls",
                format!("received faxes are forwarded to e-mail with `{t}` TLS"),
            )),
            None => out.push(finding(
                &META,
                "/spec/fax/forwarding",
                "received faxes are forwarded to e-mail without a TLS requirement",
            )),
        }
        match fw.min_tls_version {
            Some(v) if v >= TlsVersion::Tls12 => {}
            Some(v) => out.push(finding(
                &META,
                "/spec/fax/forwarding/min_tls_version",
                format!("fax forwarding permits {} (below TLS 1.2)", v.name()),
            )),
            None if fw.tls.as_deref() == Some("required") => out.push(finding(
                &META,
                "/spec/fax/forwarding",
                "fax forwarding does not set a minimum TLS version",
            )),
            None => {}
        }
    }
}
