//! The live probe behind `hisf check`: DNS, SMTP, STARTTLS, the modern
//! handshake and the raw legacy ClientHello, within a budget of three
//! connections per (address, port), one at a time per address.

pub mod dns;
pub mod guard;
pub mod legacy;
pub mod mtasts;
pub mod smtp;
pub mod target;
pub mod tls;
pub mod verdict;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, ServerName};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{OnceCell, Semaphore};

use crate::policy::Profile;
use legacy::{Answer, WireVersion};
use smtp::Smtp;
pub use target::{Mode, Target};
use tls::CertReport;
pub use verdict::Verdict;

/// Where in the probe something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Resolving MX, A/AAAA or TXT.
    Dns,
    /// Opening the TCP connection (or refusing to).
    Connect,
    /// Waiting for the `220` greeting.
    Banner,
    /// EHLO.
    Ehlo,
    /// STARTTLS.
    Starttls,
    /// The modern (rustls) handshake.
    Tls,
    /// The raw legacy ClientHello.
    Legacy,
}

impl Stage {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Dns => "dns",
            Stage::Connect => "connect",
            Stage::Banner => "banner",
            Stage::Ehlo => "ehlo",
            Stage::Starttls => "starttls",
            Stage::Tls => "tls",
            Stage::Legacy => "legacy",
        }
    }
}

/// A named problem at a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeError {
    /// Stage.
    pub stage: Stage,
    /// Stable kind, e.g. `timeout`, `throttled`, `nxdomain`.
    pub kind: String,
    /// What happened, for people.
    pub detail: String,
}

impl ProbeError {
    /// An error.
    pub fn new(stage: Stage, kind: &str, detail: String) -> Self {
        ProbeError {
            stage,
            kind: kind.to_string(),
            detail,
        }
    }
}

/// Whether a legacy version was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LegacyState {
    /// The server answered with a ServerHello for this version.
    Accepted,
    /// The server refused (alert, close, or chose another version).
    Rejected,
    /// No answer in time, or the dialogue failed before the hello.
    Inconclusive,
    /// Not tried (no TLS, or the connection budget was spent).
    #[default]
    NotTested,
}

impl LegacyState {
    /// For serde: omit untested optional states.
    pub fn is_not_tested(&self) -> bool {
        *self == LegacyState::NotTested
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LegacyState::Accepted => "accepted",
            LegacyState::Rejected => "rejected",
            LegacyState::Inconclusive => "inconclusive",
            LegacyState::NotTested => "not_tested",
        }
    }
}

/// TLS 1.0 and 1.1 acceptance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LegacyResult {
    /// SSL 3.0: seen only when a server answers a TLS 1.1 hello with it.
    #[serde(skip_serializing_if = "LegacyState::is_not_tested")]
    pub ssl3: LegacyState,
    /// TLS 1.0.
    pub tls1_0: LegacyState,
    /// TLS 1.1.
    pub tls1_1: LegacyState,
    /// Suite the server chose for a legacy version, when it accepted one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher: Option<String>,
}

/// The best handshake reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsInfo {
    /// `TLSv1.3` or `TLSv1.2`.
    pub version: String,
    /// IANA suite name.
    pub cipher: String,
    /// Key-exchange group, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `rustls` (full handshake) or `raw` (ServerHello only: a TLS 1.2 suite rustls does not implement).
    pub via: &'static str,
}

