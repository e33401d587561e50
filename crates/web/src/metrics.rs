//! `GET /metrics`: the server's own figures in the Prometheus text format, for an
//! administrator's account or API token (a monitoring system scrapes it with a token).
//!
//! Requests by route (the route's pattern, never the raw path, so member numbers and ids
//! never become labels) and status, their latency as a histogram, and at each scrape the
//! store's gauges: pool use, the writes waiting their turn, the notification backlog.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::Permission;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::ApiError;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: String,
    state: String,
}

/// The registry and the metrics the middleware feeds.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pool: Family<PoolLabels, Gauge>,
    commit_queue: Gauge,
    pending_counter_rows: Gauge,
    outbox_backlog: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("jakpreneur");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route pattern and status",
            requests.clone(),
        );
        // 1 ms to about 16 s.
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request (until the response head), by method and route",
            latency.clone(),
        );
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_connections",
            "Database connections by pool and state (open, idle, max)",
            pool.clone(),
        );
        let commit_queue = Gauge::default();
        registry.register(
            "write_queue_registrations",
            "Registrations waiting for SQLite's group commit",
            commit_queue.clone(),
        );
        let pending_counter_rows = Gauge::default();
        registry.register(
            "write_queue_counter_rows",
            "Statistics counter changes waiting to be folded into the counters",
            pending_counter_rows.clone(),
        );
        let outbox_backlog = Gauge::default();
        registry.register(
            "outbox_backlog",
            "Notifications waiting for delivery",
            outbox_backlog.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            pool,
            commit_queue,
            pending_counter_rows,
            outbox_backlog,
        }
    }
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: StatusCode, started: Instant) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status: status.as_u16(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(started.elapsed().as_secs_f64());
    }

    async fn render(&self, store: &jakpreneur_store::Store) -> Result<String, ApiError> {
        let g = store.gauges().await?;
        for p in &g.pools {
            for (state, n) in [("open", p.open), ("idle", p.idle), ("max", p.max)] {
                self.pool
                    .get_or_create(&PoolLabels {
                        pool: p.pool.to_owned(),
                        state: state.to_owned(),
                    })
                    .set(i64::from(n));
            }
        }
        self.commit_queue
            .set(i64::try_from(g.commit_queue).unwrap_or(i64::MAX));
        self.pending_counter_rows.set(g.pending_counter_rows);
        self.outbox_backlog.set(g.outbox_backlog);
        let mut text = String::new();
        encode(&mut text, &self.registry).map_err(|_| ApiError::internal())?;
        Ok(text)
    }
}

/// Counts every request and times it, by its route pattern (`unmatched` for a 404).
pub async fn record(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let res = next.run(req).await;
    app.metrics.observe(&method, &route, res.status(), started);
    res
}

/// `GET /metrics`: administrators only (an account or an API token).
pub async fn metrics(
    State(app): State<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<Response, ApiError> {
    if !actor.can(Permission::AuditRead) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the metrics are for administrators",
        ));
    }
    let text = app.metrics.render(&app.store).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
