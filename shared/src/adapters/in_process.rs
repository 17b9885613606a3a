//! The embedded `EventBus`: calls each registered consumer in this process, the way
//! EventBridge rules fan events out to the consumer functions in AWS.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;

use crate::ports::{Event, EventBus, EventConsumer};

#[derive(Default)]
pub struct InProcessBus {
    consumers: RwLock<Vec<Arc<dyn EventConsumer>>>,
}

impl InProcessBus {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a consumer that receives every event published from now on.
    pub fn subscribe(&self, consumer: Arc<dyn EventConsumer>) {
        self.consumers
            .write()
            .expect("no consumer registration panics")
            .push(consumer);
    }
}

#[async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, events: &[Event]) -> anyhow::Result<()> {
        let consumers = self
            .consumers
            .read()
            .expect("no consumer registration panics")
            .clone();
        for event in events {
            for consumer in &consumers {
                // A failing consumer does not block the others; it owns its retries,
                // as an EventBridge target does.
                if let Err(err) = consumer.handle(event).await {
                    tracing::error!(consumer = consumer.name(), event_id = %event.id, error = ?err, "consumer failed");
                }
            }
        }
        Ok(())
    }
}
