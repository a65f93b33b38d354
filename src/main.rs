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
    /// Measure the real daemon end to end on a corpus folder; prints JSON lines.
    Bench(BenchArgs),
    /// Train a model (`newsd train ner ...`).
    #[command(subcommand)]
    Train(newsd::ner::cli::TrainCommand),
    /// Evaluate a model (`newsd eval ner ...`).
    #[command(subcommand)]
    Eval(newsd::ner::cli::EvalCommand),
}

#[derive(Debug, clap::Args)]
struct BenchArgs {
    /// Folder of input files (e.g. ../shared/data/bbc-news/articles).
    #[arg(long, value_name = "DIR")]
    corpus: PathBuf,
    /// Which measurement to run.
    #[arg(long, value_enum, default_value = "throughput")]
    scenario: Scenario,
    /// Scratch folder for inbox, outbox and state (deleted afterwards).
    #[arg(long, value_name = "DIR", default_value = "target/bench-e2e")]
    workdir: PathBuf,
    /// Daemon concurrency (0 = one per core).
    #[arg(long, default_value_t = 0)]
    concurrency: usize,
    /// Latency: files per second offered.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Latency: files dropped.
    #[arg(long, default_value_t = 2000)]
    count: usize,
    /// Burst: files dropped at once (corpus files repeated).
    #[arg(long, default_value_t = 100_000)]
    files: usize,
    /// Throughput: repetitions (each on a fresh daemon); the median is reported last.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Scenario {
    /// All corpus files dropped at once: articles/s and MB/s.
    Throughput,
    /// A steady drop rate: drop-to-record latency percentiles.
    Latency,
    /// A large burst: peak memory.
    Burst,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => run_daemon(cli.config),
        Command::Process { inputs } => process(cli.config, &inputs),
        Command::CheckConfig => check_config(cli.config),
        Command::Bench(args) => bench(&args),
        Command::Train(cmd) => ner_train(&cmd),
        Command::Eval(cmd) => ner_eval(&cmd),
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

fn bench(args: &BenchArgs) -> ExitCode {
    match run_bench(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsd bench: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run_bench(args: &BenchArgs) -> anyhow::Result<()> {
    use newsd::bench;
    let corpus = bench::load_corpus(&args.corpus)?;
    match args.scenario {
        Scenario::Throughput => {
            let mut rates = Vec::new();
            for run in 0..args.runs.max(1) {
                let t = bench::throughput(&corpus, &args.workdir, args.concurrency)?;
                println!(
                    "{}",
                    serde_json::json!({"scenario": "throughput", "run": run, "result": t})
                );
                rates.push((t.articles_per_s, t.mb_per_s));
            }
            rates.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (aps, mbps) = rates[rates.len() / 2];
            println!(
                "{}",
                serde_json::json!({"scenario": "throughput", "median_articles_per_s": aps, "median_mb_per_s": mbps, "runs": rates.len()})
            );
        }
        Scenario::Latency => {
            let l = bench::latency(
                &corpus,
                &args.workdir,
                args.rate,
                args.count,
                args.concurrency,
            )?;
            println!(
                "{}",
                serde_json::json!({"scenario": "latency", "result": l})
            );
        }
        Scenario::Burst => {
            let b = bench::burst(&corpus, &args.workdir, args.files, args.concurrency)?;
            println!("{}", serde_json::json!({"scenario": "burst", "result": b}));
        }
    }
    Ok(())
}

fn ner_train(cmd: &newsd::ner::cli::TrainCommand) -> ExitCode {
    let newsd::ner::cli::TrainCommand::Ner(args) = cmd;
    match newsd::ner::cli::run_train(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsd train ner: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn ner_eval(cmd: &newsd::ner::cli::EvalCommand) -> ExitCode {
    let newsd::ner::cli::EvalCommand::Ner(args) = cmd;
    match newsd::ner::cli::run_eval(args) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("newsd eval ner: {e:#}");
            ExitCode::from(1)
        }
    }
}
