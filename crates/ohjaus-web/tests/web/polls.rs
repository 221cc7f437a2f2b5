//! The rhythm polls' pages: a voter at their personal link (no account) votes, changes the
//! vote, is refused without the form's token, with a tampered link, and after the poll
//! closed (409, nothing changes); a coordinator creates a poll on the page, sees the option
//! that conflicts and why, the tally with names, is refused a conflicting choice (409) and
//! books the free one; another organization's coordinator finds nothing (404); the supervisor
//! sees the polls they lead.

use crate::{Browser, World, csrf_of, worlds};
use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta};
use ohjaus_core::{Notice, RecurrenceBody};
use ohjaus_store::Caller;
use ohjaus_store::status::PollAnswer;
use ohjaus_store::write::people::NewPerson;
use ohjaus_store::write::polls::{PollBody, PollOptionBody};
use uuid::Uuid;

const LINK_BASE: &str = "http://ohjaus.test/vote/";

/// Every notice queued since the last look (claimed and acked, as the worker would).
async fn queued(world: &World) -> Vec<Notice> {
    world.state.settled().await;
    let claimed = world.store.claim_due("test", 500, TimeDelta::minutes(5), world.now()).await.unwrap();
    let ids: Vec<Uuid> = claimed.iter().map(|row| row.id).collect();
    world.store.ack_many(&ids, "test", world.now()).await.unwrap();
    claimed.into_iter().map(|row| row.notice).collect()
}

/// The voting links sent since the last look, by recipient address, as paths.
async fn vote_links(world: &World) -> Vec<(String, String)> {
    queued(world)
        .await
        .into_iter()
        .filter_map(|notice| match notice {
            Notice::PollInvitation { recipient, url, .. } => {
                Some((recipient.party.email, url.strip_prefix("http://ohjaus.test").unwrap().to_owned()))
            }
            _ => None,
        })
        .collect()
}

async fn organization_a(world: &World) -> Uuid {
    world.store.get_series(&Caller::Admin, world.series_a).await.unwrap().series.organization_id
}

fn option(first: &str, location: &str) -> PollOptionBody {
    PollOptionBody {
        first_start: first.into(),
        duration_minutes: 90,
        recurrence: RecurrenceBody {
            frequency: "weekly".into(),
            interval: Some(2),
            count: Some(2),
            until: None,
            by_weekday: None,
        },
        location: Some(location.into()),
    }
}

/// A poll for the participant with two options: the first on the supervisor's (and the
/// participant's) existing sessions, the second free.
fn poll_body(supervisor_id: Uuid, participant_id: Uuid) -> PollBody {
    PollBody {
        kind: "group_supervision".into(),
        title: "Kevään rytmi".into(),
        supervisor_id: Some(supervisor_id),
        co_supervisor_id: None,
        team_id: None,
        participant_ids: Some(vec![participant_id]),
        timezone: None,
        holiday_policy: None,
        video_url: None,
        cancellation_notice_hours: None,
        deadline: DateTime::parse_from_rfc3339("2027-01-10T12:00:00+02:00").unwrap(),
        options: vec![option("2027-01-12T13:00", "Neuvotteluhuone 2"), option("2027-01-14T10:00", "Kirjasto")],
    }
}

fn tampered(path: &str) -> String {
    let last = path.chars().last().unwrap();
    format!("{}{}", &path[..path.len() - 1], if last == 'A' { 'B' } else { 'A' })
}

