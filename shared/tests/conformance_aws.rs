//! The AWS adapters against the port conformance suites, on the moto emulator at
//! `AAMU_TEST_AWS_ENDPOINT`. `scripts/test` starts one and sets the variable; without
//! it every test here fails, loudly: none is ever skipped.
//!
//! Each test makes its own tables, bucket, sender identity or bus with a random
//! name, so the tests run in parallel on one emulator.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use aamu::adapters::aws::sdk_config;
use aamu::adapters::dynamodb::{DynamoStore, GSI1, TTL_ATTRIBUTE};
use aamu::adapters::eventbridge::EventBridgeBus;
use aamu::adapters::s3::S3Blobs;
use aamu::adapters::sesv2::SesMailer;
use aamu::ports::{BlobStore, EventBus, Mailer, OutgoingEmail};
use aamu::testing::conformance::{
    blob_store_suite, event_bus_suite, item_store_suite, mailer_suite, sample_event,
};
use aamu::testing::unique_name;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use serde_json::Value;

const REGION: &str = "us-east-1";

/// The emulator's base URL, or a panic explaining how to get one.
fn endpoint() -> String {
    match std::env::var("AAMU_TEST_AWS_ENDPOINT") {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => panic!(
            "AAMU_TEST_AWS_ENDPOINT is not set, so the AWS adapters cannot be tested. \
             Run scripts/test, which starts the moto emulator and sets it, or start one \
             with `eval \"$(scripts/moto start)\"` before `cargo test`."
        ),
    }
}

