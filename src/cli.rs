//! Command-line options, and what each way of starting does.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::api::ApiClient;
use crate::config::{DEFAULT_API_URL, DEFAULT_AUTH_URL, DEFAULT_CLIENT_ID, Endpoints, Timeouts};
use crate::mock::{MockConfig, MockServer};
use crate::secret::Secret;
use crate::tui::{self, Startup};
use crate::worker;

/// The example query the editor starts with.
pub const EXAMPLE_QUERY: &str = include_str!("../assets/queries/point.json");

/// The key the mock server accepts in `--demo`.
pub const DEMO_KEY: &str = "demo";

/// The poll interval in `--demo`, where jobs take seconds.
pub const DEMO_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The token lifetime in `--demo`: short, so the countdown and an automatic refresh can be watched.
pub const DEMO_TOKEN_TTL: Duration = Duration::from_secs(90);

/// A terminal client for the IBM Environmental Intelligence Geospatial Analytics (PAIRS) API.
///
/// Enter an API key (or set PAIRS_API_KEY), edit a query, send it with Ctrl-R, and read the
/// answer. The access token is refreshed before it expires. Press F1 in the program for keys.
#[derive(Debug, Parser)]
#[command(name = "pairs-tui", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A query file to open; Ctrl-S saves back to it. Without one, an example point query.
    pub query: Option<PathBuf>,

    /// The auth server (token exchange and refresh).
    #[arg(long, env = "PAIRS_AUTH_URL", default_value = DEFAULT_AUTH_URL)]
    pub auth_url: String,

    /// The API base; queries go to {api-url}/query.
    #[arg(long, env = "PAIRS_API_URL", default_value = DEFAULT_API_URL)]
    pub api_url: String,

    /// The OAuth client id sent with the key and with refreshes.
    #[arg(long, env = "PAIRS_CLIENT_ID", default_value = DEFAULT_CLIENT_ID)]
    pub client_id: String,

    /// Try it offline: start the embedded mock server, use it, and sign in with the demo key.
    #[arg(long)]
    pub demo: bool,

    /// Give up on a request after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    /// Seconds between two polls of a running job, at least 1 [default: 15; 1 with --demo].
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub poll_interval: Option<u64>,

    /// Where job results are saved [default: the platform's data directory + pairs-tui/results;
    /// with --demo, the temporary directory + pairs-tui-demo/results].
    #[arg(long, value_name = "DIR")]
    pub results_dir: Option<PathBuf>,

    /// Other commands.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the mock PAIRS auth server and API on 127.0.0.1 until Ctrl-C (the demo key is "demo").
    Mock {
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Lifetime of the access tokens it issues, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
        token_ttl: u64,
    },
    /// Internal: runs a jq filter on standard input, for the viewer, in a process it can stop.
    #[command(hide = true)]
    JqFilter {
        /// The filter.
        filter: String,
    },
}

/// A problem with the command line or the environment, reported before the screen is taken.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A bad option value.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The HTTP client could not start.
    #[error(transparent)]
    Client(#[from] crate::api::ApiError),
    /// The query file could not be read.
    #[error("cannot read the query file {path}: {reason}")]
    QueryFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Not started in a terminal.
    #[error("needs a terminal: run it in one (standard input and output must be a TTY)")]
    NoTerminal,
    /// There is nowhere to save results.
    #[error("no data directory is known for this user: give --results-dir")]
    NoResultsDir,
    /// The mock server could not start.
    #[error("cannot start the mock server: {0}")]
    Mock(std::io::Error),
}

/// Runs what the command line asks for.
pub async fn run(cli: Cli) -> color_eyre::Result<()> {
    match cli.command {
        Some(Command::Mock { port, token_ttl }) => serve_mock(port, token_ttl).await,
        Some(Command::JqFilter { filter }) => match crate::jq::filter_stdin(&filter) {
            Ok(out) => {
                print!("{out}");
                Ok(())
            }
            Err(message) => {
                eprintln!("{message}");
                std::process::exit(1);
            }
        },
        None => {
            use std::io::IsTerminal;
            if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
                return Err(StartError::NoTerminal.into());
            }
            let (startup, _mock) = prepare(&cli).await?;
            tui::run(startup).await
        }
    }
}

