//! The `hisf` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hisf::lint::{self, LintOptions};
use hisf::policy::{registry, Profile, Severity};
use hisf::render::{self, OutputFormat};

/// Proves that NZ health-sector mail and fax are secure: lints mail-gateway,
/// MFD and Postfix configs against the Ministry of Health / ACC 2019 guidance.
#[derive(Parser)]
#[command(name = "hisf", version, about, long_about = None, after_help = "Rule reference: docs/rules.md · `hisf rules ID` explains one rule.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint config files: declarative YAML/JSON/TOML (MailGateway, MFD, MailDomain) and Postfix main.cf/master.cf.
    #[command(after_help = "\
Exit codes:
  0  no finding at or above --fail-on
  1  failing findings (syntax and schema errors included)
  2  usage error, or a path could not be read

Examples:
  hisf lint examples/
  hisf lint --format sarif --output hisf.sarif configs/
  hisf lint --format github --sarif hisf.sarif configs/    # in a GitHub workflow
  hisf lint --profile strict --fail-on warning mfd/printers.yaml

Suppress a finding with a comment on (or just above) its line:
  min_version: TLSv1.0  # hisf: ignore[HISF-MAIL-004] legacy lab analyser, replaced 2027-03
or centrally in .hisf.yml (see docs/suppressions.md).")]
    Lint {
        /// Files or directories to lint (directories are searched recursively; hidden ones are skipped).
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
        /// Write the output to FILE instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Policy profile: which regime's severities apply.
        #[arg(long, value_enum, default_value_t = Profile::NzHealth)]
        profile: Profile,
        /// Lowest severity that makes the run fail (exit 1).
        #[arg(long, value_enum, default_value_t = Severity::Error)]
        fail_on: Severity,
        /// Repo config with central suppressions (default: .hisf.yml in the linted directory or the current one).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Date used for expiry checks, YYYY-MM-DD (default: today, UTC).
        #[arg(long, env = "HISF_TODAY", hide = true)]
        today: Option<String>,
        /// Also write SARIF 2.1.0 to FILE, whatever --format is (for code scanning).
        #[arg(long, value_name = "FILE")]
        sarif: Option<PathBuf>,
        /// Also append the Markdown summary to FILE. With `--format github` it is
        /// appended to $GITHUB_STEP_SUMMARY when that is set and this is not given.
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
        /// Append finding counts as `errors=N`, `warnings=N`, `notes=N`, `suppressed=N`,
        /// `files=N`, `failed=true|false` lines to FILE (the $GITHUB_OUTPUT format).
        #[arg(long, value_name = "FILE")]
        github_output: Option<PathBuf>,
        /// Colour in human output: auto, always or never.
        #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
        color: String,
    },
    /// Check mail domains and hosts live: MX, STARTTLS, TLS versions (TLS 1.0/1.1 still accepted?), certificates.
    #[command(after_help = "\
Targets:
  example.health.nz            a mail domain: every MX host, every address, port 25
  smtp://HOST[:PORT]           STARTTLS (default port 25; 587 for submission)
  smtps://HOST[:PORT]          implicit TLS (default port 465)

At most three connections per address: a modern handshake (TLS 1.2/1.3), a
ClientHello capped at TLS 1.1, and one more when it is needed (TLS 1.0, or
TLS 1.2 with suites the modern client does not speak). One connection at a
time per address; an address shared by several targets is probed once.
Only public unicast addresses on ports 25, 465 and 587 are probed.

Exit codes:
  0  every target compliant (or not applicable: null MX)
  1  a target is non-compliant
  2  usage error (bad target, resolver or CA file)
  3  otherwise, a target is inconclusive (timeouts, throttling, DNS failure)

Examples:
  hisf check example.health.nz
  hisf check --format json smtp://mx1.example.health.nz smtps://mail.example.health.nz
  hisf check --resolver 127.0.0.1:5353 --allow-private-targets lab.test")]
    Check {
        /// Domains, smtp://HOST[:PORT] or smtps://HOST[:PORT].
        #[arg(required = true, value_name = "TARGET")]
        targets: Vec<String>,
        /// Output format: human or json (schemas/check-result.schema.json).
        #[arg(long, short = 'f', default_value = "human", value_parser = ["human", "json"])]
        format: String,
        /// Write the output to FILE instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        probe: ProbeArgs,
        /// Colour: auto, always or never.
        #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
        color: String,
    },
    /// Scan every domain of a sector target list and store each result as it completes.
    #[command(after_help = "\
The target list is CSV with the header domain,organisation,organisation_type,region
(more columns allowed). Bad rows are reported with their line and skipped.

Each domain's result is stored the moment it completes, so Ctrl-C or kill -9
loses at most the domains in flight; `--resume RUN_ID` finishes a run. Domains
that are inconclusive (timeouts, throttling) are retried after --retry-delay,
--retries times, with fresh connections.

