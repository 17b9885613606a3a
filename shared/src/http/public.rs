//! Public documents: the OpenAPI description (at both documented paths) and the AI
//! plugin manifest. No key needed.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::App;

/// The OpenAPI document, served verbatim.
pub const OPENAPI: &str = include_str!("../../../openapi.json");

pub fn router() -> Router<App> {
    Router::new()
        .route("/.well-known/openapi.json", get(openapi))
        .route("/api/openapi.json", get(openapi))
        .route("/.well-known/ai-plugin.json", get(plugin))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

async fn plugin() -> impl IntoResponse {
    let manifest = serde_json::json!({
        "schema_version": "v1",
        "name_for_human": "Aamu",
        "name_for_model": "aamu",
        "description_for_human": "Create and update tasks, docs, meetings, forms, files and database rows in Aamu.",
        "description_for_model": "Project API for Aamu. Authenticate with a Team API key in the x-api-key header; choose the project with x-project-id when the key reaches several. Read the OpenAPI document for operations and scopes.",
        "auth": { "type": "service_http", "authorization_type": "custom", "custom_auth_header": "x-api-key" },
        "api": { "type": "openapi", "url": "/.well-known/openapi.json" },
        "contact_email": "support@aamu.app",
        "legal_info_url": "https://aamu.app"
    });
    axum::Json(manifest)
}

#[cfg(test)]
mod tests {
    use super::OPENAPI;

    #[test]
    fn every_operation_names_its_scope_and_an_operation_id() {
        let spec: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
        assert_eq!(spec["openapi"], "3.1.0");
        let methods = ["get", "post", "put", "patch", "delete"];
        let mut ids = std::collections::HashSet::new();
        for (path, ops) in spec["paths"].as_object().expect("paths") {
            for (method, op) in ops.as_object().expect("operations") {
                if !methods.contains(&method.as_str()) {
                    continue;
                }
                assert!(
                    op["x-aamu-scope"].is_string(),
                    "{method} {path} has no x-aamu-scope"
                );
                let id = op["operationId"].as_str().unwrap_or_default();
                assert!(
                    ids.insert(id.to_string()),
                    "{method} {path}: operationId {id:?} repeats"
                );
            }
        }
    }
}
