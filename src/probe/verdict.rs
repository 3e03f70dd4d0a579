//! From probes to findings and verdicts: the live rules HISF-MAIL-001…010.

use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;

use super::target::{Mode, Target};
use super::tls::CertReport;
use super::{
    dns::MailHosts, AddressProbe, LegacyResult, LegacyState, ProbeError, Prober, Stage, TlsInfo,
};
use crate::policy::live::DomainFacts;
use crate::policy::{registry, Profile, Severity, POLICY_VERSION};

/// A verdict. Aggregation takes the worst: non_compliant > inconclusive > compliant > not_applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The domain accepts no mail (null MX).
    NotApplicable,
    /// Meets every live rule at error severity.
    Compliant,
    /// Could not be established (throttled, timeouts, refused target, DNS failure).
    Inconclusive,
    /// Fails at least one live rule at error severity.
    NonCompliant,
}

impl Verdict {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NotApplicable => "not_applicable",
            Verdict::Compliant => "compliant",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NonCompliant => "non_compliant",
        }
    }
}

/// One finding of a live check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckFinding {
    /// Rule ID.
    pub rule: &'static str,
    /// Severity under the run's profile.
    pub severity: Severity,
    /// What was observed.
    pub message: String,
    /// What to change.
    pub help: String,
}

/// The result for one (host, address, port).
#[derive(Debug, Clone, Serialize)]
pub struct HostResult {
    /// Host name (or the address, for an address target).
    pub host: String,
    /// MX preference, for MX hosts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preference: Option<u16>,
    /// Address probed; null when the name did not resolve.
    pub ip: Option<IpAddr>,
    /// Port.
    pub port: u16,
    /// STARTTLS or implicit TLS.
    pub mode: Mode,
    /// Verdict.
    pub verdict: Verdict,
    /// STARTTLS in the EHLO reply; null when EHLO was not reached (or implicit TLS).
    pub starttls_offered: Option<bool>,
    /// First line of the greeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banner: Option<String>,
    /// Best TLS reached.
    pub tls: Option<TlsInfo>,
    /// TLS 1.0 / 1.1 acceptance.
    pub legacy: LegacyResult,
    /// The certificate.
    pub certificate: Option<CertReport>,
    /// Findings.
    pub findings: Vec<CheckFinding>,
    /// Problems, by stage.
    pub errors: Vec<ProbeError>,
    /// TCP connections this probe opened (0 when reused).
    pub connections: u32,
    /// The result of the same address and port earlier in this run was reused.
    pub reused: bool,
    /// Milliseconds the probe took.
    pub elapsed_ms: u64,
}

/// The result for one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    /// The target as given (normalised).
    pub target: String,
    /// Worst of the hosts (or not_applicable / inconclusive from DNS).
    pub verdict: Verdict,
    /// `mx`, `implicit_mx`, `null_mx` or `host`.
    pub mail_hosts: &'static str,
    /// One per (host, address).
    pub hosts: Vec<HostResult>,
    /// Domain-level findings (HISF-MAIL-010).
    pub findings: Vec<CheckFinding>,
    /// Domain-level problems (DNS).
    pub errors: Vec<ProbeError>,
}

