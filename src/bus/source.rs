//! The NATS source: pulls messages from the shared durable consumer and hands each to
//! the dispatcher as a job, never holding more than the dispatcher has room for.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_nats::HeaderMap;
use async_nats::jetstream::AckKind;
use async_nats::jetstream::message::Acker;
use async_nats::jetstream::message::PublishMessage as Publish;
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Bus, HEADER_FAILURE, HEADER_NAME, HEADER_REASON, article_name};
use crate::daemon::Job;

/// One delivered message: the article and the handle that acknowledges it.
pub struct Delivery {
    /// The article's bytes, in any format the inbox accepts.
    pub payload: Bytes,
    /// The headers as published (kept for the dead-letter copy).
    pub headers: Option<HeaderMap>,
    /// The subject it was published to.
    pub subject: String,
    /// The name it is parsed and recorded under (see [`article_name`]).
    pub name: String,
    /// The stream it came from.
    pub stream: String,
    /// Its stream sequence: the same on every delivery, so it makes a stable claim.
    pub seq: u64,
    /// How many times it has been delivered, this time included.
    pub delivered: i64,
    /// When the stream received it.
    pub published: SystemTime,
    /// Acknowledges it; shared by the records of a batch input, the last one acks.
    pub acker: Arc<Acker>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("subject", &self.subject)
            .field("name", &self.name)
            .field("seq", &self.seq)
            .field("delivered", &self.delivered)
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// The claim token of this message: stable across redeliveries, so the duplicate
    /// index and `Nats-Msg-Id` see a redelivery as the same input. The time the stream
    /// stored it is part of it, since a stream deleted and created again counts its
    /// sequence from 1 again.
    pub fn claim(&self) -> String {
        let stored_ms = self
            .published
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        format!("nats-{}-{}-{stored_ms}", self.stream, self.seq)
    }

    /// A path-like name for the record's `source.path`.
    pub fn path(&self) -> String {
        format!("nats://{}/{}", self.stream, self.seq)
    }

    fn of(message: async_nats::jetstream::Message) -> Option<Self> {
        let (stream, seq, delivered, published) = match message.info() {
            Ok(i) => (
                i.stream.to_string(),
                i.stream_sequence,
                i.delivered,
                SystemTime::from(i.published),
            ),
            Err(e) => {
                tracing::warn!(error = %e, subject = %message.subject, "nats: a message without JetStream metadata; ignored");
                return None;
            }
        };
        let (message, acker) = message.split();
        let header = |name: &str| {
            message
                .headers
                .as_ref()
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_string())
        };
        let name = article_name(
            header(HEADER_NAME).as_deref(),
            header("Content-Type").as_deref(),
            &stream,
            seq,
        );
        Some(Self {
            payload: message.payload,
            headers: message.headers,
            subject: message.subject.to_string(),
            name,
            stream,
            seq,
            delivered,
            published,
            acker: Arc::new(acker),
        })
    }
}

/// Pulls messages until `cancel`, sending each to `ready`. Only as many are fetched as
/// `ready` has room for, so messages wait in the stream (where another instance can
/// take them) rather than here. Errors (the cluster away, a leader election) are logged
/// and retried with a doubling wait.
pub async fn consume(bus: Bus, ready: mpsc::Sender<Job>, cancel: CancellationToken) {
    let max_wait = Duration::from_millis(bus.config.reconnect_max_delay_ms);
    let mut wait = Duration::from_millis(100);
    let mut consumer = None;
    loop {
        if cancel.is_cancelled() {
            return;
        }
        let c = match &consumer {
            Some(c) => c,
            None => {
                let found = tokio::select! {
                    _ = cancel.cancelled() => return,
                    found = bus.source_consumer() => found,
                };
                match found {
                    Ok(c) => {
                        tracing::info!(stream = %bus.config.source.stream, consumer = %bus.config.source.consumer, "nats: consuming");
                        wait = Duration::from_millis(100);
                        consumer.insert(c)
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "nats: source not available");
                        backoff(&cancel, &mut wait, max_wait).await;
                        continue;
                    }
                }
            }
        };
        // Wait for room before asking the server for anything.
        let permit = tokio::select! {
            _ = cancel.cancelled() => return,
            p = ready.reserve() => match p { Ok(p) => p, Err(_) => return },
        };
        let room = 1 + ready.capacity();
        drop(permit);
        let batch = c
            .batch()
            .max_messages(room)
            .expires(Duration::from_secs(5))
            .messages()
            .await;
        let mut batch = match batch {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "nats: cannot pull");
                consumer = None;
                backoff(&cancel, &mut wait, max_wait).await;
                continue;
            }
        };
        let mut failed = false;
        loop {
            let next = tokio::select! {
                _ = cancel.cancelled() => return,
                next = batch.next() => next,
            };
            let message = match next {
                None => break,
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "nats: pull interrupted");
                    failed = true;
                    break;
                }
            };
            let Some(delivery) = Delivery::of(message) else {
                continue;
            };
            tracing::debug!(
                seq = delivery.seq,
                delivered = delivery.delivered,
                "nats: message"
            );
            let job = Job::Nats(Box::new(delivery));
            tokio::select! {
                _ = cancel.cancelled() => return,
                sent = ready.send(job) => if sent.is_err() { return },
            }
        }
        if failed {
            consumer = None;
            backoff(&cancel, &mut wait, max_wait).await;
        } else {
            wait = Duration::from_millis(100);
        }
    }
}

