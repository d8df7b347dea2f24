//! State transitions: one test per worker event and per key behaviour.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::auth::ExpirySource;

pub(crate) fn info(now: Instant, lifetime_secs: u64) -> TokenInfo {
    let lifetime = Duration::from_secs(lifetime_secs);
    TokenInfo {
        expires_at: Some(now + lifetime),
        expires_wall: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600) + lifetime),
        received_wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600),
        refresh_at: Some(now + lifetime - crate::auth::refresh_margin(lifetime)),
        lifetime: Some(lifetime),
        source: ExpirySource::Jwt,
        refreshable: true,
    }
}

fn app() -> App {
    App::new(crate::cli::EXAMPLE_QUERY, None, Instant::now())
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn reply(status: u16, body: impl Into<String>) -> WorkerEvent {
    let body = Bytes::from(body.into());
    WorkerEvent::QueryFinished {
        id: 1,
        reply: HttpReply { status, body, elapsed: Duration::from_millis(42) },
        retried: false,
    }
}

fn sent_id(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::Worker(Command::SendQuery { id, .. }) => Some(*id),
        _ => None,
    })
}

#[test]
fn token_lifecycle_follows_worker_events() {
    let mut app = app();
    let now = app.now;
    update(&mut app, Msg::Worker(WorkerEvent::Authenticating));
    assert_eq!(app.token, TokenState::Authenticating);

    let first = info(now, 90);
    update(
        &mut app,
        Msg::Worker(WorkerEvent::TokenIssued { info: first.clone(), how: Issue::Authenticated }),
    );
    assert_eq!(app.token, TokenState::Valid(first.clone()));
    assert_eq!(app.last_refresh, None, "a first token is not a refresh");

    update(&mut app, Msg::Worker(WorkerEvent::Refreshing));
    assert_eq!(app.token, TokenState::Refreshing(first.clone()));

    let second = info(now + Duration::from_secs(80), 90);
    update(&mut app, Msg::Worker(WorkerEvent::TokenIssued { info: second.clone(), how: Issue::Refreshed }));
    assert_eq!(app.token, TokenState::Valid(second.clone()));
    assert_eq!(app.last_refresh, Some(second.received_wall));
    assert_eq!(app.notice, None);

    update(
        &mut app,
        Msg::Worker(WorkerEvent::TokenIssued { info: second.clone(), how: Issue::Reauthenticated }),
    );
    assert!(app.notice.as_ref().unwrap().text.contains("signed in again"));

    update(&mut app, Msg::Worker(WorkerEvent::AuthFailed { reason: "boom".into() }));
    assert_eq!(app.token, TokenState::Failed { reason: "boom".into(), last: Some(second) });
}

#[test]
fn refreshing_without_a_token_shows_authenticating() {
    let mut app = app();
    update(&mut app, Msg::Worker(WorkerEvent::Refreshing));
    assert_eq!(app.token, TokenState::Authenticating);
}

#[test]
fn tick_past_expiry_marks_the_token_expired() {
    let mut app = app();
    let now = app.now;
    update(
        &mut app,
        Msg::Worker(WorkerEvent::TokenIssued { info: info(now, 20), how: Issue::Authenticated }),
    );
    update(&mut app, Msg::Tick(now + Duration::from_secs(19)));
    assert!(matches!(app.token, TokenState::Valid(_)));
    update(&mut app, Msg::Tick(now + Duration::from_secs(20)));
    assert!(matches!(app.token, TokenState::Expired(_)));
}

#[test]
fn unknown_expiry_never_turns_expired() {
    let mut app = app();
    let now = app.now;
    let mut unknown = info(now, 20);
    unknown.expires_at = None;
    update(&mut app, Msg::Worker(WorkerEvent::TokenIssued { info: unknown, how: Issue::Authenticated }));
    update(&mut app, Msg::Tick(now + Duration::from_secs(100_000)));
    assert!(matches!(app.token, TokenState::Valid(_)));
}

