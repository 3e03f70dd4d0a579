//! HISF-MFD-007: insecure network services are off.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Clear-text and obsolete services must be off.
pub struct InsecureServices;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MFD-007",
    title: "Insecure services off (telnet, FTP, HTTP admin, SNMPv1/v2c, SMBv1)",
    severity: Severities::all(Severity::Warning),
    source: "NISTIR 8023 (CM-7, least functionality)",
    rationale: "These services send credentials in clear text or have well-known remote exploits; on an MFD they are rarely needed and widen the attack surface of a device that handles patient documents.",
    help: "turn the service off (`false`), use HTTPS for administration and SNMPv3 for monitoring",
    scope: &[Scope::Config],
};

impl Rule for InsecureServices {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(s) = &m.services else { return };
        for (name, on, what) in [
            ("telnet", s.telnet, "telnet (clear-text remote console)"),
            ("ftp", s.ftp, "FTP (clear-text file transfer)"),
            ("http_admin", s.http_admin, "administration over plain HTTP"),
            ("smbv1", s.smbv1, "SMBv1"),
        ] {
            if on == Some(true) {
                out.push(finding(
                    &META,
                    format!("/spec/services/{name}"),
                    format!("{what} is enabled"),
                ));
            }
        }
        if let Some(v @ ("v1" | "v2c")) = s.snmp.as_deref() {
            out.push(finding(
                &META,
                "/spec/services/snmp",
                format!("SNMP {v} is enabled (community strings in clear text)"),
            ));
        }
    }
}
