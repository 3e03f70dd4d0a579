//! Typed view of a schema-valid config document. Decoded only after the
//! JSON Schema check passed, so rules can rely on types and required fields.

use serde::Deserialize;

/// TLS protocol versions in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
pub enum TlsVersion {
    /// SSL 3.0
    #[serde(rename = "SSLv3")]
    Ssl3,
    /// TLS 1.0
    #[serde(rename = "TLSv1.0")]
    Tls10,
    /// TLS 1.1
    #[serde(rename = "TLSv1.1")]
    Tls11,
    /// TLS 1.2
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    /// The spelling used in configs and messages.
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Ssl3 => "SSLv3",
            TlsVersion::Tls10 => "TLSv1.0",
            TlsVersion::Tls11 => "TLSv1.1",
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

/// Any config document.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all_fields = "camelCase")]
pub enum ConfigDoc {
    /// A mail gateway (MTA).
    MailGateway {
        /// Document metadata.
        metadata: Metadata,
        /// Settings.
        spec: MailGateway,
    },
    /// A multi-function device.
    #[serde(rename = "MFD")]
    Mfd {
        /// Document metadata.
        metadata: Metadata,
        /// Settings.
        spec: Mfd,
    },
    /// A mail domain and its MX hosts.
    MailDomain {
        /// Document metadata.
        metadata: Metadata,
        /// Settings.
        spec: MailDomain,
    },
}

/// `metadata:` block.
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    /// Unique name within the repo.
    pub name: String,
    /// Owning organisation.
    pub organisation: Option<String>,
}

/// `spec:` of a MailGateway.
#[derive(Debug, Clone, Deserialize)]
pub struct MailGateway {
    /// Port 25 service.
    pub inbound: Inbound,
    /// Delivery to other domains.
    pub outbound: Outbound,
    /// Submission services.
    #[serde(default)]
    pub submission: Vec<Submission>,
}

/// Inbound SMTP.
#[derive(Debug, Clone, Deserialize)]
pub struct Inbound {
    /// TLS settings.
    pub tls: Tls,
    /// Relay settings.
    pub relay: Option<Relay>,
}

/// Relay control.
#[derive(Debug, Clone, Deserialize)]
pub struct Relay {
    /// Accepts mail from anyone to anywhere.
    pub open: Option<bool>,
    /// Networks allowed to relay.
    #[serde(default)]
    pub networks: Vec<String>,
}

/// Outbound SMTP.
#[derive(Debug, Clone, Deserialize)]
pub struct Outbound {
    /// TLS settings.
    pub tls: Tls,
    /// Per-partner TLS policies.
    #[serde(default)]
    pub partners: Vec<Partner>,
}

/// A partner domain policy.
#[derive(Debug, Clone, Deserialize)]
pub struct Partner {
    /// Partner's mail domain.
    pub domain: String,
    /// TLS policy towards it.
    pub tls: String,
}

/// TLS settings of one direction.
#[derive(Debug, Clone, Deserialize)]
pub struct Tls {
    /// none / opportunistic / required / verify.
    pub mode: String,
    /// Lowest version accepted.
    pub min_version: TlsVersion,
    /// Highest version offered.
    pub max_version: Option<TlsVersion>,
    /// Enabled suites.
    pub ciphers: Option<Vec<String>>,
    /// Presented certificate.
    pub certificate: Option<Certificate>,
}

/// Certificate facts.
#[derive(Debug, Clone, Deserialize)]
pub struct Certificate {
    /// public_ca / private_ca / self_signed.
    pub issuer: Option<String>,
    /// Expiry date, YYYY-MM-DD.
    pub not_after: Option<String>,
    /// rsa / ec / ed25519 / dsa.
    pub key_type: Option<String>,
    /// Key size in bits.
    pub key_bits: Option<u32>,
    /// Signature hash.
    pub signature_algorithm: Option<String>,
}

/// A submission service.
#[derive(Debug, Clone, Deserialize)]
pub struct Submission {
    /// 25, 465 or 587.
    pub port: u16,
    /// implicit_tls / starttls_required / starttls_optional / none.
    pub security: String,
    /// Lowest version accepted.
    pub min_version: Option<TlsVersion>,
    /// Whether AUTH is required before relaying.
    pub auth_required: bool,
}

