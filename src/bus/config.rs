//! `[source]`, `[sink]` and `[nats]`: where articles come from, where records go, and
//! how to reach the NATS JetStream cluster when either is the bus.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Where articles come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The inbox folder (`[inbox]`).
    Inbox,
    /// A JetStream stream, through a durable pull consumer shared by every instance.
    Nats,
}

/// `[source]`: where articles come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceConfig {
    /// `inbox` (the folder) or `nats` (the stream in `[nats.source]`).
    pub kind: SourceKind,
}

impl Default for SourceConfig {
    fn default() -> Self {
        Self {
            kind: SourceKind::Inbox,
        }
    }
}

/// One place records go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SinkKind {
    /// The NDJSON outbox file (`[outbox]`).
    Outbox,
    /// A JetStream subject (`[nats.sink]`).
    Nats,
}

/// `[sink]`: where records (and alerts) go; an input is released only once every sink
/// holds its record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SinkConfig {
    /// Any of `outbox` and `nats`, at least one.
    pub kinds: Vec<SinkKind>,
}

impl Default for SinkConfig {
    fn default() -> Self {
        Self {
            kinds: vec![SinkKind::Outbox],
        }
    }
}

impl SinkConfig {
    /// Records go to the outbox file.
    pub fn outbox(&self) -> bool {
        self.kinds.contains(&SinkKind::Outbox)
    }

    /// Records go to the bus.
    pub fn nats(&self) -> bool {
        self.kinds.contains(&SinkKind::Nats)
    }
}

/// `[nats]`: the connection, shared by the source and the sink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NatsConfig {
    /// Server URLs (`nats://host:4222`, `tls://host:4222`); the client fails over
    /// between them and learns the rest of the cluster.
    pub servers: Vec<String>,
    /// Connection name shown by the server (monitoring, `nats server report`).
    pub name: String,
    /// A `.creds` file (JWT and NKey seed); empty: no credentials.
    pub credentials: PathBuf,
    /// Refuse to talk to a server without TLS.
    pub tls_required: bool,
    /// PEM file of the CA that signs the servers' certificates; empty: system roots.
    pub tls_ca: PathBuf,
    /// PEM client certificate for mutual TLS (with `tls_key`); empty: none.
    pub tls_cert: PathBuf,
    /// PEM private key of `tls_cert`.
    pub tls_key: PathBuf,
    /// Longest wait between reconnection attempts, milliseconds (the wait doubles from
    /// 100 ms up to this).
    pub reconnect_max_delay_ms: u64,
    /// Time allowed for a JetStream request or publish acknowledgement, milliseconds.
    pub request_timeout_ms: u64,
    /// Create the streams and the consumer when they do not exist (an operator who
    /// manages them turns this off).
    pub create: bool,
    /// `[nats.source]`.
    pub source: NatsSourceConfig,
    /// `[nats.sink]`.
    pub sink: NatsSinkConfig,
}

impl Default for NatsConfig {
    fn default() -> Self {
        Self {
            servers: vec!["nats://127.0.0.1:4222".into()],
            name: "newsd".into(),
            credentials: PathBuf::new(),
            tls_required: false,
            tls_ca: PathBuf::new(),
            tls_cert: PathBuf::new(),
            tls_key: PathBuf::new(),
            reconnect_max_delay_ms: 5000,
            request_timeout_ms: 5000,
            create: true,
            source: NatsSourceConfig::default(),
            sink: NatsSinkConfig::default(),
        }
    }
}

/// `[nats.source]`: the stream articles arrive on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NatsSourceConfig {
    /// The stream (work-queue retention when newsd creates it).
    pub stream: String,
    /// Subjects the stream captures when newsd creates it.
    pub subjects: Vec<String>,
    /// The durable pull consumer every instance shares: each message goes to one.
    pub consumer: String,
    /// A message not acknowledged this long after delivery is delivered again
    /// (to any instance), seconds.
    pub ack_wait_s: u64,
    /// A message refused this many times goes to `dead_letter_subject` and is
    /// acknowledged.
    pub max_deliveries: u32,
    /// Wait before a refused message is delivered again, milliseconds.
    pub retry_delay_ms: u64,
    /// Where refused messages go, with the reason in the `Newsd-Failure` header.
    pub dead_letter_subject: String,
    /// The stream that keeps dead letters, when newsd creates it.
    pub dead_letter_stream: String,
    /// Replicas of the streams newsd creates (1, or 3 on a cluster).
    pub replicas: usize,
}

