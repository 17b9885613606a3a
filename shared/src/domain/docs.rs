//! Docs: durable written material (title, HTML, status), created, updated and listed
//! newest-updated first. The item is `DOC#<id>` in the project's partition.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::content::{self, Body};
use crate::domain::items::{self, Field, Kind, ListPage, ProjectCtx, Visibility};
use crate::domain::record::from_item;
use crate::error::Result;
use crate::ids;
use crate::ports::Item;

const TITLE_MAX: usize = 500;

/// A stored doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    pub id: String,
    pub pid: String,
    pub title: String,
    #[serde(flatten)]
    pub body: Body,
    pub status: Visibility,
    pub created_by: String,
    pub created_at: i64,
    pub updated_by: String,
    pub updated_at: i64,
    pub version: u64,
}

items::versioned!(Doc, Kind::Doc);

/// The body of a doc create or PATCH; absent fields keep their value.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocInput {
    #[serde(default)]
    pub title: Field<String>,
    #[serde(default)]
    pub html: Field<String>,
    #[serde(default)]
    pub status: Field<Visibility>,
}

/// Creates a doc acting as `actor_id`.
pub async fn create(ctx: &ProjectCtx<'_>, actor_id: &str, input: DocInput) -> Result<Value> {
    let now = ctx.clock.now_ms();
    let id = ids::new_id(now);
    let title = items::required_text("title", input.title, None, TITLE_MAX)?;
    let status = items::required_choice("status", input.status, None)?;
    let html = content::changed(input.html).unwrap_or_default();
    let body = content::store(ctx, &format!("doc-{id}"), html).await?;
    let doc = Doc {
        id: id.clone(),
        pid: ctx.project_id.into(),
        title,
        body,
        status,
        created_by: actor_id.into(),
        created_at: now,
        updated_by: actor_id.into(),
        updated_at: now,
        version: 1,
    };
    let item = ctx.item(Kind::Doc, &id, now, &doc);
    ctx.commit(item, None, Some(&doc.body), None).await?;
    view(ctx, &doc).await
}

/// Applies a PATCH acting as `actor_id`, conditional on the version read.
pub async fn update(
    ctx: &ProjectCtx<'_>,
    actor_id: &str,
    id: &str,
    input: DocInput,
    if_match: Option<u64>,
) -> Result<Value> {
    let stored: Doc = from_item(ctx.load(Kind::Doc, id).await?)?;
    items::check_if_match(if_match, stored.version)?;
    let mut doc = stored.clone();
    doc.title = items::required_text("title", input.title, Some(doc.title), TITLE_MAX)?;
    doc.status = items::required_choice("status", input.status, Some(doc.status))?;
    let html = content::changed(input.html);
    let doc = ctx
        .save_update(doc, stored.version, &stored.body, html, actor_id)
        .await?;
    view(ctx, &doc).await
}

/// One doc.
pub async fn get(ctx: &ProjectCtx<'_>, id: &str) -> Result<Value> {
    let doc: Doc = from_item(ctx.load(Kind::Doc, id).await?)?;
    view(ctx, &doc).await
}

/// One page of docs, newest-updated first, optionally of one status.
pub async fn list(
    ctx: &ProjectCtx<'_>,
    status: Option<Visibility>,
    page: ListPage,
) -> Result<(Vec<Value>, Option<Item>)> {
    let keep = |item: &Item| status.is_none_or(|s| item.get("status") == Some(&json!(s)));
    let (found, next) = ctx.list(Kind::Doc, page, keep).await?;
    let mut docs = Vec::with_capacity(found.len());
    for item in found {
        docs.push(view(ctx, &from_item(item)?).await?);
    }
    Ok((docs, next))
}

async fn view(ctx: &ProjectCtx<'_>, doc: &Doc) -> Result<Value> {
    Ok(json!({
        "id": doc.id,
        "pid": doc.pid,
        "title": doc.title,
        "status": doc.status,
        "html": content::read(ctx, &doc.body).await?,
        "created_by": doc.created_by,
        "created_at": doc.created_at,
        "updated_by": doc.updated_by,
        "updated_at": doc.updated_at,
        "version": doc.version,
    }))
}
