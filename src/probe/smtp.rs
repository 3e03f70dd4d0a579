//! The SMTP side of a probe: banner, EHLO, STARTTLS, QUIT. One command at a
//! time (never pipelined); every reply read is bounded in line length, lines
//! and total bytes, and every step has a timeout.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{ProbeError, Stage};

/// Longest reply line accepted (RFC 5321 §4.5.3.1.5 allows 512 octets).
pub const MAX_LINE: usize = 2048;
/// Most lines in one reply (an EHLO reply has one per extension).
pub const MAX_LINES: usize = 64;
/// Most bytes read from a server over a whole SMTP dialogue.
pub const MAX_BYTES: usize = 64 * 1024;

/// One SMTP reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// The text of each line, without code and separator.
    pub lines: Vec<String>,
}

impl Reply {
    /// The reply as one line for messages.
    pub fn summary(&self) -> String {
        let text = self.lines.first().map(String::as_str).unwrap_or("");
        let mut s = format!("{} {}", self.code, text);
        if s.len() > 200 {
            let cut = (0..=200)
                .rev()
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(0);
            s.truncate(cut);
            s.push('…');
        }
        s
    }
}

/// A bounded SMTP reader/writer over a stream.
pub struct Smtp<S> {
    /// The stream.
    pub stream: S,
    buf: Vec<u8>,
    read_total: usize,
    step: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Smtp<S> {
    /// Wraps a connected stream.
    pub fn new(stream: S, step: Duration) -> Self {
        Smtp {
            stream,
            buf: Vec::with_capacity(1024),
            read_total: 0,
            step,
        }
    }

    /// Bytes received but not yet consumed (after `220 Ready to start TLS`
    /// these must be empty: anything else arrived in plaintext before TLS).
    pub fn pending(&self) -> &[u8] {
        &self.buf
    }

    /// Gives the stream back, dropping any buffered bytes.
    pub fn into_inner(self) -> S {
        self.stream
    }

    async fn read_line(&mut self, stage: Stage) -> Result<String, ProbeError> {
        loop {
            if let Some(nl) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=nl).collect();
                let mut line = String::from_utf8_lossy(&line).into_owned();
                while line.ends_with(['\r', '\n']) {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() > MAX_LINE {
                return Err(ProbeError::new(
                    stage,
                    "line_too_long",
                    format!("a reply line longer than {MAX_LINE} bytes (no line end)"),
                ));
            }
            if self.read_total >= MAX_BYTES {
                return Err(ProbeError::new(
                    stage,
                    "too_much_data",
                    format!("more than {MAX_BYTES} bytes of SMTP replies"),
                ));
            }
            let mut chunk = [0u8; 1024];
            let want = chunk.len().min(MAX_BYTES - self.read_total);
            let n =
                match tokio::time::timeout(self.step, self.stream.read(&mut chunk[..want])).await {
                    Err(_) => {
                        return Err(ProbeError::new(
                            stage,
                            "timeout",
                            format!("no complete reply within {} s", self.step.as_secs_f32()),
                        ))
                    }
                    Ok(Err(e)) => return Err(ProbeError::new(stage, "io", e.to_string())),
                    Ok(Ok(0)) => {
                        return Err(ProbeError::new(
                            stage,
                            "closed",
                            "the server closed the connection".to_string(),
                        ))
                    }
                    Ok(Ok(n)) => n,
                };
            self.read_total += n;
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Reads one whole reply (all `NNN-` lines up to the final `NNN `).
    pub async fn reply(&mut self, stage: Stage) -> Result<Reply, ProbeError> {
        let mut lines = Vec::new();
        let mut code = None;
        loop {
            let line = self.read_line(stage).await?;
            let b = line.as_bytes();
            let valid = b.len() >= 3
                && b[..3].iter().all(u8::is_ascii_digit)
                && (b.len() == 3 || b[3] == b' ' || b[3] == b'-');
            if !valid {
                let shown: String = line.chars().take(80).collect();
                return Err(ProbeError::new(
                    stage,
                    "garbage",
                    format!("not an SMTP reply line: {shown:?}"),
                ));
            }
            let c: u16 = line[..3].parse().unwrap_or(0);
            if *code.get_or_insert(c) != c {
                return Err(ProbeError::new(
                    stage,
                    "garbage",
                    format!(
                        "reply code changed from {} to {c} within one reply",
                        code.unwrap_or(0)
                    ),
                ));
            }
            lines.push(line.get(4..).unwrap_or("").to_string());
            if b.len() == 3 || b[3] == b' ' {
                return Ok(Reply { code: c, lines });
            }
            if lines.len() >= MAX_LINES {
                return Err(ProbeError::new(
                    stage,
                    "too_many_lines",
                    format!("a reply of more than {MAX_LINES} lines"),
                ));
            }
        }
    }

    /// Sends one command line (CRLF added) and reads its reply.
    pub async fn command(&mut self, line: &str, stage: Stage) -> Result<Reply, ProbeError> {
        let data = format!("{line}\r\n");
        match tokio::time::timeout(self.step, self.stream.write_all(data.as_bytes())).await {
            Err(_) => {
                return Err(ProbeError::new(
                    stage,
                    "timeout",
                    "could not send the command in time".into(),
                ))
            }
            Ok(Err(e)) => return Err(ProbeError::new(stage, "io", e.to_string())),
            Ok(Ok(())) => {}
        }
        self.reply(stage).await
    }

    /// QUIT, politely, ignoring the outcome.
    pub async fn quit(&mut self) {
        let step = self.step.min(Duration::from_secs(2));
        let _ = tokio::time::timeout(step, async {
            self.stream.write_all(b"QUIT\r\n").await.ok()?;
            self.stream.flush().await.ok()?;
            let mut b = [0u8; 512];
            self.stream.read(&mut b).await.ok()
        })
        .await;
    }
}

/// EHLO keywords (upper-cased first word of each line after the greeting).
pub fn capabilities(ehlo: &Reply) -> Vec<String> {
    ehlo.lines
        .iter()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_ascii_uppercase)
        .collect()
}

/// A 4xx reply or a 421 means "come back later": throttled, inconclusive.
pub fn is_temporary(code: u16) -> bool {
    (400..500).contains(&code)
}
