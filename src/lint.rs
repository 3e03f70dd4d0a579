//! `hisf lint`: discover, load, schema-check, run rules, apply suppressions.
//! Filtering, suppressions and the exit decision live here, never in rules.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::config::model::ConfigDoc;
use crate::config::postfix::{self, parse as pf};
use crate::config::{self, Document, Format, Origin, SyntaxError};
use crate::policy::registry::RULES;
use crate::policy::rules::file;
use crate::policy::{finding, Context, DocRef, Profile, RawFinding, RuleMeta, Severity};
use crate::source::{LineCol, SourceFile};
use crate::suppress::{self, Inline, RepoConfig};

/// The config JSON Schema, embedded at build time.
pub const CONFIG_SCHEMA: &str = include_str!("../schemas/hisf-config.schema.json");

/// Most schema errors reported per document, so one broken file cannot flood the output.
const MAX_SCHEMA_ERRORS: usize = 20;

/// What `hisf lint` was asked to do.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// Files and directories.
    pub paths: Vec<PathBuf>,
    /// Policy profile.
    pub profile: Profile,
    /// Lowest severity that fails the run.
    pub fail_on: Severity,
    /// `.hisf.yml` to use; None = look in the current directory and the given directories.
    pub config: Option<PathBuf>,
    /// Today's date, YYYY-MM-DD.
    pub today: String,
}

/// A resolved place in a file.
#[derive(Debug, Clone)]
pub struct Location {
    /// The file.
    pub source: Arc<SourceFile>,
    /// Byte span.
    pub span: Range<usize>,
    /// Start.
    pub start: LineCol,
    /// End (exclusive column).
    pub end: LineCol,
    /// Annotation label.
    pub label: Option<String>,
}

impl Location {
    fn from_origin(o: &Origin) -> Location {
        let span = o.source.clamp_range(&o.span);
        let start = o.source.line_col(span.start);
        let end = o.source.line_col(span.end);
        Location {
            source: o.source.clone(),
            span,
            start,
            end,
            label: o.label.clone(),
        }
    }

    /// Path for display.
    pub fn path(&self) -> String {
        self.source.display_path()
    }
}

/// A finding ready to render.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule.
    pub rule: &'static RuleMeta,
    /// Effective severity.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub location: Location,
    /// What to change.
    pub help: String,
    /// Set when a suppression covers it: the reason.
    pub suppressed: Option<String>,
}

/// A problem that stopped a path from being read (exit code 2).
#[derive(Debug, Clone)]
pub struct IoProblem {
    /// The path.
    pub path: PathBuf,
    /// What happened.
    pub message: String,
}

/// The outcome of a lint run.
#[derive(Debug, Default)]
pub struct LintReport {
    /// Findings, sorted by file, line, column, rule.
    pub findings: Vec<Finding>,
    /// Files read.
    pub files: usize,
    /// Documents checked.
    pub documents: usize,
    /// Paths that could not be read.
    pub io_problems: Vec<IoProblem>,
    /// Profile used.
    pub profile: Profile,
    /// Threshold used.
    pub fail_on: Severity,
}

impl LintReport {
    /// Unsuppressed findings at or above the threshold.
    pub fn failing(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.severity >= self.fail_on)
            .count()
    }

    /// Count of unsuppressed findings per severity.
    pub fn count(&self, s: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.severity == s)
            .count()
    }

    /// Exit code: 2 if a path could not be read, else 1 if any finding fails, else 0.
    pub fn exit_code(&self) -> i32 {
        if !self.io_problems.is_empty() {
            2
        } else if self.failing() > 0 {
            1
        } else {
            0
        }
    }
}

/// The compiled config schema (built once per process).
pub fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let schema: serde_json::Value =
            serde_json::from_str(CONFIG_SCHEMA).expect("embedded schema is JSON");
        jsonschema::draft202012::new(&schema).expect("embedded schema compiles")
    })
}

/// Per-file result of loading and checking.
struct FileResult {
    sources: Vec<Arc<SourceFile>>,
    docs: Vec<(Document, Option<ConfigDoc>)>,
    raw: Vec<(Origin, RawFinding)>,
    io: Option<IoProblem>,
}

