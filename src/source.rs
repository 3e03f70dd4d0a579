//! Source text of a loaded file and the mapping from byte offsets to line:column.

use std::ops::Range;
use std::path::PathBuf;

/// One input file held in memory, with a line index for span lookups.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as given on the command line (or discovered under it).
    pub path: PathBuf,
    /// The whole file as UTF-8 text.
    pub text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line and column (columns count characters, as editors and GitHub do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl SourceFile {
    /// Wraps text read from `path`.
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// Path for display, with forward slashes.
    pub fn display_path(&self) -> String {
        let p = self.path.to_string_lossy();
        let mut p: &str = &p;
        // `./x` and `x` are the same file; GitHub annotations and SARIF want
        // the plain workspace-relative form.
        while let Some(rest) = p.strip_prefix("./").or_else(|| p.strip_prefix(".\\")) {
            p = rest;
        }
        p.replace('\\', "/")
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp(offset);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let column = self.text[self.line_starts[line]..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and a 0-based character column.
    pub fn offset_of(&self, line: usize, char_col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_len = rest.find('\n').unwrap_or(rest.len());
        rest[..line_len]
            .char_indices()
            .nth(char_col)
            .map_or(start + line_len, |(i, _)| start + i)
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let rest = &self.text[start..];
        let rest = &rest[..rest.find('\n').unwrap_or(rest.len())];
        rest.strip_suffix('\r').unwrap_or(rest)
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Clamps a byte offset into the text and back onto a char boundary.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// Clamps a byte range into the text.
    pub fn clamp_range(&self, r: &Range<usize>) -> Range<usize> {
        let s = self.clamp(r.start);
        s..self.clamp(r.end).max(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x", "ab\nçé: 1\n".to_string());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'ç' and 'é' are two bytes each: ':' sits at byte 7, column 3.
        assert_eq!(f.line_col(7), LineCol { line: 2, column: 3 });
        assert_eq!(f.offset_of(2, 2), 7);
        assert_eq!(f.line_text(2), "çé: 1");
    }
}
