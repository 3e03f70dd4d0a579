//! One self-contained HTML file: inline CSS and SVG charts, no scripts or
//! web fonts; readable on a phone (tables scroll sideways), printable.

use std::fmt::Write as _;

use super::{Counts, DomainState, Group, Report};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const COLOURS: [(&str, &str); 4] = [
    ("compliant", "#1a7f37"),
    ("non_compliant", "#cf222e"),
    ("inconclusive", "#bf8700"),
    ("not_applicable", "#8c959f"),
];

fn parts(c: &Counts) -> [usize; 4] {
    [
        c.compliant,
        c.non_compliant,
        c.inconclusive,
        c.not_applicable,
    ]
}

/// Stacked columns per run, with the compliant share as a line.
fn trend_svg(r: &Report) -> String {
    let n = r.trend.len().max(1);
    let (w, h, pad) = (640.0_f64, 240.0_f64, 32.0_f64);
    let max = r
        .trend
        .iter()
        .map(|p| p.counts.total())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let col = (w - 2.0 * pad) / n as f64;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"trend-title\"><title id=\"trend-title\">Verdicts per scan run</title>"
    );
    let _ = write!(
        s,
        "<line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\"/>",
        h - pad,
        w - pad,
        h - pad
    );
    let mut line = Vec::new();
    for (i, p) in r.trend.iter().enumerate() {
        let x = pad + i as f64 * col + col * 0.15;
        let bw = col * 0.7;
        let mut y = h - pad;
        for (k, v) in parts(&p.counts).iter().enumerate() {
            let bh = (h - 2.0 * pad) * *v as f64 / max;
            y -= bh;
            if *v > 0 {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{}: {} {}</title></rect>",
                    COLOURS[k].1,
                    esc(&p.run.started_at),
                    v,
                    COLOURS[k].0.replace('_', " ")
                );
            }
        }
        if let Some(pc) = p.counts.compliance_percent() {
            line.push(format!(
                "{:.1},{:.1}",
                x + bw / 2.0,
                h - pad - (h - 2.0 * pad) * pc / 100.0
            ));
        }
        let label = p.run.started_at.get(..10).unwrap_or("");
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x + bw / 2.0,
            h - pad + 14.0,
            esc(label)
        );
    }
    if line.len() > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>",
            line.join(" ")
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal stacked bars per group.
fn groups_svg(id: &str, title: &str, groups: &[Group]) -> String {
    let groups = &groups[..groups.len().min(15)];
    let (w, row, label_w) = (640.0_f64, 22.0_f64, 200.0_f64);
    let h = row * groups.len().max(1) as f64 + 8.0;
    let max = groups
        .iter()
        .map(|g| g.counts.total())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title\"><title id=\"{id}-title\">{}</title>",
        esc(title)
    );
    for (i, g) in groups.iter().enumerate() {
        let y = 4.0 + i as f64 * row;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(&g.name)
        );
        let mut x = label_w;
        for (k, v) in parts(&g.counts).iter().enumerate() {
            let bw = (w - label_w - 40.0) * *v as f64 / max;
            if *v > 0 {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} {}</title></rect>",
                    row - 6.0,
                    COLOURS[k].1,
                    v,
                    COLOURS[k].0.replace('_', " ")
                );
            }
            x += bw;
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            x + 4.0,
            y + 13.0,
            g.counts.total()
        );
    }
    s.push_str("</svg>");
    s
}

fn legend() -> String {
    let mut s = String::from("<p class=\"legend\">");
    for (name, colour) in COLOURS {
        let _ = write!(
            s,
            "<span><i style=\"background:{colour}\"></i>{}</span> ",
            name.replace('_', " ")
        );
    }
    s.push_str("<span><i style=\"background:#0969da;height:3px\"></i>compliant %</span></p>");
    s
}

fn domains_table(id: &str, list: &[DomainState], with_days: bool) -> String {
    if list.is_empty() {
        return format!("<p id=\"{id}\" class=\"none\">None.</p>");
    }
    let mut s = format!("<div class=\"scroll\"><table id=\"{id}\"><thead><tr><th>Domain</th><th>Organisation</th><th>Type</th><th>Provider</th>");
    s.push_str(if with_days {
        "<th>Non-compliant since</th><th>Days</th>"
    } else {
        "<th>Was</th><th>Now</th>"
    });
    s.push_str("<th>Failed rules</th></tr></thead><tbody>");
    for d in list {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&d.domain),
            esc(&d.organisation),
            esc(&d.organisation_type),
            esc(&d.provider)
        );
        if with_days {
            let _ = write!(
                s,
                "<td>{}</td><td class=\"num\">{}</td>",
                esc(d.first_seen_non_compliant.as_deref().unwrap_or("")),
                d.days_non_compliant.unwrap_or(0)
            );
        } else {
            let _ = write!(
                s,
                "<td>{}</td><td class=\"v-{}\">{}</td>",
                esc(d.previous_verdict.as_deref().unwrap_or("")),
                esc(&d.verdict),
                esc(&d.verdict.replace('_', " "))
            );
        }
        let _ = write!(s, "<td>{}</td></tr>", esc(&d.failed_rules.join(", ")));
    }
    s.push_str("</tbody></table></div>");
    s
}

