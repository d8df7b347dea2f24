//! jq filters, run in-process with the jaq crates so that no `jq` binary is needed.

use std::fmt::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;

/// Bodies above this size are not filtered: jaq holds the whole parsed value in memory, several
/// times the size of the text.
pub const MAX_INPUT: usize = 64 << 20;

/// Runs `filter` on the JSON `input` and returns its outputs as JSON text, one value per line;
/// Err is a message for the user. Stops with an error once `cancel` is set.
pub fn run(filter: &str, input: &[u8], cancel: &AtomicBool) -> Result<String, String> {
    if input.len() > MAX_INPUT {
        return Err(format!("the body is over {} MiB, too big to filter", MAX_INPUT >> 20));
    }
    let program = File { code: filter, path: () };
    let loader = Loader::new(jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs()));
    let arena = Arena::default();
    let modules = loader.load(&arena, program).map_err(|errors| {
        let mut message = String::from("cannot parse the filter:");
        for (_, error) in errors {
            match error {
                jaq_core::load::Error::Io(items) => {
                    items.iter().for_each(|(_, e)| {
                        let _ = write!(message, " {e};");
                    });
                }
                jaq_core::load::Error::Lex(items) => items.iter().for_each(|(expect, at)| {
                    let _ = write!(message, " expected {} at `{}`;", expect.as_str(), excerpt(at));
                }),
                jaq_core::load::Error::Parse(items) => items.iter().for_each(|(expect, at)| {
                    let _ = write!(message, " expected {} at `{}`;", expect.as_str(), excerpt(at));
                }),
            }
        }
        message.trim_end_matches(';').to_owned()
    })?;
    let funs = jaq_core::funs().chain(jaq_std::funs()).chain(jaq_json::funs());
    let filter = Compiler::default().with_funs(funs).compile(modules).map_err(|errors| {
        let mut message = String::from("cannot compile the filter:");
        for (name, undefined) in errors.iter().flat_map(|(_, list)| list) {
            let _ = write!(message, " undefined {} `{name}`;", undefined.as_str());
        }
        message.trim_end_matches(';').to_owned()
    })?;
    let value = jaq_json::read::parse_single(input).map_err(|e| format!("the body is not JSON: {e}"))?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut out = String::new();
    for result in filter.id.run((ctx, value)).map(unwrap_valr) {
        if cancel.load(Ordering::Relaxed) {
            return Err("filter cancelled".into());
        }
        match result {
            Ok(v) => {
                let _ = writeln!(out, "{v}");
            }
            Err(e) => return Err(format!("the filter failed: {e}")),
        }
    }
    Ok(out)
}

/// The start of the unparsed filter text, for an error message.
fn excerpt(rest: &str) -> String {
    let cut: String = rest.chars().take(20).collect();
    if cut.is_empty() { "the end".into() } else { cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jq(filter: &str, input: &str) -> Result<String, String> {
        run(filter, input.as_bytes(), &AtomicBool::new(false))
    }

    #[test]
    fn selects_and_maps_point_rows() {
        let body = r#"{"data":[{"layerId":"1","value":"2.5"},{"layerId":2,"value":3}]}"#;
        assert_eq!(jq(".data[].value", body).unwrap(), "\"2.5\"\n3\n");
        assert_eq!(jq("[.data[] | select(.layerId == 2)] | length", body).unwrap(), "1\n");
        assert_eq!(jq(".data | map(.layerId | tostring)", body).unwrap(), "[\"1\",\"2\"]\n");
    }

    #[test]
    fn syntax_errors_are_explained() {
        let e = jq(".data[", "{}").unwrap_err();
        assert!(e.starts_with("cannot parse the filter"), "{e}");
        let e = jq("nosuchfn", "{}").unwrap_err();
        assert!(e.contains("undefined filter `nosuchfn`"), "{e}");
    }

    #[test]
    fn runtime_errors_and_bad_input_are_errors() {
        assert!(jq(".a.b", r#"{"a":1}"#).unwrap_err().starts_with("the filter failed"));
        assert!(jq(".", "{").unwrap_err().starts_with("the body is not JSON"));
    }

    #[test]
    fn cancelling_stops_the_filter() {
        let e = run("range(10)", b"null", &AtomicBool::new(true)).unwrap_err();
        assert_eq!(e, "filter cancelled");
    }
}
