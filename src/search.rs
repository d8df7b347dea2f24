//! Case-insensitive search in display lines.
//!
//! Matching compares the lowercase forms of the needle and of each character of the line, and
//! reports byte ranges *of the line itself*. Lowercasing the whole line first and reusing its
//! offsets would be wrong: `İ` lowercases to two characters (`i̇`), so every offset after it
//! would shift.

use std::ops::Range;

/// A search term, prepared once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needle {
    text: String,
    folded: Vec<char>,
    ascii: bool,
}

impl Needle {
    /// Prepares `text`; None if it is empty.
    pub fn new(text: &str) -> Option<Self> {
        let folded: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        (!folded.is_empty()).then(|| Self { text: text.to_owned(), ascii: text.is_ascii(), folded })
    }

    /// The term as typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the term can be looked for in a line's raw bytes instead of its display text:
    /// printable ASCII without whitespace or JSON structure (`,:[]{}`) lies within one token,
    /// and tokens are shown exactly as they came.
    pub fn fits_raw_ascii(&self) -> bool {
        self.text.bytes().all(|b| b.is_ascii_graphic() && !b",:[]{}".contains(&b))
    }

    /// Whether the ASCII bytes `hay` contain the term, ignoring ASCII case. Only meaningful
    /// when [`Needle::fits_raw_ascii`] holds.
    pub fn in_ascii(&self, hay: &[u8]) -> bool {
        let needle = self.text.as_bytes();
        let Some((&first, rest)) = needle.split_first() else { return false };
        let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
        memchr::memchr2_iter(lower, upper, hay)
            .any(|at| hay.get(at + 1..at + needle.len()).is_some_and(|tail| tail.eq_ignore_ascii_case(rest)))
    }

    /// Whether `line` contains the term.
    pub fn is_in(&self, line: &str) -> bool {
        self.next_in(line, 0).is_some()
    }

    /// Every non-overlapping match in `line`, as byte ranges of `line`.
    pub fn find_all(&self, line: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(found) = self.next_in(line, from) {
            from = found.end.max(found.start + 1);
            out.push(found);
        }
        out
    }

    /// The first match starting at or after byte `from`.
    fn next_in(&self, line: &str, from: usize) -> Option<Range<usize>> {
        let rest = line.get(from..)?;
        if self.ascii && rest.is_ascii() {
            // Plain ASCII on both sides: a byte compare is exact and much faster.
            let n = self.folded.len();
            return rest
                .as_bytes()
                .windows(n)
                .position(|w| {
                    w.iter().zip(&self.folded).all(|(b, c)| char::from(b.to_ascii_lowercase()) == *c)
                })
                .map(|p| from + p..from + p + n);
        }
        rest.char_indices().find_map(|(offset, _)| {
            let start = from + offset;
            self.match_at(line, start).map(|end| start..end)
        })
    }

    /// If the term matches at byte `start` of `line`, where the match ends. A match must cover
    /// whole characters of the line: `i` does not match half of `İ`.
    fn match_at(&self, line: &str, start: usize) -> Option<usize> {
        let mut k = 0;
        for (offset, c) in line[start..].char_indices() {
            for lower in c.to_lowercase() {
                if self.folded.get(k) != Some(&lower) {
                    return None;
                }
                k += 1;
            }
            if k == self.folded.len() {
                return Some(start + offset + c.len_utf8());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(needle: &str, line: &str) -> Vec<(usize, usize)> {
        Needle::new(needle).unwrap().find_all(line).into_iter().map(|r| (r.start, r.end)).collect()
    }

    #[test]
    fn stanbul_matches_exactly_stanbul_in_istanbul() {
        let line = r#"  "city": "İstanbul""#;
        let found = all("STANBUL", line);
        assert_eq!(found.len(), 1);
        assert_eq!(&line[found[0].0..found[0].1], "stanbul");
    }

    #[test]
    fn matches_after_a_character_that_lowercases_to_two() {
        let line = "İİ ab İ AB";
        let found: Vec<&str> = all("ab", line).into_iter().map(|(a, b)| &line[a..b]).collect();
        assert_eq!(found, ["ab", "AB"]);
    }

    #[test]
    fn dotted_capital_i_matches_its_full_lowercase_only() {
        assert_eq!(all("i\u{307}stanbul", "İstanbul"), [(0, 9)]);
        assert!(all("i", "İ").is_empty(), "half a character is not a match");
    }

    #[test]
    fn ascii_search_ignores_case_and_does_not_overlap() {
        assert_eq!(all("aa", "AaAa a"), [(0, 2), (2, 4)]);
        assert_eq!(all("Value", r#""value": 1"#), [(1, 6)]);
        assert!(Needle::new("").is_none());
    }

    #[test]
    fn raw_ascii_search_agrees_with_display_search() {
        let needle = Needle::new("Temp").unwrap();
        assert!(needle.fits_raw_ascii());
        assert!(needle.in_ascii(br#""layerName":"2m TEMPERATURE","#));
        assert!(!needle.in_ascii(b"tem"));
        assert!(!Needle::new("a: 1").unwrap().fits_raw_ascii(), "spacing differs between raw and display");
        assert!(!Needle::new("é").unwrap().fits_raw_ascii());
    }

    #[test]
    fn non_ascii_needles_work_in_ascii_lines_and_back() {
        assert_eq!(all("É", "café CAFÉ"), [(3, 5), (9, 11)]);
        assert!(!Needle::new("é").unwrap().is_in("cafe"));
        assert!(Needle::new("k").unwrap().is_in("\u{212a}elvin"), "the Kelvin sign lowercases to k");
    }
}
