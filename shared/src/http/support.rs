//! What the item route groups share: the raw JSON body of a create (kept whole for the
//! Idempotency-Key fingerprint), `If-Match`, list pages and cursors, and the domain
//! context of a request.

use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::App;
use crate::auth::Access;
use crate::domain::items::{ListPage, ProjectCtx};
use crate::domain::{dates, paging};
use crate::error::{Error, Result};
use crate::http::extract::parse_json;
use crate::ports::Item;

/// A JSON request body as raw bytes, checked to be JSON; `parse` reads it.
pub struct RawJson(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawJson {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        let is_json = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge("the request body is too large".into())
            } else {
                Error::invalid("body", "could not be read")
            }
        })?;
        if !is_json && !bytes.is_empty() {
            return Err(Error::invalid("content-type", "must be application/json"));
        }
        Ok(RawJson(bytes))
    }
}

impl RawJson {
    /// The body as `T` (an empty body reads as `{}`), naming the field at fault.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        let raw: &[u8] = if self.0.is_empty() { b"{}" } else { &self.0 };
        parse_json(raw)
    }
}

/// The domain context of a request in `access`'s project.
pub fn ctx<'a>(app: &'a App, access: &'a Access) -> ProjectCtx<'a> {
    ProjectCtx {
        store: app.store.as_ref(),
        blobs: app.blobs.as_ref(),
        clock: app.clock.as_ref(),
        team_id: access.team_id(),
        project_id: access.project_id(),
    }
}

/// The version in an `If-Match` header (`3` or `"3"`), when one was sent.
pub fn if_match(headers: &HeaderMap) -> Result<Option<u64>> {
    let Some(value) = headers.get(http::header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| Error::invalid("If-Match", "must be the item's version number"))
}

/// A list page from the `limit`, `cursor` and `updated_since` parameters.
pub fn list_page(
    team_id: &str,
    list_name: &str,
    limit: Option<usize>,
    cursor: Option<&str>,
    updated_since: Option<&str>,
) -> Result<ListPage> {
    let since = match updated_since.map(str::trim) {
        None | Some("") => None,
        Some(text) => {
            let value = match text.parse::<i64>() {
                Ok(ms) => Value::from(ms),
                Err(_) => Value::from(text),
            };
            Some(dates::parse_ms("updated_since", &value)?)
        }
    };
    Ok(ListPage {
        limit: paging::limit(limit)?,
        since,
        start: cursor
            .map(|c| paging::decode(team_id, list_name, c))
            .transpose()?,
    })
}

/// The `next_cursor` of a page.
pub fn next_cursor(team_id: &str, list_name: &str, next: Option<Item>) -> Option<String> {
    next.map(|n| paging::encode(team_id, list_name, &n))
}
