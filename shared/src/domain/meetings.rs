//! Meetings: name, HTML description, start and end time and invitee emails, created,
//! updated and listed newest-updated first. The item is `MEETING#<id>`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::content::{self, Body};
use crate::domain::items::{self, Field, Kind, ListPage, Millis, ProjectCtx, Visibility};
use crate::domain::record::from_item;
use crate::domain::tenancy::EmailAddress;
use crate::error::{Error, Result};
use crate::ids;
use crate::ports::Item;

const NAME_MAX: usize = 500;
const MAX_INVITEES: usize = 200;

/// A stored meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: String,
    pub pid: String,
    pub name: String,
    #[serde(flatten)]
    pub body: Body,
    pub status: Visibility,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    #[serde(default)]
    pub invitees: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_by: String,
    pub updated_at: i64,
    pub version: u64,
}

items::versioned!(Meeting, Kind::Meeting);

/// The body of a meeting create or PATCH; absent fields keep their value, `null`
/// clears `start_time`, `end_time` and `invitees`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    #[serde(default)]
    pub name: Field<String>,
    #[serde(default)]
    pub html: Field<String>,
    #[serde(default)]
    pub status: Field<Visibility>,
    #[serde(default)]
    pub start_time: Field<Millis>,
    #[serde(default)]
    pub end_time: Field<Millis>,
    #[serde(default)]
    pub invitees: Field<Vec<String>>,
}

/// Creates a meeting acting as `actor_id`.
pub async fn create(ctx: &ProjectCtx<'_>, actor_id: &str, input: MeetingInput) -> Result<Value> {
    let now = ctx.clock.now_ms();
    let id = ids::new_id(now);
    let draft = Meeting {
        id: id.clone(),
        pid: ctx.project_id.into(),
        name: String::new(),
        body: Body::default(),
        status: Visibility::Public,
        start_time: None,
        end_time: None,
        invitees: vec![],
        created_by: actor_id.into(),
        created_at: now,
        updated_by: actor_id.into(),
        updated_at: now,
        version: 1,
    };
    let (mut meeting, html) = apply(draft, input, true)?;
    meeting.body = content::store(ctx, &format!("meeting-{id}"), html.unwrap_or_default()).await?;
    let item = ctx.item(Kind::Meeting, &id, now, &meeting);
    ctx.commit(item, None, Some(&meeting.body), None).await?;
    view(ctx, &meeting).await
}

/// Applies a PATCH acting as `actor_id`, conditional on the version read.
pub async fn update(
    ctx: &ProjectCtx<'_>,
    actor_id: &str,
    id: &str,
    input: MeetingInput,
    if_match: Option<u64>,
) -> Result<Value> {
    let stored: Meeting = from_item(ctx.load(Kind::Meeting, id).await?)?;
    items::check_if_match(if_match, stored.version)?;
    let (meeting, html) = apply(stored.clone(), input, false)?;
    let meeting = ctx
        .save_update(meeting, stored.version, &stored.body, html, actor_id)
        .await?;
    view(ctx, &meeting).await
}

/// One meeting.
pub async fn get(ctx: &ProjectCtx<'_>, id: &str) -> Result<Value> {
    let meeting: Meeting = from_item(ctx.load(Kind::Meeting, id).await?)?;
    view(ctx, &meeting).await
}

/// One page of meetings, newest-updated first, optionally of one status.
pub async fn list(
    ctx: &ProjectCtx<'_>,
    status: Option<Visibility>,
    page: ListPage,
) -> Result<(Vec<Value>, Option<Item>)> {
    let keep = |item: &Item| status.is_none_or(|s| item.get("status") == Some(&json!(s)));
    let (found, next) = ctx.list(Kind::Meeting, page, keep).await?;
    let mut meetings = Vec::with_capacity(found.len());
    for item in found {
        meetings.push(view(ctx, &from_item(item)?).await?);
    }
    Ok((meetings, next))
}

/// Applies and validates every field; answers the meeting and its new HTML, if any.
fn apply(
    mut meeting: Meeting,
    input: MeetingInput,
    creating: bool,
) -> Result<(Meeting, Option<String>)> {
    let current = (!creating).then(|| meeting.name.clone());
    meeting.name = items::required_text("name", input.name, current, NAME_MAX)?;
    meeting.status = items::required_choice("status", input.status, Some(meeting.status))?;
    meeting.start_time = input
        .start_time
        .apply(meeting.start_time.map(Millis))
        .map(|m| m.0);
    meeting.end_time = input
        .end_time
        .apply(meeting.end_time.map(Millis))
        .map(|m| m.0);
    items::check_order("end_time", meeting.start_time, meeting.end_time)?;
    match input.invitees {
        Field::Absent => {}
        Field::Null => meeting.invitees.clear(),
        Field::Value(list) => meeting.invitees = invitees(&list)?,
    }
    Ok((meeting, content::changed(input.html)))
}

/// Validates invitee emails, dropping duplicates (compared without case).
pub fn invitees(list: &[String]) -> Result<Vec<String>> {
    if list.len() > MAX_INVITEES {
        return Err(Error::invalid(
            "invitees",
            format!("at most {MAX_INVITEES} invitees"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for (i, email) in list.iter().enumerate() {
        let email = EmailAddress::parse(&format!("invitees[{i}]"), email)?;
        let email = email.as_str().to_string();
        if !out.iter().any(|e| e.eq_ignore_ascii_case(&email)) {
            out.push(email);
        }
    }
    Ok(out)
}

async fn view(ctx: &ProjectCtx<'_>, meeting: &Meeting) -> Result<Value> {
    Ok(json!({
        "id": meeting.id,
        "pid": meeting.pid,
        "name": meeting.name,
        "status": meeting.status,
        "html": content::read(ctx, &meeting.body).await?,
        "start_time": meeting.start_time,
        "end_time": meeting.end_time,
        "invitees": meeting.invitees,
        "created_by": meeting.created_by,
        "created_at": meeting.created_at,
        "updated_by": meeting.updated_by,
        "updated_at": meeting.updated_at,
        "version": meeting.version,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitees_are_validated_and_deduplicated() {
        let list = ["a@example.com".to_string(), "A@example.com".to_string()];
        assert_eq!(invitees(&list).unwrap(), vec!["a@example.com"]);
        let err = invitees(&["a@example.com".into(), "nope".into()]).unwrap_err();
        assert!(err.to_string().starts_with("invitees[1]"), "{err}");
    }
}
