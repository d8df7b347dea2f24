//! pairs-tui: a terminal client for the IBM Environmental Intelligence Geospatial Analytics
//! (PAIRS) API, and the embedded mock server that stands in for it offline.
//!
//! - [`api`]: the HTTP client and wire types (no terminal code).
//! - [`auth`]: tokens, JWT claims and the refresh decision (pure).
//! - [`worker`]: the async side; owns the token and does all network calls.
//! - [`app`]: the state and the one `update` that changes it.
//! - [`ui`]: drawing, one file per pane.
//! - [`tui`]: the terminal and the event loop.
//! - [`mock`]: the embedded mock server for `--demo` and the tests.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod document;
pub mod editor_io;
pub mod highlight;
pub mod jq;
pub mod mock;
pub mod pairs_check;
pub mod points;
pub mod reformat;
pub mod results;
pub mod search;
pub mod secret;
pub mod tui;
pub mod ui;
pub mod worker;
