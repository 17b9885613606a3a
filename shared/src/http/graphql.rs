//! `POST /api/v1/graphql/`: rows of the database named by `x-db-id`, through the
//! schema generated for it. Queries need Database read, mutations Database write, on
//! the database's project; a database the key cannot reach is a 404 with no data.
//! Executed requests answer 200 with GraphQL's `{data, errors}`.

use std::sync::Arc;

use async_graphql::Variables;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::app::App;
use crate::auth::{Feature, Permission};
use crate::domain::graphql::{self, RequestData, SchemaCache};
use crate::domain::rows::RowEnv;
use crate::error::{Error, Result};
use crate::http::databases::database_access;
use crate::http::extract::{Caller, JsonBody};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/graphql/", post(run))
        .route("/api/v1/graphql", post(run))
}

/// A GraphQL request over HTTP.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GraphqlBody {
    query: String,
    #[serde(default)]
    variables: Option<Value>,
    #[serde(default, rename = "operationName")]
    operation_name: Option<String>,
    /// Accepted for client compatibility (persisted-query hashes); not used.
    #[serde(default)]
    #[allow(dead_code)]
    extensions: Option<Value>,
}

fn db_header(headers: &HeaderMap) -> Result<String> {
    let value = headers
        .get("x-db-id")
        .ok_or_else(|| Error::invalid("x-db-id", "is required: the id of the database"))?;
    let value = value
        .to_str()
        .map_err(|_| Error::invalid("x-db-id", "is not valid text"))?;
    Ok(value.trim().to_string())
}

fn to_request(body: GraphqlBody) -> Result<async_graphql::Request> {
    let mut request = async_graphql::Request::new(body.query);
    match body.variables {
        None | Some(Value::Null) => {}
        Some(vars @ Value::Object(_)) => request = request.variables(Variables::from_json(vars)),
        Some(_) => return Err(Error::invalid("variables", "must be an object")),
    }
    if let Some(name) = body.operation_name.filter(|n| !n.is_empty()) {
        request = request.operation_name(name);
    }
    Ok(request)
}

#[tracing::instrument(skip_all, fields(db_id))]
async fn run(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<GraphqlBody>,
) -> Result<Json<Value>> {
    let db_id = db_header(&headers)?;
    tracing::Span::current().record("db_id", db_id.as_str());
    let write = graphql::is_mutation(&body.query, body.operation_name.as_deref());
    let permission = if write {
        Permission::Write
    } else {
        Permission::Read
    };
    let (access, db) = database_access(&app, &caller, &db_id, permission).await?;
    let actor_id = match write {
        true => Some(caller.actor(&app, &access).await?.id),
        false => None,
    };
    let env = RowEnv {
        store: app.store.clone(),
        bus: app.bus.clone(),
        clock: app.clock.clone(),
        team_id: access.team_id().to_string(),
        project_id: access.project_id().to_string(),
        actor_id,
    };
    let data = RequestData {
        env,
        db: Arc::new(db),
        can_write: write && access.allows(Feature::Database, Permission::Write),
    };
    let response = graphql::execute(SchemaCache::global(), data, to_request(body)?).await;
    let body = serde_json::to_value(&response).map_err(|e| {
        Error::Internal(anyhow::Error::new(e).context("encoding a GraphQL response"))
    })?;
    Ok(Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(json: &str) -> lambda_http::Request {
        lambda_http::request::from_str(json).expect("the sample is an API Gateway v2 event")
    }

    #[test]
    fn the_graphql_samples_are_requests_this_route_takes() {
        for raw in [
            include_str!("../../../events/graphql-query.json"),
            include_str!("../../../events/graphql-mutation.json"),
        ] {
            let request = sample(raw);
            assert_eq!(request.uri().path(), "/api/v1/graphql/");
            assert!(db_header(request.headers()).is_ok());
            let body: GraphqlBody =
                crate::http::extract::parse_json(request.body().as_ref()).unwrap();
            let write = graphql::is_mutation(&body.query, body.operation_name.as_deref());
            assert_eq!(write, body.query.starts_with("mutation"));
            assert!(to_request(body).is_ok());
        }
    }
}
