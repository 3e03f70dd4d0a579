//! Postfix `main.cf` + `master.cf` → a MailGateway document, using *effective*
//! values: the file's own settings, `master.cf` `-o` overrides per service,
//! `$parameter` expansion, and Postfix's defaults for what is left unset.

pub mod defaults;
pub mod parse;
pub mod protocols;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::{Document, Origin};
use crate::source::SourceFile;
use parse::{MainCf, MasterCf, Service};

/// A Postfix instance: the main.cf and master.cf of one directory (either may be absent).
pub struct Instance {
    /// main.cf and its parse.
    pub main: Option<(Arc<SourceFile>, MainCf)>,
    /// master.cf and its parse.
    pub master: Option<(Arc<SourceFile>, MasterCf)>,
}

/// An effective value and where it came from.
#[derive(Debug, Clone)]
struct Effective {
    value: String,
    origin: Origin,
}

/// How deep `$name` references may nest.
/// References followed while expanding one parameter.
const MAX_EXPANSION_STEPS: usize = 10_000;
/// Expanded length at which expansion stops (real values are a few hundred bytes).
const MAX_EXPANDED_LEN: usize = 64 * 1024;
const MAX_EXPANSION_DEPTH: usize = 16;

impl Instance {
    /// main.cf if present, else master.cf.
    fn primary(&self) -> Arc<SourceFile> {
        match (&self.main, &self.master) {
            (Some((s, _)), _) | (None, Some((s, _))) => s.clone(),
            (None, None) => Arc::new(SourceFile::new("main.cf", String::new())),
        }
    }

    /// Raw (unexpanded) value of `name` for a service: override, then main.cf, then default.
    fn raw(&self, name: &str, svc: Option<&Service>) -> Option<Effective> {
        if let (Some(svc), Some((src, _))) = (svc, &self.master) {
            if let Some(o) = svc.get(name) {
                let origin = Origin {
                    source: src.clone(),
                    span: o.span.clone(),
                    key_span: None,
                    label: Some(format!("`-o {name}` on service `{}`", svc.name)),
                    help: None,
                };
                return Some(Effective {
                    value: o.value.clone(),
                    origin,
                });
            }
        }
        if let Some((src, m)) = &self.main {
            if let Some(p) = m.get(name) {
                let span = if p.value_span.is_empty() {
                    p.name_span.clone()
                } else {
                    p.value_span.clone()
                };
                let origin = Origin {
                    source: src.clone(),
                    span,
                    key_span: Some(p.name_span.clone()),
                    label: None,
                    help: None,
                };
                return Some(Effective {
                    value: p.value.clone(),
                    origin,
                });
            }
        }
        let default = defaults::default_of(name)?;
        let source = self.primary();
        let origin = Origin {
            source,
            span: 0..0,
            key_span: None,
            label: Some(format!(
                "`{name}` is not set, so Postfix's default `{}` applies",
                if default.is_empty() {
                    "(empty)"
                } else {
                    default
                }
            )),
            help: None,
        };
        Some(Effective {
            value: default.to_string(),
            origin,
        })
    }

    /// Effective, `$`-expanded value of `name` for a service.
    fn get(&self, name: &str, svc: Option<&Service>) -> Option<Effective> {
        let mut e = self.raw(name, svc)?;
        let mut budget = MAX_EXPANSION_STEPS;
        e.value = self.expand(&e.value, svc, 0, &mut budget);
        Some(e)
    }

    /// Expands `$name` references. Bounded three ways, so that a hostile
    /// main.cf (`a = $b$b`, `b = $c$c`, …) cannot exhaust memory or time:
    /// nesting depth, total references followed, and output length. What
    /// is left over when a bound is hit stays unexpanded.
    fn expand(
        &self,
        value: &str,
        svc: Option<&Service>,
        depth: usize,
        budget: &mut usize,
    ) -> String {
        if depth >= MAX_EXPANSION_DEPTH || !value.contains('$') || *budget == 0 {
            return value.to_string();
        }
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(i) = rest.find('$') {
            if out.len() > MAX_EXPANDED_LEN || *budget == 0 {
                break;
            }
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if let Some(tail) = after.strip_prefix('$') {
                // `$$` is a literal `$`.
                out.push('$');
                rest = tail;
                continue;
            }
            let (name, consumed) = match after.chars().next() {
                Some(open @ ('{' | '(')) => {
                    let close = if open == '{' { '}' } else { ')' };
                    match after.find(close) {
                        Some(end) => (&after[1..end], end + 1),
                        None => ("", 0),
                    }
                }
                _ => {
                    let end = after
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(after.len());
                    (&after[..end], end)
                }
            };
            if name.is_empty() || name.contains(['?', ':', '{', '$']) {
                // `$$`, conditional forms and the like are kept literally.
                out.push('$');
                rest = after;
                continue;
            }
            *budget -= 1;
            if let Some(e) = self.raw(name, svc) {
                out.push_str(&self.expand(&e.value, svc, depth + 1, budget));
            }
            rest = &after[consumed..];
        }
        out.push_str(rest);
        out
    }

