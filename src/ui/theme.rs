//! Every style in one place.

use ratatui::style::{Color, Modifier, Style};

use crate::highlight::Role;

/// The border of the focused pane.
pub fn focused_border() -> Style {
    Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// The border of other panes.
pub fn border() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// Secondary text.
pub fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// Something went wrong.
pub fn error() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// Something needs attention soon.
pub fn warning() -> Style {
    Style::default().fg(Color::Yellow)
}

/// All is well.
pub fn good() -> Style {
    Style::default().fg(Color::Green)
}

/// A key name in the footer and help.
pub fn key() -> Style {
    Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// JSON object keys.
pub fn json_key() -> Style {
    Style::default().fg(Color::Blue)
}

/// JSON strings.
pub fn json_string() -> Style {
    Style::default().fg(Color::Green)
}

/// JSON numbers.
pub fn json_number() -> Style {
    Style::default().fg(Color::Magenta)
}

/// JSON true, false and null.
pub fn json_literal() -> Style {
    Style::default().fg(Color::Yellow)
}

/// The style for an HTTP status.
pub fn status(code: u16) -> Style {
    match code {
        200..=299 => good().add_modifier(Modifier::BOLD),
        400..=599 => error(),
        _ => warning(),
    }
}

/// How many colours the terminal shows, decided once at start from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    /// `NO_COLOR` is set (or the terminal is `dumb`): emphasis only, no colour.
    None,
    /// The 16 ANSI colours, which every colour terminal has and the user's scheme controls.
    Ansi16,
    /// The xterm 256-colour palette.
    Ansi256,
}

impl ColorDepth {
    /// Reads `NO_COLOR`, `COLORTERM` and `TERM` from the process environment.
    pub fn detect() -> Self {
        Self::from_env(|name| std::env::var(name).ok())
    }

    /// The depth for an environment given as a lookup, so the rules can be tested.
    /// `NO_COLOR` counts only when non-empty, as no-color.org asks.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name| var(name).filter(|v| !v.is_empty());
        if set("NO_COLOR").is_some() {
            return Self::None;
        }
        let term = set("TERM").unwrap_or_default();
        let colorterm = set("COLORTERM").unwrap_or_default();
        if term == "dumb" {
            Self::None
        } else if colorterm.contains("truecolor") || colorterm.contains("24bit") || term.contains("256") {
            Self::Ansi256
        } else {
            Self::Ansi16
        }
    }
}

/// The style of a piece of the query, at the terminal's colour depth.
pub fn syntax(role: Role, depth: ColorDepth) -> Style {
    let plain = Style::default();
    match depth {
        ColorDepth::None => match role {
            Role::Key => plain.add_modifier(Modifier::BOLD),
            Role::Invalid => plain.add_modifier(Modifier::UNDERLINED),
            Role::Comment => plain.add_modifier(Modifier::ITALIC),
            Role::Plain | Role::String | Role::Number | Role::Literal | Role::Punctuation => plain,
        },
        ColorDepth::Ansi16 => match role {
            Role::Plain => plain,
            Role::Key => json_key(),
            Role::String => json_string(),
            Role::Number => json_number(),
            Role::Literal => json_literal(),
            Role::Punctuation | Role::Comment => plain.fg(Color::DarkGray),
            Role::Invalid => plain.fg(Color::Red).add_modifier(Modifier::UNDERLINED),
        },
        ColorDepth::Ansi256 => match role {
            Role::Plain => plain,
            Role::Key => plain.fg(Color::Indexed(75)),
            Role::String => plain.fg(Color::Indexed(114)),
            Role::Number => plain.fg(Color::Indexed(176)),
            Role::Literal => plain.fg(Color::Indexed(215)),
            Role::Punctuation => plain.fg(Color::Indexed(246)),
            Role::Comment => plain.fg(Color::Indexed(242)).add_modifier(Modifier::ITALIC),
            Role::Invalid => plain.fg(Color::Indexed(203)).add_modifier(Modifier::UNDERLINED),
        },
    }
}

