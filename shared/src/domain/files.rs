//! Files: a two-step upload through a signed PUT, file metadata, and short-lived signed
//! downloads behind the editor's `/file/browser/...` and `/file/dl/...` links.
//!
//! `prepare` records the declared name, type and size as a pending upload
//! (`UPLOAD#<file id>`) and signs a PUT for exactly that; `complete` checks the stored
//! object against the record before it registers the file pointer (`FILE#<id>`). Bytes
//! live under `t/<team>/p/<project>/files/<file id>` in the blob store.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::items::ProjectCtx;
use crate::domain::record::{from_item, to_item};
use crate::error::{Error, Result};
use crate::ids;
use crate::ports::{BlobMeta, Cond, Key, Table, WriteOp};

/// How long a signed upload URL (and its pending record) stays valid.
pub const UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);
/// How long a signed download URL stays valid.
pub const LINK_TTL: Duration = Duration::from_secs(5 * 60);

/// The body of `prepare-upload`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepareInput {
    pub name: String,
    #[serde(rename = "type")]
    pub content_type: String,
    pub size: u64,
}

/// The body of `complete-upload`: the `complete` object `prepare-upload` answered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteInput {
    pub file_id: String,
    pub bucket: String,
    pub key: String,
    pub name: String,
    #[serde(rename = "type")]
    pub content_type: String,
    pub size: u64,
}

/// An upload that was prepared and not yet completed.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    file_id: String,
    key: String,
    name: String,
    content_type: String,
    size: u64,
    expires_at: i64,
    /// Expiry in seconds, for the store's time-to-live sweep.
    expires_at_s: i64,
}

/// A registered file: a pointer to one stored version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub id: String,
    pub file_id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub key: String,
    pub created_by: String,
    pub created_at: i64,
}

fn upload_sk(file_id: &str) -> String {
    format!("UPLOAD#{file_id}")
}

fn file_sk(id: &str) -> String {
    format!("FILE#{id}")
}

fn blob_key(ctx: &ProjectCtx<'_>, file_id: &str) -> String {
    format!("t/{}/p/{}/files/{file_id}", ctx.team_id, ctx.project_id)
}

/// Validates the declared file and signs a PUT for exactly those bytes.
pub async fn prepare(ctx: &ProjectCtx<'_>, max_bytes: u64, input: PrepareInput) -> Result<Value> {
    let name = file_name("name", &input.name)?;
    let content_type = media_type("type", &input.content_type)?;
    if input.size > max_bytes {
        return Err(Error::PayloadTooLarge(format!(
            "size: {} bytes is over the upload limit of {max_bytes} bytes",
            input.size
        )));
    }
    let now = ctx.clock.now_ms();
    let file_id = ids::new_id(now);
    let key = blob_key(ctx, &file_id);
    let signed = ctx
        .blobs
        .presign_put(&key, &content_type, input.size, UPLOAD_TTL)
        .await
        .map_err(|e| Error::Internal(e.context("signing an upload")))?;
    let expires_at = now + UPLOAD_TTL.as_millis() as i64;
    let pending = Pending {
        file_id: file_id.clone(),
        key: key.clone(),
        name: name.clone(),
        content_type: content_type.clone(),
        size: input.size,
        expires_at,
        expires_at_s: expires_at / 1000,
    };
    let item = to_item(ctx.pk(), upload_sk(&file_id), &pending);
    ctx.store
        .put(Table::Items, item, &[Cond::NotExists])
        .await?;
    Ok(json!({
        "upload": {
            "method": signed.method,
            "url": signed.url,
            "headers": signed.headers,
            "expires_at": expires_at,
        },
        "complete": {
            "file_id": file_id,
            "bucket": ctx.blobs.bucket(),
            "key": key,
            "name": name,
            "type": content_type,
            "size": input.size,
        }
    }))
}

/// Registers an uploaded file once the stored object matches what was prepared.
pub async fn complete(ctx: &ProjectCtx<'_>, actor_id: &str, input: CompleteInput) -> Result<Value> {
    let pending = pending(ctx, &input).await?;
    check_declared(ctx, &pending, &input)?;
    let meta = ctx
        .blobs
        .head(&pending.key)
        .await
        .map_err(|e| Error::Internal(e.context("reading an uploaded object")))?
        .ok_or_else(|| Error::BadRequest {
            code: "upload_missing",
            message: "nothing was uploaded to the signed URL; PUT the bytes first".into(),
        })?;
    if let Err(err) = check_uploaded(&pending, &meta) {
        // The object is not what was signed for: remove it, so a correct PUT can follow.
        if let Err(cause) = ctx.blobs.delete(&pending.key).await {
            tracing::warn!(error = ?cause, "removing a mismatched upload failed");
        }
        return Err(err);
    }
    let now = ctx.clock.now_ms();
    let record = FileRecord {
        id: ids::new_id(now),
        file_id: pending.file_id.clone(),
        name: pending.name,
        content_type: pending.content_type,
        size: pending.size,
        key: pending.key,
        created_by: actor_id.into(),
        created_at: now,
    };
    let ops = vec![
        WriteOp::Put {
            table: Table::Items,
            item: to_item(ctx.pk(), file_sk(&record.id), &record),
            conds: vec![Cond::NotExists],
        },
        WriteOp::Delete {
            table: Table::Items,
            key: Key::new(ctx.pk(), upload_sk(&record.file_id)),
            conds: vec![Cond::Exists],
        },
    ];
    ctx.store
        .transact(ops)
        .await
        .map_err(|_| Error::Conflict("this upload was already completed".into()))?;
    Ok(view(&record))
}

