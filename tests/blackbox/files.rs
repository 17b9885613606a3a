//! The Files API and file links: the guide's upload flow as written, signed-URL checks,
//! `complete-upload` refusing bytes other than the prepared ones, the size limit, and
//! project isolation across tasks, docs, meetings and files.

use std::sync::Arc;
use std::time::Duration;

use aamu::adapters::local_files::LocalFiles;
use aamu::config::Secret;
use aamu::ports::{BlobStore, Clock};
use serde_json::{Value, json};

use crate::common::{App, Backend, Reply, spawn_app_on};
use crate::tasks::{assert_names_field, key_with, send_as};

/// A GET that does not follow redirects.
fn get_no_redirect(url: &str, key: &str, project: &str) -> (u16, Option<String>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let response = agent
        .get(url)
        .header("x-api-key", key)
        .header("x-project-id", project)
        .call()
        .expect("the server answers");
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (response.status().as_u16(), location)
}

fn prepare(app: &App, name: &str, kind: &str, size: usize) -> Value {
    let body = json!({ "name": name, "type": kind, "size": size });
    let reply = app.post("/api/v1/files/prepare-upload", &body);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json
}

fn put(app: &App, prepared: &Value, kind: &str, bytes: &str) -> Reply {
    let url = prepared["upload"]["url"].as_str().unwrap();
    app.send("PUT", url, &[("content-type", kind)], Some(bytes))
}

fn the_guides_upload_flow_works_as_written(backend: Backend) {
    let app = spawn_app_on(backend);
    let bytes = "p".repeat(12345);
    let prepared = prepare(&app, "example.png", "image/png", 12345);
    assert_eq!(prepared["upload"]["method"], "PUT");
    assert_eq!(prepared["upload"]["headers"]["Content-Type"], "image/png");
    let complete = &prepared["complete"];
    assert_eq!(
        (
            complete["name"].clone(),
            complete["type"].clone(),
            complete["size"].clone()
        ),
        (json!("example.png"), json!("image/png"), json!(12345))
    );
    for field in ["file_id", "bucket", "key"] {
        assert!(
            complete[field].is_string(),
            "complete lacks {field}: {complete}"
        );
    }
    let sent = put(&app, &prepared, "image/png", &bytes);
    assert!(sent.status < 300, "PUT: {} {}", sent.status, sent.text);

    let done = app.post("/api/v1/files/complete-upload", complete);
    assert_eq!(done.status, 201, "{}", done.text);
    let file = done.json["file"].clone();
    let (id, version) = (
        file["id"].as_str().unwrap(),
        file["file_id"].as_str().unwrap(),
    );
    assert_eq!(file["file_id"], complete["file_id"]);
    assert_eq!(
        file["browser_url"],
        json!(format!("/file/browser/{id}/{version}/example.png"))
    );
    assert_eq!(
        file["download_url"],
        json!(format!("/file/dl/{id}/{version}/example.png"))
    );
    let again = app.post("/api/v1/files/complete-upload", complete);
    assert_eq!(
        again.status, 400,
        "a completed upload cannot complete twice: {}",
        again.text
    );

    let meta = app.get(&format!("/api/v1/files/{id}"));
    assert_eq!(meta.status, 200, "{}", meta.text);
    let expected = json!({
        "id": id, "filepointer_id": id, "file_id": version, "file_version_id": version,
        "name": "example.png", "type": "image/png", "size": 12345,
        "browser_url": file["browser_url"], "download_url": file["download_url"],
    });
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&meta.json["file"][field], value, "{field}");
    }

    for link in ["browser_url", "download_url"] {
        let url = format!("{}{}", app.base, file[link].as_str().unwrap());
        let (status, location) = get_no_redirect(&url, &app.api_key, &app.project_id);
        assert_eq!(status, 302, "{link}");
        let fetched = app.send("GET", &location.expect("a signed URL"), &[], None);
        assert_eq!(fetched.status, 200, "{link}: {}", fetched.text);
        assert_eq!(fetched.text, bytes);
        let disposition = fetched.header("content-disposition").unwrap_or_default();
        assert_eq!(
            disposition.starts_with("attachment"),
            link == "download_url",
            "{disposition}"
        );
    }
    let wrong_name = format!("{}/file/browser/{id}/{version}/other.png", app.base);
    assert_eq!(
        get_no_redirect(&wrong_name, &app.api_key, &app.project_id).0,
        404
    );
}

