//! Suppressions: inline `# hisf: ignore[RULE-ID] reason` comments and the repo file `.hisf.yml`.
//!
//! An inline comment at the end of a line covers findings on that line; a
//! comment alone on its line covers the next line. Entries in `.hisf.yml`
//! cover a rule in files matching a glob, until an optional expiry date.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobMatcher};

use crate::config::{self, Origin};
use crate::policy::rules::file;
use crate::policy::{finding, RawFinding};
use crate::source::SourceFile;

/// One inline suppression comment.
#[derive(Debug)]
pub struct Inline {
    /// Line whose findings it covers.
    pub covers_line: usize,
    /// Rule IDs named.
    pub rules: Vec<String>,
    /// Why the findings are accepted.
    pub reason: String,
    /// Span of the comment.
    pub span: Range<usize>,
    /// Whether any finding used it.
    pub used: bool,
}

/// Scans a file's comments for suppressions; malformed ones come back as findings.
pub fn scan_inline(src: &Arc<SourceFile>, errors: &mut Vec<(Origin, RawFinding)>) -> Vec<Inline> {
    let mut out = Vec::new();
    if !src.text.contains("hisf:") {
        return out;
    }
    for line in 1..=src.line_count() {
        let text = src.line_text(line);
        let Some(hash) = comment_start(text) else {
            continue;
        };
        let comment = text[hash + 1..].trim_start();
        let Some(rest) = comment.strip_prefix("hisf:") else {
            continue;
        };
        let rest = rest.trim_start();
        let start = src.line_start(line) + hash;
        let span = start..src.line_start(line) + text.len();
        let origin = Origin::at(src.clone(), span.clone());
        let bad = |msg: &str, errors: &mut Vec<(Origin, RawFinding)>| {
            errors.push((
                origin.clone(),
                finding(&file::SUPPRESSION_INVALID, "", msg.to_string()),
            ));
        };
        let Some(body) = rest.strip_prefix("ignore[") else {
            bad(
                "unknown hisf directive: expected `hisf: ignore[RULE-ID] reason`",
                errors,
            );
            continue;
        };
        let Some((ids, reason)) = body.split_once(']') else {
            bad("unclosed `[` in suppression", errors);
            continue;
        };
        let rules: Vec<String> = ids
            .split(',')
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty())
            .collect();
        if rules.is_empty() {
            bad("suppression names no rule", errors);
            continue;
        }
        if let Some(unknown) = rules
            .iter()
            .find(|r| crate::policy::registry::find(r).is_none())
        {
            bad(
                &format!("suppression names unknown rule `{unknown}`"),
                errors,
            );
            continue;
        }
        if reason.trim().is_empty() {
            bad(
                "suppression has no reason: say why the finding is accepted",
                errors,
            );
            continue;
        }
        let alone = text[..hash].trim().is_empty();
        out.push(Inline {
            covers_line: if alone { line + 1 } else { line },
            rules,
            reason: reason.trim().to_string(),
            span,
            used: false,
        });
    }
    out
}

/// Byte index of a `#` that starts a comment (not inside quotes), if any.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None if (c == '"' || c == '\'')
                && (i == 0
                    || prev.is_whitespace()
                    || matches!(prev, ':' | '=' | '[' | '{' | ',')) =>
            {
                quote = Some(c)
            }
            None if c == '#' && (i == 0 || prev.is_whitespace()) => return Some(i),
            None => {}
        }
        prev = c;
    }
    None
}

/// One entry of `.hisf.yml`.
#[derive(Debug)]
pub struct RepoEntry {
    /// Glob over paths relative to the file's directory.
    pub matcher: GlobMatcher,
    /// Rule ID.
    pub rule: String,
    /// Why it is accepted.
    pub reason: String,
    /// Expiry date, YYYY-MM-DD.
    pub expires: Option<String>,
    /// Location of the entry.
    pub origin: Origin,
    /// Location of `expires`.
    pub expires_origin: Option<Origin>,
    /// Whether any finding used it.
    pub used: bool,
}

/// The parsed `.hisf.yml`.
#[derive(Debug, Default)]
pub struct RepoConfig {
    /// Directory paths are relative to.
    pub base: PathBuf,
    /// Entries.
    pub entries: Vec<RepoEntry>,
}

