//! What the item route groups share: `If-Match`, list pages, and the
//! domain context of a request.

use axum::http::HeaderMap;
use serde_json::Value;

use crate::app::App;
use crate::auth::Access;
use crate::domain::items::{ListPage, ProjectCtx};
use crate::domain::{dates, paging};
use crate::error::{Error, Result};

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
        start: paging::start(team_id, list_name, cursor)?,
    })
}
