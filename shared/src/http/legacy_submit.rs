//! The legacy direct table submit: `POST /api/v1/db/TABLE_ID` with form fields, as
//! older generated database form snippets post from browsers. It takes no key (a form
//! on a public page cannot hold one), so the unguessable table id is what admits the
//! row; the fields are still checked against the table's columns. There is no GET
//! listing here: rows are read through GraphQL.
//!
//! New integrations should use `/api/v1/forms/{id}/submissions` or GraphQL.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::app::App;
use crate::domain::databases;
use crate::domain::rows::{self, Naming, RowEnv};
use crate::domain::tenancy;
use crate::error::{Error, Result};
use crate::ports::ItemStore;

pub fn router() -> Router<App> {
    Router::new().route("/api/v1/db/{table_id}", post(submit))
}

/// The form fields in order, each name with all its values.
fn form_fields(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, Vec<String>)>> {
    let is_form = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(Error::invalid(
            "content-type",
            "must be application/x-www-form-urlencoded",
        ));
    }
    let mut fields: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in form_urlencoded::parse(body) {
        match fields.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value.into_owned()),
            None => fields.push((name.into_owned(), vec![value.into_owned()])),
        }
    }
    Ok(fields)
}

/// The user an unauthenticated submit acts as: the project's `ai` user, else its owner.
async fn default_actor(
    store: &dyn ItemStore,
    team_id: &str,
    project_id: &str,
) -> Result<Option<String>> {
    if let Some(ai) = tenancy::find_member(store, team_id, project_id, "ai").await? {
        return Ok(Some(ai.id));
    }
    let project = tenancy::get_project(store, team_id, project_id).await?;
    Ok(project.and_then(|p| p.owner_id))
}

#[tracing::instrument(skip_all, fields(table_id = %table_id))]
async fn submit(
    State(app): State<App>,
    Path(table_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>> {
    let fields = form_fields(&headers, &body)?;
    let store = app.store.as_ref();
    let home = databases::locate_table(store, &table_id)
        .await?
        .ok_or(Error::NotFound("table"))?;
    let db = databases::get(store, &home.team_id, &home.db_id)
        .await?
        .ok_or(Error::NotFound("table"))?;
    let input = rows::form_input(db.table_by_id(&table_id)?, fields)?;
    let env = RowEnv {
        store: app.store.clone(),
        bus: app.bus.clone(),
        clock: app.clock.clone(),
        actor_id: default_actor(store, &home.team_id, &home.project_id).await?,
        team_id: home.team_id,
        project_id: home.project_id,
    };
    let row = rows::insert(&env, &db, &table_id, input, Naming::GtypeOrName).await?;
    tracing::info!(row_id = %row.id, "legacy table submit stored a row");
    Ok(Json(json!({ "success": true, "id": row.id })))
}
