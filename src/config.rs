//! The daemon's configuration: TOML file, defaults, validation.
//!
//! Every section is a serde struct with `deny_unknown_fields`, so a misspelt key is an
//! error naming the key and the file rather than a silently ignored setting. Defaults
//! live here and are mirrored, with comments, in `config/newsd.toml`; a test checks
//! that the two agree. Relative paths are taken relative to the working directory
//! (the systemd unit sets it to the state directory).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::pipeline::{Pipeline, PipelineConfig};

/// The file `newsd` reads when no `--config` is given, relative to the working directory.
pub const DEFAULT_CONFIG_PATH: &str = "config/newsd.toml";

/// A configuration problem: which file, which key, what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The config file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a key is unknown or has the wrong type.
    #[error("{}: {}{message}", file.display(), key_prefix(key))]
    Parse {
        /// The config file.
        file: PathBuf,
        /// Dotted path of the offending key (empty when the syntax itself is broken).
        key: String,
        /// The parser's description, with line and column.
        message: String,
    },
    /// A value parsed but makes no sense.
    #[error("{file}: key `{key}`: {message}")]
    Invalid {
        /// The config file (or `<defaults>` when no file was read).
        file: PathBuf,
        /// Dotted path of the offending key.
        key: String,
        /// What is wrong with the value.
        message: String,
    },
}

fn key_prefix(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!("key `{key}`: ")
    }
}

/// How the inbox is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchMode {
    /// inotify events plus periodic rescans: immediate, for local filesystems.
    Notify,
    /// Periodic directory listing only: for network filesystems where events do not arrive.
    Poll,
}

/// `[inbox]`: where articles arrive and when a file counts as ready.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InboxConfig {
    /// The folder producers drop articles into.
    pub path: PathBuf,
    /// `notify` (inotify) or `poll`.
    pub watch: WatchMode,
    /// Listing interval in `poll` mode, milliseconds.
    pub poll_interval_ms: u64,
    /// Full rescan interval in `notify` mode, seconds (catches anything events missed).
    pub rescan_interval_s: u64,
    /// A file written in place is ready once closed and unchanged for this long, milliseconds.
    pub settle_ms: u64,
    /// A file still open for writing but untouched this long is taken anyway, seconds.
    pub open_timeout_s: u64,
    /// Larger files are refused (moved to failed/ unread), bytes.
    pub max_bytes: u64,
    /// Glob patterns (`*` and `?`) of names left alone until renamed; dotfiles always are.
    pub ignore: Vec<String>,
}

impl Default for InboxConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("var/inbox"),
            watch: WatchMode::Notify,
            poll_interval_ms: 1000,
            rescan_interval_s: 30,
            settle_ms: 1000,
            open_timeout_s: 300,
            max_bytes: 16 * 1024 * 1024,
            ignore: ["*.part", "*.tmp", "*.crdownload", "*~", "*.swp"]
                .into_iter()
                .map(String::from)
                .collect(),
        }
    }
}

/// What happens to an input once its record is durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterProcessing {
    /// Move it to `archive/<YYYY-MM-DD>/`.
    Archive,
    /// Delete it.
    Delete,
}

/// `[state]`: the folders that hold files on their way through, on the inbox's filesystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StateConfig {
    /// Claimed files being processed. Must be on the same filesystem as the inbox.
    pub work_dir: PathBuf,
    /// Refused inputs and their `<name>.error.json` sidecars.
    pub failed_dir: PathBuf,
    /// Processed inputs, in dated sub-folders, when `after = "archive"`.
    pub archive_dir: PathBuf,
    /// `archive` or `delete`.
    pub after: AfterProcessing,
}

impl Default for StateConfig {
    fn default() -> Self {
        Self {
            work_dir: PathBuf::from("var/work"),
            failed_dir: PathBuf::from("var/failed"),
            archive_dir: PathBuf::from("var/archive"),
            after: AfterProcessing::Archive,
        }
    }
}

/// When the outbox is flushed to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FsyncPolicy {
    /// fsync before any input is released (records written together share one fsync).
    Always,
    /// fsync every `fsync_interval_ms`; inputs are released after the write.
    Interval,
    /// Leave flushing to the OS; inputs are released after the write.
    Never,
}

