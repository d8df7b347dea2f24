//! Syntax colouring for the query editor, with syntect's bundled JSON grammar.
//!
//! A line's colours depend on every line above it (a string or a comment can be open), so the
//! cache keeps syntect's parse state at the start of each line. An edit keeps every line above
//! the first changed one and re-parses from there, and only down to the last line on screen.
//!
//! The cache stores [`Role`]s, not colours: the colour depth is the view's business, so one cache
//! serves 16 colours, 256 colours and none.

use std::ops::Range;
use std::sync::OnceLock;

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxSet};

/// What a piece of JSON is, as far as colouring goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Whitespace and anything without a closer meaning.
    Plain,
    /// An object key.
    Key,
    /// A string value.
    String,
    /// A number.
    Number,
    /// `true`, `false` or `null`.
    Literal,
    /// Brackets, braces, commas and colons.
    Punctuation,
    /// Something the grammar rejects.
    Invalid,
    /// A comment (not JSON, but the grammar knows them).
    Comment,
}

/// Lines longer than this (in bytes) are left uncoloured: the regex engine is slow on them, and a
/// minified query is one such line. The parse state passes over them unchanged.
pub const MAX_COLOURED: usize = 16 * 1024;

/// The grammar and the scopes that decide a [`Role`], loaded once.
struct Grammar {
    syntaxes: SyntaxSet,
    /// In order of precedence: the first one found anywhere in the scope stack decides, so the
    /// quotes of a string (`punctuation.definition.string` inside `string`) are the string's.
    roles: Vec<(Scope, Role)>,
    /// Scopes that turn a string into a key.
    keys: Vec<Scope>,
}

fn grammar() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        let scope = |name: &str| Scope::new(name).ok();
        let roles = [
            ("invalid", Role::Invalid),
            ("comment", Role::Comment),
            ("constant.numeric", Role::Number),
            ("constant.language", Role::Literal),
            ("string", Role::String),
            ("punctuation", Role::Punctuation),
        ];
        Grammar {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            roles: roles.iter().filter_map(|(name, role)| Some((scope(name)?, *role))).collect(),
            keys: ["meta.mapping.key", "meta.structure.dictionary.key"]
                .iter()
                .filter_map(|n| scope(n))
                .collect(),
        }
    })
}

impl Grammar {
    fn start(&self) -> Option<(ParseState, ScopeStack)> {
        let json = self.syntaxes.find_syntax_by_extension("json")?;
        Some((ParseState::new(json), ScopeStack::new()))
    }

    fn role(&self, stack: &ScopeStack) -> Role {
        let scopes = stack.as_slice();
        let found = self
            .roles
            .iter()
            .find(|(prefix, _)| scopes.iter().any(|s| prefix.is_prefix_of(*s)))
            .map(|(_, role)| *role);
        match found {
            Some(Role::String) if scopes.iter().any(|s| self.keys.iter().any(|k| k.is_prefix_of(*s))) => {
                Role::Key
            }
            Some(role) => role,
            None => Role::Plain,
        }
    }

    /// Colours one line, advancing `state` past it. A line the grammar chokes on is left plain
    /// and does not advance the state.
    fn line(&self, text: &str, state: &mut (ParseState, ScopeStack)) -> Vec<(Role, Range<usize>)> {
        let plain = vec![(Role::Plain, 0..text.len())];
        if text.len() > MAX_COLOURED {
            return plain;
        }
        let mut next = state.clone();
        let Ok(ops) = next.0.parse_line(&format!("{text}\n"), &self.syntaxes) else {
            return plain;
        };
        let mut pieces: Vec<(Role, Range<usize>)> = Vec::new();
        let mut push = |role: Role, range: Range<usize>| {
            let range = range.start.min(text.len())..range.end.min(text.len());
            if range.is_empty() {
                return;
            }
            match pieces.last_mut() {
                Some((last, r)) if *last == role && r.end == range.start => r.end = range.end,
                _ => pieces.push((role, range)),
            }
        };
        let mut at = 0;
        for (offset, op) in ops {
            push(self.role(&next.1), at..offset);
            if next.1.apply(&op).is_err() {
                return plain;
            }
            at = offset;
        }
        push(self.role(&next.1), at..text.len());
        *state = next;
        pieces
    }
}

/// One highlighted line and what it was highlighted from.
#[derive(Debug, Clone)]
struct CachedLine {
    /// The text that was highlighted, to notice when it changes.
    text: String,
    /// The parser's state after the line, which is the state the next line starts from.
    end: (ParseState, ScopeStack),
    /// Roles by byte range, covering the line.
    pieces: Vec<(Role, Range<usize>)>,
}

/// Per-line highlighting of the editor's text, valid from the top down to some line. Each line
/// keeps the parse state it ends in, which is the state the line below starts from.
#[derive(Debug, Clone, Default)]
pub struct HighlightCache {
    lines: Vec<CachedLine>,
}