/// The adapters' configuration pointed at the emulator. moto takes any credentials;
/// fixed ones keep the tests independent of the machine's credential chain.
async fn config() -> SdkConfig {
    let credentials = Credentials::new("testing", "testing", None, None, "moto");
    sdk_config(REGION, Some(&endpoint()))
        .await
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

#[tokio::test]
async fn dynamodb_store_passes_the_item_store_suite() {
    let config = config().await;
    let (items, rows) = (unique_name("aamu-items"), unique_name("aamu-rows"));
    let store = DynamoStore::new(&config, &items, &rows);
    store.create_tables().await.expect("creating the tables");
    store
        .create_tables()
        .await
        .expect("creating the tables again is a no-op");
    item_store_suite(&store).await;
}

#[tokio::test]
async fn dynamodb_tables_have_the_index_ttl_and_on_demand_billing() {
    let config = config().await;
    let (items, rows) = (unique_name("aamu-items"), unique_name("aamu-rows"));
    DynamoStore::new(&config, &items, &rows)
        .create_tables()
        .await
        .expect("creating the tables");
    let client = aws_sdk_dynamodb::Client::new(&config);
    for name in [&items, &rows] {
        let described = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .expect("describing");
        let table = described.table.expect("a table description");
        let billing = table.billing_mode_summary().and_then(|b| b.billing_mode());
        assert_eq!(
            billing,
            Some(&aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        );
        let indexes: Vec<_> = table
            .global_secondary_indexes()
            .iter()
            .filter_map(|i| i.index_name())
            .collect();
        assert_eq!(indexes, [GSI1]);
        let ttl = client
            .describe_time_to_live()
            .table_name(name)
            .send()
            .await
            .expect("reading TTL");
        let ttl = ttl.time_to_live_description.expect("a TTL description");
        assert_eq!(ttl.attribute_name(), Some(TTL_ATTRIBUTE));
        assert_eq!(
            ttl.time_to_live_status(),
            Some(&aws_sdk_dynamodb::types::TimeToLiveStatus::Enabled)
        );
    }
}

#[tokio::test]
async fn s3_blobs_pass_the_blob_store_suite() {
    let blobs = S3Blobs::new(&config().await, &unique_name("aamu-files"));
    blobs.create_bucket().await.expect("creating the bucket");
    blobs
        .create_bucket()
        .await
        .expect("creating the bucket again is a no-op");
    blob_store_suite(&blobs).await;
}

/// moto does not check signatures or expiry (unit tests in the adapter check what is
/// signed), but it does serve the presigned URLs: this proves their shape.
#[tokio::test]
async fn s3_presigned_urls_upload_and_download() {
    let blobs = S3Blobs::new(&config().await, &unique_name("aamu-files"));
    blobs.create_bucket().await.expect("creating the bucket");
    let (key, body) = (
        "team-1/files/notes 1.txt",
        b"hello from a browser".as_slice(),
    );
    let ttl = Duration::from_secs(300);

    let upload = blobs
        .presign_put(key, "text/plain", body.len() as u64, ttl)
        .await
        .expect("presigning PUT");
    let headers: Vec<(&str, &str)> = upload
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = http(&upload.method, &upload.url, &headers, body);
    assert_eq!(response.status, 200, "presigned PUT answered {response:?}");
    let meta = blobs
        .head(key)
        .await
        .expect("head")
        .expect("the uploaded object");
    assert_eq!(
        (meta.size, meta.content_type.as_str()),
        (body.len() as u64, "text/plain")
    );

    let url = blobs
        .presign_get(key, ttl, Some("notes.txt"))
        .await
        .expect("presigning GET");
    let response = http("GET", &url, &[], b"");
    assert_eq!(response.status, 200, "presigned GET answered {response:?}");
    assert_eq!(response.body, body);
    assert_eq!(
        response.header("content-disposition"),
        Some("attachment; filename=\"notes.txt\"")
    );
}

#[tokio::test]
async fn ses_mailer_passes_the_mailer_suite_and_moto_records_the_mail() {
    let config = config().await;
    let sender = format!("{}@example.com", unique_name("sender"));
    let ses = aws_sdk_sesv2::Client::new(&config);
    ses.create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .expect("verifying the sender");
    let sent = mailer_suite(&SesMailer::new(&config), &sender).await;

    let response = http(
        "GET",
        &format!("{}/moto-api/data.json", endpoint()),
        &[],
        b"",
    );
    assert_eq!(response.status, 200, "moto-api answered {response:?}");
    let data: Value = serde_json::from_slice(&response.body).expect("moto-api answers JSON");
    let recorded = data["ses"]["Message"]
        .as_array()
        .expect("moto's SES messages");
    for (email, id) in sent {
        let message = recorded
            .iter()
            .find(|m| m["id"] == id.as_str())
            .expect("the sent message in moto");
        assert_eq!(message["source"], sender.as_str());
        assert_eq!(message["subject"], email.subject.as_str());
        // moto keeps one body: the HTML one when there are both.
        assert_eq!(message["body"], email.html.as_str());
        assert_eq!(
            message["destinations"]["ToAddresses"],
            serde_json::json!(email.to)
        );
    }
}

#[tokio::test]
async fn ses_mailer_reports_an_unverified_sender() {
    let mailer = SesMailer::new(&config().await);
    let email = OutgoingEmail {
        from: format!("{}@example.com", unique_name("unverified")),
        to: vec!["someone@example.com".into()],
        reply_to: None,
        subject: "s".into(),
        html: "<p>h</p>".into(),
        text: "t".into(),
    };
    let err = mailer
        .send(&email)
        .await
        .expect_err("an unverified sender is refused");
    assert!(
        format!("{err:#}").contains("SendEmail"),
        "the error says what failed: {err:#}"
    );
}

#[tokio::test]
async fn eventbridge_bus_passes_the_event_bus_suite() {
    let config = config().await;
    let bus_name = unique_name("aamu-bus");
    let client = aws_sdk_eventbridge::Client::new(&config);
    client
        .create_event_bus()
        .name(&bus_name)
        .send()
        .await
        .expect("creating the bus");
    event_bus_suite(&EventBridgeBus::new(&config, &bus_name, "aamu.test")).await;
}

#[tokio::test]
async fn eventbridge_refused_entries_are_an_error_naming_how_many() {
    let config = config().await;
    let bus_name = unique_name("aamu-bus");
    let client = aws_sdk_eventbridge::Client::new(&config);
    client
        .create_event_bus()
        .name(&bus_name)
        .send()
        .await
        .expect("creating the bus");
    // EventBridge refuses entries without a source, each on its own.
    let bus = EventBridgeBus::new(&config, &bus_name, "");
    let run = unique_name("refused");
    let events: Vec<_> = (0..3).map(|n| sample_event(&run, n)).collect();
    let err = bus
        .publish(&events)
        .await
        .expect_err("entries without a source are refused");
    assert!(
        err.to_string()
            .starts_with("EventBridge refused 3 of 3 events"),
        "error: {err:#}"
    );
}

/// An HTTP response read by [`http`].
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 client for plain `http://` URLs, enough for the emulator.
fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let rest = url
        .strip_prefix("http://")
        .expect("the emulator speaks plain http");
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let target = if target.is_empty() { "/" } else { target };
    let mut request =
        format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");

    let mut stream = TcpStream::connect(host).expect("connecting to the emulator");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("setting a timeout");
    stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.write_all(body))
        .expect("sending");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("reading the response");
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    if let Some(length) = length.and_then(|(_, v)| v.parse::<usize>().ok()) {
        body.truncate(length);
    }
    Response {
        status,
        headers,
        body,
    }
}

#[test]
fn responses_are_parsed() {
    let response =
        parse_response(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-A: b c\r\n\r\nokextra");
    assert_eq!(response.status, 201);
    assert_eq!(response.header("x-a"), Some("b c"));
    assert_eq!(response.body, b"ok");
}
