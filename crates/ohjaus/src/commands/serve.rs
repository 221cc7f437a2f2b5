//! `ohjaus serve`: migrations, the API and the web pages over HTTP, and the worker in the same
//! process unless `--no-worker`.

use super::Failure;
use crate::config::Config;
use crate::runtime::{open_store, shutdown_signal, stopped};
use anyhow::Context as _;
use ohjaus_api::{ApiConfig, AppState};
use std::sync::Arc;
use std::time::Duration;

/// Serves until SIGTERM or Ctrl-C, then lets requests and the message in hand finish.
pub async fn run(config: Config, with_worker: bool) -> Result<(), Failure> {
    let store = open_store(&config).await?;
    let public_url = url::Url::parse(&config.http.public_url).context("http.public_url")?;
    let state = AppState {
        store: store.clone(),
        metrics: ohjaus_api::metrics::Metrics::default(),
        clock: config.clock(),
        config: Arc::new(ApiConfig {
            public_url: public_url.clone(),
            request_timeout: Duration::from_secs(config.http.request_timeout_seconds),
            body_limit_bytes: config.http.body_limit_bytes,
        }),
    };
    let address = config.listen_addr()?;
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| format!("listening on {address}"))?;
    let local = listener.local_addr().context("reading the listening address")?;
    // Tests and scripts read this line to find a port chosen by the system (`:0`).
    tracing::info!("listening on http://{local}");
    let signal = shutdown_signal();

    let worker = if with_worker {
        let mailer = ohjaus_notify::Mailer::from_config(&config.mail).context("setting up mail")?;
        let stop = stopped(signal.clone());
        let worker =
            ohjaus_notify::Worker::new(store.clone(), config.worker_config(), mailer).with_clock(state.clock.clone());
        Some(tokio::spawn(ohjaus_notify::run(worker, stop)))
    } else {
        None
    };
    // The pages for people share the store and the clock; the API's fallback answers every
    // path neither serves. The pages get the same tracing and time limit as the API.
    let pages = ohjaus_web::router(ohjaus_web::WebState::new(store.clone(), state.clock.clone(), public_url))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.http.request_timeout_seconds),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http());
    let app = ohjaus_api::router(state).merge(pages);
    axum::serve(listener, app).with_graceful_shutdown(stopped(signal)).await.context("serving HTTP")?;
    if let Some(worker) = worker {
        worker.await.context("the worker task")?.context("the worker stopped")?;
    }
    tracing::info!("stopped");
    Ok(())
}
