//! `EventBus` on Amazon EventBridge: PutEvents in calls of at most 10 entries, with
//! the event type as detail-type and the whole event as JSON detail.

use anyhow::{Context, bail};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::operation::put_events::PutEventsOutput;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;

use crate::ports::{Event, EventBus};

/// The most entries EventBridge takes in one PutEvents call.
const ENTRIES_PER_CALL: usize = 10;

/// Publishes events to one EventBridge bus under one source name.
#[derive(Debug, Clone)]
pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
    source: String,
}

impl EventBridgeBus {
    /// A bus publishing to `bus_name` with `source` as every event's source.
    pub fn new(config: &SdkConfig, bus_name: &str, source: &str) -> Self {
        EventBridgeBus {
            client: Client::new(config),
            bus_name: bus_name.to_owned(),
            source: source.to_owned(),
        }
    }

    fn entry(&self, event: &Event) -> anyhow::Result<PutEventsRequestEntry> {
        let detail = serde_json::to_string(event).context("serialising an event")?;
        Ok(PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(&self.source)
            .detail_type(&event.kind)
            .detail(detail)
            .time(DateTime::from_millis(event.occurred_at))
            .build())
    }
}

#[async_trait]
impl EventBus for EventBridgeBus {
    /// Stops at the first call with a refused entry; the caller publishes every event
    /// again later, which consumers tolerate as they are idempotent on the event id.
    #[tracing::instrument(skip_all, fields(bus = %self.bus_name, events = events.len()))]
    async fn publish(&self, events: &[Event]) -> anyhow::Result<()> {
        for chunk in events.chunks(ENTRIES_PER_CALL) {
            let entries = chunk
                .iter()
                .map(|e| self.entry(e))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let output = self
                .client
                .put_events()
                .set_entries(Some(entries))
                .send()
                .await
                .with_context(|| format!("EventBridge PutEvents to {}", self.bus_name))?;
            check_accepted(&output, chunk.len())?;
        }
        Ok(())
    }
}

/// An error naming how many entries of the call failed, and why the first did.
fn check_accepted(output: &PutEventsOutput, sent: usize) -> anyhow::Result<()> {
    if output.failed_entry_count <= 0 {
        return Ok(());
    }
    let first = output.entries().iter().find(|e| e.error_code().is_some());
    let reason = first.map_or_else(String::new, |e| {
        let message = e.error_message().unwrap_or_default();
        format!(": {} {message}", e.error_code().unwrap_or_default())
    });
    bail!(
        "EventBridge refused {} of {sent} events{reason}",
        output.failed_entry_count
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_eventbridge::types::PutEventsResultEntry;

    #[test]
    fn failed_entries_are_an_error_naming_how_many() {
        let output = PutEventsOutput::builder()
            .failed_entry_count(2)
            .entries(PutEventsResultEntry::builder().event_id("e1").build())
            .entries(
                PutEventsResultEntry::builder()
                    .error_code("InternalFailure")
                    .error_message("try again")
                    .build(),
            )
            .entries(
                PutEventsResultEntry::builder()
                    .error_code("ThrottlingException")
                    .build(),
            )
            .build();
        let err = check_accepted(&output, 3).expect_err("two entries failed");
        assert_eq!(
            err.to_string(),
            "EventBridge refused 2 of 3 events: InternalFailure try again"
        );
    }

    #[test]
    fn no_failed_entries_is_success() {
        let output = PutEventsOutput::builder().failed_entry_count(0).build();
        assert!(check_accepted(&output, 1).is_ok());
    }
}
