//! The Files API: prepare an upload (a signed PUT), complete it once the bytes are
//! stored, and read file metadata. Files write for uploads, Files read for metadata.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::app::App;
use crate::auth::{Access, Feature, Need, Permission};
use crate::domain::files::{self, CompleteInput, PrepareInput};
use crate::error::Result;
use crate::http::extract::{Caller, RawJson};
use crate::http::idempotent::once;
use crate::http::support::ctx;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/files/prepare-upload", post(prepare))
        .route("/api/v1/files/complete-upload", post(complete))
        .route("/api/v1/files/{id}", get(show))
}

async fn access(app: &App, caller: &Caller, permission: Permission) -> Result<Access> {
    caller
        .access(app, Need::Scope(Feature::Files, permission))
        .await
}

#[tracing::instrument(skip_all)]
async fn prepare(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Response> {
    let access = access(&app, &caller, Permission::Write).await?;
    let input: PrepareInput = body.parse()?;
    let route = "POST /api/v1/files/prepare-upload";
    once(&app, &caller.key, &headers, route, &body.0, || async {
        let max = app.config.max_upload_bytes;
        let prepared = files::prepare(&ctx(&app, &access), max, input).await?;
        Ok((StatusCode::OK, prepared))
    })
    .await
}

#[tracing::instrument(skip_all)]
async fn complete(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Response> {
    let access = access(&app, &caller, Permission::Write).await?;
    let input: CompleteInput = body.parse()?;
    let actor = caller.actor(&app, &access).await?;
    let route = "POST /api/v1/files/complete-upload";
    once(&app, &caller.key, &headers, route, &body.0, || async {
        let file = files::complete(&ctx(&app, &access), &actor.id, input).await?;
        Ok((StatusCode::CREATED, json!({ "file": file })))
    })
    .await
}

#[tracing::instrument(skip_all, fields(file_id = %id))]
async fn show(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Read).await?;
    let file = files::get(&ctx(&app, &access), &id).await?;
    Ok(Json(json!({ "file": files::view(&file) })))
}