/// `[outbox]`: the NDJSON file records are appended to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// The current file; its name never changes, so `tail -F` can follow it.
    pub path: PathBuf,
    /// `always`, `interval` or `never`.
    pub fsync: FsyncPolicy,
    /// Flush interval for `fsync = "interval"`, milliseconds.
    pub fsync_interval_ms: u64,
    /// With `fsync = "always"`: while other articles are still being processed, written
    /// records wait up to this long for theirs, so one fsync covers them all (group
    /// commit). 0 syncs each batch at once. Milliseconds.
    pub commit_delay_ms: u64,
    /// Rotate once the current file reaches this size, bytes; 0 disables.
    pub rotate_bytes: u64,
    /// Rotate once the current file is this old, seconds; 0 disables.
    pub rotate_age_s: u64,
    /// Rotated files kept; older ones are deleted. 0 keeps all.
    pub retain: usize,
    /// Include the cleaned article text in each record.
    pub include_text: bool,
    /// Records at or above `priority.alert_threshold` are also appended here, with the
    /// same rotation and durability as the main file; unset: `alerts.ndjson` beside `path`.
    pub alerts_path: Option<PathBuf>,
}

impl OutboxConfig {
    /// The alerts file in effect.
    pub fn alerts_file(&self) -> PathBuf {
        self.alerts_path
            .clone()
            .unwrap_or_else(|| self.path.with_file_name("alerts.ndjson"))
    }
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("var/outbox/articles.ndjson"),
            fsync: FsyncPolicy::Always,
            fsync_interval_ms: 200,
            commit_delay_ms: 2,
            rotate_bytes: 64 * 1024 * 1024,
            rotate_age_s: 0,
            retain: 10,
            include_text: true,
            alerts_path: None,
        }
    }
}

/// `[dedup]`: near-duplicate detection across the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Detect near-duplicates (the record's `dedup` is null when off).
    pub enabled: bool,
    /// Estimated Jaccard similarity (word 3-shingles) from which an article is a copy.
    pub threshold: f64,
    /// Most articles remembered.
    pub window_articles: usize,
    /// Articles older than this are forgotten, days (0 = no age limit).
    pub window_days: u64,
    /// The persistent index file (the daemon's state folder).
    pub index: PathBuf,
}

impl Default for DedupConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            threshold: 0.45,
            window_articles: 100_000,
            window_days: 7,
            index: PathBuf::from("var/state/dedup.idx"),
        }
    }
}

impl DedupConfig {
    /// The index settings these values give.
    pub fn index_settings(&self) -> crate::dedup::IndexSettings {
        crate::dedup::IndexSettings {
            threshold: self.threshold,
            window_articles: self.window_articles,
            window_days: self.window_days,
        }
    }
}

/// `[daemon]`: process-level behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonConfig {
    /// On SIGTERM/SIGINT, in-flight work not finished by then is released, seconds.
    pub shutdown_deadline_s: u64,
    /// The watchdog ping stops when in-flight work has made no progress this long, seconds.
    pub stall_timeout_s: u64,
    /// The status file the daemon rewrites (atomically) about once a second, for
    /// `newsd status`.
    pub status_file: PathBuf,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            shutdown_deadline_s: 10,
            stall_timeout_s: 60,
            status_file: PathBuf::from("var/state/status.json"),
        }
    }
}

/// The address the observability listener uses when turned on.
pub const DEFAULT_METRICS_LISTEN: &str = "127.0.0.1:9477";