impl Default for NatsSourceConfig {
    fn default() -> Self {
        Self {
            stream: "NEWSD_ARTICLES".into(),
            subjects: vec!["newsd.articles.>".into()],
            consumer: "newsd".into(),
            ack_wait_s: 60,
            max_deliveries: 3,
            retry_delay_ms: 1000,
            dead_letter_subject: "newsd.dead".into(),
            dead_letter_stream: "NEWSD_DEAD".into(),
            replicas: 1,
        }
    }
}

/// `[nats.sink]`: where records and alerts are published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NatsSinkConfig {
    /// The stream that keeps records and alerts, when newsd creates it.
    pub stream: String,
    /// Subject of each record; `{lang}` (ISO 639-1 code, or `und`) and `{topic}` (the
    /// classifier's label, or `none`) are filled in.
    pub subject: String,
    /// Subject of alerts (records whose priority reached the alert threshold).
    pub alerts_subject: String,
    /// Subjects the stream captures when newsd creates it.
    pub subjects: Vec<String>,
    /// The stream's de-duplication window, seconds: a record published again within it
    /// (after a crash) is stored once. It must exceed the longest restart.
    pub duplicate_window_s: u64,
    /// Replicas of the stream when newsd creates it.
    pub replicas: usize,
}

impl Default for NatsSinkConfig {
    fn default() -> Self {
        Self {
            stream: "NEWSD_RECORDS".into(),
            subject: "newsd.records.{lang}".into(),
            alerts_subject: "newsd.alerts".into(),
            subjects: vec!["newsd.records.>".into(), "newsd.alerts".into()],
            duplicate_window_s: 600,
            replicas: 1,
        }
    }
}

impl NatsConfig {
    /// Checks values that parse but cannot work; returns the key (under `nats.`) and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.servers.is_empty() || self.servers.iter().any(|s| s.trim().is_empty()) {
            return Err(("nats.servers", "must list at least one server URL".into()));
        }
        for s in &self.servers {
            if s.parse::<async_nats::ServerAddr>().is_err() {
                return Err(("nats.servers", format!("`{s}` is not a server URL")));
            }
        }
        if self.tls_cert.as_os_str().is_empty() != self.tls_key.as_os_str().is_empty() {
            return Err(("nats.tls_key", "tls_cert and tls_key go together".into()));
        }
        let positive = [
            ("nats.reconnect_max_delay_ms", self.reconnect_max_delay_ms),
            ("nats.request_timeout_ms", self.request_timeout_ms),
            ("nats.source.ack_wait_s", self.source.ack_wait_s),
            (
                "nats.source.max_deliveries",
                u64::from(self.source.max_deliveries),
            ),
            ("nats.sink.duplicate_window_s", self.sink.duplicate_window_s),
        ];
        for (key, v) in positive {
            if v == 0 {
                return Err((key, "must be greater than 0".into()));
            }
        }
        let names = [
            ("nats.source.stream", &self.source.stream),
            ("nats.source.consumer", &self.source.consumer),
            (
                "nats.source.dead_letter_stream",
                &self.source.dead_letter_stream,
            ),
            ("nats.sink.stream", &self.sink.stream),
        ];
        for (key, name) in names {
            if name.is_empty() || name.contains(['.', '*', '>', ' ', '/', '\\']) {
                return Err((
                    key,
                    format!("`{name}` is not a stream or consumer name (no . * > / \\ or spaces)"),
                ));
            }
        }
        let subjects = [
            (
                "nats.source.dead_letter_subject",
                &self.source.dead_letter_subject,
            ),
            ("nats.sink.subject", &self.sink.subject),
            ("nats.sink.alerts_subject", &self.sink.alerts_subject),
        ];
        for (key, s) in subjects {
            if s.is_empty() || s.contains([' ', '*', '>']) {
                return Err((key, format!("`{s}` is not a subject to publish to")));
            }
        }
        for (key, r) in [
            ("nats.source.replicas", self.source.replicas),
            ("nats.sink.replicas", self.sink.replicas),
        ] {
            if !(1..=5).contains(&r) {
                return Err((key, "must be between 1 and 5".into()));
            }
        }
        Ok(())
    }
}