#[test]
fn the_guides_upload_flow_works_as_written_on_sqlite() {
    the_guides_upload_flow_works_as_written(Backend::Embedded);
}

#[test]
fn the_guides_upload_flow_works_as_written_on_s3() {
    the_guides_upload_flow_works_as_written(Backend::Aws);
}

fn complete_upload_refuses_bytes_other_than_prepared(backend: Backend) {
    let app = spawn_app_on(backend);
    for (kind, bytes, field) in [
        ("text/plain", "short", "size"),
        ("application/pdf", "0123456789", "type"),
    ] {
        let prepared = prepare(&app, "notes.txt", "text/plain", 10);
        let sent = put(&app, &prepared, kind, bytes);
        if backend == Backend::Embedded {
            // The local signed URL refuses the PUT itself; S3 on moto does not check.
            assert_eq!(sent.status, 403, "{}", sent.text);
        }
        let done = app.post("/api/v1/files/complete-upload", &prepared["complete"]);
        assert_eq!(done.status, 400, "{field}: {}", done.text);
        if sent.status < 300 {
            assert_names_field(&done, field);
        } else {
            assert_eq!(done.code(), "upload_missing");
        }
    }

    let prepared = prepare(&app, "notes.txt", "text/plain", 10);
    put(&app, &prepared, "text/plain", "0123456789");
    for (field, value) in [
        ("size", json!(11)),
        ("name", json!("other.txt")),
        ("key", json!("t/x/p/y/files/z")),
    ] {
        let mut body = prepared["complete"].clone();
        body[field] = value;
        assert_names_field(&app.post("/api/v1/files/complete-upload", &body), field);
    }
    assert_eq!(
        app.post("/api/v1/files/complete-upload", &prepared["complete"])
            .status,
        201
    );
}

#[test]
fn complete_upload_refuses_bytes_other_than_prepared_on_sqlite() {
    complete_upload_refuses_bytes_other_than_prepared(Backend::Embedded);
}

#[test]
fn complete_upload_refuses_bytes_other_than_prepared_on_s3() {
    complete_upload_refuses_bytes_other_than_prepared(Backend::Aws);
}

/// A clock an hour behind, so the URLs it signs have already expired.
struct AnHourAgo;

impl Clock for AnHourAgo {
    fn now_ms(&self) -> i64 {
        aamu::ports::SystemClock.now_ms() - 3_600_000
    }
}

