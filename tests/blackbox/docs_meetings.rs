//! The Docs and Meetings APIs: the guide's examples as written, validation, sanitized
//! HTML, bodies too large for one item, and version conflicts.

use serde_json::{Value, json};

use crate::common::{App, Backend, spawn_app_on};
use crate::tasks::assert_names_field;

fn created(app: &App, path: &str, body: &Value, noun: &str) -> Value {
    let reply = app.post(path, body);
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json[noun].clone()
}

fn the_guides_doc_examples_work_as_written(backend: Backend) {
    let app = spawn_app_on(backend);
    let body = json!({
        "title": "Weekly API Report",
        "html": "<h1>Weekly API Report</h1><p>All checks passed.</p>"
    });
    let doc = created(&app, "/api/v1/docs/", &body, "doc");
    assert_eq!(doc["pid"], json!(app.project_id));
    assert_eq!(doc["title"], body["title"]);
    assert_eq!(doc["status"], "public");
    assert_eq!(doc["html"], body["html"]);
    let id = doc["id"].as_str().unwrap().to_string();

    let listed = app.get("/api/v1/docs/");
    assert_eq!(listed.status, 200, "{}", listed.text);
    let first = &listed.json["docs"][0];
    for field in ["id", "pid", "title", "status", "html"] {
        assert_eq!(first[field], doc[field], "{field}");
    }

    let patch = json!({
        "title": "Weekly API Report, revised",
        "html": "<h1>Weekly API Report</h1><p>All checks passed after the retry.</p>"
    });
    let path = format!("/api/v1/docs/{id}");
    let patched = app.patch(&path, &patch);
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json["doc"]["id"], json!(id));
    assert_eq!(patched.json["doc"]["title"], patch["title"]);
    assert_eq!(patched.json["doc"]["html"], patch["html"]);
    assert_eq!(app.get(&path).json["doc"], patched.json["doc"]);

    let draft = app.patch(&path, &json!({ "status": "draft" }));
    assert_eq!(draft.json["doc"]["status"], "draft");
    assert_eq!(
        draft.json["doc"]["html"], patch["html"],
        "untouched fields stay"
    );
    assert_eq!(
        app.get("/api/v1/docs/?status=public").json["docs"],
        json!([])
    );
    assert_names_field(&app.patch(&path, &json!({ "status": "secret" })), "status");
    assert_names_field(&app.patch(&path, &json!({ "body": "x" })), "body");
    assert_names_field(
        &app.post("/api/v1/docs/", &json!({ "html": "<p>x</p>" })),
        "title",
    );
}

#[test]
fn the_guides_doc_examples_work_as_written_on_sqlite() {
    the_guides_doc_examples_work_as_written(Backend::Embedded);
}

#[test]
fn the_guides_doc_examples_work_as_written_on_dynamodb() {
    the_guides_doc_examples_work_as_written(Backend::Aws);
}

fn the_guides_meeting_examples_work_as_written(backend: Backend) {
    let app = spawn_app_on(backend);
    let body = json!({
        "name": "API rollout review",
        "html": "<p>Review integration status and next steps.</p>",
        "start_time": 1779458400000i64,
        "end_time": 1779462000000i64
    });
    let meeting = created(&app, "/api/v1/meetings/", &body, "meeting");
    assert_eq!(meeting["pid"], json!(app.project_id));
    assert_eq!(meeting["name"], body["name"]);
    assert_eq!(meeting["status"], "public");
    assert_eq!(meeting["html"], body["html"]);
    let id = meeting["id"].as_str().unwrap().to_string();

    let listed = app.get("/api/v1/meetings/");
    assert_eq!(listed.status, 200, "{}", listed.text);
    let first = &listed.json["meetings"][0];
    for field in [
        "id",
        "pid",
        "name",
        "status",
        "html",
        "start_time",
        "end_time",
    ] {
        assert_eq!(first[field], meeting[field], "{field}");
    }
    assert_eq!(first["start_time"], body["start_time"]);

    let patch = json!({
        "name": "API rollout review, updated",
        "html": "<p>Review production results and decide follow-up actions.</p>",
        "start_time": 1779462000000i64,
        "end_time": 1779465600000i64
    });
    let path = format!("/api/v1/meetings/{id}");
    let patched = app.patch(&path, &patch);
    assert_eq!(patched.status, 200, "{}", patched.text);
    for field in ["name", "html", "start_time", "end_time"] {
        assert_eq!(patched.json["meeting"][field], patch[field], "{field}");
    }

    let invited = app.patch(
        &path,
        &json!({ "invitees": ["a@example.com", "A@example.com", "b@example.com"], "start_time": "2026-05-27T09:00:00Z", "end_time": null }),
    );
    assert_eq!(invited.status, 200, "{}", invited.text);
    assert_eq!(
        invited.json["meeting"]["invitees"],
        json!(["a@example.com", "b@example.com"])
    );
    assert_eq!(
        invited.json["meeting"]["start_time"],
        json!(1779872400000i64)
    );
    assert_eq!(invited.json["meeting"]["end_time"], Value::Null);

    let before = app.get(&path).json;
    for (body, field) in [
        (
            json!({ "name": "x", "invitees": ["a@example.com", "not an email"] }),
            "invitees[1]",
        ),
        (json!({ "name": "x", "start_time": "soon" }), "start_time"),
        (json!({ "name": "x", "end_time": 1 }), "end_time"),
        (json!({ "name": "x", "location": "Room 1" }), "location"),
    ] {
        assert_names_field(&app.patch(&path, &body), field);
        assert_eq!(
            app.get(&path).json,
            before,
            "case {body} changed the meeting"
        );
    }
}