/// `[metrics]`: the HTTP listener for Prometheus metrics, health checks and the live page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Serve `/metrics`, `/healthz`, `/readyz` and the page at `/` (off by default).
    pub enabled: bool,
    /// `IP:port` to listen on; port 0 takes any free port (the bound address is written
    /// to the status file).
    pub listen: std::net::SocketAddr,
    /// Latest articles the page keeps in memory (with their text).
    pub recent: usize,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            listen: DEFAULT_METRICS_LISTEN
                .parse()
                .expect("the default listen address is a valid socket address"),
            recent: 50,
        }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// `[log]`: logging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A `tracing` filter such as `info` or `newsd=debug`; `RUST_LOG` overrides it.
    pub level: String,
    /// `text` or `json`.
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[inbox]`.
    pub inbox: InboxConfig,
    /// `[state]`.
    pub state: StateConfig,
    /// `[outbox]`.
    pub outbox: OutboxConfig,
    /// `[pipeline]`.
    pub pipeline: PipelineConfig,
    /// `[formats]`.
    pub formats: crate::formats::FormatsConfig,
    /// `[dedup]`.
    pub dedup: DedupConfig,
    /// `[priority]`.
    pub priority: crate::priority::PriorityConfig,
    /// `[daemon]`.
    pub daemon: DaemonConfig,
    /// `[metrics]`.
    pub metrics: MetricsConfig,
    /// `[log]`.
    pub log: LogConfig,
    /// `[source]`.
    pub source: crate::bus::SourceConfig,
    /// `[sink]`.
    pub sink: crate::bus::SinkConfig,
    /// `[nats]`.
    pub nats: crate::bus::NatsConfig,
}

/// A config together with the file it came from (for messages and reloads).
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The parsed, validated settings.
    pub config: Config,
    /// The file read, or `None` when the defaults were used.
    pub file: Option<PathBuf>,
}

impl LoadedConfig {
    /// Loads `explicit` if given; else `config/newsd.toml` if it exists; else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with_pipeline(explicit).map(|(loaded, _)| loaded)
    }

    /// [`LoadedConfig::load`], keeping the pipeline built to validate it, so a caller
    /// that runs articles (the daemon) does not load every model a second time.
    pub fn load_with_pipeline(explicit: Option<&Path>) -> Result<(Self, Pipeline), ConfigError> {
        let file = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => {
                let p = PathBuf::from(DEFAULT_CONFIG_PATH);
                p.is_file().then_some(p)
            }
        };
        let (config, pipeline) = match &file {
            Some(path) => Config::from_file_with_pipeline(path)?,
            None => {
                let c = Config::default();
                let pipeline = c.validated_pipeline(Path::new("<defaults>"))?;
                (c, pipeline)
            }
        };
        Ok((Self { config, file }, pipeline))
    }

    /// Name of the source for messages: the file, or `<defaults>`.
    pub fn origin(&self) -> String {
        self.file
            .as_ref()
            .map_or_else(|| "<defaults>".into(), |p| p.display().to_string())
    }
}

impl Config {
    /// Reads, parses and validates a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        Self::from_file_with_pipeline(path).map(|(config, _)| config)
    }

    /// [`Config::from_file`], keeping the pipeline built to validate it.
    pub fn from_file_with_pipeline(path: &Path) -> Result<(Self, Pipeline), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_with_pipeline(&text, path)
    }

    /// Parses and validates TOML text; `file` only names the source in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Self, ConfigError> {
        Self::from_toml_with_pipeline(text, file).map(|(config, _)| config)
    }

    /// [`Config::from_toml`], keeping the pipeline built to validate it.
    fn from_toml_with_pipeline(text: &str, file: &Path) -> Result<(Self, Pipeline), ConfigError> {
        let de = toml::Deserializer::parse(text).map_err(|e| ConfigError::Parse {
            file: file.to_path_buf(),
            key: String::new(),
            message: e.to_string().trim().to_string(),
        })?;
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            ConfigError::Parse {
                file: file.to_path_buf(),
                key: if key == "." { String::new() } else { key },
                message: e.into_inner().to_string().trim().to_string(),
            }
        })?;
        let pipeline = config.validated_pipeline(file)?;
        Ok((config, pipeline))
    }

    /// Checks values that parse but cannot work, naming the key.
    pub fn validate(&self, file: &Path) -> Result<(), ConfigError> {
        self.validated_pipeline(file).map(drop)
    }

    /// [`Config::validate`], returning the pipeline it builds (its models and
    /// lexicons loaded) to check the `[pipeline]` settings.
    pub fn validated_pipeline(&self, file: &Path) -> Result<Pipeline, ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            file: file.to_path_buf(),
            key: key.to_string(),
            message,
        };
        let non_empty = [
            ("inbox.path", &self.inbox.path),
            ("state.work_dir", &self.state.work_dir),
            ("state.failed_dir", &self.state.failed_dir),
            ("state.archive_dir", &self.state.archive_dir),
            ("outbox.path", &self.outbox.path),
            ("daemon.status_file", &self.daemon.status_file),
        ];
        for (key, path) in non_empty {
            if path.as_os_str().is_empty() {
                return Err(invalid(key, "must not be empty".into()));
            }
        }
        let dirs = [
            ("state.work_dir", &self.state.work_dir),
            ("state.failed_dir", &self.state.failed_dir),
            ("state.archive_dir", &self.state.archive_dir),
        ];
        for (key, dir) in dirs {
            if dir == &self.inbox.path || dir.starts_with(&self.inbox.path) {
                return Err(invalid(
                    key,
                    format!("{} must not be the inbox or inside it", dir.display()),
                ));
            }
        }
        if self.outbox.path.file_name().is_none() {
            return Err(invalid("outbox.path", "must name a file".into()));
        }
        if self.outbox.alerts_file() == self.outbox.path {
            return Err(invalid(
                "outbox.alerts_path",
                "must differ from outbox.path".into(),
            ));
        }
        let positive = [
            ("inbox.poll_interval_ms", self.inbox.poll_interval_ms),
            ("inbox.rescan_interval_s", self.inbox.rescan_interval_s),
            ("inbox.max_bytes", self.inbox.max_bytes),
            ("outbox.fsync_interval_ms", self.outbox.fsync_interval_ms),
            (
                "daemon.shutdown_deadline_s",
                self.daemon.shutdown_deadline_s,
            ),
            ("daemon.stall_timeout_s", self.daemon.stall_timeout_s),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(invalid(key, "must be greater than 0".into()));
            }
        }
        if self.outbox.commit_delay_ms > 1000 {
            return Err(invalid(
                "outbox.commit_delay_ms",
                "must be at most 1000 (records would wait that long for their fsync)".into(),
            ));
        }
        if self.formats.max_decompressed_bytes == 0 {
            return Err(invalid(
                "formats.max_decompressed_bytes",
                "must be greater than 0".into(),
            ));
        }
        for (key, list) in [
            ("formats.json.text", &self.formats.json.text),
            ("formats.json.title", &self.formats.json.title),
        ] {
            if list.is_empty() {
                return Err(invalid(key, "must list at least one key".into()));
            }
        }
        if !(self.dedup.threshold > 0.0 && self.dedup.threshold <= 1.0) {
            return Err(invalid("dedup.threshold", "must be in (0, 1]".into()));
        }
        if self.dedup.window_articles == 0 {
            return Err(invalid(
                "dedup.window_articles",
                "must be greater than 0".into(),
            ));
        }
        if self.dedup.index.as_os_str().is_empty() {
            return Err(invalid("dedup.index", "must not be empty".into()));
        }
        self.priority
            .check()
            .map_err(|(key, message)| invalid(key, message))?;
        if self.metrics.recent == 0 || self.metrics.recent > 10_000 {
            return Err(invalid(
                "metrics.recent",
                "must be between 1 and 10000".into(),
            ));
        }
        if self.pipeline.queue == 0 {
            return Err(invalid("pipeline.queue", "must be greater than 0".into()));
        }
        if self.pipeline.concurrency > 1024 {
            return Err(invalid(
                "pipeline.concurrency",
                "must be at most 1024 (0 = one per core)".into(),
            ));
        }
        for (i, pattern) in self.inbox.ignore.iter().enumerate() {
            if pattern.is_empty() || pattern.contains('/') {
                return Err(invalid(
                    &format!("inbox.ignore[{i}]"),
                    "must be a non-empty file-name pattern without `/`".into(),
                ));
            }
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(invalid(
                "log.level",
                format!("`{}` is not a valid log filter", self.log.level),
            ));
        }
        if self.sink.kinds.is_empty() {
            return Err(invalid(
                "sink.kinds",
                "must list at least one of \"outbox\", \"nats\"".into(),
            ));
        }
        if self.source.kind == crate::bus::SourceKind::Nats || self.sink.nats() {
            self.nats
                .check()
                .map_err(|(key, message)| invalid(key, message))?;
        }
        Pipeline::build(&self.pipeline).map_err(|e| invalid(&e.key, e.message))
    }

    /// The effective configuration as TOML, for `newsd check-config`.
    pub fn to_toml(&self) -> String {
        // Serialising plain structs of strings, numbers and lists cannot fail.
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_config_matches_code_defaults() {
        let shipped = include_str!("../config/newsd.toml");
        let parsed = Config::from_toml(shipped, Path::new("config/newsd.toml"))
            .expect("shipped config parses");
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn unknown_key_is_named_with_its_section() {
        let err = Config::from_toml("[inbox]\npth = \"x\"\n", Path::new("t.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("t.toml"), "{msg}");
        assert!(msg.contains("inbox.pth"), "{msg}");
    }

    #[test]
    fn wrong_type_is_named() {
        let err = Config::from_toml("[outbox]\nretain = \"many\"\n", Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("outbox.retain"), "{err}");
    }

    #[test]
    fn work_dir_inside_inbox_is_refused() {
        let err = Config::from_toml(
            "[inbox]\npath = \"in\"\n[state]\nwork_dir = \"in/work\"\n",
            Path::new("t.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("state.work_dir"), "{err}");
    }

    #[test]
    fn zero_interval_is_refused() {
        let err = Config::from_toml(
            "[inbox]\nsettle_ms = 0\nrescan_interval_s = 0\n",
            Path::new("t"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("inbox.rescan_interval_s"), "{err}");
    }
}
