//! Rhythm polls: options pre-checked at creation with the preview's machinery, votes through
//! personal links (stored hashed, each for its own person and poll), the one reminder to those
//! who have not answered, the tally, and the choice booked exactly as a series is — once, however
//! many choose at the same time.

use crate::store_test;
use crate::world::parties::{World, body, count, now, outbox, person, world};
use crate::world::{assert_forbidden, assert_invalid, assert_not_found, assert_refused, at};
use chrono::TimeDelta;
use ohjaus_core::{ConflictReason, Notice};
use ohjaus_store::status::{PollAnswer, PollStatus};
use ohjaus_store::write::poll_votes::{BallotAnswer, PollVote};
use ohjaus_store::write::polls::{Poll, PollBody};
use ohjaus_store::write::tokens::secret_hash;
use ohjaus_store::{Caller, Store, StoreError};
use serde_json::{Value, json};
use uuid::Uuid;

const LINKS: &str = "https://ohjaus.example/vote/";

/// A poll body for `people` with Sanna: Tuesdays, Wednesdays or Thursdays in January, three
/// weekly sessions each; votes until 10 January noon.
fn poll_json(w: &World, people: &[Uuid]) -> Value {
    let option = |first_start: &str| {
        json!({"first_start": first_start, "duration_minutes": 90,
               "recurrence": {"frequency": "weekly", "count": 3}, "location": "Neuvotteluhuone 2"})
    };
    json!({
        "kind": "group_supervision",
        "title": "Osaston rytmi",
        "supervisor_id": w.supervisor,
        "participant_ids": people,
        "deadline": "2027-01-10T12:00:00Z",
        "options": [option("2027-01-19T13:00"), option("2027-01-20T10:00"), option("2027-01-21T10:00")],
    })
}

/// Another organization: its id and its coordinator.
async fn elsewhere(store: &Store) -> (Uuid, Caller) {
    let new = ohjaus_store::write::organizations::NewOrganization {
        name: "Koivukylän koulu".into(),
        timezone: None,
        locale: None,
    };
    let id = store.create_organization(&Caller::Admin, &new, now()).await.unwrap().id;
    (id, Caller::Coordinator { organization_id: id })
}

fn poll_body(value: Value) -> PollBody {
    serde_json::from_value(value).unwrap()
}

