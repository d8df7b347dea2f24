//! Every key binding in one table: it resolves keys to actions and also feeds the footer and
//! the help overlay, so what is shown is always what works.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Pane;

/// Something a key can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave the program.
    Quit,
    /// Open or close the help overlay.
    Help,
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Send the query.
    Send,
    /// Cancel the running request, or close an overlay.
    Cancel,
    /// Exchange the API key for a token.
    Authenticate,
    /// Save the query to its file.
    Save,
    /// Refresh the token now.
    RefreshToken,
    /// Send the query as a dry run, for a usage estimate.
    DryRun,
    /// Open the job list.
    Jobs,
    /// Open the layer catalog.
    Catalog,
    /// Undo the last edit of the query.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Scroll the response one line up.
    Up,
    /// Scroll the response one line down.
    Down,
    /// Scroll the response a page up.
    PageUp,
    /// Scroll the response a page down.
    PageDown,
    /// Scroll the response to the top.
    Top,
    /// Scroll the response to the bottom.
    Bottom,
    /// Scroll the response left.
    Left,
    /// Scroll the response right.
    Right,
    /// Pretty-print the query.
    Format,
    /// Put the query on one line.
    Minify,
    /// Open a query file from a picker.
    OpenFile,
    /// Replace the query with a template.
    Templates,
    /// Edit the query in `$EDITOR`.
    ExternalEditor,
    /// Search the response.
    Search,
    /// Go to the next match.
    NextMatch,
    /// Go to the previous match.
    PrevMatch,
    /// Wrap long lines, or scroll them sideways.
    Wrap,
    /// Filter the response with jq.
    Filter,
    /// Fold or unfold the object or array at the cursor.
    Fold,
    /// Fold every object and array at the cursor's level.
    FoldAll,
    /// Unfold everything.
    UnfoldAll,
    /// Show a point-query answer as a table.
    TableView,
    /// Show a point-query answer as a chart.
    ChartView,
    /// Show the response as text.
    TextView,
    /// Copy the response, the query or the access token.
    Copy,
    /// Save the response body to a file.
    SaveBody,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere.
    Global,
    /// Only in this pane.
    Pane(Pane),
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where it applies.
    pub scope: Scope,
    /// The keys, as (code, modifiers).
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written on screen.
    pub label: &'static str,
    /// What the action is called on screen.
    pub description: &'static str,
    /// What it does.
    pub action: Action,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const ALT: KeyModifiers = KeyModifiers::ALT;

const fn bind(
    scope: Scope,
    keys: &'static [(KeyCode, KeyModifiers)],
    label: &'static str,
    description: &'static str,
    action: Action,
) -> Binding {
    Binding { scope, keys, label, description, action }
}

