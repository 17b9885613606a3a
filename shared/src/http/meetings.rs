//! The Meetings API: list, read, create and PATCH meetings. Meetings read for GETs,
//! Meetings write for creates and updates.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::app::App;
use crate::auth::{Access, Feature, Need, Permission};
use crate::domain::items::Kind;
use crate::domain::meetings::{self, MeetingInput};
use crate::error::Result;
use crate::http::docs::ListParams;
use crate::http::extract::{Caller, QueryParams, RawJson};
use crate::http::idempotent::once;
use crate::http::support::{self, ctx};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/meetings/", get(list).post(create))
        .route("/api/v1/meetings", get(list).post(create))
        .route("/api/v1/meetings/{id}", get(show).patch(update))
}

async fn access(app: &App, caller: &Caller, permission: Permission) -> Result<Access> {
    caller
        .access(app, Need::Scope(Feature::Meetings, permission))
        .await
}

#[tracing::instrument(skip_all)]
async fn list(
    State(app): State<App>,
    caller: Caller,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Read).await?;
    let ctx = ctx(&app, &access);
    let list_name = ctx.list_name(Kind::Meeting);
    let page = support::list_page(
        access.team_id(),
        &list_name,
        params.limit,
        params.cursor.as_deref(),
        params.updated_since.as_deref(),
    )?;
    let (meetings, next) = meetings::list(&ctx, params.status, page).await?;
    let next_cursor = support::next_cursor(access.team_id(), &list_name, next);
    Ok(Json(
        json!({ "meetings": meetings, "next_cursor": next_cursor }),
    ))
}

#[tracing::instrument(skip_all, fields(meeting_id = %id))]
async fn show(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Read).await?;
    let meeting = meetings::get(&ctx(&app, &access), &id).await?;
    Ok(Json(json!({ "meeting": meeting })))
}

#[tracing::instrument(skip_all)]
async fn create(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Response> {
    let access = access(&app, &caller, Permission::Write).await?;
    let input: MeetingInput = body.parse()?;
    let actor = caller.actor(&app, &access).await?;
    once(
        &app,
        &caller.key,
        &headers,
        "POST /api/v1/meetings/",
        &body.0,
        || async {
            let meeting = meetings::create(&ctx(&app, &access), &actor.id, input).await?;
            Ok((StatusCode::CREATED, json!({ "meeting": meeting })))
        },
    )
    .await
}

#[tracing::instrument(skip_all, fields(meeting_id = %id))]
async fn update(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Write).await?;
    let input: MeetingInput = body.parse()?;
    let if_match = support::if_match(&headers)?;
    let actor = caller.actor(&app, &access).await?;
    let meeting = meetings::update(&ctx(&app, &access), &actor.id, &id, input, if_match).await?;
    Ok(Json(json!({ "meeting": meeting })))
}
