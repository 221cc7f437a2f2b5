//! Webhook delivery, following Standard Webhooks: claim due deliveries under a lease (the
//! store keeps each attempt to one worker and the events of one series in order), POST each
//! event's JSON with `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,` and the
//! base64 HMAC-SHA256 of `id.timestamp.body` under each current secret), and record what
//! came of it.
//!
//! Success is a 2xx within the timeout (15 s); a 3xx is a failure and never followed; a 429
//! or 503 with `Retry-After` waits that long; a 410 disables the endpoint. Requests go
//! through the outgoing client of `ohjaus-calendars`: its address policy (no loopback,
//! private or link-local target unless allowed) is checked after DNS, and at most 64 kB of
//! an answer is read. The URL and the secrets never reach a log.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::TimeDelta;
use hmac::{Hmac, KeyInit as _, Mac as _};
use ohjaus_calendars::{AddressPolicy, FetchError, OutgoingClient, OutgoingConfig, OutgoingRequest, OutgoingUrl};
use ohjaus_store::outbox::webhook_deliveries::{ClaimedDelivery, DeliveryOutcome, DeliveryResult, MAX_RESPONSE_KEPT};
use ohjaus_store::{Clock, Store, StoreError};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{debug, error, info, warn};

/// How webhooks are delivered.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Allow loopback and private targets (tests, on-premise receivers).
    pub allow_private_addresses: bool,
    /// Deliveries claimed (and posted at once) per pass.
    pub batch: u32,
    /// How long a claim holds: longer than the timeout, so no attempt overlaps another.
    pub lease: TimeDelta,
    /// A 2xx must come within this.
    pub timeout: Duration,
    /// Most bytes of an answer read.
    pub max_response_bytes: u64,
    /// Pause when nothing was due.
    pub idle_poll: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            allow_private_addresses: false,
            batch: 100,
            lease: TimeDelta::minutes(2),
            timeout: Duration::from_secs(15),
            max_response_bytes: 64 * 1024,
            idle_poll: Duration::from_secs(1),
        }
    }
}