/// Everything learnt about one (address, port): shared by every host name on it.
#[derive(Debug, Clone, Default)]
pub struct AddressProbe {
    /// `None` until the EHLO reply was read.
    pub starttls_offered: Option<bool>,
    /// First line of the greeting.
    pub banner: Option<String>,
    /// EHLO keywords.
    pub capabilities: Vec<String>,
    /// The best handshake.
    pub tls: Option<TlsInfo>,
    /// Legacy acceptance.
    pub legacy: LegacyResult,
    /// The certificate, as seen with the first name probed.
    pub certificate: Option<CertReport>,
    /// Problems.
    pub errors: Vec<ProbeError>,
    /// The server sent bytes after `220 Ready to start TLS`, before TLS.
    pub bytes_after_starttls: bool,
    /// The modern handshake failed and a raw TLS 1.2 ClientHello with every
    /// legacy suite was answered without a TLS 1.2 ServerHello: no TLS 1.2.
    pub tls12_refused: bool,
    /// A legacy ServerHello named a higher version than was offered.
    pub version_anomaly: Option<String>,
    /// TCP connections opened.
    pub connections: u32,
    /// Not probed because the address or port is not allowed.
    pub refused: Option<String>,
    /// Wall time of the probe.
    pub elapsed_ms: u64,
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// DNS server to use instead of the system's.
    pub resolver: Option<SocketAddr>,
    /// EHLO name.
    pub ehlo_name: String,
    /// Timeout of each step (connect, each reply, handshake).
    pub step_timeout: Duration,
    /// Deadline for everything about one address.
    pub host_deadline: Duration,
    /// Allow loopback/private addresses (tests; never in a deployed service).
    pub allow_private: bool,
    /// Extra trust anchors.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Addresses probed at once.
    pub concurrency: usize,
    /// Profile whose severities apply.
    pub profile: Profile,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            resolver: None,
            ehlo_name: "hisf.invalid".into(),
            step_timeout: Duration::from_secs(10),
            host_deadline: Duration::from_secs(60),
            allow_private: false,
            extra_roots: Vec::new(),
            concurrency: 16,
            profile: Profile::NzHealth,
        }
    }
}

type Slot = Arc<OnceCell<Arc<AddressProbe>>>;

/// Runs probes with the connection budget and caches.
pub struct Prober {
    opts: CheckOptions,
    dns: dns::Dns,
    roots: Arc<rustls::RootCertStore>,
    provider: Arc<rustls::crypto::CryptoProvider>,
    cache: Mutex<HashMap<(IpAddr, u16, Mode), Slot>>,
    per_ip: Mutex<HashMap<IpAddr, Arc<Semaphore>>>,
    global: Semaphore,
}

impl Prober {
    /// A prober for one run.
    pub fn new(opts: CheckOptions) -> Result<Prober, String> {
        let dns = dns::Dns::new(opts.resolver, opts.step_timeout)?;
        let roots = tls::roots(&opts.extra_roots)?;
        let global = Semaphore::new(opts.concurrency.max(1));
        Ok(Prober {
            dns,
            roots,
            provider: tls::provider(),
            cache: Mutex::new(HashMap::new()),
            per_ip: Mutex::new(HashMap::new()),
            global,
            opts,
        })
    }

    /// The options.
    pub fn options(&self) -> &CheckOptions {
        &self.opts
    }

    /// The resolver.
    pub fn dns(&self) -> &dns::Dns {
        &self.dns
    }