#[tokio::test]
async fn a_voter_votes_at_their_link_changes_the_vote_and_is_refused_once_the_poll_closed() {
    for world in worlds().await {
        let organization_id = organization_a(&world).await;
        let poll = world
            .store
            .create_poll(
                &Caller::Admin,
                organization_id,
                &poll_body(world.supervisor_id, world.participant_id),
                LINK_BASE,
                world.now(),
            )
            .await
            .unwrap();
        let links = vote_links(&world).await;
        assert_eq!(links.len(), 1);
        let (to, path) = &links[0];
        assert_eq!(to, world.participant_email);
        let secret = path.strip_prefix("/vote/").unwrap();
        let (first, second) = (poll.options[0].id, poll.options[1].id);

        // No account: the link opens the page, in the voter's language.
        let mut voter = Browser::default();
        let ballot = voter.get(&world.app, path).await;
        assert_eq!(ballot.status, StatusCode::OK, "{}", ballot.text);
        assert!(ballot.text.contains("Kevään rytmi"));
        assert!(ballot.text.contains("Vaihtoehto 1"));
        assert!(ballot.text.contains("joka toinen viikko tiistaisin klo 13.00–14.30"), "{}", ballot.text);
        assert!(ballot.text.contains(&format!("name=\"answer-{first}\"")));

        // A tampered link, or one that never was: the site's 404 page.
        assert_eq!(voter.get(&world.app, &tampered(path)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(voter.get(&world.app, "/vote/ohjvote_nothing").await.status, StatusCode::NOT_FOUND);

        // Without the form's token: refused, nothing recorded.
        let no_token = voter
            .post(&world.app, path, &[(&*format!("answer-{first}"), "yes"), (&*format!("answer-{second}"), "no")])
            .await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN);
        assert!(world.store.poll_ballot(secret, world.now()).await.unwrap().answers.is_empty());

        // An answer left out: 422, nothing recorded.
        let csrf = csrf_of(&ballot.text);
        let partial = voter.post(&world.app, path, &[("csrf", &csrf), (&*format!("answer-{first}"), "yes")]).await;
        assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(world.store.poll_ballot(secret, world.now()).await.unwrap().answers.is_empty());

        let voted = voter
            .post(
                &world.app,
                path,
                &[
                    ("csrf", &csrf),
                    (&*format!("answer-{first}"), "yes"),
                    (&*format!("answer-{second}"), "no"),
                    ("comment", "Tiistait sopivat vuorolistaan."),
                ],
            )
            .await;
        assert_eq!(voted.status, StatusCode::SEE_OTHER, "{}", voted.text);
        assert_eq!(voted.location.as_deref(), Some(&*format!("{path}?notice=voted")));
        let shown = voter.get(&world.app, &format!("{path}?notice=voted")).await;
        assert!(shown.text.contains("Vastauksesi on tallennettu"));
        assert!(
            shown
                .text
                .contains(&format!("id=\"answer-{first}-yes\" name=\"answer-{first}\" value=\"yes\" required checked")),
            "{}",
            shown.text
        );
        assert!(shown.text.contains("Tiistait sopivat vuorolistaan."));

        // Changed.
        world.advance(TimeDelta::hours(1));
        let changed = voter
            .post(
                &world.app,
                path,
                &[("csrf", &csrf), (&*format!("answer-{first}"), "no"), (&*format!("answer-{second}"), "if_need_be")],
            )
            .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER);
        let ballot = world.store.poll_ballot(secret, world.now()).await.unwrap();
        let answers: Vec<(Uuid, PollAnswer)> = ballot.answers.iter().map(|a| (a.option_id, a.answer)).collect();
        assert_eq!(answers, vec![(first, PollAnswer::No), (second, PollAnswer::IfNeedBe)]);
        assert_eq!(ballot.comment, None, "the comment was emptied");

        // The coordinator closes the poll on their page.
        let mut coordinator = Browser::default();
        coordinator.sign_in(&world, world.coordinator_email).await;
        let poll_path = format!("/coordinator/polls/{}", poll.id);
        let token = coordinator.csrf(&world.app, &poll_path).await;
        let closed = coordinator.post(&world.app, &format!("{poll_path}/close"), &[("csrf", &token)]).await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text);

        // A vote now: 409 with a clear message, and nothing changes.
        let late = voter
            .post(
                &world.app,
                path,
                &[("csrf", &csrf), (&*format!("answer-{first}"), "yes"), (&*format!("answer-{second}"), "yes")],
            )
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT);
        assert!(late.text.contains("Vastausta ei tallennettu"), "{}", late.text);
        let after = world.store.poll_ballot(secret, world.now()).await.unwrap();
        assert_eq!(after.answers, ballot.answers);
        let page = voter.get(&world.app, path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("suljettiin ilman valintaa"));
        assert!(!page.text.contains("type=\"radio\""), "no form once closed");
        world.close().await;
    }
}

