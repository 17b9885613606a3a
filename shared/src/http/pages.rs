//! The route group shape Docs and Meetings share: list, read, create and PATCH of one
//! kind of versioned project item, with the feature's read scope for GETs and write
//! scope for the rest. Each API names its feature, JSON names and domain calls.

use std::future::Future;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::app::App;
use crate::auth::{Access, Feature, Need, Permission};
use crate::domain::items::{Kind, ListPage, ProjectCtx, Visibility};
use crate::domain::paging;
use crate::error::Result;
use crate::http::extract::{Caller, QueryParams, RawJson};
use crate::http::idempotent::once;
use crate::http::support::{self, ctx};
use crate::ports::Item;

/// One API of this shape.
pub trait PageApi: Send + Sync + 'static {
    const FEATURE: Feature;
    const KIND: Kind;
    /// The JSON name of one item (`doc`) and of a list (`docs`), also the path segment.
    const ONE: &'static str;
    const MANY: &'static str;
    /// The create and PATCH body.
    type Input: DeserializeOwned + Send;

    fn list<'a>(
        ctx: &'a ProjectCtx<'a>,
        status: Option<Visibility>,
        page: ListPage,
    ) -> impl Future<Output = Result<(Vec<Value>, Option<Item>)>> + Send + 'a;

    fn get<'a>(
        ctx: &'a ProjectCtx<'a>,
        id: &'a str,
    ) -> impl Future<Output = Result<Value>> + Send + 'a;

    fn create<'a>(
        ctx: &'a ProjectCtx<'a>,
        actor_id: &'a str,
        input: Self::Input,
    ) -> impl Future<Output = Result<Value>> + Send + 'a;

    fn update<'a>(
        ctx: &'a ProjectCtx<'a>,
        actor_id: &'a str,
        id: &'a str,
        input: Self::Input,
        if_match: Option<u64>,
    ) -> impl Future<Output = Result<Value>> + Send + 'a;
}

/// The routes of one API.
pub fn router<A: PageApi>() -> Router<App> {
    let many = A::MANY;
    Router::new()
        .route(
            &format!("/api/v1/{many}/"),
            get(list::<A>).post(create::<A>),
        )
        .route(&format!("/api/v1/{many}"), get(list::<A>).post(create::<A>))
        .route(
            &format!("/api/v1/{many}/{{id}}"),
            get(show::<A>).patch(update::<A>),
        )
}

async fn access<A: PageApi>(app: &App, caller: &Caller, permission: Permission) -> Result<Access> {
    caller
        .access(app, Need::Scope(A::FEATURE, permission))
        .await
}

/// The list query.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    status: Option<Visibility>,
    updated_since: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

#[tracing::instrument(skip_all, fields(kind = A::MANY))]
async fn list<A: PageApi>(
    State(app): State<App>,
    caller: Caller,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<Value>> {
    let access = access::<A>(&app, &caller, Permission::Read).await?;
    let ctx = ctx(&app, &access);
    let list_name = ctx.list_name(A::KIND);
    let page = support::list_page(
        access.team_id(),
        &list_name,
        params.limit,
        params.cursor.as_deref(),
        params.updated_since.as_deref(),
    )?;
    let (items, next) = A::list(&ctx, params.status, page).await?;
    let next_cursor = paging::next_cursor(access.team_id(), &list_name, next);
    Ok(Json(json!({ A::MANY: items, "next_cursor": next_cursor })))
}

#[tracing::instrument(skip_all, fields(kind = A::ONE, id = %id))]
async fn show<A: PageApi>(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let access = access::<A>(&app, &caller, Permission::Read).await?;
    let item = A::get(&ctx(&app, &access), &id).await?;
    Ok(Json(json!({ A::ONE: item })))
}

#[tracing::instrument(skip_all, fields(kind = A::ONE))]
async fn create<A: PageApi>(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Response> {
    let access = access::<A>(&app, &caller, Permission::Write).await?;
    let input: A::Input = body.parse()?;
    let actor = caller.actor(&app, &access).await?;
    let route = format!("POST /api/v1/{}/", A::MANY);
    once(&app, &caller.key, &headers, &route, &body.0, || async {
        let item = A::create(&ctx(&app, &access), &actor.id, input).await?;
        Ok((StatusCode::CREATED, json!({ A::ONE: item })))
    })
    .await
}

#[tracing::instrument(skip_all, fields(kind = A::ONE, id = %id))]
async fn update<A: PageApi>(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: RawJson,
) -> Result<Json<Value>> {
    let access = access::<A>(&app, &caller, Permission::Write).await?;
    let input: A::Input = body.parse()?;
    let if_match = support::if_match(&headers)?;
    let actor = caller.actor(&app, &access).await?;
    let item = A::update(&ctx(&app, &access), &actor.id, &id, input, if_match).await?;
    Ok(Json(json!({ A::ONE: item })))
}

/// Implements `PageApi` for `$api` with the domain module `$domain`, whose `list`,
/// `get`, `create` and `update` have the shapes the trait names.
macro_rules! page_api {
    ($api:ident, $domain:ident, $input:ty, $feature:expr, $kind:expr, $one:literal, $many:literal) => {
        struct $api;

        impl $crate::http::pages::PageApi for $api {
            const FEATURE: $crate::auth::Feature = $feature;
            const KIND: $crate::domain::items::Kind = $kind;
            const ONE: &'static str = $one;
            const MANY: &'static str = $many;
            type Input = $input;

            fn list<'a>(
                ctx: &'a $crate::domain::items::ProjectCtx<'a>,
                status: Option<$crate::domain::items::Visibility>,
                page: $crate::domain::items::ListPage,
            ) -> impl std::future::Future<
                Output = $crate::error::Result<(
                    Vec<serde_json::Value>,
                    Option<$crate::ports::Item>,
                )>,
            > + Send
            + 'a {
                $domain::list(ctx, status, page)
            }

            fn get<'a>(
                ctx: &'a $crate::domain::items::ProjectCtx<'a>,
                id: &'a str,
            ) -> impl std::future::Future<Output = $crate::error::Result<serde_json::Value>> + Send + 'a
            {
                $domain::get(ctx, id)
            }

            fn create<'a>(
                ctx: &'a $crate::domain::items::ProjectCtx<'a>,
                actor_id: &'a str,
                input: $input,
            ) -> impl std::future::Future<Output = $crate::error::Result<serde_json::Value>> + Send + 'a
            {
                $domain::create(ctx, actor_id, input)
            }

            fn update<'a>(
                ctx: &'a $crate::domain::items::ProjectCtx<'a>,
                actor_id: &'a str,
                id: &'a str,
                input: $input,
                if_match: Option<u64>,
            ) -> impl std::future::Future<Output = $crate::error::Result<serde_json::Value>> + Send + 'a
            {
                $domain::update(ctx, actor_id, id, input, if_match)
            }
        }
    };
}
pub(crate) use page_api;
