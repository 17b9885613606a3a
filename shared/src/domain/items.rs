//! What tasks, docs and meetings share: items in the project's partition that carry a
//! `version` for optimistic concurrency and are listed newest-updated first through the
//! `gsi1` index, plus the input types their create and PATCH bodies use.
//!
//! Keys: `pk` = the project partition, `sk` = `TASK#<id>` (or `DOC#`, `MEETING#`);
//! `gsi1pk` = `<project partition>#TASK`, `gsi1sk` = `<updated_at, 15 digits>#<id>`.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::keys::project_pk;
use crate::domain::record::to_item;
use crate::domain::{content, dates};
use crate::error::{Error, Result};
use crate::ids;
use crate::ports::item_store::key_attributes;
use crate::ports::{BlobStore, Clock, Cond, Item, ItemStore, Key, Query, SkRange, Table};

/// The ports and the project one request works in.
#[derive(Clone, Copy)]
pub struct ProjectCtx<'a> {
    pub store: &'a dyn ItemStore,
    pub blobs: &'a dyn BlobStore,
    pub clock: &'a dyn Clock,
    pub team_id: &'a str,
    pub project_id: &'a str,
}

/// The kinds of versioned project items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Task,
    Doc,
    Meeting,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Task => "TASK",
            Kind::Doc => "DOC",
            Kind::Meeting => "MEETING",
        }
    }

    /// The key of the item of this kind with `id` in a project.
    pub fn key(self, team_id: &str, project_id: &str, id: &str) -> Key {
        Key::new(
            project_pk(team_id, project_id),
            format!("{}#{id}", self.tag()),
        )
    }

    /// The singular noun, as in "task not found".
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Task => "task",
            Kind::Doc => "doc",
            Kind::Meeting => "meeting",
        }
    }
}

/// A versioned project item with an HTML body: a task, doc or meeting.
pub trait Versioned: Serialize {
    const KIND: Kind;

    fn id(&self) -> &str;

    fn body_mut(&mut self) -> &mut content::Body;

    /// Records who changed the item, when, and its new version.
    fn stamp(&mut self, actor_id: &str, now: i64, version: u64);
}

/// Implements `Versioned` for a record with `id`, `body`, `updated_by`, `updated_at`
/// and `version` fields.
macro_rules! versioned {
    ($record:ty, $kind:expr) => {
        impl $crate::domain::items::Versioned for $record {
            const KIND: $crate::domain::items::Kind = $kind;

            fn id(&self) -> &str {
                &self.id
            }

            fn body_mut(&mut self) -> &mut $crate::domain::content::Body {
                &mut self.body
            }

            fn stamp(&mut self, actor_id: &str, now: i64, version: u64) {
                self.updated_by = actor_id.into();
                self.updated_at = now;
                self.version = version;
            }
        }
    };
}
pub(crate) use versioned;

