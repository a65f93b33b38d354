//! The supervisor: start-up, signals, reloads, readiness, watchdog and shutdown.

use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::status::StatusKeeper;
use super::{
    DaemonError, IgnoreRules, LogLevelSetter, Runtime, Shared, dispatch, lock_work_dir,
    open_outbox, outbox, prepare_dirs, recover, systemd, timing_of,
};
use crate::bus::{Bus, SourceKind};
use crate::config::{Config, LoadedConfig};
use crate::dedup::DedupIndex;
use crate::observe::status::State;
use crate::pipeline::Pipeline;

/// How the daemon ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything in flight finished and the outbox was flushed.
    Clean,
    /// The shutdown deadline passed; unfinished inputs stay in `work/` for the next start.
    DeadlineReached,
}

/// Runs the daemon until SIGTERM or SIGINT.
///
/// `pipeline` is the one built from `loaded`'s settings (validating them builds it,
/// see [`LoadedConfig::load_with_pipeline`]). `explicit_config` is the `--config`
/// path, if any: SIGHUP reloads from the same place.
pub async fn run(
    loaded: LoadedConfig,
    pipeline: Pipeline,
    explicit_config: Option<PathBuf>,
    set_log_level: Option<LogLevelSetter>,
) -> Result<Exit, DaemonError> {
    let config = loaded.config;
    let dirs = Arc::new(prepare_dirs(&config)?);
    let _lock = lock_work_dir(&dirs.work)?;
    let nats_source = config.source.kind == SourceKind::Nats;
    let bus = if nats_source || config.sink.nats() {
        let bus = Bus::connect(&config.nats).await?;
        tracing::info!(servers = ?config.nats.servers, source = nats_source, sink = config.sink.nats(), "nats: connecting");
        Some(bus)
    } else {
        None
    };
    let shared = Arc::new(Shared::new(
        config.metrics.enabled.then_some(config.metrics.recent),
        bus.clone(),
    ));
    let cancel = CancellationToken::new();
    let (runtime_tx, runtime_rx) = watch::channel(Arc::new(Runtime {
        config: config.clone(),
        pipeline,
    }));
    // The listener and the status file come up before recovery, so /healthz answers
    // and /readyz says "not ready" while a large work/ folder is recovered.
    let listen = if config.metrics.enabled {
        Some(start_http(&config, &shared, &runtime_rx, &cancel).await?)
    } else {
        None
    };
    let status = StatusKeeper::new(
        config.daemon.status_file.clone(),
        dirs.inbox.clone(),
        IgnoreRules::new(&config.inbox.ignore),
        // Absolute, so `newsd status` run from another folder finds it.
        std::path::absolute(&config.outbox.path).unwrap_or_else(|_| config.outbox.path.clone()),
        listen.map(|a| a.to_string()),
        shared.clone(),
        runtime_rx.clone(),
    )
    .spawn(cancel.clone())
    .map_err(|source| DaemonError::Folder {
        what: "status file",
        path: config.daemon.status_file.clone(),
        source,
    })?;
    let outbox = open_outbox(&config.outbox.path)?;
    let alerts = open_outbox(&config.outbox.alerts_file())?;
    let recovery =
        recover::scan(&dirs.work, &outbox, &alerts).map_err(|source| DaemonError::Folder {
            what: "work folder",
            path: dirs.work.clone(),
            source,
        })?;
    for (work_name, name, claim) in &recovery.done {
        outbox::release(
            &dirs,
            config.state.after,
            &dirs.work.join(work_name),
            name,
            claim,
        );
    }
    if !recovery.done.is_empty() || !recovery.redo.is_empty() {
        tracing::info!(
            released = recovery.done.len(),
            reprocessing = recovery.redo.len(),
            "recovered files a previous run left in work/"
        );
    }

    let index = if config.dedup.enabled {
        Some(
            DedupIndex::open(
                &config.dedup.index,
                config.dedup.index_settings(),
                crate::clock::unix_now(),
            )
            .map_err(|source| DaemonError::Folder {
                what: "duplicate index",
                path: config.dedup.index.clone(),
                source,
            })?,
        )
    } else {
        None
    };
    let concurrency = config.pipeline.effective_concurrency();
    let timing = Arc::new(Mutex::new(timing_of(&config)));

    // Writer: a plain thread, since all it does is blocking file I/O.
    let (commit_tx, commit_rx) = sync_channel(config.pipeline.queue);
    let sinks = outbox::Sinks {
        outbox: config.sink.outbox(),
        publisher: bus
            .clone()
            .filter(|_| config.sink.nats())
            .map(crate::bus::Publisher::new),
        bus: bus.clone(),
    };
    let writer = {
        let (rt, dirs, shared) = (runtime_rx.clone(), dirs.clone(), shared.clone());
        std::thread::Builder::new()
            .name("newsd-outbox".into())
            .spawn(move || outbox::run(outbox, alerts, index, sinks, commit_rx, rt, dirs, shared))
            .map_err(|source| DaemonError::Outbox {
                path: config.outbox.path.clone(),
                source,
            })?
    };

    // A couple of names per worker is enough to keep them busy; more would only hold
    // names the inbox already holds.
    let (ready_tx, ready_rx) = mpsc::channel(concurrency * 2);
    let pool = super::pool::Pool::start(concurrency).map_err(DaemonError::Workers)?;
    let dispatcher = tokio::spawn(dispatch(
        ready_rx,
        recovery.redo,
        runtime_rx.clone(),
        dirs.clone(),
        shared.clone(),
        commit_tx,
        pool,
        concurrency,
        cancel.clone(),
    ));

    let (watcher, puller) = match &bus {
        Some(bus) if nats_source => {
            let puller = tokio::spawn(crate::bus::consume(bus.clone(), ready_tx, cancel.clone()));
            (None, Some(puller))
        }
        _ => {
            let mut inbox = config.inbox.clone();
            inbox.path = dirs.inbox.clone();
            let watcher = super::watch::start(super::watch::WatchContext {
                inbox,
                timing: timing.clone(),
                ready: ready_tx,
                shared: shared.clone(),
                cancel: cancel.clone(),
            })?;
            (Some(watcher), None)
        }
    };

    let mut sigterm = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut sigint = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;
    let mut sighup = signal(SignalKind::hangup()).map_err(DaemonError::Signals)?;

    let watchdog = tokio::spawn(systemd::watchdog(
        shared.clone(),
        runtime_rx.clone(),
        cancel.clone(),
    ));
    shared.mark_recovered();
    systemd::ready();
    tracing::info!(
        inbox = %dirs.inbox.display(),
        outbox = %config.outbox.path.display(),
        concurrency,
        watch = ?config.inbox.watch,
        "newsd ready"
    );

    loop {
        tokio::select! {
            _ = sigterm.recv() => { tracing::info!("SIGTERM: shutting down"); break; }
            _ = sigint.recv() => { tracing::info!("SIGINT: shutting down"); break; }
            _ = sighup.recv() => {
                reload(explicit_config.as_deref(), &runtime_tx, &timing, set_log_level.as_ref());
            }
        }
    }

    systemd::stopping();
    cancel.cancel();
    let deadline_s = runtime_rx.borrow().config.daemon.shutdown_deadline_s;
    let deadline = Instant::now() + Duration::from_secs(deadline_s);
    watchdog.abort();
    let finished = tokio::time::timeout_at(deadline.into(), async {
        if let Some(puller) = puller {
            let _ = puller.await;
        }
        let _ = dispatcher.await;
        // The dispatcher dropped the last record sender; the writer now drains and returns.
        let _ = tokio::task::spawn_blocking(move || {
            let _ = writer.join();
            if let Some(watcher) = watcher {
                let _ = watcher.join();
            }
        })
        .await;
    })
    .await;
    // The status thread ends at once on cancellation; the last word is "stopped".
    match tokio::task::spawn_blocking(move || status.join()).await {
        Ok(Ok(mut keeper)) => keeper.write(State::Stopped),
        _ => tracing::warn!("status thread failed; the status file may be stale"),
    }
    match finished {
        Ok(()) => {
            tracing::info!("stopped cleanly");
            Ok(Exit::Clean)
        }
        Err(_) => {
            tracing::warn!(
                deadline_s,
                "shutdown deadline reached; unfinished inputs stay in work/ and are processed at the next start"
            );
            Ok(Exit::DeadlineReached)
        }
    }
}

