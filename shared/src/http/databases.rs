//! The Database REST API: create databases, add tables and columns, read the schema
//! and the activity log. Rows are read and written through `/api/v1/graphql/`.
//!
//! Routes under `/databases/DB_ID/` find the project from the database, then apply the
//! key's Database scope to that project; a database the key cannot reach is a 404.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::app::App;
use crate::auth::access::{self, Access};
use crate::auth::{Feature, Need, Permission};
use crate::domain::databases::{self, Database, NewColumn, NewTable, Table};
use crate::domain::{activity, paging};
use crate::error::{Error, Result};
use crate::http::extract::{Caller, QueryParams, parse_json};
use crate::http::idempotent::once;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/databases/", get(list).post(create))
        .route("/api/v1/databases", get(list).post(create))
        .route("/api/v1/databases/{db}", get(show))
        .route("/api/v1/databases/{db}/tables", get(tables).post(add_table))
        .route("/api/v1/databases/{db}/tables/{table}", get(table))
        .route(
            "/api/v1/databases/{db}/tables/{table}/columns",
            get(columns).post(add_columns),
        )
        .route("/api/v1/databases/{db}/activity", get(activity_log))
}

/// The database `db_id` of the caller's team and the access to its project, for a
/// route that needs `permission`. A database out of the key's reach is a 404.
pub async fn database_access(
    app: &App,
    caller: &Caller,
    db_id: &str,
    permission: Permission,
) -> Result<(Access, Database)> {
    let store = app.store.as_ref();
    let db = databases::get(store, &caller.key.team_id, db_id)
        .await?
        .ok_or(Error::NotFound("database"))?;
    let need = Need::Scope(Feature::Database, permission);
    let access = access::resolve_project(store, &caller.key, Some(&db.pid), need)
        .await
        .map_err(|err| match err {
            Error::NotFound(_) => Error::NotFound("database"),
            other => other,
        })?;
    Ok((access, db))
}

/// Parses a JSON body kept as bytes (for the idempotency fingerprint).
fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T> {
    let is_json = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
    if !is_json && !body.is_empty() {
        return Err(Error::invalid("content-type", "must be application/json"));
    }
    parse_json(if body.is_empty() { b"{}" } else { body })
}