async fn backoff(cancel: &CancellationToken, wait: &mut Duration, max: Duration) {
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = tokio::time::sleep(*wait) => {}
    }
    *wait = (*wait * 2).min(max);
}

/// A message that could not become a record: delivered again after `retry_delay_ms`,
/// or, on its `max_deliveries`th delivery, copied to the dead-letter subject with the
/// reason (the `failed/*.error.json` object in the `Newsd-Failure` header) and then
/// acknowledged. Returns true when it went to the dead letters.
pub async fn dead_letter(
    bus: &Bus,
    delivery: &Delivery,
    failure_json: String,
    reason: &str,
) -> bool {
    let cfg = &bus.config.source;
    if delivery.delivered < i64::from(cfg.max_deliveries) {
        retry_later(bus, delivery).await;
        return false;
    }
    let mut headers = delivery.headers.clone().unwrap_or_default();
    headers.insert(HEADER_FAILURE, failure_json.as_str());
    headers.insert(HEADER_REASON, reason);
    headers.insert("Newsd-Subject", delivery.subject.as_str());
    // The copy of one message is one dead letter, however often this runs.
    let id = format!("dead-{}", delivery.claim());
    if let Err(e) = store_dead(bus, delivery.payload.clone(), headers, id).await {
        tracing::error!(error = %e, subject = %cfg.dead_letter_subject, "nats: cannot store a dead letter; the message will be delivered again");
        retry_later(bus, delivery).await;
        return false;
    }
    if let Err(e) = delivery.acker.double_ack().await {
        tracing::warn!(error = %e, "nats: dead letter stored but the ack failed; it may be stored again (same id)");
    }
    true
}

/// One refused element of a batch message: its failure object (the payload) goes to
/// the dead letters; the message itself is acknowledged with the other items' records.
/// Returns true when stored.
pub async fn dead_letter_item(
    bus: &Bus,
    delivery: &Delivery,
    item: usize,
    failure_json: String,
    reason: &str,
) -> bool {
    let mut headers = HeaderMap::new();
    headers.insert(HEADER_REASON, reason);
    headers.insert("Newsd-Subject", delivery.subject.as_str());
    headers.insert("Content-Type", "application/json");
    let id = format!("dead-{}.{item}", delivery.claim());
    match store_dead(bus, Bytes::from(failure_json), headers, id).await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, item, "nats: cannot store the dead letter of a batch item");
            false
        }
    }
}

async fn store_dead(
    bus: &Bus,
    payload: Bytes,
    headers: HeaderMap,
    id: String,
) -> Result<(), String> {
    let publish = Publish::build()
        .payload(payload)
        .headers(headers)
        .message_id(id);
    let subject = bus.config.source.dead_letter_subject.clone();
    match bus.js.send_publish(subject, publish).await {
        Ok(ack) => ack.await.map(|_| ()).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Asks for the message to be delivered again after `retry_delay_ms`.
pub async fn retry_later(bus: &Bus, delivery: &Delivery) {
    let delay = Duration::from_millis(bus.config.source.retry_delay_ms);
    if let Err(e) = delivery.acker.ack_with(AckKind::Nak(Some(delay))).await {
        tracing::warn!(error = %e, "nats: nak failed; the message comes back after ack_wait");
    }
}
