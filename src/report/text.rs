//! Markdown, CSV and JSON renderings of a [`Report`].

use std::fmt::Write as _;

use super::{Counts, DomainState, Report};

/// Versioned JSON.
pub fn json(r: &Report) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
    s.push('\n');
    s
}

fn pct(c: &Counts) -> String {
    c.compliance_percent()
        .map_or("–".into(), |p| format!("{p:.0}%"))
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn domain_table(out: &mut String, list: &[DomainState], with_days: bool) {
    if list.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    if with_days {
        out.push_str("| domain | organisation | type | provider | non-compliant since | days | failed rules |\n|---|---|---|---|---|---:|---|\n");
    } else {
        out.push_str("| domain | organisation | type | provider | was | now | failed rules |\n|---|---|---|---|---|---|---|\n");
    }
    for d in list {
        let (a, b) = if with_days {
            (
                d.first_seen_non_compliant.clone().unwrap_or_default(),
                d.days_non_compliant.unwrap_or(0).to_string(),
            )
        } else {
            (
                d.previous_verdict.clone().unwrap_or_default(),
                d.verdict.clone(),
            )
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {a} | {b} | {} |",
            d.domain,
            cell(&d.organisation),
            cell(&d.organisation_type),
            d.provider,
            d.failed_rules.join(", ")
        );
    }
    out.push('\n');
}

/// Markdown.
pub fn markdown(r: &Report) -> String {
    let mut s = String::from("# Secure e-mail compliance: NZ health sector\n\n");
    let _ = writeln!(
        s,
        "Generated {}. {} domains: **{} compliant**, **{} non-compliant**, {} inconclusive, {} not applicable ({} compliant of those with a verdict).\n",
        r.generated_at,
        r.latest.total(),
        r.latest.compliant,
        r.latest.non_compliant,
        r.latest.inconclusive,
        r.latest.not_applicable,
        pct(&r.latest)
    );
    s.push_str("## Compliance over time\n\n| run | started | domains | compliant | non-compliant | inconclusive | not applicable | compliant % |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
    for p in &r.trend {
        let c = &p.counts;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            p.run.id,
            p.run.started_at,
            c.total(),
            c.compliant,
            c.non_compliant,
            c.inconclusive,
            c.not_applicable,
            pct(c)
        );
    }
    for (title, groups) in [
        ("By organisation type", &r.by_organisation_type),
        ("By mail provider", &r.by_provider),
    ] {
        let _ = writeln!(s, "\n## {title}\n\n| | domains | compliant | non-compliant | inconclusive | compliant % |\n|---|---:|---:|---:|---:|---:|");
        for g in groups {
            let c = &g.counts;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&g.name),
                c.total(),
                c.compliant,
                c.non_compliant,
                c.inconclusive,
                pct(c)
            );
        }
    }
    s.push_str("\nMail provider: the registrable domain of a domain's first (most preferred) MX host, e.g. `mail.protection.outlook.com` → `outlook.com`.\n\n## Newly non-compliant\n\n");
    domain_table(&mut s, &r.newly_non_compliant, false);
    s.push_str("## Newly fixed\n\n");
    domain_table(&mut s, &r.newly_fixed, false);
    s.push_str("## Longest-standing non-compliance\n\n");
    domain_table(&mut s, &r.longest_non_compliant, true);
    s
}

/// CSV: one row per domain, its latest state.
pub fn csv(r: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "domain",
        "organisation",
        "organisation_type",
        "region",
        "provider",
        "verdict",
        "previous_verdict",
        "changed_since_previous",
        "checked_at",
        "first_seen_non_compliant",
        "days_non_compliant",
        "failed_rules",
        "profile",
        "policy_version",
        "run_id",
    ]);
    for d in &r.domains {
        let _ = w.write_record([
            d.domain.as_str(),
            &d.organisation,
            &d.organisation_type,
            &d.region,
            &d.provider,
            &d.verdict,
            d.previous_verdict.as_deref().unwrap_or(""),
            if d.changed_since_previous {
                "true"
            } else {
                "false"
            },
            &d.checked_at,
            d.first_seen_non_compliant.as_deref().unwrap_or(""),
            &d.days_non_compliant
                .map(|n| n.to_string())
                .unwrap_or_default(),
            &d.failed_rules.join(" "),
            &d.profile,
            &d.policy_version,
            &d.run_id,
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
