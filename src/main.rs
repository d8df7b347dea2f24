//! pairs-tui: see `pairs-tui --help`.

use clap::Parser;
use pairs_tui::cli::{self, Cli};

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let result = runtime.block_on(cli::run(cli));
    // Do not wait for background work on the way out: a jq filter that runs for ever must not
    // keep the program alive after the user quit.
    runtime.shutdown_background();
    match result {
        Err(e) if e.downcast_ref::<cli::StartError>().is_some() => {
            eprintln!("pairs-tui: {e}");
            std::process::exit(2);
        }
        other => other,
    }
}