/// Runs the whole lint.
pub fn run(opts: &LintOptions) -> LintReport {
    let ctx = Context {
        today: opts.today.clone(),
    };
    let mut report = LintReport {
        profile: opts.profile,
        fail_on: opts.fail_on,
        ..Default::default()
    };
    let (files, errors) = config::discover(&opts.paths);
    for e in errors {
        let path = match &e {
            config::DiscoverError::Io { path, .. } => path.clone(),
            config::DiscoverError::Empty(p) | config::DiscoverError::Unrecognised(p) => p.clone(),
        };
        report.io_problems.push(IoProblem {
            path,
            message: e.to_string(),
        });
    }

    // Postfix files are grouped by directory into instances; everything else is per file.
    let mut postfix_dirs: BTreeMap<PathBuf, (Option<PathBuf>, Option<PathBuf>)> = BTreeMap::new();
    let mut structured = Vec::new();
    for f in files {
        match Format::of(&f) {
            Some(Format::PostfixMain) => {
                postfix_dirs.entry(parent(&f)).or_default().0 = Some(f.clone())
            }
            Some(Format::PostfixMaster) => {
                postfix_dirs.entry(parent(&f)).or_default().1 = Some(f.clone())
            }
            Some(fmt) => structured.push((f, fmt)),
            None => {}
        }
    }

    let mut results: Vec<FileResult> =
        parallel_map(&structured, |(path, fmt)| load_structured(path, *fmt));
    for (main, master) in postfix_dirs.values() {
        results.push(load_postfix(main.as_deref(), master.as_deref()));
    }

    // Rules over each document, then over the whole set.
    let mut raw: Vec<(Origin, RawFinding)> = Vec::new();
    let mut inline: Vec<(Arc<SourceFile>, Vec<Inline>)> = Vec::new();
    // Path → index into `inline`, so matching findings to comments stays linear.
    let mut inline_index: std::collections::HashMap<PathBuf, usize> =
        std::collections::HashMap::new();
    let mut typed: Vec<(&Document, &ConfigDoc)> = Vec::new();
    for r in &results {
        if let Some(io) = &r.io {
            report.io_problems.push(io.clone());
        }
        raw.extend(r.raw.iter().cloned());
        for src in &r.sources {
            report.files += 1;
            let list = suppress::scan_inline(src, &mut raw);
            if !list.is_empty() {
                inline_index.insert(src.path.clone(), inline.len());
                inline.push((src.clone(), list));
            }
        }
        for (doc, t) in &r.docs {
            report.documents += 1;
            if let Some(t) = t {
                typed.push((doc, t));
            }
        }
    }
    for (doc, t) in &typed {
        let mut out = Vec::new();
        for rule in RULES {
            match t {
                ConfigDoc::MailGateway { spec, .. } => rule.gateway(spec, &ctx, &mut out),
                ConfigDoc::Mfd { spec, .. } => rule.mfd(spec, &ctx, &mut out),
                ConfigDoc::MailDomain { .. } => {}
            }
        }
        raw.extend(out.into_iter().map(|f| (doc.locate(&f.pointer), f)));
    }
    let refs: Vec<DocRef<'_>> = typed
        .iter()
        .enumerate()
        .map(|(index, (_, doc))| DocRef { doc, index })
        .collect();
    for rule in RULES {
        let mut out = Vec::new();
        rule.repo(&refs, &ctx, &mut out);
        raw.extend(
            out.into_iter()
                .map(|(i, f)| (typed[i].0.locate(&f.pointer), f)),
        );
    }

    // Repo-level suppressions.
    let mut repo = load_repo_config(opts, &mut raw, &mut report.io_problems);

    // Resolve, then suppress.
    for (origin, f) in raw {
        let mut severity = f.rule.severity.get(opts.profile);
        if let Some(s) = f.severity {
            // Rule-specific downgrades (recorded exceptions) do not apply under `strict`.
            if opts.profile != Profile::Strict {
                severity = s;
            }
        }
        let help = origin
            .help
            .clone()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| f.rule.help.to_string());
        let location = Location::from_origin(&origin);
        let mut suppressed = None;
        if f.rule.scope != [crate::policy::Scope::File] || std::ptr::eq(f.rule, &file::SCHEMA) {
            let entry = inline_index.get(&location.source.path).copied();
            if let Some((_, list)) = entry.and_then(|i| inline.get_mut(i)) {
                let line = location.start.line;
                if let Some(s) = list
                    .iter_mut()
                    .find(|s| s.covers_line == line && s.rules.iter().any(|r| r == f.rule.id))
                {
                    s.used = true;
                    suppressed = Some(s.reason.clone());
                }
            }
            if suppressed.is_none() {
                if let Some(r) = repo.as_mut() {
                    if let Some(e) = r.matching(&location.source.path, f.rule.id, &opts.today) {
                        e.used = true;
                        suppressed = Some(format!(".hisf.yml: {}", e.reason));
                    }
                }
            }
        }
        report.findings.push(Finding {
            rule: f.rule,
            severity,
            message: f.message,
            location,
            help,
            suppressed,
        });
    }

    // Expired and unused suppressions.
    let mut extra = Vec::new();
    for (src, list) in &inline {
        for s in list.iter().filter(|s| !s.used) {
            let o = Origin::at(src.clone(), s.span.clone());
            extra.push((
                o,
                finding(
                    &file::SUPPRESSION_UNUSED,
                    "",
                    format!(
                        "suppression of {} matches no finding on line {}",
                        s.rules.join(", "),
                        s.covers_line
                    ),
                ),
            ));
        }
    }
    if let Some(r) = &repo {
        for e in &r.entries {
            match &e.expires {
                Some(x) if x.as_str() < opts.today.as_str() => {
                    let o = e.expires_origin.clone().unwrap_or_else(|| e.origin.clone());
                    extra.push((
                        o,
                        finding(
                            &file::SUPPRESSION_EXPIRED,
                            "",
                            format!("suppression of {} expired on {x}", e.rule),
                        ),
                    ));
                }
                _ if !e.used => extra.push((
                    e.origin.clone(),
                    finding(
                        &file::SUPPRESSION_UNUSED,
                        "",
                        format!("suppression of {} matches no finding", e.rule),
                    ),
                )),
                _ => {}
            }
        }
    }
    for (origin, f) in extra {
        let severity = f.rule.severity.get(opts.profile);
        report.findings.push(Finding {
            rule: f.rule,
            severity,
            message: f.message,
            location: Location::from_origin(&origin),
            help: f.rule.help.to_string(),
            suppressed: None,
        });
    }

    // Compare paths as they are (byte-wise), without building display strings per comparison.
    report
        .findings
        .sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    report.findings.dedup_by(|a, b| {
        a.rule.id == b.rule.id
            && a.location.span == b.location.span
            && a.message == b.message
            && a.location.source.path == b.location.source.path
    });
    report
}

