//! The Docs API: list, read, create and PATCH docs. Docs read for GETs, Docs write for
//! creates and updates.

use axum::Router;

use crate::app::App;
use crate::auth::Feature;
use crate::domain::docs::{self, DocInput};
use crate::domain::items::Kind;
use crate::http::pages;

pages::page_api!(
    Docs,
    docs,
    DocInput,
    Feature::Docs,
    Kind::Doc,
    "doc",
    "docs"
);

pub fn router() -> Router<App> {
    pages::router::<Docs>()
}
