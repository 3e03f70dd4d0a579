//! `hisf check` against scripted servers on 127.0.0.1: the misbehaviour real
//! mail servers will not produce on demand (silence, a slow or endless
//! banner, 421, garbage, plaintext after STARTTLS, a disconnect at EHLO,
//! alerts 70 and 40, a ServerHello split into one-byte records, a ServerHello
//! with a higher version than offered). Each fixture counts the connections
//! it accepts, so the three-connection budget is checked too.

mod common;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type Script =
    Arc<dyn Fn(usize, TcpStream) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

struct Fixture {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

/// Serves `script` for each connection (with its index) on a fresh port.
fn serve(script: Script) -> Fixture {
    let (tx, rx) = std::sync::mpsc::channel();
    let connections = Arc::new(AtomicUsize::new(0));
    let c = connections.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            loop {
                let Ok((s, _)) = l.accept().await else { return };
                let n = c.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(script(n, s));
            }
        });
    });
    Fixture {
        addr: rx.recv().unwrap(),
        connections,
    }
}

fn script<F, Fut>(f: F) -> Script
where
    F: Fn(usize, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Arc::new(move |n, s| Box::pin(f(n, s)))
}

/// Runs `hisf check --format json` on one smtp:// target with short timeouts.
fn check(addr: SocketAddr, extra: &[&str]) -> (i32, Value, Duration) {
    let t = Instant::now();
    let target = format!("smtp://{addr}");
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--allow-private-targets",
        "--timeout",
        "1",
        "--deadline",
        "8",
    ];
    args.extend_from_slice(extra);
    args.push(&target);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args(&args)
        .output()
        .expect("run hisf");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    common::assert_check_schema(&v);
    (o.status.code().unwrap(), v, t.elapsed())
}

fn host(v: &Value) -> &Value {
    &v["results"][0]["hosts"][0]
}

fn errors(v: &Value) -> Vec<(String, String)> {
    host(v)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["stage"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules(v: &Value) -> Vec<String> {
    host(v)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

async fn line(s: &mut TcpStream) -> Option<String> {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    while out.len() < 4096 {
        if s.read(&mut b).await.ok()? == 0 {
            return None;
        }
        out.push(b[0]);
        if b[0] == b'\n' {
            return Some(String::from_utf8_lossy(&out).trim_end().to_string());
        }
    }
    None
}

/// Banner, EHLO with STARTTLS, STARTTLS → 220. Returns false if the client misbehaved.
async fn up_to_tls(s: &mut TcpStream) -> bool {
    s.write_all(b"220 fixture ESMTP\r\n").await.ok();
    let Some(l) = line(s).await else { return false };
    if !l.starts_with("EHLO ") {
        return false;
    }
    s.write_all(b"250-fixture\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        .await
        .ok();
    let Some(l) = line(s).await else { return false };
    if l != "STARTTLS" {
        return false;
    }
    s.write_all(b"220 2.0.0 Ready to start TLS\r\n").await.ok();
    true
}

/// Reads one TLS record carrying the ClientHello; returns its client_version.
async fn client_hello_version(s: &mut TcpStream) -> Option<u16> {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).await.ok()?;
    let len = u16::from_be_bytes([head[3], head[4]]) as usize;
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.ok()?;
    // handshake type(1) length(3) client_version(2)
    Some(u16::from_be_bytes([body[4], body[5]]))
}

fn server_hello(version: u16, suite: u16) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[9; 32]);
    body.push(0);
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0);
    let mut hs = vec![2];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    hs
}