    /// The probe of (ip, port, mode), run once per run and shared.
    /// Returns the probe and whether it was reused from an earlier target.
    pub async fn address(
        &self,
        ip: IpAddr,
        port: u16,
        mode: Mode,
        name: &str,
    ) -> (Arc<AddressProbe>, bool) {
        let slot = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.entry((ip, port, mode)).or_default().clone()
        };
        let mut ran = false;
        let probe = slot
            .get_or_init(|| async {
                ran = true;
                Arc::new(self.run_address(ip, port, mode, name).await)
            })
            .await
            .clone();
        (probe, !ran)
    }

    async fn run_address(&self, ip: IpAddr, port: u16, mode: Mode, name: &str) -> AddressProbe {
        let mut p = AddressProbe::default();
        if let Some(why) = self.refusal(ip, port) {
            p.errors.push(ProbeError::new(
                Stage::Connect,
                "address_not_allowed",
                why.clone(),
            ));
            p.refused = Some(why);
            return p;
        }
        let ip_lock = {
            let mut m = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
            m.entry(ip)
                .or_insert_with(|| Arc::new(Semaphore::new(1)))
                .clone()
        };
        // One connection at a time per address; a bounded number overall.
        let _ip = ip_lock.acquire().await;
        let _global = self.global.acquire().await;
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + self.opts.host_deadline;
        let mut stage = Stage::Connect;
        let res = tokio::time::timeout_at(
            deadline,
            self.full(&mut p, &mut stage, SocketAddr::new(ip, port), mode, name),
        )
        .await;
        if res.is_err() {
            p.errors.push(ProbeError::new(
                stage,
                "deadline",
                format!(
                    "the probe of {ip} port {port} did not finish within {} s",
                    self.opts.host_deadline.as_secs()
                ),
            ));
        }
        p.elapsed_ms = started.elapsed().as_millis() as u64;
        p
    }

    /// DNS facts for the HISF-DNS rules, and the lookups that failed.
    pub async fn domain_facts(
        &self,
        domain: &str,
        mx_hosts: &[String],
    ) -> (crate::policy::live::DomainFacts, Vec<ProbeError>) {
        let dns = &self.dns;
        let (sts_name, rpt_name, dmarc_name) = (
            format!("_mta-sts.{domain}"),
            format!("_smtp._tls.{domain}"),
            format!("_dmarc.{domain}"),
        );
        let (sts, rpt, txt, dmarc) = tokio::join!(
            dns.txt(&sts_name),
            dns.txt(&rpt_name),
            dns.txt(domain),
            dns.txt(&dmarc_name),
        );
        let tlsa = futures_util::future::join_all(
            mx_hosts
                .iter()
                .map(|h| async move { (h.clone(), dns.has_tlsa(&format!("_25._tcp.{h}")).await) }),
        )
        .await;
        let mut errors = Vec::new();
        let mut keep = |r: Result<Vec<String>, ProbeError>| match r {
            Ok(v) => Ok(v),
            Err(e) => {
                let d = e.detail.clone();
                errors.push(e);
                Err(d)
            }
        };
        let (sts, rpt, txt, dmarc) = (keep(sts), keep(rpt), keep(txt), keep(dmarc));
        let tlsa = tlsa
            .into_iter()
            .map(|(h, r)| (h, r.map_err(|e| e.detail)))
            .collect();
        let policy = match &sts {
            Ok(t) if !crate::policy::live::records(t, "v=STSv1").is_empty() => {
                Some(self.mta_sts_policy(domain).await)
            }
            _ => None,
        };
        (
            crate::policy::live::DomainFacts {
                domain: domain.to_string(),
                mx_hosts: mx_hosts.to_vec(),
                mta_sts_txt: sts,
                mta_sts_policy: policy,
                tlsrpt_txt: rpt,
                txt,
                dmarc_txt: dmarc,
                tlsa,
            },
            errors,
        )
    }

    async fn mta_sts_policy(
        &self,
        domain: &str,
    ) -> Result<crate::policy::live::MtaStsPolicy, String> {
        let host = format!("mta-sts.{domain}");
        let ips = self.dns.addresses(&host).await.map_err(|e| e.detail)?;
        let ip = ips
            .iter()
            .copied()
            .find(|ip| self.refusal_for(*ip, 443, true).is_none())
            .ok_or_else(|| {
                format!(
                    "{host} has no address hisf may connect to ({})",
                    ips.iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        mtasts::fetch(
            SocketAddr::new(ip, 443),
            &host,
            self.roots.clone(),
            self.provider.clone(),
            self.opts.step_timeout,
        )
        .await
    }

    fn refusal(&self, ip: IpAddr, port: u16) -> Option<String> {
        self.refusal_for(ip, port, false)
    }

    /// `https`: the MTA-STS policy fetch, the one use of port 443.
    fn refusal_for(&self, ip: IpAddr, port: u16, https: bool) -> Option<String> {
        let port_ok = if https {
            port == 443
        } else {
            guard::MAIL_PORTS.contains(&port)
        };
        match guard::refusal(ip) {
            Some(why) if !self.opts.allow_private => Some(format!(
                "{ip} is {why}; only public unicast addresses are probed (tests pass --allow-private-targets)"
            )),
            Some(_) => None, // allowed private address: any port (test fixtures)
            None if !port_ok => Some(format!(
                "port {port} is not a mail port; only 25, 465 and 587 are probed"
            )),
            None => None,
        }
    }

    /// The three-connection plan.
    async fn full(
        &self,
        p: &mut AddressProbe,
        stage: &mut Stage,
        addr: SocketAddr,
        mode: Mode,
        name: &str,
    ) {
        // 1: the modern handshake.
        let modern = self.modern(p, stage, addr, mode, name).await;
        let go_on = match &modern {
            Modern::Done => true,
            Modern::HandshakeFailed => true,
            Modern::NoStarttls | Modern::Stop => false,
        };
        if !go_on {
            return;
        }
        // 2: a ClientHello capped at TLS 1.1. A server picks the highest
        // version it supports up to the client's maximum, so an alert here
        // means neither 1.1 nor 1.0 is accepted.
        *stage = Stage::Legacy;
        let a11 = self.raw(p, addr, mode, name, WireVersion::TLS11).await;
        match &a11 {
            Some(Answer::ServerHello { version, suite }) if *version == WireVersion::TLS11 => {
                p.legacy.tls1_1 = LegacyState::Accepted;
                p.legacy.cipher = Some(legacy::suite_name(*suite));
            }
            Some(Answer::ServerHello { version, suite }) if *version == WireVersion::TLS10 => {
                p.legacy.tls1_1 = LegacyState::Rejected;
                p.legacy.tls1_0 = LegacyState::Accepted;
                p.legacy.cipher = Some(legacy::suite_name(*suite));
            }
            Some(Answer::ServerHello { version, .. }) if *version > WireVersion::TLS11 => {
                p.version_anomaly = Some(format!(
                    "answered a ClientHello capped at TLS 1.1 with a {} ServerHello",
                    version.name()
                ));
                p.legacy.tls1_1 = LegacyState::Rejected;
                p.legacy.tls1_0 = LegacyState::Rejected;
            }
            Some(Answer::ServerHello { version, suite }) => {
                // SSLv3 or older: below what we asked, and worse than TLS 1.0.
                p.legacy.ssl3 = LegacyState::Accepted;
                p.legacy.cipher = Some(legacy::suite_name(*suite));
                p.errors.push(ProbeError::new(
                    Stage::Legacy,
                    "ssl3",
                    format!(
                        "the server chose {} for a hello capped at TLS 1.1",
                        version.name()
                    ),
                ));
                p.legacy.tls1_1 = LegacyState::Rejected;
                p.legacy.tls1_0 = LegacyState::Rejected;
            }
            Some(Answer::Alert(..))
            | Some(Answer::Closed)
            | Some(Answer::NotTls(_))
            | Some(Answer::Malformed(_)) => {
                p.legacy.tls1_1 = LegacyState::Rejected;
                p.legacy.tls1_0 = LegacyState::Rejected;
            }
            None => {
                p.legacy.tls1_1 = LegacyState::Inconclusive;
                p.legacy.tls1_0 = LegacyState::Inconclusive;
            }
        }
        // 3: whichever question is still open and matters more.
        if matches!(modern, Modern::HandshakeFailed) {
            // rustls cannot do static-RSA or CBC TLS 1.2 suites: ask for TLS 1.2 raw.
            match self.raw(p, addr, mode, name, WireVersion::TLS12).await {
                Some(Answer::ServerHello { version, suite }) if version == WireVersion::TLS12 => {
                    p.tls = Some(TlsInfo {
                        version: "TLSv1.2".into(),
                        cipher: legacy::suite_name(suite),
                        group: None,
                        via: "raw",
                    });
                }
                // An alert, an older ServerHello or a non-TLS answer is a refusal;
                // a bare close may be rate limiting, so it stays inconclusive.
                Some(Answer::Alert(..))
                | Some(Answer::ServerHello { .. })
                | Some(Answer::NotTls(_)) => p.tls12_refused = true,
                Some(Answer::Closed) | Some(Answer::Malformed(_)) | None => {}
            }
            if p.legacy.tls1_1 == LegacyState::Accepted {
                // The host already fails on TLS 1.1; TLS 1.0 would need a fourth connection.
                p.legacy.tls1_0 = LegacyState::NotTested;
            }
        } else if p.legacy.tls1_1 == LegacyState::Accepted {
            match self.raw(p, addr, mode, name, WireVersion::TLS10).await {
                Some(Answer::ServerHello { version, .. }) if version == WireVersion::TLS10 => {
                    p.legacy.tls1_0 = LegacyState::Accepted
                }
                Some(_) => p.legacy.tls1_0 = LegacyState::Rejected,
                None => p.legacy.tls1_0 = LegacyState::Inconclusive,
            }
        }
    }

    async fn connect(
        &self,
        p: &mut AddressProbe,
        addr: SocketAddr,
    ) -> Result<TcpStream, ProbeError> {
        p.connections += 1;
        match tokio::time::timeout(self.opts.step_timeout, TcpStream::connect(addr)).await {
            Err(_) => Err(ProbeError::new(
                Stage::Connect,
                "timeout",
                format!(
                    "no TCP connection to {addr} within {} s",
                    self.opts.step_timeout.as_secs_f32()
                ),
            )),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                Err(ProbeError::new(
                    Stage::Connect,
                    "refused",
                    format!("{addr} refused the connection"),
                ))
            }
            Ok(Err(e)) => Err(ProbeError::new(
                Stage::Connect,
                "io",
                format!("{addr}: {e}"),
            )),
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                Ok(s)
            }
        }
    }

    /// Connects and, for STARTTLS, runs banner → EHLO → STARTTLS. Returns
    /// the stream ready for a ClientHello, or `Ok(None)` when STARTTLS is not offered.
    async fn to_tls_start(
        &self,
        p: &mut AddressProbe,
        stage: &mut Stage,
        addr: SocketAddr,
        mode: Mode,
        first: bool,
    ) -> Result<Option<TcpStream>, ProbeError> {
        *stage = Stage::Connect;
        let stream = self.connect(p, addr).await?;
        if mode == Mode::ImplicitTls {
            return Ok(Some(stream));
        }
        let mut s = Smtp::new(stream, self.opts.step_timeout);
        *stage = Stage::Banner;
        let banner = s.reply(Stage::Banner).await?;
        if first {
            p.banner = Some(banner.summary());
        }
        if banner.code != 220 {
            s.quit().await;
            return Err(reply_error(Stage::Banner, &banner));
        }
        *stage = Stage::Ehlo;
        let ehlo = s
            .command(&format!("EHLO {}", self.opts.ehlo_name), Stage::Ehlo)
            .await?;
        if ehlo.code != 250 {
            s.quit().await;
            return Err(reply_error(Stage::Ehlo, &ehlo));
        }
        let caps = smtp::capabilities(&ehlo);
        let offered = caps.iter().any(|c| c == "STARTTLS");
        if first {
            p.capabilities = caps;
            p.starttls_offered = Some(offered);
        }
        if !offered {
            s.quit().await;
            return Ok(None);
        }
        *stage = Stage::Starttls;
        let r = s.command("STARTTLS", Stage::Starttls).await?;
        if r.code != 220 {
            s.quit().await;
            return Err(reply_error(Stage::Starttls, &r));
        }
        if !s.pending().is_empty() {
            p.bytes_after_starttls = true;
            if first {
                p.errors.push(ProbeError::new(
                    Stage::Starttls,
                    "plaintext_after_starttls",
                    format!(
                        "{} bytes arrived after `220` to STARTTLS and before TLS; they were discarded (RFC 3207 §4.2; an injection risk)",
                        s.pending().len()
                    ),
                ));
            }
        }
        *stage = Stage::Tls;
        Ok(Some(s.into_inner()))
    }

    async fn modern(
        &self,
        p: &mut AddressProbe,
        stage: &mut Stage,
        addr: SocketAddr,
        mode: Mode,
        name: &str,
    ) -> Modern {
        let stream = match self.to_tls_start(p, stage, addr, mode, true).await {
            Ok(Some(s)) => s,
            Ok(None) => return Modern::NoStarttls,
            Err(e) => {
                p.errors.push(e);
                return Modern::Stop;
            }
        };
        let (config, verifier) = match tls::client_config(self.roots.clone(), self.provider.clone())
        {
            Ok(c) => c,
            Err(e) => {
                p.errors.push(ProbeError::new(Stage::Tls, "config", e));
                return Modern::Stop;
            }
        };
        let server_name = server_name(name, addr.ip());
        let connector = tokio_rustls::TlsConnector::from(config);
        let hs = tokio::time::timeout(
            self.opts.step_timeout,
            connector.connect(server_name, stream),
        )
        .await;
        if let Ok(slot) = verifier.report.lock() {
            p.certificate = slot.clone();
        }
        match hs {
            Err(_) => {
                p.errors.push(ProbeError::new(
                    Stage::Tls,
                    "timeout",
                    format!(
                        "no TLS handshake within {} s",
                        self.opts.step_timeout.as_secs_f32()
                    ),
                ));
                Modern::Stop
            }
            Ok(Err(e)) => {
                let (kind, detail) = classify_tls_error(&e);
                p.errors.push(ProbeError::new(Stage::Tls, kind, detail));
                Modern::HandshakeFailed
            }
            Ok(Ok(mut tls)) => {
                let (_, conn) = tls.get_ref();
                p.tls = Some(TlsInfo {
                    version: match conn.protocol_version() {
                        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".into(),
                        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".into(),
                        Some(v) => format!("{v:?}"),
                        None => "unknown".into(),
                    },
                    cipher: conn
                        .negotiated_cipher_suite()
                        .map(|s| format!("{:?}", s.suite()))
                        .unwrap_or_default(),
                    group: conn
                        .negotiated_key_exchange_group()
                        .map(|g| format!("{:?}", g.name())),
                    via: "rustls",
                });
                if mode == Mode::Starttls {
                    // EHLO again inside TLS, then QUIT and close_notify.
                    let mut s = Smtp::new(tls, self.opts.step_timeout);
                    let _ = s
                        .command(&format!("EHLO {}", self.opts.ehlo_name), Stage::Tls)
                        .await;
                    s.quit().await;
                    let mut tls = s.into_inner();
                    let _ = tokio::time::timeout(Duration::from_secs(1), tls.shutdown()).await;
                } else {
                    let _ = tokio::time::timeout(Duration::from_secs(1), tls.shutdown()).await;
                }
                Modern::Done
            }
        }
    }

    /// One raw ClientHello on a fresh connection. `None`: inconclusive (timeout, throttled…).
    async fn raw(
        &self,
        p: &mut AddressProbe,
        addr: SocketAddr,
        mode: Mode,
        name: &str,
        max: WireVersion,
    ) -> Option<Answer> {
        let mut stage = Stage::Legacy;
        let mut stream = match self.to_tls_start(p, &mut stage, addr, mode, false).await {
            Ok(Some(s)) => s,
            Ok(None) => {
                p.errors.push(ProbeError::new(
                    Stage::Legacy,
                    "starttls_gone",
                    "STARTTLS was not offered on a later connection".into(),
                ));
                return None;
            }
            Err(mut e) => {
                e.detail = format!("{} probe: {}", max.name(), e.detail);
                p.errors.push(e);
                return None;
            }
        };
        let sni = name.parse::<IpAddr>().is_err().then_some(name);
        let hello = legacy::client_hello(max, sni, random32());
        match legacy::probe(&mut stream, &hello, self.opts.step_timeout).await {
            Ok(a) => Some(a),
            Err(_) => {
                p.errors.push(ProbeError::new(
                    Stage::Legacy,
                    "timeout",
                    format!(
                        "no answer to a {} ClientHello within {} s",
                        max.name(),
                        self.opts.step_timeout.as_secs_f32()
                    ),
                ));
                None
            }
        }
    }
}