/// Binds the observability listener and serves it on the runtime until `cancel`.
/// Returns the bound address (port 0 in the config takes a free one).
async fn start_http(
    config: &Config,
    shared: &Arc<Shared>,
    runtime: &watch::Receiver<Arc<Runtime>>,
    cancel: &CancellationToken,
) -> Result<std::net::SocketAddr, DaemonError> {
    let addr = config.metrics.listen;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| DaemonError::Listen { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| DaemonError::Listen { addr, source })?;
    let state = crate::observe::http::HttpState {
        metrics: shared.metrics.clone(),
        recent: shared
            .recent
            .clone()
            .unwrap_or_else(|| Arc::new(crate::observe::recent::Recent::new(1))),
        probe: Arc::new(Probe {
            shared: shared.clone(),
            runtime: runtime.clone(),
        }),
    };
    let cancel = cancel.clone();
    tokio::spawn(async move {
        if let Err(e) = crate::observe::http::serve(listener, state, cancel).await {
            tracing::error!(error = %e, "metrics listener failed");
        }
    });
    tracing::info!(listen = %bound, "serving /metrics, /healthz, /readyz and the page at /");
    if !bound.ip().is_loopback() {
        tracing::warn!(listen = %bound, "the metrics listener is not on loopback: the page shows article text to anyone who can reach it");
    }
    Ok(bound)
}