fn records(hs: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in hs.chunks(size) {
        out.extend_from_slice(&[0x16, 3, 1]);
        out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

fn alert(description: u8) -> Vec<u8> {
    vec![0x15, 3, 3, 0, 2, 2, description]
}

#[test]
fn silence_is_a_banner_timeout_and_inconclusive() {
    let f = serve(script(|_, s| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    }));
    let (code, v, took) = check(f.addr, &[]);
    assert_eq!(code, 3, "{v:#}");
    assert_eq!(host(&v)["verdict"], "inconclusive");
    assert_eq!(errors(&v), [("banner".to_string(), "timeout".to_string())]);
    assert!(
        took < Duration::from_secs(8),
        "bounded by the step timeout: {took:?}"
    );
    assert_eq!(
        f.connections.load(Ordering::SeqCst),
        1,
        "no retries into silence"
    );
}

#[test]
fn a_slow_multiline_banner_is_waited_for_before_speaking() {
    let early = Arc::new(AtomicUsize::new(0));
    let e = early.clone();
    let f = serve(script(move |_, mut s| {
        let e = e.clone();
        async move {
            s.write_all(b"220-fixture slow greeting\r\n").await.ok();
            // A client that speaks now is pipelining into the greeting.
            let mut b = [0u8; 64];
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(600), s.read(&mut b)).await
            {
                if n > 0 {
                    e.fetch_add(1, Ordering::SeqCst);
                }
            }
            s.write_all(b"220 fixture ready\r\n").await.ok();
            let _ = line(&mut s).await;
            s.write_all(b"250-fixture\r\n250 8BITMIME\r\n").await.ok();
            let _ = line(&mut s).await; // QUIT
            s.write_all(b"221 bye\r\n").await.ok();
        }
    }));
    let (code, v, _) = check(f.addr, &[]);
    assert_eq!(
        early.load(Ordering::SeqCst),
        0,
        "EHLO was sent before the final 220 line"
    );
    assert_eq!(host(&v)["starttls_offered"], false, "{v:#}");
    assert_eq!(rules(&v), ["HISF-MAIL-001"]);
    assert_eq!(code, 1);
    assert_eq!(host(&v)["banner"], "220 fixture slow greeting");
}

#[test]
fn a_421_greeting_is_throttled_not_missing_tls() {
    let f = serve(script(|_, mut s| async move {
        s.write_all(b"421 4.7.0 too many connections, try later\r\n")
            .await
            .ok();
    }));
    let (code, v, _) = check(f.addr, &[]);
    assert_eq!(code, 3);
    assert_eq!(host(&v)["verdict"], "inconclusive");
    assert_eq!(
        errors(&v),
        [("banner".to_string(), "throttled".to_string())]
    );
    assert!(
        rules(&v).is_empty(),
        "421 must not be read as no STARTTLS: {v:#}"
    );
    assert_eq!(f.connections.load(Ordering::SeqCst), 1);
}