async fn pending(ctx: &ProjectCtx<'_>, input: &CompleteInput) -> Result<Pending> {
    let unknown = || {
        Error::invalid(
            "file_id",
            "is not a pending upload of this project; it may have been completed already",
        )
    };
    if !ids::looks_like_id(&input.file_id) {
        return Err(unknown());
    }
    let key = Key::new(ctx.pk(), upload_sk(&input.file_id));
    let item = ctx
        .store
        .get(Table::Items, &key)
        .await?
        .ok_or_else(unknown)?;
    let pending: Pending = from_item(item)?;
    if pending.expires_at < ctx.clock.now_ms() {
        return Err(Error::invalid(
            "file_id",
            "the upload expired; prepare it again",
        ));
    }
    Ok(pending)
}

/// The `complete` body must repeat what `prepare` answered.
fn check_declared(ctx: &ProjectCtx<'_>, pending: &Pending, input: &CompleteInput) -> Result<()> {
    let differs = |field: &str| Error::invalid(field, "differs from the prepared upload");
    if input.bucket != ctx.blobs.bucket() {
        return Err(differs("bucket"));
    }
    if input.key != pending.key {
        return Err(differs("key"));
    }
    if input.name != pending.name {
        return Err(differs("name"));
    }
    if !input
        .content_type
        .eq_ignore_ascii_case(&pending.content_type)
    {
        return Err(differs("type"));
    }
    if input.size != pending.size {
        return Err(differs("size"));
    }
    Ok(())
}

/// The stored object must have exactly the prepared size and type.
fn check_uploaded(pending: &Pending, meta: &BlobMeta) -> Result<()> {
    if meta.size != pending.size {
        return Err(Error::invalid(
            "size",
            format!(
                "the uploaded object has {} bytes, not the {} prepared",
                meta.size, pending.size
            ),
        ));
    }
    let stored_type = meta.content_type.split(';').next().unwrap_or_default();
    if !stored_type
        .trim()
        .eq_ignore_ascii_case(&pending.content_type)
    {
        return Err(Error::invalid(
            "type",
            format!(
                "the upload was sent as {:?}, not the {:?} prepared",
                meta.content_type, pending.content_type
            ),
        ));
    }
    Ok(())
}

/// A registered file of this project.
pub async fn get(ctx: &ProjectCtx<'_>, id: &str) -> Result<FileRecord> {
    if !ids::looks_like_id(id) {
        return Err(Error::NotFound("file"));
    }
    let key = Key::new(ctx.pk(), file_sk(id));
    let item = ctx.store.get(Table::Items, &key).await?;
    item.map(from_item)
        .transpose()?
        .ok_or(Error::NotFound("file"))
}

/// A short-lived signed GET for the file behind an editor link; `download` asks the
/// browser to save it rather than show it.
pub async fn signed_link(
    ctx: &ProjectCtx<'_>,
    id: &str,
    version: &str,
    name: &str,
    download: bool,
) -> Result<String> {
    let file = get(ctx, id).await?;
    if file.file_id != version || file.name != name {
        return Err(Error::NotFound("file"));
    }
    let download_name = download.then_some(file.name.as_str());
    ctx.blobs
        .presign_get(&file.key, LINK_TTL, download_name)
        .await
        .map_err(|e| Error::Internal(e.context("signing a download")))
}

/// The file as the API shows it.
pub fn view(file: &FileRecord) -> Value {
    let path = format!("{}/{}/{}", file.id, file.file_id, path_segment(&file.name));
    json!({
        "id": file.id,
        "filepointer_id": file.id,
        "file_id": file.file_id,
        "file_version_id": file.file_id,
        "name": file.name,
        "type": file.content_type,
        "size": file.size,
        "browser_url": format!("/file/browser/{path}"),
        "download_url": format!("/file/dl/{path}"),
        "created_by": file.created_by,
        "created_at": file.created_at,
    })
}

/// A file name: 1 to 255 bytes, no path separators or control characters.
pub fn file_name(field: &str, value: &str) -> Result<String> {
    let ok = !value.trim().is_empty()
        && value.len() <= 255
        && value != "."
        && value != ".."
        && !value
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control());
    if !ok {
        return Err(Error::invalid(
            field,
            "must be 1 to 255 bytes without '/', '\\' or control characters",
        ));
    }
    Ok(value.to_string())
}

/// A media type `type/subtype` (no parameters), in lowercase.
pub fn media_type(field: &str, value: &str) -> Result<String> {
    let token = |t: &str| {
        (1..=127).contains(&t.len())
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match value.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => Ok(value.to_ascii_lowercase()),
        _ => Err(Error::invalid(
            field,
            "must be a media type such as image/png, without parameters",
        )),
    }
}

/// Percent-encodes a file name for use as one URL path segment.
pub fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types_are_validated() {
        assert_eq!(file_name("name", "example.png").unwrap(), "example.png");
        for bad in ["", "a/b", "..", "a\nb", " "] {
            assert!(file_name("name", bad).is_err(), "case {bad:?}");
        }
        assert_eq!(media_type("type", "Image/PNG").unwrap(), "image/png");
        for bad in ["png", "text/plain; charset=utf-8", "/x", "a/"] {
            assert!(media_type("type", bad).is_err(), "case {bad:?}");
        }
    }

    #[test]
    fn names_in_links_are_one_encoded_path_segment() {
        assert_eq!(path_segment("example.png"), "example.png");
        assert_eq!(path_segment("a b/ä.txt"), "a%20b%2F%C3%A4.txt");
    }
}