/// All bindings, global first, in the order the footer shows them. Text panes receive every key
/// that is not listed here.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    bind(Scope::Global, &[(KeyCode::Char('r'), CTRL), (KeyCode::F(5), NONE)], "Ctrl-R/F5", "send", Action::Send),
    bind(Scope::Global, &[(KeyCode::F(1), NONE)], "F1", "help", Action::Help),
    bind(Scope::Global, &[(KeyCode::Char('q'), CTRL), (KeyCode::Char('c'), CTRL)], "Ctrl-Q", "quit", Action::Quit),
    bind(Scope::Global, &[(KeyCode::F(6), NONE)], "F6", "dry run", Action::DryRun),
    bind(Scope::Global, &[(KeyCode::F(7), NONE)], "F7", "jobs", Action::Jobs),
    bind(Scope::Global, &[(KeyCode::F(8), NONE)], "F8", "catalog", Action::Catalog),
    bind(Scope::Global, &[(KeyCode::Tab, NONE)], "Tab", "next pane", Action::FocusNext),
    bind(Scope::Global, &[(KeyCode::BackTab, SHIFT), (KeyCode::BackTab, NONE)], "Shift-Tab", "previous pane", Action::FocusPrev),
    bind(Scope::Global, &[(KeyCode::Esc, NONE)], "Esc", "cancel, or go back", Action::Cancel),
    bind(Scope::Pane(Pane::ApiKey), &[(KeyCode::Enter, NONE)], "Enter", "authenticate", Action::Authenticate),
    bind(Scope::Pane(Pane::Query), &[(KeyCode::Char('s'), CTRL)], "Ctrl-S", "save", Action::Save),
    bind(Scope::Pane(Pane::Query), &[(KeyCode::Char('z'), CTRL), (KeyCode::Char('u'), CTRL)], "Ctrl-Z", "undo", Action::Undo),
    bind(Scope::Pane(Pane::Query), &[(KeyCode::Char('y'), CTRL)], "Ctrl-Y", "redo", Action::Redo),
    bind(Scope::Pane(Pane::Query), &[(KeyCode::Char('f'), ALT)], "Alt-F/M", "format/minify", Action::Format),
    bind(Scope::Pane(Pane::Query), &[(KeyCode::Char('m'), ALT)], "", "", Action::Minify),
    bind(Scope::Global, &[(KeyCode::Char('o'), CTRL)], "Ctrl-O", "open query", Action::OpenFile),
    bind(Scope::Global, &[(KeyCode::Char('t'), CTRL)], "Ctrl-T", "template", Action::Templates),
    bind(Scope::Pane(Pane::Query), &[(KeyCode::Char('e'), CTRL)], "Ctrl-E", "$EDITOR", Action::ExternalEditor),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)], "↑↓", "scroll", Action::Up),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Down, NONE), (KeyCode::Char('j'), NONE)], "", "", Action::Down),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::PageUp, NONE)], "PgUp/PgDn", "page", Action::PageUp),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::PageDown, NONE)], "", "", Action::PageDown),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Home, NONE), (KeyCode::Char('g'), NONE)], "Home/End", "top/bottom", Action::Top),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::End, NONE), (KeyCode::Char('G'), SHIFT), (KeyCode::Char('G'), NONE)], "", "", Action::Bottom),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Left, NONE), (KeyCode::Char('h'), NONE)], "←→", "sideways", Action::Left),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Right, NONE), (KeyCode::Char('l'), NONE)], "", "", Action::Right),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('/'), NONE)], "/", "search", Action::Search),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('n'), NONE)], "n/N", "next/previous match", Action::NextMatch),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('N'), SHIFT), (KeyCode::Char('N'), NONE)], "", "", Action::PrevMatch),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Enter, NONE), (KeyCode::Char(' '), NONE)], "Enter/Space", "fold", Action::Fold),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('z'), NONE)], "z/Z", "fold all/unfold all", Action::FoldAll),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('Z'), SHIFT), (KeyCode::Char('Z'), NONE)], "", "", Action::UnfoldAll),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('|'), NONE), (KeyCode::Char('|'), SHIFT)], "|", "jq filter", Action::Filter),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('w'), NONE)], "w", "wrap", Action::Wrap),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('t'), NONE)], "t/c/v", "table/chart/text", Action::TableView),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('c'), NONE)], "", "", Action::ChartView),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('v'), NONE)], "", "", Action::TextView),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('y'), NONE)], "y", "copy", Action::Copy),
    bind(Scope::Pane(Pane::Response), &[(KeyCode::Char('s'), CTRL)], "Ctrl-S", "save body", Action::SaveBody),
    bind(Scope::Pane(Pane::Token), &[(KeyCode::Enter, NONE), (KeyCode::Char('r'), NONE)], "Enter/r", "refresh now", Action::RefreshToken),
];

/// The action for `key` in pane `focus`: pane bindings first, then global ones.
pub fn resolve(focus: Pane, key: &KeyEvent) -> Option<Action> {
    let matches = |b: &&Binding| b.keys.iter().any(|&(code, mods)| code == key.code && mods == key.modifiers);
    BINDINGS
        .iter()
        .filter(|b| b.scope == Scope::Pane(focus))
        .find(matches)
        .or_else(|| BINDINGS.iter().filter(|b| b.scope == Scope::Global).find(matches))
        .map(|b| b.action)
}

/// The bindings shown in the footer for `focus`: the pane's own, then the global ones.
pub fn footer(focus: Pane) -> impl Iterator<Item = &'static Binding> {
    let own = BINDINGS.iter().filter(move |b| b.scope == Scope::Pane(focus));
    own.chain(BINDINGS.iter().filter(|b| b.scope == Scope::Global)).filter(|b| !b.label.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn send_works_from_every_pane() {
        for pane in Pane::ALL {
            assert_eq!(resolve(pane, &key(KeyCode::Char('r'), CTRL)), Some(Action::Send), "{pane:?}");
            assert_eq!(resolve(pane, &key(KeyCode::F(5), NONE)), Some(Action::Send), "{pane:?}");
        }
    }

    #[test]
    fn letters_are_not_bound_in_text_panes() {
        for pane in [Pane::ApiKey, Pane::Query] {
            assert_eq!(resolve(pane, &key(KeyCode::Char('j'), NONE)), None);
            assert_eq!(resolve(pane, &key(KeyCode::Char('q'), NONE)), None);
        }
        assert_eq!(resolve(Pane::Response, &key(KeyCode::Char('j'), NONE)), Some(Action::Down));
    }

    #[test]
    fn enter_depends_on_the_pane() {
        assert_eq!(resolve(Pane::ApiKey, &key(KeyCode::Enter, NONE)), Some(Action::Authenticate));
        assert_eq!(resolve(Pane::Token, &key(KeyCode::Enter, NONE)), Some(Action::RefreshToken));
        assert_eq!(resolve(Pane::Query, &key(KeyCode::Enter, NONE)), None);
    }

    #[test]
    fn footer_lists_pane_keys_before_global_ones() {
        let labels: Vec<_> = footer(Pane::Query).map(|b| b.label).collect();
        assert_eq!(labels.first(), Some(&"Ctrl-S"));
        assert!(labels.contains(&"Ctrl-R/F5"));
        assert!(!labels.contains(&"Enter"));
    }
}