#[test]
fn expired_or_tampered_signed_urls_are_refused() {
    let app = spawn_app_on(Backend::Embedded);
    let prepared = prepare(&app, "a.txt", "text/plain", 3);
    let key = prepared["complete"]["key"].as_str().unwrap();
    let secret = std::fs::read_to_string(app.data_dir.path().join("signing.key")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let signer = LocalFiles::new(
        scratch.path(),
        &app.base,
        Secret::new(secret.trim()),
        Arc::new(AnHourAgo),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let expired = runtime
        .block_on(signer.presign_put(key, "text/plain", 3, Duration::from_secs(60)))
        .unwrap();
    let reply = app.send(
        "PUT",
        &expired.url,
        &[("content-type", "text/plain")],
        Some("abc"),
    );
    assert_eq!(
        (reply.status, reply.code()),
        (403, "signature_expired"),
        "{}",
        reply.text
    );

    let url = prepared["upload"]["url"].as_str().unwrap();
    let tampered = url.replace("len=3", "len=4");
    let reply = app.send(
        "PUT",
        &tampered,
        &[("content-type", "text/plain")],
        Some("abcd"),
    );
    assert_eq!((reply.status, reply.code()), (403, "invalid_signature"));
    let reply = app.send("PUT", url, &[("content-type", "text/plain")], Some("abc"));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reused = app.send("PUT", url, &[("content-type", "text/plain")], Some("abc"));
    assert_eq!(reused.status, 409, "a signed URL uploads once");
}

#[test]
fn an_upload_over_the_size_limit_is_refused_with_413() {
    let app = spawn_app_on(Backend::Embedded);
    let body = json!({ "name": "huge.bin", "type": "application/octet-stream", "size": 200u64 * 1024 * 1024 });
    let reply = app.post("/api/v1/files/prepare-upload", &body);
    assert_eq!(
        (reply.status, reply.code()),
        (413, "payload_too_large"),
        "{}",
        reply.text
    );
    assert!(
        reply.json["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("size")
    );
    assert_names_field(
        &app.post(
            "/api/v1/files/prepare-upload",
            &json!({ "name": "a/b", "type": "text/plain", "size": 1 }),
        ),
        "name",
    );
    assert_names_field(
        &app.post(
            "/api/v1/files/prepare-upload",
            &json!({ "name": "a", "type": "text", "size": 1 }),
        ),
        "type",
    );
}

fn a_key_for_one_project_cannot_reach_anothers_items(backend: Backend) {
    let app = spawn_app_on(backend);
    let other = app.admin(&["project", "create", "--team", &app.team_id, "--name", "B"]);
    let other = other["project"]["id"].as_str().unwrap().to_string();
    crate::tasks::add_member(&app, &other, "bee");
    let all =
        ["tasks", "docs", "meetings", "files"].map(|f| format!("{f}:{other}:read,write,comment"));
    let key_b = key_with(&app, &all);
    let bee = [("x-aamu-actor", "bee")];
    let create = |path: &str, body: Value, noun: &str| {
        let reply = send_as(&app, &key_b, &other, "POST", path, Some(&body), &bee);
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json[noun]["id"].as_str().unwrap().to_string()
    };
    let task = create("/api/v1/tasks/", json!({ "title": "B task" }), "task");
    let doc = create("/api/v1/docs/", json!({ "title": "B doc" }), "doc");
    let meeting = create(
        "/api/v1/meetings/",
        json!({ "name": "B meeting" }),
        "meeting",
    );
    let prepared = send_as(
        &app,
        &key_b,
        &other,
        "POST",
        "/api/v1/files/prepare-upload",
        Some(&json!({ "name": "b.txt", "type": "text/plain", "size": 1 })),
        &[],
    );
    let url = prepared.json["upload"]["url"].as_str().unwrap();
    app.send("PUT", url, &[("content-type", "text/plain")], Some("b"));
    let file = send_as(
        &app,
        &key_b,
        &other,
        "POST",
        "/api/v1/files/complete-upload",
        Some(&prepared.json["complete"]),
        &bee,
    );
    let file = file.json["file"].clone();
    let key_a = key_with(
        &app,
        &["tasks", "docs", "meetings", "files"]
            .map(|f| format!("{f}:{}:read,write,comment", app.project_id)),
    );

    let patch = json!({ "html": "<p>stolen</p>" });
    let mut routes = vec![
        ("GET", "/api/v1/tasks/".to_string()),
        ("GET", format!("/api/v1/tasks/{task}")),
        ("PATCH", format!("/api/v1/tasks/{task}")),
        ("GET", "/api/v1/docs/".to_string()),
        ("GET", format!("/api/v1/docs/{doc}")),
        ("PATCH", format!("/api/v1/docs/{doc}")),
        ("GET", "/api/v1/meetings/".to_string()),
        ("GET", format!("/api/v1/meetings/{meeting}")),
        ("PATCH", format!("/api/v1/meetings/{meeting}")),
        (
            "GET",
            format!("/api/v1/files/{}", file["id"].as_str().unwrap()),
        ),
    ];
    routes.push(("GET", file["browser_url"].as_str().unwrap().to_string()));
    for (method, path) in &routes {
        let body = (*method == "PATCH").then_some(&patch);
        // Naming project B with A's key: the project is not confirmed.
        let reply = send_as(&app, &key_a, &other, method, path, body, &[]);
        assert_eq!(
            reply.status, 404,
            "{method} {path} with project B: {}",
            reply.text
        );
        // In A's own project, B's ids do not exist.
        if path.ends_with('/') {
            let list = send_as(&app, &key_a, &app.project_id, method, path, None, &[]);
            assert_eq!(list.status, 200);
            assert!(
                !list.text.contains("B task")
                    && !list.text.contains("B doc")
                    && !list.text.contains("B meeting")
            );
        } else {
            let reply = send_as(&app, &key_a, &app.project_id, method, path, body, &[]);
            assert_eq!(
                reply.status, 404,
                "{method} {path} in project A: {}",
                reply.text
            );
        }
    }
    let still = send_as(
        &app,
        &key_b,
        &other,
        "GET",
        &format!("/api/v1/tasks/{task}"),
        None,
        &[],
    );
    assert_eq!(still.json["task"]["title"], "B task");
}

#[test]
fn a_key_for_one_project_cannot_reach_anothers_items_on_sqlite() {
    a_key_for_one_project_cannot_reach_anothers_items(Backend::Embedded);
}

#[test]
fn a_key_for_one_project_cannot_reach_anothers_items_on_dynamodb() {
    a_key_for_one_project_cannot_reach_anothers_items(Backend::Aws);
}
