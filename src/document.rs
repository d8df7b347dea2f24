//! A response body made ready for display, without copying it: an index of where each display
//! line starts in the raw bytes (and, for JSON, how deep it is indented). A line's text is made
//! only when it is drawn or searched, so a 50 MB body costs the body plus a few bytes per line.
//!
//! JSON is re-indented token by token, so every number and string keeps the exact form the
//! server sent. Bodies that are not JSON, or that a strict JSON reader would refuse (nesting
//! deeper than 127, `1e400`, a lone surrogate), are shown as text with a note saying why.
//! Building runs off the UI thread, reports progress and can be cancelled.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;

/// What kind of body a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Valid JSON (one value, or a stream of values), re-indented with two spaces.
    Json,
    /// Text shown as it came (tabs expanded, control characters made visible).
    Text,
    /// Not text: a hex summary.
    Binary,
    /// No body at all.
    Empty,
}

/// A body and its line index.
#[derive(Debug, Clone)]
pub struct Document {
    /// The body as received (a reference-counted handle, never a copy).
    raw: Bytes,
    /// What the lines index: the body itself, or for a binary body its hex summary.
    shown: Bytes,
    /// Where each line starts in `shown`.
    starts: Vec<usize>,
    /// JSON only: the indentation level of each line.
    depths: Vec<u8>,
    kind: BodyKind,
    note: Option<String>,
    widest: usize,
}

/// How much of a binary body the hex summary shows.
const HEX_PREVIEW: usize = 4096;

/// Nesting deeper than this is shown as text: it is what strict JSON readers refuse (serde_json
/// stops at 128), and it keeps each line's depth in a byte.
pub const MAX_DEPTH: usize = 127;

/// How often (in bytes) building reports progress and looks at the cancel flag.
const REPORT_EVERY: usize = 1 << 20;

