//! The NATS sink: publishes a batch of records (and alerts) and waits until the stream
//! has stored every one, retrying while the cluster is away. The writer releases
//! inputs only after this returns, so while the bus is down nothing is released and
//! backpressure keeps the rest of the inputs where they are.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::message::Acker;
use async_nats::jetstream::message::PublishMessage as Publish;
use bytes::Bytes;
use futures_util::future::join_all;

use super::{Bus, HEADER_PRODUCER, HEADER_RECORD_ID};
use crate::record::Record;

/// Record fields a smaller bus copy always keeps: what identifies the article.
const KEEP: [&str; 8] = [
    "schema",
    "id",
    "source",
    "title",
    "published_at",
    "language",
    "warnings",
    "producer",
];

/// One message for the sink.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Where it goes.
    pub subject: String,
    /// `Nats-Msg-Id`: the same each time the same input is processed.
    pub msg_id: String,
    /// The record id, also sent as a header.
    pub record_id: String,
    /// The record as one JSON line.
    pub payload: Bytes,
}

/// Publishes for the writer thread.
#[derive(Debug)]
pub struct Publisher {
    bus: Bus,
    prepared: bool,
    /// The server's `max_payload` as last seen (0: not yet known); read again after
    /// each batch rather than for every record, since the client hands out a copy of
    /// the whole server info.
    max_payload: std::cell::Cell<usize>,
}

/// What one [`Publisher::publish_all`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// Messages the stream stored.
    pub stored: usize,
    /// Messages the stream recognised as already stored (same `Nats-Msg-Id`).
    pub duplicates: usize,
    /// Attempts that failed and were retried.
    pub retries: usize,
}

impl Publisher {
    /// A publisher on `bus`; the records stream is created on first use when the config
    /// says so.
    pub fn new(bus: Bus) -> Self {
        Self {
            bus,
            prepared: false,
            max_payload: std::cell::Cell::new(0),
        }
    }

    /// The messages for one record: the record on its subject, and, when `alert`, the
    /// same line on the alerts subject. Ids are the record id and the claim: the same
    /// whenever this input is processed again, yet two equal inputs still give two
    /// records, as in the outbox.
    pub fn messages(&self, record: &Record, line: &[u8], alert: bool) -> Vec<Outgoing> {
        let c = &self.bus.config.sink;
        let subject = super::record_subject(
            &c.subject,
            record.language.as_ref().map(|l| l.code.as_str()),
            record.topics.as_ref().map(|t| t.label.as_str()),
        );
        let payload = match self.fitting(record, line) {
            Some(smaller) => Bytes::from(smaller),
            None => Bytes::copy_from_slice(line),
        };
        let msg_id = format!("{}:{}", record.id, record.source.claim);
        let mut out = Vec::with_capacity(2);
        if alert {
            out.push(Outgoing {
                subject: c.alerts_subject.clone(),
                msg_id: format!("{msg_id}:alert"),
                record_id: record.id.clone(),
                payload: payload.clone(),
            });
        }
        out.push(Outgoing {
            subject,
            msg_id,
            record_id: record.id.clone(),
            payload,
        });
        out
    }

