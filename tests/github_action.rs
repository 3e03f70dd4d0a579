//! The GitHub Action (action.yml), run offline the way a runner runs a
//! composite action: each step's `env:` expressions evaluated, its `run:` body
//! executed by `bash --noprofile --norc -eo pipefail`, with GITHUB_OUTPUT,
//! GITHUB_PATH, GITHUB_STEP_SUMMARY, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP and
//! RUNNER_TOOL_CACHE set, and a local release directory (file://) standing in
//! for the GitHub release download.
//!
//! The only stand-in is `cargo` in the source-build fallback test: a real
//! `cargo install` of hisf would take minutes, so a script records its
//! arguments and installs the already-built binary.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{root, tempdir, TODAY};
use serde_json::Value;

const VERSION: &str = "9.8.7";
const REPOSITORY: &str = "hisf-nz/hisf";

fn runner_arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "ARM64",
        _ => "X64",
    }
}

fn linux_target() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    }
}

fn sh(cmd: &mut Command) -> String {
    let o = cmd.output().expect("spawn");
    assert!(
        o.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn sha256(path: &Path) -> String {
    sh(Command::new("sha256sum").arg(path))[..64].to_string()
}

/// A simulated runner with its own action checkout, release mirror, tool cache and workspace.
struct Lab {
    dir: PathBuf,
    action: PathBuf,
    release: PathBuf,
    workspace: PathBuf,
    tool_cache: PathBuf,
    runner_os: String,
    extra_path: Vec<PathBuf>,
}

impl Lab {
    /// Copies the action as a user's pinned checkout would have it, builds a
    /// release archive of the test binary and lists it in the manifest.
    fn new(name: &str) -> Lab {
        let dir = tempdir(&format!("action-{name}"));
        let action = dir.join("action");
        std::fs::create_dir_all(action.join(".github/action")).unwrap();
        for f in [
            "action.yml",
            "Cargo.toml",
            ".github/action/install.sh",
            ".github/action/run.sh",
            ".github/action/SHA256SUMS",
        ] {
            std::fs::copy(root().join(f), action.join(f)).unwrap();
        }
        let release = dir.join("release");
        let stage = dir.join("stage");
        std::fs::create_dir_all(release.join(format!("v{VERSION}"))).unwrap();
        std::fs::create_dir_all(&stage).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_hisf"), stage.join("hisf")).unwrap();
        let asset = format!("hisf-v{VERSION}-{}.tar.gz", linux_target());
        let archive = release.join(format!("v{VERSION}")).join(&asset);
        sh(Command::new("tar")
            .arg("-czf")
            .arg(&archive)
            .arg("-C")
            .arg(&stage)
            .arg("hisf"));
        let mut manifest =
            std::fs::read_to_string(action.join(".github/action/SHA256SUMS")).unwrap();
        // An older release and another target, so "newest for this runner" is exercised.
        manifest.push_str(&format!(
            "{}  hisf-v1.0.0-{}.tar.gz\n",
            "0".repeat(64),
            linux_target()
        ));
        manifest.push_str(&format!(
            "{}  hisf-v{VERSION}-aarch64-apple-darwin.tar.gz\n",
            "1".repeat(64)
        ));
        manifest.push_str(&format!("{}  {asset}\n", sha256(&archive)));
        std::fs::write(action.join(".github/action/SHA256SUMS"), manifest).unwrap();

        let workspace = dir.join("workspace");
        std::fs::create_dir_all(&workspace).unwrap();
        sh(Command::new("cp")
            .arg("-r")
            .arg(root().join("examples"))
            .arg(&workspace));
        let tool_cache = dir.join("tool-cache");
        std::fs::create_dir_all(&tool_cache).unwrap();
        Lab {
            dir,
            action,
            release,
            workspace,
            tool_cache,
            runner_os: "Linux".into(),
            extra_path: Vec::new(),
        }
    }

    fn archive(&self) -> PathBuf {
        self.release
            .join(format!("v{VERSION}"))
            .join(format!("hisf-v{VERSION}-{}.tar.gz", linux_target()))
    }

    fn ctx<'a>(
        &'a self,
        inputs: &'a HashMap<String, String>,
        steps: &'a HashMap<String, HashMap<String, String>>,
        temp: &'a Path,
    ) -> Ctx<'a> {
        Ctx {
            inputs,
            steps,
            action_path: &self.action,
            workspace: &self.workspace,
            temp,
            runner_os: &self.runner_os,
        }
    }

    /// Runs the action's steps in order with the given inputs, as a runner would.
    fn run(&self, inputs: &[(&str, &str)]) -> ActionRun {
        let text = std::fs::read_to_string(self.action.join("action.yml")).unwrap();
        let src = hisf::source::SourceFile::new("action.yml", text);
        let action = hisf::config::yaml::load(&src).expect("action.yml parses")[0].to_json();

        let declared = action["inputs"].as_object().expect("inputs");
        let mut input_values: HashMap<String, String> = declared
            .iter()
            .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_string()))
            .collect();
        // Never the network: downloads come from the lab's release directory.
        input_values.insert(
            "release-url".into(),
            format!("file://{}", self.release.display()),
        );
        for (k, v) in inputs {
            assert!(declared.contains_key(*k), "action.yml has no input `{k}`");
            input_values.insert(k.to_string(), v.to_string());
        }

        let temp = self.dir.join("runner-temp");
        let _ = std::fs::remove_dir_all(&temp);
        std::fs::create_dir_all(&temp).unwrap();
        let summary_file = temp.join("step_summary.md");
        let mut path_prefix: Vec<PathBuf> = self.extra_path.clone();
        let mut step_outputs: HashMap<String, HashMap<String, String>> = HashMap::new();
        let mut steps = Vec::new();
        let mut failed = false;

        for (n, step) in action["runs"]["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .enumerate()
        {
            assert_eq!(step["shell"], "bash", "step {n}: every step runs in bash");
            let body = step["run"].as_str().expect("run");
            assert!(
                !body.contains("${{"),
                "step {n}: an expression in a run body is a script-injection risk; pass it via env"
            );
            let id = step["id"].as_str().unwrap_or("").to_string();
            if failed {
                steps.push(StepRun::skipped(&id));
                continue;
            }
            let ctx = self.ctx(&input_values, &step_outputs, &temp);
            let output_file = temp.join(format!("output_{n}"));
            let path_file = temp.join(format!("path_{n}"));
            std::fs::write(&output_file, "").unwrap();
            std::fs::write(&path_file, "").unwrap();
            let script = temp.join(format!("step_{n}.sh"));
            std::fs::write(&script, body).unwrap();

            let mut path_var = path_prefix
                .iter()
                .rev()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>();
            path_var.push(std::env::var("PATH").unwrap());
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .current_dir(&self.workspace)
                .env_clear()
                .env("PATH", path_var.join(":"))
                .env("HOME", &self.dir)
                .env("CI", "true")
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_ACTION_PATH", &self.action)
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_STEP_SUMMARY", &summary_file)
                .env("RUNNER_OS", &self.runner_os)
                .env("RUNNER_ARCH", runner_arch())
                .env("RUNNER_TEMP", &temp)
                .env("RUNNER_TOOL_CACHE", &self.tool_cache)
                .env("HISF_TODAY", TODAY);
            if let Some(env) = step["env"].as_object() {
                for (k, v) in env {
                    cmd.env(k, ctx.eval(v.as_str().expect("env value is a string")));
                }
            }
            let o = cmd.output().expect("run step");
            let outputs = parse_outputs(&std::fs::read_to_string(&output_file).unwrap());
            for line in std::fs::read_to_string(&path_file).unwrap().lines() {
                path_prefix.push(PathBuf::from(line));
            }
            if !id.is_empty() {
                step_outputs.insert(id.clone(), outputs.clone());
            }
            failed = !o.status.success();
            steps.push(StepRun {
                id,
                ran: true,
                code: o.status.code(),
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
                outputs,
            });
        }

        let ctx = self.ctx(&input_values, &step_outputs, &temp);
        let outputs = action["outputs"]
            .as_object()
            .expect("outputs")
            .iter()
            .map(|(k, v)| (k.clone(), ctx.eval(v["value"].as_str().unwrap())))
            .collect();
        ActionRun {
            success: !failed,
            steps,
            outputs,
            summary: std::fs::read_to_string(&summary_file).unwrap_or_default(),
        }
    }
}

