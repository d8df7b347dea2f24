//! End to end: the real binary in a pseudo-terminal, driven by keystrokes, read off the screen.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Session {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(args: &[&str], cols: u16, rows: u16) -> Self {
        Self::start_with_env(args, cols, rows, &[])
    }

    fn start_with_env(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .expect("a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_pairs-tui"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for var in ["PAIRS_API_KEY", "PAIRS_AUTH_URL", "PAIRS_API_URL", "PAIRS_CLIENT_ID"] {
            cmd.env_remove(var);
        }
        for (name, value) in env {
            cmd.env(name, value);
        }
        let child = pty.slave.spawn_command(cmd).expect("the binary starts");
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let mut reader = pty.master.try_clone_reader().expect("a reader");
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().expect("a writer");
        // The master must outlive the child; leak it for the length of the test process.
        std::mem::forget(pty.master);
        Self { screen, writer, child }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.text();
            if ok(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Ctrl-Q; a second one when the screen warns about unsaved changes.
    fn quit(mut self) {
        self.keys(b"\x11");
        std::thread::sleep(Duration::from_millis(200));
        if self.text().contains("unsaved changes") {
            self.keys(b"\x11");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status:?}");
                return;
            }
            assert!(Instant::now() < deadline, "did not quit on Ctrl-Q; screen:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn demo_authenticates_and_ctrl_r_shows_point_data() {
    let mut s = Session::start(&["--demo"], 80, 24);
    s.wait_for("a valid token", |t| t.contains("● valid") && t.contains("expires in 01:"));
    s.keys(b"\x12");
    let screen = s.wait_for("the point data", |t| t.contains("200") && t.contains("\"layerId\""));
    assert!(screen.contains("\"data\": ["), "{screen}");
    assert!(screen.contains("\"value\":"), "{screen}");
    assert!(screen.contains("•••o"), "the demo key is shown masked: {screen}");
    s.quit();
}

#[test]
fn pasted_text_goes_into_the_editor_and_triggers_nothing() {
    let mut s = Session::start(&["--demo"], 120, 40);
    s.wait_for("a valid token", |t| t.contains("● valid"));
    // Bracketed paste of a line containing Ctrl-R and Ctrl-Q bytes: inserted, not obeyed.
    s.keys(b"\x1b[200~zzz\x12\x11\x1b[201~");
    let screen = s.wait_for("the pasted text", |t| t.contains("zzz"));
    assert!(screen.contains("✗"), "the pasted text made the query invalid: {screen}");
    assert!(screen.contains("No response yet"), "nothing was sent: {screen}");
    s.quit();
}

#[test]
fn demo_follows_a_square_query_to_a_saved_zip() {
    let dir = tempfile::tempdir().unwrap();
    let query = dir.path().join("square.json");
    std::fs::write(
        &query,
        r#"{
  "name": "ndvi-box",
  "layers": [{"type": "raster", "id": "49464", "alias": "ndvi"}],
  "spatial": {"type": "square", "coordinates": [41.20, -73.85, 41.25, -73.75]},
  "temporal": {"intervals": [{"snapshot": "2024-07-01T00:00:00Z"}]}
}"#,
    )
    .unwrap();
    let results = dir.path().join("results");
    let args = ["--demo", query.to_str().unwrap(), "--results-dir", results.to_str().unwrap()];
    let mut s = Session::start(&args, 120, 40);
    s.wait_for("a valid token", |t| t.contains("● valid"));
    s.keys(b"\x12");
    s.wait_for("the job's progress", |t| t.contains("status") && t.contains("job "));
    let screen = s.wait_for("the saved zip", |t| t.contains("saved ") && t.contains("output.info"));
    assert!(screen.contains("Succeeded (20)"), "{screen}");
    assert!(screen.contains("\"files\": {"), "{screen}");
    let saved: Vec<_> = std::fs::read_dir(&results).unwrap().filter_map(Result::ok).collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let name = saved[0].file_name().to_string_lossy().into_owned();
    assert!(name.ends_with(".zip"), "{name}");
    assert!(screen.contains(&name), "the saved path is on screen: {screen}");
    s.quit();
}

#[test]
fn ctrl_e_lends_the_terminal_to_editor_and_takes_the_text_back() {
    // The "editor" asks for a line on the terminal and writes it into the file as the query's
    // name: if the TUI still read the terminal, it would take the typed keys and the script
    // would never get its line.
    let dir = tempfile::tempdir().expect("a temp dir");
    let script = dir.path().join("fake-editor");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf 'FAKE EDITOR READY\\n'\nIFS= read -r line\nprintf '{\"name\": \"%s\"}\\n' \"$line\" > \"$1\"\n",
    )
    .expect("the script");
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let editor = script.to_str().expect("a UTF-8 path");
    let mut s = Session::start_with_env(&["--demo"], 100, 30, &[("EDITOR", editor), ("VISUAL", "")]);
    s.wait_for("the editor pane", |t| t.contains("point-demo"));
    s.keys(b"\x05");
    s.wait_for("the editor to start", |t| t.contains("FAKE EDITOR READY"));
    s.keys(b"typed in the editor\r");
    let screen = s.wait_for("the edited query", |t| t.contains("\"name\": \"typed in the editor\""));
    assert!(screen.contains("edited in $EDITOR"), "{screen}");
    assert!(!screen.contains("FAKE EDITOR READY"), "the screen was redrawn: {screen}");
    assert!(screen.contains("Token"), "every pane is back: {screen}");
    // Keys reach the TUI again.
    s.keys(b"\x1bf");
    s.wait_for("the formatted query", |t| t.contains("formatted"));
    s.quit();
}

/// Processes whose command line contains `needle`.
fn processes_with(needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
                .filter(|cmd| String::from_utf8_lossy(cmd).contains(needle))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn esc_really_stops_a_jq_filter_that_never_ends() {
    let mut s = Session::start(&["--demo"], 120, 40);
    s.wait_for("a valid token", |t| t.contains("● valid"));
    s.keys(b"\x12");
    s.wait_for("the point data", |t| t.contains("\"layerId\""));
    s.keys(b"\t|");
    // A filter no one would write by hand, so that this test sees only its own process.
    let filter = "last(range(1e10 + 7))";
    s.keys(filter.as_bytes());
    s.keys(b"\r");
    s.wait_for("the filter running", |t| t.contains("running"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_with(filter) == 0 {
        assert!(Instant::now() < deadline, "the filter runs in a child process");
        std::thread::sleep(Duration::from_millis(50));
    }
    s.keys(b"\x1b");
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_with(filter) > 0 {
        assert!(Instant::now() < deadline, "Esc ends the filter's process; screen:\n{}", s.text());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Quitting while a filter runs leaves no process behind either.
    s.keys(b"|");
    s.keys(filter.as_bytes());
    s.keys(b"\r");
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_with(filter) == 0 {
        assert!(Instant::now() < deadline, "the second filter starts");
        std::thread::sleep(Duration::from_millis(50));
    }
    s.quit();
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_with(filter) > 0 {
        assert!(Instant::now() < deadline, "the filter's process outlived the program");
        std::thread::sleep(Duration::from_millis(50));
    }
}
