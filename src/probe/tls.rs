//! The modern handshake (TLS 1.2/1.3, rustls) and the certificate record.
//!
//! The verifier records trust, name match and validity separately instead of
//! aborting the handshake on the first fault (opportunistic SMTP TLS does not
//! authenticate, and a report needs every fault), while handshake signatures
//! are still verified against the presented certificate.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use serde::Serialize;

/// What the certificate check found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CertReport {
    /// Chains to a trusted root (web PKI or `--ca-file`), ignoring name and dates.
    pub trusted: bool,
    /// Why it is not trusted, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_error: Option<String>,
    /// The host name is among the certificate's names.
    pub name_matches: bool,
    /// Past notAfter.
    pub expired: bool,
    /// Before notBefore.
    pub not_yet_valid: bool,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// DNS names from subjectAltName.
    pub dns_names: Vec<String>,
    /// `RSA`, `EC`, `Ed25519`, …
    pub key_type: String,
    /// Key size in bits.
    pub key_bits: u32,
    /// Signature algorithm of the leaf, e.g. `sha256WithRSAEncryption`.
    pub signature_algorithm: String,
    /// Certificates presented (leaf first).
    pub chain_length: usize,
    /// The leaf, DER; kept to check other names that share the address.
    #[serde(skip)]
    pub leaf: Vec<u8>,
    /// The intermediates, DER.
    #[serde(skip)]
    pub intermediates: Vec<Vec<u8>>,
}

/// The crypto provider every probe uses. ring rather than aws-lc-rs: a
/// smaller binary and Lambda zip and a faster build. rustls deprecates it
/// because it lacks the post-quantum hybrid groups; the policy asks which
/// TLS versions and suites a server accepts, which ring negotiates fully.
#[allow(deprecated)]
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Roots: the Mozilla set from webpki-roots plus any extra anchors.
pub fn roots(extra: &[CertificateDer<'static>]) -> Result<Arc<RootCertStore>, String> {
    let mut store = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for c in extra {
        store
            .add(c.clone())
            .map_err(|e| format!("a --ca-file certificate is not a usable trust anchor: {e}"))?;
    }
    Ok(Arc::new(store))
}

/// A verifier that records instead of rejecting.
#[derive(Debug)]
pub struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
    /// What was found, once the server's certificate has been seen.
    pub report: Mutex<Option<CertReport>>,
}

impl RecordingVerifier {
    /// A verifier over these roots.
    pub fn new(roots: Arc<RootCertStore>, provider: Arc<CryptoProvider>) -> Result<Self, String> {
        let inner = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(RecordingVerifier {
            inner,
            provider,
            report: Mutex::new(None),
        })
    }

    /// Checks a leaf (and intermediates) for `name` at `now`.
    pub fn assess(
        &self,
        leaf: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        now: UnixTime,
    ) -> CertReport {
        let mut r = describe(leaf.as_ref());
        r.chain_length = 1 + intermediates.len();
        r.leaf = leaf.to_vec();
        r.intermediates = intermediates.iter().map(|c| c.to_vec()).collect();
        let now_s = now.as_secs() as i64;
        let (nb, na) = validity(leaf.as_ref()).unwrap_or((i64::MIN, i64::MAX));
        r.expired = now_s > na;
        r.not_yet_valid = now_s < nb;
        // Trust is judged at a moment inside the validity period, so an
        // expired certificate from a trusted CA reads as trusted + expired.
        let at = if r.expired || r.not_yet_valid {
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(nb.max(0) as u64 + 1))
        } else {
            now
        };
        match self
            .inner
            .verify_server_cert(leaf, intermediates, name, &[], at)
        {
            Ok(_) => r.trusted = true,
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => r.trusted = true,
            Err(e) => {
                r.trusted = false;
                r.trust_error = Some(trust_error_text(&e));
            }
        }
        r.name_matches = match rustls::server::ParsedCertificate::try_from(leaf) {
            Ok(p) => rustls::client::verify_server_name(&p, name).is_ok(),
            Err(_) => false,
        };
        r
    }
}