/// Tool name and version.
#[derive(Debug, Serialize)]
pub struct ToolInfo {
    /// `hisf`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

impl Default for ToolInfo {
    fn default() -> Self {
        ToolInfo {
            name: "hisf",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// Profile and policy version.
#[derive(Debug, Serialize)]
pub struct PolicyInfo {
    /// Profile name.
    pub profile: &'static str,
    /// Catalogue version.
    pub version: &'static str,
}

impl PolicyInfo {
    /// For a profile.
    pub fn new(p: Profile) -> Self {
        PolicyInfo {
            profile: p.as_str(),
            version: POLICY_VERSION,
        }
    }
}

/// Resolves and probes one target.
pub async fn check_target(prober: &Arc<Prober>, target: &Target) -> TargetResult {
    let mut result = TargetResult {
        target: target.to_string(),
        verdict: Verdict::Inconclusive,
        mail_hosts: "host",
        hosts: Vec::new(),
        findings: Vec::new(),
        errors: Vec::new(),
    };
    let (hosts, port, mode): (Vec<(Option<u16>, String)>, u16, Mode) = match target {
        Target::Host { host, port, mode } => (vec![(None, host.clone())], *port, *mode),
        Target::Domain(d) => match prober.dns().mail_hosts(d).await {
            Ok(MailHosts::NullMx) => {
                result.mail_hosts = "null_mx";
                result.verdict = Verdict::NotApplicable;
                return result;
            }
            Ok(MailHosts::Implicit(h)) => {
                result.mail_hosts = "implicit_mx";
                (vec![(None, h)], 25, Mode::Starttls)
            }
            Ok(MailHosts::Mx(list)) => {
                result.mail_hosts = "mx";
                (
                    list.into_iter().map(|(p, h)| (Some(p), h)).collect(),
                    25,
                    Mode::Starttls,
                )
            }
            Err(e) => {
                result.errors.push(e);
                return result;
            }
        },
    };
    let profile = prober.options().profile;
    let hosts_list: Vec<String> = hosts.iter().map(|(_, h)| h.clone()).collect();
    let jobs = hosts.into_iter().map(|(pref, host)| {
        let prober = prober.clone();
        async move {
            let addrs = prober.dns().addresses(&host).await;
            match addrs {
                Err(e) => vec![dns_failure(&host, pref, port, mode, e)],
                Ok(ips) => {
                    let per_ip = ips.into_iter().map(|ip| {
                        let prober = prober.clone();
                        let host = host.clone();
                        async move {
                            let (probe, reused) = prober.address(ip, port, mode, &host).await;
                            host_result(&host, pref, ip, port, mode, &probe, reused, profile)
                        }
                    });
                    futures_util::future::join_all(per_ip).await
                }
            }
        }
    });
    let facts = async {
        match (target, result.mail_hosts) {
            (Target::Domain(d), "mx" | "implicit_mx") => {
                Some(prober.domain_facts(d, &hosts_list).await)
            }
            _ => None,
        }
    };
    let (hosts, facts) = tokio::join!(futures_util::future::join_all(jobs), facts);
    result.hosts = hosts.into_iter().flatten().collect();
    if let Some((facts, errors)) = facts {
        result.errors.extend(errors);
        apply_dns_rules(&mut result, &facts, profile);
    }
    result.verdict = result
        .hosts
        .iter()
        .map(|h| h.verdict)
        .max()
        .unwrap_or(Verdict::Inconclusive);
    if let Some(f) = same_posture(&result.hosts, profile) {
        result.findings.insert(0, f);
    }
    if result
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error)
    {
        result.verdict = result.verdict.max(Verdict::NonCompliant);
    }
    result
}

/// HISF-DNS-* on the domain's records; and, under an enforcing MTA-STS
/// policy, certificate faults of covered MX hosts become errors (senders
/// that honour the policy refuse to deliver to them).
fn apply_dns_rules(result: &mut TargetResult, facts: &DomainFacts, profile: Profile) {
    let mut out = Vec::new();
    for rule in registry::RULES {
        rule.domain(facts, &mut out);
    }
    for f in out {
        result.findings.push(CheckFinding {
            rule: f.rule.id,
            severity: f.rule.severity.get(profile),
            message: f.message,
            help: f.help,
        });
    }
    if let Some(Ok(policy)) = &facts.mta_sts_policy {
        if policy.mode == "enforce" {
            for h in &mut result.hosts {
                if !policy.covers(&h.host) {
                    continue;
                }
                for f in &mut h.findings {
                    if f.rule == "HISF-MAIL-008" && f.severity != Severity::Error {
                        f.severity = Severity::Error;
                        f.message.push_str(" — and the domain's MTA-STS policy is `enforce`, so senders that honour it refuse this host");
                        h.verdict = Verdict::NonCompliant;
                    }
                }
            }
        }
    }
}

fn dns_failure(host: &str, pref: Option<u16>, port: u16, mode: Mode, e: ProbeError) -> HostResult {
    HostResult {
        host: host.to_string(),
        preference: pref,
        ip: None,
        port,
        mode,
        verdict: Verdict::Inconclusive,
        starttls_offered: None,
        banner: None,
        tls: None,
        legacy: LegacyResult::default(),
        certificate: None,
        findings: Vec::new(),
        errors: vec![e],
        connections: 0,
        reused: false,
        elapsed_ms: 0,
    }
}

fn finding(rule: &'static str, profile: Profile, message: String, help: &str) -> CheckFinding {
    let severity = registry::find(rule).map_or(Severity::Error, |m| m.severity.get(profile));
    CheckFinding {
        rule,
        severity,
        message,
        help: help.to_string(),
    }
}

/// Findings and verdict for one host name on a probed address.
#[allow(clippy::too_many_arguments)]
pub fn host_result(
    host: &str,
    pref: Option<u16>,
    ip: IpAddr,
    port: u16,
    mode: Mode,
    p: &AddressProbe,
    reused: bool,
    profile: Profile,
) -> HostResult {
    let mut findings = Vec::new();
    // The certificate was recorded with the first name probed on this
    // address; names are matched again for this host.
    let certificate = p.certificate.clone().map(|mut c| {
        c.name_matches = super::tls::name_matches(&c.leaf, host, ip);
        c
    });
    if mode == Mode::Starttls && p.starttls_offered == Some(false) {
        findings.push(finding(
            "HISF-MAIL-001",
            profile,
            format!("{host} ({ip}) does not offer STARTTLS: mail to it travels in clear text"),
            "enable STARTTLS with a certificate (Postfix: smtpd_tls_security_level = may, smtpd_tls_chain_files = …)",
        ));
    }
    if let Some(t) = &p.tls {
        if t.version == "TLSv1.2" {
            findings.push(finding(
                "HISF-MAIL-006",
                profile,
                format!(
                    "best version negotiated is TLS 1.2 ({}); TLS 1.3 is not offered",
                    t.cipher
                ),
                "enable TLS 1.3 (Postfix with OpenSSL 1.1.1+: smtpd_tls_protocols = >=TLSv1.2)",
            ));
        }
        if t.via == "raw" {
            // rustls could not negotiate; the raw ServerHello shows the suite chosen.
            if super::legacy::suite_is_forbidden(&t.cipher) {
                findings.push(finding("HISF-MAIL-005", profile, format!("TLS 1.2 is offered only with {}", t.cipher), "remove NULL, EXPORT, RC4, 3DES and anonymous suites (Postfix: smtpd_tls_mandatory_ciphers = high, tls_high_cipherlist default)"));
            }
            if super::legacy::suite_is_weak(&t.cipher) {
                findings.push(finding(
                    "HISF-MAIL-007",
                    profile,
                    format!("TLS 1.2 works only with {}, which lacks forward secrecy or AEAD", t.cipher),
                    "offer ECDHE with AES-GCM or ChaCha20-Poly1305 (Postfix: smtpd_tls_ciphers = high; tls_high_cipherlist left at its default)",
                ));
            }
        }
    } else if p.tls12_refused {
        findings.push(finding(
            "HISF-MAIL-003",
            profile,
            format!("{host} ({ip}) offers STARTTLS but cannot negotiate TLS 1.2 or later"),
            "enable TLS 1.2 and 1.3 (Postfix: smtpd_tls_protocols = >=TLSv1.2)",
        ));
    }
    let mut old = Vec::new();
    if p.legacy.ssl3 == LegacyState::Accepted {
        old.push("SSL 3.0");
    }
    if p.legacy.tls1_0 == LegacyState::Accepted {
        old.push("TLS 1.0");
    }
    if p.legacy.tls1_1 == LegacyState::Accepted {
        old.push("TLS 1.1");
    }
    if !old.is_empty() {
        findings.push(finding(
            "HISF-MAIL-004",
            profile,
            format!("{host} ({ip}) still accepts {}", old.join(" and ")),
            "refuse TLS below 1.2 (Postfix: smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2)",
        ));
        if let Some(c) = p
            .legacy
            .cipher
            .as_deref()
            .filter(|c| super::legacy::suite_is_forbidden(c))
        {
            findings.push(finding(
                "HISF-MAIL-005",
                profile,
                format!("a legacy handshake chose {c}"),
                "remove NULL, EXPORT, RC4, 3DES and anonymous suites",
            ));
        }
    }
    if let Some(c) = &certificate {
        let mut faults = Vec::new();
        if !c.trusted {
            faults.push(format!(
                "not trusted ({})",
                c.trust_error.as_deref().unwrap_or("unknown issuer")
            ));
        }
        if !c.name_matches {
            faults.push(format!(
                "not valid for {host} (names: {})",
                if c.dns_names.is_empty() {
                    c.subject.clone()
                } else {
                    c.dns_names.join(", ")
                }
            ));
        }
        if c.expired {
            faults.push(format!("expired on {}", c.not_after));
        }
        if c.not_yet_valid {
            faults.push(format!("not valid before {}", c.not_before));
        }
        if !faults.is_empty() {
            findings.push(finding(
                "HISF-MAIL-008",
                profile,
                format!("the certificate is {}", faults.join("; ")),
                "install a certificate from a public CA that names the MX host and renew it before it expires",
            ));
        }
        let weak_key = (c.key_type == "RSA" && c.key_bits < 2048)
            || (c.key_type == "EC" && c.key_bits < 256)
            || c.key_type == "DSA";
        let weak_sig = c.signature_algorithm.to_ascii_lowercase().contains("sha1")
            || c.signature_algorithm.to_ascii_lowercase().contains("md5");
        if weak_key || weak_sig {
            let mut what = Vec::new();
            if weak_key {
                what.push(format!("a {}-bit {} key", c.key_bits, c.key_type));
            }
            if weak_sig {
                what.push(format!("a {} signature", c.signature_algorithm));
            }
            findings.push(finding(
                "HISF-MAIL-009",
                profile,
                format!("the certificate has {}", what.join(" and ")),
                "reissue with RSA ≥ 2048 or EC ≥ 256 bits, signed with SHA-256 or better",
            ));
        }
    }
    let verdict = if findings.iter().any(|f| f.severity == Severity::Error) {
        Verdict::NonCompliant
    } else if p.refused.is_some()
        || (mode == Mode::Starttls && p.starttls_offered.is_none())
        || (p.tls.is_none() && !p.tls12_refused && p.starttls_offered != Some(false))
        || (p.tls.is_some()
            && [p.legacy.tls1_0, p.legacy.tls1_1]
                .iter()
                .any(|s| matches!(s, LegacyState::Inconclusive | LegacyState::NotTested)))
    {
        Verdict::Inconclusive
    } else {
        Verdict::Compliant
    };
    HostResult {
        host: host.to_string(),
        preference: pref,
        ip: Some(ip),
        port,
        mode,
        verdict,
        starttls_offered: if mode == Mode::Starttls {
            p.starttls_offered
        } else {
            None
        },
        banner: p.banner.clone(),
        tls: p.tls.clone(),
        legacy: p.legacy.clone(),
        certificate,
        findings,
        errors: {
            let mut e = p.errors.clone();
            if let Some(a) = &p.version_anomaly {
                e.push(ProbeError::new(Stage::Legacy, "higher_version", a.clone()));
            }
            e
        },
        connections: if reused { 0 } else { p.connections },
        reused,
        elapsed_ms: if reused { 0 } else { p.elapsed_ms },
    }
}

/// HISF-MAIL-010: every MX host meets the same posture as the best one.
fn same_posture(hosts: &[HostResult], profile: Profile) -> Option<CheckFinding> {
    let mut names: Vec<&str> = hosts.iter().map(|h| h.host.as_str()).collect();
    names.dedup();
    if names.len() < 2 {
        return None;
    }
    let good = hosts.iter().any(|h| h.verdict == Verdict::Compliant);
    let weak: Vec<String> = hosts
        .iter()
        .filter(|h| h.verdict == Verdict::NonCompliant)
        .map(|h| {
            format!(
                "{} ({})",
                h.host,
                h.ip.map(|i| i.to_string()).unwrap_or_default()
            )
        })
        .collect();
    if !good || weak.is_empty() {
        return None;
    }
    Some(finding(
        "HISF-MAIL-010",
        profile,
        format!(
            "some MX hosts are compliant but {} is not: senders fall back to the weakest MX",
            weak.join(", ")
        ),
        "give every MX host, backups included, the same TLS settings",
    ))
}
