//! Conformance suites: one async function per port that runs every case against the
//! adapter it is given and panics, naming the case, at the first failure. Each run
//! uses keys with a random suffix, so suites can share a store or an emulator and
//! run in parallel.

use std::pin::Pin;

mod blob_store;
mod event_bus;
mod item_store;
mod mailer;

pub use blob_store::blob_store_suite;
pub use event_bus::{event_bus_suite, sample_event};
pub use item_store::item_store_suite;
pub use mailer::mailer_suite;

/// One named case of a suite, not yet started.
type Case<'a> = (
    &'static str,
    Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>,
);

/// Runs the cases one after the other; panics naming the first that fails.
async fn run_cases(suite: &str, cases: Vec<Case<'_>>) {
    for (name, run) in cases {
        case(suite, name, run).await;
    }
}

/// Runs one case of a suite and panics with the suite and case names if it fails.
async fn case(suite: &str, name: &str, run: impl Future<Output = anyhow::Result<()>>) {
    if let Err(err) = run.await {
        panic!("{suite} conformance case `{name}` failed: {err:#}");
    }
}
