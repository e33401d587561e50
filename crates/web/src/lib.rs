//! Jakpreneur's HTTP surface: the JSON API under `/api/v1` (with its OpenAPI document and
//! an offline docs page) and the server-rendered HTML pages. [`build_router`] is what the
//! binary serves and what tests drive with `oneshot`.

pub mod api;
pub mod clock;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod pages;
pub mod router;
pub mod views;

use std::sync::Arc;

pub use clock::Clock;
pub use router::build_router;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: jakpreneur_store::Store,
    pub clock: Clock,
    pub i18n: Arc<i18n::Catalogues>,
}

impl AppState {
    pub fn new(store: jakpreneur_store::Store, clock: Clock) -> Self {
        Self {
            store,
            clock,
            i18n: Arc::new(i18n::Catalogues::embedded()),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
