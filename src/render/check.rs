//! Output of `hisf check`: a table per target, then findings with `help:`; or JSON.

use std::fmt::Write as _;

use crate::policy::Severity;
use crate::probe::verdict::{CheckFinding, HostResult, TargetResult};
use crate::probe::{CheckReport, LegacyState};

/// JSON (schemas/check-result.schema.json).
pub fn json(r: &CheckReport) -> String {
    let mut s =
        serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

fn starttls(h: &HostResult) -> &'static str {
    match (h.mode, h.starttls_offered) {
        (crate::probe::Mode::ImplicitTls, _) => "implicit",
        (_, Some(true)) => "yes",
        (_, Some(false)) => "NO",
        (_, None) => "?",
    }
}

fn legacy(h: &HostResult) -> String {
    let mut acc = Vec::new();
    if h.legacy.ssl3 == LegacyState::Accepted {
        acc.push("SSL 3.0".to_string());
    }
    for (name, s) in [("1.0", h.legacy.tls1_0), ("1.1", h.legacy.tls1_1)] {
        match s {
            LegacyState::Accepted => acc.push(format!("TLS {name}")),
            LegacyState::Inconclusive => acc.push(format!("{name}?")),
            _ => {}
        }
    }
    if acc.is_empty() {
        if h.legacy.tls1_0 == LegacyState::NotTested && h.legacy.tls1_1 == LegacyState::NotTested {
            "-".into()
        } else {
            "no".into()
        }
    } else {
        acc.join(", ")
    }
}

fn certificate(h: &HostResult) -> String {
    let Some(c) = &h.certificate else {
        return "-".into();
    };
    let mut faults = Vec::new();
    if !c.trusted {
        faults.push("untrusted");
    }
    if !c.name_matches {
        faults.push("wrong name");
    }
    if c.expired {
        faults.push("expired");
    }
    if c.not_yet_valid {
        faults.push("not yet valid");
    }
    if faults.is_empty() {
        "ok".into()
    } else {
        faults.join(", ")
    }
}

fn best_tls(h: &HostResult) -> String {
    match &h.tls {
        Some(t) if t.via == "raw" => format!("{} (weak suite)", t.version),
        Some(t) => t.version.clone(),
        None => "-".into(),
    }
}

fn push_finding(out: &mut String, f: &CheckFinding, color: bool) {
    let (label, code) = match f.severity {
        Severity::Error => ("error", "\x1b[1;31m"),
        Severity::Warning => ("warning", "\x1b[1;33m"),
        Severity::Info => ("info", "\x1b[1;36m"),
    };
    if color {
        let _ = writeln!(out, "{code}{label}[{}]\x1b[0m: {}", f.rule, f.message);
    } else {
        let _ = writeln!(out, "{label}[{}]: {}", f.rule, f.message);
    }
    let _ = writeln!(out, "  help: {}", f.help);
}

/// Human output.
pub fn human(r: &CheckReport, color: bool) -> String {
    let mut out = String::new();
    for t in &r.results {
        render_target(&mut out, t, color);
    }
    let mut counts = [0usize; 4];
    for t in &r.results {
        counts[t.verdict as usize] += 1;
    }
    let _ = writeln!(
        out,
        "{} targets: {} compliant, {} non-compliant, {} inconclusive, {} not applicable (profile {}, policy {})",
        r.results.len(),
        counts[1],
        counts[3],
        counts[2],
        counts[0],
        r.policy.profile,
        r.policy.version
    );
    out
}

fn render_target(out: &mut String, t: &TargetResult, color: bool) {
    let what = match t.mail_hosts {
        "mx" => format!("{} MX host address(es)", t.hosts.len()),
        "implicit_mx" => "no MX: the domain's own address (implicit MX)".into(),
        "null_mx" => "null MX (RFC 7505): accepts no mail".into(),
        _ => "host".into(),
    };
    let _ = writeln!(out, "{} — {} — {}", t.target, t.verdict.as_str(), what);
    for e in &t.errors {
        let _ = writeln!(
            out,
            "  {} error ({}): {}",
            e.stage.as_str(),
            e.kind,
            e.detail
        );
    }
    if !t.hosts.is_empty() {
        let header = [
            "host",
            "ip",
            "port",
            "STARTTLS",
            "best TLS",
            "legacy TLS accepted",
            "certificate",
            "verdict",
        ];
        let rows: Vec<[String; 8]> = t
            .hosts
            .iter()
            .map(|h| {
                [
                    h.host.clone(),
                    h.ip.map_or("-".into(), |i| i.to_string()),
                    h.port.to_string(),
                    starttls(h).into(),
                    best_tls(h),
                    legacy(h),
                    certificate(h),
                    h.verdict.as_str().into(),
                ]
            })
            .collect();
        let mut w = header.map(str::len);
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::from(" ");
            for (i, c) in cells.iter().enumerate() {
                let pad = w[i] - c.chars().count();
                s.push(' ');
                s.push_str(c);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(pad + 1));
                }
            }
            s
        };
        let _ = writeln!(out, "{}", line(&header.map(String::from)));
        for r in &rows {
            let _ = writeln!(out, "{}", line(r));
        }
    }
    let _ = writeln!(out);
    for h in &t.hosts {
        for f in &h.findings {
            push_finding(out, f, color);
        }
        for e in &h.errors {
            let _ = writeln!(
                out,
                "note: {} {} port {}: {} ({}): {}",
                h.host,
                h.ip.map_or("-".into(), |i| i.to_string()),
                h.port,
                e.stage.as_str(),
                e.kind,
                e.detail
            );
        }
    }
    for f in &t.findings {
        push_finding(out, f, color);
    }
    if t.hosts
        .iter()
        .any(|h| !h.findings.is_empty() || !h.errors.is_empty())
        || !t.findings.is_empty()
    {
        let _ = writeln!(out);
    }
}