#[test]
fn send_asks_the_worker_and_the_answer_is_shown() {
    let mut app = app();
    let effects = update(&mut app, ctrl('r'));
    assert_eq!(sent_id(&effects), Some(1));
    assert!(app.running.is_some());
    update(&mut app, Msg::Worker(reply(200, r#"{"data":[{"value":"1"}]}"#)));
    assert!(app.running.is_none());
    let ResponseState::Reply(r) = &app.response else { panic!("no reply") };
    assert_eq!(r.status, 200);
    assert_eq!(r.message, None);
    assert!(app.viewer.document().unwrap().line_count() > 3);
}

#[test]
fn f5_sends_from_the_response_pane() {
    let mut app = app();
    app.focus = Pane::Response;
    assert_eq!(sent_id(&update(&mut app, key(KeyCode::F(5)))), Some(1));
}

#[test]
fn answers_to_older_queries_are_dropped() {
    let mut app = app();
    update(&mut app, ctrl('r'));
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, Msg::Worker(WorkerEvent::QueryCancelled { id: 1 }));
    update(&mut app, ctrl('r'));
    update(&mut app, Msg::Worker(reply(200, "{}")));
    assert!(matches!(app.response, ResponseState::Empty), "the late answer to query 1 is dropped");
    assert_eq!(app.running.map(|r| r.id), Some(2));
}

#[test]
fn a_second_send_while_one_runs_is_refused() {
    let mut app = app();
    assert_eq!(sent_id(&update(&mut app, ctrl('r'))), Some(1));
    assert_eq!(sent_id(&update(&mut app, ctrl('r'))), None);
    assert_eq!(sent_id(&update(&mut app, key(KeyCode::F(6)))), None);
    assert!(app.notice.as_ref().unwrap().text.contains("already on its way"));
}

#[test]
fn a_json_array_is_not_sent() {
    let mut app = app();
    app.editor = TextArea::new(vec!["[1, 2]".into()]);
    assert_eq!(sent_id(&update(&mut app, ctrl('r'))), None);
    assert!(app.notice.as_ref().unwrap().text.contains("JSON object"));
}

#[test]
fn invalid_json_is_not_sent_and_the_user_is_told_why() {
    let mut app = app();
    app.editor = TextArea::new(vec!["{".into(), "  \"a\": tru".into()]);
    let effects = update(&mut app, ctrl('r'));
    assert_eq!(sent_id(&effects), None);
    let notice = app.notice.clone().unwrap();
    assert!(notice.error);
    assert!(notice.text.contains("line 2"), "{}", notice.text);
}

#[test]
fn typing_revalidates_the_query() {
    let mut app = app();
    assert_eq!(app.query_error, None);
    app.focus = Pane::Query;
    update(&mut app, key(KeyCode::Char('x')));
    assert!(app.query_error.is_some());
    update(&mut app, ctrl('z'));
    assert_eq!(app.query_error, None, "undo restores the valid query");
}

#[test]
fn failures_and_cancellations_end_the_request() {
    let mut app = app();
    update(&mut app, ctrl('r'));
    update(
        &mut app,
        Msg::Worker(WorkerEvent::QueryFailed { id: 1, error: "could not connect".into(), maybe_sent: false }),
    );
    assert!(matches!(&app.response, ResponseState::Failed(e) if e == "could not connect"));

    update(&mut app, ctrl('r'));
    let effects = update(&mut app, key(KeyCode::Esc));
    assert!(matches!(effects.as_slice(), [Effect::Worker(Command::Cancel)]));
    update(&mut app, Msg::Worker(WorkerEvent::QueryCancelled { id: 2 }));
    assert!(app.running.is_none());
    assert_eq!(app.notice.unwrap().text, "request cancelled");
}

#[test]
fn esc_without_a_request_does_nothing() {
    let mut app = app();
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
}

#[test]
fn empty_500_gets_a_hint_and_error_messages_are_extracted() {
    let mut app = app();
    update(&mut app, ctrl('r'));
    update(&mut app, Msg::Worker(reply(500, "{}")));
    let ResponseState::Reply(r) = &app.response else { panic!() };
    assert!(r.hint.as_ref().unwrap().contains("entitlements"));

    update(&mut app, ctrl('r'));
    let WorkerEvent::QueryFinished { reply: raw, retried, .. } =
        reply(400, r#"{"message":"Spatial coordinates must be pairs"}"#)
    else {
        unreachable!()
    };
    update(&mut app, Msg::Worker(WorkerEvent::QueryFinished { id: 2, reply: raw, retried }));
    let ResponseState::Reply(r) = &app.response else { panic!() };
    assert_eq!(r.message.as_deref(), Some("Spatial coordinates must be pairs"));
    assert_eq!(r.hint, None);
}

#[test]
fn tab_and_shift_tab_cycle_focus() {
    let mut app = app();
    assert_eq!(app.focus, Pane::Query);
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Response);
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::ApiKey);
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
    assert_eq!(app.focus, Pane::Token);
}

#[test]
fn enter_in_the_key_pane_authenticates_with_the_trimmed_key() {
    let mut app = app();
    app.focus = Pane::ApiKey;
    update(&mut app, Msg::Paste(" abc-123\n".into()));
    assert_eq!(app.key_input.lines(), ["abc-123"]);
    let effects = update(&mut app, key(KeyCode::Enter));
    match effects.as_slice() {
        [Effect::Worker(Command::Authenticate(k))] => assert_eq!(k.expose(), "abc-123"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn enter_with_no_key_explains() {
    let mut app = app();
    app.focus = Pane::ApiKey;
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(app.notice.unwrap().error);
}

#[test]
fn pasted_text_triggers_no_binding() {
    let mut app = app();
    app.editor = TextArea::default();
    let effects = update(&mut app, Msg::Paste("{\"q\":\t1}\r\n\u{12}".into()));
    assert!(effects.is_empty());
    assert_eq!(app.editor.lines()[0], "{\"q\":\t1}");
    assert!(!app.should_quit);
}

#[test]
fn ctrl_s_without_a_file_asks_for_a_name() {
    let mut app = app();
    assert!(update(&mut app, ctrl('s')).is_empty());
    let Some(Overlay::SaveAs(input, SaveTarget::Query)) = &app.overlay else { panic!("no prompt") };
    assert_eq!(input.lines(), ["point-demo.json"], "the query's name is offered");
    update(&mut app, Msg::Paste("my-query.json".into()));
    let effects = update(&mut app, key(KeyCode::Enter));
    match effects.as_slice() {
        [Effect::SaveQuery { path, text, overwrite: false }] => {
            assert_eq!(path, &PathBuf::from("my-query.json"));
            assert_eq!(text, &app.query_text());
        }
        other => panic!("{other:?}"),
    }
    assert!(app.overlay.is_none());
    update(&mut app, Msg::Saved(Ok(PathBuf::from("my-query.json"))));
    assert_eq!(app.query_path, Some(PathBuf::from("my-query.json")));
    assert!(matches!(update(&mut app, ctrl('s')).as_slice(), [Effect::SaveQuery { .. }]));
}

#[test]
fn an_existing_file_is_replaced_only_when_asked_twice() {
    let mut app = app();
    update(&mut app, ctrl('s'));
    update(&mut app, Msg::Paste("taken.json".into()));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, Msg::SaveExists(PathBuf::from("taken.json"), SaveTarget::Query));
    assert!(matches!(app.overlay, Some(Overlay::SaveAs(_, SaveTarget::Query))), "asked again");
    assert!(app.notice.as_ref().unwrap().text.contains("exists"));
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(matches!(effects.as_slice(), [Effect::SaveQuery { overwrite: true, .. }]), "{effects:?}");
}

#[test]
fn a_new_name_after_the_warning_is_not_overwritten_blindly() {
    let mut app = app();
    update(&mut app, Msg::SaveExists(PathBuf::from("taken.json"), SaveTarget::Query));
    if let Some(Overlay::SaveAs(input, _)) = app.overlay.as_mut() {
        input.insert_str("2");
    }
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(matches!(effects.as_slice(), [Effect::SaveQuery { overwrite: false, .. }]), "{effects:?}");
}

#[test]
fn quitting_with_unsaved_changes_asks_once() {
    let mut app = app();
    assert!(!app.is_modified());
    update(&mut app, key(KeyCode::Char('x')));
    assert!(app.is_modified());
    update(&mut app, ctrl('q'));
    assert!(!app.should_quit, "the first Ctrl-Q warns");
    assert!(app.notice.as_ref().unwrap().text.contains("unsaved"));
    update(&mut app, ctrl('q'));
    assert!(app.should_quit);
}

#[test]
fn another_key_disarms_the_quit_warning_and_saving_clears_the_mark() {
    let mut app = app();
    update(&mut app, key(KeyCode::Char('x')));
    update(&mut app, ctrl('q'));
    update(&mut app, key(KeyCode::Left));
    update(&mut app, ctrl('q'));
    assert!(!app.should_quit, "warned again");
    update(&mut app, Msg::Saved(Ok(PathBuf::from("q.json"))));
    assert!(!app.is_modified());
    update(&mut app, ctrl('q'));
    assert!(app.should_quit);
}

#[test]
fn help_takes_the_keyboard_until_closed() {
    let mut app = app();
    update(&mut app, key(KeyCode::F(1)));
    assert!(matches!(app.overlay, Some(Overlay::Help)));
    assert!(update(&mut app, ctrl('r')).is_empty(), "keys do not leak through the overlay");
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
}

#[test]
fn ctrl_q_quits_from_anywhere() {
    let mut app = app();
    update(&mut app, key(KeyCode::F(1)));
    update(&mut app, ctrl('q'));
    assert!(app.should_quit);
}

#[test]
fn scrolling_is_clamped_to_the_body() {
    let mut app = app();
    update(&mut app, Msg::Resize(80, 24));
    update(&mut app, ctrl('r'));
    update(&mut app, Msg::Worker(reply(200, format!("[{}]", vec!["1"; 100].join(",")))));
    app.focus = Pane::Response;
    update(&mut app, key(KeyCode::End));
    let lines = 102;
    assert_eq!(app.viewer.scroll, lines - app.response_height());
    update(&mut app, key(KeyCode::PageDown));
    assert_eq!(app.viewer.scroll, lines - app.response_height());
    update(&mut app, key(KeyCode::Home));
    assert_eq!(app.viewer.scroll, 0);
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.viewer.scroll, 0);
    update(&mut app, key(KeyCode::PageDown));
    assert_eq!(app.viewer.scroll, app.response_height());
}

#[test]
fn notices_fade() {
    let mut app = app();
    let start = app.now;
    app.focus = Pane::ApiKey;
    update(&mut app, key(KeyCode::Enter));
    assert!(app.notice.is_some());
    update(&mut app, Msg::Tick(start + Duration::from_secs(9)));
    assert!(app.notice.is_some());
    update(&mut app, Msg::Tick(start + NOTICE_LIFE));
    assert_eq!(app.notice, None);
}

#[test]
fn release_events_are_ignored() {
    let mut app = app();
    let mut k = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
    k.kind = crossterm::event::KeyEventKind::Release;
    assert!(update(&mut app, Msg::Key(k)).is_empty());
}

/// The job the job tests follow.
pub(crate) const JOB: &str = "1733232000_00000004";

/// A status of [`JOB`]; codes of 21 and more carry a failure message.
pub(crate) fn job_status(code: i64, percent: f64) -> crate::api::types::JobStatus {
    crate::api::types::JobStatus {
        id: JOB.into(),
        status: None,
        status_code: Some(code),
        percent: Some(percent),
        start: Some(1_733_232_000_000),
        nickname: Some("ndvi-box".into()),
        message: (code >= 21).then(|| "Processing failed: layer 49464 has no data".into()),
    }
}

mod jobs {
    use super::*;
    use crate::api::download::{FileKind, Saved};
    use crate::api::types::Layer;
    use crate::app::jobs::{JobStage, JobView};

    fn status(code: i64, percent: f64) -> crate::api::types::JobStatus {
        job_status(code, percent)
    }

    fn job(app: &App) -> &JobView {
        match &app.response {
            ResponseState::Job(job) => job,
            other => panic!("not a job view: {other:?}"),
        }
    }

    fn following(app: &mut App) {
        update(app, ctrl('r'));
        let effects = update(app, Msg::Worker(reply(200, format!(r#"{{"id":"{JOB}"}}"#))));
        assert!(
            matches!(effects.as_slice(), [Effect::Worker(Command::FollowJob(id))] if id == JOB),
            "{effects:?}"
        );
    }

    #[test]
    fn an_id_answer_is_followed_as_a_job() {
        let mut app = app();
        following(&mut app);
        assert_eq!(job(&app).stage, JobStage::Polling);
        assert_eq!(job(&app).id, JOB);
    }

    #[test]
    fn data_with_an_id_is_not_a_job() {
        let mut app = app();
        update(&mut app, ctrl('r'));
        let effects = update(&mut app, Msg::Worker(reply(200, r#"{"id":"1","data":[]}"#)));
        assert!(effects.is_empty());
        assert!(matches!(app.response, ResponseState::Reply(_)));
    }

    #[test]
    fn progress_notes_and_download_are_tracked_for_the_shown_job_only() {
        let mut app = app();
        following(&mut app);
        update(&mut app, Msg::Worker(WorkerEvent::JobProgress(status(10, 40.0))));
        assert_eq!(job(&app).status.as_ref().and_then(|s| s.percent), Some(40.0));
        let mut other = status(40, 0.0);
        other.id = "1111111111_11111111".into();
        update(&mut app, Msg::Worker(WorkerEvent::JobProgress(other)));
        assert_eq!(job(&app).status.as_ref().and_then(|s| s.status_code), Some(10), "other jobs are ignored");
        update(
            &mut app,
            Msg::Worker(WorkerEvent::JobPollFailed {
                id: JOB.into(),
                reason: "HTTP 500".into(),
                retry_in: Duration::from_secs(2),
            }),
        );
        assert!(job(&app).note.as_ref().unwrap().contains("retrying in 2 s"));
        update(&mut app, Msg::Worker(WorkerEvent::JobProgress(status(20, 100.0))));
        assert_eq!(job(&app).note, None, "a good poll clears the note");
        update(
            &mut app,
            Msg::Worker(WorkerEvent::DownloadProgress { id: JOB.into(), received: 10, total: Some(20) }),
        );
        assert_eq!(job(&app).stage, JobStage::Downloading { received: 10, total: Some(20) });
    }

    #[test]
    fn saved_results_are_shown_with_their_path() {
        let mut app = app();
        following(&mut app);
        let body = Bytes::from_static(br#"{"job":"x","files":[]}"#);
        let saved = Saved {
            path: PathBuf::from("/tmp/results/x.zip"),
            bytes: 2048,
            kind: FileKind::Zip,
            elapsed: Duration::from_millis(5),
        };
        update(&mut app, Msg::Worker(WorkerEvent::JobSaved { id: JOB.into(), saved, body }));
        let ResponseState::Reply(r) = &app.response else { panic!("{:?}", app.response) };
        assert!(app.viewer.document().is_some_and(|d| d.line_count() > 0), "the summary is in the viewer");
        assert!(r.origin.as_ref().unwrap().contains("/tmp/results/x.zip"));
        assert_eq!(r.size, 2048);
        assert!(app.notice.as_ref().unwrap().text.contains("saved"));
    }

    #[test]
    fn a_failed_job_keeps_its_status_and_message() {
        let mut app = app();
        following(&mut app);
        update(
            &mut app,
            Msg::Worker(WorkerEvent::JobEnded {
                id: JOB.into(),
                status: Some(status(40, 50.0)),
                error: "Processing failed".into(),
            }),
        );
        assert_eq!(job(&app).stage, JobStage::Ended("Processing failed".into()), "the error given wins");
        assert_eq!(job(&app).status.as_ref().unwrap().label(), "Failed (40)");
    }

    #[test]
    fn esc_stops_following_a_running_job() {
        let mut app = app();
        following(&mut app);
        let effects = update(&mut app, key(KeyCode::Esc));
        assert!(matches!(effects.as_slice(), [Effect::Worker(Command::StopJob)]));
        update(&mut app, Msg::Worker(WorkerEvent::JobStopped { id: JOB.into() }));
        assert_eq!(job(&app).stage, JobStage::Stopped);
        assert!(update(&mut app, key(KeyCode::Esc)).is_empty(), "nothing left to stop");
    }

    #[test]
    fn a_connection_lost_after_sending_says_a_job_may_exist() {
        let mut app = app();
        update(&mut app, ctrl('r'));
        update(
            &mut app,
            Msg::Worker(WorkerEvent::QueryFailed {
                id: 1,
                error: "the connection failed".into(),
                maybe_sent: true,
            }),
        );
        let ResponseState::Failed(text) = &app.response else { panic!() };
        assert!(text.contains("may have") && text.contains("F7"), "{text}");
    }

    #[test]
    fn the_job_list_opens_filters_and_follows() {
        let mut app = app();
        let effects = update(&mut app, key(KeyCode::F(7)));
        assert!(matches!(effects.as_slice(), [Effect::Worker(Command::ListJobs)]));
        let mut failed = status(40, 10.0);
        failed.id = "1733232000_00000002".into();
        update(&mut app, Msg::Worker(WorkerEvent::Jobs(Ok(vec![status(20, 100.0), failed]))));
        update(&mut app, key(KeyCode::Down));
        let effects = update(&mut app, key(KeyCode::Enter));
        assert!(
            matches!(effects.as_slice(), [Effect::Worker(Command::FollowJob(id))] if id == "1733232000_00000002")
        );
        assert!(app.overlay.is_none());
        assert_eq!(job(&app).id, "1733232000_00000002");
    }

    #[test]
    fn a_typed_job_id_is_followed() {
        let mut app = app();
        update(&mut app, key(KeyCode::F(7)));
        update(&mut app, Msg::Worker(WorkerEvent::Jobs(Ok(Vec::new()))));
        update(&mut app, Msg::Paste("1999999999_12345678\n".into()));
        let effects = update(&mut app, key(KeyCode::Enter));
        assert!(
            matches!(effects.as_slice(), [Effect::Worker(Command::FollowJob(id))] if id == "1999999999_12345678")
        );
    }

    fn layer(id: &str, name: &str, dataset: &str) -> Layer {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "dataset": dataset, "units": "K"}))
            .unwrap()
    }

    #[test]
    fn the_catalog_is_fetched_once_filtered_and_inserts_the_id() {
        let mut app = app();
        app.editor = TextArea::new(vec![r#"{"id": ""}"#.into()]);
        app.editor.move_cursor(ratatui_textarea::CursorMove::Jump(0, 8));
        let effects = update(&mut app, key(KeyCode::F(8)));
        assert!(matches!(effects.as_slice(), [Effect::Worker(Command::FetchCatalog)]));
        update(
            &mut app,
            Msg::Worker(WorkerEvent::Catalog(Ok(vec![
                layer("49423", "2m temperature", "ERA5"),
                layer("91", "Daily precipitation", "PRISM"),
            ]))),
        );
        for c in "prism".chars() {
            update(&mut app, key(KeyCode::Char(c)));
        }
        let details = update(&mut app, ctrl('d'));
        assert!(matches!(details.as_slice(), [Effect::Worker(Command::FetchLayer(id))] if id == "91"));
        update(&mut app, key(KeyCode::Enter));
        assert_eq!(app.editor.lines()[0], r#"{"id": "91"}"#);
        assert_eq!(app.focus, Pane::Query);
        assert!(update(&mut app, key(KeyCode::F(8))).is_empty(), "the catalog is cached");
    }

    #[test]
    fn dry_run_sends_the_query_with_dry_run_and_shows_the_estimate() {
        let mut app = app();
        let effects = update(&mut app, key(KeyCode::F(6)));
        let Some(Effect::Worker(Command::SendQuery { body, .. })) = effects.first() else {
            panic!("{effects:?}")
        };
        let sent: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(sent["dryRun"], true);
        assert_eq!(sent["spatial"]["type"], "point", "the rest of the query is kept");
        update(
            &mut app,
            Msg::Worker(reply(
                200,
                r#"{"info":{"usage":1200,"usage_unit":"bytes","maxSize":500,"count":2}}"#,
            )),
        );
        let ResponseState::Reply(r) = &app.response else { panic!() };
        assert_eq!(
            r.estimate,
            [
                ("usage".to_owned(), "1200 bytes (1.2 KiB)".to_owned()),
                ("max size".to_owned(), "500 MB".to_owned()),
                ("count".to_owned(), "2".to_owned())
            ]
        );
    }
}
