//! Loading config files: discovery, format detection, parsing with spans,
//! and the mapping from logical locations (JSON pointers) back to source.

pub mod json;
pub mod model;
pub mod postfix;
pub mod toml;
pub mod tree;
pub mod yaml;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::source::SourceFile;
use tree::Node;

/// A parse error at a byte span.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Range<usize>,
}

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.yaml` / `.yml`, one or more documents.
    Yaml,
    /// `.json`, one document or an array of documents.
    Json,
    /// `.toml`, one document.
    Toml,
    /// Postfix `main.cf`.
    PostfixMain,
    /// Postfix `master.cf`.
    PostfixMaster,
}

impl Format {
    /// Recognises a config file by name.
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        match name {
            "main.cf" => return Some(Format::PostfixMain),
            "master.cf" => return Some(Format::PostfixMaster),
            _ => {}
        }
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

/// Where a logical location lands in a source file.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file.
    pub source: Arc<SourceFile>,
    /// Span of the value (or of the whole construct).
    pub span: Range<usize>,
    /// Span of the key naming the value, if any.
    pub key_span: Option<Range<usize>>,
    /// Extra label for the annotation (e.g. "not set; Postfix default `>=TLSv1`").
    pub label: Option<String>,
    /// Format-specific advice replacing the rule's help (e.g. Postfix syntax).
    pub help: Option<String>,
}

impl Origin {
    /// A plain location: no key, label or help.
    pub fn at(source: Arc<SourceFile>, span: Range<usize>) -> Origin {
        Origin {
            source,
            span,
            key_span: None,
            label: None,
            help: None,
        }
    }

    /// This ancestor's location standing in for `missing`, a field not written under it.
    fn for_missing(mut self, missing: &str) -> Origin {
        if let Some(k) = self.key_span.take() {
            self.span = k;
        }
        let missing = missing.trim_start_matches('/').replace('/', ".");
        self.label
            .get_or_insert_with(|| format!("`{missing}` is not set here"));
        self
    }
}

/// A config document ready for the schema check and the rules.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file the document came from (main.cf for a Postfix instance).
    pub source: Arc<SourceFile>,
    /// Document number within the file, from 0.
    pub index: usize,
    /// The document as JSON.
    pub value: serde_json::Value,
    /// JSON pointer → source location, for generated documents (Postfix).
    pub origins: HashMap<String, Origin>,
    /// The parsed tree, for written documents: pointers are resolved by walking it.
    pub tree: Option<Node>,
}

impl Document {
    /// Builds a document from a parsed tree.
    pub fn from_node(source: Arc<SourceFile>, index: usize, node: Node) -> Document {
        Document {
            source,
            index,
            value: node.to_json(),
            origins: HashMap::new(),
            tree: Some(node),
        }
    }

    /// Walks the tree along `pointer`: the deepest node reached, its key span,
    /// and the byte length of the pointer prefix that was found.
    fn walk(&self, pointer: &str) -> Option<(Origin, usize)> {
        let mut node = self.tree.as_ref()?;
        let mut key = None;
        let mut matched = 0;
        for token in pointer.split('/').skip(1) {
            let name = tree::unescape_pointer_token(token);
            let next = match &node.value {
                tree::NodeValue::Map(entries) => entries
                    .iter()
                    .find(|(k, _)| k.name == name)
                    .map(|(k, v)| (Some(k.span.clone()), v)),
                tree::NodeValue::Seq(items) => name
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|v| (None, v)),
                _ => None,
            };
            let Some((k, v)) = next else { break };
            key = k;
            node = v;
            matched += 1 + token.len();
        }
        let mut origin = Origin::at(self.source.clone(), node.span.clone());
        origin.key_span = key;
        Some((origin, matched))
    }

    /// Resolves a pointer to a source location. A pointer to something that is
    /// not written lands on its nearest written ancestor, with a label saying so.
    pub fn locate(&self, pointer: &str) -> Origin {
        if let Some((o, matched)) = self.walk(pointer) {
            if matched < pointer.len() {
                return o.for_missing(&pointer[matched..]);
            }
            return o;
        }
        if let Some(o) = self.origins.get(pointer) {
            return o.clone();
        }
        let mut p = pointer;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if let Some(o) = self.origins.get(parent) {
                return o.clone().for_missing(&pointer[parent.len()..]);
            }
            p = parent;
        }
        Origin::at(self.source.clone(), 0..0)
    }
}

/// Why a path could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The path does not exist or cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file named on the command line that hisf does not know how to read.
    #[error("{0} is not a config file hisf reads (expected *.yaml, *.yml, *.json, *.toml, main.cf or master.cf)")]
    Unrecognised(PathBuf),
    /// A directory with nothing to lint.
    #[error(
        "no config files under {0} (looked for *.yaml, *.yml, *.json, *.toml, main.cf, master.cf)"
    )]
    Empty(PathBuf),
}

/// Names that are never configs.
fn skipped(name: &str) -> bool {
    name.starts_with('.') || name == "target" || name == "node_modules"
}

/// Finds config files under the given paths, sorted, without duplicates.
/// Hidden directories (`.git`, `.github`) and `.hisf.yml` are skipped.
/// Files named explicitly are always taken.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<DiscoverError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => errors.push(DiscoverError::Io {
                path: p.clone(),
                source: e,
            }),
            Ok(m) if m.is_file() && Format::of(p).is_none() => {
                errors.push(DiscoverError::Unrecognised(p.clone()))
            }
            Ok(m) if m.is_file() => files.push(p.clone()),
            Ok(_) => {
                let before = files.len();
                let walker = walkdir::WalkDir::new(p)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| e.depth() == 0 || !skipped(&e.file_name().to_string_lossy()));
                for e in walker {
                    match e {
                        Ok(e) if e.file_type().is_file() && Format::of(e.path()).is_some() => {
                            files.push(e.into_path())
                        }
                        Ok(_) => {}
                        Err(err) => {
                            let path = err
                                .path()
                                .map(Path::to_path_buf)
                                .unwrap_or_else(|| p.clone());
                            let source = err
                                .into_io_error()
                                .unwrap_or_else(|| std::io::Error::other("walk error"));
                            errors.push(DiscoverError::Io { path, source });
                        }
                    }
                }
                if files.len() == before {
                    errors.push(DiscoverError::Empty(p.clone()));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

/// Reads a file as UTF-8 text; a binary or non-UTF-8 file is a syntax error at the first bad byte.
pub fn read_text(path: &Path) -> std::io::Result<Result<SourceFile, (SourceFile, SyntaxError)>> {
    let bytes = std::fs::read(path)?;
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let text = String::from_utf8_lossy(&bytes[..nul]).into_owned();
        let at = text.len();
        return Ok(Err((
            SourceFile::new(path, text),
            SyntaxError {
                message: format!(
                    "binary file: NUL byte at offset {nul}; config files must be UTF-8 text"
                ),
                span: at..at,
            },
        )));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.replace_range(..3, "");
            }
            Ok(Ok(SourceFile::new(path, text)))
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            Ok(Err((
                SourceFile::new(path, text),
                SyntaxError {
                    message: format!("not UTF-8 text: invalid byte at offset {valid}"),
                    span: valid..valid,
                },
            )))
        }
    }
}

/// Parses a structured (YAML/JSON/TOML) file into documents.
pub fn parse_structured(
    src: &Arc<SourceFile>,
    format: Format,
) -> Result<Vec<Document>, SyntaxError> {
    let nodes = match format {
        Format::Yaml => yaml::load(src)?,
        Format::Json => {
            let n = json::load(src)?;
            match n.value {
                tree::NodeValue::Seq(items) => items,
                _ => vec![n],
            }
        }
        Format::Toml => vec![toml::load(src)?],
        Format::PostfixMain | Format::PostfixMaster => {
            unreachable!("Postfix files are parsed by config::postfix")
        }
    };
    let mut docs = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.into_iter().enumerate() {
        if let Some(key) = n.find_duplicate_key() {
            return Err(SyntaxError {
                message: format!("duplicate key `{}`", key.name),
                span: key.span,
            });
        }
        docs.push(Document::from_node(src.clone(), i, n));
    }
    Ok(docs)
}