/// The expression context a runner gives a composite action's steps.
struct Ctx<'a> {
    inputs: &'a HashMap<String, String>,
    steps: &'a HashMap<String, HashMap<String, String>>,
    action_path: &'a Path,
    workspace: &'a Path,
    temp: &'a Path,
    runner_os: &'a str,
}

impl Ctx<'_> {
    /// Replaces each `${{ expr }}`; an expression this harness does not know fails the test,
    /// so action.yml cannot quietly depend on something untested.
    fn eval(&self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("closing }}") + start;
            let expr = rest[start + 3..end].trim();
            out.push_str(&self.lookup(expr));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn lookup(&self, expr: &str) -> String {
        let parts: Vec<&str> = expr.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self.inputs[*name].clone(),
            ["steps", id, "outputs", name] => self
                .steps
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            ["github", "action_path"] => self.action_path.display().to_string(),
            ["github", "action_repository"] => REPOSITORY.to_string(),
            ["github", "workspace"] => self.workspace.display().to_string(),
            ["runner", "temp"] => self.temp.display().to_string(),
            ["runner", "os"] => self.runner_os.to_string(),
            _ => panic!("expression `{expr}` is not supported by this test's runner"),
        }
    }
}

/// `name=value` and `name<<DELIM … DELIM` lines, as the runner reads GITHUB_OUTPUT.
fn parse_outputs(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delim)) = line.split_once("<<") {
            let mut v = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                v.push(l);
            }
            out.insert(k.to_string(), v.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

struct StepRun {
    id: String,
    ran: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    outputs: HashMap<String, String>,
}

impl StepRun {
    fn skipped(id: &str) -> StepRun {
        StepRun {
            id: id.to_string(),
            ran: false,
            code: None,
            stdout: String::new(),
            stderr: String::new(),
            outputs: HashMap::new(),
        }
    }
}

struct ActionRun {
    success: bool,
    steps: Vec<StepRun>,
    outputs: HashMap<String, String>,
    summary: String,
}

impl ActionRun {
    fn step(&self, id: &str) -> &StepRun {
        self.steps.iter().find(|s| s.id == id).expect("step id")
    }
    fn output(&self, name: &str) -> &str {
        self.outputs.get(name).map(String::as_str).unwrap_or("")
    }
}

/// (command, file, line, col) of each `::error|warning|notice file=…` annotation.
fn annotations(stdout: &str) -> Vec<(String, String, u64, u64)> {
    stdout
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("::")?;
            let (cmd, rest) = rest.split_once(' ')?;
            if !["error", "warning", "notice"].contains(&cmd) {
                return None;
            }
            let props = rest.split_once("::")?.0;
            let get = |k: &str| {
                props
                    .split(',')
                    .find_map(|p| p.strip_prefix(&format!("{k}=")))
                    .unwrap_or_default()
                    .to_string()
            };
            Some((
                cmd.to_string(),
                get("file"),
                get("line").parse().ok()?,
                get("col").parse().ok()?,
            ))
        })
        .collect()
}

