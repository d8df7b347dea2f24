//! The viewer's part of `update`: search, folds, the jq filter, views, copy, save, and big
//! bodies formatted off the UI thread while keys keep working.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::api::HttpReply;
use crate::app::{Msg, Pane, update};
use crate::worker::WorkerEvent;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn chars(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(app, key(KeyCode::Char(c)))).collect()
}

/// An app at 100x40 with the response pane focused and `body` as the answer; the effects of
/// the answer are returned (a format job for a big body).
fn answered(body: impl Into<Bytes>) -> (App, Vec<Effect>) {
    let mut app = App::new(crate::cli::EXAMPLE_QUERY, None, Instant::now());
    update(&mut app, Msg::Resize(100, 40));
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
    let id = app.running.map(|r| r.id).unwrap_or_default();
    let reply = HttpReply { status: 200, body: body.into(), elapsed: Duration::from_millis(5) };
    let effects = update(&mut app, Msg::Worker(WorkerEvent::QueryFinished { id, reply, retried: false }));
    app.focus = Pane::Response;
    (app, effects)
}

/// Runs the background jobs among `effects` here and now, feeding their reports back.
pub(crate) fn run_jobs(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    let mut rest = Vec::new();
    for effect in effects {
        match effect {
            Effect::Job(job) => {
                let reports = RefCell::new(Vec::new());
                job.run(&|m| reports.borrow_mut().push(m));
                for msg in reports.into_inner() {
                    rest.extend(update(app, Msg::Viewer(msg)));
                }
            }
            other => rest.push(other),
        }
    }
    rest
}

fn doc(app: &App) -> &Document {
    app.viewer.document().expect("a document")
}

fn line(app: &App, index: usize) -> String {
    doc(app).line(index).unwrap_or_default()
}

const CITIES: &str =
    r#"{"rows":[{"city":"Ankara"},{"city":"İstanbul","note":"big"},{"city":"Izmir"},{"city":"istanbul"}]}"#;

#[test]
fn search_finds_stanbul_in_istanbul_and_n_steps_with_wrap_around() {
    let (mut app, _) = answered(CITIES);
    update(&mut app, key(KeyCode::Char('/')));
    assert!(app.viewer.prompt.is_some());
    chars(&mut app, "STANBUL");
    update(&mut app, key(KeyCode::Enter));
    assert!(app.viewer.prompt.is_none());
    assert_eq!(line(&app, app.viewer.cursor), r#"      "city": "İstanbul","#);
    let first = app.viewer.cursor;
    update(&mut app, key(KeyCode::Char('n')));
    assert_eq!(line(&app, app.viewer.cursor), r#"      "city": "istanbul""#);
    update(&mut app, key(KeyCode::Char('n')));
    assert_eq!(app.viewer.cursor, first, "n wraps to the top");
    assert!(app.notice.as_ref().unwrap().text.contains("wrapped"));
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('N'), KeyModifiers::SHIFT)));
    assert_eq!(line(&app, app.viewer.cursor), r#"      "city": "istanbul""#);
}

#[test]
fn a_search_without_a_match_says_so_and_keeps_the_cursor() {
    let (mut app, _) = answered(CITIES);
    update(&mut app, key(KeyCode::Char('j')));
    update(&mut app, key(KeyCode::Char('/')));
    chars(&mut app, "Paris");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.viewer.cursor, 1);
    let notice = app.notice.clone().unwrap();
    assert!(notice.error && notice.text.contains("no match for “Paris”"), "{notice:?}");
}

#[test]
fn fold_hides_an_object_and_moving_skips_it() {
    let (mut app, _) = answered(CITIES);
    // 0 {  1 "rows": [  2 {  3 "city": "Ankara"  4 },  5 {  6 city  7 note  8 },  9 { …
    for _ in 0..5 {
        update(&mut app, key(KeyCode::Down));
    }
    assert_eq!(line(&app, 5), "    {");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.viewer.folds.get(&5), Some(&8));
    update(&mut app, key(KeyCode::Down));
    assert_eq!(app.viewer.cursor, 9, "the folded lines are skipped");
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.viewer.cursor, 5);
    // Space on a member folds the object around it.
    update(&mut app, key(KeyCode::Char(' ')));
    assert!(app.viewer.folds.is_empty(), "Space on a folded line unfolds it");
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Char(' ')));
    assert_eq!(app.viewer.folds.get(&5), Some(&8));
    assert_eq!(app.viewer.cursor, 5);
}

