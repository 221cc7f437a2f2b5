//! The rate limits of signing in: links per address per hour, counted in the database so that
//! two instances of the service share the count, with the same answer (and no email) beyond
//! it; sign-in requests per client address, answered 429 beyond it. Another address or client
//! is not affected.

use crate::{Browser, World, csrf_of, worlds};
use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderName, Request, StatusCode, header};
use chrono::TimeDelta;
use ohjaus_web::limits::SignInLimits;
use ohjaus_web::{WebConfig, WebState};
use std::net::SocketAddr;

fn config(limits: SignInLimits) -> WebConfig {
    WebConfig { sign_in_limits: limits, ..WebConfig::new("http://ohjaus.test".parse().unwrap()) }
}

/// Asks `app` for a link to `email` from `browser`, with `headers` added.
async fn ask(browser: &mut Browser, app: &Router, email: &str, headers: &[(&str, &str)]) -> crate::Answer {
    let csrf = browser.csrf(app, "/sign-in").await;
    let form: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("csrf", csrf.as_str()), ("email", email)])
        .finish();
    let mut request = Request::post("/sign-in")
        .header(header::COOKIE, browser.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    browser.send(app, request.body(Body::from(form)).unwrap()).await
}

/// The links queued since the last look, once every instance's background work is done.
async fn new_links(world: &World, instances: &[&WebState]) -> usize {
    for state in instances {
        state.settled().await;
    }
    world.sent_links().await.len()
}

#[tokio::test]
async fn an_address_has_its_links_per_hour_across_instances_then_the_same_page_and_no_email() {
    for world in worlds().await {
        // Two instances of the pages on one database, each allowing three links an hour.
        let (state_a, a) = world.pages(config(SignInLimits::new(3, 0, None)));
        let (state_b, b) = world.pages(config(SignInLimits::new(3, 0, None)));
        let both = [&state_a, &state_b];
        let mut browser = Browser::default();
        let first = ask(&mut browser, &a, world.participant_email, &[]).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(new_links(&world, &both).await, 1);
        ask(&mut browser, &b, world.participant_email, &[]).await;
        ask(&mut browser, &a, &world.participant_email.to_uppercase(), &[]).await;
        assert_eq!(new_links(&world, &both).await, 2, "the same address in another case is the same address");

        // The fourth, on either instance: the same page, no email.
        let limited = ask(&mut browser, &b, world.participant_email, &[]).await;
        assert_eq!((limited.status, &limited.text), (first.status, &first.text));
        ask(&mut browser, &a, world.participant_email, &[]).await;
        assert_eq!(new_links(&world, &both).await, 0, "no link beyond the allowance");
        let unknown = ask(&mut browser, &a, "nobody@a.example", &[]).await;
        assert_eq!((unknown.status, &unknown.text), (first.status, &first.text), "alike for an unknown address");

        // Another address is not affected; an hour later the address has its allowance again.
        ask(&mut browser, &b, world.coordinator_email, &[]).await;
        assert_eq!(new_links(&world, &both).await, 1);
        world.advance(TimeDelta::minutes(61));
        ask(&mut browser, &a, world.participant_email, &[]).await;
        assert_eq!(new_links(&world, &both).await, 1);
        world.close().await;
    }
}

#[tokio::test]
async fn a_client_over_its_allowance_gets_429_and_others_do_not() {
    for world in worlds().await {
        // Behind a proxy that appends the client's address to X-Forwarded-For.
        let forwarded = SignInLimits::new(0, 2, Some(HeaderName::from_static("x-forwarded-for")));
        let (state, app) = world.pages(config(forwarded));
        let mut browser = Browser::default();
        let from = |client: &'static str| [("x-forwarded-for", client)];
        for _ in 0..2 {
            let asked = ask(&mut browser, &app, world.participant_email, &from("198.51.100.9, 203.0.113.7")).await;
            assert_eq!(asked.status, StatusCode::OK);
        }
        let refused = ask(&mut browser, &app, world.participant_email, &from("198.51.100.9, 203.0.113.7")).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.text.contains("Liian monta yritystä"), "{}", refused.text);
        let retry: u64 = refused.retry_after.expect("Retry-After").parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        // The entry a client writes itself (the first) is not its address; the proxy's is.
        let other = ask(&mut browser, &app, world.participant_email, &from("203.0.113.7, 203.0.113.8")).await;
        assert_eq!(other.status, StatusCode::OK);
        assert_eq!(new_links(&world, &[&state]).await, 3, "the refused request sent nothing");

        // Without a proxy, the connection's address.
        let (_, app) = world.pages(config(SignInLimits::new(0, 1, None)));
        let peer = |port| app.clone().layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 1], port))));
        assert_eq!(ask(&mut browser, &peer(4000), world.participant_email, &[]).await.status, StatusCode::OK);
        let again = ask(&mut browser, &peer(4001), world.participant_email, &[]).await;
        assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS, "the same address from another port");
        let elsewhere = app.clone().layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 2], 4000))));
        assert_eq!(ask(&mut browser, &elsewhere, world.participant_email, &[]).await.status, StatusCode::OK);
        world.close().await;
    }
}

#[tokio::test]
async fn the_sign_in_form_works_as_before_with_the_default_limits() {
    for world in worlds().await {
        let mut browser = Browser::default();
        let page = browser.get(&world.app, "/sign-in").await;
        let csrf = csrf_of(&page.text);
        for _ in 0..3 {
            let asked =
                browser.post(&world.app, "/sign-in", &[("csrf", &csrf), ("email", world.supervisor_email)]).await;
            assert_eq!(asked.status, StatusCode::OK);
        }
        assert_eq!(world.sent_links().await.len(), 3, "a person asking a few times gets every link");
        world.close().await;
    }
}
