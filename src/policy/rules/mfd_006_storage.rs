//! HISF-MFD-006: storage encrypted and image overwrite enabled.

use crate::config::model::Mfd;
use crate::policy::{finding, Context, RawFinding, Rule, RuleMeta, Scope, Severities, Severity};

/// Stored images must be protected.
pub struct StorageProtection;

/// Metadata.
pub static META: RuleMeta = RuleMeta {
    id: "HISF-MFD-006",
    title: "Storage encrypted and image overwrite enabled",
    severity: Severities::all(Severity::Warning),
    source: "FTC copier data security guidance; NISTIR 8023",
    rationale: "MFDs keep images of every page they copy, scan or fax. When a device is serviced, returned at lease end or resold, an unencrypted disk gives away patient records.",
    help: "turn on disk encryption (`storage.encrypted: true`) and image overwrite (`storage.image_overwrite: true`)",
    scope: &[Scope::Config],
};

impl Rule for StorageProtection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn mfd(&self, m: &Mfd, _: &Context, out: &mut Vec<RawFinding>) {
        let Some(s) = &m.storage else { return };
        if s.encrypted == Some(false) {
            out.push(finding(
                &META,
                "/spec/storage/encrypted",
                "the device's storage is not encrypted",
            ));
        }
        if s.image_overwrite == Some(false) {
            out.push(finding(
                &META,
                "/spec/storage/image_overwrite",
                "image overwrite is off: copies of scanned pages stay on the disk",
            ));
        }
    }
}
