//! The event envelope and the transactional outbox: an event's outbox record is written
//! in the same transaction as the change that causes it, then published and marked
//! sent. Whatever stays unsent is republished by the scheduled job.

use anyhow::Context;
use serde_json::{Value, json};

use crate::domain::keys::team_pk;
use crate::domain::record::{object, to_item};
use crate::error::Result;
use crate::ids;
use crate::ports::{Clock, Event, EventBus, ItemStore, Key, Query, SkRange, Table, WriteOp};

const UNSENT_INDEX: &str = "OUTBOX#UNSENT";

/// A new event of `kind` about `data`.
pub fn new_event(
    clock: &dyn Clock,
    kind: &str,
    team_id: &str,
    project_id: Option<&str>,
    actor: Option<&str>,
    data: Value,
) -> Event {
    let now = clock.now_ms();
    Event {
        id: ids::new_id(now),
        kind: kind.into(),
        team_id: team_id.into(),
        project_id: project_id.map(str::to_string),
        occurred_at: now,
        actor: actor.map(str::to_string),
        data,
    }
}

fn outbox_key(event: &Event) -> Key {
    Key::new(
        format!("{}#OUTBOX", team_pk(&event.team_id)),
        format!("E#{}", event.id),
    )
}

/// The write that records `event` in the outbox; add it to the causing transaction.
pub fn outbox_write(event: &Event) -> WriteOp {
    let key = outbox_key(event);
    let mut item = to_item(key.pk, key.sk, &json!({ "event": event }));
    item.insert("gsi1pk".into(), UNSENT_INDEX.into());
    item.insert(
        "gsi1sk".into(),
        format!("{:015}#{}", event.occurred_at, event.id).into(),
    );
    WriteOp::Put {
        table: Table::Items,
        item,
        conds: vec![],
    }
}

/// Publishes committed events and marks them sent. A failure leaves them unsent for
/// the scheduled republisher; the caller's request has already succeeded.
pub async fn publish(
    store: &dyn ItemStore,
    bus: &dyn EventBus,
    clock: &dyn Clock,
    events: &[Event],
) {
    if events.is_empty() {
        return;
    }
    if let Err(err) = bus.publish(events).await {
        tracing::warn!(error = ?err, count = events.len(), "publishing events failed; they stay in the outbox");
        return;
    }
    for event in events {
        let set = object(json!({ "sent_at": clock.now_ms(), "gsi1pk": null, "gsi1sk": null }));
        if let Err(err) = store
            .update(Table::Items, &outbox_key(event), set, &[])
            .await
        {
            tracing::warn!(event_id = %event.id, error = ?err, "marking an event sent failed");
        }
    }
}

/// Republishes events left unsent for longer than `min_age_ms`; answers how many.
pub async fn republish_unsent(
    store: &dyn ItemStore,
    bus: &dyn EventBus,
    clock: &dyn Clock,
    min_age_ms: i64,
) -> Result<usize> {
    let before = format!("{:015}", clock.now_ms() - min_age_ms);
    let query = Query::partition(Table::Items, UNSENT_INDEX)
        .on_index()
        .range(SkRange::Before(before))
        .limit(100);
    let page = store.query(&query).await?;
    let mut events = Vec::with_capacity(page.items.len());
    for mut item in page.items {
        let raw = item.remove("event").unwrap_or(Value::Null);
        events.push(serde_json::from_value::<Event>(raw).context("decoding an outbox event")?);
    }
    publish(store, bus, clock, &events).await;
    Ok(events.len())
}
