//! A response body made ready for display: JSON re-indented without loss, other text made safe
//! for the terminal, binary summarised; plus an index of line starts so that drawing a frame
//! touches only the visible lines. Built off the UI thread.

use bytes::Bytes;

/// What kind of body a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Valid JSON, re-indented with two spaces.
    Json,
    /// Text shown as it came (control characters made visible).
    Text,
    /// Not text: a hex summary.
    Binary,
    /// No body at all.
    Empty,
}

/// A formatted body and its line index.
#[derive(Debug, Clone)]
pub struct Document {
    raw: Bytes,
    text: String,
    line_starts: Vec<usize>,
    kind: BodyKind,
    note: Option<String>,
    widest: usize,
}

/// How much of a binary body the hex summary shows.
const HEX_PREVIEW: usize = 4096;

impl Document {
    /// Formats a body. JSON is re-indented token by token, so every number and string keeps the
    /// exact form the server sent.
    pub fn from_body(raw: &Bytes) -> Self {
        let (text, kind, note) = if raw.iter().all(u8::is_ascii_whitespace) {
            (String::new(), BodyKind::Empty, None)
        } else {
            match serde_json::from_slice::<serde::de::IgnoredAny>(raw) {
                Ok(_) => (reindent(raw), BodyKind::Json, None),
                Err(e) => match std::str::from_utf8(raw) {
                    Ok(s) => (make_visible(s), BodyKind::Text, json_note(raw, &e)),
                    Err(_) if looks_binary(raw) => (
                        hex_summary(raw),
                        BodyKind::Binary,
                        Some(format!("binary body: {} bytes", raw.len())),
                    ),
                    Err(_) => (
                        make_visible(&String::from_utf8_lossy(raw)),
                        BodyKind::Text,
                        Some("not valid UTF-8: invalid bytes are shown as �".into()),
                    ),
                },
            }
        };
        let mut line_starts = vec![0];
        let mut widest = 0;
        let mut start = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                widest = widest.max(i - start);
                start = i + 1;
                line_starts.push(start);
            }
        }
        widest = widest.max(text.len() - start);
        Self { raw: raw.clone(), text, line_starts, kind, note, widest }
    }

    /// The body as received.
    pub fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// What kind of body this is.
    pub fn kind(&self) -> BodyKind {
        self.kind
    }

    /// Why the body is not shown formatted, if it is not.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The number of display lines.
    pub fn line_count(&self) -> usize {
        if self.text.is_empty() { 0 } else { self.line_starts.len() }
    }

    /// The longest line, in bytes (an upper bound on its width, for horizontal scrolling).
    pub fn widest(&self) -> usize {
        self.widest
    }

    /// One display line, without its newline.
    pub fn line(&self, index: usize) -> Option<&str> {
        let start = *self.line_starts.get(index)?;
        let end = self.line_starts.get(index + 1).map_or(self.text.len(), |next| next - 1);
        self.text.get(start..end)
    }
}

/// Re-indents valid JSON with two spaces per level, copying every token verbatim.
fn reindent(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.resize(out.len() + depth * 2, b' ');
    };
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                out.push(b);
            }
            b'{' | b'[' => {
                out.push(b);
                let close = if b == b'{' { b'}' } else { b']' };
                let next = raw[i..].iter().position(|c| !c.is_ascii_whitespace()).map(|p| i + p);
                if let Some(n) = next.filter(|&n| raw[n] == close) {
                    out.push(close);
                    i = n + 1;
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => out.push(b),
        }
    }
    // Valid JSON in, valid UTF-8 out: only ASCII structure was added or removed.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Explains why a body that looks like JSON is not shown formatted.
fn json_note(raw: &[u8], error: &serde_json::Error) -> Option<String> {
    let first = raw.iter().find(|b| !b.is_ascii_whitespace())?;
    matches!(first, b'{' | b'[' | b'"').then(|| {
        format!("not formatted: invalid JSON at line {}, column {}: {error}", error.line(), error.column())
    })
}