enum Modern {
    Done,
    HandshakeFailed,
    NoStarttls,
    Stop,
}

fn server_name(name: &str, ip: IpAddr) -> ServerName<'static> {
    ServerName::try_from(name.to_string()).unwrap_or_else(|_| ServerName::IpAddress(ip.into()))
}

fn reply_error(stage: Stage, r: &smtp::Reply) -> ProbeError {
    if stage == Stage::Starttls && r.code == 454 {
        ProbeError::new(
            stage,
            "tls_unavailable",
            format!(
                "STARTTLS is advertised but refused: `{}` (RFC 3207: temporary; inconclusive)",
                r.summary()
            ),
        )
    } else if smtp::is_temporary(r.code) {
        ProbeError::new(stage, "throttled", format!("temporary refusal `{}`: try again later (counted as inconclusive, not as missing TLS)", r.summary()))
    } else {
        ProbeError::new(stage, "rejected", format!("`{}`", r.summary()))
    }
}

fn classify_tls_error(e: &std::io::Error) -> (&'static str, String) {
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::AlertReceived(a)) => ("alert", format!("the server sent alert {a:?}")),
        Some(rustls::Error::InvalidMessage(m)) => {
            ("not_tls", format!("the server's answer is not TLS: {m:?}"))
        }
        Some(rustls::Error::PeerIncompatible(m)) => (
            "incompatible",
            format!("no TLS 1.2/1.3 parameters in common: {m:?}"),
        ),
        Some(other) => ("handshake", other.to_string()),
        None if e.kind() == std::io::ErrorKind::UnexpectedEof => (
            "closed",
            "the server closed the connection during the handshake".into(),
        ),
        None => ("io", e.to_string()),
    }
}

