//! The Users API: project members, for actor headers and task assignees. Any project
//! read scope opens it.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::App;
use crate::auth::Need;
use crate::domain::{paging, tenancy};
use crate::error::{Error, Result};
use crate::http::extract::{Caller, QueryParams};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/users/", get(list))
        .route("/api/v1/users", get(list))
        .route("/api/v1/users/{user}", get(show))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    username: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn list(
    State(app): State<App>,
    caller: Caller,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<Value>> {
    let access = caller.access(&app, Need::AnyRead).await?;
    let store = app.store.as_ref();
    if let Some(username) = params.username {
        let found =
            tenancy::find_member(store, access.team_id(), access.project_id(), &username).await?;
        let users: Vec<_> = found
            .into_iter()
            .filter(|u| u.username == username.to_ascii_lowercase())
            .collect();
        return Ok(Json(json!({ "users": users, "next_cursor": null })));
    }
    let limit = paging::limit(params.limit)?;
    let list_name = format!("users:{}", access.project_id());
    let start = paging::start(access.team_id(), &list_name, params.cursor.as_deref())?;
    let (users, next) =
        tenancy::list_members(store, access.team_id(), access.project_id(), limit, start).await?;
    let next_cursor = paging::next_cursor(access.team_id(), &list_name, next);
    Ok(Json(json!({ "users": users, "next_cursor": next_cursor })))
}

#[tracing::instrument(skip_all)]
async fn show(
    State(app): State<App>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<Json<Value>> {
    let access = caller.access(&app, Need::AnyRead).await?;
    let found = tenancy::find_member(
        app.store.as_ref(),
        access.team_id(),
        access.project_id(),
        &user,
    )
    .await?;
    let user = found.ok_or(Error::NotFound("user"))?;
    Ok(Json(json!({ "user": user })))
}
