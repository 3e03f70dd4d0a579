//! The one list of rules. Adding a rule: its file, one line here, its section in docs/rules.md.

use super::rules::*;
use super::{Rule, RuleMeta};

/// Every policy rule with logic, in catalogue order.
pub static RULES: &[&dyn Rule] = &[
    &mail_001_inbound_starttls::InboundStarttls,
    &mail_002_outbound_tls::OutboundTls,
    &mail_003_tls12_available::Tls12Available,
    &mail_004_no_legacy_tls::NoLegacyTls,
    &mail_005_no_broken_ciphers::NoBrokenCiphers,
    &mail_006_tls13_offered::Tls13Offered,
    &mail_007_forward_secret_aead::ForwardSecretAead,
    &mail_008_certificate_trusted::CertificateTrusted,
    &mail_009_certificate_strength::CertificateStrength,
    &mail_010_every_mx::EveryMx,
    &mail_011_submission::SecureSubmission,
    &mail_012_no_open_relay::NoOpenRelay,
    &mail_013_partner_tls::PartnerTls,
    &mfd_001_scan_to_email_tls::ScanToEmailTls,
    &mfd_002_scan_to_email_min_tls::ScanToEmailMinTls,
    &mfd_003_verify_certificate::VerifyCertificate,
    &mfd_004_smtp_auth::SmtpAuth,
    &mfd_005_admin_password::AdminPassword,
    &mfd_006_storage::StorageProtection,
    &mfd_007_services::InsecureServices,
    &mfd_008_firmware::Firmware,
    &fax_001_analogue_disabled::AnalogueFaxDisabled,
    &fax_002_forwarding_tls::FaxForwardingTls,
    &fax_003_no_new_fax::NoNewFax,
    &fax_004_no_pstn_bridge::NoPstnBridge,
    &fax_005_internet_fax_tls::InternetFaxTls,
    &dns_001_mta_sts::MtaSts,
    &dns_002_tls_rpt::TlsRpt,
    &dns_003_spf::Spf,
    &dns_004_dmarc::Dmarc,
    &dns_005_dane::Dane,
];

/// Rules raised by the loader and the suppression engine.
pub static FILE_RULES: &[&RuleMeta] = &[
    &file::SYNTAX,
    &file::SCHEMA,
    &file::SUPPRESSION_INVALID,
    &file::SUPPRESSION_EXPIRED,
    &file::SUPPRESSION_UNUSED,
];

/// Every rule's metadata, policy rules first.
pub fn all() -> impl Iterator<Item = &'static RuleMeta> {
    RULES
        .iter()
        .map(|r| r.meta())
        .chain(FILE_RULES.iter().copied())
}

/// Looks a rule up by ID (case-insensitive).
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    all().find(|m| m.id.eq_ignore_ascii_case(id))
}