#[test]
fn an_endless_line_is_cut_off() {
    let f = serve(script(|_, mut s| async move {
        let chunk = vec![b'A'; 8192];
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end && s.write_all(&chunk).await.is_ok() {}
    }));
    let (code, v, took) = check(f.addr, &[]);
    assert_eq!(code, 3);
    assert_eq!(
        errors(&v),
        [("banner".to_string(), "line_too_long".to_string())]
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_garbage_banner_is_named() {
    let f = serve(script(|_, mut s| async move {
        s.write_all(b"SSH-2.0-OpenSSH_9.2\r\n").await.ok();
        tokio::time::sleep(Duration::from_secs(2)).await;
    }));
    let (code, v, _) = check(f.addr, &[]);
    assert_eq!(code, 3);
    assert_eq!(errors(&v), [("banner".to_string(), "garbage".to_string())]);
}

#[test]
fn a_disconnect_at_ehlo_is_named() {
    let f = serve(script(|_, mut s| async move {
        s.write_all(b"220 fixture\r\n").await.ok();
        let _ = line(&mut s).await;
    }));
    let (code, v, _) = check(f.addr, &[]);
    assert_eq!(code, 3);
    assert_eq!(errors(&v), [("ehlo".to_string(), "closed".to_string())]);
}

#[test]
fn plaintext_after_starttls_is_flagged() {
    let f = serve(script(|_, mut s| async move {
        s.write_all(b"220 fixture\r\n").await.ok();
        let _ = line(&mut s).await;
        s.write_all(b"250-fixture\r\n250 STARTTLS\r\n").await.ok();
        let _ = line(&mut s).await;
        s.write_all(b"220 Ready to start TLS\r\n250 injected\r\n")
            .await
            .ok();
        let _ = client_hello_version(&mut s).await;
    }));
    let (code, v, _) = check(f.addr, &[]);
    let e = errors(&v);
    assert!(
        e.contains(&("starttls".into(), "plaintext_after_starttls".into())),
        "{e:?}"
    );
    // The server then drops every handshake: a bare close may be rate limiting,
    // so the verdict is inconclusive rather than "no TLS 1.2".
    assert_eq!(code, 3, "{v:#}");
    assert!(rules(&v).is_empty(), "{v:#}");
    assert!(f.connections.load(Ordering::SeqCst) <= 3);
}

fn alert_fixture(description: u8) -> Fixture {
    serve(script(move |_, mut s| async move {
        if up_to_tls(&mut s).await && client_hello_version(&mut s).await.is_some() {
            s.write_all(&alert(description)).await.ok();
        }
    }))
}

#[test]
fn alerts_70_and_40_mean_no_tls_and_no_legacy_tls() {
    for desc in [70u8, 40] {
        let f = alert_fixture(desc);
        let (code, v, _) = check(f.addr, &[]);
        assert_eq!(code, 1, "alert {desc}: {v:#}");
        assert_eq!(host(&v)["legacy"]["tls1_0"], "rejected");
        assert_eq!(host(&v)["legacy"]["tls1_1"], "rejected");
        assert_eq!(rules(&v), ["HISF-MAIL-003"], "alert {desc}");
        assert!(
            errors(&v).contains(&("tls".into(), "alert".into())),
            "{:?}",
            errors(&v)
        );
        assert_eq!(
            f.connections.load(Ordering::SeqCst),
            3,
            "alert {desc}: modern, TLS 1.1 and TLS 1.2 probes"
        );
    }
}

#[test]
fn a_server_hello_in_one_byte_records_is_reassembled() {
    // Speaks only TLS 1.1 and 1.0 (rustls's TLS 1.2/1.3 hello gets alert 70);
    // sends its ServerHello one byte per record.
    let f = serve(script(|_, mut s| async move {
        if !up_to_tls(&mut s).await {
            return;
        }
        match client_hello_version(&mut s).await {
            Some(v @ (0x0301 | 0x0302)) => {
                s.write_all(&records(&server_hello(v, 0xc013), 1))
                    .await
                    .ok();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Some(_) => {
                s.write_all(&alert(70)).await.ok();
            }
            None => {}
        }
    }));
    let (code, v, _) = check(f.addr, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(host(&v)["legacy"]["tls1_1"], "accepted", "{v:#}");
    let r = rules(&v);
    assert!(
        r.contains(&"HISF-MAIL-004".to_string()) && r.contains(&"HISF-MAIL-003".to_string()),
        "{r:?}"
    );
    assert_eq!(
        host(&v)["legacy"]["cipher"],
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
    );
    assert!(f.connections.load(Ordering::SeqCst) <= 3);
}

#[test]
fn a_higher_version_server_hello_is_not_legacy_acceptance() {
    // Answers every hello with a TLS 1.2 ServerHello choosing static RSA + CBC.
    let f = serve(script(|_, mut s| async move {
        if up_to_tls(&mut s).await && client_hello_version(&mut s).await.is_some() {
            s.write_all(&records(&server_hello(0x0303, 0x002f), 512))
                .await
                .ok();
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }));
    let (_, v, _) = check(f.addr, &[]);
    assert_eq!(host(&v)["legacy"]["tls1_1"], "rejected", "{v:#}");
    assert!(
        errors(&v).contains(&("legacy".into(), "higher_version".into())),
        "{:?}",
        errors(&v)
    );
    // TLS 1.2 with a suite rustls cannot speak still counts as TLS 1.2 (weak suites).
    assert_eq!(host(&v)["tls"]["version"], "TLSv1.2");
    assert_eq!(host(&v)["tls"]["via"], "raw");
    let r = rules(&v);
    assert!(
        r.contains(&"HISF-MAIL-007".to_string()) && !r.contains(&"HISF-MAIL-003".to_string()),
        "{r:?}"
    );
    assert_eq!(f.connections.load(Ordering::SeqCst), 3);
}

#[test]
fn a_refused_target_is_reported_not_skipped() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args([
            "check",
            "--format",
            "json",
            "smtp://127.0.0.1:25",
            "smtp://[::1]:25",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    common::assert_check_schema(&v);
    for r in v["results"].as_array().unwrap() {
        let e = &r["hosts"][0]["errors"][0];
        assert_eq!(e["kind"], "address_not_allowed", "{r:#}");
        assert!(e["detail"].as_str().unwrap().contains("loopback"));
        assert_eq!(r["hosts"][0]["connections"], 0);
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["check", "http://example.test"],
        vec!["check", "smtp://x.test:70000"],
        vec!["check", "--timeout", "0", "x.test"],
        vec!["check", "--ca-file", "/nonexistent.pem", "x.test"],
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_hisf"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).starts_with("error:"),
            "{args:?}"
        );
    }
}

#[test]
fn starttls_advertised_but_answered_454_is_inconclusive() {
    let f = serve(script(|_, mut s| async move {
        s.write_all(b"220 fixture\r\n").await.ok();
        let _ = line(&mut s).await;
        s.write_all(b"250-fixture\r\n250 STARTTLS\r\n").await.ok();
        let _ = line(&mut s).await;
        s.write_all(b"454 4.7.0 TLS not available due to local problem\r\n")
            .await
            .ok();
        let _ = line(&mut s).await;
    }));
    let (code, v, _) = check(f.addr, &[]);
    assert_eq!(code, 3, "{v:#}");
    assert_eq!(host(&v)["starttls_offered"], true);
    assert_eq!(
        errors(&v),
        [("starttls".to_string(), "tls_unavailable".to_string())]
    );
    assert!(rules(&v).is_empty());
}

#[test]
fn a_drip_fed_banner_hits_the_host_deadline_and_keeps_what_was_learnt() {
    // One byte every 300 ms: no single read times out, so only the
    // per-address deadline ends it.
    let f = serve(script(|_, mut s| async move {
        for b in b"220-".iter().chain(std::iter::repeat(&b'x')) {
            if s.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }));
    let t = Instant::now();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args([
            "check",
            "--format",
            "json",
            "--allow-private-targets",
            "--timeout",
            "1",
            "--deadline",
            "2",
        ])
        .arg(format!("smtp://{}", f.addr))
        .output()
        .unwrap();
    let took = t.elapsed();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    common::assert_check_schema(&v);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        errors(&v),
        [("banner".to_string(), "deadline".to_string())],
        "{v:#}"
    );
    assert!(
        took < Duration::from_secs(4),
        "the deadline is 2 s: {took:?}"
    );
    assert_eq!(
        host(&v)["connections"],
        1,
        "what was learnt before the deadline is kept"
    );
}

#[test]
fn an_ssl3_answer_to_a_legacy_hello_is_legacy_acceptance() {
    let f = serve(script(|_, mut s| async move {
        if !up_to_tls(&mut s).await {
            return;
        }
        match client_hello_version(&mut s).await {
            Some(0x0302) => {
                s.write_all(&records(&server_hello(0x0300, 0x000a), 512))
                    .await
                    .ok();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Some(_) => {
                s.write_all(&alert(70)).await.ok();
            }
            None => {}
        }
    }));
    let (code, v, _) = check(f.addr, &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(host(&v)["legacy"]["ssl3"], "accepted");
    let findings = host(&v)["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "HISF-MAIL-004"
                && f["message"].as_str().unwrap().contains("SSL 3.0")),
        "{v:#}"
    );
}
