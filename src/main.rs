//! The `newsd` binary: parses the command line and hands over to the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use newsd::config::LoadedConfig;

/// mimalloc instead of the system allocator: the pipeline makes many short-lived
/// allocations per article, and glibc's malloc/free took a tenth of the time. It is
/// built without transparent huge pages (Cargo feature `no_thp`): in huge pages its
/// heap held 2 MiB wherever a few objects lived (an idle daemon 124 MB instead of 67).
/// The tables that gain from huge pages ask for them themselves (`newsd::pages`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (the same number in mimalloc 2 and 3).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

unsafe extern "C" {
    /// Sets a mimalloc option (mimalloc.h); linked in through the `mimalloc` crate.
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Returns freed memory to the system after 10 ms instead of mimalloc's default
/// second. Workers free an article's buffers as the next one starts, and with the
/// default the freed pages of many articles stayed resident through a burst; at 0 ms
/// the same buffers were returned and faulted back in for every article (2-4 % more
/// CPU time), while 10 ms keeps them for reuse. `MIMALLOC_PURGE_DELAY` in the
/// environment still decides if set.
fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an integer option; mimalloc reads options atomically.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    }
}

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
    /// Summarise the daemon's state from its status file (exit 0: running, 1: not
    /// responding, 3: not running).
    Status,
    /// Measure the real daemon end to end on a corpus folder; prints JSON lines.
    Bench(BenchArgs),
    /// Evaluate a component against annotated data; prints one JSON object.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Train a model from annotated data (deterministic: same data, same file).
    #[command(subcommand)]
    Train(TrainCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff, section 1) to stdout: `newsd man | man -l -`.
    Man {
        /// Write one page per command into this folder instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum TrainCommand {
    /// The named-entity recogniser, from CoNLL-2003 files (deterministic).
    Ner(newsd::ner::cli::TrainArgs),
    /// The part-of-speech tagger, from the POS column of CoNLL-2003 files.
    Pos(newsd::pos::cli::TrainArgs),
    /// The topic classifier, from a labelled folder.
    Topics {
        /// CSV whose first two columns are id,category (with a header row).
        #[arg(long, value_name = "CSV")]
        labels: PathBuf,
        /// Folder holding <id>.txt for every row.
        #[arg(long, value_name = "DIR")]
        texts: PathBuf,
        /// Where to write the model.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// VADER compound against human ratings (a VADER ground-truth file): Pearson r.
    Sentiment {
        /// Ground-truth file: id<TAB>mean rating<TAB>text per line.
        #[arg(long, value_name = "FILE")]
        vader: PathBuf,
    },
    /// Near-duplicate detection on a folder plus rewritten copies: precision, recall.
    Dedup {
        /// Folder of .txt articles.
        #[arg(long, value_name = "DIR")]
        texts: PathBuf,
        /// CSV group,id of known byte-identical duplicates.
        #[arg(long, value_name = "CSV")]
        duplicates: Option<PathBuf>,
        /// CSV id,same_story_as of reviewed near-duplicate pairs.
        #[arg(long, value_name = "CSV")]
        reviewed: Option<PathBuf>,
        /// Similarity threshold (default: the shipped config's).
        #[arg(long)]
        threshold: Option<f64>,
    },
    /// The HTML reader's article bodies against an extraction benchmark: P, R, F1.
    Extraction {
        /// Folder with ground-truth.json and html/<id>.html.gz.
        #[arg(long, value_name = "DIR")]
        dataset: PathBuf,
        /// Also print each page's figures.
        #[arg(long)]
        per_page: bool,
        /// Write each page's extracted text to DIR/<id>.txt, for inspection.
        #[arg(long, value_name = "DIR")]
        dump: Option<PathBuf>,
    },
    /// The topic classifier on a labelled folder: accuracy and macro-F1.
    Topics {
        /// CSV whose first two columns are id,category (with a header row).
        #[arg(long, value_name = "CSV")]
        labels: PathBuf,
        /// Folder holding <id>.txt for every row.
        #[arg(long, value_name = "DIR")]
        texts: PathBuf,
        /// Cross-validate training on this folder with K folds instead of using the
        /// shipped model.
        #[arg(long, value_name = "K")]
        cv: Option<usize>,
        /// A model file to evaluate instead of the shipped one.
        #[arg(long, value_name = "PATH")]
        model: Option<PathBuf>,
    },
    /// Keyphrases: precision, recall and F1 at k, stemmed exact match.
    Keyphrases {
        /// Dataset folder with keys/*.key and docs/ or docsutf8/.
        #[arg(long, value_name = "DIR")]
        dataset: PathBuf,
        /// Keywords scored per document (k).
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// Score only the even- or odd-indexed documents (in name order).
        #[arg(long, value_enum, default_value = "all")]
        half: HalfArg,
        /// Write each document's predictions beside its gold phrases here.
        #[arg(long, value_name = "FILE")]
        dump: Option<PathBuf>,
        /// Score another system's keyphrases instead of the pipeline's: JSON Lines of
        /// {"name": ..., "keyphrases": [best first]}.
        #[arg(long, value_name = "FILE", conflicts_with = "texts")]
        predictions: Option<PathBuf>,
        /// Write each document's title and body (as the pipeline gets them) to this
        /// file as JSON Lines {"name", "title", "body"} for another system, and stop.
        #[arg(long, value_name = "FILE")]
        texts: Option<PathBuf>,
    },
    /// The named-entity recogniser on a CoNLL-2003 file (IOB1 or IOB2).
    Ner(newsd::ner::cli::EvalArgs),
    /// The part-of-speech tagger on a CoNLL-2003 file (tags in the second column).
    Pos(newsd::pos::cli::EvalArgs),
    /// Language identification on a labelled folder: accuracy, per language, confusions.
    Language {
        /// Folder with index.csv (`file,lang,...`) and the files it lists.
        #[arg(long, value_name = "DIR")]
        dataset: PathBuf,
        /// Give the detector only the first N characters of each article (title and
        /// body), to see how short items fare.
        #[arg(long, value_name = "N")]
        max_chars: Option<usize>,
    },
}

/// `--half` of `newsd eval keyphrases`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum HalfArg {
    All,
    Even,
    Odd,
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
    /// Run the daemon with `[metrics]` on (listener on a free port, page list kept).
    #[arg(long)]
    metrics: bool,
    /// The daemon's `pipeline.stages`, comma-separated (default: every stage);
    /// `--stages clean` measures moving files without reading them.
    #[arg(long, value_delimiter = ',', value_name = "STAGE,...")]
    stages: Vec<String>,
    /// Set a key of the daemon's config, e.g. `--set outbox.commit_delay_ms=8`
    /// (the value is read as TOML, else as a string); repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    settings: Vec<String>,
    /// Throughput and startup: repetitions (each on a fresh daemon); the median is
    /// reported last.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Nats: a running JetStream server (repeat for a cluster).
    #[arg(
        long = "nats-server",
        value_name = "URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    nats_servers: Vec<String>,
    /// Nats: daemons sharing the stream.
    #[arg(long, default_value_t = 1)]
    instances: usize,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Scenario {
    /// All corpus files dropped at once: articles/s and MB/s.
    Throughput,
    /// A steady drop rate: drop-to-record latency percentiles.
    Latency,
    /// A large burst: peak memory.
    Burst,
    /// Cold start: spawn to READY=1 (models loaded) and to the first record.
    Startup,
    /// Through NATS JetStream: the corpus published at once to `--instances` daemons
    /// reading a shared stream and publishing records; articles/s and MB/s.
    Nats,
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => run_daemon(cli.config),
        Command::Process { inputs } => process(cli.config, &inputs),
        Command::CheckConfig => check_config(cli.config),
        Command::Status => status(cli.config),
        Command::Bench(args) => bench(&args),
        Command::Eval(cmd) => eval(cli.config, cmd),
        Command::Train(cmd) => train(cmd),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into a buffer first: `generate` panics on a write error such as a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "newsd", &mut script);
            match std::io::Write::write_all(&mut std::io::stdout(), &script) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("newsd completions: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Man { dir } => man_pages(dir),
    }
}

