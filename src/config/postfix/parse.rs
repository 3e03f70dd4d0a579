//! Parsers for Postfix `main.cf` and `master.cf` that keep byte spans.
//!
//! main.cf: `name = value`; a line starting with whitespace continues the
//! previous logical line; a line whose first non-blank character is `#` is a
//! comment (a `#` later on a line is part of the value, as in Postfix).

use std::ops::Range;

use crate::config::SyntaxError;
use crate::source::SourceFile;

/// Upper bound on logical lines, so a hostile file cannot make us build huge tables.
const MAX_LINES: usize = 100_000;

/// One `name = value` in main.cf.
#[derive(Debug, Clone)]
pub struct Param {
    /// Parameter name.
    pub name: String,
    /// Span of the name.
    pub name_span: Range<usize>,
    /// Value with continuation lines joined by single spaces.
    pub value: String,
    /// Span from the first to the last value character (empty at the `=` for empty values).
    pub value_span: Range<usize>,
}

/// A parsed main.cf. Later definitions win, as in Postfix.
#[derive(Debug, Clone, Default)]
pub struct MainCf {
    /// Parameters in file order.
    pub params: Vec<Param>,
}

impl MainCf {
    /// The last definition of `name`.
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.params.iter().rev().find(|p| p.name == name)
    }
}

/// A logical line: its pieces joined, with the span of each piece.
struct Logical {
    pieces: Vec<(Range<usize>, String)>,
}

/// Splits text into logical lines (continuations joined), skipping comments and blanks.
fn logical_lines(src: &SourceFile) -> Result<Vec<Logical>, SyntaxError> {
    let mut out: Vec<Logical> = Vec::new();
    let mut offset = 0;
    for (n, raw) in src.text.split_inclusive('\n').enumerate() {
        if n >= MAX_LINES {
            return Err(SyntaxError {
                message: format!("more than {MAX_LINES} lines"),
                span: offset..offset,
            });
        }
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let lead = line.len() - trimmed.len();
        let body = trimmed.trim_end();
        let span = start + lead..start + lead + body.len();
        if lead > 0 {
            match out.last_mut() {
                Some(l) => l.pieces.push((span, body.to_string())),
                None => {
                    return Err(SyntaxError {
                        message: "a line starting with whitespace continues a previous line, but there is none".into(),
                        span,
                    })
                }
            }
        } else {
            out.push(Logical {
                pieces: vec![(span, body.to_string())],
            });
        }
    }
    Ok(out)
}

/// Parses main.cf.
pub fn parse_main(src: &SourceFile) -> Result<MainCf, SyntaxError> {
    let mut params = Vec::new();
    for l in logical_lines(src)? {
        let (first_span, first) = &l.pieces[0];
        let Some(eq) = first.find('=') else {
            let end = first_span.start + first.find(char::is_whitespace).unwrap_or(first.len());
            return Err(SyntaxError {
                message: format!(
                    "missing `=` after parameter name `{}`",
                    &first[..end - first_span.start]
                ),
                span: first_span.start..end,
            });
        };
        let name = first[..eq].trim_end();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            return Err(SyntaxError {
                message: format!("invalid parameter name `{name}`"),
                span: first_span.start..first_span.start + eq,
            });
        }
        let after = &first[eq + 1..];
        let vstart_in = eq + 1 + (after.len() - after.trim_start().len());
        let mut value = first[vstart_in..].to_string();
        let mut value_span = first_span.start + vstart_in..first_span.end;
        for (span, text) in &l.pieces[1..] {
            if !value.is_empty() {
                value.push(' ');
            }
            value.push_str(text);
            if value_span.is_empty() {
                value_span.start = span.start;
            }
            value_span.end = span.end;
        }
        params.push(Param {
            name: name.to_string(),
            name_span: first_span.start..first_span.start + name.len(),
            value,
            value_span,
        });
    }
    Ok(MainCf { params })
}

/// A `-o name=value` override on a master.cf service.
#[derive(Debug, Clone)]
pub struct Override {
    /// Parameter name.
    pub name: String,
    /// Value as written.
    pub value: String,
    /// Span of the whole `name=value` text.
    pub span: Range<usize>,
}

/// One master.cf service entry.
#[derive(Debug, Clone)]
pub struct Service {
    /// Service name (`smtp`, `submission`, `127.0.0.1:2525`...).
    pub name: String,
    /// Span of the service name.
    pub name_span: Range<usize>,
    /// Service type (`inet`, `unix`, `pass`...).
    pub kind: String,
    /// Command name (`smtpd`, `postscreen`...).
    pub command: String,
    /// `-o` overrides in order.
    pub overrides: Vec<Override>,
}

impl Service {
    /// The TCP port an inet service listens on, when it is one hisf knows.
    pub fn port(&self) -> Option<u16> {
        if self.kind != "inet" {
            return None;
        }
        let port = self
            .name
            .rsplit_once(':')
            .map_or(self.name.as_str(), |(_, p)| p);
        match port {
            "smtp" => Some(25),
            "submission" => Some(587),
            "smtps" | "submissions" => Some(465),
            p => p.parse().ok(),
        }
    }