impl ProjectCtx<'_> {
    /// Saves `next`, the changed form of a record read at `stored_version`: new HTML
    /// (if any) replaces `old_body`, the change is stamped, and the write holds only
    /// if nobody changed the record since it was read (else 409).
    pub async fn save_update<T: Versioned>(
        &self,
        mut next: T,
        stored_version: u64,
        old_body: &content::Body,
        html: Option<String>,
        actor_id: &str,
    ) -> Result<T> {
        let id = next.id().to_string();
        let new_body = match html {
            Some(html) => {
                Some(content::store(self, &format!("{}-{id}", T::KIND.noun()), html).await?)
            }
            None => None,
        };
        if let Some(body) = &new_body {
            *next.body_mut() = body.clone();
        }
        let now = self.clock.now_ms();
        next.stamp(actor_id, now, stored_version + 1);
        let item = self.item(T::KIND, &id, now, &next);
        self.commit(
            item,
            Some(stored_version),
            new_body.as_ref(),
            Some(old_body),
        )
        .await?;
        Ok(next)
    }

    /// The project's partition key.
    pub fn pk(&self) -> String {
        project_pk(self.team_id, self.project_id)
    }

    /// The sort key of one item of `kind`.
    pub fn sk(&self, kind: Kind, id: &str) -> String {
        kind.key(self.team_id, self.project_id, id).sk
    }

    /// The key of one item of `kind`.
    pub fn key(&self, kind: Kind, id: &str) -> Key {
        kind.key(self.team_id, self.project_id, id)
    }

    fn index_pk(&self, kind: Kind) -> String {
        format!("{}#{}", self.pk(), kind.tag())
    }

    /// The name a list cursor is bound to.
    pub fn list_name(&self, kind: Kind) -> String {
        format!("{}s:{}", kind.noun(), self.project_id)
    }

    /// The stored item of a record: keys, index keys and the record's fields.
    pub fn item(&self, kind: Kind, id: &str, updated_at: i64, record: &impl Serialize) -> Item {
        let key = self.key(kind, id);
        let mut item = to_item(key.pk, key.sk, record);
        item.insert("gsi1pk".into(), self.index_pk(kind).into());
        item.insert("gsi1sk".into(), format!("{updated_at:015}#{id}").into());
        item
    }

    /// The stored item of `kind` with this id, or 404.
    pub async fn load(&self, kind: Kind, id: &str) -> Result<Item> {
        if !ids::looks_like_id(id) {
            return Err(Error::NotFound(kind.noun()));
        }
        self.store
            .get(Table::Items, &self.key(kind, id))
            .await?
            .ok_or(Error::NotFound(kind.noun()))
    }

    /// Writes `item` as new (`expected` None) or in place of `expected`'s version, then
    /// tidies the blob store: a failed write removes the new body's blob, a good one
    /// removes the blob of the body it replaced.
    pub async fn commit(
        &self,
        item: Item,
        expected: Option<u64>,
        new_body: Option<&content::Body>,
        old_body: Option<&content::Body>,
    ) -> Result<()> {
        let cond = match expected {
            None => Cond::NotExists,
            Some(version) => Cond::version(version),
        };
        if let Err(err) = self.store.put(Table::Items, item, &[cond]).await {
            if let Some(body) = new_body {
                content::discard(self, body).await;
            }
            return Err(err.into());
        }
        if let (Some(_), Some(old)) = (new_body, old_body) {
            content::discard(self, old).await;
        }
        Ok(())
    }

    /// One page of `kind`'s items, newest-updated first, keeping those `keep` accepts.
    /// A filtered page may hold fewer than `limit` items while more follow: reading
    /// stops after `MAX_READS` store pages so one request stays bounded.
    pub async fn list(
        &self,
        kind: Kind,
        page: ListPage,
        keep: impl Fn(&Item) -> bool,
    ) -> Result<(Vec<Item>, Option<Item>)> {
        let index_pk = self.index_pk(kind);
        if let Some(start) = &page.start
            && (start.get("gsi1pk") != Some(&Value::from(index_pk.as_str()))
                || start.get("pk") != Some(&Value::from(self.pk())))
        {
            return Err(Error::invalid("cursor", "is not a cursor of this list"));
        }
        let range = match page.since {
            Some(ms) => SkRange::After(format!("{ms:015}")),
            None => SkRange::All,
        };
        let mut start = page.start;
        let mut out = Vec::new();
        for _ in 0..MAX_READS {
            let query = Query::partition(Table::Items, index_pk.clone())
                .on_index()
                .range(range.clone())
                .descending(true)
                .limit(page.limit)
                .start_after(start);
            let found = self.store.query(&query).await?;
            let count = found.items.len();
            for (i, item) in found.items.into_iter().enumerate() {
                if !keep(&item) {
                    continue;
                }
                out.push(item);
                if out.len() == page.limit {
                    let more = i + 1 < count || found.next.is_some();
                    let next = out.last().map(|last| key_attributes(last, true));
                    return Ok((out, next.filter(|_| more)));
                }
            }
            start = found.next;
            if start.is_none() {
                break;
            }
        }
        Ok((out, start))
    }
}

/// The most store pages one filtered list request reads.
const MAX_READS: usize = 10;

