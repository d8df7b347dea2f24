//! The terminal and the event loop: draw, wait for a key, a worker report or the clock tick,
//! update, perform effects. Draws only after something happened; idle costs nothing.

use std::io::{Write, stdout};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use color_eyre::eyre::{WrapErr, eyre};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event, EventStream};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use tokio::time::MissedTickBehavior;

use crate::api::ApiClient;
use crate::app::viewer::ViewerMsg;
use crate::app::{App, Effect, Msg, SaveTarget, update};
use crate::editor_io;
use crate::secret::Secret;
use crate::ui;
use crate::worker::{self, Command, WorkerHandle};

/// Everything the TUI needs to start.
#[derive(Debug)]
pub struct Startup {
    /// The configured client.
    pub client: ApiClient,
    /// How jobs are followed.
    pub worker: worker::Options,
    /// The query text to edit.
    pub query: String,
    /// Its file, if any.
    pub query_path: Option<PathBuf>,
    /// A key to authenticate with at once (`PAIRS_API_KEY` or the demo key).
    pub key: Option<Secret>,
    /// The auth server, as shown under the key.
    pub auth_label: String,
    /// The API base, as shown under the key.
    pub api_label: String,
}

/// Takes the terminal, runs the app, and gives the terminal back, also after an error or panic.
pub async fn run(startup: Startup) -> color_eyre::Result<()> {
    if let Ok(program) = std::env::current_exe() {
        crate::jq::isolate(program);
    }
    let mut terminal = ratatui::try_init().wrap_err("cannot take over the terminal")?;
    // ratatui's hook restores raw mode and the screen; bracketed paste is ours to undo.
    // Any panic, on any thread, ends the program: a UI left running after the terminal was
    // restored (a worker task panicking) would be a zombie that ignores its keys.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(stdout(), DisableBracketedPaste);
        previous(info);
        std::process::exit(101);
    }));
    let result = match crossterm::execute!(stdout(), EnableBracketedPaste) {
        Ok(()) => event_loop(&mut terminal, startup).await,
        Err(e) => Err(e.into()),
    };
    let _ = crossterm::execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
}

async fn event_loop(terminal: &mut DefaultTerminal, startup: Startup) -> color_eyre::Result<()> {
    let WorkerHandle { commands, mut events, mut task } = worker::spawn(startup.client, startup.worker);
    let mut app = App::new(&startup.query, startup.query_path, Instant::now());
    app.auth_label = startup.auth_label;
    app.api_label = startup.api_label;
    app.color = ui::theme::ColorDepth::detect();
    let size = terminal.size()?;
    update(&mut app, Msg::Resize(size.width, size.height));
    if startup.key.is_none() {
        app.set_focus(crate::app::Pane::ApiKey);
    }
    if let Some(key) = startup.key {
        app.set_key(&key);
        commands.send(Command::Authenticate(key)).map_err(|_| eyre!("the network worker is gone"))?;
    }
    // Reports from the viewer's blocking work (formatting, filters) come back here.
    let (local, mut local_rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);

    loop {
        terminal.draw(|frame| ui::render(&app, frame))?;
        let msg = tokio::select! {
            Some(event) = events.recv() => Msg::Worker(event),
            Some(msg) = local_rx.recv() => msg,
            event = input.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Paste(text))) => Msg::Paste(text),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e).wrap_err("reading the terminal failed"),
                None => return Ok(()),
            },
            _ = tick.tick() => Msg::Tick(Instant::now()),
            ended = &mut task => return Err(eyre!("the network worker stopped unexpectedly: {ended:?}")),
        };
        let mut pending = vec![msg];
        // Apply every report that is already waiting before drawing again.
        while let Ok(event) = events.try_recv() {
            pending.push(Msg::Worker(event));
        }
        while let Ok(msg) = local_rx.try_recv() {
            pending.push(msg);
        }
        for msg in pending {
            for effect in update(&mut app, msg) {
                let feedback = match effect {
                    Effect::EditExternally(text) => {
                        let (stream, feedback) = editor_io::edit_externally(terminal, input, &text).await?;
                        input = stream;
                        let size = terminal.size()?;
                        update(&mut app, Msg::Resize(size.width, size.height));
                        Some(feedback)
                    }
                    effect => perform(effect, &commands, &local)?,
                };
                if let Some(feedback) = feedback {
                    update(&mut app, feedback);
                }
            }
        }
        if app.should_quit {
            return Ok(());
        }
    }
}

/// Performs one effect; file work reports back as a message, background work through `local`.
fn perform(
    effect: Effect,
    commands: &tokio::sync::mpsc::UnboundedSender<Command>,
    local: &tokio::sync::mpsc::UnboundedSender<Msg>,
) -> color_eyre::Result<Option<Msg>> {
    match effect {
        Effect::Worker(command) => {
            commands.send(command).map_err(|_| eyre!("the network worker is gone"))?;
            Ok(None)
        }
        Effect::SaveQuery { path, text, overwrite } => {
            Ok(Some(match write_new(&path, (text + "\n").as_bytes(), overwrite) {
                Err(Exists) => Msg::SaveExists(path, SaveTarget::Query),
                Ok(result) => Msg::Saved(result.map(|()| path)),
            }))
        }
        Effect::ListDir(dir) => Ok(Some(Msg::Listed(editor_io::list_dir(&dir)))),
        Effect::OpenQuery(path) => Ok(Some(Msg::Opened(editor_io::read_query(&path)))),
        Effect::EditExternally(_) => Err(eyre!("the editor hand-over needs the terminal: the loop does it")),
        Effect::Job(job) => {
            let local = local.clone();
            // A send error means the UI is gone; the result is not needed then.
            tokio::task::spawn_blocking(move || job.run(&|msg| drop(local.send(Msg::Viewer(msg)))));
            Ok(None)
        }
        Effect::Clipboard(clip) => {
            let sequence = clip.osc52(std::env::var_os("TMUX").is_some());
            let mut out = stdout();
            out.write_all(&sequence).and_then(|()| out.flush()).wrap_err("writing to the terminal failed")?;
            Ok(None)
        }
        Effect::SaveBody { path, body, overwrite } => {
            // A body can be hundreds of MB: written off the UI thread, reported through `local`.
            let local = local.clone();
            tokio::task::spawn_blocking(move || {
                let msg = match write_new(&path, &body, overwrite) {
                    Err(Exists) => Msg::SaveExists(path, SaveTarget::Body),
                    Ok(result) => Msg::Viewer(ViewerMsg::Saved(result.map(|()| (path, body.len())))),
                };
                drop(local.send(msg));
            });
            Ok(None)
        }
    }
}

/// The file was there already, and replacing it was not asked for.
struct Exists;

/// Writes `bytes` to `path`, unless it exists and `overwrite` is false. A write error names the
/// file.
fn write_new(path: &std::path::Path, bytes: &[u8], overwrite: bool) -> Result<Result<(), String>, Exists> {
    if !overwrite && path.exists() {
        return Err(Exists);
    }
    Ok(std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display())))
}