/// Why building stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl Document {
    /// Formats a body at once, on this thread (for small bodies and tests).
    pub fn from_body(raw: &Bytes) -> Self {
        let never = AtomicBool::new(false);
        Self::build(raw, &never, &mut |_| {}).unwrap_or_else(|Cancelled| Self::empty(raw))
    }

    /// Formats a body, calling `progress` with the number of bytes done every megabyte, and
    /// giving up as soon as `cancel` is set.
    pub fn build(
        raw: &Bytes,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Self, Cancelled> {
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::empty(raw));
        }
        let text = match std::str::from_utf8(raw) {
            Ok(text) => text,
            Err(_) if looks_binary(raw) => {
                let shown = Bytes::from(hex_summary(raw));
                let note =
                    format!("binary body: {} bytes, the first {} shown in hex", raw.len(), HEX_PREVIEW);
                return Self::text(raw, shown, BodyKind::Binary, Some(note), cancel, progress);
            }
            Err(_) => {
                let note = "not valid UTF-8: invalid bytes are shown as �".to_owned();
                return Self::text(raw, raw.clone(), BodyKind::Text, Some(note), cancel, progress);
            }
        };
        let note = match index_json(raw, cancel, progress)? {
            Ok(index) => match check_with_serde(text) {
                None => {
                    return Ok(Self {
                        raw: raw.clone(),
                        shown: raw.clone(),
                        starts: index.starts,
                        depths: index.depths,
                        kind: BodyKind::Json,
                        note: None,
                        widest: index.widest,
                    });
                }
                Some(note) => note,
            },
            Err(Refusal::NotJson) => check_with_serde(text).unwrap_or_default(),
            Err(Refusal::Reason(note)) => note,
        };
        let looks_json = matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[' | b'"'));
        let note = looks_json.then_some(note).filter(|n| !n.is_empty());
        Self::text(raw, raw.clone(), BodyKind::Text, note, cancel, progress)
    }

    fn empty(raw: &Bytes) -> Self {
        Self {
            raw: raw.clone(),
            shown: Bytes::new(),
            starts: Vec::new(),
            depths: Vec::new(),
            kind: BodyKind::Empty,
            note: None,
            widest: 0,
        }
    }

    /// Indexes `shown` as lines of text.
    fn text(
        raw: &Bytes,
        shown: Bytes,
        kind: BodyKind,
        note: Option<String>,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Self, Cancelled> {
        let mut starts = vec![0];
        let mut widest = 0;
        let mut next_report = REPORT_EVERY;
        for newline in memchr::memchr_iter(b'\n', &shown) {
            let start = starts.last().copied().unwrap_or(0);
            widest = widest.max(newline - start);
            starts.push(newline + 1);
            if newline >= next_report {
                next_report += REPORT_EVERY;
                progress(newline);
                if cancel.load(Ordering::Relaxed) {
                    return Err(Cancelled);
                }
            }
        }
        let last = starts.last().copied().unwrap_or(0);
        widest = widest.max(shown.len() - last);
        if last == shown.len() && starts.len() > 1 {
            // A final newline ends the last line; it does not start an empty one.
            starts.pop();
        }
        Ok(Self { raw: raw.clone(), shown, starts, depths: Vec::new(), kind, note, widest })
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
        self.starts.len()
    }

    /// An upper bound on the widest line, in characters (for horizontal scrolling).
    pub fn widest(&self) -> usize {
        self.widest
    }

    /// The indentation level of a JSON line (0 for text).
    pub fn depth(&self, index: usize) -> usize {
        self.depths.get(index).map_or(0, |d| usize::from(*d))
    }

    /// One display line, without its newline, safe to put on a terminal.
    pub fn line(&self, index: usize) -> Option<String> {
        let mut out = String::new();
        self.write_line(index, &mut out).then_some(out)
    }

    /// One line's bytes as received, before re-indenting (and with its newline, for text): a
    /// search can look for plain terms here without making the display line.
    pub fn line_bytes(&self, index: usize) -> Option<&[u8]> {
        let start = *self.starts.get(index)?;
        let end = self.starts.get(index + 1).copied().unwrap_or(self.shown.len());
        self.shown.get(start..end)
    }

    /// Writes one display line into `out` (cleared first); false if there is no such line.
    /// Searching reuses one buffer this way instead of allocating per line.
    pub fn write_line(&self, index: usize, out: &mut String) -> bool {
        out.clear();
        let Some(bytes) = self.line_bytes(index) else { return false };
        match self.kind {
            BodyKind::Json => {
                out.extend(std::iter::repeat_n(' ', 2 * self.depth(index)));
                compact_json(bytes, out);
                if out.chars().any(needs_replacing) {
                    *out = make_visible(out).into_owned();
                }
            }
            _ => {
                let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
                out.push_str(&make_visible(&String::from_utf8_lossy(bytes)));
            }
        }
        true
    }

    /// For a JSON line that opens an object or array, the line that closes it.
    pub fn closing_line(&self, open: usize) -> Option<usize> {
        if self.kind != BodyKind::Json {
            return None;
        }
        let depth = *self.depths.get(open)?;
        let next = self.depths.get(open + 1)?;
        // Our layout puts a container's members one level deeper than its opening line, and its
        // closing bracket back at the opening line's level: the first line that is not deeper.
        if *next <= depth {
            return None;
        }
        self.depths[open + 1..].iter().position(|d| *d <= depth).map(|p| open + 1 + p)
    }

    /// For a JSON line that closes an object or array, the line that opens it.
    pub fn opening_line(&self, close: usize) -> Option<usize> {
        let start = *self.starts.get(close)?;
        if self.kind != BodyKind::Json || !matches!(self.shown.get(start), Some(b'}' | b']')) {
            return None;
        }
        let depth = self.depths[close];
        self.depths[..close].iter().rposition(|d| *d <= depth)
    }

    /// For a JSON line, the line that opens the object or array it sits in.
    pub fn parent_line(&self, line: usize) -> Option<usize> {
        let depth = *self.depths.get(line)?;
        self.depths[..line].iter().rposition(|d| *d < depth)
    }
}

/// Copies one line's worth of raw JSON, dropping insignificant whitespace and putting one space
/// after each key's colon. Lines never start inside a string.
fn compact_json(bytes: &[u8], out: &mut String) {
    let mut in_string = false;
    let mut escaped = false;
    let mut run_start = 0;
    // Runs are cut at ASCII structure of a body already checked to be UTF-8, so each is text.
    let copy = |run: &[u8], out: &mut String| out.push_str(&String::from_utf8_lossy(run));
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
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
            b'"' => in_string = true,
            b' ' | b'\t' | b'\n' | b'\r' => {
                copy(&bytes[run_start..i], out);
                run_start = i + 1;
            }
            b':' => {
                copy(&bytes[run_start..=i], out);
                out.push(' ');
                run_start = i + 1;
            }
            _ => {}
        }
    }
    copy(&bytes[run_start..], out);
}

