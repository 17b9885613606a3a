//! Tasks and their comments: create and PATCH with every workflow field (status,
//! assignees, dates, repetition, reminders), reads with comments, and lists filtered by
//! status, assignee and update time.
//!
//! A task is one item (`TASK#<id>`); each comment is its own item under the task's
//! sort key (`TASK#<id>#C#<comment id>`), so one query reads a task with its comments
//! and no item grows with the discussion.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::content::{self, Body};
use crate::domain::items::{self, Field, Kind, ListPage, Millis, ProjectCtx};
use crate::domain::record::{from_item, to_item};
use crate::domain::tenancy;
use crate::error::{Error, Result};
use crate::ids;
use crate::ports::{Cond, Item, Query, SkRange, StoreError, Table, WriteOp};

const TITLE_MAX: usize = 500;
const MAX_USERS: usize = 50;
const MAX_REMINDERS: usize = 20;
const MAX_INLINE_COMMENTS: usize = 20;
/// Reminders reach at most a year before the task.
const MAX_REMINDER_MINUTES: i64 = 366 * 24 * 60;
/// A comment adds to a task that may be changing; it retries this often on a race.
const COMMENT_ATTEMPTS: usize = 4;

/// A task's workflow state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Open work (the default).
    #[default]
    Active,
    /// Done.
    Complete,
}

/// How a task repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Repeat {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// A reminder, as days, hours and minutes before the task starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub d: i64,
    pub h: i64,
    pub m: i64,
}

impl Reminder {
    fn from_minutes(total: i64) -> Reminder {
        Reminder {
            d: total / (24 * 60),
            h: total % (24 * 60) / 60,
            m: total % 60,
        }
    }
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub pid: String,
    pub title: String,
    #[serde(flatten)]
    pub body: Body,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    #[serde(default)]
    pub reminders: Vec<Reminder>,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub comment_count: u64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_by: String,
    pub updated_at: i64,
    pub version: u64,
}

items::versioned!(Task, Kind::Task);

/// A stored comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    pub task_id: String,
    #[serde(flatten)]
    pub body: Body,
    pub created_by: String,
    pub created_at: i64,
}

/// The body of a task create or PATCH. Absent fields keep their value; `null` clears
/// `start_at`, `end_at`, `repeat`/`repetition`, `reminders` and `users`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    #[serde(default)]
    pub title: Field<String>,
    #[serde(default)]
    pub html: Field<String>,
    #[serde(default)]
    pub status: Field<Status>,
    #[serde(default)]
    pub users: Field<Vec<String>>,
    #[serde(default)]
    pub start_at: Field<Millis>,
    #[serde(default)]
    pub end_at: Field<Millis>,
    #[serde(default)]
    pub repeat: Field<Repeat>,
    #[serde(default)]
    pub repetition: Field<Repeat>,
    #[serde(default)]
    pub reminders: Field<Vec<ReminderInput>>,
    /// Comments to add with a new task (create only).
    #[serde(default)]
    pub comments: Option<Vec<CommentInput>>,
}

/// A reminder as given: `{minutes_before}` or any of `{d, h, m}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderInput {
    pub minutes_before: Option<i64>,
    pub d: Option<i64>,
    pub h: Option<i64>,
    pub m: Option<i64>,
}

/// The body of a new comment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub html: String,
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    /// Only tasks assigned to this user id.
    pub assignee: Option<String>,
}

