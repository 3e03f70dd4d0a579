//! Cipher-suite classification shared by HISF-MAIL-005 and HISF-MAIL-007.
//!
//! Accepts IANA names (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`) and OpenSSL
//! names (`ECDHE-RSA-AES128-GCM-SHA256`); classes follow NCSC-NL's TLS guidelines.

/// How a suite rates.
#[derive(Debug, PartialEq, Eq)]
pub enum CipherClass {
    /// Forward-secret AEAD (or a TLS 1.3 suite).
    Good,
    /// Works but should be phased out: the reason.
    PhaseOut(&'static str),
    /// Broken: the reason.
    Insufficient(&'static str),
}

/// Rates one suite name.
pub fn classify(name: &str) -> CipherClass {
    let n = name.to_ascii_uppercase().replace('-', "_");
    let has = |s: &str| n.split('_').any(|t| t == s);
    if has("NULL") || has("ENULL") {
        return CipherClass::Insufficient("no encryption");
    }
    if has("EXPORT") || has("EXP") || has("EXPORT40") || has("EXPORT1024") {
        return CipherClass::Insufficient("export-grade keys");
    }
    if has("RC4") {
        return CipherClass::Insufficient("RC4 is broken");
    }
    if has("3DES") || has("CBC3") || has("DES") || has("IDEA") {
        return CipherClass::Insufficient("64-bit block cipher (Sweet32)");
    }
    if has("ANON") || n.starts_with("ADH") || n.starts_with("AECDH") || has("ANULL") {
        return CipherClass::Insufficient("no server authentication");
    }
    // TLS 1.3 suites are all forward-secret AEAD.
    if n.starts_with("TLS_AES_") || n.starts_with("TLS_CHACHA20_") || n.starts_with("TLS13_") {
        return CipherClass::Good;
    }
    let fs = n.contains("ECDHE") || n.contains("DHE") || n.starts_with("EDH");
    let aead = n.contains("GCM") || n.contains("CHACHA20") || n.contains("CCM");
    match (fs, aead) {
        (true, true) => CipherClass::Good,
        (false, _) => CipherClass::PhaseOut("static RSA key exchange: no forward secrecy"),
        (true, false) => CipherClass::PhaseOut("CBC mode, not AEAD"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(
            classify("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            CipherClass::Good
        );
        assert_eq!(classify("ECDHE-ECDSA-CHACHA20-POLY1305"), CipherClass::Good);
        assert_eq!(classify("TLS_AES_256_GCM_SHA384"), CipherClass::Good);
        assert!(matches!(classify("AES128-SHA"), CipherClass::PhaseOut(_)));
        assert_eq!(
            classify("EDH-RSA-AES128-SHA"),
            CipherClass::PhaseOut("CBC mode, not AEAD")
        );
        assert!(matches!(
            classify("IDEA-CBC-SHA"),
            CipherClass::Insufficient(_)
        ));
        assert!(matches!(
            classify("TLS_RSA_WITH_AES_128_GCM_SHA256"),
            CipherClass::PhaseOut(_)
        ));
        assert!(matches!(
            classify("ECDHE-RSA-AES128-SHA256"),
            CipherClass::PhaseOut(_)
        ));
        assert!(matches!(
            classify("TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
            CipherClass::Insufficient(_)
        ));
        assert!(matches!(
            classify("DES-CBC3-SHA"),
            CipherClass::Insufficient(_)
        ));
        assert!(matches!(classify("RC4-MD5"), CipherClass::Insufficient(_)));
        assert!(matches!(
            classify("ADH-AES256-GCM-SHA384"),
            CipherClass::Insufficient(_)
        ));
        assert!(matches!(
            classify("TLS_DH_anon_WITH_AES_128_CBC_SHA"),
            CipherClass::Insufficient(_)
        ));
        assert!(matches!(
            classify("EXP-RC4-MD5"),
            CipherClass::Insufficient(_)
        ));
        assert!(matches!(
            classify("TLS_RSA_WITH_NULL_SHA256"),
            CipherClass::Insufficient(_)
        ));
    }
}