Exit codes: 0 the scan finished and every result is stored; 2 usage error,
unreadable target list or store error.

Examples:
  hisf scan --targets sector.csv
  hisf scan --targets sector.csv --store sqlite:/var/lib/hisf/history.sqlite3
  hisf scan --targets sector.csv --resume 20261204T020000Z-1a2b
  hisf report --format html --output compliance.html")]
    Scan {
        /// Target list (CSV: domain,organisation,organisation_type,region).
        #[arg(long, value_name = "CSV")]
        targets: PathBuf,
        /// History store: sqlite:PATH or dynamodb://TABLE (default: SQLite under the user's data directory).
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// Continue a run: domains it already stored are skipped.
        #[arg(long, value_name = "RUN_ID")]
        resume: Option<String>,
        /// Retry rounds for inconclusive domains.
        #[arg(long, default_value_t = 2)]
        retries: u32,
        /// Wait before each retry round, seconds.
        #[arg(long, default_value_t = 1800.0, value_name = "SECS")]
        retry_delay: f64,
        #[command(flatten)]
        probe: ProbeArgs,
    },
    /// Report sector compliance over time from the history store.
    #[command(after_help = "\
Formats: markdown (default), html (one self-contained file with SVG charts),
csv (one row per domain, its latest state), json (everything).

Mail provider = the registrable domain of a domain's most preferred MX host
(mail.protection.outlook.com -> outlook.com; mx1.pharmacy.co.nz -> pharmacy.co.nz).")]
    Report {
        /// History store: sqlite:PATH or dynamodb://TABLE (default: SQLite under the user's data directory).
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// Output format.
        #[arg(long, short = 'f', default_value = "markdown", value_parser = ["markdown", "html", "csv", "json"])]
        format: String,
        /// Write the output to FILE instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Manage the history store.
    Store {
        #[command(subcommand)]
        action: StoreAction,
    },
    /// List the rules, or explain one: `hisf rules HISF-MAIL-004`.
    Rules {
        /// A rule ID to explain.
        id: Option<String>,
        /// Profile whose severities to show.
        #[arg(long, value_enum, default_value_t = Profile::NzHealth)]
        profile: Profile,
        /// Print the rule reference as Markdown (the source of docs/rules.md).
        #[arg(long)]
        markdown: bool,
    },
}

/// `hisf store` actions.
#[derive(Subcommand)]
enum StoreAction {
    /// Create the store (or bring its schema up to date). Safe to repeat.
    Init {
        /// sqlite:PATH or dynamodb://TABLE (default: SQLite under the user's data directory).
        #[arg(long, value_name = "URL")]
        store: Option<String>,
    },
}

/// Options shared by `check` and `scan`.
#[derive(clap::Args)]
struct ProbeArgs {
    /// DNS server (IP:PORT) to use instead of the system's resolver.
    #[arg(long, value_name = "IP:PORT")]
    resolver: Option<std::net::SocketAddr>,
    /// Name sent in EHLO; use one whose reverse DNS matches your scanner's address.
    #[arg(long, default_value = "hisf.invalid", value_name = "NAME")]
    ehlo_name: String,
    /// Timeout of each step (connect, each reply, each handshake), seconds.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    timeout: f64,
    /// Deadline for everything about one address, seconds.
    #[arg(long, default_value_t = 60.0, value_name = "SECS")]
    deadline: f64,
    /// Extra trust anchors (PEM), e.g. a private CA.
    #[arg(long, value_name = "PEM")]
    ca_file: Vec<PathBuf>,
    /// Addresses probed at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Policy profile: which regime's severities apply.
    #[arg(long, value_enum, default_value_t = Profile::NzHealth)]
    profile: Profile,
    /// Allow loopback, private, link-local and other non-public addresses (any port).
    /// For test labs only; a deployed service never sets this.
    #[arg(long)]
    allow_private_targets: bool,
}

