//! The `EventBus` conformance suite: publishing nothing, one event, and more events
//! than one call of any batching bus carries.

use serde_json::json;

use super::case;
use crate::ports::{Event, EventBus};
use crate::testing::unique_name;

/// Publishes through `bus`; panics naming the first case that fails.
pub async fn event_bus_suite(bus: &dyn EventBus) {
    let run = unique_name("events");
    case("EventBus", "publish nothing", bus.publish(&[])).await;
    case(
        "EventBus",
        "publish one event",
        bus.publish(&[sample_event(&run, 0)]),
    )
    .await;
    let many: Vec<Event> = (1..=25).map(|i| sample_event(&run, i)).collect();
    case("EventBus", "publish 25 events", bus.publish(&many)).await;
}

/// A `form.submitted` event whose id is `{run}-{n}`.
pub fn sample_event(run: &str, n: usize) -> Event {
    Event {
        id: format!("{run}-{n}"),
        kind: "form.submitted".into(),
        team_id: format!("{run}-team"),
        project_id: Some("project-1".into()),
        occurred_at: 1_700_000_000_000 + n as i64,
        actor: Some("ai".into()),
        data: json!({"form_id": "form-1", "answers": {"name": "Ada", "n": n}}),
    }
}