/// Creates a task (with its inline comments) acting as `actor_id`.
pub async fn create(ctx: &ProjectCtx<'_>, actor_id: &str, input: TaskInput) -> Result<Value> {
    let now = ctx.clock.now_ms();
    let id = ids::new_id(now);
    let comments = validate_comments(input.comments.as_deref().unwrap_or_default())?;
    let draft = Task {
        id: id.clone(),
        pid: ctx.project_id.into(),
        title: String::new(),
        body: Body::default(),
        status: Status::Active,
        start_at: None,
        end_at: None,
        repeat: None,
        reminders: vec![],
        users: vec![],
        comment_count: comments.len() as u64,
        created_by: actor_id.into(),
        created_at: now,
        updated_by: actor_id.into(),
        updated_at: now,
        version: 1,
    };
    let (mut task, html) = apply(ctx, draft, input, true).await?;
    task.body = content::store(ctx, &format!("task-{id}"), html.unwrap_or_default()).await?;
    let comments = store_comments(ctx, &task, actor_id, comments).await?;

    let mut ops = vec![WriteOp::Put {
        table: Table::Items,
        item: ctx.item(Kind::Task, &id, now, &task),
        conds: vec![Cond::NotExists],
    }];
    ops.extend(comments.iter().map(|c| WriteOp::Put {
        table: Table::Items,
        item: comment_item(ctx, c),
        conds: vec![Cond::NotExists],
    }));
    if let Err(err) = ctx.store.transact(ops).await {
        content::discard(ctx, &task.body).await;
        for comment in &comments {
            content::discard(ctx, &comment.body).await;
        }
        return Err(err.into());
    }
    view(ctx, &task, Some(&comments)).await
}

/// Applies a PATCH acting as `actor_id`. `if_match` is the version the client read,
/// when it sent one; a concurrent change is a 409 either way.
pub async fn update(
    ctx: &ProjectCtx<'_>,
    actor_id: &str,
    id: &str,
    input: TaskInput,
    if_match: Option<u64>,
) -> Result<Value> {
    if input.comments.is_some() {
        return Err(Error::invalid(
            "comments",
            "add comments with POST /api/v1/tasks/{id}/comments",
        ));
    }
    let stored: Task = from_item(ctx.load(Kind::Task, id).await?)?;
    items::check_if_match(if_match, stored.version)?;
    let (task, html) = apply(ctx, stored.clone(), input, false).await?;
    let task = ctx
        .save_update(task, stored.version, &stored.body, html, actor_id)
        .await?;
    view(ctx, &task, None).await
}

/// A task with all its comments.
pub async fn get(ctx: &ProjectCtx<'_>, id: &str) -> Result<Value> {
    let (task, comments) = load_with_comments(ctx, id).await?;
    view(ctx, &task, Some(&comments)).await
}

/// Adds a comment acting as `actor_id`; answers the task with its comments.
pub async fn add_comment(
    ctx: &ProjectCtx<'_>,
    actor_id: &str,
    id: &str,
    input: CommentInput,
) -> Result<Value> {
    let html = vec![comment_html("html", &input.html)?];
    let task: Task = from_item(ctx.load(Kind::Task, id).await?)?;
    let mut comment = store_comments(ctx, &task, actor_id, html).await?;
    let comment = comment
        .pop()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("one comment input made no comment")))?;
    if let Err(err) = insert_comment(ctx, task, &comment).await {
        content::discard(ctx, &comment.body).await;
        return Err(err);
    }
    get(ctx, id).await
}

/// Writes the comment and bumps the task's count, version and update time in one
/// transaction, reading the task again when another write got there first.
async fn insert_comment(ctx: &ProjectCtx<'_>, mut task: Task, comment: &Comment) -> Result<()> {
    let mut last = None;
    for attempt in 0..COMMENT_ATTEMPTS {
        if attempt > 0 {
            task = from_item(ctx.load(Kind::Task, &task.id).await?)?;
        }
        let expected = task.version;
        task.comment_count += 1;
        task.version += 1;
        task.updated_at = comment.created_at.max(task.updated_at);
        let ops = vec![
            WriteOp::Put {
                table: Table::Items,
                item: ctx.item(Kind::Task, &task.id, task.updated_at, &task),
                conds: vec![Cond::version(expected)],
            },
            WriteOp::Put {
                table: Table::Items,
                item: comment_item(ctx, comment),
                conds: vec![Cond::NotExists],
            },
        ];
        match ctx.store.transact(ops).await {
            Ok(()) => return Ok(()),
            Err(err @ StoreError::TransactionCanceled { .. }) => last = Some(err),
            Err(other) => return Err(other.into()),
        }
    }
    Err(last
        .map(Error::from)
        .unwrap_or_else(|| Error::Conflict("the task kept changing; retry".into())))
}