/// Findings are ordered by file, position, rule and message.
fn sort_key(f: &Finding) -> (&std::ffi::OsStr, LineCol, &str, &str) {
    (
        f.location.source.path.as_os_str(),
        f.location.start,
        f.rule.id,
        &f.message,
    )
}

fn parent(p: &Path) -> PathBuf {
    p.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Loads `.hisf.yml`: the one given, else one in the current directory or a linted directory.
fn load_repo_config(
    opts: &LintOptions,
    raw: &mut Vec<(Origin, RawFinding)>,
    io: &mut Vec<IoProblem>,
) -> Option<RepoConfig> {
    let path = match &opts.config {
        Some(p) => p.clone(),
        None => {
            let candidates = opts
                .paths
                .iter()
                .filter(|p| p.is_dir())
                .map(|p| p.join(".hisf.yml"))
                .chain([PathBuf::from(".hisf.yml")]);
            candidates.into_iter().find(|p| p.is_file())?
        }
    };
    match RepoConfig::load(&path, raw) {
        Ok(r) => Some(r),
        Err(e) => {
            io.push(IoProblem {
                path: path.clone(),
                message: format!("cannot read {}: {e}", path.display()),
            });
            None
        }
    }
}

/// Maps over items on all cores, keeping order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    if threads <= 1 || items.len() < 64 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// A syntax error as a HISF-CFG-001 finding at its place.
pub(crate) fn syntax(source: &Arc<SourceFile>, e: SyntaxError) -> (Origin, RawFinding) {
    (
        Origin::at(source.clone(), e.span),
        finding(&file::SYNTAX, "", e.message),
    )
}

/// A file read from disk: text, or the part before the first undecodable byte and why.
type ReadResult = Result<Arc<SourceFile>, (Arc<SourceFile>, SyntaxError)>;

fn read(path: &Path) -> Result<ReadResult, IoProblem> {
    match config::read_text(path) {
        Ok(Ok(s)) => Ok(Ok(Arc::new(s))),
        Ok(Err((s, e))) => Ok(Err((Arc::new(s), e))),
        Err(e) => Err(IoProblem {
            path: path.to_path_buf(),
            message: format!("cannot read {}: {e}", path.display()),
        }),
    }
}

fn load_structured(path: &Path, fmt: Format) -> FileResult {
    let mut r = FileResult {
        sources: vec![],
        docs: vec![],
        raw: vec![],
        io: None,
    };
    let src = match read(path) {
        Err(io) => {
            r.io = Some(io);
            return r;
        }
        Ok(Err((src, e))) => {
            r.raw.push(syntax(&src, e));
            r.sources.push(src);
            return r;
        }
        Ok(Ok(src)) => src,
    };
    r.sources.push(src.clone());
    let docs = match config::parse_structured(&src, fmt) {
        Ok(d) => d,
        Err(e) => {
            r.raw.push(syntax(&src, e));
            return r;
        }
    };
    for doc in docs {
        let errs = schema_errors(&doc);
        let typed = if errs.is_empty() {
            match serde_json::from_value::<ConfigDoc>(doc.value.clone()) {
                Ok(t) => Some(t),
                Err(e) => {
                    r.raw.push((
                        doc.locate(""),
                        finding(
                            &file::SCHEMA,
                            "",
                            format!("document does not match the hisf model: {e}"),
                        ),
                    ));
                    None
                }
            }
        } else {
            None
        };
        r.raw.extend(errs);
        r.docs.push((doc, typed));
    }
    r
}

/// Schema violations of one document, each at its place.
pub fn schema_errors(doc: &Document) -> Vec<(Origin, RawFinding)> {
    use jsonschema::error::ValidationErrorKind as K;
    let mut out = Vec::new();
    for e in validator().iter_errors(&doc.value).take(MAX_SCHEMA_ERRORS) {
        let ptr = e.instance_path().as_str().to_string();
        let (origin, msg) = match e.kind() {
            K::AdditionalProperties { unexpected } => {
                let key = unexpected.first().cloned().unwrap_or_default();
                let mut o = doc.locate(&format!(
                    "{ptr}/{}",
                    crate::config::tree::escape_pointer_token(&key)
                ));
                if let Some(k) = o.key_span.take() {
                    o.span = k;
                }
                let list = unexpected
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (o, format!("unknown field {list} in {}", where_(&ptr)))
            }
            K::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let mut o = doc.locate(&ptr);
                if let Some(k) = o.key_span.take() {
                    o.span = k;
                }
                o.label = Some(format!("`{name}` is missing here"));
                (
                    o,
                    format!("missing required field `{name}` in {}", where_(&ptr)),
                )
            }
            _ => (doc.locate(&ptr), format!("{} at {}", e, where_(&ptr))),
        };
        out.push((origin, finding(&file::SCHEMA, ptr, msg)));
    }
    out
}

