//! Postfix defaults for the parameters hisf reads (Postfix 3.6 and later).
//! Source: postconf(5) for Postfix 3.6+; `smtpd_tls_protocols` and friends
//! changed from `!SSLv2, !SSLv3` to `>=TLSv1` in 3.6 — both permit TLS 1.0.

/// The default value of a parameter, or None for parameters hisf does not model.
pub fn default_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "smtpd_tls_security_level" | "smtp_tls_security_level" => "",
        "smtpd_use_tls" | "smtpd_enforce_tls" | "smtp_use_tls" | "smtp_enforce_tls" => "no",
        "smtpd_tls_protocols"
        | "smtpd_tls_mandatory_protocols"
        | "smtp_tls_protocols"
        | "smtp_tls_mandatory_protocols" => ">=TLSv1",
        "smtpd_tls_wrappermode" => "no",
        "smtpd_sasl_auth_enable" => "no",
        "smtpd_relay_restrictions" => {
            "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination"
        }
        "smtpd_recipient_restrictions" => "",
        _ => return None,
    })
}