/// One page of tasks with their comments, newest-updated first.
pub async fn list(
    ctx: &ProjectCtx<'_>,
    filter: &Filter,
    page: ListPage,
) -> Result<(Vec<Value>, Option<Item>)> {
    let keep = |item: &Item| {
        let status_ok = filter
            .status
            .is_none_or(|s| item.get("status") == Some(&json!(s)));
        let assignee_ok = filter.assignee.as_ref().is_none_or(|user| {
            item.get("users")
                .and_then(Value::as_array)
                .is_some_and(|users| users.iter().any(|u| u == user))
        });
        status_ok && assignee_ok
    };
    let (found, next) = ctx.list(Kind::Task, page, keep).await?;
    let mut tasks = Vec::with_capacity(found.len());
    for item in found {
        let task: Task = from_item(item)?;
        // Limitation: comments are read one task at a time; only tasks that have
        // comments cost a query.
        let comments = match task.comment_count {
            0 => vec![],
            _ => load_with_comments(ctx, &task.id).await?.1,
        };
        tasks.push(view(ctx, &task, Some(&comments)).await?);
    }
    Ok((tasks, next))
}

/// Resolves a username or user id to a member's id, naming `field` when it is not one.
pub async fn member_id(ctx: &ProjectCtx<'_>, field: &str, who: &str) -> Result<String> {
    let found = tenancy::find_member(ctx.store, ctx.team_id, ctx.project_id, who.trim()).await?;
    found
        .map(|user| user.id)
        .ok_or_else(|| Error::invalid(field, format!("{who:?} is not a member of this project")))
}

/// Applies every input field to `task`, validating all before anything is written.
/// Answers the task and its new sanitized HTML, when the input changed it.
async fn apply(
    ctx: &ProjectCtx<'_>,
    mut task: Task,
    input: TaskInput,
    creating: bool,
) -> Result<(Task, Option<String>)> {
    let current_title = (!creating).then(|| task.title.clone());
    task.title = items::required_text("title", input.title, current_title, TITLE_MAX)?;
    let html = content::changed(input.html);
    task.status = items::required_choice("status", input.status, Some(task.status))?;
    task.start_at = input.start_at.apply(task.start_at.map(Millis)).map(|m| m.0);
    task.end_at = input.end_at.apply(task.end_at.map(Millis)).map(|m| m.0);
    items::check_order("end_at", task.start_at, task.end_at)?;
    task.repeat = repetition(input.repeat, input.repetition)?.apply(task.repeat);
    match input.reminders {
        Field::Absent => {}
        Field::Null => task.reminders.clear(),
        Field::Value(list) => task.reminders = reminders(&list)?,
    }
    match input.users {
        Field::Absent => {}
        Field::Null => task.users.clear(),
        Field::Value(list) => task.users = assignees(ctx, &list).await?,
    }
    Ok((task, html))
}

/// `repeat` and its alias `repetition` as one field; both given must agree.
fn repetition(repeat: Field<Repeat>, alias: Field<Repeat>) -> Result<Field<Repeat>> {
    match (repeat.is_absent(), alias.is_absent()) {
        (_, true) => Ok(repeat),
        (true, false) => Ok(alias),
        (false, false) if repeat == alias => Ok(repeat),
        (false, false) => Err(Error::invalid(
            "repetition",
            "differs from repeat; send one of the two",
        )),
    }
}

