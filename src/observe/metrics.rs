//! The Prometheus metrics: one registry, and a handle per series for the hot path.
//!
//! Counters and gauges are atomics; histograms take an uncontended mutex per
//! observation, and only the writer thread observes them, so the pipeline pays a few
//! atomic operations per article. Handles are cloned out of their families once, at
//! start, so the per-article path never looks a label set up. Only failure reasons,
//! which are rare, go through a family lookup.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

/// Stage names whose times are recorded, as they appear in a record's `timings_us`.
pub const STAGES: [&str; 3] = ["tokenize", "extract", "score"];

/// Label set of one series: `(name, value)` pairs.
type Labels = Vec<(&'static str, String)>;

/// Every metric the daemon exports, with handles the daemon updates directly.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Names found ready in the inbox and queued for a worker.
    pub seen: Counter,
    /// Inbox files claimed (renamed into `work/`).
    pub claimed: Counter,
    /// Files a previous run left in `work/`, picked up at start.
    pub recovered: Counter,
    /// Inputs whose records are durable and which were released (archived or deleted).
    pub processed: Counter,
    /// Records written to the outbox (a batch input gives several).
    pub records: Counter,
    failed: Family<Labels, Counter>,
    /// The same counts for the status file (the family cannot be listed).
    failed_reasons: Mutex<BTreeMap<String, u64>>,
    failed_items: Family<Labels, Counter>,
    /// Records flagged as near-duplicates of an earlier article.
    pub duplicates: Counter,
    /// Records appended to the alerts file.
    pub alerts: Counter,
    /// Bytes of input read.
    pub bytes_in: Counter,
    /// Bytes of records written to the outbox.
    pub bytes_out: Counter,
    /// Outbox (and alerts file) rotations.
    pub rotations: Counter,
    /// Records and alerts stored by the bus sink.
    pub published: Counter,
    /// Records and alerts the bus already held (published again after a crash).
    pub publish_duplicates: Counter,
    /// Messages from the bus copied to the dead-letter subject.
    pub dead_letters: Counter,
    /// Seconds per stage, in [`STAGES`] order.
    stage_seconds: [Histogram; 3],
    /// Seconds from the input's modification time (when it was dropped) to its record
    /// being durable.
    pub drop_to_record: Histogram,
    /// Seconds from the claim to the record being durable.
    pub claim_to_record: Histogram,
    /// Files waiting in the inbox (sampled about once a second).
    pub inbox_backlog: Gauge,
    /// Articles claimed and not finished.
    pub in_flight: Gauge,
    /// 1 when ready (recovery done, writer not stalled), else 0.
    pub ready: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Builds the registry with every series registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("newsd");
        let counter = |registry: &mut Registry, name: &str, help: &str| {
            let c = Counter::default();
            registry.register(name, help, c.clone());
            c
        };
        let seen = counter(
            &mut registry,
            "files_seen",
            "Names found ready in the inbox and queued for a worker",
        );
        let claimed = counter(
            &mut registry,
            "files_claimed",
            "Inbox files claimed (renamed into the work folder)",
        );
        let recovered = counter(
            &mut registry,
            "files_recovered",
            "Files a previous run left in the work folder, picked up at start",
        );
        let processed = counter(
            &mut registry,
            "files_processed",
            "Inputs whose records are durable and which were released",
        );
        let records = counter(
            &mut registry,
            "records",
            "Records written to the outbox (a batch input gives several)",
        );
        let failed = Family::<Labels, Counter>::default();
        registry.register(
            "files_failed",
            "Inputs refused, by reason (moved to the failed folder)",
            failed.clone(),
        );
        let failed_items = Family::<Labels, Counter>::default();
        registry.register(
            "items_failed",
            "Items of batch inputs refused, by reason",
            failed_items.clone(),
        );
        let duplicates = counter(
            &mut registry,
            "duplicates",
            "Records flagged as near-duplicates of an earlier article",
        );
        let alerts = counter(
            &mut registry,
            "alerts",
            "Records appended to the alerts file",
        );
        let bytes_in = Counter::default();
        registry.register_with_unit(
            "input",
            "Bytes of input read",
            Unit::Bytes,
            bytes_in.clone(),
        );
        let bytes_out = Counter::default();
        registry.register_with_unit(
            "output",
            "Bytes of records written to the outbox",
            Unit::Bytes,
            bytes_out.clone(),
        );
        let rotations = counter(
            &mut registry,
            "outbox_rotations",
            "Rotations of the outbox and the alerts file",
        );
        let published = counter(
            &mut registry,
            "nats_published",
            "Records and alerts stored by the NATS sink",
        );
        let publish_duplicates = counter(
            &mut registry,
            "nats_publish_duplicates",
            "Records and alerts the NATS stream already held (published again after a crash)",
        );
        let dead_letters = counter(
            &mut registry,
            "nats_dead_letters",
            "Messages from the NATS source copied to the dead-letter subject",
        );
        let stages = Family::<Labels, Histogram>::new_with_constructor(|| {
            // 50 µs to about 3.3 s.
            Histogram::new(exponential_buckets(0.000_05, 2.0, 17))
        });
        registry.register_with_unit(
            "stage",
            "Time per pipeline stage per article",
            Unit::Seconds,
            stages.clone(),
        );
        let stage_seconds =
            STAGES.map(|s| stages.get_or_create_owned(&vec![("stage", s.to_string())]));
        let drop_to_record = Histogram::new(exponential_buckets(0.005, 2.0, 16));
        registry.register_with_unit(
            "drop_to_record",
            "Time from the input's modification time (its drop) to its record being durable",
            Unit::Seconds,
            drop_to_record.clone(),
        );
        let claim_to_record = Histogram::new(exponential_buckets(0.001, 2.0, 18));
        registry.register_with_unit(
            "claim_to_record",
            "Time from the claim to the record being durable",
            Unit::Seconds,
            claim_to_record.clone(),
        );
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let g = Gauge::default();
            registry.register(name, help, g.clone());
            g
        };
        let inbox_backlog = gauge(
            &mut registry,
            "inbox_backlog",
            "Files waiting in the inbox (sampled about once a second)",
        );
        let in_flight = gauge(
            &mut registry,
            "in_flight",
            "Articles claimed and not finished",
        );
        let ready = gauge(
            &mut registry,
            "ready",
            "1 when recovery is done and the writer is not stalled",
        );
        let started = Gauge::<f64, AtomicU64>::default();
        started.set(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs_f64(),
        );
        registry.register_with_unit(
            "start_time",
            "When the daemon started, Unix time",
            Unit::Seconds,
            started,
        );
        registry.register(
            "build",
            "The running build",
            Info::new(vec![
                ("version", env!("CARGO_PKG_VERSION").to_string()),
                (
                    "profile",
                    if cfg!(debug_assertions) {
                        "debug"
                    } else {
                        "release"
                    }
                    .to_string(),
                ),
            ]),
        );
        Self {
            registry,
            seen,
            claimed,
            recovered,
            processed,
            records,
            failed,
            failed_reasons: Mutex::new(BTreeMap::new()),
            failed_items,
            duplicates,
            alerts,
            bytes_in,
            bytes_out,
            rotations,
            published,
            publish_duplicates,
            dead_letters,
            stage_seconds,
            drop_to_record,
            claim_to_record,
            inbox_backlog,
            in_flight,
            ready,
        }
    }

    /// Counts a refused input.
    pub fn failed(&self, reason: &str) {
        self.failed
            .get_or_create(&vec![("reason", reason.to_string())])
            .inc();
        *self
            .failed_reasons
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(reason.to_string())
            .or_default() += 1;
    }

    /// Counts a refused item of a batch input.
    pub fn failed_item(&self, reason: &str) {
        self.failed_items
            .get_or_create(&vec![("reason", reason.to_string())])
            .inc();
    }

    /// Refused inputs by reason, for the status file.
    pub fn failed_by_reason(&self) -> BTreeMap<String, u64> {
        self.failed_reasons
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Records a record's per-stage times (its `timings_us`).
    pub fn observe_stages<'a>(&self, timings_us: impl IntoIterator<Item = (&'a str, u64)>) {
        for (stage, us) in timings_us {
            if let Some(i) = STAGES.iter().position(|s| *s == stage) {
                self.stage_seconds[i].observe(us as f64 / 1e6);
            }
        }
    }

    /// Records a duration into a histogram, in seconds.
    pub fn observe(histogram: &Histogram, d: Duration) {
        histogram.observe(d.as_secs_f64());
    }

    /// The exposition text (OpenMetrics, which Prometheus reads).
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        // Writing into a String cannot fail.
        if let Err(e) = encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_names_every_series() {
        let m = Metrics::new();
        m.seen.inc();
        m.failed("binary");
        m.observe_stages([("tokenize", 1500), ("read", 3)]);
        let text = m.encode();
        for want in [
            "newsd_files_seen_total 1",
            "newsd_files_failed_total{reason=\"binary\"} 1",
            "newsd_stage_seconds_count{stage=\"tokenize\"} 1",
            "newsd_stage_seconds_count{stage=\"score\"} 0",
            "newsd_input_bytes_total 0",
            "newsd_build_info{version=",
            "# EOF",
        ] {
            assert!(text.contains(want), "missing {want}:\n{text}");
        }
        assert_eq!(m.failed_by_reason(), [("binary".to_string(), 1)].into());
    }
}
