//! The Meetings API: list, read, create and PATCH meetings. Meetings read for GETs,
//! Meetings write for creates and updates.

use axum::Router;

use crate::app::App;
use crate::auth::Feature;
use crate::domain::items::Kind;
use crate::domain::meetings::{self, MeetingInput};
use crate::http::pages;

pages::page_api!(
    Meetings,
    meetings,
    MeetingInput,
    Feature::Meetings,
    Kind::Meeting,
    "meeting",
    "meetings"
);

pub fn router() -> Router<App> {
    pages::router::<Meetings>()
}
