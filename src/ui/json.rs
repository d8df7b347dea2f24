//! Colours one line of formatted JSON. Each line of our re-indented JSON stands alone (strings
//! never span lines), so lines are coloured independently and only when visible.

use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme;

/// Lines longer than this are drawn uncoloured: colouring them costs more than it helps.
const MAX_COLOURED: usize = 4096;

/// Splits a JSON line into styled pieces.
pub fn tokens(line: &str) -> Vec<(Style, &str)> {
    if line.len() > MAX_COLOURED {
        return vec![(Style::default(), line)];
    }
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let style = match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                let rest = line[i..].trim_start();
                if rest.starts_with(':') { theme::json_key() } else { theme::json_string() }
            }
            b'-' | b'0'..=b'9' => {
                while i < bytes.len() && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    i += 1;
                }
                theme::json_number()
            }
            b't' | b'f' | b'n' => {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                theme::json_literal()
            }
            _ => {
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') {
                    i += 1;
                }
                Style::default()
            }
        };
        // Token ends are ASCII positions, so these are char boundaries.
        if let Some(text) = line.get(start..i) {
            out.push((style, text));
        }
    }
    out
}

/// Splits the pieces where `ranges` (byte ranges of the whole line, on character boundaries)
/// begin and end, and patches `mark` onto the pieces inside them.
pub fn mark<'a>(
    pieces: Vec<(Style, &'a str)>,
    ranges: &[Range<usize>],
    mark: Style,
) -> Vec<(Style, &'a str)> {
    if ranges.is_empty() {
        return pieces;
    }
    let mut out = Vec::with_capacity(pieces.len() + 2 * ranges.len());
    let mut offset = 0;
    for (style, text) in pieces {
        let end = offset + text.len();
        let mut cut = offset;
        for range in ranges.iter().filter(|r| r.start < end && r.end > offset) {
            let (from, to) = (range.start.max(offset), range.end.min(end));
            if let Some(before) = text.get(cut - offset..from.max(cut) - offset).filter(|t| !t.is_empty()) {
                out.push((style, before));
            }
            if let Some(inside) = text.get(from.max(cut) - offset..to - offset) {
                out.push((style.patch(mark), inside));
            }
            cut = to.max(cut);
        }
        if let Some(after) = text.get(cut - offset..).filter(|t| !t.is_empty()) {
            out.push((style, after));
        }
        offset = end;
    }
    out
}

/// The part of styled pieces from character `skip` on, at most `take` characters.
pub fn window(pieces: Vec<(Style, &str)>, skip: usize, take: usize) -> Line<'static> {
    let mut spans = Vec::new();
    let mut to_skip = skip;
    let mut room = take;
    for (style, text) in pieces {
        if room == 0 {
            break;
        }
        let count = text.chars().count();
        if to_skip >= count {
            to_skip -= count;
            continue;
        }
        let piece: String = text.chars().skip(to_skip).take(room).collect();
        to_skip = 0;
        room -= piece.chars().count();
        spans.push(Span::styled(piece, style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(Style, String)> {
        tokens(line).into_iter().map(|(s, t)| (s, t.to_owned())).collect()
    }

    #[test]
    fn keys_strings_numbers_and_literals_are_told_apart() {
        let k = kinds(r#"  "value": "a\"b", "n": -1.5e3, "t": true"#);
        let find = |t: &str| k.iter().find(|(_, x)| x == t).map(|(s, _)| *s);
        assert_eq!(find(r#""value""#), Some(theme::json_key()));
        assert_eq!(find(r#""a\"b""#), Some(theme::json_string()));
        assert_eq!(find("-1.5e3"), Some(theme::json_number()));
        assert_eq!(find("true"), Some(theme::json_literal()));
        let joined: String = k.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(joined, r#"  "value": "a\"b", "n": -1.5e3, "t": true"#);
    }

    #[test]
    fn unterminated_string_does_not_panic() {
        let k = kinds(r#""abc\"#);
        assert_eq!(k.len(), 1);
        let k = kinds("\"İstanbul\\");
        assert_eq!(k[0].1, "\"İstanbul\\");
    }

    #[test]
    fn marks_split_pieces_at_match_boundaries() {
        let line = r#""İstanbul": 1"#;
        let stanbul = Range { start: 3, end: 10 };
        let marked = mark(tokens(line), &[stanbul], theme::search_match());
        let texts: Vec<&str> = marked.iter().map(|(_, t)| *t).collect();
        assert_eq!(texts, ["\"İ", "stanbul", "\"", ": ", "1"]);
        assert_eq!(marked[1].0, theme::json_key().patch(theme::search_match()));
        assert_eq!(marked[0].0, theme::json_key());
    }

    #[test]
    fn over_long_lines_are_not_coloured() {
        let line = format!("\"{}\": 1", "k".repeat(MAX_COLOURED));
        assert_eq!(tokens(&line), [(Style::default(), line.as_str())]);
    }

    #[test]
    fn window_skips_and_takes_by_characters() {
        let line = window(tokens(r#""İstanbul": 1"#), 2, 5);
        assert_eq!(line.to_string(), "stanb");
    }
}
