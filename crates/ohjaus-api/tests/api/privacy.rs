//! Privacy over HTTP: an export as the admin and as the person, every note read and export in
//! the audit log (admins only, filtered by person), an erasure answered the same twice, after
//! which the person's token signs nobody in.

use crate::api_test;
use crate::world::World;
use axum::http::Method;
use serde_json::Value;

api_test! {
    async fn export_audit_and_erasure(app: TestApp) {
        let w = World::build(app).await;
        let p1 = w.p1.to_string();
        let export = app.call(Method::GET, &format!("/api/v1/people/{p1}/export"), Some(w.admin()), None).await;
        assert_eq!(export.status, 200, "{}", export.text);
        assert_eq!(export.json["person"]["id"], p1.as_str());
        assert_eq!(export.json["erased_at"], Value::Null);
        assert!(export.json["sessions"].as_array().unwrap().len() >= 2);
        let own = app.call(Method::GET, "/api/v1/me/export", w.token("participant"), None).await;
        assert_eq!((own.status.as_u16(), &own.json["person"]["id"]), (200, &Value::from(p1.as_str())));

        let note = format!("/api/v1/sessions/{}/notes/{}", w.sessions_x[0], w.note_shared);
        assert_eq!(app.call(Method::GET, &note, w.token("participant"), None).await.status, 200);

        let log = app.call(Method::GET, &format!("/api/v1/audit?person_id={p1}"), Some(w.admin()), None).await;
        assert_eq!(log.status, 200, "{}", log.text);
        let actions: Vec<&str> = log.json["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["export", "export", "note_read"]);
        assert!(!log.text.contains("muistiinpano"), "never a note's text");
        let bad = app.call(Method::GET, "/api/v1/audit?person_id=nobody", Some(w.admin()), None).await;
        assert_eq!(bad.status, 422);

        let erase = format!("/api/v1/people/{p1}/erase");
        let first = app.call(Method::POST, &erase, Some(w.admin()), None).await;
        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(first.json["person_id"], p1.as_str());
        let again = app.call(Method::POST, &erase, Some(w.admin()), None).await;
        assert_eq!((again.status.as_u16(), &again.json), (200, &first.json), "erasing twice is harmless");
        assert_eq!(app.call(Method::GET, "/api/v1/me/export", w.token("participant"), None).await.status, 401);
        let after = app.call(Method::GET, &format!("/api/v1/people/{p1}/export"), Some(w.admin()), None).await;
        assert!(after.json["person"]["email"].as_str().unwrap().ends_with("@erased.invalid"), "{}", after.text);
        assert!(!after.text.contains("@sairaala.test"), "{}", after.text);
        assert_eq!(after.json["erased_at"], first.json["erased_at"]);
        let erasures = app.call(Method::GET, &format!("/api/v1/audit?person_id={p1}"), Some(w.admin()), None).await;
        let count = erasures.json["items"].as_array().unwrap().iter().filter(|e| e["action"] == "erasure").count();
        assert_eq!(count, 1);
    }
}