#[test]
fn the_bad_examples_fail_with_annotations_at_their_lines_outputs_summary_and_sarif() {
    let lab = Lab::new("bad");
    let run = lab.run(&[
        ("paths", "examples/bad\nexamples/good\n"),
        ("sarif", "hisf.sarif"),
    ]);
    let install = run.step("install");
    assert_eq!(
        install.code,
        Some(0),
        "{}{}",
        install.stdout,
        install.stderr
    );
    assert!(
        install
            .stdout
            .contains(&format!("hisf {VERSION}: SHA-256 verified")),
        "{}",
        install.stdout
    );
    assert_eq!(
        run.output("version"),
        VERSION,
        "newest version in the manifest for this runner"
    );
    let bin = PathBuf::from(&install.outputs["bin"]);
    assert!(
        bin.ends_with("hisf") && bin.starts_with(lab.dir.join("runner-temp")),
        "{bin:?}"
    );

    let lint = run.step("lint");
    assert!(!run.success);
    assert_eq!(lint.code, Some(1), "{}{}", lint.stdout, lint.stderr);
    assert_eq!(run.output("exit-code"), "1");

    // The truth: the same lint as JSON.
    let (_, v) = common::lint_json(&lab.workspace, &["examples/bad", "examples/good"]);
    let all = v["findings"].as_array().unwrap();
    let count = |sev: &str| {
        all.iter()
            .filter(|f| f["severity"] == sev && f["suppressed"].is_null())
            .count()
    };
    assert_eq!(run.output("errors"), count("error").to_string());
    assert_eq!(run.output("warnings"), count("warning").to_string());
    assert_eq!(run.output("notes"), count("info").to_string());
    assert!(
        count("error") > 10 && count("warning") > 10,
        "the example needs more than one page of each"
    );

    // Annotations: 10 per kind at most, errors first, each at a real finding's place, in the bad files only.
    let ann = annotations(&lint.stdout);
    let errors: Vec<_> = ann.iter().filter(|a| a.0 == "error").collect();
    let warnings: Vec<_> = ann.iter().filter(|a| a.0 == "warning").collect();
    assert_eq!(errors.len(), 10);
    assert_eq!(warnings.len(), 10);
    let first_warning = ann.iter().position(|a| a.0 == "warning").unwrap();
    assert!(
        ann[..first_warning].iter().all(|a| a.0 == "error"),
        "most severe first"
    );
    for (cmd, file, line, col) in &ann {
        let sev = if cmd == "notice" {
            "info"
        } else {
            cmd.as_str()
        };
        assert!(file.starts_with("examples/bad/"), "{file}");
        assert!(
            all.iter().any(|f| f["path"] == file.as_str()
                && f["start"]["line"] == *line
                && f["start"]["column"] == *col
                && f["severity"] == sev),
            "annotation {cmd} {file}:{line}:{col} matches no finding"
        );
    }
    // The ten error annotations name ten different rules (the examples break more than ten).
    let mut rules: Vec<&str> = lint
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .filter_map(|l| l.split("title=").nth(1)?.split(' ').next())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(rules.len(), 10, "{rules:?}");
    // The known HISF-MAIL-004 line of the bad gateway is annotated (first errors in file order).
    let mail004 = all
        .iter()
        .find(|f| f["rule"] == "HISF-MAIL-004" && f["path"] == "examples/bad/gateway.yaml")
        .unwrap();
    assert!(errors
        .iter()
        .any(|a| a.1 == "examples/bad/gateway.yaml" && a.2 == mail004["start"]["line"]));

    // The rest are in a log group, one line each.
    let hidden = all.iter().filter(|f| f["suppressed"].is_null()).count() - ann.len();
    assert!(
        lint.stdout
            .contains(&format!("::group::hisf: {hidden} more findings")),
        "{}",
        lint.stdout
    );
    let group = lint.stdout.split("::group::").nth(1).unwrap();
    assert_eq!(
        group.lines().count() - 2,
        hidden,
        "one line per finding between group and endgroup"
    );

    assert!(run.summary.contains("❌ failed"), "{}", run.summary);
    assert!(
        run.summary.contains(&format!("{hidden} more findings")),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("HISF-MAIL-004"));

    assert_eq!(run.output("sarif"), "hisf.sarif");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(lab.workspace.join("hisf.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), all.len());
}

#[test]
fn the_good_examples_pass_without_annotations() {
    let lab = Lab::new("good");
    let run = lab.run(&[("paths", "examples/good")]);
    let lint = run.step("lint");
    assert!(run.success, "{}{}", lint.stdout, lint.stderr);
    assert_eq!(run.output("errors"), "0");
    assert_eq!(run.output("warnings"), "0");
    assert_eq!(run.output("exit-code"), "0");
    assert_eq!(run.output("sarif"), "");
    assert!(annotations(&lint.stdout).is_empty(), "{}", lint.stdout);
    assert!(run.summary.contains("✅ passed"), "{}", run.summary);
}

#[test]
fn a_tampered_binary_fails_the_checksum_and_nothing_runs() {
    let lab = Lab::new("tampered");
    let mut bytes = std::fs::read(lab.archive()).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(lab.archive(), bytes).unwrap();

    let run = lab.run(&[("paths", "examples/good")]);
    assert!(!run.success);
    let install = run.step("install");
    assert_eq!(install.code, Some(1));
    assert!(
        install
            .stdout
            .contains("::error title=hisf install::checksum mismatch for hisf-v9.8.7-"),
        "{}",
        install.stdout
    );
    assert!(
        !run.step("lint").ran,
        "hisf must not run after a failed verification"
    );
    assert_eq!(run.output("errors"), "");
    let cached: Vec<_> = walk_files(&lab.tool_cache);
    assert!(
        cached.is_empty(),
        "the bad download was deleted: {cached:?}"
    );
}

#[test]
fn a_verified_download_is_reused_and_a_corrupted_cache_is_not() {
    let lab = Lab::new("cache");
    assert!(lab.run(&[("paths", "examples/good")]).success);
    // The mirror disappears: the verified archive in the tool cache is enough.
    std::fs::remove_dir_all(&lab.release).unwrap();
    let again = lab.run(&[("paths", "examples/good")]);
    assert!(again.success, "{}", again.step("install").stdout);
    assert!(again
        .step("install")
        .stdout
        .contains("using the verified archive in the tool cache"));
    // A cached archive that no longer matches is not trusted: it is fetched again (and here that fails).
    let cached = walk_files(&lab.tool_cache)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "gz"))
        .unwrap();
    std::fs::write(&cached, b"not an archive").unwrap();
    let third = lab.run(&[("paths", "examples/good")]);
    assert!(!third.success);
    assert!(
        third.step("install").stdout.contains("cannot download"),
        "{}",
        third.step("install").stdout
    );
}

