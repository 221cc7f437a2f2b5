//! The span each HTTP request is traced in: its method and its route — the template it matched
//! (`/vote/{secret}`), never the path it came with. Paths carry secrets: the calendar feed's
//! token, a sign-in link's, a voting link's; tower-http's default span records the whole URI,
//! which a `debug` log level would then print with every line of the request.

use axum::extract::MatchedPath;
use axum::http::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, TraceLayer};
use tracing::Span;

/// Makes a request's span from its method and matched route.
#[derive(Debug, Clone, Copy, Default)]
pub struct RouteSpan;

impl<B> MakeSpan<B> for RouteSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request.extensions().get::<MatchedPath>().map_or("(no route)", MatchedPath::as_str);
        tracing::debug_span!("request", method = %request.method(), route, version = ?request.version())
    }
}

/// tower-http's trace layer with [`RouteSpan`]: for the API and the pages alike.
pub fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RouteSpan> {
    TraceLayer::new_for_http().make_span_with(RouteSpan)
}

#[cfg(test)]
mod tests {
    use super::trace_layer;
    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    /// What the subscriber writes, kept for the test to read.
    #[derive(Clone, Default)]
    struct Written(Arc<Mutex<Vec<u8>>>);

    impl Write for Written {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_debug_log_names_the_route_never_the_secret_in_the_path() {
        let written = Written::default();
        let sink = written.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = Router::new().route("/vote/{secret}", get(|| async { "ok" })).layer(trace_layer());
        let secret = "kZ3v9xQpL2mN8rT4wY6bH1cD5fG7jA0e";
        for path in [format!("/vote/{secret}"), format!("/nowhere/{secret}")] {
            let request = Request::get(path).body(Body::empty()).expect("a request");
            app.clone().oneshot(request).await.expect("an answer");
        }
        let log = String::from_utf8(written.0.lock().expect("the log").clone()).expect("UTF-8");
        assert!(log.contains(r#"route="/vote/{secret}""#), "the route is named: {log}");
        assert!(log.contains(r#"route="(no route)""#), "an unknown path is not printed: {log}");
        assert!(!log.contains(secret), "the secret never: {log}");
    }
}