    /// The last override of `name`.
    pub fn get(&self, name: &str) -> Option<&Override> {
        self.overrides.iter().rev().find(|o| o.name == name)
    }
}

/// A parsed master.cf.
#[derive(Debug, Clone, Default)]
pub struct MasterCf {
    /// Services in file order.
    pub services: Vec<Service>,
}

/// Tokens of a logical line with spans; `{ ... }` groups are one token.
fn tokens(l: &Logical) -> Result<Vec<(Range<usize>, String)>, SyntaxError> {
    let mut out: Vec<(Range<usize>, String)> = Vec::new();
    let mut group: Option<(usize, String)> = None;
    for (span, text) in &l.pieces {
        let mut i = 0;
        let b = text.as_bytes();
        while i < b.len() {
            if b[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
            let s = i;
            if group.is_none() && b[i] == b'{' {
                group = Some((span.start + s, String::new()));
                i += 1;
                continue;
            }
            if let Some((gs, g)) = &mut group {
                if let Some(close) = text[s..].find('}') {
                    g.push_str(text[s..s + close].trim());
                    out.push((*gs..span.start + s + close + 1, g.trim().to_string()));
                    group = None;
                    i = s + close + 1;
                } else {
                    g.push_str(text[s..].trim());
                    g.push(' ');
                    i = b.len();
                }
                continue;
            }
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            out.push((span.start + s..span.start + i, text[s..i].to_string()));
        }
    }
    if let Some((gs, _)) = group {
        return Err(SyntaxError {
            message: "unclosed `{` in master.cf entry".into(),
            span: gs..gs + 1,
        });
    }
    Ok(out)
}

/// Parses master.cf.
pub fn parse_master(src: &SourceFile) -> Result<MasterCf, SyntaxError> {
    let mut services = Vec::new();
    for l in logical_lines(src)? {
        let toks = tokens(&l)?;
        if toks.len() < 8 {
            let span = toks.first().map_or(0..0, |t| {
                t.0.start..toks.last().map_or(t.0.end, |t| t.0.end)
            });
            return Err(SyntaxError {
                message: format!("a master.cf entry needs 8 fields (service type private unpriv chroot wakeup maxproc command), found {}", toks.len()),
                span,
            });
        }
        let mut overrides = Vec::new();
        let mut i = 8;
        while i < toks.len() {
            let (span, t) = &toks[i];
            let (text, span) = if t == "-o" {
                i += 1;
                match toks.get(i) {
                    Some((s, v)) => (v.as_str(), s.clone()),
                    None => {
                        return Err(SyntaxError {
                            message: "`-o` without a `name=value` after it".into(),
                            span: span.clone(),
                        })
                    }
                }
            } else if let Some(rest) = t.strip_prefix("-o") {
                (rest, span.start + 2..span.end)
            } else {
                i += 1;
                continue;
            };
            let Some((n, v)) = text.split_once('=') else {
                return Err(SyntaxError {
                    message: format!("`-o {text}` is not of the form name=value"),
                    span,
                });
            };
            overrides.push(Override {
                name: n.trim().to_string(),
                value: v.trim().to_string(),
                span,
            });
            i += 1;
        }
        services.push(Service {
            name: toks[0].1.clone(),
            name_span: toks[0].0.clone(),
            kind: toks[1].1.clone(),
            command: toks[7].1.clone(),
            overrides,
        });
    }
    Ok(MasterCf { services })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_and_hash_in_value() {
        let src = SourceFile::new("main.cf", "# c\na = x # y\nb =\n  one,\n  two\nc=\n".into());
        let m = parse_main(&src).unwrap();
        assert_eq!(m.get("a").unwrap().value, "x # y");
        let b = m.get("b").unwrap();
        assert_eq!(b.value, "one, two");
        assert_eq!(&src.text[b.value_span.clone()], "one,\n  two");
        assert_eq!(m.get("c").unwrap().value, "");
    }

    #[test]
    fn master_overrides_both_syntaxes() {
        let src = SourceFile::new(
            "master.cf",
            "submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n".into(),
        );
        let m = parse_master(&src).unwrap();
        let s = &m.services[0];
        assert_eq!(s.port(), Some(587));
        assert_eq!(s.get("smtpd_tls_security_level").unwrap().value, "encrypt");
        assert_eq!(
            s.get("smtpd_client_restrictions").unwrap().value,
            "permit_sasl_authenticated, reject"
        );
    }

    #[test]
    fn missing_equals_is_an_error_at_the_name() {
        let src = SourceFile::new("main.cf", "ok = 1\nbroken value\n".into());
        let e = parse_main(&src).unwrap_err();
        assert_eq!(&src.text[e.span], "broken");
    }
}