#[test]
fn inputs_cannot_inject_flags_or_shell() {
    let lab = Lab::new("inject");
    let bad_profile = lab.run(&[
        ("paths", "examples/good"),
        ("profile", "nz-health --fail-on=info"),
    ]);
    assert!(!bad_profile.success);
    let lint = bad_profile.step("lint");
    assert_eq!(lint.code, Some(2));
    assert!(
        lint.stdout
            .contains("profile 'nz-health --fail-on=info' is not one of"),
        "{}",
        lint.stdout
    );

    let run = lab.run(&[(
        "paths",
        "examples/good\n--format=json\n$(touch pwned)\n`touch pwned2`; touch pwned3",
    )]);
    let lint = run.step("lint");
    assert_eq!(
        lint.code,
        Some(2),
        "unreadable paths are a usage error: {}{}",
        lint.stdout,
        lint.stderr
    );
    assert!(
        !lint.stdout.trim_start().starts_with('{'),
        "`--format=json` was taken as a flag"
    );
    assert!(
        lint.stdout.contains("--format=json"),
        "reported as a path that cannot be read: {}",
        lint.stdout
    );
    for f in ["pwned", "pwned2", "pwned3"] {
        assert!(
            !lab.workspace.join(f).exists(),
            "input ran shell: {f} exists"
        );
    }

    let bad_version = lab.run(&[("version", "1.0.0; touch pwned4")]);
    assert!(!bad_version.success);
    assert!(bad_version
        .step("install")
        .stdout
        .contains("is not a version like 0.2.0"));
    assert!(!lab.workspace.join("pwned4").exists());
}

