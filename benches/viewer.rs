//! The response viewer with a 50 MB point-query answer: indexing it, drawing one frame at a
//! random scroll offset at 200x60, and colouring the visible lines after a jump. Before the
//! criterion runs it prints the time to the first formatted frame and the peak memory of
//! indexing, measured with a counting allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pairs_tui::api::HttpReply;
use pairs_tui::app::{App, Effect, Msg, Pane, update};
use pairs_tui::document::Document;
use pairs_tui::worker::WorkerEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Counts live heap bytes and remembers the peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: as above.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SIZE: usize = 50 << 20;

/// An app showing the 50 MB answer, formatted, with the response pane focused.
fn loaded_app(width: u16, height: u16) -> App {
    let mut app = App::new("{}", None, Instant::now());
    update(&mut app, Msg::Resize(width, height));
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
    let id = app.running.map(|r| r.id).unwrap_or_default();
    let body = pairs_tui::points::sample(SIZE);
    let reply = HttpReply { status: 200, body, elapsed: Duration::ZERO };
    for effect in update(&mut app, Msg::Worker(WorkerEvent::QueryFinished { id, reply, retried: false })) {
        if let Effect::Job(job) = effect {
            let mut reports = Vec::new();
            let sink = std::sync::Mutex::new(&mut reports);
            job.run(&|m| {
                if let Ok(mut r) = sink.lock() {
                    r.push(m);
                }
            });
            for msg in reports {
                update(&mut app, Msg::Viewer(msg));
            }
        }
    }
    app.focus = Pane::Response;
    app
}

/// A small deterministic generator, so runs are comparable.
fn next(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

fn figures() {
    let body = pairs_tui::points::sample(SIZE);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = Instant::now();
    let document = Document::build(&body, &AtomicBool::new(false), &mut |_| {}).ok();
    let indexed = started.elapsed();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let lines = document.as_ref().map_or(0, Document::line_count);
    drop(document);

    let started = Instant::now();
    let mut app = loaded_app(200, 60);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    terminal.draw(|f| pairs_tui::ui::render(&app, f)).expect("draw");
    let first_frame = started.elapsed();

    // Keys that touch every line run on the UI thread: how long do they take?
    let key = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut missed = Vec::new();
    for term in ["/nosuchtext", "/no such: text"] {
        for c in term.chars() {
            update(&mut app, key(KeyCode::Char(c)));
        }
        let started = Instant::now();
        update(&mut app, key(KeyCode::Enter));
        missed.push(started.elapsed());
    }
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Down));
    let started = Instant::now();
    update(&mut app, key(KeyCode::Char('z')));
    let folded = started.elapsed();
    let started = Instant::now();
    update(&mut app, key(KeyCode::End));
    let bottom = started.elapsed();
    eprintln!(
        "on the UI thread: a search that finds nothing {:?} (a plain word), {:?} (with spaces); z (fold {} rows) {folded:?}; End {bottom:?}",
        missed[0],
        missed[1],
        app.viewer.folds.len()
    );
    eprintln!(
        "50 MB body ({} bytes, {lines} lines): indexed in {indexed:?}; first formatted frame after \
         {first_frame:?} (generating the body included); indexing peak {:.1} MiB over the body = {:.2}x \
         the body with it",
        body.len(),
        peak as f64 / f64::from(1 << 20),
        (peak + body.len()) as f64 / body.len() as f64,
    );
}

fn benches(c: &mut Criterion) {
    let body = pairs_tui::points::sample(SIZE);
    let mut group = c.benchmark_group("viewer");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("index 50 MB", |b| {
        b.iter(|| {
            Document::build(black_box(&body), &AtomicBool::new(false), &mut |_| {}).map(|d| d.line_count())
        })
    });
    group.finish();

    let mut app = loaded_app(200, 60);
    let lines = app.viewer.document().map_or(1, Document::line_count).max(1);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    let mut seed = 7;
    c.bench_function("frame at a random offset, 200x60", |b| {
        b.iter(|| {
            let at = usize::try_from(next(&mut seed)).unwrap_or(0) % lines;
            app.viewer.cursor = at;
            app.viewer.scroll = at;
            terminal.draw(|f| pairs_tui::ui::render(&app, f)).expect("draw");
        })
    });

    let doc = app.viewer.document().expect("formatted");
    let mut buffer = String::new();
    c.bench_function("colour 60 visible lines after a jump", |b| {
        b.iter(|| {
            let at = usize::try_from(next(&mut seed)).unwrap_or(0) % lines;
            let mut pieces = 0;
            for line in at..(at + 60).min(lines) {
                doc.write_line(line, &mut buffer);
                pieces += pairs_tui::ui::json::tokens(&buffer).len();
            }
            pieces
        })
    });
}

criterion_group!(viewer, benches);

fn main() {
    figures();
    viewer();
    Criterion::default().configure_from_args().final_summary();
}
