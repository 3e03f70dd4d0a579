//! What `hisf check` is asked to check.

use std::fmt;
use std::net::IpAddr;

/// How TLS starts on a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Plain SMTP, then STARTTLS (ports 25 and 587).
    Starttls,
    /// TLS from the first byte (port 465).
    ImplicitTls,
}

/// One target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A mail domain: every MX host, every address, port 25.
    Domain(String),
    /// One host (name or IP) and port.
    Host {
        /// Name or address as given.
        host: String,
        /// Port.
        port: u16,
        /// STARTTLS or implicit TLS.
        mode: Mode,
    },
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Domain(d) => f.write_str(d),
            Target::Host { host, port, mode } => {
                let scheme = match mode {
                    Mode::Starttls => "smtp",
                    Mode::ImplicitTls => "smtps",
                };
                if host.contains(':') {
                    write!(f, "{scheme}://[{host}]:{port}")
                } else {
                    write!(f, "{scheme}://{host}:{port}")
                }
            }
        }
    }
}

/// Parses `example.health.nz`, `smtp://HOST[:PORT]` or `smtps://HOST[:PORT]`.
pub fn parse(s: &str) -> Result<Target, String> {
    let s = s.trim();
    let (scheme, rest) = match s.split_once("://") {
        Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), rest),
        None => (None, s),
    };
    let Some(scheme) = scheme else {
        let d = s.trim_end_matches('.').to_ascii_lowercase();
        validate_name(&d).map_err(|e| format!("`{s}` is not a domain: {e}"))?;
        return Ok(Target::Domain(d));
    };
    let (mode, default_port) = match scheme.as_str() {
        "smtp" => (Mode::Starttls, 25),
        "smtps" => (Mode::ImplicitTls, 465),
        other => {
            return Err(format!(
                "`{s}`: unknown scheme `{other}://` (use smtp:// for STARTTLS or smtps:// for implicit TLS)"
            ))
        }
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        let (h, after) = inner
            .split_once(']')
            .ok_or_else(|| format!("`{s}`: missing `]` after an IPv6 address"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(format!("`{s}`: unexpected `{after}` after the address")),
        };
        (h.to_string(), port)
    } else {
        match rest.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (rest.to_string(), None),
        }
    };
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| format!("`{s}`: port `{p}` is not a number from 1 to 65535"))?,
        None => default_port,
    };
    if host.parse::<IpAddr>().is_err() {
        validate_name(&host).map_err(|e| format!("`{s}`: {e}"))?;
    }
    Ok(Target::Host {
        host: host.trim_end_matches('.').to_ascii_lowercase(),
        port,
        mode,
    })
}

fn validate_name(d: &str) -> Result<(), String> {
    if d.is_empty() || d.len() > 253 {
        return Err("a name must have 1 to 253 characters".into());
    }
    for label in d.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!("label `{label}` must have 1 to 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            || label.starts_with('-')
            || label.ends_with('-')
        {
            return Err(format!(
                "label `{label}` has characters a host name cannot have"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse("Example.Health.NZ.").unwrap(),
            Target::Domain("example.health.nz".into())
        );
        assert_eq!(
            parse("smtp://mx1.example.nz").unwrap(),
            Target::Host {
                host: "mx1.example.nz".into(),
                port: 25,
                mode: Mode::Starttls
            }
        );
        assert_eq!(
            parse("smtp://mx1.example.nz:587").unwrap(),
            Target::Host {
                host: "mx1.example.nz".into(),
                port: 587,
                mode: Mode::Starttls
            }
        );
        assert_eq!(
            parse("smtps://[::1]").unwrap(),
            Target::Host {
                host: "::1".into(),
                port: 465,
                mode: Mode::ImplicitTls
            }
        );
        assert!(parse("http://x.nz").unwrap_err().contains("unknown scheme"));
        assert!(parse("smtp://x.nz:99999").unwrap_err().contains("port"));
        assert!(parse("bad domain").is_err());
    }
}
