//! Feeds every API Gateway sample in `events/` through the Lambda request conversion
//! and the route group of the function it is named after, on a fresh SQLite store.

use aamu::app::{App, Needs};
use aamu::config::Config;
use aamu::domain::bootstrap;
use tower::ServiceExt;

async fn app(dir: &std::path::Path) -> (App, bootstrap::Bootstrapped) {
    let data_dir = dir.display().to_string();
    let config = Config::from_lookup(|name| (name == "AAMU_DATA_DIR").then(|| data_dir.clone()))
        .expect("a data directory is a valid configuration");
    let app = App::build(config, Needs::ALL)
        .await
        .expect("the embedded ports build");
    let demo = bootstrap::bootstrap(app.store.as_ref(), app.clock.as_ref(), "Team", "Project")
        .await
        .expect("bootstrap on an empty store");
    (app, demo)
}

fn samples() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../events");
    let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("events/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                std::fs::read_to_string(&p).expect("a readable sample"),
            )
        })
        .filter(|(_, text)| text.contains("\"routeKey\""))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn every_api_gateway_sample_is_answered_by_its_function() {
    let dir = tempfile::tempdir().unwrap();
    let (app, demo) = app(dir.path()).await;
    let samples = samples();
    assert!(samples.len() >= 5, "samples: {samples:?}");

    for (name, text) in samples {
        let group = name.split('-').next().unwrap().to_string();
        let text = text
            .replace("YOUR_API_KEY", &demo.api_key)
            .replace("YOUR_PROJECT_ID", &demo.project_id);
        let request = lambda_http::request::from_str(&text)
            .unwrap_or_else(|e| panic!("{name} is not an API Gateway request: {e}"));
        let request = request.map(|body| axum::body::Body::from(body.to_vec()));
        let routes =
            aamu::http::group(&group).unwrap_or_else(|| panic!("{name}: no function {group}"));
        let router = aamu::http::finish(routes, app.clone());

        let response = router.oneshot(request).await.expect("routers never fail");
        let status = response.status();
        let request_id = response.headers().get("x-request-id").cloned();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        assert!(
            status.is_success(),
            "{name}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        let expected_id = serde_json::from_str::<serde_json::Value>(&text).unwrap()["requestContext"]["requestId"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            request_id.unwrap().to_str().unwrap(),
            expected_id,
            "{name}: API Gateway's request id is used"
        );
        let body = String::from_utf8_lossy(&body);
        assert!(
            !body.contains(demo.api_key.rsplit('_').next().unwrap()),
            "{name} leaked the secret"
        );
    }
}