#[test]
fn fold_all_folds_every_row_and_unfold_all_restores() {
    let (mut app, _) = answered(CITIES);
    for _ in 0..3 {
        update(&mut app, key(KeyCode::Down));
    }
    update(&mut app, key(KeyCode::Char('z')));
    let folds: Vec<usize> = app.viewer.folds.keys().copied().collect();
    assert_eq!(folds, [2, 5, 9, 12], "every row object");
    assert_eq!(app.viewer.cursor, 2, "the cursor leaves the hidden line for its fold");
    update(&mut app, key(KeyCode::End));
    assert_eq!(app.viewer.cursor, doc(&app).line_count() - 1);
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('Z'), KeyModifiers::SHIFT)));
    assert!(app.viewer.folds.is_empty());
}

#[test]
fn a_search_match_inside_a_fold_unfolds_it() {
    let (mut app, _) = answered(CITIES);
    update(&mut app, key(KeyCode::Char('z')));
    assert!(!app.viewer.folds.is_empty());
    update(&mut app, key(KeyCode::Char('/')));
    chars(&mut app, "izmir");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(line(&app, app.viewer.cursor), r#"      "city": "Izmir""#);
    assert!(app.viewer.fold_around(app.viewer.cursor).is_none());
}

#[test]
fn folding_text_explains_that_only_json_folds() {
    let (mut app, _) = answered("plain\ntext");
    update(&mut app, key(KeyCode::Enter));
    assert!(app.viewer.folds.is_empty());
    assert!(app.notice.unwrap().text.contains("only JSON"));
}

#[test]
fn jq_filter_shows_its_output_and_esc_returns_to_the_body() {
    let (mut app, _) = answered(CITIES);
    update(&mut app, key(KeyCode::Char('|')));
    chars(&mut app, ".rows[].city");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.viewer.filter, Some(Filter { state: FilterState::Running(_), .. })));
    run_jobs(&mut app, effects);
    assert_eq!(doc(&app).line_count(), 4);
    assert_eq!(line(&app, 1), r#""İstanbul""#);
    assert_eq!(app.viewer.body_document().unwrap().line_count(), 17, "the raw body is kept");
    update(&mut app, key(KeyCode::Esc));
    assert!(app.viewer.filter.is_none());
    assert_eq!(doc(&app).line_count(), 17);
}

#[test]
fn jq_errors_are_shown_and_an_empty_filter_removes_it() {
    let (mut app, _) = answered(CITIES);
    update(&mut app, key(KeyCode::Char('|')));
    chars(&mut app, ".rows[");
    let effects = update(&mut app, key(KeyCode::Enter));
    run_jobs(&mut app, effects);
    assert!(
        matches!(&app.viewer.filter, Some(Filter { state: FilterState::Failed(e), .. }) if e.contains("parse"))
    );
    assert!(app.notice.as_ref().unwrap().error);
    assert_eq!(doc(&app).line_count(), 17, "the body stays on screen");
    update(&mut app, key(KeyCode::Char('|')));
    for _ in 0..6 {
        update(&mut app, key(KeyCode::Backspace));
    }
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(app.viewer.filter.is_none());
}

#[test]
fn copy_the_response_the_query_or_the_token() {
    let (mut app, _) = answered(CITIES);
    update(&mut app, key(KeyCode::Char('y')));
    assert!(matches!(app.viewer.prompt, Some(Prompt { kind: PromptKind::Copy, .. })));
    let effects = update(&mut app, key(KeyCode::Char('r')));
    assert!(matches!(effects.as_slice(), [Effect::Clipboard(c)] if *c == Clip::new(CITIES)));
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("copied the response (99 B) to the clipboard via OSC 52")
    );

    update(&mut app, key(KeyCode::Char('y')));
    let effects = update(&mut app, key(KeyCode::Char('q')));
    assert!(matches!(effects.as_slice(), [Effect::Clipboard(c)] if *c == Clip::new(app.query_text())));

    update(&mut app, key(KeyCode::Char('y')));
    let effects = update(&mut app, key(KeyCode::Char('t')));
    assert!(matches!(effects.as_slice(), [Effect::Worker(Command::CopyToken)]));
    let token = crate::secret::Secret::new("eyJ.token.sig");
    let effects = update(&mut app, Msg::Worker(WorkerEvent::AccessToken(Some(token))));
    assert!(matches!(effects.as_slice(), [Effect::Clipboard(c)] if *c == Clip::new("eyJ.token.sig")));
    assert!(app.notice.as_ref().unwrap().text.contains("the access token"));
    assert!(!app.notice.as_ref().unwrap().text.contains("eyJ"), "the token is never shown");
    update(&mut app, Msg::Worker(WorkerEvent::AccessToken(None)));
    assert!(app.notice.unwrap().error);
}

#[test]
fn a_response_too_big_for_osc52_is_not_copied() {
    let body = format!("[{}1]", "1,".repeat(60_000));
    let (mut app, _) = answered(body);
    update(&mut app, key(KeyCode::Char('y')));
    assert!(update(&mut app, key(KeyCode::Char('r'))).is_empty());
    let notice = app.notice.unwrap();
    assert!(notice.error && notice.text.contains("more than terminals accept"), "{notice:?}");
}

