//! Fresh databases for tests (`ohjaus_store::testing`), and the `store_test!` macro that runs
//! one test body on both backends.

pub use ohjaus_store::testing::TestDb;

/// Runs `async fn $name(db: TestDb)` as two tests, `$name::sqlite` and `$name::postgres`
/// (the latter passes without running when no PostgreSQL URL is set).
#[macro_export]
macro_rules! store_test {
    ($(#[$meta:meta])* async fn $name:ident($db:ident: TestDb) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run_test($db: $crate::support::TestDb) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let db = $crate::support::TestDb::sqlite().await;
                run_test(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(db) = $crate::support::TestDb::postgres().await {
                    run_test(db).await;
                }
            }
        }
    };
}
