//! The file and terminal work behind the query editor's effects, done by the event loop:
//! listing a directory for the picker, reading a query file, and lending the terminal to
//! `$EDITOR`.

use std::io::{Read, Write, stdout};
use std::path::{Path, PathBuf};

use color_eyre::eyre::WrapErr;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, EventStream};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::DefaultTerminal;

use crate::app::Msg;
use crate::app::picker::{Entry, Listing};

/// Query files larger than this are refused: nobody edits such a query by hand, and reading
/// one would stall the interface.
pub const MAX_QUERY_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a directory for the picker: `..` (unless at the root), subdirectories and `*.json`
/// files, hidden ones left out. Runs in the event loop: a local directory is read at once.
pub fn list_dir(dir: &Path) -> Result<Listing, String> {
    let dir = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Follows symbolic links, so a link to a directory can be entered.
        let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        if is_dir {
            dirs.push(Entry { name, is_dir });
        } else if name.to_lowercase().ends_with(".json") {
            files.push(Entry { name, is_dir });
        }
    }
    dirs.sort_by(|a, b| a.name.cmp(&b.name));
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let parent = dir.parent().map(|_| Entry { name: "..".into(), is_dir: true });
    let entries = parent.into_iter().chain(dirs).chain(files).collect();
    Ok(Listing { dir, entries })
}

/// Reads a query file, refusing huge or non-UTF-8 ones.
pub fn read_query(path: &Path) -> Result<(PathBuf, String), String> {
    let describe = |e: std::io::Error| format!("{}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(describe)?;
    let mut text = String::new();
    let read = file.take(MAX_QUERY_BYTES + 1).read_to_string(&mut text).map_err(describe)?;
    if u64::try_from(read).unwrap_or(u64::MAX) > MAX_QUERY_BYTES {
        return Err(format!("{}: larger than {} MiB", path.display(), MAX_QUERY_BYTES >> 20));
    }
    Ok((path.to_owned(), text))
}

/// The editor to run: `$VISUAL`, then `$EDITOR`, then `vi`, split on whitespace so that
/// `code --wait` works (quoting is not interpreted).
pub fn editor_command(visual: Option<String>, editor: Option<String>) -> Vec<String> {
    [visual, editor]
        .into_iter()
        .flatten()
        .map(|v| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .find(|words| !words.is_empty())
        .unwrap_or_else(|| vec!["vi".to_owned()])
}

/// Lends the terminal to the user's editor on a temporary copy of `text`, and reports what it
/// saved as [`Msg::EditedExternally`].
///
/// `input` is dropped first: its reader thread would otherwise keep reading the terminal and
/// take the editor's keys. The terminal leaves raw mode and the alternate screen while the
/// editor runs and comes back cleared for a full redraw, with a new input stream; the caller
/// tells the app the terminal's size, which may have changed meanwhile. Only a failure to get
/// the terminal back is an error; the editor's own failures are reported in the message.
pub async fn edit_externally(
    terminal: &mut DefaultTerminal,
    input: EventStream,
    text: &str,
) -> color_eyre::Result<(EventStream, Msg)> {
    drop(input);
    let command = editor_command(std::env::var("VISUAL").ok(), std::env::var("EDITOR").ok());
    let file = TempQuery::create(text);
    terminal.show_cursor()?;
    crossterm::execute!(stdout(), DisableBracketedPaste, LeaveAlternateScreen)?;
    disable_raw_mode()?;
    let result = match file {
        Ok(file) => run_editor(command, &file).await,
        Err(e) => Err(e),
    };
    enable_raw_mode().wrap_err("taking the terminal back from the editor")?;
    crossterm::execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    // Resizing clears the screen and forgets the last frame, so everything is drawn again.
    // (`Terminal::clear` would also ask the terminal where its cursor is, and fail on one
    // that does not answer.)
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
    Ok((EventStream::new(), Msg::EditedExternally(result)))
}

async fn run_editor(command: Vec<String>, file: &TempQuery) -> Result<String, String> {
    // Like git, ignore the terminal's Ctrl-C while the editor has it: it is meant for the editor.
    #[cfg(unix)]
    let _interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    let Some((program, args)) = command.split_first() else {
        return Err("no editor to run".into());
    };
    let (name, program, args, path) = (program.clone(), program.clone(), args.to_vec(), file.path.clone());
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new(program).args(args).arg(path).status()
    })
    .await
    .map_err(|e| format!("{name} did not finish: {e}"))?
    .map_err(|e| format!("could not start {name}: {e}"))?;
    if !status.success() {
        return Err(format!("{name} exited with {status}"));
    }
    std::fs::read_to_string(&file.path).map_err(|e| format!("reading back {}: {e}", file.path.display()))
}

/// The temporary file the editor works on, removed when dropped.
struct TempQuery {
    path: PathBuf,
}

impl TempQuery {
    fn create(text: &str) -> Result<Self, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!("pairs-tui-{}-{nanos}.json", std::process::id()));
        // create_new: never write through a file or link someone else put there.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        file.write_all(format!("{text}\n").as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self { path })
    }
}

impl Drop for TempQuery {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_shows_json_files_and_directories_only() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for name in ["b.json", "a.JSON", "notes.txt", ".hidden.json"] {
            std::fs::write(dir.path().join(name), "{}").unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::create_dir(dir.path().join("sub")).unwrap_or_else(|e| panic!("{e}"));
        let listing = list_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<_> = listing.entries.iter().map(|e| (e.name.as_str(), e.is_dir)).collect();
        assert_eq!(names, [("..", true), ("sub", true), ("a.JSON", false), ("b.json", false)]);
        assert!(list_dir(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn editor_is_visual_then_editor_then_vi() {
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(editor_command(some("code --wait"), some("nano")), ["code", "--wait"]);
        assert_eq!(editor_command(None, some("nano")), ["nano"]);
        assert_eq!(editor_command(some("  "), some("nano")), ["nano"], "a blank VISUAL is unset");
        assert_eq!(editor_command(None, None), ["vi"]);
    }

    #[test]
    fn query_files_are_read_whole_and_huge_ones_refused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("q.json");
        std::fs::write(&path, "{\"a\": \"é\"}\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read_query(&path), Ok((path.clone(), "{\"a\": \"é\"}\n".to_owned())));
        std::fs::write(&path, [0xff, 0xfe]).unwrap_or_else(|e| panic!("{e}"));
        assert!(read_query(&path).is_err(), "not UTF-8");
        let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
        file.set_len(MAX_QUERY_BYTES + 1).unwrap_or_else(|e| panic!("{e}"));
        assert!(read_query(&path).is_err_and(|e| e.contains("larger than 16 MiB")));
        assert!(read_query(&dir.path().join("missing.json")).is_err());
    }

    #[test]
    fn the_temporary_copy_holds_the_text_and_is_removed() {
        let file = TempQuery::create("{\"a\": 1}").unwrap_or_else(|e| panic!("{e}"));
        let path = file.path.clone();
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("{\"a\": 1}\n"));
        drop(file);
        assert!(!path.exists());
    }
}
