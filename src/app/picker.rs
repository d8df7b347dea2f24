//! The Ctrl-O file picker: JSON files and directories, filtered as you type. The listing is
//! read by the event loop (an effect, see `crate::editor_io`) and handed back; this is only its
//! state and keys.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One line of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file or directory name (`..` for the parent).
    pub name: String,
    /// Whether Enter goes into it rather than opening it.
    pub is_dir: bool,
}

/// A directory as read from disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The directory, absolute.
    pub dir: PathBuf,
    /// `..` first, then directories, then `*.json` files, each sorted by name.
    pub entries: Vec<Entry>,
}

/// The picker's state.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    /// What is listed.
    pub listing: Listing,
    /// Typed text that names must contain (case-insensitive).
    pub filter: String,
    /// The highlighted row among the filtered entries.
    pub selected: usize,
    /// The last listing that failed, shown instead of hiding it.
    pub error: Option<String>,
}

/// What a key in the picker leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing outside the picker changes.
    Stay,
    /// List this directory.
    List(PathBuf),
    /// Open this file.
    Open(PathBuf),
    /// Close the picker.
    Close,
}

impl Picker {
    /// A picker showing `listing`, unfiltered.
    pub fn new(listing: Listing) -> Self {
        Self { listing, ..Self::default() }
    }

    /// The entries that match the filter, in order.
    pub fn visible(&self) -> Vec<&Entry> {
        let filter = self.filter.to_lowercase();
        self.listing.entries.iter().filter(|e| e.name.to_lowercase().contains(&filter)).collect()
    }
}

/// Applies a key to the picker.
pub fn on_key(picker: &mut Picker, key: KeyEvent) -> Outcome {
    let count = picker.visible().len();
    match key.code {
        KeyCode::Esc => return Outcome::Close,
        KeyCode::Up => picker.selected = picker.selected.saturating_sub(1),
        KeyCode::Down => picker.selected = (picker.selected + 1).min(count.saturating_sub(1)),
        KeyCode::PageUp => picker.selected = picker.selected.saturating_sub(10),
        KeyCode::PageDown => picker.selected = (picker.selected + 10).min(count.saturating_sub(1)),
        KeyCode::Backspace => {
            picker.filter.pop();
            picker.selected = 0;
        }
        KeyCode::Enter => {
            let Some(entry) = picker.visible().get(picker.selected).copied() else { return Outcome::Stay };
            let dir = &picker.listing.dir;
            return match (entry.is_dir, entry.name.as_str()) {
                (true, "..") => Outcome::List(dir.parent().map_or_else(|| dir.clone(), PathBuf::from)),
                (true, name) => Outcome::List(dir.join(name)),
                (false, name) => Outcome::Open(dir.join(name)),
            };
        }
        KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
            picker.filter.push(c);
            picker.selected = 0;
        }
        _ => {}
    }
    Outcome::Stay
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn picker() -> Picker {
        let entry = |name: &str, is_dir| Entry { name: name.into(), is_dir };
        Picker::new(Listing {
            dir: PathBuf::from("/q"),
            entries: vec![
                entry("..", true),
                entry("old", true),
                entry("point.json", false),
                entry("Square.json", false),
            ],
        })
    }

    #[test]
    fn typing_filters_and_enter_opens_the_selected_file() {
        let mut p = picker();
        for c in "sq".chars() {
            assert_eq!(on_key(&mut p, key(KeyCode::Char(c))), Outcome::Stay);
        }
        assert_eq!(p.visible().iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["Square.json"]);
        assert_eq!(on_key(&mut p, key(KeyCode::Enter)), Outcome::Open(PathBuf::from("/q/Square.json")));
        on_key(&mut p, key(KeyCode::Backspace));
        on_key(&mut p, key(KeyCode::Backspace));
        assert_eq!(p.visible().len(), 4);
    }

    #[test]
    fn directories_are_entered_and_dotdot_goes_up() {
        let mut p = picker();
        assert_eq!(on_key(&mut p, key(KeyCode::Enter)), Outcome::List(PathBuf::from("/")));
        on_key(&mut p, key(KeyCode::Down));
        assert_eq!(on_key(&mut p, key(KeyCode::Enter)), Outcome::List(PathBuf::from("/q/old")));
        for _ in 0..10 {
            on_key(&mut p, key(KeyCode::Down));
        }
        assert_eq!(p.selected, 3, "stops at the last entry");
        assert_eq!(on_key(&mut p, key(KeyCode::Esc)), Outcome::Close);
    }

    #[test]
    fn enter_with_nothing_matching_does_nothing() {
        let mut p = picker();
        on_key(&mut p, key(KeyCode::Char('z')));
        assert_eq!(on_key(&mut p, key(KeyCode::Enter)), Outcome::Stay);
    }
}