/// Readiness for the listener, from the shared state and the live stall timeout.
struct Probe {
    shared: Arc<Shared>,
    runtime: watch::Receiver<Arc<Runtime>>,
}

impl crate::observe::http::Probe for Probe {
    fn ready(&self) -> bool {
        let stall = Duration::from_secs(self.runtime.borrow().config.daemon.stall_timeout_s);
        self.shared.ready(stall)
    }

    fn refresh(&self) {
        let m = &self.shared.metrics;
        m.in_flight.set(self.shared.in_flight() as i64);
        m.ready.set(i64::from(self.ready()));
    }
}

/// Settings that only take effect on restart, with a getter to compare and restore them.
fn keep_restart_only(running: &Config, new: &mut Config) -> Vec<&'static str> {
    let mut kept = Vec::new();
    macro_rules! keep {
        ($key:literal, $($field:tt).+) => {
            if running.$($field).+ != new.$($field).+ {
                new.$($field).+ = running.$($field).+.clone();
                kept.push($key);
            }
        };
    }
    keep!("inbox.path", inbox.path);
    keep!("inbox.watch", inbox.watch);
    keep!("inbox.poll_interval_ms", inbox.poll_interval_ms);
    keep!("inbox.rescan_interval_s", inbox.rescan_interval_s);
    keep!("inbox.ignore", inbox.ignore);
    keep!("state.work_dir", state.work_dir);
    keep!("state.failed_dir", state.failed_dir);
    keep!("state.archive_dir", state.archive_dir);
    keep!("outbox.path", outbox.path);
    keep!("outbox.alerts_path", outbox.alerts_path);
    keep!("dedup.enabled", dedup.enabled);
    keep!("dedup.index", dedup.index);
    keep!("dedup.threshold", dedup.threshold);
    keep!("dedup.window_articles", dedup.window_articles);
    keep!("dedup.window_days", dedup.window_days);
    keep!("pipeline.concurrency", pipeline.concurrency);
    keep!("pipeline.queue", pipeline.queue);
    keep!("log.format", log.format);
    keep!("daemon.status_file", daemon.status_file);
    keep!("metrics.enabled", metrics.enabled);
    keep!("metrics.listen", metrics.listen);
    keep!("metrics.recent", metrics.recent);
    keep!("source", source);
    keep!("sink", sink);
    keep!("nats", nats);
    kept
}

/// Re-reads the config (SIGHUP). A broken file is refused and the running config kept.
fn reload(
    explicit: Option<&Path>,
    runtime_tx: &watch::Sender<Arc<Runtime>>,
    timing: &Mutex<crate::daemon::Timing>,
    set_log_level: Option<&LogLevelSetter>,
) {
    // Validating the new config builds its pipeline; that one is kept (the settings
    // held back below, `pipeline.concurrency` among them, do not change what is built).
    let (loaded, pipeline) = match LoadedConfig::load_with_pipeline(explicit) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "SIGHUP: new config refused; keeping the running one");
            return;
        }
    };
    let origin = loaded.origin();
    let mut config = loaded.config;
    let running = runtime_tx.borrow().clone();
    let kept = keep_restart_only(&running.config, &mut config);
    if !kept.is_empty() {
        tracing::warn!(keys = ?kept, "SIGHUP: these settings change only on restart; keeping their running values");
    }
    if let Some(set) = set_log_level
        && let Err(e) = set(&config.log.level)
    {
        tracing::warn!(error = %e, "SIGHUP: log level not changed");
    }
    *timing.lock().unwrap_or_else(|e| e.into_inner()) = timing_of(&config);
    runtime_tx.send_replace(Arc::new(Runtime { config, pipeline }));
    tracing::info!(config = %origin, "SIGHUP: config reloaded");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_changes_are_kept_for_restart() {
        let running = Config::default();
        let mut new = Config::default();
        new.inbox.path = "elsewhere".into();
        new.inbox.settle_ms = 5;
        let kept = keep_restart_only(&running, &mut new);
        assert_eq!(kept, vec!["inbox.path"]);
        assert_eq!(new.inbox.path, running.inbox.path);
        assert_eq!(new.inbox.settle_ms, 5, "live settings apply");
    }

    #[test]
    fn the_listener_and_status_file_change_only_on_restart() {
        let running = Config::default();
        let mut new = Config::default();
        new.metrics.enabled = true;
        new.metrics.listen = "127.0.0.1:1".parse().unwrap();
        new.daemon.status_file = "elsewhere.json".into();
        let kept = keep_restart_only(&running, &mut new);
        assert_eq!(
            kept,
            vec!["daemon.status_file", "metrics.enabled", "metrics.listen"]
        );
        assert_eq!(new.metrics, running.metrics);
    }
}
