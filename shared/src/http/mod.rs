//! HTTP: one axum `router()` per route group. A Lambda binary runs its group's router
//! through `lambda_http`; `aamu serve` merges them all. The same router answers in both.

pub mod databases;
pub mod docs;
pub mod extract;
pub mod file_links;
pub mod files;
pub mod graphql;
pub mod idempotent;
pub mod key;
pub mod legacy_submit;
pub mod meetings;
pub mod pages;
pub mod public;
pub mod request_id;
pub mod support;
pub mod tasks;
pub mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::IntoResponse;

use crate::app::App;
use crate::error::Error;

/// The largest JSON body any route accepts (file bytes go to signed URLs instead).
pub const MAX_JSON_BODY: usize = 1024 * 1024;

/// The route groups, by the name of the Lambda function that serves each.
pub fn group(name: &str) -> Option<Router<App>> {
    Some(match name {
        "key" => key::router(),
        "users" => users::router(),
        "tasks" => tasks::router(),
        "docs" => docs::router(),
        "meetings" => meetings::router(),
        "files" => files::router(),
        "databases" => databases::router(),
        "graphql" => graphql::router(),
        "public" => public_routes(),
        _ => return None,
    })
}

/// The `public` group: the OpenAPI and plugin documents, the editor's file links and
/// the legacy table submit.
pub fn public_routes() -> Router<App> {
    public::router()
        .merge(file_links::router())
        .merge(legacy_submit::router())
}

/// The names of every route group.
pub const GROUPS: &[&str] = &[
    "key",
    "users",
    "tasks",
    "docs",
    "meetings",
    "files",
    "databases",
    "graphql",
    "public",
];

/// Every route group on one router: what `aamu serve` answers.
pub fn all_groups() -> Router<App> {
    GROUPS
        .iter()
        .filter_map(|name| group(name))
        .fold(Router::new(), Router::merge)
}

/// Finishes a router: request ids and logging, the body limit, JSON 404s, state.
pub fn finish(routes: Router<App>, app: App) -> Router {
    routes
        .fallback(|| async { Error::NotFound("route").into_response() })
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(middleware::from_fn(request_id::layer))
        .with_state(app)
}
