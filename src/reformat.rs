//! Pretty-printing and minifying JSON text without going through a value: key order, number
//! spelling (`-74.0060` stays so) and string escapes stay exactly as written. Only whitespace
//! outside strings changes.

/// The layout to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One member per line, indented by two spaces, `"key": value`.
    Pretty,
    /// No whitespace outside strings.
    Minified,
}

/// Re-lays out `text`, which must already be valid JSON (the caller checks with serde_json):
/// invalid input gives some rearrangement of it, never a panic.
pub fn reformat(text: &str, layout: Layout) -> String {
    let pretty = layout == Layout::Pretty;
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let newline = |out: &mut String, depth: usize| {
        if pretty {
            out.push('\n');
            out.extend(std::iter::repeat_n("  ", depth));
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i);
                out.push_str(&text[i..end]);
                i = end;
                continue;
            }
            open @ (b'{' | b'[') => {
                out.push(char::from(open));
                let next = skip_space(bytes, i + 1);
                if bytes.get(next).is_some_and(|&b| b == closer(open)) {
                    out.push(char::from(closer(open)));
                    i = next + 1;
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            close @ (b'}' | b']') => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(char::from(close));
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            b':' => out.push_str(if pretty { ": " } else { ":" }),
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => {
                // A number or a literal: copy up to the next structural byte or whitespace.
                let end = (i..bytes.len())
                    .find(|&j| {
                        matches!(
                            bytes[j],
                            b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"' | b' ' | b'\t' | b'\n' | b'\r'
                        )
                    })
                    .unwrap_or(bytes.len());
                out.push_str(&text[i..end]);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn closer(open: u8) -> u8 {
    if open == b'{' { b'}' } else { b']' }
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index just past the string starting with the quote at `start` (or the end of the text).
/// Both ends are ASCII quotes, so slicing there is on char boundaries.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRICKY: &str = r#"{ "name" : "a \" b, c: [d] {e}",  "empty": {}, "list":[ ], "n": -74.0060,
        "esc": "back\\", "uni": "👩‍💻 café\u00e9", "deep": [[1, 2], {"x": null, "t": true}] }"#;

    #[test]
    fn minify_keeps_strings_and_numbers_exact() {
        let min = reformat(TRICKY, Layout::Minified);
        assert_eq!(
            min,
            r#"{"name":"a \" b, c: [d] {e}","empty":{},"list":[],"n":-74.0060,"esc":"back\\","uni":"👩‍💻 café\u00e9","deep":[[1,2],{"x":null,"t":true}]}"#
        );
    }

    #[test]
    fn pretty_matches_serde_json_layout() {
        let pretty = reformat(TRICKY, Layout::Pretty);
        let value: serde_json::Value = serde_json::from_str(TRICKY).unwrap_or_default();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&pretty).ok(), Some(value));
        // serde_json's pretty printer (sorted keys, canonical numbers) agrees where those don't differ.
        let plain = r#"{"a":[1,{"b":[]},"x y"],"c":{"d":false,"e":{}}}"#;
        let serde: serde_json::Value = serde_json::from_str(plain).unwrap_or_default();
        assert_eq!(reformat(plain, Layout::Pretty), serde_json::to_string_pretty(&serde).unwrap_or_default());
        assert!(pretty.contains("\n  \"n\": -74.0060,\n"), "{pretty}");
    }

    #[test]
    fn round_trips() {
        let pretty = reformat(TRICKY, Layout::Pretty);
        let min = reformat(TRICKY, Layout::Minified);
        assert_eq!(reformat(&pretty, Layout::Minified), min);
        assert_eq!(reformat(&min, Layout::Pretty), pretty);
        assert_eq!(reformat(&pretty, Layout::Pretty), pretty, "formatting twice changes nothing");
    }

    #[test]
    fn broken_input_does_not_panic() {
        for text in ["\"unterminated", "{\"a\": \"\\", "]]]", "{", "\"é", "1 2"] {
            let _ = reformat(text, Layout::Pretty);
            let _ = reformat(text, Layout::Minified);
        }
    }
}
