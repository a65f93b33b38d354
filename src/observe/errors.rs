//! The last error the daemon logged, kept for the status file and `newsd status`.
//!
//! A `tracing` layer watches ERROR events and keeps the latest one, message and
//! fields, in a process-wide slot: the log is the one place every component already
//! reports its errors to, so nothing else needs to know about the status file.
//! Errors are rare, so a mutex per error costs nothing.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// An error event as the status file shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastError {
    /// When it was logged, RFC 3339 UTC.
    pub time: String,
    /// The message followed by its fields (`key=value`).
    pub message: String,
}

static LAST: Mutex<Option<LastError>> = Mutex::new(None);

/// The latest ERROR event logged by this process, if any.
pub fn last() -> Option<LastError> {
    LAST.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Keeps the latest ERROR event (see [`last`]). Installed by [`crate::logging::init`].
#[derive(Debug, Default, Clone, Copy)]
pub struct LastErrorLayer;

impl<S: Subscriber> Layer<S> for LastErrorLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if *event.metadata().level() != Level::ERROR {
            return;
        }
        let mut v = Fields::default();
        event.record(&mut v);
        let mut message = v.message;
        if !v.rest.is_empty() {
            if !message.is_empty() {
                message.push(' ');
            }
            message.push_str(&v.rest);
        }
        *LAST.lock().unwrap_or_else(|e| e.into_inner()) = Some(LastError {
            time: crate::clock::rfc3339(SystemTime::now()),
            message,
        });
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            if !self.rest.is_empty() {
                self.rest.push(' ');
            }
            let _ = write!(self.rest, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            if !self.rest.is_empty() {
                self.rest.push(' ');
            }
            let _ = write!(self.rest, "{}={value}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn keeps_the_latest_error_with_its_fields() {
        let subscriber = tracing_subscriber::registry().with(LastErrorLayer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("not an error");
            tracing::error!(error = "disk full", "cannot write outbox");
        });
        let last = last().expect("an error was kept");
        assert_eq!(last.message, "cannot write outbox error=disk full");
    }
}