fn trust_error_text(e: &rustls::Error) -> String {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "issuer unknown (self-signed, or a private CA not given with --ca-file)".into()
        }
        rustls::Error::InvalidCertificate(c) if format!("{c:?}").contains("CaUsedAsEndEntity") => {
            "self-signed: the server presents a CA certificate as its own".into()
        }
        rustls::Error::InvalidCertificate(CertificateError::BadSignature) => {
            "a signature in the chain does not verify".into()
        }
        rustls::Error::InvalidCertificate(c) => format!("{c:?}"),
        other => other.to_string(),
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let r = self.assess(end_entity, intermediates, server_name, now);
        if let Ok(mut slot) = self.report.lock() {
            *slot = Some(r);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A client config for one handshake, with its recording verifier.
pub fn client_config(
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
) -> Result<(Arc<ClientConfig>, Arc<RecordingVerifier>), String> {
    let verifier = Arc::new(RecordingVerifier::new(roots, provider.clone())?);
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    Ok((Arc::new(config), verifier))
}

fn validity(der: &[u8]) -> Option<(i64, i64)> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let v = cert.validity();
    Some((v.not_before.timestamp(), v.not_after.timestamp()))
}

/// Subject, issuer, names, key and signature of a DER certificate.
pub fn describe(der: &[u8]) -> CertReport {
    let mut r = CertReport {
        trusted: false,
        trust_error: None,
        name_matches: false,
        expired: false,
        not_yet_valid: false,
        not_before: String::new(),
        not_after: String::new(),
        subject: String::new(),
        issuer: String::new(),
        dns_names: Vec::new(),
        key_type: "unknown".into(),
        key_bits: 0,
        signature_algorithm: String::new(),
        chain_length: 1,
        leaf: Vec::new(),
        intermediates: Vec::new(),
    };
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        r.trust_error = Some("the certificate cannot be parsed".into());
        return r;
    };
    let v = cert.validity();
    r.not_before = rfc3339(v.not_before.timestamp());
    r.not_after = rfc3339(v.not_after.timestamp());
    r.subject = cert.subject().to_string();
    r.issuer = cert.issuer().to_string();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            if let x509_parser::extensions::GeneralName::DNSName(d) = n {
                r.dns_names.push((*d).to_string());
            }
        }
    }
    use x509_parser::public_key::PublicKey;
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(k)) => {
            r.key_type = "RSA".into();
            r.key_bits = k.key_size() as u32;
        }
        Ok(PublicKey::EC(p)) => {
            r.key_type = "EC".into();
            r.key_bits = p.key_size() as u32;
        }
        Ok(PublicKey::DSA(_)) => r.key_type = "DSA".into(),
        Ok(PublicKey::GostR3410(_)) | Ok(PublicKey::GostR3410_2012(_)) => {
            r.key_type = "GOST".into()
        }
        _ => {
            let oid = cert.public_key().algorithm.algorithm.to_id_string();
            r.key_type = match oid.as_str() {
                "1.3.101.112" => {
                    r.key_bits = 256;
                    "Ed25519".into()
                }
                "1.3.101.113" => {
                    r.key_bits = 456;
                    "Ed448".into()
                }
                _ => oid,
            };
        }
    }
    let sig = cert.signature_algorithm.algorithm.to_id_string();
    r.signature_algorithm = match sig.as_str() {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        other => other,
    }
    .to_string();
    r
}

pub use crate::dates::rfc3339;

/// Whether a DER leaf is valid for `host` (or, for an address target, the address).
pub fn name_matches(leaf: &[u8], host: &str, ip: std::net::IpAddr) -> bool {
    let der = CertificateDer::from(leaf);
    let Ok(parsed) = rustls::server::ParsedCertificate::try_from(&der) else {
        return false;
    };
    let name =
        ServerName::try_from(host.to_string()).unwrap_or_else(|_| ServerName::IpAddress(ip.into()));
    rustls::client::verify_server_name(&parsed, &name).is_ok()
}