    /// A smaller copy of the record when its line is over the server's `max_payload`
    /// (1 MiB by default; records of long articles carry their text and every
    /// sentence's tone): a message over it can never be stored, and retrying it would
    /// stall the writer. The largest top-level fields are emptied (set to null), the
    /// text first, until it fits; `warnings` names them. `None` when the line fits.
    fn fitting(&self, record: &Record, line: &[u8]) -> Option<Vec<u8>> {
        if self.max_payload.get() == 0 {
            self.max_payload
                .set(self.bus.js.client().server_info().max_payload);
        }
        let max = self.max_payload.get();
        // Headers take a few hundred bytes of the limit.
        let room = max.saturating_sub(1024);
        if max == 0 || line.len() <= room {
            return None;
        }
        let mut value = serde_json::to_value(record).ok()?;
        let obj = value.as_object_mut()?;
        // The text first, then the other fields from the largest down.
        let mut order: Vec<(bool, usize, String)> = obj
            .iter()
            .filter(|(k, v)| !KEEP.contains(&k.as_str()) && !v.is_null())
            .map(|(k, v)| {
                let bytes = serde_json::to_vec(v).map_or(0, |b| b.len());
                (k == "text", bytes, k.clone())
            })
            .collect();
        order.sort_unstable_by(|a, b| b.cmp(a));
        let mut emptied = Vec::new();
        let mut size = line.len();
        for (_, bytes, key) in order {
            // The warning added below needs room too.
            if size + 200 + 16 * emptied.len() <= room {
                break;
            }
            obj.insert(key.clone(), serde_json::Value::Null);
            size = size.saturating_sub(bytes.saturating_sub(4));
            emptied.push(key);
        }
        let note = format!(
            "bus copy: {} left out, the record ({} bytes) being over the server's max_payload ({max} bytes); the outbox copy is whole",
            emptied.join(", "),
            line.len()
        );
        if let Some(serde_json::Value::Array(w)) = obj.get_mut("warnings") {
            w.push(serde_json::Value::String(note));
        }
        tracing::warn!(id = %record.id, bytes = line.len(), max, left_out = ?emptied, "record over the bus's max_payload; publishing a smaller copy");
        let mut out = serde_json::to_vec(&value).ok()?;
        out.push(b'\n');
        Some(out)
    }

    /// Publishes every message and returns once the stream has acknowledged all of
    /// them. Blocks (retrying with a doubling wait) while the bus is unreachable.
    pub fn publish_all(&mut self, mut pending: Vec<Outgoing>) -> Published {
        let mut done = Published::default();
        let max_wait = Duration::from_millis(self.bus.config.reconnect_max_delay_ms);
        let mut wait = Duration::from_millis(100);
        while !pending.is_empty() {
            if !self.prepared {
                match self.bus.block_on(self.bus.prepare_sink()) {
                    Ok(()) => self.prepared = true,
                    Err(e) => {
                        tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "nats: sink stream not ready");
                        std::thread::sleep(wait);
                        wait = (wait * 2).min(max_wait);
                        done.retries += 1;
                        continue;
                    }
                }
            }
            let js = &self.bus.js;
            let producer = self.bus.config.name.as_str();
            let results = self
                .bus
                .block_on(join_all(pending.iter().map(|m| async move {
                    let mut headers = async_nats::HeaderMap::new();
                    headers.insert(HEADER_RECORD_ID, m.record_id.as_str());
                    headers.insert("Content-Type", "application/json");
                    headers.insert(HEADER_PRODUCER, producer);
                    let publish = Publish::build()
                        .payload(m.payload.clone())
                        .headers(headers)
                        .message_id(&m.msg_id);
                    match js.send_publish(m.subject.clone(), publish).await {
                        Ok(ack) => ack.await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    }
                })));
            let mut failed = Vec::new();
            let mut last_error = None;
            for (m, r) in pending.into_iter().zip(results) {
                match r {
                    Ok(ack) if ack.duplicate => done.duplicates += 1,
                    Ok(_) => done.stored += 1,
                    Err(e) => {
                        last_error = Some(e);
                        failed.push(m);
                    }
                }
            }
            pending = failed;
            if let Some(e) = last_error {
                tracing::warn!(error = %e, unsent = pending.len(), retry_in_ms = wait.as_millis() as u64, "nats: publish failed; retrying (inputs are not released meanwhile)");
                done.retries += 1;
                // A stream deleted or not yet created answers "no responders".
                self.prepared = !self.bus.config.create;
                std::thread::sleep(wait);
                wait = (wait * 2).min(max_wait);
            }
        }
        self.max_payload
            .set(self.bus.js.client().server_info().max_payload);
        done
    }
}

impl Bus {
    /// Acknowledges source messages whose records are durable, waiting for the server
    /// to confirm each. A lost ack only means the message is delivered again, and its
    /// record is recognised then.
    pub fn ack_all(&self, ackers: &[Arc<Acker>]) {
        if ackers.is_empty() {
            return;
        }
        let results = self.block_on(join_all(ackers.iter().map(|a| a.double_ack())));
        let failed = results.iter().filter(|r| r.is_err()).count();
        if failed > 0 {
            tracing::warn!(
                failed,
                "nats: acks not confirmed; those messages will be delivered again"
            );
        }
    }
}