fn groups_table(groups: &[Group]) -> String {
    let mut s = String::from("<div class=\"scroll\"><table><thead><tr><th></th><th>Domains</th><th>Compliant</th><th>Non-compliant</th><th>Inconclusive</th><th>Compliant %</th></tr></thead><tbody>");
    for g in groups {
        let c = &g.counts;
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&g.name),
            c.total(),
            c.compliant,
            c.non_compliant,
            c.inconclusive,
            c.compliance_percent().map_or("–".into(), |p| format!("{p:.0}%"))
        );
    }
    s.push_str("</tbody></table></div>");
    s
}

const CSS: &str = "body{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1f2328}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}\
.kpis{display:flex;flex-wrap:wrap;gap:.5rem}.kpi{flex:1 1 8rem;border:1px solid #d0d7de;border-radius:6px;padding:.5rem}\
.kpi b{display:block;font-size:1.6rem}.chart{width:100%;height:auto}.scroll{overflow-x:auto}\
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;white-space:nowrap}\
.num{text-align:right}.v-non_compliant{color:#cf222e;font-weight:600}.v-compliant{color:#1a7f37}\
.legend span{margin-right:1rem;font-size:.85rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}\
@media print{body{max-width:none;font-size:11pt}.scroll{overflow:visible}h2{break-after:avoid}table,svg{break-inside:avoid}}";

/// The report as one HTML document.
pub fn html(r: &Report) -> String {
    let mut s = String::from("<!doctype html><html lang=\"en-NZ\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Secure e-mail compliance — NZ health sector</title><style>");
    s.push_str(CSS);
    s.push_str("</style></head><body><h1>Secure e-mail compliance: NZ health sector</h1>");
    let _ = write!(
        s,
        "<p>Generated {} from {} scan runs.</p><div class=\"kpis\" id=\"kpis\">",
        esc(&r.generated_at),
        r.trend.len()
    );
    let c = &r.latest;
    for (label, value, id) in [
        ("domains", c.total().to_string(), "kpi-total"),
        ("compliant", c.compliant.to_string(), "kpi-compliant"),
        (
            "non-compliant",
            c.non_compliant.to_string(),
            "kpi-non-compliant",
        ),
        (
            "inconclusive",
            c.inconclusive.to_string(),
            "kpi-inconclusive",
        ),
        (
            "compliant %",
            c.compliance_percent()
                .map_or("–".into(), |p| format!("{p:.0}%")),
            "kpi-percent",
        ),
    ] {
        let _ = write!(
            s,
            "<div class=\"kpi\" id=\"{id}\"><b>{}</b>{label}</div>",
            esc(&value)
        );
    }
    s.push_str("</div><h2 id=\"trend\">Compliance over time</h2>");
    s.push_str(&trend_svg(r));
    s.push_str(&legend());
    s.push_str("<h2 id=\"types\">By organisation type</h2>");
    s.push_str(&groups_svg(
        "types-chart",
        "Verdicts by organisation type",
        &r.by_organisation_type,
    ));
    s.push_str(&groups_table(&r.by_organisation_type));
    s.push_str("<h2 id=\"providers\">By mail provider</h2><p>Provider: the registrable domain of a domain's most preferred MX host.</p>");
    s.push_str(&groups_svg(
        "providers-chart",
        "Verdicts by mail provider",
        &r.by_provider,
    ));
    s.push_str(&groups_table(&r.by_provider));
    s.push_str("<h2>Newly non-compliant</h2>");
    s.push_str(&domains_table(
        "newly-non-compliant",
        &r.newly_non_compliant,
        false,
    ));
    s.push_str("<h2>Newly fixed</h2>");
    s.push_str(&domains_table("newly-fixed", &r.newly_fixed, false));
    s.push_str("<h2>Longest-standing non-compliance</h2>");
    s.push_str(&domains_table("longest", &r.longest_non_compliant, true));
    s.push_str("</body></html>\n");
    s
}
