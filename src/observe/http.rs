//! The observability listener: `/metrics`, `/healthz`, `/readyz`, and the live page.
//!
//! One small axum server on the daemon's tokio runtime. Handlers only read atomics
//! and take the recent-articles lock briefly; nothing here can hold up the pipeline.
//!
//! | path | what |
//! | --- | --- |
//! | `/metrics` | Prometheus exposition (OpenMetrics text) |
//! | `/healthz` | 200 while the process serves requests |
//! | `/readyz` | 200 once recovery is done and while the writer is not stalled, else 503 |
//! | `/` , `/page.js`, `/page.css` | the live page (embedded; no external URLs) |
//! | `/api/recent` | the latest articles, newest first (JSON) |
//! | `/api/stats` | articles per minute, top entities, totals (JSON) |
//!
//! The page and its JSON carry article text, so they answer only requests whose
//! `Host` is an IP address or `localhost`: a web page elsewhere cannot read them
//! through DNS rebinding. A strict Content-Security-Policy keeps the page to its own
//! script, whatever an article says.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::metrics::Metrics;
use super::recent::Recent;
use super::status::Totals;

const INDEX_HTML: &str = include_str!("page/index.html");
const PAGE_JS: &str = include_str!("page/page.js");
const PAGE_CSS: &str = include_str!("page/page.css");

/// The page may load only its own script and style, and talk only to this listener.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                   connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// What readiness depends on, answered by the daemon.
pub trait Probe: Send + Sync {
    /// Recovery is done and the writer is not stalled.
    fn ready(&self) -> bool;
    /// Refreshes gauges that are cheap to read (in-flight articles, readiness)
    /// before an exposition.
    fn refresh(&self);
}

/// What the handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// The metrics registry.
    pub metrics: Arc<Metrics>,
    /// Recent articles and history.
    pub recent: Arc<Recent>,
    /// Readiness.
    pub probe: Arc<dyn Probe>,
}

/// Serves until `cancel` fires.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: HttpState,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/", get(index))
        .route("/page.js", get(page_js))
        .route("/page.css", get(page_css))
        .route("/api/recent", get(api_recent))
        .route("/api/stats", get(api_stats))
        .with_state(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(cancel.cancelled_owned())
        .await
}

async fn metrics(State(s): State<HttpState>) -> Response {
    s.probe.refresh();
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.metrics.encode(),
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(s): State<HttpState>) -> Response {
    if s.probe.ready() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response()
    }
}

/// True when the `Host` header names an IP address or `localhost` (with any port).
fn local_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        // HTTP/1.0 without Host: not a browser on a rebound name.
        return true;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => {
            return v6
                .split(']')
                .next()
                .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok());
        }
        None => host.rsplit_once(':').map_or(host, |(n, _)| n),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

fn page(headers: &HeaderMap, content_type: &'static str, body: Vec<u8>) -> Response {
    if !local_host(headers) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "the page answers only to an IP address or localhost\n",
        )
            .into_response();
    }
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn index(headers: HeaderMap) -> Response {
    page(
        &headers,
        "text/html; charset=utf-8",
        INDEX_HTML.as_bytes().to_vec(),
    )
}

async fn page_js(headers: HeaderMap) -> Response {
    page(
        &headers,
        "text/javascript; charset=utf-8",
        PAGE_JS.as_bytes().to_vec(),
    )
}

async fn page_css(headers: HeaderMap) -> Response {
    page(
        &headers,
        "text/css; charset=utf-8",
        PAGE_CSS.as_bytes().to_vec(),
    )
}

fn json(headers: &HeaderMap, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => page(headers, "application/json", body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn api_recent(State(s): State<HttpState>, headers: HeaderMap) -> Response {
    let latest = s.recent.latest();
    let articles: Vec<&super::recent::RecentArticle> = latest.iter().map(Arc::as_ref).collect();
    json(&headers, &articles)
}

#[derive(Serialize)]
struct Stats {
    #[serde(flatten)]
    history: super::recent::History,
    totals: Totals,
    ready: bool,
    version: &'static str,
}

async fn api_stats(State(s): State<HttpState>, headers: HeaderMap) -> Response {
    let stats = Stats {
        history: s.recent.history(crate::clock::unix_now(), 15),
        totals: Totals::of(&s.metrics),
        ready: s.probe.ready(),
        version: env!("CARGO_PKG_VERSION"),
    };
    json(&headers, &stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(h: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        m
    }

    #[test]
    fn page_answers_only_to_addresses_and_localhost() {
        assert!(local_host(&host("127.0.0.1:9477")));
        assert!(local_host(&host("localhost:9477")));
        assert!(local_host(&host("[::1]:9477")));
        assert!(local_host(&host("10.1.2.3")));
        assert!(!local_host(&host("evil.example:9477")));
        assert!(!local_host(&host("[evil]:1")));
    }
}
