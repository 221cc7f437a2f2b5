use crate::api_test;
use crate::support::TestApp;
use crate::world::World;

api_test! {
    async fn world_reads(app: TestApp) {
        let w = World::build(&app).await;
        let a = app.get(&format!("/api/v1/series/{}", w.series_x), w.admin()).await;
        println!("{}", serde_json::to_string_pretty(&a.json).unwrap());
        a.expect(200);
    }
}