fn table_view(table: &Table) -> Value {
    json!({ "id": table.id, "name": table.name, "gtype": table.gtype,
            "columns": table.columns, "created": table.created })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    limit: Option<usize>,
    cursor: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn list(
    State(app): State<App>,
    caller: Caller,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<Value>> {
    let need = Need::Scope(Feature::Database, Permission::Read);
    let access = caller.access(&app, need).await?;
    let limit = paging::limit(params.limit)?;
    let list_name = format!("databases:{}", access.project_id());
    let start = paging::start(access.team_id(), &list_name, params.cursor.as_deref())?;
    let (dbs, next) = databases::list(
        app.store.as_ref(),
        access.team_id(),
        access.project_id(),
        limit,
        start,
    )
    .await?;
    let views: Vec<Value> = dbs.iter().map(Database::view).collect();
    let next_cursor = paging::next_cursor(access.team_id(), &list_name, next);
    Ok(Json(
        json!({ "databases": views, "next_cursor": next_cursor }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
}

#[tracing::instrument(skip_all)]
async fn create(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::response::Response> {
    let input: CreateBody = json_body(&headers, &body)?;
    let need = Need::Scope(Feature::Database, Permission::Write);
    let access = caller.access(&app, need).await?;
    let actor = caller.actor(&app, &access).await?;
    once(
        &app,
        &caller.key,
        &headers,
        "POST /databases/",
        &body,
        || async {
            let db = databases::create(
                app.store.as_ref(),
                app.clock.as_ref(),
                access.team_id(),
                access.project_id(),
                Some(&actor.id),
                &input.name,
            )
            .await?;
            let mut view = db.view();
            view["table_id"] = json!(db.tables[0].id);
            tracing::info!(db_id = %db.id, "database created");
            Ok((StatusCode::CREATED, json!({ "database": view })))
        },
    )
    .await
}

#[tracing::instrument(skip_all, fields(db_id = %db_id))]
async fn show(
    State(app): State<App>,
    caller: Caller,
    Path(db_id): Path<String>,
) -> Result<Json<Value>> {
    let (_, db) = database_access(&app, &caller, &db_id, Permission::Read).await?;
    Ok(Json(json!({ "database": db.view() })))
}

#[tracing::instrument(skip_all, fields(db_id = %db_id))]
async fn tables(
    State(app): State<App>,
    caller: Caller,
    Path(db_id): Path<String>,
) -> Result<Json<Value>> {
    let (_, db) = database_access(&app, &caller, &db_id, Permission::Read).await?;
    let tables: Vec<Value> = db.tables.iter().map(table_view).collect();
    Ok(Json(json!({ "tables": tables })))
}

#[tracing::instrument(skip_all, fields(db_id = %db_id, table_id = %table_id))]
async fn table(
    State(app): State<App>,
    caller: Caller,
    Path((db_id, table_id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let (_, db) = database_access(&app, &caller, &db_id, Permission::Read).await?;
    let table = db.table_by_id(&table_id)?;
    Ok(Json(json!({ "table": table_view(table) })))
}

#[tracing::instrument(skip_all, fields(db_id = %db_id, table_id = %table_id))]
async fn columns(
    State(app): State<App>,
    caller: Caller,
    Path((db_id, table_id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let (_, db) = database_access(&app, &caller, &db_id, Permission::Read).await?;
    let table = db.table_by_id(&table_id)?;
    Ok(Json(json!({ "columns": table.columns })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableBody {
    name: String,
    gtype: Option<String>,
}

#[tracing::instrument(skip_all, fields(db_id = %db_id))]
async fn add_table(
    State(app): State<App>,
    caller: Caller,
    Path(db_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::response::Response> {
    let input: TableBody = json_body(&headers, &body)?;
    let (_, db) = database_access(&app, &caller, &db_id, Permission::Write).await?;
    let route = format!("POST /databases/{db_id}/tables");
    once(&app, &caller.key, &headers, &route, &body, || async {
        let new = NewTable {
            name: input.name,
            gtype: input.gtype,
        };
        let (db, table) =
            databases::add_table(app.store.as_ref(), app.clock.as_ref(), db, new).await?;
        let ids: Vec<&str> = db.tables.iter().map(|t| t.id.as_str()).collect();
        let body = json!({ "table": table_view(&table),
                           "database": { "id": db.id, "tables": ids } });
        Ok((StatusCode::CREATED, body))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnsBody {
    columns: Vec<ColumnBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnBody {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    gtype: Option<String>,
    options: Option<Value>,
}

#[tracing::instrument(skip_all, fields(db_id = %db_id, table_id = %table_id))]
async fn add_columns(
    State(app): State<App>,
    caller: Caller,
    Path((db_id, table_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::response::Response> {
    let input: ColumnsBody = json_body(&headers, &body)?;
    let (_, db) = database_access(&app, &caller, &db_id, Permission::Write).await?;
    db.table_by_id(&table_id)?;
    let route = format!("POST /databases/{db_id}/tables/{table_id}/columns");
    once(&app, &caller.key, &headers, &route, &body, || async {
        let new = input
            .columns
            .into_iter()
            .map(|c| NewColumn {
                name: c.name,
                kind: c.kind,
                gtype: c.gtype,
                options: c.options,
            })
            .collect();
        let (db, added) =
            databases::add_columns(app.store.as_ref(), app.clock.as_ref(), db, &table_id, new)
                .await?;
        let table = db.table_by_id(&table_id)?;
        let body = json!({ "table": table_view(table), "columns": added });
        Ok((StatusCode::CREATED, body))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityParams {
    table_id: Option<String>,
    row_id: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

#[tracing::instrument(skip_all, fields(db_id = %db_id))]
async fn activity_log(
    State(app): State<App>,
    caller: Caller,
    Path(db_id): Path<String>,
    QueryParams(params): QueryParams<ActivityParams>,
) -> Result<Json<Value>> {
    let (access, db) = database_access(&app, &caller, &db_id, Permission::Read).await?;
    let table_id = params.table_id.ok_or_else(|| {
        Error::invalid("table_id", "is required: the table whose activity to read")
    })?;
    db.table_by_id(&table_id)?;
    let limit = paging::limit(params.limit)?;
    let row_id = params.row_id.filter(|r| !r.is_empty());
    let list_name = format!(
        "activity:{db_id}:{table_id}:{}",
        row_id.as_deref().unwrap_or("")
    );
    let start = paging::start(access.team_id(), &list_name, params.cursor.as_deref())?;
    let (records, next) = activity::list(
        app.store.as_ref(),
        access.team_id(),
        &db.id,
        &table_id,
        row_id.as_deref(),
        limit,
        start,
    )
    .await?;
    let views: Vec<Value> = records.iter().map(activity::view).collect();
    let next_cursor = paging::next_cursor(access.team_id(), &list_name, next);
    Ok(Json(
        json!({ "activity": views, "next_cursor": next_cursor }),
    ))
}