#[test]
fn without_a_binary_for_the_runner_it_builds_the_actions_own_source() {
    let mut lab = Lab::new("fallback");
    lab.runner_os = "FreeBSD".into();
    // Stand-in for cargo (see the module comment): records its arguments and
    // installs the binary this test run already built into --root/bin.
    let fake = lab.dir.join("fake-cargo");
    std::fs::create_dir_all(&fake).unwrap();
    let log = lab.dir.join("cargo-args");
    std::fs::write(
        fake.join("cargo"),
        format!(
            "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '{}'\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\nmkdir -p \"$root/bin\" && cp '{}' \"$root/bin/hisf\"\n",
            log.display(),
            env!("CARGO_BIN_EXE_hisf")
        ),
    )
    .unwrap();
    sh(Command::new("chmod").arg("+x").arg(fake.join("cargo")));
    lab.extra_path.push(fake);

    let run = lab.run(&[("paths", "examples/good")]);
    assert!(
        run.success,
        "{}{}",
        run.step("install").stdout,
        run.step("install").stderr
    );
    let args = std::fs::read_to_string(&log).unwrap();
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(args[..2], ["install", "--locked"]);
    let at = args.iter().position(|a| *a == "--path").unwrap();
    assert_eq!(args[at + 1], lab.action.display().to_string());
    assert_eq!(run.output("version"), env!("CARGO_PKG_VERSION"));
    assert_eq!(run.output("errors"), "0");
}

