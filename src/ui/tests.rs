//! Render snapshots of every pane in every state, at 80x24 and at 120x40.

use std::time::Duration;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::api::HttpReply;
use crate::app::tests::info;
use crate::app::{App, Msg, Pane, update};
use crate::worker::{Issue, WorkerEvent};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn app() -> App {
    let mut app =
        App::new(crate::cli::EXAMPLE_QUERY, Some("queries/point.json".into()), std::time::Instant::now());
    app.auth_label = "http://127.0.0.1:8080 (demo mock)".into();
    app.api_label = "http://127.0.0.1:8080/v2".into();
    app.timezone = chrono::FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!());
    app
}

fn draw(app: &mut App, width: u16, height: u16) -> String {
    update(app, Msg::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| super::render(app, f)).unwrap();
    terminal.backend().to_string()
}

fn snapshot(name: &str, mut setup: impl FnMut(&mut App)) {
    for (w, h) in SIZES {
        let mut app = app();
        setup(&mut app);
        let screen = draw(&mut app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

fn worker(app: &mut App, event: WorkerEvent) {
    update(app, Msg::Worker(event));
}

fn valid_token(app: &mut App) {
    let now = app.now;
    worker(app, WorkerEvent::TokenIssued { info: info(now, 90), how: Issue::Authenticated });
    update(app, Msg::Tick(now + Duration::from_millis(16_500)));
}

fn answer(app: &mut App, status: u16, body: &str) {
    update(app, Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
    let id = app.running.map(|r| r.id).unwrap_or_default();
    let body = Bytes::from(body.to_owned());
    worker(
        app,
        WorkerEvent::QueryFinished {
            id,
            reply: HttpReply { status, content_type: None, body, elapsed: Duration::from_millis(137) },
            retried: false,
        },
    );
}

const POINT_DATA: &str = r#"{"data":[{"layerId":"49423","layerName":"2m temperature","dataset":"ERA5","timestamp":1717200000000,"longitude":-71.0589,"latitude":42.3601,"value":"291.4302","unit":"K"},{"layerId":49423,"layerName":"2m temperature","dataset":"ERA5","timestamp":1717286400000,"longitude":-71.0589,"latitude":42.3601,"value":290.0077,"unit":"K"}]}"#;

#[test]
fn start_without_a_token() {
    snapshot("start", |_| {});
}

#[test]
fn authenticating() {
    snapshot("authenticating", |app| {
        app.set_key(&crate::secret::Secret::new("my-secret-api-key-1234"));
        worker(app, WorkerEvent::Authenticating);
    });
}

#[test]
fn valid_token_and_point_data() {
    snapshot("point_data", |app| {
        app.set_key(&crate::secret::Secret::new("my-secret-api-key-1234"));
        valid_token(app);
        answer(app, 200, POINT_DATA);
    });
}

#[test]
fn refreshed_token_shows_when() {
    snapshot("refreshed", |app| {
        let now = app.now;
        let mut second = info(now, 90);
        second.received_wall += Duration::from_secs(81);
        worker(app, WorkerEvent::TokenIssued { info: info(now, 90), how: Issue::Authenticated });
        worker(app, WorkerEvent::Refreshing);
        let _ = draw(app, 80, 24);
        worker(app, WorkerEvent::TokenIssued { info: second, how: Issue::Refreshed });
    });
}

#[test]
fn refreshing() {
    snapshot("refreshing", |app| {
        valid_token(app);
        update(app, Msg::Tick(app.now + Duration::from_secs(65)));
        worker(app, WorkerEvent::Refreshing);
    });
}

#[test]
fn expired() {
    snapshot("expired", |app| {
        valid_token(app);
        update(app, Msg::Tick(app.now + Duration::from_secs(120)));
    });
}

#[test]
fn auth_failed() {
    snapshot("auth_failed", |app| {
        app.set_key(&crate::secret::Secret::new("wrong-key-9999"));
        worker(
            app,
            WorkerEvent::AuthFailed {
                reason: "the auth server rejected the API key (HTTP 400 invalid_client)".into(),
            },
        );
    });
}

#[test]
fn empty_500_with_hint() {
    snapshot("error_500", |app| {
        valid_token(app);
        answer(app, 500, "{}");
    });
}

#[test]
fn text_422_is_shown_as_it_came() {
    snapshot("text_422", |app| {
        valid_token(app);
        answer(app, 422, "Point query too large for interactive mode.\nUse batch.");
    });
}

#[test]
fn invalid_query() {
    snapshot("invalid_query", |app| {
        app.editor = ratatui_textarea::TextArea::new(vec!["{".into(), "  \"layers\": [,".into()]);
        update(app, Msg::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)));
        update(app, Msg::Key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)));
    });
}

#[test]
fn sending() {
    snapshot("sending", |app| {
        valid_token(app);
        update(app, Msg::Key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)));
        update(app, Msg::Tick(app.now + Duration::from_secs(3)));
    });
}

#[test]
fn no_answer() {
    snapshot("no_answer", |app| {
        update(app, Msg::Key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)));
        let id = app.running.map(|r| r.id).unwrap_or_default();
        worker(
            app,
            WorkerEvent::QueryFailed {
                id,
                error: "could not connect to 127.0.0.1:9: Connection refused".into(),
            },
        );
    });
}

#[test]
fn help_overlay() {
    snapshot("help", |app| {
        update(app, Msg::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)));
    });
}

#[test]
fn save_as_prompt() {
    snapshot("save_as", |app| {
        app.query_path = None;
        update(app, Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
    });
}

#[test]
fn response_focused_and_scrolled() {
    snapshot("scrolled", |app| {
        valid_token(app);
        answer(app, 200, POINT_DATA);
        app.focus = Pane::Response;
        for _ in 0..3 {
            update(app, Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
        }
        update(app, Msg::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE)));
    });
}

#[test]
fn hostile_body_is_drawn_inert() {
    let mut app = app();
    answer(&mut app, 200, "\u{1b}]52;c;aGk=\u{7}\u{1b}[2Jhello\tworld\r\u{8}");
    let screen = draw(&mut app, 80, 24);
    assert!(!screen.contains('\u{1b}'));
    assert!(screen.contains("␛]52;c;aGk=␇␛[2Jhello   world␍␈"), "{screen}");
}

#[test]
fn key_is_never_shown_whole() {
    let mut app = app();
    app.set_key(&crate::secret::Secret::new("my-secret-api-key-1234"));
    app.focus = Pane::ApiKey;
    for (w, h) in SIZES {
        let screen = draw(&mut app, w, h);
        assert!(!screen.contains("secret"), "{screen}");
        assert!(screen.contains("••1234"), "{screen}");
    }
}
