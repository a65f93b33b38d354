//! The `newsd` binary: parses the command line and hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use newsd::config::LoadedConfig;

/// A streaming news-processing daemon: inbox folder in, NDJSON records out.
#[derive(Debug, Parser)]
#[command(name = "newsd", version, about, propagate_version = true)]
struct Cli {
    /// Config file (default: config/newsd.toml in the working directory, if present).
    #[arg(long, short, global = true, value_name = "PATH")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon until SIGTERM or SIGINT (the default command). SIGHUP reloads the config.
    Run,
    /// Process files once: one record per input on stdout, errors on stderr.
    Process {
        /// Input files; `-` reads standard input.
        #[arg(value_name = "FILE", default_value = "-")]
        inputs: Vec<String>,
    },
    /// Validate the config and print the effective settings.
    CheckConfig,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => run_daemon(cli.config),
        Command::Process { inputs } => process(cli.config, &inputs),
        Command::CheckConfig => check_config(cli.config),
    }
}

fn load(config: Option<&std::path::Path>) -> Result<LoadedConfig, ExitCode> {
    LoadedConfig::load(config).map_err(|e| {
        eprintln!("newsd: config error: {e}");
        ExitCode::from(1)
    })
}

fn run_daemon(config_path: Option<PathBuf>) -> ExitCode {
    let loaded = match load(config_path.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let set_level = newsd::logging::init(&loaded.config.log);
    tracing::info!(config = %loaded.origin(), version = env!("CARGO_PKG_VERSION"), "starting");
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("newsd-rt")
        .build()
        .context("cannot start the async runtime")
        .and_then(|rt| {
            let out = rt.block_on(newsd::daemon::run(loaded, config_path, set_level));
            // Blocking threads still parked (e.g. past the shutdown deadline) must not hold the exit.
            rt.shutdown_timeout(std::time::Duration::from_millis(200));
            out.map_err(anyhow::Error::from)
        });
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("newsd: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn process(config_path: Option<PathBuf>, inputs: &[String]) -> ExitCode {
    let loaded = match load(config_path.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    match newsd::process::run(&loaded.config, inputs, &mut out, &mut err) {
        Ok(summary) if summary.failed == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(newsd::process::ProcessError::Output(e))
            if e.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("newsd: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn check_config(config_path: Option<PathBuf>) -> ExitCode {
    let loaded = match load(config_path.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    println!("# effective config from {}", loaded.origin());
    print!("{}", loaded.config.to_toml());
    ExitCode::SUCCESS
}
