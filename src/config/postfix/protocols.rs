//! Postfix TLS protocol lists, both syntaxes: exclusions (`!SSLv2, !SSLv3, !TLSv1`)
//! and bounds (`>=TLSv1.2`, `<=TLSv1.3`), separated by commas, spaces or colons.

/// Versions in order, as Postfix names them.
const VERSIONS: [&str; 6] = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
/// The same versions as hisf names them (SSLv2 shares SSLv3's name: both are below anything hisf models).
const HISF_NAMES: [&str; 6] = ["SSLv3", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// The set of enabled versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolSet(pub [bool; 6]);

fn index(name: &str) -> Option<usize> {
    VERSIONS.iter().position(|v| v.eq_ignore_ascii_case(name))
}

/// Parses a protocols value. Unknown names are ignored, as Postfix warns and ignores them.
pub fn parse(value: &str) -> ProtocolSet {
    let toks: Vec<&str> = value
        .split([',', ' ', '\t', ':'])
        .filter(|t| !t.is_empty())
        .collect();
    let includes: Vec<usize> = toks
        .iter()
        .filter_map(|t| {
            if t.starts_with(['!', '<', '>']) {
                None
            } else {
                index(t)
            }
        })
        .collect();
    // An explicit include list enables only those; otherwise everything OpenSSL 3 can still speak.
    let mut on = if includes.is_empty() {
        // Debian's OpenSSL 3 is built without SSLv3.
        [false, false, true, true, true, true]
    } else {
        let mut s = [false; 6];
        for i in includes {
            s[i] = true;
        }
        s
    };
    // OpenSSL 3 has no SSLv2 at all.
    on[0] = false;
    for t in &toks {
        if let Some(n) = t.strip_prefix('!') {
            if let Some(i) = index(n) {
                on[i] = false;
            }
        } else if let Some(n) = t.strip_prefix(">=") {
            if let Some(i) = index(n) {
                on.iter_mut().take(i).for_each(|b| *b = false);
            }
        } else if let Some(n) = t.strip_prefix("<=") {
            if let Some(i) = index(n) {
                on.iter_mut().skip(i + 1).for_each(|b| *b = false);
            }
        }
    }
    ProtocolSet(on)
}

impl ProtocolSet {
    /// hisf name of the lowest enabled version (TLSv1.3 if none is).
    pub fn min_name(&self) -> &'static str {
        self.0
            .iter()
            .position(|b| *b)
            .map_or("TLSv1.3", |i| HISF_NAMES[i])
    }

    /// hisf name of the highest enabled version, when it is below TLS 1.3.
    pub fn max_name(&self) -> Option<&'static str> {
        let i = self.0.iter().rposition(|b| *b)?;
        (i < 5).then_some(HISF_NAMES[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_syntaxes() {
        assert_eq!(parse(">=TLSv1").min_name(), "TLSv1.0");
        assert_eq!(parse("!SSLv2, !SSLv3").min_name(), "TLSv1.0");
        assert_eq!(
            parse("!SSLv2, !SSLv3, !TLSv1, !TLSv1.1").min_name(),
            "TLSv1.2"
        );
        assert_eq!(parse(">=TLSv1.2").min_name(), "TLSv1.2");
        assert_eq!(parse(">=TLSv1.2, <=TLSv1.2").max_name(), Some("TLSv1.2"));
        assert_eq!(parse("TLSv1.2 TLSv1.3").min_name(), "TLSv1.2");
        assert_eq!(parse("!SSLv2:!SSLv3:!TLSv1").min_name(), "TLSv1.1");
        assert_eq!(parse(">=TLSv1.2").max_name(), None);
        assert_eq!(parse("").min_name(), "TLSv1.0");
    }
}
