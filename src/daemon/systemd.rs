//! systemd integration through `sd_notify`: readiness, stopping, status and watchdog.
//!
//! Outside systemd (`NOTIFY_SOCKET` unset) every call is a no-op.

use std::sync::Arc;
use std::time::Duration;

use sd_notify::NotifyState;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{Runtime, Shared};

fn send(states: &[NotifyState]) {
    if std::env::var_os("NOTIFY_SOCKET").is_none() {
        return;
    }
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "sd_notify failed");
    }
}

/// Tells systemd start-up is complete (recovery done, inbox watched).
pub fn ready() {
    send(&[
        NotifyState::Ready,
        NotifyState::Status("watching the inbox"),
    ]);
}

/// Tells systemd the daemon is shutting down.
pub fn stopping() {
    send(&[
        NotifyState::Stopping,
        NotifyState::Status("finishing in-flight articles"),
    ]);
}

/// Pings the watchdog at half its interval, but only while the pipeline makes progress:
/// when work is waiting or in flight and nothing finished for `daemon.stall_timeout_s`,
/// the pings stop and systemd restarts the service.
pub async fn watchdog(
    shared: Arc<Shared>,
    runtime: watch::Receiver<Arc<Runtime>>,
    cancel: CancellationToken,
) {
    let Some(interval) = sd_notify::watchdog_enabled() else {
        return;
    };
    let period = (interval / 2).max(Duration::from_millis(100));
    let mut tick = tokio::time::interval(period);
    let mut stalled_logged = false;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let stall = Duration::from_secs(runtime.borrow().config.daemon.stall_timeout_s);
        if shared.stalled(stall) {
            if !stalled_logged {
                tracing::error!(
                    stall_s = stall.as_secs(),
                    "pipeline stalled; withholding watchdog pings"
                );
                stalled_logged = true;
            }
            continue;
        }
        stalled_logged = false;
        let status = format!(
            "processed {}, failed {}",
            shared
                .stats
                .succeeded
                .load(std::sync::atomic::Ordering::Relaxed),
            shared
                .stats
                .failed
                .load(std::sync::atomic::Ordering::Relaxed)
        );
        send(&[NotifyState::Watchdog, NotifyState::Status(&status)]);
    }
}
