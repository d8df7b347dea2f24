//! pairs-tui: see `pairs-tui --help`.

use clap::Parser;
use pairs_tui::cli::{self, Cli};

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match runtime.block_on(cli::run(cli)) {
        Err(e) if e.downcast_ref::<cli::StartError>().is_some() => {
            eprintln!("pairs-tui: {e}");
            std::process::exit(2);
        }
        other => other,
    }
}
