//! Jakpreneur's HTTP surface: the JSON API under `/api/v1` (with its OpenAPI document and
//! an offline docs page) and the server-rendered HTML pages. [`build_router`] is what the
//! binary serves and what tests drive with `oneshot`.

pub mod api;
pub mod auth;
pub mod charts;
pub mod download;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod imports;
pub mod metrics;
pub mod ocds;
pub mod pages;
pub mod params;
pub mod request_id;
pub mod router;
pub mod security;
pub mod views;

use std::sync::Arc;

pub use jakpreneur_core::Clock;
pub use router::build_router;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: jakpreneur_store::Store,
    pub clock: Clock,
    pub i18n: Arc<i18n::Catalogues>,
    pub security: Arc<SecuritySettings>,
    /// The prefix of e-order's open contracting ids (`ocds-` and six characters).
    pub ocid_prefix: Arc<str>,
    /// Imports started from the upload page.
    pub imports: Arc<imports::ImportJobs>,
    /// Request counts and latencies, for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// `serve --demo`: the authenticator key published with the demo accounts, so the
    /// second sign-in step can show its current code (a demo has no phones).
    pub demo_two_factor_key: Option<Arc<str>>,
}

/// Accounts policy, rate limits and cookie flags, from the typed configuration.
#[derive(Debug, Clone)]
pub struct SecuritySettings {
    pub accounts: jakpreneur_store::AccountPolicy,
    pub limits: security::RateLimits,
    /// Mark cookies `Secure` (set when the site is served over HTTPS).
    pub secure_cookies: bool,
    /// The threshold of the open statistics: no count below it can be read or worked out
    /// for a district, a village or a group; province and city totals are exact.
    pub public_stats_min_count: i64,
}

impl SecuritySettings {
    /// The lowest perturbed value the open statistics show (below it: `null`, "<7"): the
    /// threshold plus the noise bound, so a shown value never places a count below the
    /// threshold (`jakpreneur_core::disclosure`).
    pub fn shown_from(&self) -> i64 {
        self.public_stats_min_count + jakpreneur_core::disclosure::NOISE_BOUND
    }
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            accounts: jakpreneur_store::AccountPolicy::default(),
            limits: security::RateLimits::new(10, 60),
            secure_cookies: false,
            public_stats_min_count: 5,
        }
    }
}

impl AppState {
    pub fn new(store: jakpreneur_store::Store, clock: Clock, security: SecuritySettings) -> Self {
        Self {
            store,
            clock,
            i18n: Arc::new(i18n::Catalogues::embedded()),
            security: Arc::new(security),
            ocid_prefix: Arc::from(DEFAULT_OCID_PREFIX),
            imports: Arc::default(),
            metrics: Arc::default(),
            demo_two_factor_key: None,
        }
    }

    /// The same state for `serve --demo`, whose staff accounts share the published
    /// authenticator key `key`.
    pub fn with_demo_two_factor_key(mut self, key: &str) -> Self {
        self.demo_two_factor_key = Some(Arc::from(key));
        self
    }

    /// The same state, publishing open contracting data under `prefix`.
    pub fn with_ocid_prefix(mut self, prefix: &str) -> Self {
        self.ocid_prefix = Arc::from(prefix);
        self
    }
}

/// The `ocid` prefix until one is configured; a publisher registers its own with the Open
/// Contracting Partnership.
pub const DEFAULT_OCID_PREFIX: &str = "ocds-jkp000";

/// How long a client may take to send its request headers before the connection is
/// closed: a client that opens connections and never finishes them (slowloris) cannot
/// hold the server's sockets.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long shutdown waits for requests in flight.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves `router` on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, HEADER_READ_TIMEOUT).await
}

/// [`serve`] with a chosen header timeout. `axum::serve` gives hyper no timer, and
/// without one hyper's header timeout never fires; this loop gives it one.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    header_read_timeout: std::time::Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok((stream, peer)) => (stream, peer),
                    Err(e) => {
                        // Out of file descriptors and the like: back off, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                // Handlers learn the client's address (audit log, rate limits) from this.
                let service = TowerToHyperService::new(router.clone().layer(
                    axum::Extension(axum::extract::ConnectInfo(peer)),
                ));
                let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("requests still running at shutdown were cut off"),
    }
    Ok(())
}
