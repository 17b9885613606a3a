//! The per-database GraphQL API for rows. The schema is generated at run time from a
//! database's tables and columns (async-graphql's dynamic schema), cached per schema
//! version, and rebuilt only when the schema changes.
//!
//! Per table with gtype `G`: queries `GRows` (also `gRows` when that differs) with
//! filters, ordering and pagination, and `GRow(id)`; mutations `G(...)` and
//! `createG(input)` to insert, `updateG(id, ...)` and `deleteG(id)`. Reference fields
//! resolve to the target rows, loaded one batch per level of the query.

mod cache;
mod expand;
mod input;
mod schema;
mod unset;

use std::sync::Arc;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{ErrorExtensions, Request, Response};

pub use cache::SchemaCache;
pub use unset::Unset;

use crate::domain::databases::Database;
use crate::domain::rows::RowEnv;
use crate::error::Error;

/// The deepest query accepted (the standard introspection query needs 13).
pub const MAX_DEPTH: usize = 15;
/// The most fields a query may select, counted once each.
pub const MAX_COMPLEXITY: usize = 1_000;
/// Rows in a list query when `first` is not given.
pub const DEFAULT_PAGE: usize = 100;
/// The most rows one list query answers.
pub const MAX_PAGE: usize = 500;
/// The most rows one request may load through references.
pub const MAX_LOADED_ROWS: usize = 10_000;

/// What resolvers work with during one request.
pub struct RequestData {
    pub env: RowEnv,
    pub db: Arc<Database>,
    /// Whether the key may write rows (mutations need it).
    pub can_write: bool,
}

/// Whether the operation the request runs is a mutation. A query that does not parse
/// is not one: running it answers the parse error.
pub fn is_mutation(query: &str, operation_name: Option<&str>) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    let kind = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        (DocumentOperations::Multiple(ops), None) => {
            // Several operations without a name is an error the execution reports;
            // refuse writes if any of them could write.
            ops.values()
                .any(|op| op.node.ty == OperationType::Mutation)
                .then_some(OperationType::Mutation)
        }
    };
    kind == Some(OperationType::Mutation)
}

/// Runs a GraphQL request against the database's generated schema.
pub async fn execute(cache: &SchemaCache, data: RequestData, request: Request) -> Response {
    let schema = match cache.schema(&data.db) {
        Ok(schema) => schema,
        Err(err) => {
            tracing::error!(error = ?err, db_id = %data.db.id, "building the GraphQL schema failed");
            let error = async_graphql::ServerError::new("internal error building the schema", None);
            return Response::from_errors(vec![error]);
        }
    };
    let unset = Unset::of(
        &request.query,
        request.operation_name.as_deref(),
        &request.variables,
    );
    schema.execute(request.data(data).data(unset)).await
}

/// An API error as a GraphQL error: the message names the field, and the extensions
/// carry the API's error code. Internal causes are logged, never answered.
pub(crate) fn to_graphql(err: Error) -> async_graphql::Error {
    let code = err.code();
    let message = match &err {
        Error::Internal(cause) => {
            tracing::error!(error = ?cause, "a GraphQL resolver failed");
            "internal error; quote the request id when reporting it".to_string()
        }
        other => other.to_string(),
    };
    let field = match &err {
        Error::Validation { field, .. } => Some(field.clone()),
        _ => None,
    };
    async_graphql::Error::new(message).extend_with(|_, ext| {
        ext.set("code", code);
        if let Some(field) = &field {
            ext.set("field", field.as_str());
        }
    })
}

#[cfg(test)]
mod tests;