#[test]
fn ten_thousand_findings_keep_the_summary_under_one_mib() {
    let dir = tempdir("summary-10k");
    let mfd = std::fs::read_to_string(root().join("examples/bad/mfd.yaml")).unwrap();
    for i in 0..500 {
        std::fs::write(dir.join(format!("mfd-{i:03}.yaml")), &mfd).unwrap();
    }
    let summary = dir.join("summary.md");
    let o = Command::new(env!("CARGO_BIN_EXE_hisf"))
        .args(["lint", "--format", "github", "."])
        .current_dir(&dir)
        .env("HISF_TODAY", TODAY)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let ann = annotations(&stdout);
    assert!(ann.iter().filter(|a| a.0 == "error").count() <= 10);
    assert!(ann.iter().filter(|a| a.0 == "warning").count() <= 10);
    let total = stdout
        .lines()
        .filter(|l| {
            l.contains(": error HISF-")
                || l.contains(": warning HISF-")
                || l.contains(": info HISF-")
        })
        .count()
        + ann.len();
    assert!(
        total >= 10_000,
        "the test needs 10,000 findings, got {total}"
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.len() < 1024 * 1024, "summary is {} bytes", text.len());
    assert!(
        text.contains(&format!("{} more findings", total - ann.len())),
        "says how many were not annotated"
    );
    assert!(
        text.contains("more findings not listed here"),
        "says the table was cut"
    );
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Benchmark, not a test: the run step's wall time with the binary already
/// installed. `cargo test --release --test github_action -- --ignored --nocapture run_step_time`
#[test]
#[ignore]
fn run_step_time() {
    let lab = Lab::new("bench");
    assert!(lab.run(&[("paths", "examples/good")]).success);
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = std::time::Instant::now();
        let run = lab.run(&[("paths", "examples")]);
        assert_eq!(run.step("lint").code, Some(1));
        times.push(t.elapsed().as_secs_f64());
    }
    // Each run includes the install step (cache hit); time the run step alone too.
    let lint_only = {
        let bin = lab
            .dir
            .join("runner-temp")
            .join(format!("hisf-{VERSION}-{}", linux_target()))
            .join("hisf");
        let mut t = Vec::new();
        for _ in 0..20 {
            let s = std::time::Instant::now();
            let o = Command::new("bash")
                .arg(lab.action.join(".github/action/run.sh"))
                .current_dir(&lab.workspace)
                .env("HISF_BIN", &bin)
                .env("HISF_PATHS", "examples")
                .env("HISF_TODAY", TODAY)
                .env("GITHUB_OUTPUT", lab.dir.join("bench-output"))
                .env("GITHUB_STEP_SUMMARY", lab.dir.join("bench-summary"))
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(1));
            t.push(s.elapsed().as_secs_f64());
        }
        t
    };
    let stats = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        (v[0], v[v.len() / 2], v[v.len() - 1])
    };
    let (a, b, c) = stats(times);
    let (d, e, f) = stats(lint_only);
    println!("install (cache hit) + run steps on examples/: min {a:.3} s, median {b:.3} s, max {c:.3} s (20 runs)");
    println!("run step alone on examples/:                 min {d:.3} s, median {e:.3} s, max {f:.3} s (20 runs)");
}
