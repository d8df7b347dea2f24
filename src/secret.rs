//! Secrets (API key, access and refresh tokens) in a newtype that never prints itself.

use std::fmt;

/// A secret string. `Debug` and `Display` print a placeholder, so a secret cannot leak through
/// logs, panic messages or `{:?}` by accident; [`Secret::expose`] is the one explicit way out.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret, trimming the whitespace and newlines that pasting or `export` often add.
    pub fn new(value: impl AsRef<str>) -> Self {
        Self(value.as_ref().trim().to_owned())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The secret with all but its last few characters replaced by `•`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks `text`, showing at most the last 4 characters and never more than a third of it, so
/// that even a short key is never shown whole.
pub fn mask(text: &str) -> String {
    let len = text.chars().count();
    let shown = (len / 3).min(4);
    text.chars().enumerate().map(|(i, c)| if i + shown < len { '•' } else { c }).collect()
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(deserializer).map(Self::new)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("sk-very-secret-1234");
        assert!(!format!("{s:?}").contains("secret-1234"));
        assert!(!format!("{s}").contains("1234"));
    }

    #[test]
    fn trims_pasted_whitespace() {
        assert_eq!(Secret::new("  abc123\n").expose(), "abc123");
        assert_eq!(Secret::new("abc\r\n").expose(), "abc");
    }

    #[test]
    fn mask_shows_last_four_of_a_long_key() {
        assert_eq!(mask("abcdefghijklmnop"), "••••••••••••mnop");
    }

    #[test]
    fn mask_never_shows_a_short_key_whole() {
        assert_eq!(mask("demo"), "•••o");
        assert_eq!(mask("ab"), "••");
        assert_eq!(mask(""), "");
        assert_eq!(mask("ключ-секрет"), "••••••••рет");
    }
}
