//! YAML, JSON and TOML loaders, the schema check and every rule: must never panic.
#![no_main]

use std::sync::Arc;

use hisf::config::{parse_structured, Format};
use hisf::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let format = match sel % 3 {
        0 => Format::Yaml,
        1 => Format::Json,
        _ => Format::Toml,
    };
    let src = Arc::new(SourceFile::new("fuzz", text.to_string()));
    if let Ok(docs) = parse_structured(&src, format) {
        for d in &docs {
            for (origin, _) in hisf::lint::schema_errors(d) {
                // Every location must resolve inside the text.
                let _ = origin.source.line_col(origin.span.end);
            }
            let _ = d.locate("/spec/inbound/tls/min_version");
        }
    }
});
