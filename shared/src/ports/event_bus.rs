//! `EventBus`: hands committed events to their consumers (EventBridge, or in-process).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An event, as published and as delivered to consumers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub team_id: String,
    pub project_id: Option<String>,
    pub occurred_at: i64,
    pub actor: Option<String>,
    pub data: Value,
}

/// Something that reacts to events. Consumers are idempotent on `Event::id`.
#[async_trait]
pub trait EventConsumer: Send + Sync {
    /// A short name for logs.
    fn name(&self) -> &'static str;

    async fn handle(&self, event: &Event) -> anyhow::Result<()>;
}

#[async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes the events; an error means none or only some were accepted, and the
    /// caller keeps them for a later retry.
    async fn publish(&self, events: &[Event]) -> anyhow::Result<()>;
}
