//! HTML bodies of tasks, comments, docs and meetings. They are sanitized before they
//! are stored; a body too large to sit in its item (DynamoDB refuses items over 400 KB)
//! goes to the blob store under a team-prefixed key that the item references.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::domain::html;
use crate::domain::items::{Field, ProjectCtx};
use crate::error::{Error, Result};
use crate::ids;

/// Bodies longer than this many bytes are kept in the blob store. Well under the item
/// limit, so an item's other fields always fit beside an inline body.
pub const INLINE_MAX: usize = 64 * 1024;

/// A stored body: inline HTML, or the blob key of a large one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_blob: Option<String>,
}

impl Body {
    /// An inline body (small, or empty).
    pub fn inline(html: String) -> Body {
        Body {
            html: Some(html),
            html_blob: None,
        }
    }
}

/// Cleans user-supplied HTML with the allow-list.
pub fn clean(html: &str) -> String {
    html::sanitize(html)
}

/// The new sanitized HTML of an `html` input, when it changes it (`null` empties it).
pub fn changed(html: Field<String>) -> Option<String> {
    match html {
        Field::Absent => None,
        Field::Null => Some(String::new()),
        Field::Value(html) => Some(clean(&html)),
    }
}

/// Keeps already-clean `html` inline, or writes it to the blob store when large.
/// `owner` names the item (`task-<id>`), so blob keys say what they belong to.
pub async fn store(ctx: &ProjectCtx<'_>, owner: &str, html: String) -> Result<Body> {
    if html.len() <= INLINE_MAX {
        return Ok(Body::inline(html));
    }
    let key = format!(
        "t/{}/p/{}/html/{owner}/{}.html",
        ctx.team_id,
        ctx.project_id,
        ids::new_id(ctx.clock.now_ms())
    );
    ctx.blobs
        .put(&key, Bytes::from(html), "text/html; charset=utf-8")
        .await
        .map_err(|e| Error::Internal(e.context("storing a large HTML body")))?;
    Ok(Body {
        html: None,
        html_blob: Some(key),
    })
}

/// The HTML of a stored body.
pub async fn read(ctx: &ProjectCtx<'_>, body: &Body) -> Result<String> {
    let Some(key) = &body.html_blob else {
        return Ok(body.html.clone().unwrap_or_default());
    };
    let found = ctx
        .blobs
        .get(key)
        .await
        .map_err(|e| Error::Internal(e.context("reading a large HTML body")))?;
    let (bytes, _) = found
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the HTML body blob {key} is missing")))?;
    String::from_utf8(bytes.to_vec())
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("decoding an HTML body")))
}

/// Removes a body's blob, if it has one. Best effort: a leftover blob is only storage.
pub async fn discard(ctx: &ProjectCtx<'_>, body: &Body) {
    if let Some(key) = &body.html_blob
        && let Err(err) = ctx.blobs.delete(key).await
    {
        tracing::warn!(error = ?err, "removing an unused HTML body blob failed");
    }
}
