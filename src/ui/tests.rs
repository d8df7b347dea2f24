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
            reply: HttpReply { status, body, elapsed: Duration::from_millis(137) },
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
fn unreadable_exp_says_expires_in_is_used() {
    snapshot("expires_in_fallback", |app| {
        let mut fallback = info(app.now, 3600);
        fallback.source = crate::auth::ExpirySource::ExpiresIn("no exp: 2 parts, not 3".into());
        worker(app, WorkerEvent::TokenIssued { info: fallback, how: Issue::Authenticated });
    });
    let mut app = app();
    let mut fallback = info(app.now, 3600);
    fallback.source = crate::auth::ExpirySource::ExpiresIn("no exp: 2 parts, not 3".into());
    worker(&mut app, WorkerEvent::TokenIssued { info: fallback, how: Issue::Authenticated });
    let screen = draw(&mut app, 80, 24);
    assert!(screen.contains("expires_in") && screen.contains("no exp: 2 parts, not 3"), "{screen}");
    assert!(!screen.contains("expired"), "{screen}");
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
                maybe_sent: false,
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

mod jobs {
    use super::*;
    use crate::api::download::{FileKind, Saved};
    use crate::api::types::Layer;
    use crate::app::tests::{JOB, job_status as status};

    fn following(app: &mut App) {
        valid_token(app);
        answer(app, 200, &format!(r#"{{"id":"{JOB}"}}"#));
    }

    #[test]
    fn job_running_with_progress() {
        snapshot("job_running", |app| {
            following(app);
            worker(app, WorkerEvent::JobProgress(status(10, 62.5)));
            update(app, Msg::Tick(app.now + Duration::from_secs(42)));
        });
    }

    #[test]
    fn job_poll_retrying() {
        snapshot("job_retrying", |app| {
            following(app);
            worker(app, WorkerEvent::JobProgress(status(0, 0.0)));
            worker(
                app,
                WorkerEvent::JobPollFailed {
                    id: JOB.into(),
                    reason: "HTTP 502 with no message".into(),
                    retry_in: Duration::from_secs(4),
                },
            );
        });
    }

    #[test]
    fn job_downloading() {
        snapshot("job_downloading", |app| {
            following(app);
            worker(app, WorkerEvent::JobProgress(status(20, 100.0)));
            worker(
                app,
                WorkerEvent::DownloadProgress {
                    id: JOB.into(),
                    received: 3 * 1024 * 1024,
                    total: Some(8 * 1024 * 1024),
                },
            );
        });
    }

    #[test]
    fn job_failed() {
        snapshot("job_failed", |app| {
            following(app);
            worker(
                app,
                WorkerEvent::JobEnded {
                    id: JOB.into(),
                    status: Some(status(40, 35.0)),
                    error: "Processing failed: layer 49464 has no data".into(),
                },
            );
        });
    }

    #[test]
    fn job_finished_and_saved() {
        snapshot("job_saved", |app| {
            following(app);
            worker(app, WorkerEvent::JobProgress(status(20, 100.0)));
            let summary = serde_json::json!({
                "job": JOB,
                "saved": "/home/me/.local/share/pairs-tui/results/1733232000_00000004.zip",
                "bytes": 70_312,
                "files": {
                    "Sentinel-2-NDVI[ndvi]-07_01_2024T00_00_00.tiff": 65_536,
                    "Sentinel-2-NDVI[ndvi]-07_01_2024T00_00_00.tiff.json": 512,
                    "output.info": 180,
                },
            });
            let body = Bytes::from(summary.to_string());
            let saved = Saved {
                path: "/home/me/.local/share/pairs-tui/results/1733232000_00000004.zip".into(),
                bytes: 70_312,
                kind: FileKind::Zip,
                elapsed: Duration::from_millis(12),
            };
            let effects = update(app, Msg::Worker(WorkerEvent::JobSaved { id: JOB.into(), saved, body }));
            crate::app::viewer::tests::run_jobs(app, effects);
        });
    }

    #[test]
    fn job_list_popup() {
        snapshot("job_list", |app| {
            update(app, Msg::Key(KeyEvent::new(KeyCode::F(7), KeyModifiers::NONE)));
            let mut old = status(20, 100.0);
            old.id = "1733100000_00000001".into();
            old.nickname = Some("era5-temperature-texas".into());
            worker(app, WorkerEvent::Jobs(Ok(vec![status(10, 40.0), old, status(43, 0.0)])));
            update(app, Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
        });
    }

    #[test]
    fn catalog_popup_with_details() {
        snapshot("catalog", |app| {
            update(app, Msg::Key(KeyEvent::new(KeyCode::F(8), KeyModifiers::NONE)));
            let layer = |id: &str, name: &str, dataset: &str, units: &str| -> Layer {
                serde_json::from_value(serde_json::json!({
                    "id": id, "name": name, "dataset": dataset, "units": units, "level": 21,
                    "temporal_min": "1979-01-01", "temporal_max": "2024-12-31",
                    "description_short": "Hourly 2 m air temperature from the ERA5 reanalysis",
                }))
                .unwrap()
            };
            worker(
                app,
                WorkerEvent::Catalog(Ok(vec![
                    layer("49423", "2m temperature", "ERA5", "K"),
                    layer("91", "Daily precipitation", "PRISM", "mm"),
                    layer("49464", "NDVI", "Sentinel-2", ""),
                ])),
            );
            for c in "era".chars() {
                update(app, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
            }
            worker(app, WorkerEvent::LayerDetails(Ok(layer("49423", "2m temperature", "ERA5", "K"))));
        });
    }

    #[test]
    fn dry_run_estimate() {
        snapshot("dry_run", |app| {
            valid_token(app);
            answer(
                app,
                200,
                r#"{"info":{"usage":5242880,"usageUnit":"bytes","maxUsage":10737418240,"size":5,"maxSize":500,"count":4,"interactiveMaxCount":10000,"maxCount":1000000}}"#,
            );
        });
    }
}

// --- the response viewer -------------------------------------------------------------------

fn press(app: &mut App, code: KeyCode) -> Vec<crate::app::Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Point rows as PAIRS sends them: types drift, a vector row, an aggregated row.
const DRIFTING_POINTS: &str = r#"{"data":[
{"layerId":"49423","layerName":"2m temperature","timestamp":1717200000000,"longitude":-71.0589,"latitude":42.3601,"value":"291.4302","unit":"K"},
{"layerId":49423,"layerName":"2m temperature","timestamp":1717286400000,"longitude":-71.0589,"latitude":42.3601,"value":290.0077,"unit":"K"},
{"layerId":49423,"layerName":"2m temperature","timestamp":1717372800000,"longitude":-71.0589,"latitude":42.3601,"value":"293.5","unit":"K"},
{"layerId":"51","layerName":"County","timestamp":1717200000000,"region":"US-MA-025","property":"pop","value":"n/a"},
{"layerId":49423,"layerName":"2m temperature","aggregation":"Max","alias":"91.1>1688083200000","longitude":-71.0589,"latitude":42.3601,"value":295.1,"unit":"K"}
]}"#;

fn viewer_app(app: &mut App, body: &str) {
    valid_token(app);
    answer(app, 200, body);
    app.focus = Pane::Response;
}

#[test]
fn viewer_fold_and_search() {
    snapshot("viewer_folded", |app| {
        viewer_app(app, POINT_DATA);
        press(app, KeyCode::Char('/'));
        type_text(app, "TEMP");
        press(app, KeyCode::Enter);
        // Enter on a member folds the object around it: the first row.
        press(app, KeyCode::Enter);
    });
}

#[test]
fn search_matches_are_marked_in_the_buffer() {
    let mut app = app();
    viewer_app(&mut app, r#"{"city":"İstanbul"}"#);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "STANBUL");
    press(&mut app, KeyCode::Enter);
    update(&mut app, Msg::Resize(80, 24));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| super::render(&app, f)).unwrap();
    let buffer = terminal.backend().buffer();
    let marked: String = buffer
        .content()
        .iter()
        .filter(|c| c.bg == super::theme::search_match().bg.unwrap_or_default())
        .map(|c| c.symbol())
        .collect();
    assert_eq!(marked, "stanbul");
}

#[test]
fn viewer_prompt_for_a_jq_filter() {
    snapshot("viewer_jq_prompt", |app| {
        viewer_app(app, POINT_DATA);
        press(app, KeyCode::Char('|'));
        type_text(app, ".data[].value");
    });
}

#[test]
fn viewer_filtered() {
    snapshot("viewer_filtered", |app| {
        viewer_app(app, POINT_DATA);
        press(app, KeyCode::Char('|'));
        type_text(app, ".data[] | {layerId, value}");
        let effects = press(app, KeyCode::Enter);
        crate::app::viewer::tests::run_jobs(app, effects);
    });
}

#[test]
fn viewer_table_of_drifting_rows() {
    snapshot("viewer_table", |app| {
        viewer_app(app, DRIFTING_POINTS);
        let effects = press(app, KeyCode::Char('t'));
        crate::app::viewer::tests::run_jobs(app, effects);
    });
}

#[test]
fn viewer_chart_of_drifting_rows() {
    snapshot("viewer_chart", |app| {
        viewer_app(app, DRIFTING_POINTS);
        let effects = press(app, KeyCode::Char('c'));
        crate::app::viewer::tests::run_jobs(app, effects);
    });
}

#[test]
fn viewer_wraps_long_lines() {
    snapshot("viewer_wrap", |app| {
        viewer_app(app, &format!(r#"{{"a":"{}","b":1}}"#, "0123456789".repeat(12)));
        press(app, KeyCode::Char('w'));
    });
}

#[test]
fn viewer_copy_chooser() {
    snapshot("viewer_copy", |app| {
        viewer_app(app, POINT_DATA);
        press(app, KeyCode::Char('y'));
    });
}

#[test]
fn viewer_shows_formatting_progress() {
    snapshot("viewer_progress", |app| {
        let body = format!("[{}1]", "1,".repeat(crate::app::viewer::FORMAT_INLINE));
        valid_token(app);
        answer(app, 200, &body);
        let crate::app::viewer::Body::Formatting { id, .. } = app.viewer.body else {
            panic!("not formatting")
        };
        let done = body.len() * 43 / 100;
        update(app, Msg::Viewer(crate::app::viewer::ViewerMsg::Progress { id, done }));
    });
}

#[test]
fn viewer_banner_for_a_trap_body() {
    snapshot("viewer_trap_1e400", |app| {
        viewer_app(app, r#"{"data":[{"value":1e400}]}"#);
    });
}

#[test]
fn tabs_cr_and_backspace_are_visible_and_scrolling_leaves_no_stale_glyphs() {
    let mut app = app();
    let long = format!("a\tb\rc\u{8}d 漢字漢字 {}", "x".repeat(200));
    viewer_app(&mut app, &format!("{long}\nshort\n"));
    update(&mut app, Msg::Resize(80, 24));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| super::render(&app, f)).unwrap();
    let first = terminal.backend().to_string();
    assert!(first.contains("a   b␍c␈d 漢字漢字 xx"), "{first}");
    for _ in 0..3 {
        press(&mut app, KeyCode::Right);
        terminal.draw(|f| super::render(&app, f)).unwrap();
    }
    press(&mut app, KeyCode::Left);
    terminal.draw(|f| super::render(&app, f)).unwrap();
    let mut fresh = Terminal::new(TestBackend::new(80, 24)).unwrap();
    fresh.draw(|f| super::render(&app, f)).unwrap();
    assert_eq!(terminal.backend().to_string(), fresh.backend().to_string());
    assert!(!terminal.backend().to_string().contains("漢字"), "scrolled past the wide characters");
}

#[test]
fn viewer_table_scrolls_by_whole_columns() {
    snapshot("viewer_table_columns", |app| {
        viewer_app(app, DRIFTING_POINTS);
        let effects = press(app, KeyCode::Char('t'));
        crate::app::viewer::tests::run_jobs(app, effects);
        for _ in 0..2 {
            press(app, KeyCode::Right);
        }
    });
}

#[test]
fn trap_bodies_render_within_a_second_with_a_banner() {
    let mut cut = br#"{"data":[{"value":""#.to_vec();
    cut.resize(5 << 20, b'x');
    let traps: [(&[u8], &str); 5] = [
        (&format!("{}{}", "[".repeat(128), "]".repeat(128)).into_bytes(), "deeper than 127"),
        (&"[".repeat(100_000).into_bytes(), "deeper than 127"),
        (br#"{"s":"\ud800"}"#, "lone surrogate"),
        (br#"{"e":1e400}"#, "out of range"),
        (&cut, "EOF while"),
    ];
    for (body, why) in traps {
        let started = std::time::Instant::now();
        let mut app = app();
        valid_token(&mut app);
        press(&mut app, KeyCode::F(5));
        let id = app.running.map(|r| r.id).unwrap_or_default();
        let body = Bytes::copy_from_slice(body);
        let reply = HttpReply { status: 200, body, elapsed: Duration::from_millis(9) };
        let effects = update(&mut app, Msg::Worker(WorkerEvent::QueryFinished { id, reply, retried: false }));
        crate::app::viewer::tests::run_jobs(&mut app, effects);
        let screen = draw(&mut app, 120, 40);
        assert!(started.elapsed() < Duration::from_secs(1), "{why}: {:?}", started.elapsed());
        assert!(screen.contains(why), "{why}: {screen}");
    }
}
