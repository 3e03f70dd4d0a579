//! HISF-MFD-005: the default admin password has been changed.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// The factory admin password must be changed.
pub struct AdminPassword;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MFD-005",
    title: "Default admin password changed",
    severity: Severities::all(Severity::Error),
    source: "NZISM CID 1163; FTC copier guidance; NISTIR 8023",
    rationale: "Factory admin passwords are published in vendor manuals. With them anyone on the network can redirect scan-to-email, read stored jobs or turn the fax line back on.",
    help: "set a unique admin password on the device, then record `admin.default_password: false`",
    scope: &[Scope::Config],
};

impl Rule for AdminPassword {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        if m.admin.as_ref().is_some_and(|a| a.default_password) {
            out.push(finding(
                &META,
                "/spec/admin/default_password",
                "the device still uses its factory admin password",
            ));
        }
    }
}
