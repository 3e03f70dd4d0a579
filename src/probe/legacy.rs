//! A hand-built ClientHello for the TLS versions and cipher suites rustls will
//! not speak (TLS 1.0/1.1, and TLS 1.2 with static-RSA or CBC suites), and a
//! reader for the answer: the ServerHello's version and suite, or an alert.
//!
//! Only the first handshake message is read, across as many records as the
//! server splits it into, with a byte cap; nothing is decrypted and the
//! handshake is abandoned there.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// A TLS protocol version on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WireVersion(pub u16);

impl WireVersion {
    /// TLS 1.0.
    pub const TLS10: WireVersion = WireVersion(0x0301);
    /// TLS 1.1.
    pub const TLS11: WireVersion = WireVersion(0x0302);
    /// TLS 1.2.
    pub const TLS12: WireVersion = WireVersion(0x0303);

    /// `TLSv1`, `TLSv1.1`, … as Postfix and OpenSSL name them.
    pub fn name(self) -> String {
        match self.0 {
            0x0300 => "SSLv3".into(),
            0x0301 => "TLSv1".into(),
            0x0302 => "TLSv1.1".into(),
            0x0303 => "TLSv1.2".into(),
            0x0304 => "TLSv1.3".into(),
            v => format!("0x{v:04x}"),
        }
    }
}