    fn services(&self) -> &[Service] {
        self.master
            .as_ref()
            .map_or(&[], |(_, m)| m.services.as_slice())
    }

    /// The port-25 service (and, for postscreen, the smtpd `pass` service behind it).
    fn inbound_service(&self) -> Option<&Service> {
        let s = self.services().iter().find(|s| s.port() == Some(25))?;
        if s.command == "postscreen" {
            return self
                .services()
                .iter()
                .find(|p| p.kind == "pass" && p.command == "smtpd")
                .or(Some(s));
        }
        Some(s)
    }
}

/// Builds the MailGateway document for a Postfix instance.
pub fn to_document(inst: &Instance) -> Document {
    let mut origins: HashMap<String, Origin> = HashMap::new();
    let mut put = |ptr: &str, mut o: Origin, help: &str| {
        o.help = Some(help.to_string());
        origins.insert(ptr.to_string(), o);
    };
    let inbound_svc = inst.inbound_service();

    // Inbound (port 25).
    let (in_mode, in_mode_o) = tls_level(inst, "smtpd", inbound_svc);
    put("/spec/inbound/tls/mode", in_mode_o, "set `smtpd_tls_security_level = may` in main.cf (and give smtpd a certificate with `smtpd_tls_chain_files`)");
    let in_proto_param = if in_mode == "required" {
        "smtpd_tls_mandatory_protocols"
    } else {
        "smtpd_tls_protocols"
    };
    let (in_min, in_max, in_o) = protocol_range(inst, in_proto_param, inbound_svc);
    let proto_help = "set `smtpd_tls_protocols = >=TLSv1.2` and `smtpd_tls_mandatory_protocols = >=TLSv1.2` in main.cf".to_string();
    put("/spec/inbound/tls/min_version", in_o.clone(), &proto_help);
    put(
        "/spec/inbound/tls/max_version",
        in_o,
        &format!("remove the upper bound from `{in_proto_param}`"),
    );

    // Relay control.
    let mut relay = serde_json::Map::new();
    if let Some(e) = inst.get("mynetworks", inbound_svc) {
        let nets: Vec<&str> = e
            .value
            .split([',', ' ', '\t'])
            .filter(|s| !s.is_empty())
            .collect();
        for (i, _) in nets.iter().enumerate() {
            put(
                &format!("/spec/inbound/relay/networks/{i}"),
                e.origin.clone(),
                "remove the network from `mynetworks`: only the agency's own clients may relay",
            );
        }
        relay.insert("networks".into(), json!(nets));
    }
    let relay_r = inst.get("smtpd_relay_restrictions", inbound_svc);
    let rcpt_r = inst.get("smtpd_recipient_restrictions", inbound_svc);
    let guards = |e: &Option<Effective>| {
        e.as_ref().is_some_and(|e| {
            let items: Vec<&str> = e
                .value
                .split([',', ' ', '\t'])
                .filter(|s| !s.is_empty())
                .collect();
            let guard = items.iter().position(|i| {
                matches!(
                    *i,
                    "reject_unauth_destination" | "defer_unauth_destination" | "reject"
                )
            });
            let open = items.iter().position(|i| *i == "permit");
            matches!((guard, open), (Some(g), o) if o.is_none_or(|o| g < o))
        })
    };
    let open = !(guards(&relay_r) || guards(&rcpt_r));
    if let Some(e) = relay_r {
        put("/spec/inbound/relay/open", e.origin, "keep `reject_unauth_destination` (or `defer_unauth_destination`) in `smtpd_relay_restrictions`, before any `permit`");
    }
    relay.insert("open".into(), json!(open));

    // Outbound.
    let (out_mode, out_mode_o) = tls_level(inst, "smtp", None);
    put(
        "/spec/outbound/tls/mode",
        out_mode_o,
        "set `smtp_tls_security_level = may` in main.cf",
    );
    let out_proto_param = if matches!(out_mode.as_str(), "required" | "verify") {
        "smtp_tls_mandatory_protocols"
    } else {
        "smtp_tls_protocols"
    };
    let (out_min, out_max, out_o) = protocol_range(inst, out_proto_param, None);
    put("/spec/outbound/tls/min_version", out_o.clone(), "set `smtp_tls_protocols = >=TLSv1.2` and `smtp_tls_mandatory_protocols = >=TLSv1.2` in main.cf");
    put(
        "/spec/outbound/tls/max_version",
        out_o,
        &format!("remove the upper bound from `{out_proto_param}`"),
    );

    // Submission services from master.cf.
    let mut submission = Vec::new();
    for svc in inst
        .services()
        .iter()
        .filter(|s| s.command == "smtpd" && matches!(s.port(), Some(465 | 587)))
    {
        let i = submission.len();
        let port = svc.port().unwrap_or(587);
        let name_origin = |label: String| Origin {
            source: inst
                .master
                .as_ref()
                .map(|(s, _)| s.clone())
                .expect("services come from master.cf"),
            span: svc.name_span.clone(),
            key_span: None,
            label: Some(label),
            help: None,
        };
        let wrapper = inst.get("smtpd_tls_wrappermode", Some(svc));
        let (level, level_o) = tls_level(inst, "smtpd", Some(svc));
        let security = if wrapper.as_ref().is_some_and(|w| is_yes(&w.value)) {
            "implicit_tls"
        } else {
            match level.as_str() {
                "required" => "starttls_required",
                "opportunistic" => "starttls_optional",
                _ => "none",
            }
        };
        let sec_origin = if security == "implicit_tls" {
            wrapper.map(|w| w.origin).unwrap_or(level_o)
        } else {
            level_o
        };
        let sec_origin = if sec_origin.span.is_empty() {
            name_origin(format!("service `{}` leaves TLS at `{level}`", svc.name))
        } else {
            sec_origin
        };
        put(
            &format!("/spec/submission/{i}/security"),
            sec_origin,
            if port == 465 {
                "add `-o smtpd_tls_wrappermode=yes` to this service"
            } else {
                "add `-o smtpd_tls_security_level=encrypt` to this service"
            },
        );
        let auth = inst.get("smtpd_sasl_auth_enable", Some(svc));
        let auth_required = auth.as_ref().is_some_and(|a| is_yes(&a.value));
        let auth_o = auth
            .map(|a| a.origin)
            .filter(|o| !o.span.is_empty())
            .unwrap_or_else(|| {
                name_origin(format!(
                    "service `{}` does not enable SASL authentication",
                    svc.name
                ))
            });
        put(&format!("/spec/submission/{i}/auth_required"), auth_o, "add `-o smtpd_sasl_auth_enable=yes` and `-o smtpd_client_restrictions=permit_sasl_authenticated,reject` to this service");
        let proto_param = if security == "starttls_optional" {
            "smtpd_tls_protocols"
        } else {
            "smtpd_tls_mandatory_protocols"
        };
        let (smin, _, so) = protocol_range(inst, proto_param, Some(svc));
        put(
            &format!("/spec/submission/{i}/min_version"),
            so,
            &format!("add `-o {proto_param}=>=TLSv1.2` to this service, or set it in main.cf"),
        );
        put(
            &format!("/spec/submission/{i}"),
            name_origin(format!("service `{}`", svc.name)),
            "",
        );
        let mut entry = json!({"port": port, "security": security, "auth_required": auth_required});
        if security != "none" {
            entry["min_version"] = json!(smin);
        }
        submission.push(entry);
    }

    let name = inst
        .primary()
        .path
        .parent()
        .map(|p| p.display().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| ".".into());
    let mut inbound_tls = json!({"mode": in_mode, "min_version": in_min});
    if let Some(m) = in_max {
        inbound_tls["max_version"] = json!(m);
    }
    let mut outbound_tls = json!({"mode": out_mode, "min_version": out_min});
    if let Some(m) = out_max {
        outbound_tls["max_version"] = json!(m);
    }
    let value: Value = json!({
        "apiVersion": "hisf/v1",
        "kind": "MailGateway",
        "metadata": {"name": format!("postfix:{name}")},
        "spec": {
            "inbound": {"tls": inbound_tls, "relay": Value::Object(relay)},
            "outbound": {"tls": outbound_tls},
            "submission": submission,
        }
    });
    Document {
        source: inst.primary(),
        index: 0,
        value,
        origins,
        tree: None,
    }
}