/// `spec:` of an MFD.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Mfd {
    /// Acquisition date.
    pub acquired: Option<String>,
    /// Scan-to-email settings.
    pub scan_to_email: Option<ScanToEmail>,
    /// Admin credentials.
    pub admin: Option<Admin>,
    /// Storage protection.
    pub storage: Option<Storage>,
    /// Network services.
    pub services: Option<Services>,
    /// Firmware state.
    pub firmware: Option<Firmware>,
    /// Fax functions.
    pub fax: Option<Fax>,
}

/// Scan-to-email.
#[derive(Debug, Clone, Deserialize)]
pub struct ScanToEmail {
    /// Whether the function is on.
    pub enabled: bool,
    /// SMTP client settings.
    pub smtp: Option<MfdSmtp>,
}

/// The MFD's SMTP client.
#[derive(Debug, Clone, Deserialize)]
pub struct MfdSmtp {
    /// implicit_tls / starttls_required / opportunistic / none.
    pub security: String,
    /// Lowest TLS version.
    pub min_tls_version: TlsVersion,
    /// Whether the server certificate is verified.
    pub verify_certificate: Option<bool>,
    /// Authentication method.
    pub auth: Option<String>,
    /// SMTP server host name.
    pub host: String,
}

/// Admin credentials.
#[derive(Debug, Clone, Deserialize)]
pub struct Admin {
    /// Factory password still set.
    pub default_password: bool,
}

/// Storage protection.
#[derive(Debug, Clone, Deserialize)]
pub struct Storage {
    /// Disk encryption on.
    pub encrypted: Option<bool>,
    /// Image overwrite on.
    pub image_overwrite: Option<bool>,
}

/// Network services.
#[derive(Debug, Clone, Deserialize)]
pub struct Services {
    /// Telnet on.
    pub telnet: Option<bool>,
    /// FTP on.
    pub ftp: Option<bool>,
    /// Plain-HTTP admin on.
    pub http_admin: Option<bool>,
    /// SMBv1 on.
    pub smbv1: Option<bool>,
    /// SNMP version.
    pub snmp: Option<String>,
}

/// Firmware state.
#[derive(Debug, Clone, Deserialize)]
pub struct Firmware {
    /// Vendor still supports it.
    pub supported: Option<bool>,
    /// Latest installed.
    pub current: Option<bool>,
}

/// Fax functions.
#[derive(Debug, Clone, Deserialize)]
pub struct Fax {
    /// Analogue fax line.
    pub analogue: Option<AnalogueFax>,
    /// Recorded exception.
    pub exception: Option<FaxException>,
    /// Forwarding received faxes.
    pub forwarding: Option<FaxForwarding>,
    /// T.37 internet fax.
    pub internet_fax: Option<InternetFax>,
    /// PC-fax receive.
    pub pc_fax_receive: Option<bool>,
    /// Relay broadcast.
    pub relay_broadcast: Option<bool>,
}

/// Analogue fax.
#[derive(Debug, Clone, Deserialize)]
pub struct AnalogueFax {
    /// Whether it is on.
    pub enabled: bool,
}

/// Fax exception.
#[derive(Debug, Clone, Deserialize)]
pub struct FaxException {
    /// Reference of the approval.
    pub reference: String,
    /// Who approved it.
    pub approver: String,
    /// Last day it applies, YYYY-MM-DD.
    pub expires: String,
}

/// Fax forwarding.
#[derive(Debug, Clone, Deserialize)]
pub struct FaxForwarding {
    /// On or off.
    pub enabled: bool,
    /// Destination kind.
    pub to: Option<String>,
    /// TLS policy of the forward.
    pub tls: Option<String>,
    /// Lowest TLS version.
    pub min_tls_version: Option<TlsVersion>,
}

/// Internet fax.
#[derive(Debug, Clone, Deserialize)]
pub struct InternetFax {
    /// On or off.
    pub enabled: bool,
    /// Over TLS.
    pub tls: Option<bool>,
}

/// `spec:` of a MailDomain.
#[derive(Debug, Clone, Deserialize)]
pub struct MailDomain {
    /// The domain.
    pub domain: String,
    /// MX hosts.
    pub mx: Vec<MxHost>,
    /// MTA-STS.
    pub mta_sts: Option<MtaSts>,
}

/// One MX.
#[derive(Debug, Clone, Deserialize)]
pub struct MxHost {
    /// Host name.
    pub host: String,
    /// Preference.
    pub preference: u16,
    /// Gateway name serving it.
    pub gateway: Option<String>,
}

/// MTA-STS.
#[derive(Debug, Clone, Deserialize)]
pub struct MtaSts {
    /// none / testing / enforce.
    pub mode: Option<String>,
}
