//! The sector target list: CSV with the header
//! `domain,organisation,organisation_type,region` (more columns allowed and kept).

use std::collections::BTreeMap;
use std::path::Path;

/// One agency domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorTarget {
    /// Mail domain, lower-case.
    pub domain: String,
    /// Organisation name.
    pub organisation: String,
    /// e.g. `general_practice`, `pharmacy`, `hospital`.
    pub organisation_type: String,
    /// e.g. `Canterbury`.
    pub region: String,
    /// Any other columns, by header.
    pub extra: BTreeMap<String, String>,
    /// Line in the file (1-based), for messages.
    pub line: u64,
}

/// A row that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Line in the file (1-based).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// The required columns, in the documented order.
pub const REQUIRED: [&str; 4] = ["domain", "organisation", "organisation_type", "region"];

/// Reads a target list. A missing or wrong header is fatal; bad rows are
/// reported with their line and skipped; a domain listed twice keeps its first row.
pub fn read(path: &Path) -> Result<(Vec<SectorTarget>, Vec<BadRow>), String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses CSV bytes.
pub fn parse(bytes: &[u8]) -> Result<(Vec<SectorTarget>, Vec<BadRow>), String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("line 1: cannot read the header: {e}"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut index = [0usize; 4];
    for (i, want) in REQUIRED.iter().enumerate() {
        index[i] = headers.iter().position(|h| h == want).ok_or_else(|| {
            format!(
                "line 1: the header has no `{want}` column (expected `{}`, got `{}`)",
                REQUIRED.join(","),
                headers.join(",")
            )
        })?;
    }
    let mut good: Vec<SectorTarget> = Vec::new();
    let mut bad = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                bad.push(BadRow {
                    line,
                    message: format!("not valid CSV: {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rec.len() < headers.len() {
            bad.push(BadRow {
                line,
                message: format!("{} fields, the header has {}", rec.len(), headers.len()),
            });
            continue;
        }
        let field = |i: usize| rec.get(index[i]).unwrap_or("").to_string();
        let domain = field(0).trim_end_matches('.').to_ascii_lowercase();
        match crate::probe::target::parse(&domain) {
            Ok(crate::probe::Target::Domain(_)) => {}
            _ => {
                bad.push(BadRow {
                    line,
                    message: format!("`{}` is not a domain name", field(0)),
                });
                continue;
            }
        }
        if !seen.insert(domain.clone()) {
            bad.push(BadRow {
                line,
                message: format!("{domain} is listed again (the first row is kept)"),
            });
            continue;
        }
        let extra = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !index.contains(i))
            .map(|(i, h)| (h.clone(), rec.get(i).unwrap_or("").to_string()))
            .collect();
        good.push(SectorTarget {
            domain,
            organisation: field(1),
            organisation_type: field(2),
            region: field(3),
            extra,
            line,
        });
    }
    Ok((good, bad))
}

/// Second-level labels under which registrations happen one level lower
/// (`*.co.nz`, `*.health.nz`, …): enough of the Public Suffix List for NZ and
/// the large mail providers; anything else is grouped by its last two labels.
const TWO_LABEL_SUFFIXES: &[&str] = &[
    "ac.nz",
    "co.nz",
    "geek.nz",
    "gen.nz",
    "govt.nz",
    "health.nz",
    "iwi.nz",
    "kiwi.nz",
    "maori.nz",
    "mil.nz",
    "net.nz",
    "org.nz",
    "parliament.nz",
    "school.nz",
    "cri.nz",
    "com.au",
    "net.au",
    "org.au",
    "gov.au",
    "edu.au",
    "co.uk",
    "org.uk",
    "ac.uk",
    "gov.uk",
];

/// The mail provider of a domain: the registrable domain of its first MX
/// host (e.g. `mail.protection.outlook.com` → `outlook.com`;
/// `mx1.pharmacy.co.nz` → `pharmacy.co.nz`).
pub fn provider(mx_host: &str) -> String {
    let host = mx_host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() <= 2 {
        return host;
    }
    let last2 = labels[labels.len() - 2..].join(".");
    let keep = if TWO_LABEL_SUFFIXES.contains(&last2.as_str()) {
        3
    } else {
        2
    };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_good_and_bad() {
        let csv = "domain,organisation,organisation_type,region,phn\n\
                   a.health.nz,A Clinic,general_practice,Canterbury,X\n\
                   not a domain,B,pharmacy,Otago,Y\n\
                   c.co.nz,C,pharmacy\n\
                   A.health.nz,dup,x,y,z\n\
                   \n\
                   d.org.nz,\"D, Ltd\",hospital,Auckland,Z\n";
        let (good, bad) = parse(csv.as_bytes()).unwrap();
        assert_eq!(
            good.iter().map(|t| t.domain.as_str()).collect::<Vec<_>>(),
            ["a.health.nz", "d.org.nz"]
        );
        assert_eq!(good[1].organisation, "D, Ltd");
        assert_eq!(good[0].extra["phn"], "X");
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [3, 4, 5]);
        assert!(parse(b"name,org\nx,y\n")
            .unwrap_err()
            .contains("no `domain` column"));
    }

    #[test]
    fn providers() {
        assert_eq!(provider("mail.protection.outlook.com"), "outlook.com");
        assert_eq!(provider("aspmx.l.google.com."), "google.com");
        assert_eq!(provider("mx1.pharmacy.co.nz"), "pharmacy.co.nz");
        assert_eq!(provider("mx.clinic.health.nz"), "clinic.health.nz");
        assert_eq!(provider("localhost"), "localhost");
    }
}