/// The personal links queued for each person, by kind (`poll_invitation`, `poll_reminder`).
async fn links(store: &Store, kind: &str) -> Vec<(Uuid, String)> {
    outbox(store)
        .await
        .into_iter()
        .filter(|(row, _)| row.kind == kind)
        .map(|(row, notice)| match notice {
            Notice::PollInvitation { url, .. } | Notice::PollReminder { url, .. } => {
                (row.recipient_id, url.strip_prefix(LINKS).expect("a link to the voting page").to_owned())
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

fn link_of(links: &[(Uuid, String)], person: Uuid) -> String {
    links.iter().find(|(p, _)| *p == person).map(|(_, l)| l.clone()).expect("a link for the person")
}

fn vote(poll: &Poll, answers: [PollAnswer; 3], comment: Option<&str>) -> PollVote {
    PollVote {
        answers: poll.options.iter().zip(answers).map(|(o, answer)| BallotAnswer { option_id: o.id, answer }).collect(),
        comment: comment.map(str::to_owned),
    }
}

fn names(list: &[ohjaus_store::write::polls::Voter]) -> Vec<String> {
    list.iter().map(|v| v.name.clone()).collect()
}

store_test!(
    async fn a_poll_is_checked_voted_reminded_and_booked(db: TestDb) {
        use PollAnswer::{IfNeedBe, No, Yes};
        let store = &db.store;
        let w = world(store, 4).await;
        // Sanna already supervises on Tuesdays at 13:00 in January.
        store
            .book_series(&Caller::Admin, &body(&w, w.supervisor, &w.people[..1], "2027-01-12T13:00", 1, 3), now())
            .await
            .unwrap();
        let people = &w.people[1..];
        let poll = store
            .create_poll(&w.coordinator, w.organization, &poll_body(poll_json(&w, people)), LINKS, now())
            .await
            .unwrap();
        assert_eq!(poll.status, PollStatus::Open);
        assert!(poll.voting);
        assert_eq!(poll.options.len(), 3);
        // The Tuesday option meets Sanna's sessions on the 19th and the 26th, and says so.
        let tuesday = &poll.options[0];
        assert_eq!(tuesday.conflicts.len(), 2, "{:?}", tuesday.conflicts);
        assert!(
            tuesday
                .conflicts
                .iter()
                .all(|c| c.reason == ConflictReason::SupervisorBusy && c.supervisor_id == Some(w.supervisor))
        );
        assert!(poll.options[1].conflicts.is_empty() && poll.options[2].conflicts.is_empty());
        assert_eq!(poll.options[1].sessions, 3);
        assert!(poll.options.iter().all(|o| o.tally.not_answered.len() == 3));

        // One invitation per person, each with their own link; only hashes are stored.
        let invitations = links(store, "poll_invitation").await;
        assert_eq!(invitations.len(), 3);
        for (person, secret) in &invitations {
            assert!(people.contains(person));
            assert!(secret.starts_with("ohjvote_"));
            assert_eq!(count(store, &format!("poll_voters WHERE token_hash = '{}'", secret_hash(secret))).await, 1);
            assert_eq!(count(store, &format!("poll_voters WHERE token_hash = '{secret}'")).await, 0);
        }
        let (first, second, third) = (people[0], people[1], people[2]);
        let first_link = link_of(&invitations, first);

        // Voting: the first says no to Tuesdays; the second changes their mind.
        let ballot = store.poll_ballot(&first_link, now()).await.unwrap();
        assert_eq!((ballot.person_id, ballot.poll_id, ballot.answers.len()), (first, poll.id, 0));
        let voted = store
            .vote_in_poll(&first_link, &vote(&poll, [No, Yes, IfNeedBe], Some("Keskiviikot sopivat")), now())
            .await
            .unwrap();
        assert_eq!(voted.answers.len(), 3);
        let second_link = link_of(&invitations, second);
        store.vote_in_poll(&second_link, &vote(&poll, [Yes, No, No], None), now()).await.unwrap();
        store.vote_in_poll(&second_link, &vote(&poll, [No, Yes, Yes], None), now()).await.unwrap();
        let tally = store.get_poll(&w.coordinator, poll.id, now()).await.unwrap();
        let wednesday = &tally.options[1].tally;
        assert_eq!(wednesday.yes.len(), 2);
        assert_eq!(names(&wednesday.not_answered), vec!["Hoitaja 3".to_owned()]);
        assert_eq!(tally.options[0].tally.no.len(), 2);
        assert_eq!(tally.options[2].tally.if_need_be.len(), 1);
        assert_eq!(tally.comments.len(), 1);
        assert_eq!(tally.comments[0].comment, "Keskiviikot sopivat");

        // A link votes only for its own poll; a tampered one is unknown; nothing changes.
        let other = store
            .create_poll(&w.coordinator, w.organization, &poll_body(poll_json(&w, &people[..1])), LINKS, now())
            .await
            .unwrap();
        let answers_before = count(store, "poll_answers").await;
        assert_invalid(
            store.vote_in_poll(&first_link, &vote(&other, [Yes, Yes, Yes], None), now()).await,
            "answers[0].option_id",
        );
        let mut partial = vote(&poll, [Yes, Yes, Yes], None);
        partial.answers.pop();
        assert_invalid(store.vote_in_poll(&first_link, &partial, now()).await, "answers");
        let mut tampered = first_link.clone();
        tampered.pop();
        tampered.push(if first_link.ends_with('A') { 'B' } else { 'A' });
        assert_not_found(store.vote_in_poll(&tampered, &vote(&poll, [Yes, Yes, Yes], None), now()).await);
        assert_not_found(store.poll_ballot("ohjlink_not-a-vote", now()).await);
        assert_eq!(count(store, "poll_answers").await, answers_before);
        assert_eq!(store.poll_ballot(&first_link, now()).await.unwrap().answers[0].answer, No);

        // The reminder: not before the day before the deadline, then once, to the third only.
        assert_eq!(store.queue_poll_reminders(at("2027-01-09T11:00:00Z")).await.unwrap(), 0);
        let due = at("2027-01-09T12:30:00Z");
        assert_eq!(store.queue_poll_reminders(due).await.unwrap(), 2, "the third of each poll");
        assert_eq!(store.queue_poll_reminders(due + TimeDelta::minutes(5)).await.unwrap(), 0);
        let reminders = links(store, "poll_reminder").await;
        let mut reminded: Vec<Uuid> = reminders.iter().map(|(p, _)| *p).collect();
        reminded.sort();
        let mut expected = vec![third, first];
        expected.sort();
        assert_eq!(reminded, expected, "the third of this poll, the first of the other");
        // The reminder's fresh link votes, and the invitation's still works.
        let reminder_link = link_of(&reminders, third);
        assert_eq!(store.poll_ballot(&reminder_link, due).await.unwrap().poll_id, poll.id);
        store.vote_in_poll(&reminder_link, &vote(&poll, [Yes, Yes, No], None), due).await.unwrap();
        let third_invitation = link_of(&invitations, third);
        assert_eq!(store.poll_ballot(&third_invitation, due).await.unwrap().answers.len(), 3);

        // Who sees the tally: the coordinator, admins, the supervisor; not another
        // organization, nor the people asked (they have their links).
        store.get_poll(&Caller::Admin, poll.id, now()).await.unwrap();
        store.get_poll(&Caller::Supervisor { supervisor_id: w.supervisor }, poll.id, now()).await.unwrap();
        // The supervisor's own list, across organizations; another supervisor's has none of it.
        let first_page = ohjaus_store::page::Page::first(50);
        let sanna = Caller::Supervisor { supervisor_id: w.supervisor };
        let led = store.list_supervisor_polls(&sanna, &first_page, now()).await.unwrap().items;
        assert!(led.iter().any(|p| p.id == poll.id), "Sanna leads the poll");
        let stranger = Caller::Supervisor { supervisor_id: Uuid::now_v7() };
        assert!(store.list_supervisor_polls(&stranger, &first_page, now()).await.unwrap().items.is_empty());
        assert_forbidden(store.list_supervisor_polls(&w.coordinator, &first_page, now()).await);
        let (_, elsewhere) = elsewhere(store).await;
        assert_not_found(store.get_poll(&elsewhere, poll.id, now()).await);
        assert_not_found(store.get_poll(&Caller::Participant { person_id: first }, poll.id, now()).await);
        assert_not_found(store.choose_poll_option(&elsewhere, poll.id, poll.options[1].id, now()).await);
        assert_forbidden(
            store
                .list_polls(
                    &Caller::Participant { person_id: first },
                    w.organization,
                    &ohjaus_store::page::Page::first(50),
                    now(),
                )
                .await,
        );

        // After the deadline votes are refused; choosing Tuesdays re-checks them: Sanna is busy.
        let later = at("2027-01-11T08:00:00Z");
        assert_refused(store.vote_in_poll(&first_link, &vote(&poll, [Yes, Yes, Yes], None), later).await, "status");
        let series_before = count(store, "series").await;
        let Err(StoreError::Conflict(conflicts)) =
            store.choose_poll_option(&w.coordinator, poll.id, tuesday.id, later).await
        else {
            panic!("Tuesdays conflict");
        };
        assert_eq!(conflicts.len(), 2);
        assert_eq!(count(store, "series").await, series_before);
        assert_eq!(store.get_poll(&w.coordinator, poll.id, later).await.unwrap().status, PollStatus::Open);
        assert_invalid(
            store.choose_poll_option(&w.coordinator, poll.id, other.options[1].id, later).await,
            "option_id",
        );

        // Wednesdays: booked as a series is, with the people asked; every voter is told.
        let queued = outbox(store).await.len();
        let decided = store.choose_poll_option(&w.coordinator, poll.id, poll.options[1].id, later).await.unwrap();
        assert_eq!(decided.status, PollStatus::Decided);
        assert_eq!(decided.chosen_option_id, Some(poll.options[1].id));
        let series_id = decided.series_id.expect("the series booked");
        let series = store.get_series(&w.coordinator, series_id).await.unwrap();
        assert_eq!(series.series.participant_ids, {
            let mut p = people.to_vec();
            p.sort();
            p
        });
        assert_eq!(series.sessions.len(), 3);
        assert_eq!(series.series.first_start, "2027-01-20T10:00");
        let new = outbox(store).await.split_off(queued);
        let invites = new.iter().filter(|(row, _)| row.kind == "invite").count();
        assert_eq!(invites, 4, "three people and the supervisor are invited");
        let decisions: Vec<Uuid> =
            new.iter().filter(|(row, _)| row.kind == "poll_decision").map(|(row, _)| row.recipient_id).collect();
        assert_eq!(decisions.len(), 3);
        assert!(people.iter().all(|p| decisions.contains(p)));
        for (_, notice) in new.iter().filter(|(row, _)| row.kind == "poll_decision") {
            let Notice::PollDecided { chosen: Some(chosen), series_id: Some(id), .. } = notice else { panic!() };
            assert_eq!((chosen.option_id, *id), (poll.options[1].id, series_id));
        }

        // Decided: votes 409 and nothing changes; choosing again or closing 409.
        let answers_before = count(store, "poll_answers").await;
        assert_refused(store.vote_in_poll(&first_link, &vote(&poll, [Yes, Yes, Yes], None), later).await, "status");
        assert_eq!(count(store, "poll_answers").await, answers_before);
        assert_refused(store.choose_poll_option(&w.coordinator, poll.id, poll.options[2].id, later).await, "status");
        assert_refused(store.close_poll(&w.coordinator, poll.id, later).await, "status");
        // The link still shows the outcome for a while, then is unknown.
        let shown = store.poll_ballot(&first_link, later).await.unwrap();
        assert_eq!(
            (shown.status, shown.voting, shown.chosen_option_id),
            (PollStatus::Decided, false, Some(poll.options[1].id))
        );
        assert_not_found(store.poll_ballot(&first_link, later + TimeDelta::days(8)).await);

        // The other poll closes without a choice: its voter hears so, and votes are refused.
        let closed =
            store.close_poll(&Caller::Supervisor { supervisor_id: w.supervisor }, other.id, later).await.unwrap();
        assert_eq!((closed.status, closed.series_id), (PollStatus::Closed, None));
        let told = outbox(store)
            .await
            .into_iter()
            .filter(|(row, notice)| {
                row.kind == "poll_decision" && matches!(notice, Notice::PollDecided { chosen: None, .. })
            })
            .count();
        assert_eq!(told, 2, "the voter and the supervisor");

        // Their own export holds what they answered (never a link's secret).
        let export = store.export_person(&Caller::Admin, first, later).await.unwrap();
        let mine = export.poll_votes.iter().find(|v| v.poll_id == poll.id).expect("the poll in the export");
        assert_eq!((mine.answers.len(), mine.comment.as_deref()), (3, Some("Keskiviikot sopivat")));
        assert!(!serde_json::to_string(&export).unwrap().contains(&first_link));

        // An erased person's votes, comment and link go with them.
        store.erase_person(&Caller::Admin, first, later).await.unwrap();
        assert_not_found(store.poll_ballot(&first_link, later).await);
        let after = store.get_poll(&w.coordinator, poll.id, later).await.unwrap();
        assert!(after.voters.iter().all(|v| v.person_id != first));
        assert!(after.comments.is_empty(), "{:?}", after.comments);
    }
);

store_test!(
    async fn bad_polls_are_refused_and_store_nothing(db: TestDb) {
        let store = &db.store;
        let w = world(store, 2).await;
        let (other_org, elsewhere) = elsewhere(store).await;
        let outsider = person(store, other_org, "Ulkopuolinen").await;
        let queued = outbox(store).await.len();
        let create = |value: Value| {
            let body = poll_body(value);
            async move { store.create_poll(&w.coordinator, w.organization, &body, LINKS, now()).await }
        };
        let good = poll_json(&w, &w.people);

        let mut one = good.clone();
        one["options"].as_array_mut().unwrap().truncate(1);
        assert_invalid(create(one).await, "options");
        let mut nine = good.clone();
        let option = nine["options"][1].clone();
        nine["options"] = json!(vec![option; 9]);
        assert_invalid(create(nine).await, "options");
        let mut past = good.clone();
        past["deadline"] = json!("2026-12-31T12:00:00Z");
        assert_invalid(create(past).await, "deadline");
        let mut late = good.clone();
        late["deadline"] = json!("2027-01-19T12:00:00Z");
        assert_invalid(create(late).await, "deadline");
        let mut recurrence = good.clone();
        recurrence["options"][1]["recurrence"]["count"] = json!(0);
        assert_invalid(create(recurrence).await, "options[1].recurrence.count");
        let mut start = good.clone();
        start["options"][2]["first_start"] = json!("2026-12-01T10:00");
        assert_invalid(create(start).await, "options[2].first_start");
        let mut stranger = good.clone();
        stranger["participant_ids"] = json!([outsider]);
        assert_invalid(create(stranger).await, "participant_ids[0]");
        let mut team = good.clone();
        team.as_object_mut().unwrap().remove("participant_ids");
        team["team_id"] = json!(Uuid::now_v7());
        assert_invalid(create(team).await, "team_id");
        assert_eq!(count(store, "polls").await, 0);
        assert_eq!(count(store, "poll_voters").await, 0);
        assert_eq!(outbox(store).await.len(), queued);

        // Who may create: not another organization's coordinator, not a participant, not a
        // supervisor for someone else or for an organization they do not supervise.
        let body = poll_body(good);
        assert_not_found(store.create_poll(&elsewhere, w.organization, &body, LINKS, now()).await);
        assert_forbidden(
            store
                .create_poll(&Caller::Participant { person_id: w.people[0] }, w.organization, &body, LINKS, now())
                .await,
        );
        let sanna = Caller::Supervisor { supervisor_id: w.supervisor };
        assert_not_found(store.create_poll(&sanna, w.organization, &body, LINKS, now()).await);
        assert_forbidden(
            store
                .create_poll(&Caller::Supervisor { supervisor_id: Uuid::now_v7() }, w.organization, &body, LINKS, now())
                .await,
        );
        assert_eq!(count(store, "polls").await, 0);
        // Once she supervises a series of the organization, she may.
        store.book_series(&Caller::Admin, &body_for_march(&w), now()).await.unwrap();
        store.create_poll(&sanna, w.organization, &body, LINKS, now()).await.unwrap();
    }
);

fn body_for_march(w: &World) -> ohjaus_core::SeriesBody {
    body(w, w.supervisor, &w.people[..1], "2027-03-02T13:00", 1, 1)
}

store_test!(
    async fn of_32_concurrent_choices_one_books(db: TestDb) {
        let store = &db.store;
        let w = world(store, 3).await;
        let poll = store
            .create_poll(&w.coordinator, w.organization, &poll_body(poll_json(&w, &w.people)), LINKS, now())
            .await
            .unwrap();
        let option = poll.options[1].id;
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let store = store.clone();
            let caller = w.coordinator;
            tasks.push(tokio::spawn(async move { store.choose_poll_option(&caller, poll.id, option, now()).await }));
        }
        let mut booked = 0;
        let mut refused = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => booked += 1,
                Err(StoreError::State(_)) => refused += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((booked, refused), (1, 31));
        assert_eq!(count(store, "series").await, 1);
        assert_eq!(count(store, "sessions").await, 3);
        assert_eq!(count(store, "outbox WHERE kind = 'poll_decision'").await, 3);
    }
);