#[tokio::test]
async fn a_coordinator_creates_a_poll_sees_the_conflict_and_tally_and_books_the_choice() {
    for world in worlds().await {
        let mut coordinator = Browser::default();
        coordinator.sign_in(&world, world.coordinator_email).await;
        let form = coordinator.get(&world.app, "/coordinator/polls/new").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = csrf_of(&form.text);
        let supervisor = world.supervisor_id.to_string();
        let person = world.participant_id.to_string();
        let mut fields: Vec<(&str, &str)> = vec![
            ("csrf", &csrf),
            ("title", "Kevään rytmi"),
            ("kind", "group_supervision"),
            ("supervisor_id", &supervisor),
            ("person", &person),
            ("deadline_date", "2027-01-10"),
            ("deadline_time", "12:00"),
            ("holiday_policy", "skip"),
            ("notice_hours", "168"),
        ];
        for (i, date, time, place) in
            [(0, "2027-01-12", "13:00", "Neuvotteluhuone 2"), (1, "2027-01-14", "10:00", "Kirjasto")]
        {
            let row: [(&str, &str); 7] = [
                (["location-0", "location-1"][i], place),
                (["date-0", "date-1"][i], date),
                (["time-0", "time-1"][i], time),
                (["duration-0", "duration-1"][i], "90"),
                (["frequency-0", "frequency-1"][i], "weekly"),
                (["interval-0", "interval-1"][i], "2"),
                (["count-0", "count-1"][i], "2"),
            ];
            fields.extend(row);
        }

        // A deadline after the first session: 422, named, and no poll.
        let mut late = fields.clone();
        late[5] = ("deadline_date", "2027-01-13");
        let refused = coordinator.post(&world.app, "/coordinator/polls", &late).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
        assert!(refused.text.contains("Vastausaika"));

        let created = coordinator.post(&world.app, "/coordinator/polls", &fields).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
        let location = created.location.unwrap();
        let poll_path = location.split('?').next().unwrap().to_owned();
        let poll_id: Uuid = poll_path.rsplit('/').next().unwrap().parse().unwrap();

        let page = coordinator.get(&world.app, &location).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("Kysely on luotu"));
        assert!(page.text.contains("Ohjaajalla on jo tapaaminen"), "the first option's conflict is explained");
        assert!(page.text.contains("Esitarkistus: kaikki tapaamiset sopivat"), "the second fits");
        let list = coordinator.get(&world.app, "/coordinator/polls").await;
        assert!(list.text.contains("Kevään rytmi"));

        // The participant votes through their link; the tally names them.
        let links = vote_links(&world).await;
        let (_, path) = links.first().expect("an invitation");
        let mut voter = Browser::default();
        let ballot = voter.get(&world.app, path).await;
        let poll = world.store.get_poll(&Caller::Admin, poll_id, world.now()).await.unwrap();
        let (first, second) = (poll.options[0].id, poll.options[1].id);
        let voted = voter
            .post(
                &world.app,
                path,
                &[
                    ("csrf", &csrf_of(&ballot.text)),
                    (&*format!("answer-{first}"), "if_need_be"),
                    (&*format!("answer-{second}"), "yes"),
                ],
            )
            .await;
        assert_eq!(voted.status, StatusCode::SEE_OTHER);
        let page = coordinator.get(&world.app, &poll_path).await;
        let option_2 = page.text.split("id=\"option-2\"").nth(1).unwrap();
        let yes_row = option_2.split("answer-yes").nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(yes_row.contains("Liisa Korhonen"), "{yes_row}");

        // Another organization's coordinator: nothing there.
        let other_org = world.store.get_series(&Caller::Admin, world.series_b).await.unwrap().series.organization_id;
        let outsider = world
            .store
            .create_person(
                &Caller::Admin,
                other_org,
                &NewPerson { name: "Kaisa Koulu".into(), email: "kaisa@b.example".into(), locale: None },
                world.now(),
            )
            .await
            .unwrap();
        world.store.set_coordinator(&Caller::Admin, outsider.id, true, world.now()).await.unwrap();
        let mut other = Browser::default();
        other.sign_in(&world, "kaisa@b.example").await;
        assert_eq!(other.get(&world.app, &poll_path).await.status, StatusCode::NOT_FOUND);
        let token = other.csrf(&world.app, "/coordinator").await;
        let second_id = second.to_string();
        let theirs = other
            .post(&world.app, &format!("{poll_path}/choose"), &[("csrf", &token), ("option_id", &second_id)])
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        assert!(!other.get(&world.app, "/coordinator/polls").await.text.contains("Kevään rytmi"));

        // The conflicting option: refused (409) with the booking's conflicts, nothing booked.
        let token = coordinator.csrf(&world.app, &poll_path).await;
        let first_id = first.to_string();
        let clash = coordinator
            .post(&world.app, &format!("{poll_path}/choose"), &[("csrf", &token), ("option_id", &first_id)])
            .await;
        assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.text);
        assert!(clash.text.contains("Ohjaajalla on jo tapaaminen"));
        assert!(world.store.get_poll(&Caller::Admin, poll_id, world.now()).await.unwrap().series_id.is_none());

        // The supervisor sees the poll they lead.
        let mut supervisor = Browser::default();
        supervisor.sign_in(&world, world.supervisor_email).await;
        assert!(supervisor.get(&world.app, "/supervisor/polls").await.text.contains("Kevään rytmi"));
        assert_eq!(supervisor.get(&world.app, &format!("/supervisor/polls/{poll_id}")).await.status, StatusCode::OK);

        // The free one: booked, to the series' page.
        let chosen = coordinator
            .post(&world.app, &format!("{poll_path}/choose"), &[("csrf", &token), ("option_id", &second_id)])
            .await;
        assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.text);
        let series_id = world.store.get_poll(&Caller::Admin, poll_id, world.now()).await.unwrap().series_id.unwrap();
        assert_eq!(chosen.location.as_deref(), Some(&*format!("/coordinator/series/{series_id}?notice=poll_chosen")));
        let series = coordinator.get(&world.app, chosen.location.as_deref().unwrap()).await;
        assert!(series.text.contains("Rytmi on valittu"));
        assert!(series.text.contains("Kirjasto"));

        // Chosen once: a second choice is 409 and books nothing more.
        let again = coordinator
            .post(&world.app, &format!("{poll_path}/choose"), &[("csrf", &token), ("option_id", &second_id)])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let decided = coordinator.get(&world.app, &poll_path).await;
        assert!(decided.text.contains("Rytmi valittu"));
        assert!(!decided.text.contains("/choose"), "no more choosing");
        world.close().await;
    }
}

