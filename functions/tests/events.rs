//! Feeds every API Gateway sample in `events/` through the Lambda request conversion
//! and the route group of the function it is named after, on a fresh SQLite store.

use aamu::app::{App, Needs};
use aamu::config::Config;
use aamu::domain::bootstrap;
use serde_json::{Value, json};
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

/// Sends one JSON request straight to a route group (setup, not a sample).
async fn call(
    app: &App,
    key: &str,
    group: &str,
    path: &str,
    db: Option<&str>,
    body: Value,
) -> Value {
    let mut request = axum::http::Request::post(path)
        .header("x-api-key", key)
        .header("content-type", "application/json");
    if let Some(db) = db {
        request = request.header("x-db-id", db);
    }
    let request = request
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let router = aamu::http::finish(aamu::http::group(group).unwrap(), app.clone());
    let response = router.oneshot(request).await.unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The guide's CRM (deals with a company reference) and a Feedback table, so the
/// database samples have real ids to stand for their placeholders.
async fn crm(app: &App, key: &str) -> Vec<(&'static str, String)> {
    let created = call(
        app,
        key,
        "databases",
        "/api/v1/databases/",
        None,
        json!({"name": "CRM"}),
    )
    .await;
    let db = created["database"]["id"].as_str().unwrap().to_string();
    let deals = created["database"]["table_id"]
        .as_str()
        .unwrap()
        .to_string();
    let tables = format!("/api/v1/databases/{db}/tables");
    let companies = call(
        app,
        key,
        "databases",
        &tables,
        None,
        json!({"name": "Companies", "gtype": "Companies"}),
    )
    .await;
    let companies = companies["table"]["id"].as_str().unwrap().to_string();
    let feedback = call(
        app,
        key,
        "databases",
        &tables,
        None,
        json!({"name": "Feedback", "gtype": "Feedback"}),
    )
    .await;
    let feedback = feedback["table"]["id"].as_str().unwrap().to_string();
    let columns = |table: &str| format!("/api/v1/databases/{db}/tables/{table}/columns");
    let text = |name: &str, gtype: &str| json!({"name": name, "type": "text", "gtype": gtype});
    call(app, key, "databases", &columns(&companies), None, json!({"columns": [text("Company name", "companyName"), {"name": "Website", "type": "link", "gtype": "website"}]})).await;
    call(app, key, "databases", &columns(&feedback), None, json!({"columns": [text("Customer", "customer"), {"name": "Message", "type": "longtext", "gtype": "message"}]})).await;
    let company_ref = json!({"name": "Company", "type": "reference", "gtype": "company", "options": {"type": "one_to_one", "table": companies, "column_show": "companyName"}});
    call(app, key, "databases", &columns(&deals), None, json!({"columns": [text("Deal name", "dealName"), {"name": "Stage", "type": "status", "gtype": "stage"}, company_ref]})).await;
    let graphql = |query: &str| json!({ "query": query });
    let company = call(
        app,
        key,
        "graphql",
        "/api/v1/graphql/",
        Some(&db),
        graphql(r#"mutation { Companies(companyName: "Acme Ltd") { id } }"#),
    )
    .await;
    let company = company["data"]["Companies"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deal = format!(
        r#"mutation {{ Sheet1(dealName: "Website redesign", stage: "new", company: "{company}") {{ id }} }}"#
    );
    let deal = call(
        app,
        key,
        "graphql",
        "/api/v1/graphql/",
        Some(&db),
        graphql(&deal),
    )
    .await;
    let deal = deal["data"]["Sheet1"]["id"].as_str().unwrap().to_string();
    // Longest placeholders first: TABLE_ID is inside DEALS_TABLE_ID.
    vec![
        ("DEALS_TABLE_ID", deals),
        ("DEAL_ROW_ID", deal),
        ("TABLE_ID", feedback),
        ("DB_ID", db),
    ]
}

#[tokio::test]
async fn every_api_gateway_sample_is_answered_by_its_function() {
    let dir = tempfile::tempdir().unwrap();
    let (app, demo) = app(dir.path()).await;
    let placeholders = crm(&app, &demo.api_key).await;
    let samples = samples();
    assert!(samples.len() >= 15, "samples: {samples:?}");

    for (name, text) in samples {
        let group = match name.split('-').next().unwrap() {
            "legacy" => "public".to_string(),
            other => other.to_string(),
        };
        let mut text = text
            .replace("YOUR_API_KEY", &demo.api_key)
            .replace("YOUR_PROJECT_ID", &demo.project_id);
        for (placeholder, value) in &placeholders {
            text = text.replace(placeholder, value);
        }
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
        if group == "graphql" {
            assert!(
                body.contains("\"data\"") && !body.contains("\"errors\""),
                "{name}: {body}"
            );
        }
    }
}