struct JsonIndex {
    starts: Vec<usize>,
    depths: Vec<u8>,
    widest: usize,
}

enum Refusal {
    /// The scan met something no JSON has; serde_json will say what.
    NotJson,
    /// JSON that a strict reader refuses, and why.
    Reason(String),
}

/// Finds where each display line of the re-indented JSON starts. Strings are skipped with
/// memchr, so this runs at memory speed; it also refuses what strict readers refuse.
fn index_json(
    raw: &[u8],
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize),
) -> Result<Result<JsonIndex, Refusal>, Cancelled> {
    let mut starts = Vec::new();
    let mut depths: Vec<u8> = Vec::new();
    let mut widest = 0;
    let mut depth = 0usize;
    let mut pending = true;
    let mut next_report = REPORT_EVERY;
    let mut i = 0;
    let mut push = |starts: &mut Vec<usize>, depths: &mut Vec<u8>, at: usize, depth: usize| {
        if let (Some(&prev), Some(&d)) = (starts.last(), depths.last()) {
            widest = widest.max(at - prev + 2 * usize::from(d) + 1);
        }
        starts.push(at);
        // Depth never exceeds MAX_DEPTH here, which fits in a byte.
        depths.push(u8::try_from(depth).unwrap_or(u8::MAX));
    };
    while i < raw.len() {
        if i >= next_report {
            next_report += REPORT_EVERY;
            progress(i);
            if cancel.load(Ordering::Relaxed) {
                return Err(Cancelled);
            }
        }
        let b = raw[i];
        if b.is_ascii_whitespace() {
            // Between the values of a stream (a jq filter's output) a new line starts.
            pending |= depth == 0;
            i += 1;
            continue;
        }
        if pending {
            push(&mut starts, &mut depths, i, depth);
            pending = false;
        }
        match b {
            b'"' => match skip_string(raw, i + 1) {
                Ok(end) => i = end,
                Err(refusal) => return Ok(Err(refusal)),
            },
            b'{' | b'[' => {
                // An empty container counts as a level too, as it does for serde_json.
                if depth + 1 > MAX_DEPTH {
                    return Ok(Err(Refusal::Reason(format!(
                        "not formatted: nested deeper than {MAX_DEPTH} levels"
                    ))));
                }
                let close = if b == b'{' { b'}' } else { b']' };
                let next = raw[i + 1..].iter().position(|c| !c.is_ascii_whitespace()).map(|p| i + 1 + p);
                match next {
                    Some(n) if raw[n] == close => {
                        i = n + 1;
                        pending |= depth == 0;
                    }
                    _ => {
                        depth += 1;
                        pending = true;
                        i += 1;
                    }
                }
            }
            b'}' | b']' => {
                let Some(outer) = depth.checked_sub(1) else { return Ok(Err(Refusal::NotJson)) };
                depth = outer;
                if starts.last() == Some(&i) {
                    depths.pop();
                    starts.pop();
                }
                push(&mut starts, &mut depths, i, depth);
                pending = depth == 0;
                i += 1;
            }
            b',' => {
                pending = true;
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = raw[i..]
                    .iter()
                    .position(|c| !matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .map_or(raw.len(), |p| i + p);
                let token = &raw[i..end];
                // Only long numbers or exponents can overflow a double; the rest need no parse.
                if (token.len() > 15 || token.iter().any(|c| matches!(c, b'e' | b'E')))
                    && std::str::from_utf8(token)
                        .ok()
                        .and_then(|t| t.parse::<f64>().ok())
                        .is_some_and(|v| v.is_infinite())
                {
                    return Ok(Err(Refusal::Reason(format!(
                        "not formatted: the number {} is out of range for a 64-bit float",
                        String::from_utf8_lossy(&token[..token.len().min(40)])
                    ))));
                }
                i = end;
            }
            // true, false, null: serde_json checks the spelling afterwards.
            b't' | b'f' | b'n' => {
                i += raw[i..].iter().position(|c| !c.is_ascii_alphabetic()).unwrap_or(raw.len() - i);
            }
            b':' => i += 1,
            _ => return Ok(Err(Refusal::NotJson)),
        }
    }
    if depth != 0 {
        return Ok(Err(Refusal::NotJson));
    }
    if let (Some(&prev), Some(&d)) = (starts.last(), depths.last()) {
        widest = widest.max(raw.len() - prev + 2 * usize::from(d) + 1);
    }
    Ok(Ok(JsonIndex { starts, depths, widest }))
}

/// Skips a string's body from `from` (just after its opening quote) and returns the index after
/// its closing quote. Refuses lone surrogates in `\u` escapes, which no UTF-8 text can hold.
fn skip_string(raw: &[u8], from: usize) -> Result<usize, Refusal> {
    let mut i = from;
    loop {
        let Some(p) = memchr::memchr2(b'"', b'\\', &raw[i..]) else { return Err(Refusal::NotJson) };
        i += p;
        if raw[i] == b'"' {
            return Ok(i + 1);
        }
        match raw.get(i + 1) {
            Some(b'u') => {
                let unit = hex4(raw, i + 2).ok_or(Refusal::NotJson)?;
                match unit {
                    0xD800..=0xDBFF => {
                        let low = (raw.get(i + 6..i + 8) == Some(b"\\u")).then(|| hex4(raw, i + 8)).flatten();
                        if !low.is_some_and(|l| (0xDC00..=0xDFFF).contains(&l)) {
                            return Err(lone_surrogate(unit));
                        }
                        i += 12;
                    }
                    0xDC00..=0xDFFF => return Err(lone_surrogate(unit)),
                    _ => i += 6,
                }
            }
            Some(_) => i += 2,
            None => return Err(Refusal::NotJson),
        }
    }
}

fn lone_surrogate(unit: u32) -> Refusal {
    Refusal::Reason(format!(
        "not formatted: a string holds a lone surrogate \\u{unit:04x}, which is not text"
    ))
}

fn hex4(raw: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(raw.get(at..at + 4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

/// The final word on grammar: None if serde_json accepts the body (one value or a stream).
fn check_with_serde(text: &str) -> Option<String> {
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    loop {
        match values.next() {
            None => return None,
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                // serde_json ends its message with the position, which is already said first.
                let text = e.to_string();
                let text = crate::app::strip_position(&text);
                return Some(format!(
                    "not formatted: invalid JSON at line {}, column {}: {text}",
                    e.line(),
                    e.column()
                ));
            }
        }
    }
}

/// Expands tabs to 4-column stops and replaces control characters with visible symbols, so that
/// a body can never move the cursor or change the terminal.
pub fn make_visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_replacing) {
        return Cow::Borrowed(text);
    }
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
            c if needs_replacing(c) => out.push('�'),
            c => out.push(c),
        }
        column += 1;
    }
    Cow::Owned(out)
}