fn random32() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; 32];
    // Each RandomState is freshly keyed from the OS; the index only varies the input.
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        chunk.copy_from_slice(&h.finish().to_be_bytes());
    }
    out
}

/// Results of a whole run.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// `"1"`.
    pub schema_version: &'static str,
    /// Tool name and version.
    pub tool: verdict::ToolInfo,
    /// Profile and policy version.
    pub policy: verdict::PolicyInfo,
    /// One per target, in the order given.
    pub results: Vec<verdict::TargetResult>,
}

impl CheckReport {
    /// 0 all compliant or not applicable; 1 any non-compliant; 3 otherwise inconclusive.
    pub fn exit_code(&self) -> i32 {
        let worst = self
            .results
            .iter()
            .map(|r| r.verdict)
            .max()
            .unwrap_or(Verdict::NotApplicable);
        match worst {
            Verdict::NonCompliant => 1,
            Verdict::Inconclusive => 3,
            _ => 0,
        }
    }
}

/// Checks every target; `progress` is told of each finished target.
pub async fn check(
    targets: &[Target],
    opts: CheckOptions,
    progress: &(dyn Fn(&verdict::TargetResult) + Sync),
) -> Result<CheckReport, String> {
    let profile = opts.profile;
    let prober = Arc::new(Prober::new(opts)?);
    let futures = targets.iter().map(|t| {
        let prober = prober.clone();
        async move {
            let r = verdict::check_target(&prober, t).await;
            progress(&r);
            r
        }
    });
    let results = futures_util::future::join_all(futures).await;
    Ok(CheckReport {
        schema_version: "1",
        tool: verdict::ToolInfo::default(),
        policy: verdict::PolicyInfo::new(profile),
        results,
    })
}
