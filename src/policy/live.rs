//! What the live DNS rules (HISF-DNS-*) look at: facts gathered by the probe.

/// A DNS answer, or why there is none (SERVFAIL, timeout…): the rule then stays silent
/// and the probe reports the error.
pub type Lookup<T> = Result<T, String>;

/// A parsed MTA-STS policy (RFC 8461 §3.2).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MtaStsPolicy {
    /// `STSv1`.
    pub version: String,
    /// `enforce`, `testing` or `none`.
    pub mode: String,
    /// `mx` patterns.
    pub mx: Vec<String>,
    /// `max_age` in seconds.
    pub max_age: Option<u64>,
}

impl MtaStsPolicy {
    /// Parses the policy text; unknown keys are ignored, as RFC 8461 requires.
    pub fn parse(text: &str) -> Result<MtaStsPolicy, String> {
        let mut p = MtaStsPolicy {
            version: String::new(),
            mode: String::new(),
            mx: Vec::new(),
            max_age: None,
        };
        for line in text.lines().take(1000) {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v = v.trim().to_string();
            match k.trim() {
                "version" => p.version = v,
                "mode" => p.mode = v,
                "mx" => p.mx.push(v.to_ascii_lowercase()),
                "max_age" => p.max_age = v.parse().ok(),
                _ => {}
            }
        }
        if p.version != "STSv1" {
            return Err(format!(
                "the policy's version is `{}`, not `STSv1`",
                p.version
            ));
        }
        if !["enforce", "testing", "none"].contains(&p.mode.as_str()) {
            return Err(format!(
                "the policy's mode is `{}`, not enforce, testing or none",
                p.mode
            ));
        }
        Ok(p)
    }

    /// Whether `host` matches one of the `mx` patterns (a leading `*.` matches one label).
    pub fn covers(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.mx.iter().any(|p| match p.strip_prefix("*.") {
            Some(suffix) => host
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
            None => *p == host,
        })
    }
}

/// DNS facts of one mail domain.
#[derive(Debug, Clone)]
pub struct DomainFacts {
    /// The domain.
    pub domain: String,
    /// Its MX hosts.
    pub mx_hosts: Vec<String>,
    /// TXT at `_mta-sts.<domain>`.
    pub mta_sts_txt: Lookup<Vec<String>>,
    /// The policy from `https://mta-sts.<domain>/.well-known/mta-sts.txt`, when the record exists.
    pub mta_sts_policy: Option<Lookup<MtaStsPolicy>>,
    /// TXT at `_smtp._tls.<domain>`.
    pub tlsrpt_txt: Lookup<Vec<String>>,
    /// TXT at the domain.
    pub txt: Lookup<Vec<String>>,
    /// TXT at `_dmarc.<domain>`.
    pub dmarc_txt: Lookup<Vec<String>>,
    /// Whether `_25._tcp.<mx>` has TLSA records, per MX host.
    pub tlsa: Vec<(String, Lookup<bool>)>,
}

/// A finding of a live DNS rule.
#[derive(Debug, Clone)]
pub struct LiveFinding {
    /// The rule.
    pub rule: &'static super::RuleMeta,
    /// What was found.
    pub message: String,
    /// What to change.
    pub help: String,
}

/// Records whose text starts with `prefix` (case-insensitive), as RFCs 7208, 7489, 8460, 8461 select them.
pub fn records<'a>(txt: &'a [String], prefix: &str) -> Vec<&'a str> {
    txt.iter()
        .map(|s| s.trim())
        .filter(|s| s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .collect()
}

/// The value of `tag` in a `k=v; k=v` record.
pub fn tag<'a>(record: &'a str, tag: &str) -> Option<&'a str> {
    record.split(';').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        k.trim().eq_ignore_ascii_case(tag).then(|| v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_parse_and_cover() {
        let p = MtaStsPolicy::parse("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.nz\r\nmx: *.mail.example.nz\r\nmax_age: 604800\r\n").unwrap();
        assert_eq!(p.mode, "enforce");
        assert!(p.covers("mx1.example.nz") && p.covers("a.mail.example.nz"));
        assert!(
            !p.covers("a.b.mail.example.nz")
                && !p.covers("mail.example.nz")
                && !p.covers("mx2.example.nz")
        );
        assert!(MtaStsPolicy::parse("version: STSv2\nmode: enforce").is_err());
        assert_eq!(
            tag("v=DMARC1; p=reject; rua=mailto:x@y", "p"),
            Some("reject")
        );
    }
}
