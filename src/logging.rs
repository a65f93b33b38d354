//! Log set-up: human-readable on a terminal, JSON lines when configured; the level can
//! be changed on reload.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::reload;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{LogConfig, LogFormat};

/// Changes the running log filter; `None` when `RUST_LOG` pins it.
pub type LevelSetter = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Installs the global subscriber writing to stderr. `RUST_LOG`, when set, wins over
/// `log.level` and is not changed by reloads.
pub fn init(cfg: &LogConfig) -> Option<LevelSetter> {
    let from_env = std::env::var("RUST_LOG").ok().filter(|v| !v.is_empty());
    let filter = from_env
        .as_deref()
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| {
            EnvFilter::try_new(&cfg.level).unwrap_or_else(|_| EnvFilter::new("info"))
        });
    let (filter, handle) = reload::Layer::new(filter);
    // The last ERROR event is kept for the status file (`newsd status`).
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(crate::observe::errors::LastErrorLayer);
    let result = match cfg.format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    if result.is_err() || from_env.is_some() {
        return None;
    }
    Some(Box::new(move |level: &str| {
        let filter = EnvFilter::try_new(level).map_err(|e| e.to_string())?;
        handle.reload(filter).map_err(|e| e.to_string())
    }))
}