/// The `webhook-signature` of one secret: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` keyed with the base64-decoded part after `whsec_`. `None` for a
/// secret that is not base64.
pub fn sign(secret: &str, message_id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = BASE64.decode(secret.strip_prefix("whsec_").unwrap_or(secret)).ok()?;
    let mut mac = Hmac::<sha2_v011::Sha256>::new_from_slice(&key).ok()?;
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// The seconds of a `Retry-After` (delta-seconds, or an HTTP date after `now`).
fn retry_after(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<TimeDelta> {
    let text = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(TimeDelta::seconds(seconds.max(0)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    Some((at.to_utc() - now).max(TimeDelta::zero()))
}

/// Delivers webhooks; cheap to clone.
#[derive(Clone)]
pub struct WebhookSender {
    store: Store,
    client: OutgoingClient,
    config: Arc<WebhookConfig>,
    owner: Arc<str>,
    clock: Clock,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSender").field("owner", &self.owner).finish_non_exhaustive()
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookPass {
    /// Deliveries claimed.
    pub claimed: usize,
    /// Delivered (2xx).
    pub delivered: usize,
    /// Failed and queued again.
    pub retried: usize,
    /// Failed for good.
    pub failed: usize,
    /// Results refused because the lease had passed.
    pub stale: usize,
}

impl WebhookSender {
    /// A sender on `store` whose leases carry `owner`, reading time from `clock`.
    pub fn new(store: Store, config: WebhookConfig, owner: &str, clock: Clock) -> Result<Self, FetchError> {
        let client = OutgoingClient::new(OutgoingConfig {
            policy: AddressPolicy {
                allow_private_addresses: config.allow_private_addresses,
                ..AddressPolicy::default()
            },
            max_redirects: 0,
            timeout: config.timeout,
            max_body_bytes: config.max_response_bytes,
            user_agent: concat!("Ohjaus/", env!("CARGO_PKG_VERSION"), " (webhooks)").to_owned(),
            hosts: Default::default(),
        })?;
        Ok(Self { store, client, config: Arc::new(config), owner: owner.into(), clock })
    }

    /// The name its leases carry.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Claims one batch, posts every delivery of it at once, and records the results.
    pub async fn pass(&self) -> Result<WebhookPass, StoreError> {
        let claimed = self
            .store
            .claim_webhook_deliveries(&self.owner, self.config.batch, self.config.lease, self.clock.now())
            .await?;
        let mut report = WebhookPass { claimed: claimed.len(), ..WebhookPass::default() };
        if claimed.is_empty() {
            return Ok(report);
        }
        let mut attempts = JoinSet::new();
        for delivery in claimed {
            let sender = self.clone();
            attempts.spawn(async move { sender.attempt(&delivery).await });
        }
        let mut results = Vec::with_capacity(report.claimed);
        while let Some(done) = attempts.join_next().await {
            match done {
                Ok(result) => results.push(result),
                Err(e) => error!(error = %e, "a webhook attempt ended abnormally"),
            }
        }
        let outcomes = self.store.finish_webhook_deliveries(&self.owner, &results, self.clock.now()).await?;
        for outcome in outcomes {
            match outcome {
                DeliveryOutcome::Delivered => report.delivered += 1,
                DeliveryOutcome::Retry { .. } => report.retried += 1,
                DeliveryOutcome::Failed => report.failed += 1,
                DeliveryOutcome::Stale => report.stale += 1,
            }
        }
        Ok(report)
    }

    /// One attempt of one delivery.
    async fn attempt(&self, delivery: &ClaimedDelivery) -> DeliveryResult {
        let started = Instant::now();
        let result = |status_code: Option<u16>, error: Option<String>| DeliveryResult {
            id: delivery.id,
            status_code,
            delivered: false,
            error,
            duration_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
            response: None,
            retry_after: None,
        };
        let url = match OutgoingUrl::parse(&delivery.url) {
            Ok(url) => url,
            Err(e) => return result(None, Some(e.to_string())),
        };
        let timestamp = self.clock.now().timestamp();
        let signatures: Vec<String> = delivery
            .secrets
            .iter()
            .filter_map(|secret| sign(secret, &delivery.message_id, timestamp, delivery.body.as_bytes()))
            .collect();
        let mut headers = HeaderMap::new();
        let mut put = |name: &'static str, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        };
        put("webhook-id", &delivery.message_id);
        put("webhook-timestamp", &timestamp.to_string());
        put("webhook-signature", &signatures.join(" "));
        put("content-type", "application/json");
        let request = OutgoingRequest {
            method: Method::POST,
            url,
            headers,
            body: Some(delivery.body.clone().into_bytes()),
            basic_auth: None,
        };
        let answer = self.client.send_truncating(request).await;
        let mut outcome = match answer {
            Err(e) => result(None, Some(e.to_string())),
            Ok(response) => {
                let status = response.status;
                let kept = &response.body[..response.body.len().min(MAX_RESPONSE_KEPT)];
                let mut outcome = result(Some(status.as_u16()), None);
                outcome.response = (!kept.is_empty()).then(|| String::from_utf8_lossy(kept).into_owned());
                if status.is_success() {
                    outcome.delivered = true;
                } else {
                    outcome.error = Some(if status.is_redirection() {
                        format!("the endpoint answered {} (redirects are not followed)", status.as_u16())
                    } else {
                        format!("the endpoint answered {}", status.as_u16())
                    });
                    if matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE) {
                        outcome.retry_after = retry_after(&response.headers, self.clock.now());
                    }
                }
                outcome
            }
        };
        outcome.duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        debug!(
            endpoint = %delivery.endpoint_id,
            message = %delivery.message_id,
            attempt = delivery.attempts,
            status = ?outcome.status_code,
            delivered = outcome.delivered,
            "webhook attempt"
        );
        outcome
    }

    /// Delivers until `stop` turns true: a pass, then — unless the batch was full — a pause.
    /// Store errors are logged and retried after the pause.
    pub async fn run(&self, mut stop: watch::Receiver<bool>) {
        info!(owner = %self.owner, "webhook delivery started");
        let batch = usize::try_from(self.config.batch.max(1)).unwrap_or(usize::MAX);
        while !*stop.borrow() {
            let full = match self.pass().await {
                Ok(report) => {
                    if report.retried + report.failed + report.stale > 0 {
                        warn!(
                            claimed = report.claimed,
                            delivered = report.delivered,
                            retried = report.retried,
                            failed = report.failed,
                            stale = report.stale,
                            "webhook pass"
                        );
                    }
                    report.claimed >= batch
                }
                Err(e) => {
                    error!(error = %e, "webhook pass failed");
                    false
                }
            };
            if !full {
                tokio::select! {
                    _ = tokio::time::sleep(self.config.idle_poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        info!(owner = %self.owner, "webhook delivery stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_of_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification (and its libraries' tests).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(sign("whsec_not base64!", "m", 1, b""), None);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2027-01-04T06:00:00Z").unwrap().to_utc();
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(retry_after(&headers, now), Some(TimeDelta::seconds(120)));
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("Mon, 04 Jan 2027 06:05:00 GMT"));
        assert_eq!(retry_after(&headers, now), Some(TimeDelta::minutes(5)));
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }
}
