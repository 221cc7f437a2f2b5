//! The command line as a new user meets it: `plan`, `migrate`, `token create`, `demo`, and
//! errors with one clear line.

use crate::support::Program;
use ohjaus_store::testing::{Schema, TestDatabase, test_backends};

#[tokio::test]
async fn migrate_token_and_demo_on_every_backend() {
    for backend in test_backends() {
        let database = TestDatabase::create(&backend, Schema::Empty).await;
        let mail = tempfile::tempdir().unwrap();
        let program = Program::new(database.url(), mail.path());
        let migrate = program.run(&["migrate"]);
        assert!(migrate.status.success(), "{}: {}", backend.name(), String::from_utf8_lossy(&migrate.stderr));
        let token = program.admin_token();
        assert!(token.starts_with("ohj_"), "{token}");
        let demo = program.run(&["demo"]);
        assert!(demo.status.success(), "{}: {}", backend.name(), String::from_utf8_lossy(&demo.stderr));
        let printed = String::from_utf8_lossy(&demo.stdout);
        assert!(printed.contains("Osasto 5A:n työnohjaus") && printed.contains("ohj_"), "{printed}");
        let again = program.run(&["demo"]);
        assert_eq!(again.status.code(), Some(2), "a second demo refuses a filled database");
    }
}

#[test]
fn bad_configuration_is_one_line_and_exit_1() {
    let mail = tempfile::tempdir().unwrap();
    let program = Program::new("mysql://nowhere/x", mail.path());
    let output = program.run(&["migrate"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("database.url"), "{stderr}");
    let unknown = Program::new("sqlite::memory:", mail.path()).with("OHJAUS_HTTP__LISTN", "x").run(&["migrate"]);
    assert_eq!(unknown.status.code(), Some(1), "an unknown key is an error");
}

#[test]
fn plan_prints_the_preview_and_refuses_bad_input() {
    let mail = tempfile::tempdir().unwrap();
    let program = Program::new("sqlite::memory:", mail.path());
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/series.json");
    let output = program.run(&["plan", &example.display().to_string()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["sessions"].as_array().unwrap().len(), 10);
    let missing = program.run(&["plan", "/nonexistent.json"]);
    assert_eq!(missing.status.code(), Some(2));
}
