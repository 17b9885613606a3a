//! Extractors: the authenticated caller, and JSON and query inputs whose errors name
//! the field at fault.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::app::App;
use crate::auth::access::{self, Access, Need};
use crate::auth::api_keys::{self, ApiKey};
use crate::domain::tenancy::User;
use crate::error::{Error, Result};

/// The caller, authenticated by `x-api-key`, with the headers that choose the project
/// and the actor.
pub struct Caller {
    pub key: ApiKey,
    project_header: Option<String>,
    actor_header: Option<String>,
}

fn header(headers: &HeaderMap, name: &str) -> Result<Option<String>> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(|v| Some(v.to_string()))
            .map_err(|_| Error::invalid(name, "is not valid text")),
    }
}

impl FromRequestParts<App> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self> {
        let token = header(&parts.headers, "x-api-key")?
            .filter(|t| !t.trim().is_empty())
            .ok_or(Error::MissingApiKey)?;
        let key = api_keys::verify(app.store.as_ref(), app.clock.as_ref(), &token).await?;
        tracing::Span::current().record("key_id", key.id.as_str());
        Ok(Caller {
            key,
            project_header: header(&parts.headers, "x-project-id")?,
            actor_header: header(&parts.headers, "x-aamu-actor")?,
        })
    }
}

impl Caller {
    /// The project this request acts in, for a route that needs `need`. A given
    /// `x-aamu-actor` is checked here too, so a wrong one fails alike on every route.
    pub async fn access(&self, app: &App, need: Need) -> Result<Access> {
        let store = app.store.as_ref();
        let project = self.project_header.as_deref();
        let access = access::resolve_project(store, &self.key, project, need).await?;
        if self.actor_header.is_some() {
            access::resolve_actor(store, &access, self.actor_header.as_deref()).await?;
        }
        Ok(access)
    }

    /// The user this request acts as within `access`'s project.
    pub async fn actor(&self, app: &App, access: &Access) -> Result<User> {
        access::resolve_actor(app.store.as_ref(), access, self.actor_header.as_deref()).await
    }
}

/// A JSON request body as raw bytes, checked to be JSON; `parse` reads it. Creates keep
/// the bytes whole for the Idempotency-Key fingerprint.
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

/// A JSON body. Errors name the field path and the reason, and unknown fields are
/// refused where the target type says `deny_unknown_fields`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        RawJson::from_request(req, state)
            .await?
            .parse()
            .map(JsonBody)
    }
}

/// Parses JSON into `T`, naming the failing field path.
pub fn parse_json<T: DeserializeOwned>(raw: &[u8]) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(raw);
    serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let field = if path == "." || path.is_empty() {
            "body".to_string()
        } else {
            path
        };
        let reason = inner.to_string();
        let reason = reason
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string();
        Error::invalid(field, reason)
    })
}

/// Query parameters, with errors naming the parameter.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(QueryParams)
            .map_err(|err| {
                let path = err.path().to_string();
                Error::invalid(
                    if path == "." { "query".into() } else { path },
                    err.into_inner().to_string(),
                )
            })
    }
}
