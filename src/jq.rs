//! jq filters, run in-process with the jaq crates so that no `jq` binary is needed.

use std::fmt::Write;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;

/// Bodies above this size are not filtered: jaq holds the whole parsed value in memory, several
/// times the size of the text.
pub const MAX_INPUT: usize = 64 << 20;

/// The program to run filters in, once [`isolate`] was called.
static ISOLATED: OnceLock<std::path::PathBuf> = OnceLock::new();

/// Runs every later filter in a child process of this program (`pairs-tui jq-filter …`), so
/// that cancelling one really stops it: jaq cannot be interrupted inside a long evaluation, but
/// a process can be killed, and its memory goes with it.
pub fn isolate(program: std::path::PathBuf) {
    let _ = ISOLATED.set(program);
}

/// Runs `filter` on the JSON `input` and returns its outputs as JSON text, one value per line;
/// Err is a message for the user. Stops with an error once `cancel` is set.
pub fn run(filter: &str, input: &[u8], cancel: &AtomicBool) -> Result<String, String> {
    if input.len() > MAX_INPUT {
        return Err(format!("the body is over {} MiB, too big to filter", MAX_INPUT >> 20));
    }
    match ISOLATED.get() {
        Some(program) => run_in_child(program, filter, input, cancel),
        None => run_here(filter, input, cancel),
    }
}

/// The `jq-filter` subcommand: the filter on standard input, its output on standard output.
pub fn filter_stdin(filter: &str) -> Result<String, String> {
    // If the program that started this filter goes away (it quit, or crashed), so does this
    // process: nothing else could stop a filter that never ends.
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200));
                if std::os::unix::process::parent_id() != parent {
                    std::process::exit(2);
                }
            }
        });
    }
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).map_err(|e| format!("cannot read the body: {e}"))?;
    run_here(filter, &input, &AtomicBool::new(false))
}

fn run_in_child(
    program: &std::path::Path,
    filter: &str,
    input: &[u8],
    cancel: &AtomicBool,
) -> Result<String, String> {
    let mut child = Command::new(program)
        .args(["jq-filter", filter])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the filter: {e}"))?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        return Err("cannot talk to the filter".into());
    };
    std::thread::scope(|scope| {
        // A child that stops reading early (a filter error) makes this write fail; that is fine.
        scope.spawn(move || drop(std::io::Write::write_all(&mut stdin, input)));
        let out = scope.spawn(move || {
            let mut text = Vec::new();
            stdout.read_to_end(&mut text).map(|_| text)
        });
        let err = scope.spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let status = loop {
            if cancel.load(Ordering::Relaxed) {
                let _ = child.kill();
                let _ = child.wait();
                return Err("filter cancelled".to_owned());
            }
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("the filter process failed: {e}")),
            }
        };
        let out = out.join().map_err(|_| "the filter's output was lost".to_owned())?;
        let err = err.join().unwrap_or_default();
        if status.success() {
            out.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).map_err(|e| e.to_string())
        } else if err.trim().is_empty() {
            Err(format!("the filter stopped ({status})"))
        } else {
            Err(err.trim().to_owned())
        }
    })
}

/// Runs the filter in this process.
fn run_here(filter: &str, input: &[u8], cancel: &AtomicBool) -> Result<String, String> {
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
