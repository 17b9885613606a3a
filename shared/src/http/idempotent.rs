//! `Idempotency-Key` on creates: run once, replay the stored response after.

use std::future::Future;

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::app::App;
use crate::auth::ApiKey;
use crate::domain::idempotency::{self, Begin};
use crate::error::{Error, Result};

/// Runs `create` once per `Idempotency-Key` header value of this API key. Without the
/// header it simply runs. `route` and `body` fingerprint the request, so the same key
/// with a different request is refused.
pub async fn once<Fut>(
    app: &App,
    key: &ApiKey,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    create: impl FnOnce() -> Fut,
) -> Result<Response>
where
    Fut: Future<Output = Result<(StatusCode, Value)>>,
{
    let Some(value) = headers.get("idempotency-key") else {
        let (status, body) = create().await?;
        return Ok((status, Json(body)).into_response());
    };
    let value = value
        .to_str()
        .map_err(|_| Error::invalid("Idempotency-Key", "is not valid text"))?;
    let value = idempotency::validate(value)?;
    let fingerprint = idempotency::fingerprint(route, body);
    let store = app.store.as_ref();
    match idempotency::begin(
        store,
        app.clock.as_ref(),
        &key.team_id,
        &key.id,
        value,
        &fingerprint,
    )
    .await?
    {
        Begin::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = (status, Json(body)).into_response();
            response.headers_mut().insert(
                "idempotent-replayed",
                http::HeaderValue::from_static("true"),
            );
            Ok(response)
        }
        Begin::Run(claim) => match create().await {
            Ok((status, body)) => {
                idempotency::finish(store, claim, status.as_u16(), &body).await?;
                Ok((status, Json(body)).into_response())
            }
            Err(err) => {
                idempotency::abandon(store, claim).await;
                Err(err)
            }
        },
    }
}