fn where_(ptr: &str) -> String {
    if ptr.is_empty() {
        "the document".into()
    } else {
        format!("`{}`", ptr.trim_start_matches('/').replace('/', "."))
    }
}

fn load_postfix(main: Option<&Path>, master: Option<&Path>) -> FileResult {
    let mut r = FileResult {
        sources: vec![],
        docs: vec![],
        raw: vec![],
        io: None,
    };
    let mut inst = postfix::Instance {
        main: None,
        master: None,
    };
    let mut ok = true;
    for (path, is_main) in [(main, true), (master, false)] {
        let Some(path) = path else { continue };
        let src = match read(path) {
            Err(io) => {
                r.io = Some(io);
                ok = false;
                continue;
            }
            Ok(Err((src, e))) => {
                r.raw.push(syntax(&src, e));
                r.sources.push(src);
                ok = false;
                continue;
            }
            Ok(Ok(s)) => s,
        };
        if is_main {
            match pf::parse_main(&src) {
                Ok(m) => inst.main = Some((src.clone(), m)),
                Err(e) => {
                    r.raw.push(syntax(&src, e));
                    ok = false;
                }
            }
        } else {
            match pf::parse_master(&src) {
                Ok(m) => inst.master = Some((src.clone(), m)),
                Err(e) => {
                    r.raw.push(syntax(&src, e));
                    ok = false;
                }
            }
        }
        r.sources.push(src);
    }
    if ok && (inst.main.is_some() || inst.master.is_some()) {
        let doc = postfix::to_document(&inst);
        match serde_json::from_value::<ConfigDoc>(doc.value.clone()) {
            Ok(t) => r.docs.push((doc, Some(t))),
            Err(e) => r.raw.push((
                doc.locate(""),
                finding(
                    &file::SCHEMA,
                    "",
                    format!("internal: Postfix mapping produced an invalid document: {e}"),
                ),
            )),
        }
    }
    r
}
