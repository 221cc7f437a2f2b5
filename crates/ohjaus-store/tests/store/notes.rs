//! Session notes: the supervisor's; participants read only `participants` notes of their own
//! sessions; coordinators and admins never read any.

use crate::store_test;
use crate::world::{World, assert_forbidden, assert_invalid, assert_not_found, before, uninvite};
use ohjaus_store::write::notes::{NewNote, NoteVisibility};
use ohjaus_store::{Caller, StoreError};

fn note(text: &str, visibility: NoteVisibility) -> NewNote {
    NewNote { text: text.into(), visibility }
}

store_test! {
    async fn notes_are_scoped(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        let first = w.x_sessions[0];
        let private = store.create_note(&w.sup1(), first, &note("Oma muistiinpano", NoteVisibility::Supervisor), now).await.unwrap();
        let shared =
            store.create_note(&w.sup1(), first, &note("Sovittiin:\nkokeillaan", NoteVisibility::Participants), now).await.unwrap();
        assert_eq!(shared.text, "Sovittiin:\nkokeillaan");
        assert_eq!(private.supervisor_id, w.s1);

        let all = store.list_notes(&w.sup1(), first, now).await.unwrap();
        assert_eq!(all.iter().map(|n| n.id).collect::<Vec<_>>(), [private.id, shared.id]);
        for participant in [w.p1(), w.p2()] {
            let seen = store.list_notes(&participant, first, now).await.unwrap();
            assert_eq!(seen.iter().map(|n| n.id).collect::<Vec<_>>(), [shared.id]);
        }
        for never in [w.coord_a(), Caller::Admin] {
            assert_forbidden(store.list_notes(&never, first, now).await);
            assert_forbidden(store.create_note(&never, first, &note("x", NoteVisibility::Participants), now).await);
        }
        for participant in [w.p1(), w.p2()] {
            assert_forbidden(store.create_note(&participant, first, &note("x", NoteVisibility::Participants), now).await);
        }
        for outsider in w.outsiders_of_x() {
            assert_not_found(store.list_notes(&outsider, first, now).await);
            assert_not_found(store.create_note(&outsider, first, &note("x", NoteVisibility::Participants), now).await);
        }
        assert_not_found(store.list_notes(&Caller::Admin, uuid::Uuid::now_v7(), now).await);
        assert_invalid(store.create_note(&w.sup1(), first, &note(" \n ", NoteVisibility::Supervisor), now).await, "text");
        assert_eq!(store.list_notes(&w.sup1(), first, now).await.unwrap().len(), 2, "refused notes wrote nothing");
        db.finish().await;
    }
}

store_test! {
    async fn participants_read_only_their_own_sessions_notes(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        let second = w.x_sessions[1];
        uninvite(store, second, w.p2).await;
        store.create_note(&w.sup1(), second, &note("Toinen kerta", NoteVisibility::Participants), now).await.unwrap();
        assert_eq!(store.list_notes(&w.p1(), second, now).await.unwrap().len(), 1);
        // p2 is in the series but was not invited to this session.
        assert_forbidden(store.list_notes(&w.p2(), second, now).await);
        db.finish().await;
    }
}

store_test! {
    async fn no_one_but_the_supervisor_ever_reads_a_private_note(db: TestDb) {
        let store = &db.store;
        let w = World::build(store).await;
        let now = before();
        for (i, session) in w.x_sessions.iter().enumerate() {
            store.create_note(&w.sup1(), *session, &note(&format!("oma {i}"), NoteVisibility::Supervisor), now).await.unwrap();
            store.create_note(&w.sup1(), *session, &note(&format!("yhteinen {i}"), NoteVisibility::Participants), now).await.unwrap();
        }
        for session in &w.y_sessions {
            store.create_note(&w.sup2(), *session, &note("Y oma", NoteVisibility::Supervisor), now).await.unwrap();
        }
        let callers = [Caller::Admin, w.coord_a(), w.coord_b(), w.sup1(), w.sup2(), w.p1(), w.p2(), w.p3(), w.q1()];
        for caller in callers {
            for session in w.x_sessions.iter().chain(&w.y_sessions) {
                match store.list_notes(&caller, *session, now).await {
                    Ok(notes) => {
                        let owner = if w.x_sessions.contains(session) { w.sup1() } else { w.sup2() };
                        assert!(
                            caller == owner || notes.iter().all(|n| n.visibility == NoteVisibility::Participants),
                            "{caller:?} read a private note"
                        );
                        assert!(!matches!(caller, Caller::Admin | Caller::Coordinator { .. }));
                    }
                    Err(StoreError::NotFound { .. } | StoreError::Forbidden) => {}
                    Err(other) => panic!("{other:?}"),
                }
            }
        }
        db.finish().await;
    }
}
