//! Scripted SMTP/TLS responder (and DNS delay proxy) for the sector-scale benchmark
//! (benches/sector_10k.sh), run inside the network namespace that script
//! creates. One listener on 0.0.0.0:25 answers for every address: a banner,
//! EHLO with STARTTLS, then a rustls TLS 1.2/1.3 server (a legacy
//! ClientHello gets rustls's protocol_version alert). Addresses whose last
//! octet is a multiple of 20 (5%) accept and stay silent. Connections per
//! local address are written as JSON to the stats file twice a second.
//!
//! Latency: with `--delay-ms MIN-MAX`, every exchange waits a random
//! 50-200 ms before the answer (the banner, each reply, the TLS handshake),
//! standing in for a round trip where the kernel has no `tc netem`; and
//! `--dns LISTEN UPSTREAM` relays DNS over UDP with the same delay.
//!
//! `cargo bench --bench sector_responder -- --listen 0.0.0.0:25 --stats FILE`
//! (without `--listen` it exits at once, so `cargo test --all-targets` passes over it).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

type Counts = Arc<Mutex<HashMap<IpAddr, u32>>>;

/// Added round-trip time, milliseconds (min, max); (0, 0) for none.
static DELAY: std::sync::OnceLock<(u64, u64)> = std::sync::OnceLock::new();

/// A random delay in the configured range (xorshift over a shared counter).
async fn rtt() {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);
    let (lo, hi) = *DELAY.get().unwrap_or(&(0, 0));
    if hi == 0 {
        return;
    }
    let mut x = STATE.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    tokio::time::sleep(Duration::from_millis(lo + x % (hi - lo + 1))).await;
}

/// Relays DNS queries over UDP to `upstream`, each after a delay.
async fn dns_proxy(listen: String, upstream: String) {
    let sock = Arc::new(
        tokio::net::UdpSocket::bind(&listen)
            .await
            .expect("bind DNS"),
    );
    let mut buf = vec![0u8; 4096];
    loop {
        let Ok((n, from)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        let query = buf[..n].to_vec();
        let (sock, upstream) = (sock.clone(), upstream.clone());
        tokio::spawn(async move {
            rtt().await;
            let Ok(up) = tokio::net::UdpSocket::bind("0.0.0.0:0").await else {
                return;
            };
            if up.send_to(&query, &upstream).await.is_err() {
                return;
            }
            let mut answer = vec![0u8; 4096];
            if let Ok(Ok(m)) =
                tokio::time::timeout(Duration::from_secs(2), up.recv(&mut answer)).await
            {
                let _ = sock.send_to(&answer[..m], from).await;
            }
        });
    }
}

fn silent(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.octets()[3] % 20 == 0,
        IpAddr::V6(_) => false,
    }
}

async fn line<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Option<String> {
    let mut s = String::new();
    match tokio::time::timeout(Duration::from_secs(30), r.read_line(&mut s)).await {
        Ok(Ok(n)) if n > 0 => Some(s),
        _ => None,
    }
}

async fn serve(stream: TcpStream, acceptor: tokio_rustls::TlsAcceptor) {
    let mut s = BufReader::new(stream);
    rtt().await;
    if s.get_mut().write_all(b"220 bench ESMTP\r\n").await.is_err() {
        return;
    }
    let Some(_ehlo) = line(&mut s).await else {
        return;
    };
    rtt().await;
    if s.get_mut()
        .write_all(b"250-bench\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        .await
        .is_err()
    {
        return;
    }
    match line(&mut s).await {
        Some(l) if l.trim().eq_ignore_ascii_case("STARTTLS") => {}
        _ => return,
    }
    rtt().await;
    if s.get_mut()
        .write_all(b"220 2.0.0 Ready to start TLS\r\n")
        .await
        .is_err()
    {
        return;
    }
    // One round trip for the handshake (TLS 1.3), or for the alert to a legacy hello.
    let mut peek = [0u8; 1];
    let _ = s.get_mut().peek(&mut peek).await;
    rtt().await;
    let Ok(tls) = acceptor.accept(s.into_inner()).await else {
        return;
    };
    let mut t = BufReader::new(tls);
    while let Some(cmd) = line(&mut t).await {
        rtt().await;
        let reply: &[u8] = if cmd.to_ascii_uppercase().starts_with("EHLO") {
            b"250-bench\r\n250 8BITMIME\r\n"
        } else if cmd.to_ascii_uppercase().starts_with("QUIT") {
            let _ = t.get_mut().write_all(b"221 bye\r\n").await;
            let _ = t.get_mut().shutdown().await;
            return;
        } else {
            b"502 not here\r\n"
        };
        if t.get_mut().write_all(reply).await.is_err() {
            return;
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(listen) = value("--listen") else {
        eprintln!("sector_responder: run by benches/sector_10k.sh with --listen ADDR --stats FILE");
        return;
    };
    let stats = value("--stats").unwrap_or_else(|| "responder-stats.json".into());
    if let Some((lo, hi)) = value("--delay-ms").and_then(|v| {
        let (a, b) = v.split_once('-')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    }) {
        let _ = DELAY.set((lo, hi));
    }
    let dns = value("--dns").zip(value("--dns-upstream"));
    let cert =
        rcgen::generate_simple_self_signed(vec!["bench.test".to_string()]).expect("certificate");
    let chain = vec![CertificateDer::from(cert.cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let counts: Counts = Arc::default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let listener = TcpListener::bind(&listen).await.expect("bind");
        if let Some((dns_listen, upstream)) = dns {
            tokio::spawn(dns_proxy(dns_listen, upstream));
        }
        let c = counts.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let snapshot: HashMap<String, u32> = c
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect();
                let _ =
                    std::fs::write(&stats, serde_json::to_string(&snapshot).unwrap_or_default());
            }
        });
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let Ok(local) = stream.local_addr() else {
                continue;
            };
            *counts.lock().unwrap().entry(local.ip()).or_default() += 1;
            if silent(local.ip()) {
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(120)).await;
                    drop(stream);
                });
                continue;
            }
            tokio::spawn(serve(stream, acceptor.clone()));
        }
    });
}
