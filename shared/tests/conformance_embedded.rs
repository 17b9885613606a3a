//! The embedded adapters against the same port conformance suites as the AWS ones:
//! SQLite, the local file directory, the `.eml` outbox and the in-process bus.

use std::sync::{Arc, Mutex};

use aamu::adapters::in_process::InProcessBus;
use aamu::adapters::local_files::{LocalFiles, SignatureError, SignedParams};
use aamu::adapters::outbox_mail::OutboxMailer;
use aamu::adapters::sqlite::SqliteStore;
use aamu::config::Secret;
use aamu::ports::{BlobStore, Clock, Event, EventConsumer, ManualClock, SystemClock};
use aamu::testing::conformance::{
    blob_store_suite, event_bus_suite, item_store_suite, mailer_suite, sample_event,
};
use async_trait::async_trait;

#[tokio::test]
async fn sqlite_store_passes_the_item_store_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap();
    item_store_suite(&store).await;
}

#[tokio::test]
async fn sqlite_store_keeps_its_items_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("items.sqlite3");
    let item = serde_json::json!({"pk": "T#a", "sk": "x", "n": 1});
    let item = item.as_object().unwrap().clone();
    {
        let store = SqliteStore::open(&path).unwrap();
        aamu::ports::ItemStore::put(&store, aamu::ports::Table::Items, item.clone(), &[])
            .await
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let key = aamu::ports::Key::new("T#a", "x");
    let read = aamu::ports::ItemStore::get(&store, aamu::ports::Table::Items, &key)
        .await
        .unwrap();
    assert_eq!(read, Some(item));
}

fn local_files(dir: &std::path::Path, clock: Arc<dyn Clock>) -> LocalFiles {
    LocalFiles::new(
        dir,
        "http://127.0.0.1:8787",
        Secret::new("s".repeat(40)),
        clock,
    )
    .unwrap()
}

#[tokio::test]
async fn local_files_pass_the_blob_store_suite() {
    let dir = tempfile::tempdir().unwrap();
    blob_store_suite(&local_files(dir.path(), Arc::new(SystemClock))).await;
}

fn signed_params(url: &str) -> (String, SignedParams) {
    let (path, query) = url.split_once('?').unwrap();
    let key = path.split("/_blobs/").nth(1).unwrap().to_string();
    let params: SignedParams = serde_urlencoded::from_str(query).unwrap();
    (key, params)
}

#[tokio::test]
async fn local_signed_urls_are_refused_when_altered_or_expired() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::at(1_000_000_000));
    let files = local_files(dir.path(), clock.clone());
    let put = files
        .presign_put(
            "T#t/up/a.png",
            "image/png",
            10,
            std::time::Duration::from_secs(60),
        )
        .await;
    assert!(put.is_err(), "keys are plain relative paths");
    let put = files
        .presign_put(
            "t/up/a.png",
            "image/png",
            10,
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert_eq!(
        put.headers.get("Content-Type").map(String::as_str),
        Some("image/png")
    );
    let (key, params) = signed_params(&put.url);
    assert_eq!(files.verify(&key, &params), Ok(()));

    let bigger = SignedParams {
        len: 11,
        ..params.clone()
    };
    assert_eq!(
        files.verify(&key, &bigger),
        Err(SignatureError::BadSignature)
    );
    let other_type = SignedParams {
        ct: "text/html".into(),
        ..params.clone()
    };
    assert_eq!(
        files.verify(&key, &other_type),
        Err(SignatureError::BadSignature)
    );
    assert_eq!(
        files.verify("t/up/b.png", &params),
        Err(SignatureError::BadSignature)
    );

    clock.advance(61_000);
    assert_eq!(files.verify(&key, &params), Err(SignatureError::Expired));
}

#[tokio::test]
async fn outbox_mailer_passes_the_mailer_suite_and_writes_eml_files() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = OutboxMailer::new(dir.path(), Arc::new(SystemClock)).unwrap();
    let sent = mailer_suite(&mailer, "Aamu <no-reply@example.com>").await;
    for (email, id) in sent {
        let eml = std::fs::read_to_string(dir.path().join(format!("{id}.eml"))).unwrap();
        assert!(
            eml.contains(&format!("Subject: {}", email.subject)),
            "{eml}"
        );
        assert!(eml.contains(&email.html) && eml.contains(&email.text));
        assert!(eml.contains(&format!("To: {}", email.to.join(", "))));
    }
}

/// Records what it receives.
#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

#[async_trait]
impl EventConsumer for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }

    async fn handle(&self, event: &Event) -> anyhow::Result<()> {
        self.0.lock().unwrap().push(event.clone());
        Ok(())
    }
}

#[tokio::test]
async fn in_process_bus_passes_the_event_bus_suite_and_reaches_every_consumer() {
    let bus = InProcessBus::new();
    let first = Arc::new(Recorder::default());
    let second = Arc::new(Recorder::default());
    bus.subscribe(first.clone());
    bus.subscribe(second.clone());
    event_bus_suite(&bus).await;
    assert_eq!(first.0.lock().unwrap().len(), 26);
    assert_eq!(second.0.lock().unwrap().len(), 26);

    let event = sample_event("direct", 1);
    aamu::ports::EventBus::publish(&bus, std::slice::from_ref(&event))
        .await
        .unwrap();
    assert_eq!(first.0.lock().unwrap().last(), Some(&event));
}
