//! `ohjaus serve`: migrations, the API and the web pages over HTTP, and the worker in the same
//! process unless `--no-worker`.

use super::Failure;
use crate::config::Config;
use crate::runtime::{open_store, shutdown_signal, stopped};
use anyhow::Context as _;
use ohjaus_api::{ApiConfig, AppState};
use ohjaus_web::{WebConfig, WebState};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long sign-in links still being queued at shutdown are waited for.
const BACKGROUND_GRACE: Duration = Duration::from_secs(10);

/// Serves until SIGTERM or Ctrl-C, then lets requests and the message in hand finish.
pub async fn run(config: Config, with_worker: bool) -> Result<(), Failure> {
    // The mail transport first: an unusable mail folder (or SMTP URL) stops start-up with its
    // cause before anything listens, not after.
    let mailer = if with_worker { Some(ohjaus_notify::Mailer::from_config(&config.mail)?) } else { None };
    let store = open_store(&config).await?;
    let public_url = url::Url::parse(&config.http.public_url).context("http.public_url")?;
    // The feeds name the invitations' ORGANIZER, also when this process sends no mail.
    let organizer = ohjaus_notify::organizer_of(&config.mail)?;
    let state = AppState {
        store: store.clone(),
        metrics: ohjaus_api::metrics::Metrics::default(),
        clock: config.clock(),
        config: Arc::new(ApiConfig {
            public_url: public_url.clone(),
            request_timeout: Duration::from_secs(config.http.request_timeout_seconds),
            body_limit_bytes: config.http.body_limit_bytes,
            calendar_organizer: ohjaus_core::notice::Party {
                name: organizer.name.clone().unwrap_or_default(),
                email: organizer.email.to_string(),
            },
        }),
        feeds: config.feeds.cache(),
    };
    let address = config.listen_addr()?;
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| format!("listening on {address}"))?;
    let local = listener.local_addr().context("reading the listening address")?;
    // Tests and scripts read this line to find a port chosen by the system (`:0`).
    tracing::info!("listening on http://{local}");
    let signal = shutdown_signal();

    let worker = mailer.map(|mailer| {
        let stop = stopped(signal.clone());
        tokio::spawn(ohjaus_notify::run(config.worker(store.clone(), mailer, state.clock.clone()), stop))
    });
    // The pages for people share the store and the clock; the API's fallback answers every
    // path neither serves. The pages get the same tracing and time limit as the API.
    let web = WebState::with_config(
        store.clone(),
        state.clock.clone(),
        WebConfig { sign_in_limits: config.sign_in_limits()?, ..WebConfig::new(public_url) },
    );
    let pages = ohjaus_web::router(web.clone())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.http.request_timeout_seconds),
        ))
        .layer(ohjaus_api::request_span::trace_layer())
        // A change made on a page shows in the feeds at once, as one made through the API.
        .layer(axum::middleware::from_fn_with_state(
            state.feeds.clone(),
            ohjaus_api::feed_cache::FeedCache::track_writes,
        ));
    let app = ohjaus_api::router(state).layer(config.api_limits().layer()).merge(pages);
    // The peer's address reaches the handlers for the sign-in limit per client.
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(stopped(signal))
        .await
        .context("serving HTTP")?;
    if tokio::time::timeout(BACKGROUND_GRACE, web.settled()).await.is_err() {
        tracing::warn!("stopped without waiting longer for sign-in links still being queued");
    }
    if let Some(worker) = worker {
        worker.await.context("the worker task")?.context("the worker stopped")?;
    }
    tracing::info!("stopped");
    Ok(())
}
