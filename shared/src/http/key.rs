//! `GET /api/v1/key`: the calling key's safe metadata.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::app::App;
use crate::error::Result;
use crate::http::extract::Caller;

pub fn router() -> Router<App> {
    Router::new().route("/api/v1/key", get(show))
}

#[tracing::instrument(skip_all, fields(key_id = %caller.key.id))]
async fn show(caller: Caller) -> Result<Json<Value>> {
    Ok(Json(json!({ "key": caller.key.public_view() })))
}