/// Cipher suites offered by the raw probe: everything a legacy server might
/// pick, so that "no shared suite" is not mistaken for "version refused".
/// IANA values; the names are those of the TLS registry.
pub const LEGACY_SUITES: &[(u16, &str)] = &[
    (0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    (0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    (0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    (0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    (0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    (0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
    (0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
    (0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
    (0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
    (0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
    (0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
    (0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
    (0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
    (0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
    (0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
    (0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
    (0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"),
    (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
    (0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"),
    (0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
    (0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
    (0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
    // TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746): some servers refuse without it.
    (0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
];

/// The IANA name of a suite the probe offered, or its number.
pub fn suite_name(id: u16) -> String {
    LEGACY_SUITES
        .iter()
        .find(|(v, _)| *v == id)
        .map(|(_, n)| (*n).to_string())
        .unwrap_or_else(|| format!("0x{id:04x}"))
}

/// True for suites that lack forward secrecy or an AEAD cipher (HISF-MAIL-007).
pub fn suite_is_weak(name: &str) -> bool {
    !(name.contains("ECDHE") || name.contains("DHE"))
        || !(name.contains("GCM") || name.contains("CHACHA20"))
}

/// True for suites HISF-MAIL-005 forbids outright.
pub fn suite_is_forbidden(name: &str) -> bool {
    ["NULL", "EXPORT", "RC4", "3DES", "anon"]
        .iter()
        .any(|w| name.contains(w))
}

/// Builds a ClientHello whose highest version is `max`, with SNI when
/// `sni` is a DNS name.
pub fn client_hello(max: WireVersion, sni: Option<&str>, random: [u8; 32]) -> Vec<u8> {
    let mut body = Vec::with_capacity(256);
    body.extend_from_slice(&max.0.to_be_bytes());
    body.extend_from_slice(&random);
    body.push(0); // no session id
    let suites: Vec<u8> = LEGACY_SUITES
        .iter()
        .flat_map(|(v, _)| v.to_be_bytes())
        .collect();
    body.extend_from_slice(&(suites.len() as u16).to_be_bytes());
    body.extend_from_slice(&suites);
    body.extend_from_slice(&[1, 0]); // compression: null only

    let mut ext = Vec::new();
    if let Some(name) = sni.filter(|n| n.len() < 256 && !n.is_empty()) {
        let n = name.as_bytes();
        let mut sn = Vec::new();
        sn.extend_from_slice(&((n.len() + 3) as u16).to_be_bytes());
        sn.push(0); // host_name
        sn.extend_from_slice(&(n.len() as u16).to_be_bytes());
        sn.extend_from_slice(n);
        push_ext(&mut ext, 0x0000, &sn);
    }
    // supported_groups: x25519, secp256r1, secp384r1 (for the ECDHE suites).
    push_ext(
        &mut ext,
        0x000a,
        &[0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18],
    );
    // ec_point_formats: uncompressed.
    push_ext(&mut ext, 0x000b, &[1, 0]);
    if max >= WireVersion::TLS12 {
        // signature_algorithms, required for TLS 1.2 servers to pick a certificate.
        let algs: [u16; 8] = [
            0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0804, 0x0805, 0x0201,
        ];
        let mut a = Vec::new();
        a.extend_from_slice(&((algs.len() * 2) as u16).to_be_bytes());
        for alg in algs {
            a.extend_from_slice(&alg.to_be_bytes());
        }
        push_ext(&mut ext, 0x000d, &a);
    }
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);

    let mut hs = Vec::with_capacity(body.len() + 4);
    hs.push(1); // client_hello
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);

    let mut rec = Vec::with_capacity(hs.len() + 5);
    rec.push(0x16);
    // Record-layer version TLS 1.0, as clients send for compatibility.
    rec.extend_from_slice(&WireVersion::TLS10.0.to_be_bytes());
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

fn push_ext(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    out.extend_from_slice(&(data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
}

/// What the server answered to the raw ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A ServerHello choosing this version and suite.
    ServerHello {
        /// Version the server chose.
        version: WireVersion,
        /// Suite the server chose.
        suite: u16,
    },
    /// A TLS alert (level, description), e.g. 70 protocol_version, 40 handshake_failure.
    Alert(u8, u8),
    /// The connection closed before a whole ServerHello or alert arrived.
    Closed,
    /// The bytes are not TLS (e.g. an SMTP line).
    NotTls(String),
    /// A malformed ServerHello.
    Malformed(String),
}

/// Bytes read at most while looking for the ServerHello: it is rarely over
/// 200, but servers pack it with the certificates into records of up to
/// 16 KiB (+ 2 KiB of expansion), and a record is only parsed whole.
pub const MAX_ANSWER_BYTES: usize = 40 * 1024;

/// Sends the ClientHello and reads the answer; `step` bounds each read.
/// `Err(())` is a timeout: inconclusive, not "rejected".
pub async fn probe<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    hello: &[u8],
    step: Duration,
) -> Result<Answer, ProbeTimeout> {
    if tokio::time::timeout(step, stream.write_all(hello))
        .await
        .map_err(|_| ProbeTimeout)?
        .is_err()
    {
        return Ok(Answer::Closed);
    }
    let mut reader = RecordReader::default();
    loop {
        if let Some(a) = reader.answer() {
            return Ok(a);
        }
        if reader.raw.len() >= MAX_ANSWER_BYTES {
            return Ok(Answer::Malformed(format!(
                "no ServerHello in the first {MAX_ANSWER_BYTES} bytes"
            )));
        }
        let mut chunk = [0u8; 2048];
        let n = match tokio::time::timeout(step, stream.read(&mut chunk)).await {
            Err(_) => return Err(ProbeTimeout),
            Ok(Err(_)) | Ok(Ok(0)) => return Ok(reader.answer().unwrap_or(Answer::Closed)),
            Ok(Ok(n)) => n,
        };
        reader.raw.extend_from_slice(&chunk[..n]);
    }
}

/// The server did not answer within the step timeout.
#[derive(Debug, Clone, Copy)]
pub struct ProbeTimeout;

/// Reassembles handshake bytes from records of any size (down to one byte).
#[derive(Default)]
struct RecordReader {
    raw: Vec<u8>,
}

impl RecordReader {
    /// The answer, once enough bytes have arrived.
    fn answer(&self) -> Option<Answer> {
        let mut pos = 0;
        let mut handshake = Vec::new();
        let mut alert = Vec::new();
        while self.raw.len() >= pos + 5 {
            let kind = self.raw[pos];
            let len = u16::from_be_bytes([self.raw[pos + 3], self.raw[pos + 4]]) as usize;
            if !(0x14..=0x18).contains(&kind) || self.raw[pos + 1] != 3 || len > 18_432 {
                let text: String = String::from_utf8_lossy(&self.raw[..self.raw.len().min(80)])
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                return Some(Answer::NotTls(text.trim().to_string()));
            }
            if self.raw.len() < pos + 5 + len {
                return None;
            }
            let frag = &self.raw[pos + 5..pos + 5 + len];
            pos += 5 + len;
            match kind {
                0x15 => {
                    // An alert may arrive split across records too.
                    alert.extend_from_slice(frag);
                    if alert.len() >= 2 {
                        return Some(Answer::Alert(alert[0], alert[1]));
                    }
                }
                0x16 => {
                    handshake.extend_from_slice(frag);
                    if let Some(a) = parse_server_hello(&handshake) {
                        return Some(a);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

fn parse_server_hello(hs: &[u8]) -> Option<Answer> {
    if hs.len() < 4 {
        return None;
    }
    if hs[0] != 2 {
        return Some(Answer::Malformed(format!(
            "first handshake message is type {}, not ServerHello",
            hs[0]
        )));
    }
    let len = u32::from_be_bytes([0, hs[1], hs[2], hs[3]]) as usize;
    let body = &hs[4..];
    // version(2) random(32) session_id_len(1) session_id(≤32) suite(2) compression(1)
    if len < 38 {
        return Some(Answer::Malformed(format!("ServerHello of {len} bytes")));
    }
    if body.len() < 35 {
        return None;
    }
    let version = WireVersion(u16::from_be_bytes([body[0], body[1]]));
    let sid = body[34] as usize;
    if sid > 32 || 37 + sid > len {
        return Some(Answer::Malformed(format!(
            "ServerHello session id of {sid} bytes"
        )));
    }
    if body.len() < 37 + sid {
        return None;
    }
    let suite = u16::from_be_bytes([body[35 + sid], body[36 + sid]]);
    Some(Answer::ServerHello { version, suite })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_hello(version: u16, suite: u16) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&[7; 32]);
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

    #[test]
    fn server_hello_split_into_one_byte_records() {
        let raw = records(&server_hello(0x0302, 0xc013), 1);
        let want = Answer::ServerHello {
            version: WireVersion::TLS11,
            suite: 0xc013,
        };
        // Nothing until the suite's last byte has arrived (record 41 of 42), then the answer.
        for cut in 0..raw.len() {
            let r = RecordReader {
                raw: raw[..cut].to_vec(),
            };
            let expect = (cut >= 41 * 6).then(|| want.clone());
            assert_eq!(r.answer(), expect, "after {cut} bytes");
        }
        let r = RecordReader { raw };
        assert_eq!(
            r.answer(),
            Some(Answer::ServerHello {
                version: WireVersion::TLS11,
                suite: 0xc013
            })
        );
    }

    #[test]
    fn alerts_and_garbage() {
        let r = RecordReader {
            raw: vec![0x15, 3, 1, 0, 2, 2, 70],
        };
        assert_eq!(r.answer(), Some(Answer::Alert(2, 70)));
        let r = RecordReader {
            raw: vec![0x15, 3, 1, 0, 1, 2, 0x15, 3, 1, 0, 1, 40],
        };
        assert_eq!(
            r.answer(),
            Some(Answer::Alert(2, 40)),
            "an alert in one-byte records"
        );
        let r = RecordReader {
            raw: b"500 5.5.1 what?\r\n".to_vec(),
        };
        assert!(matches!(r.answer(), Some(Answer::NotTls(t)) if t.starts_with("500 5.5.1")));
    }

    #[test]
    fn hello_is_well_formed() {
        let h = client_hello(WireVersion::TLS11, Some("mx.example.health.nz"), [1; 32]);
        assert_eq!(h[0], 0x16);
        assert_eq!(u16::from_be_bytes([h[3], h[4]]) as usize, h.len() - 5);
        assert_eq!(h[5], 1);
        assert_eq!(
            u32::from_be_bytes([0, h[6], h[7], h[8]]) as usize,
            h.len() - 9
        );
        assert_eq!(&h[9..11], &[3, 2]);
        assert!(h.windows(20).any(|w| w == b"mx.example.health.nz"));
    }
}