/// Normalises reminders to `{d, h, m}`, dropping duplicates.
pub fn reminders(list: &[ReminderInput]) -> Result<Vec<Reminder>> {
    if list.len() > MAX_REMINDERS {
        return Err(Error::invalid(
            "reminders",
            format!("at most {MAX_REMINDERS} reminders"),
        ));
    }
    let mut out: Vec<Reminder> = Vec::with_capacity(list.len());
    for (i, input) in list.iter().enumerate() {
        let reminder = Reminder::from_minutes(reminder_minutes(i, input)?);
        if !out.contains(&reminder) {
            out.push(reminder);
        }
    }
    Ok(out)
}

fn reminder_minutes(i: usize, input: &ReminderInput) -> Result<i64> {
    let field = |name: &str| format!("reminders[{i}].{name}");
    let parts = [("d", input.d), ("h", input.h), ("m", input.m)];
    for (name, value) in parts
        .iter()
        .chain([&("minutes_before", input.minutes_before)])
    {
        if value.is_some_and(|v| v < 0) {
            return Err(Error::invalid(field(name), "must be 0 or more"));
        }
    }
    let has_parts = parts.iter().any(|(_, v)| v.is_some());
    let total = match (input.minutes_before, has_parts) {
        (Some(_), true) => {
            return Err(Error::invalid(
                field("minutes_before"),
                "give either minutes_before or d, h and m, not both",
            ));
        }
        (Some(minutes), false) => minutes,
        (None, true) => parts
            .iter()
            .zip([24 * 60, 60, 1])
            .map(|((_, v), unit)| v.unwrap_or(0).saturating_mul(unit))
            .fold(0i64, i64::saturating_add),
        (None, false) => {
            return Err(Error::invalid(
                format!("reminders[{i}]"),
                "give minutes_before or any of d, h and m",
            ));
        }
    };
    if total > MAX_REMINDER_MINUTES {
        return Err(Error::invalid(
            format!("reminders[{i}]"),
            "must be at most 366 days before the task",
        ));
    }
    Ok(total)
}

