//! NATS JetStream as a source of articles and a sink for records.
//!
//! Several instances share one durable pull consumer, so each message goes to one of
//! them; a message is acknowledged only once its record is durable in every sink, so a
//! crash leaves it to be delivered again (to whichever instance asks first). Records are
//! published with a `Nats-Msg-Id` that is the same every time the same input is
//! processed (record id and claim), so the stream's de-duplication window stores a
//! record published twice across a crash once.
//!
//! The client is asynchronous; the writer and the workers are plain threads, so they
//! reach it through a runtime handle ([`Bus::block_on`]).

pub mod bench;
pub mod config;
mod publish;
mod source;

use std::time::Duration;

use async_nats::jetstream::{self, stream};

pub use config::{NatsConfig, SinkConfig, SinkKind, SourceConfig, SourceKind};
pub use publish::{Outgoing, Publisher};
pub use source::{Delivery, consume, dead_letter, dead_letter_item, retry_later};

/// Header naming the article (its file name; the extension helps format detection).
pub const HEADER_NAME: &str = "Newsd-Name";
/// Header carrying a refusal as the same JSON object `failed/*.error.json` holds.
pub const HEADER_FAILURE: &str = "Newsd-Failure";
/// Header carrying only the refusal's machine-readable reason.
pub const HEADER_REASON: &str = "Newsd-Reason";
/// Header naming the instance (`nats.name`) that published a record.
pub const HEADER_PRODUCER: &str = "Newsd-Producer";
/// Header carrying the record id on published records.
pub const HEADER_RECORD_ID: &str = "Newsd-Record-Id";

/// Why the bus could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The connection could not be set up (bad credentials file, TLS files).
    #[error("nats connection: {0}")]
    Connect(String),
    /// A stream or consumer could not be found or created.
    #[error("nats {what} `{name}`: {message}")]
    Setup {
        /// `stream` or `consumer`.
        what: &'static str,
        /// Its name.
        name: String,
        /// The server's or client's description.
        message: String,
    },
}

/// A connection to the cluster and the runtime that drives it.
#[derive(Clone, Debug)]
pub struct Bus {
    /// JetStream API on the connection.
    pub js: jetstream::Context,
    /// Settings it was made with.
    pub config: NatsConfig,
    runtime: tokio::runtime::Handle,
}

impl Bus {
    /// Connects (in the background: the client keeps retrying while the cluster is
    /// away, with the wait doubling up to `reconnect_max_delay_ms`). Must run on the
    /// tokio runtime, whose handle it keeps for blocking callers.
    pub async fn connect(config: &NatsConfig) -> Result<Self, BusError> {
        let max_delay = Duration::from_millis(config.reconnect_max_delay_ms);
        let mut options = async_nats::ConnectOptions::new()
            .name(&config.name)
            .retry_on_initial_connect()
            .max_reconnects(None)
            .connection_timeout(Duration::from_secs(5))
            .request_timeout(Some(Duration::from_millis(config.request_timeout_ms)))
            .reconnect_delay_callback(move |attempts| {
                let shift = attempts.min(16) as u32;
                Duration::from_millis(100u64.saturating_mul(1 << shift)).min(max_delay)
            })
            .event_callback(|event| async move {
                match event {
                    async_nats::Event::Disconnected => tracing::warn!("nats: disconnected"),
                    async_nats::Event::Connected => tracing::info!("nats: connected"),
                    other => tracing::debug!(event = %other, "nats"),
                }
            })
            .require_tls(config.tls_required);
        if !config.credentials.as_os_str().is_empty() {
            options = options
                .credentials_file(&config.credentials)
                .await
                .map_err(|e| BusError::Connect(format!("{}: {e}", config.credentials.display())))?;
        }
        if !config.tls_ca.as_os_str().is_empty() {
            options = options.add_root_certificates(config.tls_ca.clone());
        }
        if !config.tls_cert.as_os_str().is_empty() {
            options =
                options.add_client_certificate(config.tls_cert.clone(), config.tls_key.clone());
        }
        let servers: Vec<async_nats::ServerAddr> = config
            .servers
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        let client = options
            .connect(servers)
            .await
            .map_err(|e| BusError::Connect(e.to_string()))?;
        let mut js = jetstream::new(client);
        js.set_timeout(Duration::from_millis(config.request_timeout_ms));
        Ok(Self {
            js,
            config: config.clone(),
            runtime: tokio::runtime::Handle::current(),
        })
    }