/// Writes the manual pages generated from the command-line definition, so they
/// cannot drift from `--help`: `newsd.1` to stdout, or with a folder, one page per
/// command there (`newsd.1`, `newsd-run.1`, `newsd-eval-ner.1`, ...).
fn man_pages(dir: Option<PathBuf>) -> ExitCode {
    let cmd = <Cli as clap::CommandFactory>::command();
    let written = match dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).and_then(|()| clap_mangen::generate_to(cmd, &dir))
        }
        None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsd man: {e}");
            ExitCode::from(1)
        }
    }
}

fn load(config: Option<&std::path::Path>) -> Result<LoadedConfig, ExitCode> {
    LoadedConfig::load(config).map_err(|e| {
        eprintln!("newsd: config error: {e}");
        ExitCode::from(1)
    })
}

fn run_daemon(config_path: Option<PathBuf>) -> ExitCode {
    // The pipeline built to validate the config is the one the daemon runs.
    let (loaded, pipeline) = match LoadedConfig::load_with_pipeline(config_path.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("newsd: config error: {e}");
            return ExitCode::from(1);
        }
    };
    let set_level = newsd::logging::init(&loaded.config.log);
    tracing::info!(config = %loaded.origin(), version = env!("CARGO_PKG_VERSION"), "starting");
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("newsd-rt")
        .build()
        .context("cannot start the async runtime")
        .and_then(|rt| {
            let out = rt.block_on(newsd::daemon::run(loaded, pipeline, config_path, set_level));
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
    // A bar only for a person watching: never in a pipe or a log file.
    let bar = (inputs.len() > 1 && stderr.is_terminal())
        .then(|| newsd::process::progress_bar(inputs.len()));
    let mut err = stderr.lock();
    match newsd::process::run(&loaded.config, inputs, &mut out, &mut err, bar.as_ref()) {
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

fn status(config_path: Option<PathBuf>) -> ExitCode {
    use newsd::observe::report::{Verdict, report};
    let loaded = match load(config_path.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut out = std::io::stdout().lock();
    match report(&loaded.config.daemon.status_file, &mut out) {
        Ok(Verdict::Running) => ExitCode::SUCCESS,
        Ok(Verdict::Unresponsive) => ExitCode::from(1),
        Ok(Verdict::Stopped) => ExitCode::from(3),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsd status: {e}");
            ExitCode::from(1)
        }
    }
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
    let setup = bench::DaemonSetup {
        concurrency: args.concurrency,
        metrics: args.metrics,
        stages: &args.stages,
        settings: &args.settings,
    };
    match args.scenario {
        Scenario::Throughput => {
            let mut rates = Vec::new();
            for run in 0..args.runs.max(1) {
                let t = bench::throughput(&corpus, &args.workdir, setup)?;
                println!(
                    "{}",
                    serde_json::json!({"scenario": "throughput", "run": run, "result": t})
                );
                rates.push((t.articles_per_s, t.mb_per_s, t.cpu_ms_per_article));
            }
            rates.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (aps, mbps, _) = rates[rates.len() / 2];
            let mut cpu: Vec<f64> = rates.iter().map(|r| r.2).collect();
            cpu.sort_by(f64::total_cmp);
            println!(
                "{}",
                serde_json::json!({"scenario": "throughput", "median_articles_per_s": aps, "median_mb_per_s": mbps, "median_cpu_ms_per_article": cpu[cpu.len() / 2], "runs": rates.len()})
            );
        }
        Scenario::Latency => {
            let l = bench::latency(&corpus, &args.workdir, args.rate, args.count, setup)?;
            println!(
                "{}",
                serde_json::json!({"scenario": "latency", "result": l})
            );
        }
        Scenario::Burst => {
            let b = bench::burst(&corpus, &args.workdir, args.files, setup)?;
            println!("{}", serde_json::json!({"scenario": "burst", "result": b}));
        }
        Scenario::Startup => {
            let mut ready = Vec::new();
            let mut first = Vec::new();
            for run in 0..args.runs.max(1) {
                let s = bench::startup(&corpus, &args.workdir, setup)?;
                println!(
                    "{}",
                    serde_json::json!({"scenario": "startup", "run": run, "result": s})
                );
                ready.push(s.ready_ms);
                first.push(s.first_record_ms);
            }
            ready.sort_by(f64::total_cmp);
            first.sort_by(f64::total_cmp);
            println!(
                "{}",
                serde_json::json!({"scenario": "startup", "median_ready_ms": ready[ready.len() / 2], "median_first_record_ms": first[first.len() / 2], "runs": ready.len()})
            );
        }
        Scenario::Nats => {
            let mut rates = Vec::new();
            for run in 0..args.runs.max(1) {
                let t = newsd::bus::bench::throughput(
                    &corpus,
                    &args.workdir,
                    &args.nats_servers,
                    args.instances,
                    args.concurrency,
                )?;
                println!(
                    "{}",
                    serde_json::json!({"scenario": "nats", "run": run, "result": t})
                );
                rates.push(t.articles_per_s);
            }
            rates.sort_by(f64::total_cmp);
            println!(
                "{}",
                serde_json::json!({"scenario": "nats", "instances": args.instances, "median_articles_per_s": rates[rates.len() / 2], "runs": rates.len()})
            );
        }
    }
    Ok(())
}

fn eval(config_path: Option<PathBuf>, cmd: EvalCommand) -> ExitCode {
    let loaded = match load(config_path.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let result: anyhow::Result<serde_json::Value> = match cmd {
        EvalCommand::Keyphrases {
            dataset,
            top,
            half,
            dump,
            predictions,
            texts,
        } => {
            use newsd::evaluate::keyphrases::{Half, Source, evaluate_with, export_texts};
            let half = match half {
                HalfArg::All => Half::All,
                HalfArg::Even => Half::Even,
                HalfArg::Odd => Half::Odd,
            };
            if let Some(texts) = texts {
                export_texts(&dataset, half, &texts)
                    .map(|n| serde_json::json!({ "documents": n, "texts": texts }))
                    .map_err(anyhow::Error::from)
            } else {
                let source = match &predictions {
                    Some(file) => Source::Predictions(file),
                    None => Source::Pipeline(&loaded.config.pipeline),
                };
                evaluate_with(&dataset, source, top, half, dump.as_deref())
                    .map_err(anyhow::Error::from)
                    .and_then(|r| Ok(serde_json::to_value(r)?))
            }
        }
        EvalCommand::Language { dataset, max_chars } => {
            newsd::evaluate::language::evaluate(&dataset, &loaded.config.formats, max_chars)
                .map_err(anyhow::Error::from)
                .and_then(|r| Ok(serde_json::to_value(r)?))
        }
        EvalCommand::Ner(args) => newsd::ner::cli::run_eval(&args).map_err(anyhow::Error::from),
        EvalCommand::Pos(args) => newsd::pos::cli::run_eval(&args).map_err(anyhow::Error::from),
        EvalCommand::Sentiment { vader } => newsd::evaluate::sentiment::evaluate(&vader)
            .map_err(anyhow::Error::from)
            .and_then(|r| Ok(serde_json::to_value(r)?)),
        EvalCommand::Topics {
            labels,
            texts,
            cv,
            model,
        } => eval_topics(&labels, &texts, cv, model.as_deref()),
        EvalCommand::Dedup {
            texts,
            duplicates,
            reviewed,
            threshold,
        } => newsd::evaluate::dedup::evaluate(
            &texts,
            duplicates.as_deref(),
            reviewed.as_deref(),
            threshold.unwrap_or(newsd::config::DedupConfig::default().threshold),
        )
        .map_err(anyhow::Error::from)
        .and_then(|r| Ok(serde_json::to_value(r)?)),
        EvalCommand::Extraction {
            dataset,
            per_page,
            dump,
        } => newsd::evaluate::extraction::evaluate(&dataset, per_page, dump.as_deref())
            .map_err(anyhow::Error::from)
            .and_then(|r| Ok(serde_json::to_value(r)?)),
    };
    match result {
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("newsd eval: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn eval_topics(
    labels: &std::path::Path,
    texts: &std::path::Path,
    cv: Option<usize>,
    model: Option<&std::path::Path>,
) -> anyhow::Result<serde_json::Value> {
    use newsd::evaluate::topics;
    let examples = topics::load(labels, texts)?;
    let report = match cv {
        Some(k) => topics::cross_validate(&examples, k, Default::default()),
        None => {
            let model = match model {
                Some(p) => newsd::topics::classifier::TopicModel::read(std::io::BufReader::new(
                    std::fs::File::open(p).with_context(|| format!("{}", p.display()))?,
                ))?,
                None => newsd::topics::builtin_model()?,
            };
            topics::evaluate(&model, &examples)
        }
    };
    Ok(serde_json::to_value(report)?)
}

fn train(cmd: TrainCommand) -> ExitCode {
    let result = match cmd {
        TrainCommand::Ner(args) => newsd::ner::cli::run_train(&args).map_err(anyhow::Error::from),
        TrainCommand::Pos(args) => newsd::pos::cli::run_train(&args).map_err(anyhow::Error::from),
        TrainCommand::Topics { labels, texts, out } => train_topics(&labels, &texts, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsd train: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn train_topics(
    labels: &std::path::Path,
    texts: &std::path::Path,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    use newsd::evaluate::topics;
    let examples = topics::load(labels, texts)?;
    let model = topics::train(&examples, Default::default());
    let mut bytes = Vec::new();
    model.write(&mut bytes)?;
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "trained on {} articles, labels {:?}; wrote {} ({} bytes)",
        examples.len(),
        model.labels(),
        out.display(),
        bytes.len()
    );
    Ok(())
}
