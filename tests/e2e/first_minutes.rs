//! A new user's first ten minutes, as the README walks them: `ohjaus demo` says who it made
//! and how to sign in, and made a past to look at; the sign-in link asked for on the page is
//! read with `ohjaus mail last`, whole, and works; a database that cannot be reached, a role
//! that does not exist and a mail folder that cannot be used each stop the program at once
//! with one clear line naming where and why.

use crate::support::{Api, Program};
use ohjaus_store::testing::{Schema, TestBackend, TestDatabase, postgres_server};
use std::time::{Duration, Instant};

/// The value of cookie `name` set by `response`.
fn cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get_all(reqwest::header::SET_COOKIE).iter().find_map(|value| {
        let pair = value.to_str().ok()?.split(';').next()?;
        let (key, value) = pair.split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// The CSRF token of the first form of `html`.
fn csrf(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_tries_the_demo_and_signs_in_with_the_link_from_mail_last() {
    let database = TestDatabase::create(&TestBackend::Sqlite, Schema::Empty).await;
    let mail = tempfile::tempdir().unwrap();
    let program = Program::new(database.url(), mail.path());
    let none = program.run(&["mail", "last"]);
    assert_eq!(none.status.code(), Some(2), "no mail before the service ran");
    assert!(String::from_utf8_lossy(&none.stderr).contains("no messages"), "{none:?}");

    let demo = program.run(&["demo"]);
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let printed = stdout(&demo);
    for (name, address, role) in [
        ("Anna Virtanen", "anna.virtanen@tyonohjaus.example", "supervisor"),
        ("Maija Meikäläinen", "maija.meikalainen@kaukola.example", "coordinator of Kaukolan sairaala, osasto 5A"),
        ("Liisa Korhonen", "liisa.korhonen@kaukola.example", "participant"),
        ("Helena Lindholm", "helena.lindholm@vaahteramaki.example", "in Swedish"),
    ] {
        let line = printed.lines().find(|l| l.contains(address)).unwrap_or_else(|| panic!("{address}:\n{printed}"));
        assert!(line.contains(name) && line.contains(role), "{line}");
    }
    assert!(printed.contains("ohjaus mail last") && printed.contains("sign in at"), "{printed}");
    assert!(printed.contains("Vaahteramäen johtoryhmän työnohjaus"), "the series with a past:\n{printed}");

    let (mut server, base) = program.serve(&[]);
    let admin = program.admin_token();
    let api = Api::new(&base);

    // The past: sessions held with attendance, one cancelled late, goals reviewed, a shared note.
    let series = api.get("/api/v1/series?limit=200", &admin).await;
    let past = series.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Vaahteramäen johtoryhmän työnohjaus")
        .cloned()
        .expect("the series with a past");
    let sessions = api.get(&format!("/api/v1/series/{}/sessions", past["id"].as_str().unwrap()), &admin).await;
    let sessions = sessions.expect(200)["items"].as_array().unwrap().clone();
    let held: Vec<&serde_json::Value> = sessions.iter().filter(|s| s["status"] == "held").collect();
    assert!(held.len() >= 5, "sessions held: {}", held.len());
    assert!(sessions.iter().any(|s| s["late_cancellation"] == true), "one cancelled late");
    assert!(sessions.iter().any(|s| s["status"] == "scheduled"), "and it goes on");
    // Goals are the supervisor's and the participants' to read.
    let anna = program.run(&["token", "create", "--supervisor", past["supervisor_id"].as_str().unwrap()]);
    let anna = stdout(&anna).trim().to_owned();
    let goals = api.get(&format!("/api/v1/series/{}/goals", past["id"].as_str().unwrap()), &anna).await;
    let goals = goals.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(goals.len(), 2, "{goals:?}");
    let reviews: usize = goals.iter().map(|g| g["reviews"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(reviews, 12, "three reviewers, two goals, two phases: {goals:?}");
    // Its invoices: the earlier months approved and numbered, the newest month's a draft.
    let invoices = api.get("/api/v1/invoices?limit=200", &anna).await;
    let invoices = invoices.expect(200)["items"].as_array().unwrap().clone();
    let numbered = |i: &&serde_json::Value| i["number"].as_str().is_some_and(|n| n.starts_with("TV-"));
    assert!(invoices.iter().filter(|i| i["status"] == "approved").any(|i| numbered(&i)), "{invoices:?}");
    assert_eq!(invoices.iter().filter(|i| i["status"] == "draft").count(), 1, "{invoices:?}");
    let organization = past["organization_id"].as_str().unwrap();
    let report =
        api.get(&format!("/api/v1/organizations/{organization}/report?from=2026-01-01&to=2027-01-04"), &admin).await;
    assert!(report.text.contains("Vaahteramäen johtoryhmän työnohjaus"), "{}", report.text);
    // The leaders' rhythm poll: three options, the second on Anna's ward Tuesdays, so busy.
    let polls = api.get(&format!("/api/v1/organizations/{organization}/polls"), &admin).await;
    let polls = polls.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(polls.len(), 1, "{polls:?}");
    let options = polls[0]["options"].as_array().unwrap();
    assert_eq!(options.len(), 3, "{options:?}");
    let busy =
        |o: &serde_json::Value| o["conflicts"].as_array().unwrap().iter().any(|c| c["reason"] == "supervisor_busy");
    assert!(busy(&options[1]) && !busy(&options[0]) && !busy(&options[2]), "{options:?}");
    assert!(printed.contains("Johtoryhmän jatko-ohjaus"), "{printed}");

    // Signing in as a new user does: the page's form, then the link from the mail folder.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form = client.get(format!("{base}/sign-in")).send().await.unwrap();
    let pre = cookie(&form, "ohjaus_pre").expect("a pre-session cookie");
    let token = csrf(&form.text().await.unwrap());
    let asked = client
        .post(format!("{base}/sign-in"))
        .header(reqwest::header::COOKIE, format!("ohjaus_pre={pre}"))
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("csrf={token}&email=anna.virtanen%40tyonohjaus.example&next=%2Fsupervisor"))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200);
    let started = Instant::now();
    let last = loop {
        let last = stdout(&program.run(&["mail", "last"]));
        if last.contains("To: Anna Virtanen <anna.virtanen@tyonohjaus.example>") && last.contains("/sign-in/ohjlink_") {
            break last;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no sign-in message; the newest:\n{last}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for header in ["From: Ohjaus <", "Subject: ", "Date: ", "File: "] {
        assert!(last.lines().any(|l| l.starts_with(header)), "{header}\n{last}");
    }
    assert!(!last.contains("=3D") && !last.contains("=\n"), "decoded, not quoted-printable:\n{last}");
    let link = last.split_whitespace().find(|word| word.contains("/sign-in/ohjlink_")).expect("the link, whole");
    // The link is made from http.public_url; this server listens on a port of its own.
    let path = &link[link.find("/sign-in/").unwrap()..];
    assert!(path.ends_with("?next=%2Fsupervisor"), "the whole link, to its end: {link}");
    let confirm = client
        .get(format!("{base}{path}"))
        .header(reqwest::header::COOKIE, format!("ohjaus_pre={pre}"))
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), 200, "the link from `mail last` works");
    let confirm = confirm.text().await.unwrap();
    assert!(confirm.contains("Anna Virtanen"), "{confirm}");
    let listed = stdout(&program.run(&["mail", "list"]));
    assert!(listed.lines().count() > 10 && listed.lines().next().unwrap().contains("anna.virtanen"), "{listed}");
    assert!(server.terminate(Duration::from_secs(30)));
}

/// Asserts a failure of exit code 1 with one line on stderr holding every one of `needles`.
#[track_caller]
fn one_line(output: &std::process::Output, needles: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line:\n{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} in {stderr}");
    }
    stderr
}

#[test]
fn an_unreachable_database_fails_at_once_naming_the_host_and_the_cause() {
    let mail = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let program = Program::new(&format!("postgres://ohjaus@127.0.0.1:{closed}/ohjaus"), mail.path());
    let started = Instant::now();
    let output = program.run(&["migrate"]);
    // Not the pool's long wait: a refused connection is known at once.
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    one_line(&output, &[&format!("127.0.0.1:{closed}"), "connection refused"]);
}

#[tokio::test]
async fn a_role_that_does_not_exist_is_said_plainly() {
    let Some(server) = postgres_server() else { return };
    let mail = tempfile::tempdir().unwrap();
    let mut url = url::Url::parse(&server).unwrap();
    url.set_username("ohjaus_no_such_role").unwrap();
    let program = Program::new(url.as_str(), mail.path());
    let stderr = one_line(&program.run(&["migrate"]), &["role \"ohjaus_no_such_role\" does not exist"]);
    assert!(!stderr.contains("at line"), "{stderr}");
}

#[tokio::test]
async fn an_unusable_mail_folder_stops_serve_before_it_listens() {
    let database = TestDatabase::create(&TestBackend::Sqlite, Schema::Empty).await;
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("not-a-folder");
    std::fs::write(&file, b"").unwrap();
    let folder = file.join("mail");
    let program = Program::new(database.url(), &folder);
    let output = program.run(&["serve"]);
    let stderr = one_line(&output, &[&folder.display().to_string(), "Not a directory"]);
    assert_eq!(stderr.matches("Not a directory").count(), 1, "the cause once: {stderr}");
    assert!(!stderr.contains("listening"), "{stderr}");
}