    /// Runs a future to completion from a thread outside the runtime (the writer, a
    /// worker).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// Creates (or finds) the source stream, the dead-letter stream and the shared
    /// consumer, when `create` is on; otherwise only looks the consumer up.
    pub async fn source_consumer(&self) -> Result<jetstream::consumer::PullConsumer, BusError> {
        let c = &self.config.source;
        let setup = |what, name: &str, e: &dyn std::fmt::Display| BusError::Setup {
            what,
            name: name.to_string(),
            message: e.to_string(),
        };
        if self.config.create {
            self.ensure_stream(stream::Config {
                name: c.stream.clone(),
                subjects: c.subjects.clone(),
                retention: stream::RetentionPolicy::WorkQueue,
                storage: stream::StorageType::File,
                num_replicas: c.replicas,
                ..Default::default()
            })
            .await?;
            self.ensure_stream(stream::Config {
                name: c.dead_letter_stream.clone(),
                subjects: vec![c.dead_letter_subject.clone()],
                storage: stream::StorageType::File,
                num_replicas: c.replicas,
                ..Default::default()
            })
            .await?;
        }
        let stream = self
            .js
            .get_stream(&c.stream)
            .await
            .map_err(|e| setup("stream", &c.stream, &e))?;
        if self.config.create {
            let wanted = jetstream::consumer::pull::Config {
                durable_name: Some(c.consumer.clone()),
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                ack_wait: Duration::from_secs(c.ack_wait_s),
                // Dead letters are newsd's decision (after max_deliveries), so the
                // server never gives up on a message by itself.
                max_deliver: -1,
                ..Default::default()
            };
            stream
                .get_or_create_consumer(&c.consumer, wanted)
                .await
                .map_err(|e| setup("consumer", &c.consumer, &e))
        } else {
            stream
                .get_consumer(&c.consumer)
                .await
                .map_err(|e| setup("consumer", &c.consumer, &e))
        }
    }

    /// Creates the records stream when `create` is on.
    pub async fn prepare_sink(&self) -> Result<(), BusError> {
        if !self.config.create {
            return Ok(());
        }
        let c = &self.config.sink;
        self.ensure_stream(stream::Config {
            name: c.stream.clone(),
            subjects: c.subjects.clone(),
            storage: stream::StorageType::File,
            num_replicas: c.replicas,
            duplicate_window: Duration::from_secs(c.duplicate_window_s),
            ..Default::default()
        })
        .await
    }

    async fn ensure_stream(&self, config: stream::Config) -> Result<(), BusError> {
        let name = config.name.clone();
        self.js
            .get_or_create_stream(config)
            .await
            .map(|_| ())
            .map_err(|e| BusError::Setup {
                what: "stream",
                name,
                message: e.to_string(),
            })
    }
}

/// The file name an article is parsed under: its `Newsd-Name` header, else one made of
/// the subject and sequence; given an extension from `Content-Type` when it has none,
/// since format detection falls back on the extension.
pub fn article_name(
    header_name: Option<&str>,
    content_type: Option<&str>,
    stream: &str,
    seq: u64,
) -> String {
    let mut name = header_name
        .map(|n| n.rsplit('/').next().unwrap_or(n).trim().to_string())
        .filter(|n| !n.is_empty() && n != "." && n != "..")
        .unwrap_or_else(|| format!("{stream}-{seq}"));
    let has_ext = std::path::Path::new(&name).extension().is_some();
    if !has_ext && let Some(ext) = content_type.and_then(extension_of) {
        name.push('.');
        name.push_str(ext);
    }
    name
}

/// Extension for a media type (parameters such as `; charset=` ignored).
fn extension_of(content_type: &str) -> Option<&'static str> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(match mime.as_str() {
        "text/html" | "application/xhtml+xml" => "html",
        "application/json" => "json",
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" => "ndjson",
        "text/markdown" | "text/x-markdown" => "md",
        "text/plain" => "txt",
        "application/gzip" | "application/x-gzip" => "gz",
        _ => return None,
    })
}

/// The subject a record goes to: the template with `{lang}` and `{topic}` filled in
/// (tokens made safe for a subject: lower case, `[a-z0-9_-]` only).
pub fn record_subject(template: &str, lang: Option<&str>, topic: Option<&str>) -> String {
    let token = |v: Option<&str>, none: &str| {
        let t: String = v
            .unwrap_or(none)
            .chars()
            .map(|c| c.to_ascii_lowercase())
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if t.is_empty() { none.to_string() } else { t }
    };
    template
        .replace("{lang}", &token(lang, "und"))
        .replace("{topic}", &token(topic, "none"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_the_header_and_an_extension_from_the_media_type() {
        assert_eq!(article_name(Some("a.html"), None, "S", 3), "a.html");
        assert_eq!(
            article_name(
                Some("dir/../story"),
                Some("text/html; charset=utf-8"),
                "S",
                3
            ),
            "story.html"
        );
        assert_eq!(
            article_name(None, Some("application/x-ndjson"), "S", 9),
            "S-9.ndjson"
        );
        assert_eq!(article_name(Some(".."), Some("image/png"), "S", 1), "S-1");
    }

    #[test]
    fn subjects_are_filled_and_made_safe() {
        assert_eq!(
            record_subject(
                "news.{lang}.{topic}",
                Some("en"),
                Some("Business & Economy")
            ),
            "news.en.business___economy"
        );
        assert_eq!(record_subject("news.{lang}", None, None), "news.und");
        assert_eq!(record_subject("news.all", Some("fr"), None), "news.all");
    }

    #[test]
    fn config_checks_name_the_key() {
        let mut c = NatsConfig::default();
        assert!(c.check().is_ok());
        c.sink.stream = "a.b".into();
        assert_eq!(c.check().unwrap_err().0, "nats.sink.stream");
        let c = NatsConfig {
            servers: vec!["nats://[::1".into()],
            ..NatsConfig::default()
        };
        assert_eq!(c.check().unwrap_err().0, "nats.servers");
        let mut c = NatsConfig::default();
        c.source.max_deliveries = 0;
        assert_eq!(c.check().unwrap_err().0, "nats.source.max_deliveries");
    }
}
