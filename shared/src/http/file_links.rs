//! File links and local signed URLs. `/file/browser/{id}/{version}/{name}` and
//! `/file/dl/...` (the editor's relative links) answer a key with Files read on the
//! file's project with a redirect to a short-lived signed GET. `/_blobs/{key}` answers
//! those signed URLs when blobs are kept locally (`aamu serve`); on AWS they point at
//! S3 and this route answers 404.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::adapters::local_files::{LocalFiles, SignatureError, SignedParams};
use crate::app::App;
use crate::auth::{Feature, Need, Permission};
use crate::domain::files;
use crate::error::{Error, Result};
use crate::http::extract::Caller;
use crate::http::support::ctx;
use crate::ports::BlobStore;

pub fn router() -> Router<App> {
    Router::new()
        .route("/file/browser/{id}/{version}/{name}", get(browser))
        .route("/file/dl/{id}/{version}/{name}", get(download))
        .route(
            "/_blobs/{*key}",
            get(blob_get)
                .put(blob_put)
                // The signed size bounds the body; see `blob_put`.
                .layer(DefaultBodyLimit::disable()),
        )
}

#[tracing::instrument(skip_all, fields(file_id = %id))]
async fn browser(
    State(app): State<App>,
    caller: Caller,
    Path((id, version, name)): Path<(String, String, String)>,
) -> Result<Response> {
    redirect(&app, &caller, &id, &version, &name, false).await
}

#[tracing::instrument(skip_all, fields(file_id = %id))]
async fn download(
    State(app): State<App>,
    caller: Caller,
    Path((id, version, name)): Path<(String, String, String)>,
) -> Result<Response> {
    redirect(&app, &caller, &id, &version, &name, true).await
}

async fn redirect(
    app: &App,
    caller: &Caller,
    id: &str,
    version: &str,
    name: &str,
    download: bool,
) -> Result<Response> {
    let need = Need::Scope(Feature::Files, Permission::Read);
    let access = caller.access(app, need).await?;
    let url = files::signed_link(&ctx(app, &access), id, version, name, download).await?;
    let location = HeaderValue::from_str(&url)
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("a signed URL header")))?;
    let headers = [
        (header::LOCATION, location),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    Ok((StatusCode::FOUND, headers).into_response())
}

fn local(app: &App) -> Result<&LocalFiles> {
    app.local_files.as_deref().ok_or(Error::NotFound("route"))
}

fn forbidden(code: &'static str, message: impl Into<String>) -> Error {
    Error::Forbidden {
        code,
        message: message.into(),
    }
}

/// The signed parameters of a local URL, verified for `key` and `op`.
fn signed(local: &LocalFiles, key: &str, query: Option<&str>, op: &str) -> Result<SignedParams> {
    let bad = || forbidden("invalid_signature", "the URL signature does not match");
    let params: SignedParams =
        serde_urlencoded::from_str(query.unwrap_or_default()).map_err(|_| bad())?;
    if params.op != op {
        return Err(bad());
    }
    local.verify(key, &params).map_err(|err| match err {
        SignatureError::BadSignature => bad(),
        SignatureError::Expired => forbidden("signature_expired", "the signed URL has expired"),
    })?;
    Ok(params)
}

/// A signed local upload: exactly the content type and byte count that were signed.
#[tracing::instrument(skip_all)]
async fn blob_put(
    State(app): State<App>,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode> {
    let local = local(&app)?;
    let params = signed(local, &key, query.as_deref(), "put")?;
    let sent_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !sent_type.eq_ignore_ascii_case(&params.ct) {
        return Err(forbidden(
            "content_type_mismatch",
            format!("Content-Type must be {:?}, as signed", params.ct),
        ));
    }
    let size_mismatch = || {
        forbidden(
            "size_mismatch",
            format!("the body must be exactly {} bytes, as signed", params.len),
        )
    };
    // Limitation: the embedded server holds one upload in memory before writing it;
    // the signed size (at most AAMU_MAX_UPLOAD_BYTES) bounds it.
    let limit = usize::try_from(params.len).map_err(|_| size_mismatch())?;
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| size_mismatch())?;
    if bytes.len() as u64 != params.len {
        return Err(size_mismatch());
    }
    if local.head(&key).await?.is_some() {
        return Err(Error::Conflict("this upload URL was already used".into()));
    }
    local.put(&key, bytes, &params.ct).await?;
    Ok(StatusCode::OK)
}

/// A signed local download, shown inline or saved under its name.
#[tracing::instrument(skip_all)]
async fn blob_get(
    State(app): State<App>,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let local = local(&app)?;
    let params = signed(local, &key, query.as_deref(), "get")?;
    let (bytes, meta) = local.get(&key).await?.ok_or(Error::NotFound("file"))?;
    let disposition = match params.dl.as_str() {
        "" => "inline".to_string(),
        name => attachment(name),
    };
    let header = |value: &str| {
        HeaderValue::from_str(value)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    let headers = [
        (header::CONTENT_TYPE, header(&meta.content_type)),
        (header::CONTENT_DISPOSITION, header(&disposition)),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        // Uploaded HTML or SVG must not run as this origin.
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=300"),
        ),
    ];
    Ok((headers, bytes).into_response())
}

/// `Content-Disposition` for saving under `name`: an ASCII fallback and the UTF-8 name.
fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        files::path_segment(name)
    )
}