#[test]
fn the_guides_meeting_examples_work_as_written_on_sqlite() {
    the_guides_meeting_examples_work_as_written(Backend::Embedded);
}

#[test]
fn the_guides_meeting_examples_work_as_written_on_dynamodb() {
    the_guides_meeting_examples_work_as_written(Backend::Aws);
}

fn html_is_sanitized_and_large_bodies_round_trip(backend: Backend) {
    let app = spawn_app_on(backend);
    let dirty = r#"<h1>Notes</h1><script>steal()</script><p><img src="/file/browser/a/b/x.png" onerror="steal()"></p>"#;
    let doc = created(
        &app,
        "/api/v1/docs/",
        &json!({ "title": "Dirty", "html": dirty }),
        "doc",
    );
    let meeting = created(
        &app,
        "/api/v1/meetings/",
        &json!({ "name": "Dirty", "html": dirty }),
        "meeting",
    );
    for stored in [
        app.get(&format!("/api/v1/docs/{}", doc["id"].as_str().unwrap()))
            .text,
        app.get(&format!(
            "/api/v1/meetings/{}",
            meeting["id"].as_str().unwrap()
        ))
        .text,
    ] {
        assert!(stored.contains("/file/browser/a/b/x.png"), "{stored}");
        assert!(
            !stored.contains("<script") && !stored.contains("onerror"),
            "{stored}"
        );
    }

    // Over 400 KB: more than one DynamoDB item can hold, so it lives in the blob store.
    let paragraph = "<p>Line of the long report, with <strong>safe</strong> markup.</p>";
    let large = paragraph.repeat(450 * 1024 / paragraph.len());
    let doc = created(
        &app,
        "/api/v1/docs/",
        &json!({ "title": "Large", "html": large }),
        "doc",
    );
    assert_eq!(doc["html"].as_str().map(str::len), Some(large.len()));
    let path = format!("/api/v1/docs/{}", doc["id"].as_str().unwrap());
    assert_eq!(app.get(&path).json["doc"]["html"], json!(large));
    assert_eq!(
        app.get("/api/v1/docs/?limit=1").json["docs"][0]["html"],
        json!(large)
    );

    let larger = format!("{large}{paragraph}");
    let patched = app.patch(&path, &json!({ "html": larger }));
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(app.get(&path).json["doc"]["html"], json!(larger));
    let small = app.patch(&path, &json!({ "html": "<p>short again</p>" }));
    assert_eq!(small.json["doc"]["html"], "<p>short again</p>");

    let task = app.post(
        "/api/v1/tasks/",
        &json!({ "title": "Long", "html": large, "comments": [{ "html": large }] }),
    );
    assert_eq!(task.status, 201, "{}", task.text);
    let read = app.get(&format!(
        "/api/v1/tasks/{}",
        task.json["task"]["id"].as_str().unwrap()
    ));
    assert_eq!(read.json["task"]["html"], json!(large));
    assert_eq!(read.json["task"]["comments"][0]["html"], json!(large));
}

#[test]
fn html_is_sanitized_and_large_bodies_round_trip_on_sqlite() {
    html_is_sanitized_and_large_bodies_round_trip(Backend::Embedded);
}

#[test]
fn html_is_sanitized_and_large_bodies_round_trip_on_dynamodb() {
    html_is_sanitized_and_large_bodies_round_trip(Backend::Aws);
}

#[test]
fn a_patch_against_a_stale_version_of_a_doc_or_meeting_is_a_conflict() {
    let app = spawn_app_on(Backend::Embedded);
    let doc = created(
        &app,
        "/api/v1/docs/",
        &json!({ "title": "Versioned" }),
        "doc",
    );
    let meeting = created(
        &app,
        "/api/v1/meetings/",
        &json!({ "name": "Versioned" }),
        "meeting",
    );
    for (path, body) in [
        (
            format!("/api/v1/docs/{}", doc["id"].as_str().unwrap()),
            json!({ "title": "v2" }),
        ),
        (
            format!("/api/v1/meetings/{}", meeting["id"].as_str().unwrap()),
            json!({ "name": "v2" }),
        ),
    ] {
        let headers = [("x-api-key", app.api_key.as_str()), ("if-match", "1")];
        let first = app.send("PATCH", &path, &headers, Some(&body.to_string()));
        assert_eq!(first.status, 200, "{}", first.text);
        let second = app.send("PATCH", &path, &headers, Some(&body.to_string()));
        assert_eq!(
            (second.status, second.code()),
            (409, "conflict"),
            "{}",
            second.text
        );
    }
}