impl ProbeArgs {
    fn options(&self) -> Result<hisf::probe::CheckOptions, String> {
        let secs = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v <= 3600.0 {
                Ok(std::time::Duration::from_secs_f64(v))
            } else {
                Err(format!("--{name} must be between 0 and 3600 seconds"))
            }
        };
        let mut extra_roots = Vec::new();
        for f in &self.ca_file {
            use rustls::pki_types::pem::PemObject;
            let iter = rustls::pki_types::CertificateDer::pem_file_iter(f)
                .map_err(|e| format!("cannot read --ca-file {}: {e}", f.display()))?;
            let before = extra_roots.len();
            for c in iter {
                extra_roots.push(c.map_err(|e| format!("{}: {e}", f.display()))?);
            }
            if extra_roots.len() == before {
                return Err(format!("{}: no PEM certificate in the file", f.display()));
            }
        }
        Ok(hisf::probe::CheckOptions {
            resolver: self.resolver,
            ehlo_name: self.ehlo_name.clone(),
            step_timeout: secs("timeout", self.timeout)?,
            host_deadline: secs("deadline", self.deadline)?,
            allow_private: self.allow_private_targets,
            extra_roots,
            concurrency: self.concurrency.max(1),
            profile: self.profile,
        })
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint {
            paths,
            format,
            output,
            profile,
            fail_on,
            config,
            today,
            sarif,
            summary,
            github_output,
            color,
        } => {
            let today = match today {
                Some(t) if hisf::suppress::is_date(&t) => t,
                Some(t) => {
                    eprintln!("error: --today `{t}` is not a YYYY-MM-DD date");
                    return ExitCode::from(2);
                }
                None => hisf::dates::today_utc(),
            };
            let report = lint::run(&LintOptions {
                paths,
                profile,
                fail_on,
                config,
                today,
            });
            let color = use_color(&color, output.is_none());
            let text = render::render(&report, format, color);
            let mut code = report.exit_code();
            match &output {
                Some(path) => {
                    if let Err(e) = std::fs::write(path, &text) {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        return ExitCode::from(2);
                    }
                    eprint!("{}", render::human::summary(&report));
                }
                None => {
                    if emit(&text) != ExitCode::SUCCESS {
                        code = 2;
                    }
                }
            }
            if let Some(path) = &sarif {
                if let Err(e) = std::fs::write(path, render::sarif::render(&report)) {
                    eprintln!("error: cannot write SARIF to {}: {e}", path.display());
                    code = 2;
                }
            }
            let summary = summary.or_else(|| {
                (format == OutputFormat::Github)
                    .then(|| std::env::var_os("GITHUB_STEP_SUMMARY"))
                    .flatten()
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from)
            });
            if let Some(path) = &summary {
                if let Err(e) = append(path, &render::github::step_summary(&report)) {
                    eprintln!(
                        "error: cannot append the summary to {}: {e}",
                        path.display()
                    );
                    code = 2;
                }
            }
            if let Some(path) = &github_output {
                if let Err(e) = append(path, &render::github::outputs(&report)) {
                    eprintln!("error: cannot append outputs to {}: {e}", path.display());
                    code = 2;
                }
            }
            ExitCode::from(code as u8)
        }
        Command::Check {
            targets,
            format,
            output,
            probe,
            color,
        } => {
            let mut parsed = Vec::new();
            for t in &targets {
                match hisf::probe::target::parse(t) {
                    Ok(t) => parsed.push(t),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            let (opts, rt) = match probe.options().and_then(|o| Ok((o, runtime()?))) {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let total = parsed.len();
            let done = std::sync::atomic::AtomicUsize::new(0);
            let show = total > 1 && std::io::stderr().is_terminal();
            let progress = |r: &hisf::probe::verdict::TargetResult| {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if show {
                    eprintln!("[{n}/{total}] {}: {}", r.target, r.verdict.as_str());
                }
            };
            let report = match rt.block_on(hisf::probe::check(&parsed, opts, &progress)) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let color = use_color(&color, output.is_none());
            let text = if format == "json" {
                render::check::json(&report)
            } else {
                render::check::human(&report, color)
            };
            let code = report.exit_code();
            match &output {
                Some(path) => {
                    if let Err(e) = std::fs::write(path, &text) {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        return ExitCode::from(2);
                    }
                }
                None => {
                    if emit(&text) != ExitCode::SUCCESS {
                        return ExitCode::from(2);
                    }
                }
            }
            ExitCode::from(code as u8)
        }
        Command::Scan {
            targets,
            store,
            resume,
            retries,
            retry_delay,
            probe,
        } => match run_scan(&targets, store, resume, retries, retry_delay, &probe) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Report {
            store,
            format,
            output,
        } => {
            let url = store.unwrap_or_else(hisf::store::default_url);
            let report = runtime().and_then(|rt| {
                rt.block_on(async {
                    let st = hisf::store::open(&url).await.map_err(|e| e.to_string())?;
                    hisf::report::build(&st).await
                })
            });
            let report = match report {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            if report.trend.is_empty() {
                eprintln!("note: {url} holds no scans yet; run `hisf scan --targets FILE` first");
            }
            let text = match format.as_str() {
                "html" => hisf::report::html::html(&report),
                "csv" => hisf::report::text::csv(&report),
                "json" => hisf::report::text::json(&report),
                _ => hisf::report::text::markdown(&report),
            };
            match &output {
                Some(path) => match std::fs::write(path, &text) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        ExitCode::from(2)
                    }
                },
                None => emit(&text),
            }
        }
        Command::Store {
            action: StoreAction::Init { store },
        } => {
            let url = store.unwrap_or_else(hisf::store::default_url);
            let res = runtime().and_then(|rt| {
                rt.block_on(async {
                    use hisf::store::HistoryStore;
                    let st = hisf::store::open(&url).await.map_err(|e| e.to_string())?;
                    st.init().await.map_err(|e| e.to_string())
                })
            });
            match res {
                Ok(()) => {
                    println!("store ready: {url}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Rules { markdown: true, .. } => emit(&hisf::policy::docs::rules_markdown()),
        Command::Rules {
            id: None, profile, ..
        } => {
            let mut s = format!("{:<14} {:<8} title\n", "ID", "severity");
            for m in registry::all() {
                let sev = m.severity.get(profile).as_str();
                s.push_str(&format!("{:<14} {:<8} {}\n", m.id, sev, m.title));
            }
            emit(&s)
        }
        Command::Rules {
            id: Some(id),
            profile,
            ..
        } => match registry::find(&id) {
            Some(m) => emit(&format!(
                "{}: {}\n\nseverity ({}): {}\nsource:   {}\n\n{}\n\nfix:  {}\ndocs: {}\n",
                m.id,
                m.title,
                profile.as_str(),
                m.severity.get(profile).as_str(),
                m.source,
                m.rationale,
                m.help,
                m.docs_url()
            )),
            None => {
                eprintln!("error: no rule `{id}`; `hisf rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

fn run_scan(
    targets: &std::path::Path,
    store: Option<String>,
    resume: Option<String>,
    retries: u32,
    retry_delay: f64,
    probe: &ProbeArgs,
) -> Result<(), String> {
    use hisf::scan::{self, targets as sector};
    let (list, bad) = sector::read(targets)?;
    for b in &bad {
        eprintln!(
            "warning: {}:{}: {}; row skipped",
            targets.display(),
            b.line,
            b.message
        );
    }
    if list.is_empty() {
        return Err(format!("{}: no usable rows", targets.display()));
    }
    if !(retry_delay.is_finite() && (0.0..=86_400.0).contains(&retry_delay)) {
        return Err("--retry-delay must be between 0 and 86400 seconds".into());
    }
    let opts = scan::ScanOptions {
        check: probe.options()?,
        retries,
        retry_delay: std::time::Duration::from_secs_f64(retry_delay),
    };
    let url = store.unwrap_or_else(hisf::store::default_url);
    let rt = runtime()?;
    let st = rt
        .block_on(hisf::store::open(&url))
        .map_err(|e| e.to_string())?;
    if let Some(id) = &resume {
        use hisf::store::HistoryStore;
        if rt
            .block_on(st.run(id))
            .map_err(|e| e.to_string())?
            .is_none()
        {
            return Err(format!("no run `{id}` in {url}"));
        }
    }
    let run_id = resume.unwrap_or_else(scan::new_run_id);
    eprintln!("scan {run_id}: {} domains -> {url}", list.len());
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(list.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} domains · {per_sec} · ETA {eta} · {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let on_event = |e: &scan::Event<'_>| {
        let line = format!("{} {}", e.result.target, e.result.verdict.as_str());
        match &bar {
            Some(b) => {
                if e.attempt == 1 {
                    b.inc(1);
                }
                b.set_message(line);
            }
            None => eprintln!(
                "[{}/{}{}] {line}",
                e.done,
                e.of,
                if e.attempt > 1 {
                    format!(", retry {}", e.attempt - 1)
                } else {
                    String::new()
                }
            ),
        }
    };
    let on_wait = |attempt: u32, n: usize, d: std::time::Duration| {
        let msg = format!(
            "{n} inconclusive domains: retry {} in {} s",
            attempt - 1,
            d.as_secs()
        );
        match &bar {
            Some(b) => b.set_message(msg),
            None => eprintln!("{msg}"),
        }
    };
    let summary = rt.block_on(scan::scan(&st, &list, &run_id, &opts, &on_event, &on_wait))?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let counts: Vec<String> = summary
        .verdicts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    println!(
        "scan {}: {} results stored ({} domains were already stored before this start); {}",
        summary.run_id,
        summary.stored,
        summary.resumed_past,
        if counts.is_empty() {
            "nothing new".to_string()
        } else {
            counts.join(", ")
        }
    );
    println!("report: hisf report --store {url} --format html --output report.html");
    Ok(())
}

/// `--color auto|always|never`: auto means stdout is a terminal and NO_COLOR is unset.
fn use_color(choice: &str, to_stdout: bool) -> bool {
    match choice {
        "always" => true,
        "never" => false,
        _ => to_stdout && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Appends text to a file, creating it if needed.
fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// Writes to stdout; a closed pipe (`hisf rules | head`) is not an error worth a panic.
fn emit(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            ExitCode::from(2)
        }
    }
}
