//! DNS for the probe (hickory-resolver): MX in preference order, null MX
//! (RFC 7505), implicit MX (RFC 5321 §5.1), addresses, TXT.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::NetError;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::TokioResolver;

use super::{ProbeError, Stage};

/// A resolver: the system's, or one given server.
#[derive(Clone)]
pub struct Dns {
    resolver: TokioResolver,
}

/// Where a domain's mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailHosts {
    /// MX hosts, lowest preference first: (preference, host).
    Mx(Vec<(u16, String)>),
    /// `MX 0 .`: the domain accepts no mail.
    NullMx,
    /// No MX: the domain itself is the mail host (implicit MX).
    Implicit(String),
}

impl Dns {
    /// The system resolver, or `server` (IP:PORT) when given. A resolver
    /// lives for one pass of a run (a `Prober`), so its cache (which keeps
    /// the records' TTLs) only spares repeated lookups within the pass, e.g.
    /// a provider's MX host shared by many domains; the next run or retry
    /// pass asks again.
    pub fn new(server: Option<SocketAddr>, timeout: Duration) -> Result<Dns, String> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match server {
            Some(addr) => {
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                let ns = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
                TokioResolver::builder_with_config(
                    ResolverConfig::from_parts(None, vec![], vec![ns]),
                    provider,
                )
            }
            None => TokioResolver::builder(provider).map_err(|e| {
                format!("cannot read the system's DNS configuration: {e}; pass --resolver IP:PORT")
            })?,
        };
        let opts: &mut ResolverOpts = builder.options_mut();
        opts.timeout = timeout;
        opts.attempts = 2;
        opts.ndots = 0;
        if server.is_some() {
            opts.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
        }
        let resolver = builder
            .build()
            .map_err(|e| format!("cannot build the resolver: {e}"))?;
        Ok(Dns { resolver })
    }

    /// MX hosts of a domain.
    pub async fn mail_hosts(&self, domain: &str) -> Result<MailHosts, ProbeError> {
        let fqdn = format!("{domain}.");
        match self.resolver.mx_lookup(fqdn.as_str()).await {
            Ok(lookup) => {
                let mut mx: Vec<(u16, String)> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::MX(m) => Some((
                            m.preference,
                            m.exchange
                                .to_ascii()
                                .trim_end_matches('.')
                                .to_ascii_lowercase(),
                        )),
                        _ => None,
                    })
                    .collect();
                mx.sort();
                mx.dedup();
                if mx.len() == 1 && mx[0].1.is_empty() {
                    return Ok(MailHosts::NullMx);
                }
                mx.retain(|(_, h)| !h.is_empty());
                if mx.is_empty() {
                    return Ok(MailHosts::Implicit(domain.to_string()));
                }
                Ok(MailHosts::Mx(mx))
            }
            Err(e) if e.is_nx_domain() => Err(ProbeError::new(
                Stage::Dns,
                "nxdomain",
                format!("{domain} does not exist (NXDOMAIN)"),
            )),
            Err(e) if e.is_no_records_found() => Ok(MailHosts::Implicit(domain.to_string())),
            Err(e) => Err(dns_error(domain, "MX", &e)),
        }
    }

    /// A and AAAA addresses of a host.
    pub async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, ProbeError> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let fqdn = format!("{host}.");
        match self.resolver.lookup_ip(fqdn.as_str()).await {
            Ok(l) => {
                let mut v: Vec<IpAddr> = l.iter().collect();
                v.sort();
                v.dedup();
                Ok(v)
            }
            Err(e) if e.is_nx_domain() => Err(ProbeError::new(
                Stage::Dns,
                "nxdomain",
                format!("{host} does not exist (NXDOMAIN)"),
            )),
            Err(e) if e.is_no_records_found() => Err(ProbeError::new(
                Stage::Dns,
                "no_address",
                format!("{host} has no A or AAAA record"),
            )),
            Err(e) => Err(dns_error(host, "A/AAAA", &e)),
        }
    }

    /// TXT strings at a name (each record's strings joined), or empty.
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, ProbeError> {
        let fqdn = format!("{name}.");
        match self.resolver.txt_lookup(fqdn.as_str()).await {
            Ok(l) => Ok(l
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::TXT(t) => Some(
                        t.txt_data
                            .iter()
                            .map(|s| String::from_utf8_lossy(s).into_owned())
                            .collect::<String>(),
                    ),
                    _ => None,
                })
                .collect()),
            Err(e) if e.is_no_records_found() => Ok(Vec::new()),
            Err(e) => Err(dns_error(name, "TXT", &e)),
        }
    }
}

impl Dns {
    /// Whether `name` has TLSA records.
    pub async fn has_tlsa(&self, name: &str) -> Result<bool, ProbeError> {
        let fqdn = format!("{name}.");
        match self.resolver.tlsa_lookup(fqdn.as_str()).await {
            Ok(l) => Ok(l.answers().iter().any(|r| matches!(r.data, RData::TLSA(_)))),
            Err(e) if e.is_no_records_found() => Ok(false),
            Err(e) => Err(dns_error(name, "TLSA", &e)),
        }
    }
}

fn dns_error(name: &str, kind: &str, e: &NetError) -> ProbeError {
    use hickory_resolver::net::DnsError;
    match e {
        NetError::Timeout => ProbeError::new(
            Stage::Dns,
            "timeout",
            format!("{kind} lookup of {name} timed out"),
        ),
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => ProbeError::new(
            Stage::Dns,
            "servfail",
            format!("{kind} lookup of {name}: SERVFAIL"),
        ),
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => ProbeError::new(
            Stage::Dns,
            "refused",
            format!("{kind} lookup of {name}: REFUSED by the resolver"),
        ),
        other => {
            let text = other.to_string();
            let kind_name = if text.contains("timed out") {
                "timeout"
            } else if text.contains("SERVFAIL") || text.contains("ServFail") {
                "servfail"
            } else {
                "error"
            };
            ProbeError::new(
                Stage::Dns,
                kind_name,
                format!("{kind} lookup of {name}: {text}"),
            )
        }
    }
}