#[tokio::test]
async fn a_voter_reads_their_language_and_only_the_polls_leaders_see_the_poll() {
    for world in worlds().await {
        let organization_id = organization_a(&world).await;
        let swede = world
            .store
            .create_person(
                &Caller::Admin,
                organization_id,
                &NewPerson {
                    name: "Helena Lindholm".into(),
                    email: "helena@a.example".into(),
                    locale: Some("sv".into()),
                },
                world.now(),
            )
            .await
            .unwrap();
        let poll = world
            .store
            .create_poll(
                &Caller::Admin,
                organization_id,
                &poll_body(world.supervisor_id, swede.id),
                LINK_BASE,
                world.now(),
            )
            .await
            .unwrap();
        let links = vote_links(&world).await;
        let (to, path) = links.first().expect("an invitation");
        assert_eq!(to, "helena@a.example");
        let mut voter = Browser::default();
        let page = voter.get(&world.app, path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("<html lang=\"sv\">"), "the voter's language");
        assert!(page.text.contains("Alternativ 1"));
        assert!(page.text.contains("varannan vecka på tisdagar kl. 13.00–14.30"), "{}", page.text);

        // A supervisor who does not lead it finds nothing; a participant has no coordinator pages.
        world
            .store
            .create_supervisor(
                &Caller::Admin,
                &ohjaus_store::write::supervisors::NewSupervisor {
                    name: "Bo Berg".into(),
                    email: "bo@ohjaus.example".into(),
                    locale: None,
                    timezone: None,
                    buffer_minutes: None,
                    working_hours: None,
                },
                world.now(),
            )
            .await
            .unwrap();
        let mut bo = Browser::default();
        bo.sign_in(&world, "bo@ohjaus.example").await;
        assert_eq!(bo.get(&world.app, &format!("/supervisor/polls/{}", poll.id)).await.status, StatusCode::NOT_FOUND);
        assert!(!bo.get(&world.app, "/supervisor/polls").await.text.contains("Kevään rytmi"));
        let mut participant = Browser::default();
        participant.sign_in(&world, world.participant_email).await;
        let forbidden = participant.get(&world.app, &format!("/coordinator/polls/{}", poll.id)).await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

        // Past the deadline the link shows that answering has ended, and a vote is refused.
        world.advance(TimeDelta::days(7));
        let ended = voter.get(&world.app, path).await;
        assert_eq!(ended.status, StatusCode::OK);
        assert!(ended.text.contains("Svarstiden har gått ut"), "{}", ended.text);
        let csrf = csrf_of(&page.text);
        let (first, second) = (poll.options[0].id.to_string(), poll.options[1].id.to_string());
        let late = voter
            .post(
                &world.app,
                path,
                &[("csrf", &csrf), (&*format!("answer-{first}"), "yes"), (&*format!("answer-{second}"), "no")],
            )
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT);
        assert!(late.text.contains("Svaret sparades inte"));
        let secret = path.strip_prefix("/vote/").unwrap();
        assert!(world.store.poll_ballot(secret, world.now()).await.unwrap().answers.is_empty());
        world.close().await;
    }
}