fn is_yes(v: &str) -> bool {
    matches!(v.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "1")
}

/// Maps `<prefix>_tls_security_level` (with the legacy `_use_tls`/`_enforce_tls`) to a hisf mode.
fn tls_level(inst: &Instance, prefix: &str, svc: Option<&Service>) -> (String, Origin) {
    let level_name = format!("{prefix}_tls_security_level");
    let level = inst
        .get(&level_name, svc)
        .expect("security level has a default");
    let mut v = level.value.trim().to_ascii_lowercase();
    let mut origin = level.origin;
    if v.is_empty() {
        for (legacy, as_level) in [
            (format!("{prefix}_enforce_tls"), "encrypt"),
            (format!("{prefix}_use_tls"), "may"),
        ] {
            if let Some(e) = inst.get(&legacy, svc).filter(|e| is_yes(&e.value)) {
                v = as_level.to_string();
                origin = e.origin;
                break;
            }
        }
    }
    let mode = match v.as_str() {
        "" | "none" => "none",
        "may" => "opportunistic",
        "dane" if prefix == "smtp" => "opportunistic",
        "encrypt" => "required",
        "dane-only" | "fingerprint" | "verify" | "secure" => "verify",
        _ => "opportunistic",
    };
    let mode = if prefix == "smtpd" && mode == "verify" {
        "required"
    } else {
        mode
    };
    (mode.to_string(), origin)
}

/// Lowest and highest TLS version a protocols parameter enables.
fn protocol_range(
    inst: &Instance,
    param: &str,
    svc: Option<&Service>,
) -> (&'static str, Option<&'static str>, Origin) {
    let e = inst.get(param, svc).expect("protocols have a default");
    let set = protocols::parse(&e.value);
    (set.min_name(), set.max_name(), e.origin)
}
