//! The Tasks API: list, read with comments, create, PATCH, and add comments. Tasks read
//! for GETs, Tasks write for creates and updates, Tasks comment for comments.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::App;
use crate::auth::{Access, Feature, Need, Permission};
use crate::domain::items::Kind;
use crate::domain::paging;
use crate::domain::tasks::{self, CommentInput, Filter, Status, TaskInput};
use crate::error::Result;
use crate::http::extract::{Caller, QueryParams, RawJson};
use crate::http::idempotent::once;
use crate::http::support::{self, ctx};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/tasks/", get(list).post(create))
        .route("/api/v1/tasks", get(list).post(create))
        .route("/api/v1/tasks/{id}", get(show).patch(update))
        .route("/api/v1/tasks/{id}/comments", post(comment))
}

async fn access(app: &App, caller: &Caller, permission: Permission) -> Result<Access> {
    caller
        .access(app, Need::Scope(Feature::Tasks, permission))
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    status: Option<Status>,
    /// A user id or username.
    assignee: Option<String>,
    updated_since: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn list(
    State(app): State<App>,
    caller: Caller,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Read).await?;
    let ctx = ctx(&app, &access);
    let list_name = ctx.list_name(Kind::Task);
    let page = support::list_page(
        access.team_id(),
        &list_name,
        params.limit,
        params.cursor.as_deref(),
        params.updated_since.as_deref(),
    )?;
    let assignee = match params.assignee {
        Some(who) => Some(tasks::member_id(&ctx, "assignee", &who).await?),
        None => None,
    };
    let filter = Filter {
        status: params.status,
        assignee,
    };
    let (tasks, next) = tasks::list(&ctx, &filter, page).await?;
    let next_cursor = paging::next_cursor(access.team_id(), &list_name, next);
    Ok(Json(json!({ "tasks": tasks, "next_cursor": next_cursor })))
}

#[tracing::instrument(skip_all, fields(task_id = %id))]
async fn show(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Read).await?;
    let task = tasks::get(&ctx(&app, &access), &id).await?;
    Ok(Json(json!({ "task": task })))
}

#[tracing::instrument(skip_all)]
async fn create(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Response> {
    let access = access(&app, &caller, Permission::Write).await?;
    let input: TaskInput = body.parse()?;
    if input.comments.is_some() {
        access.require(Feature::Tasks, Permission::Comment)?;
    }
    let actor = caller.actor(&app, &access).await?;
    once(
        &app,
        &caller.key,
        &headers,
        "POST /api/v1/tasks/",
        &body.0,
        || async {
            let task = tasks::create(&ctx(&app, &access), &actor.id, input).await?;
            Ok((StatusCode::CREATED, json!({ "task": task })))
        },
    )
    .await
}

#[tracing::instrument(skip_all, fields(task_id = %id))]
async fn update(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Json<Value>> {
    let access = access(&app, &caller, Permission::Write).await?;
    let input: TaskInput = body.parse()?;
    let if_match = support::if_match(&headers)?;
    let actor = caller.actor(&app, &access).await?;
    let task = tasks::update(&ctx(&app, &access), &actor.id, &id, input, if_match).await?;
    Ok(Json(json!({ "task": task })))
}

#[tracing::instrument(skip_all, fields(task_id = %id))]
async fn comment(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Response> {
    let access = access(&app, &caller, Permission::Comment).await?;
    let input: CommentInput = body.parse()?;
    let actor = caller.actor(&app, &access).await?;
    let route = format!("POST /api/v1/tasks/{id}/comments");
    once(&app, &caller.key, &headers, &route, &body.0, || async {
        let task = tasks::add_comment(&ctx(&app, &access), &actor.id, &id, input).await?;
        Ok((StatusCode::CREATED, json!({ "task": task })))
    })
    .await
}