/// Expands tabs to 4-column stops and replaces control characters with visible symbols, so that
/// a body can never move the cursor or change the terminal.
pub fn make_visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut column = 0usize;
    for c in text.chars() {
        match c {
            '\n' => {
                out.push('\n');
                column = 0;
                continue;
            }
            '\t' => {
                let spaces = 4 - column % 4;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
                continue;
            }
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{7f}' => out.push('␡'),
            c if c.is_control() => out.push('�'),
            c => out.push(c),
        }
        column += 1;
    }
    out
}

fn looks_binary(raw: &[u8]) -> bool {
    let sample = &raw[..raw.len().min(1024)];
    sample.contains(&0)
        || sample.iter().filter(|b| b.is_ascii_control() && !b.is_ascii_whitespace()).count() * 10
            > sample.len()
}

fn hex_summary(raw: &[u8]) -> String {
    let mut out = String::new();
    for (n, chunk) in raw[..raw.len().min(HEX_PREVIEW)].chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String =
            chunk.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }).collect();
        out.push_str(&format!("{:08x}  {:<47}  {ascii}\n", n * 16, hex.join(" ")));
    }
    if raw.len() > HEX_PREVIEW {
        out.push_str(&format!("… {} more bytes", raw.len() - HEX_PREVIEW));
    } else {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> Document {
        Document::from_body(&Bytes::copy_from_slice(body.as_bytes()))
    }

    fn lines(d: &Document) -> Vec<&str> {
        (0..d.line_count()).map(|i| d.line(i).unwrap()).collect()
    }

    #[test]
    fn json_is_reindented_with_tokens_kept_verbatim() {
        let d = doc(
            r#"{"data":[{"value":"290.0077","n":1.50,"big":12345678901234567890123,"e":1e400},[]],"o":{}}"#,
        );
        assert_eq!(d.kind(), BodyKind::Json);
        assert_eq!(
            lines(&d),
            [
                "{",
                r#"  "data": ["#,
                "    {",
                r#"      "value": "290.0077","#,
                r#"      "n": 1.50,"#,
                r#"      "big": 12345678901234567890123,"#,
                r#"      "e": 1e400"#,
                "    },",
                "    []",
                "  ],",
                r#"  "o": {}"#,
                "}",
            ]
        );
    }

    #[test]
    fn strings_with_brackets_and_escapes_are_untouched() {
        let d = doc(r#"{"s":"a,b:{[\"]}\\","t":"\u001b[2J"}"#);
        assert_eq!(lines(&d), ["{", r#"  "s": "a,b:{[\"]}\\","#, r#"  "t": "\u001b[2J""#, "}"]);
    }

    #[test]
    fn invalid_json_is_shown_as_text_with_a_note() {
        let d = doc("{\"a\": tru");
        assert_eq!(d.kind(), BodyKind::Text);
        assert!(d.note().unwrap().contains("line 1"), "{:?}", d.note());
        assert_eq!(lines(&d), ["{\"a\": tru"]);
    }

    #[test]
    fn control_characters_and_tabs_are_made_visible() {
        let d = doc("a\tb\r\n\x1b[31mred\x08");
        assert_eq!(lines(&d), ["a   b␍", "␛[31mred␈"]);
    }

    #[test]
    fn binary_is_summarised_in_hex() {
        let d = Document::from_body(&Bytes::from_static(b"PK\x03\x04\x00\x00\xff\xfe"));
        assert_eq!(d.kind(), BodyKind::Binary);
        assert!(lines(&d)[0].starts_with("00000000  50 4b 03 04"));
    }

    #[test]
    fn empty_bodies_have_no_lines() {
        assert_eq!(doc("").line_count(), 0);
        assert_eq!(doc(" \n").kind(), BodyKind::Empty);
        assert_eq!(doc("{}").line_count(), 1);
    }

    #[test]
    fn widest_line_is_tracked() {
        let d = doc("ab\nabcdef\nx");
        assert_eq!(d.widest(), 6);
    }
}
