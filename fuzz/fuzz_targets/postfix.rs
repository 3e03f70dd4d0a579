//! Postfix main.cf / master.cf parsers and the effective-value mapping: must never panic.
#![no_main]

use std::sync::Arc;

use hisf::config::postfix::{parse, to_document, Instance};
use hisf::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first half is main.cf, the second master.cf (all of it main.cf if the middle splits a character).
    let mid = text.len() / 2;
    let (a, b) = if text.is_char_boundary(mid) { text.split_at(mid) } else { (text, "") };
    let main = Arc::new(SourceFile::new("main.cf", a.to_string()));
    let master = Arc::new(SourceFile::new("master.cf", b.to_string()));
    let inst = Instance {
        main: parse::parse_main(&main).ok().map(|m| (main.clone(), m)),
        master: parse::parse_master(&master).ok().map(|m| (master.clone(), m)),
    };
    if inst.main.is_some() || inst.master.is_some() {
        let doc = to_document(&inst);
        for o in doc.origins.values() {
            let _ = o.source.line_col(o.span.end);
        }
    }
});