impl RepoConfig {
    /// Loads `.hisf.yml`; problems come back as findings at their place.
    pub fn load(
        path: &Path,
        errors: &mut Vec<(Origin, RawFinding)>,
    ) -> std::io::Result<RepoConfig> {
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let src = match config::read_text(path)? {
            Ok(s) => Arc::new(s),
            Err((s, e)) => {
                errors.push(crate::lint::syntax(&Arc::new(s), e));
                return Ok(RepoConfig {
                    base,
                    entries: vec![],
                });
            }
        };
        let docs = match config::parse_structured(&src, config::Format::Yaml) {
            Ok(d) => d,
            Err(e) => {
                errors.push(crate::lint::syntax(&src, e));
                return Ok(RepoConfig {
                    base,
                    entries: vec![],
                });
            }
        };
        let mut entries = Vec::new();
        let Some(doc) = docs.first() else {
            return Ok(RepoConfig { base, entries });
        };
        let list = doc
            .value
            .get("suppressions")
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default();
        if doc.value.get("suppressions").is_some_and(|v| !v.is_array()) || !doc.value.is_object() {
            errors.push((
                doc.locate("/suppressions"),
                finding(
                    &file::SUPPRESSION_INVALID,
                    "",
                    "`.hisf.yml` must be a mapping with a `suppressions:` list",
                ),
            ));
        }
        for (i, e) in list.iter().enumerate() {
            let ptr = format!("/suppressions/{i}");
            let field = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let missing: Vec<&str> = ["path", "rule", "reason"]
                .into_iter()
                .filter(|k| field(k).is_none_or(|v| v.trim().is_empty()))
                .collect();
            if !missing.is_empty() {
                errors.push((
                    doc.locate(&ptr),
                    finding(
                        &file::SUPPRESSION_INVALID,
                        "",
                        format!(
                            "suppression needs {}",
                            missing
                                .iter()
                                .map(|m| format!("`{m}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                ));
                continue;
            }
            let (path, rule) = (
                field("path").unwrap_or_default(),
                field("rule").unwrap_or_default().to_ascii_uppercase(),
            );
            if crate::policy::registry::find(&rule).is_none() {
                errors.push((
                    doc.locate(&format!("{ptr}/rule")),
                    finding(
                        &file::SUPPRESSION_INVALID,
                        "",
                        format!("suppression names unknown rule `{rule}`"),
                    ),
                ));
                continue;
            }
            if let Some(k) = e.as_object().and_then(|o| {
                o.keys()
                    .find(|k| !matches!(k.as_str(), "path" | "rule" | "reason" | "expires"))
            }) {
                errors.push((doc.locate(&format!("{ptr}/{k}")), finding(&file::SUPPRESSION_INVALID, "", format!("unknown key `{k}` in suppression (expected path, rule, reason, expires)"))));
                continue;
            }
            if e.get("expires").is_some_and(|x| !x.is_string()) {
                errors.push((
                    doc.locate(&format!("{ptr}/expires")),
                    finding(
                        &file::SUPPRESSION_INVALID,
                        "",
                        "`expires` must be a YYYY-MM-DD date",
                    ),
                ));
                continue;
            }
            let expires = field("expires");
            if let Some(x) = &expires {
                if !is_date(x) {
                    errors.push((
                        doc.locate(&format!("{ptr}/expires")),
                        finding(
                            &file::SUPPRESSION_INVALID,
                            "",
                            format!("`expires: {x}` is not a YYYY-MM-DD date"),
                        ),
                    ));
                    continue;
                }
            }
            let matcher = match Glob::new(&path) {
                Ok(g) => g.compile_matcher(),
                Err(err) => {
                    errors.push((
                        doc.locate(&format!("{ptr}/path")),
                        finding(
                            &file::SUPPRESSION_INVALID,
                            "",
                            format!("invalid path glob: {err}"),
                        ),
                    ));
                    continue;
                }
            };
            entries.push(RepoEntry {
                matcher,
                rule,
                reason: field("reason").unwrap_or_default(),
                expires_origin: expires
                    .as_ref()
                    .map(|_| doc.locate(&format!("{ptr}/expires"))),
                expires,
                origin: doc.locate(&ptr),
                used: false,
            });
        }
        Ok(RepoConfig { base, entries })
    }

    /// Finds an unexpired entry covering `rule` in `path`.
    pub fn matching(&mut self, path: &Path, rule: &str, today: &str) -> Option<&mut RepoEntry> {
        let rel = path.strip_prefix(&self.base).unwrap_or(path);
        let rel = rel.strip_prefix("./").unwrap_or(rel);
        self.entries.iter_mut().find(|e| {
            e.rule == rule
                && e.matcher.is_match(rel)
                && e.expires.as_deref().is_none_or(|x| x >= today)
        })
    }
}

/// Whether a string is a YYYY-MM-DD date (shape only).
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}