/// Resolves assignees (user ids or usernames) to member ids, in order, once each.
async fn assignees(ctx: &ProjectCtx<'_>, list: &[String]) -> Result<Vec<String>> {
    if list.len() > MAX_USERS {
        return Err(Error::invalid(
            "users",
            format!("at most {MAX_USERS} assignees"),
        ));
    }
    let mut ids = Vec::with_capacity(list.len());
    for (i, who) in list.iter().enumerate() {
        let id = member_id(ctx, &format!("users[{i}]"), who).await?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Sanitizes comment inputs, refusing empty ones; answers their HTML.
fn validate_comments(list: &[CommentInput]) -> Result<Vec<String>> {
    if list.len() > MAX_INLINE_COMMENTS {
        return Err(Error::invalid(
            "comments",
            format!("at most {MAX_INLINE_COMMENTS} comments with a new task"),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, c)| comment_html(&format!("comments[{i}].html"), &c.html))
        .collect()
}

/// Sanitized comment HTML, refused when nothing is left.
fn comment_html(field: &str, html: &str) -> Result<String> {
    let html = content::clean(html);
    if html.trim().is_empty() {
        return Err(Error::invalid(field, "is empty"));
    }
    Ok(html)
}

async fn store_comments(
    ctx: &ProjectCtx<'_>,
    task: &Task,
    actor_id: &str,
    html: Vec<String>,
) -> Result<Vec<Comment>> {
    let mut out = Vec::with_capacity(html.len());
    for html in html {
        let now = ctx.clock.now_ms();
        let id = ids::new_id(now);
        let body = content::store(ctx, &format!("task-{}-comment-{id}", task.id), html).await?;
        out.push(Comment {
            id,
            task_id: task.id.clone(),
            body,
            created_by: actor_id.into(),
            created_at: now,
        });
    }
    // Ids made in the same millisecond still list in the order given.
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

fn comment_item(ctx: &ProjectCtx<'_>, comment: &Comment) -> Item {
    let sk = format!("{}#C#{}", ctx.sk(Kind::Task, &comment.task_id), comment.id);
    to_item(ctx.pk(), sk, comment)
}

/// The task and its comments, oldest comment first.
async fn load_with_comments(ctx: &ProjectCtx<'_>, id: &str) -> Result<(Task, Vec<Comment>)> {
    if !ids::looks_like_id(id) {
        return Err(Error::NotFound("task"));
    }
    let task_sk = ctx.sk(Kind::Task, id);
    let mut query = Query::partition(Table::Items, ctx.pk())
        .range(SkRange::BeginsWith(task_sk.clone()))
        .limit(1000);
    let (mut task, mut comments) = (None, Vec::new());
    loop {
        let page = ctx.store.query(&query).await?;
        for item in page.items {
            if item.get("sk").and_then(Value::as_str) == Some(task_sk.as_str()) {
                task = Some(from_item::<Task>(item)?);
            } else {
                comments.push(from_item::<Comment>(item)?);
            }
        }
        match page.next {
            Some(next) => query = query.start_after(Some(next)),
            None => break,
        }
    }
    Ok((task.ok_or(Error::NotFound("task"))?, comments))
}

/// The task as the API shows it; `comments` is left out when not read (PATCH).
async fn view(ctx: &ProjectCtx<'_>, task: &Task, comments: Option<&[Comment]>) -> Result<Value> {
    let mut out = json!({
        "id": task.id,
        "pid": task.pid,
        "title": task.title,
        "html": content::read(ctx, &task.body).await?,
        "status": task.status,
        "start_at": task.start_at,
        "end_at": task.end_at,
        "repeat": task.repeat,
        "reminders": task.reminders,
        "users": task.users,
        "created_by": task.created_by,
        "created_at": task.created_at,
        "updated_by": task.updated_by,
        "updated_at": task.updated_at,
        "version": task.version,
    });
    if let Some(comments) = comments {
        let mut list = Vec::with_capacity(comments.len());
        for c in comments {
            list.push(json!({
                "id": c.id,
                "html": content::read(ctx, &c.body).await?,
                "created_by": c.created_by,
                "created_at": c.created_at,
            }));
        }
        out["comments"] = Value::Array(list);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reminder(value: serde_json::Value) -> ReminderInput {
        serde_json::from_value(value).expect("a reminder input")
    }

    #[test]
    fn reminders_of_both_shapes_normalise_to_days_hours_minutes() {
        let list = [
            reminder(json!({ "minutes_before": 15 })),
            reminder(json!({ "d": 0, "h": 1, "m": 0 })),
            reminder(json!({ "minutes_before": 1530 })),
            reminder(json!({ "m": 15 })),
        ];
        let out = reminders(&list).unwrap();
        assert_eq!(
            out,
            vec![
                Reminder { d: 0, h: 0, m: 15 },
                Reminder { d: 0, h: 1, m: 0 },
                Reminder { d: 1, h: 1, m: 30 },
            ]
        );
    }

    #[test]
    fn bad_reminders_name_their_field() {
        for (input, field) in [
            (
                json!({ "minutes_before": -5 }),
                "reminders[0].minutes_before",
            ),
            (json!({ "h": -1 }), "reminders[0].h"),
            (
                json!({ "minutes_before": 5, "d": 1 }),
                "reminders[0].minutes_before",
            ),
            (json!({}), "reminders[0]"),
            (json!({ "d": 400 }), "reminders[0]"),
        ] {
            let err = reminders(&[reminder(input.clone())]).unwrap_err();
            match err {
                Error::Validation { field: got, .. } => assert_eq!(got, field, "case {input}"),
                other => panic!("case {input}: {other:?}"),
            }
        }
    }

    #[test]
    fn repeat_and_repetition_must_agree() {
        let weekly = Field::Value(Repeat::Weekly);
        assert_eq!(
            repetition(Field::Absent, weekly.clone()).unwrap(),
            weekly.clone()
        );
        assert_eq!(repetition(weekly.clone(), weekly.clone()).unwrap(), weekly);
        assert!(repetition(Field::Value(Repeat::Daily), Field::Value(Repeat::Weekly)).is_err());
    }
}