/// Line numbers in the editor's gutter.
pub fn gutter(depth: ColorDepth) -> Style {
    match depth {
        ColorDepth::None => Style::default(),
        ColorDepth::Ansi16 => Style::default().fg(Color::DarkGray),
        ColorDepth::Ansi256 => Style::default().fg(Color::Indexed(240)),
    }
}

/// The gutter of the line with the JSON error.
pub fn gutter_error(depth: ColorDepth) -> Style {
    match depth {
        ColorDepth::None => Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ColorDepth::Ansi16 | ColorDepth::Ansi256 => error(),
    }
}

/// Selected text in the editor.
pub fn selection(depth: ColorDepth) -> Style {
    match depth {
        ColorDepth::None | ColorDepth::Ansi16 => Style::default().add_modifier(Modifier::REVERSED),
        ColorDepth::Ansi256 => Style::default().bg(Color::Indexed(238)),
    }
}

/// The editor's cursor cell.
pub fn cursor() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

/// The selected line in the response viewer: a dark grey band where 256 colours exist, else
/// an underline, which every terminal has.
pub fn cursor_line(depth: ColorDepth) -> Style {
    match depth {
        ColorDepth::Ansi256 => Style::default().bg(Color::Indexed(236)),
        ColorDepth::Ansi16 | ColorDepth::None => Style::default().add_modifier(Modifier::UNDERLINED),
    }
}

/// Line numbers.
pub fn viewer_gutter() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// The line number of the selected line.
pub fn gutter_cursor() -> Style {
    Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// A search match.
pub fn search_match() -> Style {
    Style::default().fg(Color::Black).bg(Color::Yellow)
}

/// A fold's summary, such as `12 lines`.
pub fn folded() -> Style {
    Style::default().fg(Color::DarkGray).add_modifier(Modifier::ITALIC)
}

/// The colours of chart series, in turn.
pub const SERIES: [Color; 6] =
    [Color::Cyan, Color::Yellow, Color::Green, Color::Magenta, Color::Red, Color::Blue];

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(vars: &[(&str, &str)]) -> ColorDepth {
        ColorDepth::from_env(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn colour_depth_follows_the_environment() {
        assert_eq!(depth(&[("TERM", "xterm-256color")]), ColorDepth::Ansi256);
        assert_eq!(depth(&[("TERM", "xterm"), ("COLORTERM", "truecolor")]), ColorDepth::Ansi256);
        assert_eq!(depth(&[("TERM", "screen"), ("COLORTERM", "24bit")]), ColorDepth::Ansi256);
        assert_eq!(depth(&[("TERM", "xterm")]), ColorDepth::Ansi16);
        assert_eq!(depth(&[("TERM", "linux")]), ColorDepth::Ansi16);
        assert_eq!(depth(&[]), ColorDepth::Ansi16);
        assert_eq!(depth(&[("TERM", "dumb")]), ColorDepth::None);
        assert_eq!(depth(&[("TERM", "xterm-256color"), ("NO_COLOR", "1")]), ColorDepth::None);
        assert_eq!(
            depth(&[("TERM", "xterm-256color"), ("NO_COLOR", "")]),
            ColorDepth::Ansi256,
            "empty NO_COLOR"
        );
    }

    #[test]
    fn no_color_means_no_colour_at_all() {
        let roles = [
            Role::Plain,
            Role::Key,
            Role::String,
            Role::Number,
            Role::Literal,
            Role::Punctuation,
            Role::Invalid,
            Role::Comment,
        ];
        for role in roles {
            let style = syntax(role, ColorDepth::None);
            assert_eq!((style.fg, style.bg), (None, None), "{role:?}");
        }
        for style in [gutter(ColorDepth::None), gutter_error(ColorDepth::None), selection(ColorDepth::None)] {
            assert_eq!((style.fg, style.bg), (None, None));
        }
    }
}