/// Where a list page starts and how much it holds.
#[derive(Debug, Clone, Default)]
pub struct ListPage {
    pub limit: usize,
    /// Only items updated at or after this time (epoch ms).
    pub since: Option<i64>,
    /// The decoded cursor of the previous page.
    pub start: Option<Item>,
}

/// A PATCH field: absent (keep the stored value), `null` (clear it) or a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Field::Null,
            Some(value) => Field::Value(value),
        })
    }
}

impl<T> Field<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// The value after applying the field to `current`.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Field::Absent => current,
            Field::Null => None,
            Field::Value(value) => Some(value),
        }
    }
}

/// A date input: epoch milliseconds or ISO 8601 text, read as epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Millis(pub i64);

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        dates::parse_ms("", &value)
            .map(Millis)
            .map_err(|err| match err {
                Error::Validation { reason, .. } => de::Error::custom(reason),
                other => de::Error::custom(other),
            })
    }
}

/// The publication state of docs and meetings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Visible to every project member (the default).
    #[default]
    Public,
    /// Work in progress.
    Draft,
}

/// Applies a required text field: absent keeps `current` (or fails when there is none,
/// on create), null fails, text must be 1 to `max` characters once trimmed.
pub fn required_text(
    field: &str,
    input: Field<String>,
    current: Option<String>,
    max: usize,
) -> Result<String> {
    match input {
        Field::Absent => current.ok_or_else(|| Error::invalid(field, "is required")),
        Field::Null => Err(Error::invalid(field, "cannot be null")),
        Field::Value(text) => {
            let text = text.trim();
            if text.is_empty() || text.chars().count() > max {
                return Err(Error::invalid(
                    field,
                    format!("must be 1 to {max} characters"),
                ));
            }
            Ok(text.to_string())
        }
    }
}

/// Applies a required, non-null enum field (`status`).
pub fn required_choice<T: Default>(field: &str, input: Field<T>, current: Option<T>) -> Result<T> {
    match input {
        Field::Absent => Ok(current.unwrap_or_default()),
        Field::Null => Err(Error::invalid(field, "cannot be null")),
        Field::Value(value) => Ok(value),
    }
}

/// Checks that an interval does not end before it starts.
pub fn check_order(end_field: &str, start: Option<i64>, end: Option<i64>) -> Result<()> {
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(Error::invalid(
            end_field,
            "must not be before the start of the interval",
        )),
        _ => Ok(()),
    }
}

/// Reads the `version` of a stored item.
pub fn version_of(item: &Item) -> u64 {
    item.get("version").and_then(Value::as_u64).unwrap_or(0)
}

/// Fails with 409 unless the client's `If-Match` version (when given) is the stored one.
pub fn check_if_match(if_match: Option<u64>, stored: u64) -> Result<()> {
    match if_match {
        Some(expected) if expected != stored => Err(Error::Conflict(format!(
            "the item is at version {stored}, not {expected}; read it again and retry"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Patch {
        #[serde(default)]
        at: Field<Millis>,
    }

    #[test]
    fn a_field_tells_absent_from_null_from_a_value() {
        let absent: Patch = serde_json::from_value(json!({})).unwrap();
        let null: Patch = serde_json::from_value(json!({ "at": null })).unwrap();
        let iso: Patch =
            serde_json::from_value(json!({ "at": "2026-05-27T09:00:00.000Z" })).unwrap();
        assert_eq!(absent.at, Field::Absent);
        assert_eq!(null.at, Field::Null);
        assert_eq!(iso.at, Field::Value(Millis(1779872400000)));
        assert!(serde_json::from_value::<Patch>(json!({ "at": "soon" })).is_err());
    }

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        let ok = required_text("title", Field::Value(" A ".into()), None, 10).unwrap();
        assert_eq!(ok, "A");
        for input in [Field::Absent, Field::Null, Field::Value("  ".into())] {
            let err = required_text("title", input, None, 10).unwrap_err();
            assert!(err.to_string().starts_with("title"));
        }
    }
}
