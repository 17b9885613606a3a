//! The Docs API: list, read, create and PATCH docs. Docs read for GETs, Docs write for
//! creates and updates.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::App;
use crate::auth::{Access, Feature, Need, Permission};
use crate::domain::docs::{self, DocInput};
use crate::domain::items::{Kind, Visibility};
use crate::error::Result;
use crate::http::extract::{Caller, QueryParams, RawJson};
use crate::http::idempotent::once;
use crate::http::support::{self, ctx};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/docs/", get(list).post(create))
        .route("/api/v1/docs", get(list).post(create))
        .route("/api/v1/docs/{id}", get(show).patch(update))
}

async fn access(app: &App, caller: &Caller, permission: Permission) -> Result<Access> {
    caller
        .access(app, Need::Scope(Feature::Docs, permission))
        .await
}

/// The query of the docs and meetings lists.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    pub status: Option<Visibility>,
    pub updated_since: Option<String>,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn list(
    State(app): State<App>,
    caller: Caller,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Read).await?;
    let ctx = ctx(&app, &access);
    let list_name = ctx.list_name(Kind::Doc);
    let page = support::list_page(
        access.team_id(),
        &list_name,
        params.limit,
        params.cursor.as_deref(),
        params.updated_since.as_deref(),
    )?;
    let (docs, next) = docs::list(&ctx, params.status, page).await?;
    let next_cursor = support::next_cursor(access.team_id(), &list_name, next);
    Ok(Json(json!({ "docs": docs, "next_cursor": next_cursor })))
}

#[tracing::instrument(skip_all, fields(doc_id = %id))]
async fn show(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Read).await?;
    let doc = docs::get(&ctx(&app, &access), &id).await?;
    Ok(Json(json!({ "doc": doc })))
}

#[tracing::instrument(skip_all)]
async fn create(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Response> {
    let access = access(&app, &caller, Permission::Write).await?;
    let input: DocInput = body.parse()?;
    let actor = caller.actor(&app, &access).await?;
    once(
        &app,
        &caller.key,
        &headers,
        "POST /api/v1/docs/",
        &body.0,
        || async {
            let doc = docs::create(&ctx(&app, &access), &actor.id, input).await?;
            Ok((StatusCode::CREATED, json!({ "doc": doc })))
        },
    )
    .await
}

#[tracing::instrument(skip_all, fields(doc_id = %id))]
async fn update(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Write).await?;
    let input: DocInput = body.parse()?;
    let if_match = support::if_match(&headers)?;
    let actor = caller.actor(&app, &access).await?;
    let doc = docs::update(&ctx(&app, &access), &actor.id, &id, input, if_match).await?;
    Ok(Json(json!({ "doc": doc })))
}