/// Builds the TUI's starting point. The mock server, in `--demo`, lives as long as the guard.
pub async fn prepare(cli: &Cli) -> Result<(Startup, Option<MockServer>), StartError> {
    let (query, query_path) = load_query(cli.query.as_ref())?;
    let timeouts = Timeouts { request: Duration::from_secs(cli.timeout), ..Timeouts::default() };
    let (endpoints, key, mock) = if cli.demo {
        let config = MockConfig { token_ttl: DEMO_TOKEN_TTL, ..MockConfig::default() };
        let server = MockServer::start(([127, 0, 0, 1], 0).into(), config).await.map_err(StartError::Mock)?;
        let endpoints = Endpoints::new(&server.auth_url(), &server.api_url(), DEFAULT_CLIENT_ID)?;
        (endpoints, Some(Secret::new(DEMO_KEY)), Some(server))
    } else {
        let endpoints = Endpoints::new(&cli.auth_url, &cli.api_url, &cli.client_id)?;
        let key = std::env::var("PAIRS_API_KEY").ok().map(Secret::new).filter(|k| !k.is_empty());
        (endpoints, key, None)
    };
    let suffix = if cli.demo { " (demo mock)" } else { "" };
    let auth_label = format!("{}{suffix}", endpoints.auth_url);
    let api_label = endpoints.api_url.clone();
    let client = ApiClient::new(endpoints, timeouts)?;
    let mut worker = worker::Options::new(results_dir(cli.results_dir.as_ref(), cli.demo)?);
    worker.poll_interval = match (cli.poll_interval, cli.demo) {
        (Some(secs), _) => Duration::from_secs(secs),
        (None, true) => DEMO_POLL_INTERVAL,
        (None, false) => worker.poll_interval,
    };
    Ok((Startup { client, worker, query, query_path, key, auth_label, api_label }, mock))
}

/// Where results go: the option, else `<data dir>/pairs-tui/results`, or for `--demo` a folder
/// under the system's temporary directory (a demo leaves nothing in the user's data).
fn results_dir(given: Option<&PathBuf>, demo: bool) -> Result<PathBuf, StartError> {
    match given {
        Some(dir) => Ok(dir.clone()),
        None if demo => Ok(std::env::temp_dir().join("pairs-tui-demo").join("results")),
        None => directories::BaseDirs::new()
            .map(|b| b.data_dir().join("pairs-tui").join("results"))
            .ok_or(StartError::NoResultsDir),
    }
}

/// The largest query file that is opened: a query is small, and `/dev/zero` is not a query.
const MAX_QUERY_FILE: u64 = 16 << 20;

/// The query to start with: the file's text, or the example (also for a file not created yet).
fn load_query(path: Option<&PathBuf>) -> Result<(String, Option<PathBuf>), StartError> {
    let Some(path) = path else {
        return Ok((EXAMPLE_QUERY.to_owned(), None));
    };
    let read = std::fs::File::open(path).and_then(|file| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_QUERY_FILE + 1), &mut bytes)?;
        Ok(bytes)
    });
    match read {
        Ok(bytes) if bytes.len() as u64 > MAX_QUERY_FILE => Err(StartError::QueryFile {
            path: path.clone(),
            reason: format!("it is larger than {} MiB", MAX_QUERY_FILE >> 20),
        }),
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok((text, Some(path.clone()))),
            Err(_) => {
                Err(StartError::QueryFile { path: path.clone(), reason: "it is not UTF-8 text".into() })
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok((EXAMPLE_QUERY.to_owned(), Some(path.clone())))
        }
        Err(e) => Err(StartError::QueryFile { path: path.clone(), reason: e.to_string() }),
    }
}

async fn serve_mock(port: u16, token_ttl: u64) -> color_eyre::Result<()> {
    let config = MockConfig { token_ttl: Duration::from_secs(token_ttl), ..MockConfig::default() };
    let server = MockServer::start(([127, 0, 0, 1], port).into(), config).await.map_err(StartError::Mock)?;
    println!("mock PAIRS server on {}", server.addr());
    println!("  auth: {}", server.auth_url());
    println!("  api:  {}", server.api_url());
    println!("  key:  {DEMO_KEY}");
    println!(
        "try:   PAIRS_API_KEY={DEMO_KEY} pairs-tui --auth-url {} --api-url {}",
        server.auth_url(),
        server.api_url()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn example_query_is_a_valid_point_query() {
        let v: serde_json::Value = serde_json::from_str(EXAMPLE_QUERY).unwrap();
        assert_eq!(v["spatial"]["type"], "point");
    }

    #[test]
    fn a_missing_query_file_starts_from_the_example() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.json");
        let (text, kept) = load_query(Some(&path)).unwrap();
        assert_eq!(text, EXAMPLE_QUERY);
        assert_eq!(kept, Some(path));
    }

    #[test]
    fn an_endless_query_file_is_refused() {
        let err = load_query(Some(&PathBuf::from("/dev/zero"))).unwrap_err();
        assert!(err.to_string().contains("larger than 16 MiB"), "{err}");
    }

    #[test]
    fn an_unreadable_query_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin.json");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        let err = load_query(Some(&path)).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
    }
}