impl HighlightCache {
    /// Brings the cache up to date for `lines[..=last]` and returns the lines it (re)parsed.
    ///
    /// Cached lines are kept up to the first whose text differs from `lines`: its start state is
    /// still right (it depends only on the lines above), everything from it on is parsed again.
    /// Comparing texts instead of being told where an edit happened keeps undo, paste, and
    /// whole-text replacement correct without each of them reporting a range.
    pub fn update(&mut self, lines: &[String], last: usize) -> Range<usize> {
        let same = self.lines.iter().zip(lines).take_while(|(cached, line)| cached.text == **line).count();
        self.lines.truncate(same);
        let end = (last + 1).min(lines.len());
        if same >= end {
            return same..same;
        }
        let grammar = grammar();
        let Some(mut state) = self.lines.last().map(|l| l.end.clone()).or_else(|| grammar.start()) else {
            return same..same;
        };
        for text in &lines[same..end] {
            let pieces = grammar.line(text, &mut state);
            self.lines.push(CachedLine { text: text.clone(), end: state.clone(), pieces });
        }
        same..end
    }

    /// The roles of line `index` by byte range, if it is cached.
    pub fn line(&self, index: usize) -> Option<&[(Role, Range<usize>)]> {
        self.lines.get(index).map(|l| l.pieces.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    /// The role of the first occurrence of `needle` in line `index`.
    fn role_of(cache: &HighlightCache, text: &[String], index: usize, needle: &str) -> Option<Role> {
        let at = text[index].find(needle)?;
        let pieces = cache.line(index)?;
        pieces.iter().find(|(_, r)| r.contains(&at)).map(|(role, _)| *role)
    }

    #[test]
    fn json_parts_get_their_roles() {
        let text = lines("{\n  \"name\": \"x\", \"n\": -1.5e3, \"b\": true, \"z\": null, \"a\": [1]\n}");
        let mut cache = HighlightCache::default();
        assert_eq!(cache.update(&text, 2), 0..3);
        assert_eq!(role_of(&cache, &text, 1, "\"name\""), Some(Role::Key));
        assert_eq!(role_of(&cache, &text, 1, "\"x\""), Some(Role::String));
        assert_eq!(role_of(&cache, &text, 1, "-1.5e3"), Some(Role::Number));
        assert_eq!(role_of(&cache, &text, 1, "true"), Some(Role::Literal));
        assert_eq!(role_of(&cache, &text, 1, "null"), Some(Role::Literal));
        assert_eq!(role_of(&cache, &text, 1, "["), Some(Role::Punctuation));
        let covered: usize = cache.line(1).unwrap_or_default().iter().map(|(_, r)| r.len()).sum();
        assert_eq!(covered, text[1].len(), "the pieces cover the line");
    }

    #[test]
    fn an_edit_keeps_the_lines_above_it() {
        let mut text: Vec<String> = std::iter::once("[".to_owned())
            .chain((1..29).map(|i| format!("  {{\"n\": {i}}},")))
            .chain(std::iter::once("0]".to_owned()))
            .collect();
        let mut cache = HighlightCache::default();
        assert_eq!(cache.update(&text, 29), 0..30);
        let before: Vec<_> = (0..10).map(|i| cache.line(i).map(<[_]>::to_vec)).collect();
        text[10].insert_str(2, "\"s\", ");
        assert_eq!(cache.update(&text, 29), 10..30, "only line 10 and below are parsed again");
        let after: Vec<_> = (0..10).map(|i| cache.line(i).map(<[_]>::to_vec)).collect();
        assert_eq!(before, after);
        assert_eq!(role_of(&cache, &text, 10, "\"s\""), Some(Role::String));
        assert_eq!(cache.update(&text, 29), 30..30, "nothing changed, nothing parsed");
    }

    #[test]
    fn only_lines_up_to_the_last_visible_are_parsed() {
        let text = lines(&"[1,\n".repeat(100));
        let mut cache = HighlightCache::default();
        assert_eq!(cache.update(&text, 9), 0..10);
        assert!(cache.line(10).is_none());
        assert_eq!(cache.update(&text, 19), 10..20, "scrolling down continues where it stopped");
    }

    #[test]
    fn state_carries_across_lines() {
        let mut text = lines("[1, /* a\n2, \"x\"\n*/ 3]");
        let mut cache = HighlightCache::default();
        cache.update(&text, 2);
        assert_eq!(role_of(&cache, &text, 1, "2"), Some(Role::Comment), "inside a block comment");
        text[0] = "[1,".to_owned();
        assert_eq!(cache.update(&text, 2), 0..3);
        assert_eq!(role_of(&cache, &text, 1, "2"), Some(Role::Number), "the comment is gone");
    }

    #[test]
    fn very_long_lines_stay_plain_and_pass_the_state_on() {
        let long = format!("[{}1,", "1, ".repeat(MAX_COLOURED / 3));
        let text = vec!["{\"a\":".to_owned(), long, "\"b\"]}".to_owned()];
        let mut cache = HighlightCache::default();
        cache.update(&text, 2);
        assert_eq!(cache.line(1), Some(&[(Role::Plain, 0..text[1].len())][..]));
        assert_eq!(role_of(&cache, &text, 2, "\"b\""), Some(Role::String));
    }
}