#[test]
fn ctrl_s_in_the_response_pane_saves_the_raw_body() {
    let body = "{ \"a\" : 1 }";
    let (mut app, _) = answered(body);
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
    assert!(
        matches!(&app.overlay, Some(Overlay::SaveAs(input, SaveTarget::Body)) if input.lines() == ["response.json"])
    );
    let effects = update(&mut app, key(KeyCode::Enter));
    match effects.as_slice() {
        [Effect::SaveBody { path, body: saved, overwrite: false }] => {
            assert_eq!(path, &PathBuf::from("response.json"));
            assert_eq!(saved.as_ref(), body.as_bytes(), "the body as received, not the formatted text");
        }
        other => panic!("{other:?}"),
    }
    update(&mut app, Msg::Viewer(ViewerMsg::Saved(Ok((PathBuf::from("response.json"), body.len())))));
    assert!(app.notice.as_ref().unwrap().text.contains("saved the response body (11 B) to response.json"));
    assert_eq!(app.query_path, None, "saving the body does not change the query's file");
}

#[test]
fn table_and_chart_need_a_point_answer() {
    let (mut app, _) = answered(CITIES);
    assert!(update(&mut app, key(KeyCode::Char('t'))).is_empty());
    assert_eq!(app.viewer.mode, ViewMode::Text);
    assert!(app.notice.unwrap().text.contains("not a point-query answer"));

    let (mut app, _) = answered(r#"{"data":[{"layerId":1,"timestamp":0,"value":"2"}]}"#);
    let effects = update(&mut app, key(KeyCode::Char('c')));
    assert_eq!(app.viewer.mode, ViewMode::Chart);
    run_jobs(&mut app, effects);
    assert!(matches!(&app.viewer.points, Points::Ready { rows, .. } if rows.len() == 1));
    update(&mut app, key(KeyCode::Char('t')));
    assert_eq!(app.viewer.mode, ViewMode::Table);
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.viewer.mode, ViewMode::Text);
}

#[test]
fn a_new_query_or_esc_cancels_formatting() {
    let big = Bytes::from(format!("[{}1]", "1,".repeat(FORMAT_INLINE)));
    let (mut app, effects) = answered(big.clone());
    let Some(Effect::Job(Job::Format { cancel, .. })) = effects.first() else { panic!("{effects:?}") };
    let cancel = cancel.clone();
    update(&mut app, key(KeyCode::Esc));
    assert!(cancel.load(Ordering::Relaxed));
    assert!(matches!(&app.viewer.body, Body::Cancelled(raw) if *raw == big));
    assert!(app.notice.unwrap().text.contains("formatting cancelled"));

    let (mut app, effects) = answered(big);
    let Some(Effect::Job(Job::Format { cancel, .. })) = effects.first() else { panic!() };
    let cancel = cancel.clone();
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
    assert!(cancel.load(Ordering::Relaxed));
}

#[test]
fn a_50_mb_body_leaves_the_ui_answering_keys_while_it_is_formatted() {
    let (mut app, effects) = answered(crate::points::sample(50 << 20));
    let Some(Effect::Job(job)) = effects.into_iter().next() else { panic!("no format job") };
    assert!(matches!(app.viewer.body, Body::Formatting { .. }));
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || job.run(&|m| drop(tx.send(m))));

    // While the body is formatted, every key is handled at once.
    let mut slowest = Duration::ZERO;
    let mut handled = 0;
    let mut progress = 0;
    while !worker.is_finished() || handled == 0 {
        for code in [KeyCode::Down, KeyCode::Tab, KeyCode::F(1), KeyCode::F(1), KeyCode::BackTab] {
            let started = Instant::now();
            update(&mut app, key(code));
            slowest = slowest.max(started.elapsed());
            handled += 1;
        }
        app.focus = Pane::Response;
        while let Ok(msg) = rx.try_recv() {
            if matches!(msg, ViewerMsg::Progress { .. }) {
                progress += 1;
            }
            update(&mut app, Msg::Viewer(msg));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    worker.join().expect("the format job ran");
    while let Ok(msg) = rx.try_recv() {
        update(&mut app, Msg::Viewer(msg));
    }
    // Formatting 50 MB takes seconds; a key that waited for it would show. The bound leaves
    // room for a busy CI machine descheduling the thread now and then.
    assert!(slowest < Duration::from_millis(250), "a key took {slowest:?}");
    assert!(handled > 20 && progress > 10, "{handled} keys, {progress} progress reports");
    assert_eq!(doc(&app).kind(), BodyKind::Json);
    assert!(doc(&app).line_count() > 2_000_000);
    update(&mut app, key(KeyCode::End));
    assert_eq!(line(&app, app.viewer.cursor), "}");
}
