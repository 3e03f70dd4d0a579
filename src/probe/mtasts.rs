//! Fetching an MTA-STS policy (RFC 8461 §3.3): HTTPS GET of
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt` with a valid
//! certificate, no redirects, a bounded body.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::policy::live::MtaStsPolicy;

/// Largest response read (RFC 8461 §3.3 lets senders stop at 64 KiB).
pub const MAX_RESPONSE: usize = 64 * 1024;

/// Fetches and parses the policy from `addr` (already resolved and allowed).
pub async fn fetch(
    addr: SocketAddr,
    host: &str,
    roots: Arc<rustls::RootCertStore>,
    provider: Arc<rustls::crypto::CryptoProvider>,
    step: Duration,
) -> Result<MtaStsPolicy, String> {
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string()).map_err(|e| format!("{host}: {e}"))?;
    let tcp = tokio::time::timeout(step, TcpStream::connect(addr))
        .await
        .map_err(|_| format!("no connection to {addr} within {} s", step.as_secs_f32()))?
        .map_err(|e| format!("{addr}: {e}"))?;
    let mut tls = tokio::time::timeout(
        step,
        tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp),
    )
    .await
    .map_err(|_| "no TLS handshake in time".to_string())?
    .map_err(|e| {
        format!("TLS with {host} failed (a policy host needs a valid certificate): {e}")
    })?;
    let req = format!(
        "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {host}\r\nUser-Agent: hisf/{}\r\nAccept: text/plain\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    tokio::time::timeout(step, tls.write_all(req.as_bytes()))
        .await
        .map_err(|_| "could not send the request in time".to_string())?
        .map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match tokio::time::timeout(step, tls.read(&mut chunk)).await {
            Err(_) => return Err("the policy response did not finish in time".into()),
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => n,
            // Many servers close without close_notify; what arrived is what there is.
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Ok(Err(e)) => return Err(e.to_string()),
        };
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_RESPONSE {
            return Err(format!(
                "the policy response is larger than {MAX_RESPONSE} bytes"
            ));
        }
    }
    let body = parse_response(&buf)?;
    MtaStsPolicy::parse(&body)
}

/// Status 200 and the body (plain or chunked).
fn parse_response(raw: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or("the response has no end of headers")?;
    let mut lines = head.lines();
    let status = lines.next().unwrap_or("");
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if code != "200" {
        return Err(format!(
            "the policy URL answered `{status}` (RFC 8461 requires 200, no redirects)"
        ));
    }
    let chunked = lines.any(|l| {
        l.to_ascii_lowercase().starts_with("transfer-encoding:")
            && l.to_ascii_lowercase().contains("chunked")
    });
    if !chunked {
        return Ok(body.to_string());
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "a malformed chunk size".to_string())?;
        if n == 0 {
            break;
        }
        let data = after.get(..n).ok_or("a chunk longer than the response")?;
        out.push_str(data);
        rest = after.get(n + 2..).unwrap_or("");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn responses() {
        let b = super::parse_response(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nversion: STSv1\r\n",
        )
        .unwrap();
        assert_eq!(b, "version: STSv1\r\n");
        let b = super::parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nversi\r\n3\r\non:\r\n0\r\n\r\n").unwrap();
        assert_eq!(b, "version:");
        assert!(
            super::parse_response(b"HTTP/1.1 301 Moved\r\nLocation: x\r\n\r\n")
                .unwrap_err()
                .contains("301")
        );
    }
}
