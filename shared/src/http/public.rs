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