/// Control characters, and the bidirectional controls that can make text read differently
/// from what it is (a right-to-left override hides what follows it).
fn needs_replacing(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn looks_binary(raw: &[u8]) -> bool {
    let sample = &raw[..raw.len().min(1024)];
    sample.contains(&0)
        || sample.iter().filter(|b| b.is_ascii_control() && !b.is_ascii_whitespace()).count() * 10
            > sample.len()
}

fn hex_summary(raw: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (n, chunk) in raw[..raw.len().min(HEX_PREVIEW)].chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String =
            chunk.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }).collect();
        let _ = writeln!(out, "{:08x}  {:<47}  {ascii}", n * 16, hex.join(" "));
    }
    if raw.len() > HEX_PREVIEW {
        let _ = write!(out, "… {} more bytes", raw.len() - HEX_PREVIEW);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    fn doc(body: &str) -> Document {
        Document::from_body(&Bytes::copy_from_slice(body.as_bytes()))
    }

    fn lines(d: &Document) -> Vec<String> {
        (0..d.line_count()).map(|i| d.line(i).unwrap()).collect()
    }

    #[test]
    fn json_is_reindented_with_tokens_kept_verbatim() {
        let d = doc(
            r#"{"data":[{"value":"290.0077","n":1.50,"big":12345678901234567890123,"e":1e300},[]],"o":{ }}"#,
        );
        assert_eq!(d.kind(), BodyKind::Json);
        assert_eq!(d.note(), None);
        assert_eq!(
            lines(&d),
            [
                "{",
                r#"  "data": ["#,
                "    {",
                r#"      "value": "290.0077","#,
                r#"      "n": 1.50,"#,
                r#"      "big": 12345678901234567890123,"#,
                r#"      "e": 1e300"#,
                "    },",
                "    []",
                "  ],",
                r#"  "o": {}"#,
                "}",
            ]
        );
    }

    #[test]
    fn pretty_input_is_reindented_the_same() {
        let d = doc("{\n    \"a\" :\t[ 1 ,\r\n 2 ],\n    \"b\": \"x y\"\n}\n");
        assert_eq!(lines(&d), ["{", r#"  "a": ["#, "    1,", "    2", "  ],", r#"  "b": "x y""#, "}"]);
    }

    #[test]
    fn strings_with_brackets_and_escapes_are_untouched() {
        let d = doc(r#"{"s":"a,b:{[\"]}\\","t":"\u001b[2J"}"#);
        assert_eq!(lines(&d), ["{", r#"  "s": "a,b:{[\"]}\\","#, r#"  "t": "\u001b[2J""#, "}"]);
    }

    #[test]
    fn a_stream_of_values_puts_each_on_its_own_lines() {
        let d = doc("1 \"two\"\n{\"a\":[3]}[]");
        assert_eq!(lines(&d), ["1", r#""two""#, "{", r#"  "a": ["#, "    3", "  ]", "}", "[]"]);
    }

    #[test]
    fn invalid_json_is_shown_as_text_with_a_note() {
        let d = doc("{\"a\": tru");
        assert_eq!(d.kind(), BodyKind::Text);
        assert!(d.note().unwrap().contains("line 1"), "{:?}", d.note());
        assert_eq!(lines(&d), ["{\"a\": tru"]);
    }

    #[test]
    fn plain_text_has_no_note() {
        let d = doc("Point query too large.\nUse batch.\n");
        assert_eq!(d.kind(), BodyKind::Text);
        assert_eq!(d.note(), None);
        assert_eq!(lines(&d), ["Point query too large.", "Use batch."]);
    }

    #[test]
    fn control_characters_and_tabs_are_made_visible() {
        let d = doc("a\tb\r\n\x1b[31mred\x08\u{9b}");
        assert_eq!(lines(&d), ["a   b␍", "␛[31mred␈�"]);
    }

    #[test]
    fn literals_are_json() {
        for body in
            [r#"{"a":null}"#, "[1,null]", r#"{"a":true,"b":false}"#, "null", "true", r#"[{"v":null},false]"#]
        {
            let d = Document::from_body(&Bytes::copy_from_slice(body.as_bytes()));
            assert_eq!(d.kind(), BodyKind::Json, "{body}");
            assert_eq!(d.note(), None, "{body}");
        }
        let d = Document::from_body(&Bytes::from_static(b"[1, nul]"));
        assert_ne!(d.kind(), BodyKind::Json, "a misspelt literal is not JSON");
    }

    #[test]
    fn bidi_overrides_are_replaced() {
        assert_eq!(make_visible("a\u{202E}gnp.exe\u{2066}b"), "a�gnp.exe�b");
        assert_eq!(make_visible("İstanbul 👩‍💻"), "İstanbul 👩‍💻", "ordinary text and ZWJ stay");
    }

    #[test]
    fn c1_controls_inside_json_strings_are_made_visible() {
        let d = doc("{\"a\":\"x\u{9b}2J\u{7f}\"}");
        assert_eq!(d.kind(), BodyKind::Json);
        assert_eq!(lines(&d)[1], "  \"a\": \"x�2J␡\"");
    }

    #[test]
    fn binary_is_summarised_in_hex() {
        let d = Document::from_body(&Bytes::from_static(b"PK\x03\x04\x00\x00\xff\xfe"));
        assert_eq!(d.kind(), BodyKind::Binary);
        assert!(lines(&d)[0].starts_with("00000000  50 4b 03 04"));
        assert_eq!(d.raw().len(), 8, "the raw body is kept for saving");
    }

    #[test]
    fn invalid_utf8_text_is_shown_with_replacement_characters() {
        let d = Document::from_body(&Bytes::from_static(b"caf\xe9 ok\n"));
        assert_eq!(d.kind(), BodyKind::Text);
        assert!(d.note().unwrap().contains("UTF-8"));
        assert_eq!(lines(&d), ["caf� ok"]);
    }

    #[test]
    fn empty_bodies_have_no_lines() {
        assert_eq!(doc("").line_count(), 0);
        assert_eq!(doc(" \n").kind(), BodyKind::Empty);
        assert_eq!(doc("{}").line_count(), 1);
    }

    #[test]
    fn widest_line_is_an_upper_bound() {
        let d = doc("ab\nabcdef\nx");
        assert_eq!(d.widest(), 6);
        let d = doc(r#"{"key":"a long value here"}"#);
        assert!(d.widest() >= lines(&d)[1].chars().count());
    }

    #[test]
    fn closing_and_parent_lines_follow_the_nesting() {
        let d = doc(r#"{"a":{"b":[1,2]},"c":3}"#);
        // 0 {  1 "a": {  2 "b": [  3 1,  4 2  5 ]  6 },  7 "c": 3  8 }
        assert_eq!(d.closing_line(0), Some(8));
        assert_eq!(d.closing_line(1), Some(6));
        assert_eq!(d.closing_line(2), Some(5));
        assert_eq!(d.closing_line(3), None, "a number opens nothing");
        assert_eq!(d.opening_line(6), Some(1));
        assert_eq!(d.opening_line(5), Some(2));
        assert_eq!(d.opening_line(7), None, "not a closing line");
        assert_eq!(d.parent_line(4), Some(2));
        assert_eq!(d.parent_line(7), Some(0));
        assert_eq!(d.parent_line(0), None);
    }

    /// Each trap is shown as text with a note, quickly, and without a stack overflow.
    fn trap(body: &[u8], why: &str) -> Document {
        let started = Instant::now();
        let d = Document::from_body(&Bytes::copy_from_slice(body));
        assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
        assert_eq!(d.kind(), BodyKind::Text);
        let note = d.note().unwrap_or_default();
        assert!(note.contains(why), "{note}");
        d
    }

    #[test]
    fn trap_128_levels_of_nesting() {
        let body = format!("{}{}", "[".repeat(128), "]".repeat(128));
        trap(body.as_bytes(), "deeper than 127");
        let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert_eq!(doc(&ok).kind(), BodyKind::Json);
    }

    #[test]
    fn trap_100000_unclosed_brackets() {
        let d = trap("[".repeat(100_000).as_bytes(), "deeper than 127");
        assert_eq!(d.line_count(), 1);
    }

    #[test]
    fn trap_lone_surrogate() {
        trap(br#"{"s":"\ud800"}"#, "lone surrogate \\ud800");
        trap(br#"{"s":"\udc00x"}"#, "lone surrogate \\udc00");
        assert_eq!(doc(r#"{"s":"\ud83d\ude00"}"#).kind(), BodyKind::Json, "a pair is fine");
    }

    #[test]
    fn trap_number_out_of_range() {
        trap(br#"{"e":1e400}"#, "1e400 is out of range");
        trap(format!("[{}]", "9".repeat(400)).as_bytes(), "out of range");
    }

    #[test]
    fn trap_5_mb_line_cut_inside_a_string() {
        let mut body = br#"{"data":[{"value":""#.to_vec();
        body.resize(5 * 1024 * 1024, b'x');
        let d = trap(&body, "EOF while parsing a string");
        assert_eq!(d.line_count(), 1);
    }

    #[test]
    fn building_reports_progress_and_can_be_cancelled() {
        let body = Bytes::from(format!("[{}1]", "1,".repeat(2 << 20)));
        let mut seen = Vec::new();
        let never = AtomicBool::new(false);
        let d = Document::build(&body, &never, &mut |n| seen.push(n)).unwrap();
        assert_eq!(d.line_count(), (2 << 20) + 3);
        assert!(seen.len() >= 3 && seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        let stop = AtomicBool::new(true);
        assert_eq!(Document::build(&body, &stop, &mut |_| {}).err(), Some(Cancelled));
    }
}
