//! The Tasks API and task comments: the guide's examples as written, PATCH semantics
//! (null clears, `[]` empties, bad input changes nothing), sanitized HTML, optimistic
//! concurrency, idempotent creates, list filters and paging, and scopes.

use serde_json::{Value, json};

use crate::common::{App, Backend, Reply, spawn_app_on};

/// Adds a project member; answers the user id.
pub fn add_member(app: &App, project: &str, username: &str) -> String {
    let email = format!("{username}@example.com");
    let added = app.admin(&[
        "user",
        "add",
        "--project",
        project,
        "--username",
        username,
        "--name",
        username,
        "--email",
        &email,
    ]);
    added["user"]["id"].as_str().expect("a user id").to_string()
}

/// Creates a key with these scopes; answers the full key.
pub fn key_with(app: &App, scopes: &[String]) -> String {
    let mut args = vec![
        "key",
        "create",
        "--team",
        app.team_id.as_str(),
        "--name",
        "Test",
    ];
    for scope in scopes {
        args.extend(["--scope", scope.as_str()]);
    }
    app.admin(&args)["key"]["api_key"]
        .as_str()
        .expect("key create prints the key")
        .to_string()
}

/// A request with `key` on `project`, plus any extra headers.
pub fn send_as(
    app: &App,
    key: &str,
    project: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> Reply {
    let mut headers = vec![("x-api-key", key), ("x-project-id", project)];
    headers.extend_from_slice(extra);
    let body = body.map(Value::to_string);
    app.send(method, path, &headers, body.as_deref())
}

/// Asserts a 400 whose message names `field`.
pub fn assert_names_field(reply: &Reply, field: &str) {
    assert_eq!(reply.status, 400, "{field}: {}", reply.text);
    assert_eq!(reply.code(), "validation_failed", "{field}: {}", reply.text);
    let message = reply.json["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(field),
        "{field} is not named in {message:?}"
    );
}

fn user_id(app: &App, username: &str) -> String {
    let reply = app.get(&format!("/api/v1/users/?username={username}"));
    reply.json["users"][0]["id"]
        .as_str()
        .expect("a user")
        .to_string()
}

fn create_task(app: &App, body: &Value) -> Value {
    let reply = app.post("/api/v1/tasks/", body);
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json["task"].clone()
}

fn the_guides_task_examples_work_as_written(backend: Backend) {
    let app = spawn_app_on(backend);
    let one = add_member(&app, &app.project_id, "badding");
    let two = add_member(&app, &app.project_id, "ile");
    let ai = user_id(&app, "ai");
    assert_eq!(user_id(&app, "badding"), one);
    let actor = [("x-aamu-actor", "ai")];

    let body = json!({
        "title": "Prepare customer summary",
        "html": "<p>Summarize the latest feedback and add next steps.</p>",
        "status": "active",
        "users": [one, two],
        "start_at": "2026-05-27T09:00:00.000Z",
        "end_at": "2026-05-27T10:00:00.000Z",
        "reminders": [{ "minutes_before": 15 }, { "d": 0, "h": 1, "m": 0 }],
        "comments": [{ "html": "<p>Created from the external workflow.</p>" }]
    });
    let created = send_as(
        &app,
        &app.api_key,
        &app.project_id,
        "POST",
        "/api/v1/tasks/",
        Some(&body),
        &actor,
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let task = &created.json["task"];
    let id = task["id"].as_str().unwrap().to_string();
    assert_eq!(task["pid"], json!(app.project_id));
    assert_eq!(task["title"], "Prepare customer summary");
    assert_eq!(
        task["html"],
        "<p>Summarize the latest feedback and add next steps.</p>"
    );
    assert_eq!(task["status"], "active");
    assert_eq!(task["start_at"], json!(1779872400000i64));
    assert_eq!(task["end_at"], json!(1779876000000i64));
    assert_eq!(
        task["reminders"],
        json!([{ "d": 0, "h": 0, "m": 15 }, { "d": 0, "h": 1, "m": 0 }])
    );
    assert_eq!(task["users"], json!([one, two]));
    assert_eq!(task["created_by"], json!(ai));
    assert_eq!(
        task["comments"][0]["html"],
        "<p>Created from the external workflow.</p>"
    );

    let listed = app.get("/api/v1/tasks/");
    assert_eq!(listed.status, 200, "{}", listed.text);
    let first = &listed.json["tasks"][0];
    for field in [
        "id",
        "pid",
        "title",
        "html",
        "status",
        "start_at",
        "end_at",
        "repeat",
        "reminders",
        "users",
        "comments",
    ] {
        assert!(
            first.get(field).is_some(),
            "the list lacks {field}: {first}"
        );
    }
    assert_eq!(first["id"], json!(id));

    let patch = json!({
        "title": "Prepare customer summary and next steps",
        "html": "<p>Summarize feedback, risks, and next actions.</p>",
        "status": "complete",
        "users": [one, two],
        "start_at": 1779872400000i64,
        "end_at": 1779876000000i64,
        "repeat": "weekly",
        "reminders": [{ "minutes_before": 15 }]
    });
    let path = format!("/api/v1/tasks/{id}");
    let patched = send_as(
        &app,
        &app.api_key,
        &app.project_id,
        "PATCH",
        &path,
        Some(&patch),
        &actor,
    );
    assert_eq!(patched.status, 200, "{}", patched.text);
    let task = &patched.json["task"];
    assert_eq!(task["title"], "Prepare customer summary and next steps");
    assert_eq!(
        task["html"],
        "<p>Summarize feedback, risks, and next actions.</p>"
    );
    assert_eq!(task["status"], "complete");
    assert_eq!(task["repeat"], "weekly");
    assert_eq!(task["reminders"], json!([{ "d": 0, "h": 0, "m": 15 }]));
    assert_eq!(task["users"], json!([one, two]));

    let comment =
        json!({ "html": "<p>I reviewed the customer notes and added follow-up actions.</p>" });
    let commented = app.post(&format!("{path}/comments"), &comment);
    assert_eq!(commented.status, 201, "{}", commented.text);
    let comments = commented.json["task"]["comments"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[1]["html"], comment["html"]);
    assert_eq!(
        comments[1]["created_by"],
        json!(ai),
        "the ai user is the fallback actor"
    );
    assert!(comments[1]["id"].is_string());

    let read = app.get(&path);
    assert_eq!(read.status, 200);
    assert_eq!(
        read.json["task"]["title"],
        "Prepare customer summary and next steps"
    );
    assert_eq!(read.json["task"]["comments"], json!(comments));
}

#[test]
fn the_guides_task_examples_work_as_written_on_sqlite() {
    the_guides_task_examples_work_as_written(Backend::Embedded);
}

#[test]
fn the_guides_task_examples_work_as_written_on_dynamodb() {
    the_guides_task_examples_work_as_written(Backend::Aws);
}

fn null_clears_and_an_empty_array_removes_all_reminders(backend: Backend) {
    let app = spawn_app_on(backend);
    let task = create_task(
        &app,
        &json!({
            "title": "Weekly sync",
            "start_at": 1779872400000i64,
            "end_at": 1779876000000i64,
            "repetition": "weekly",
            "reminders": [{ "minutes_before": 15 }, { "minutes_before": 60 }]
        }),
    );
    assert_eq!(task["repeat"], "weekly", "repetition is an alias of repeat");
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());

    let emptied = app.patch(&path, &json!({ "reminders": [] }));
    assert_eq!(emptied.status, 200, "{}", emptied.text);
    assert_eq!(emptied.json["task"]["reminders"], json!([]));
    assert_eq!(
        emptied.json["task"]["repeat"], "weekly",
        "other fields stay"
    );

    app.patch(&path, &json!({ "reminders": [{ "d": 1, "h": 0, "m": 0 }] }));
    let cleared = app.patch(&path, &json!({ "reminders": null, "repeat": null }));
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert_eq!(cleared.json["task"]["reminders"], json!([]));
    assert_eq!(cleared.json["task"]["repeat"], Value::Null);
    assert_eq!(cleared.json["task"]["start_at"], json!(1779872400000i64));

    let dates = app.patch(&path, &json!({ "start_at": null, "end_at": null }));
    assert_eq!(dates.json["task"]["start_at"], Value::Null);
    assert_eq!(dates.json["task"]["end_at"], Value::Null);
    let read = app.get(&path).json["task"].clone();
    assert_eq!(
        (read["reminders"].clone(), read["repeat"].clone()),
        (json!([]), Value::Null)
    );
}

#[test]
fn null_clears_and_an_empty_array_removes_all_reminders_on_sqlite() {
    null_clears_and_an_empty_array_removes_all_reminders(Backend::Embedded);
}

#[test]
fn null_clears_and_an_empty_array_removes_all_reminders_on_dynamodb() {
    null_clears_and_an_empty_array_removes_all_reminders(Backend::Aws);
}

fn bad_input_is_refused_naming_the_field_and_changes_nothing(backend: Backend) {
    let app = spawn_app_on(backend);
    let outsider_project = app.admin(&[
        "project",
        "create",
        "--team",
        &app.team_id,
        "--name",
        "Other",
    ]);
    let outsider_project = outsider_project["project"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let outsider = add_member(&app, &outsider_project, "outsider");
    let task = create_task(
        &app,
        &json!({ "title": "Stable", "reminders": [{ "minutes_before": 5 }] }),
    );
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    let before = app.get(&path).json;

    for (body, field) in [
        (json!({ "title": "Changed", "colour": "red" }), "colour"),
        (
            json!({ "title": "Changed", "start_at": "next tuesday" }),
            "start_at",
        ),
        (
            json!({ "title": "Changed", "end_at": "2026-02-30T00:00:00Z" }),
            "end_at",
        ),
        (json!({ "title": "Changed", "status": "done" }), "status"),
        (
            json!({ "title": "Changed", "users": [outsider] }),
            "users[0]",
        ),
        (
            json!({ "title": "Changed", "users": ["outsider"] }),
            "users[0]",
        ),
        (
            json!({ "title": "Changed", "reminders": [{ "minutes_before": -5 }] }),
            "reminders[0].minutes_before",
        ),
        (json!({ "title": "Changed", "repeat": "hourly" }), "repeat"),
        (json!({ "title": "" }), "title"),
        (
            json!({ "title": "Changed", "start_at": 20, "end_at": 10 }),
            "end_at",
        ),
    ] {
        let reply = app.patch(&path, &body);
        assert_names_field(&reply, field);
        assert_eq!(app.get(&path).json, before, "case {body} changed the task");
    }
    let create = app.post("/api/v1/tasks/", &json!({ "html": "<p>No title</p>" }));
    assert_names_field(&create, "title");
    assert_eq!(
        app.get("/api/v1/tasks/").json["tasks"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn bad_input_is_refused_naming_the_field_and_changes_nothing_on_sqlite() {
    bad_input_is_refused_naming_the_field_and_changes_nothing(Backend::Embedded);
}

#[test]
fn bad_input_is_refused_naming_the_field_and_changes_nothing_on_dynamodb() {
    bad_input_is_refused_naming_the_field_and_changes_nothing(Backend::Aws);
}

fn scripts_and_handlers_never_reach_stored_html(backend: Backend) {
    let app = spawn_app_on(backend);
    let dirty = r#"<p>Hi<script>alert(1)</script><img src="x.png" onerror="alert(2)"></p>"#;
    let task = create_task(
        &app,
        &json!({ "title": "XSS", "html": dirty, "comments": [{ "html": dirty }] }),
    );
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    app.post(&format!("{path}/comments"), &json!({ "html": dirty }));
    app.patch(&path, &json!({ "html": format!("{dirty}<p>patched</p>") }));
    let read = app.get(&path).text;
    assert!(read.contains("patched") && read.contains("x.png"), "{read}");
    for banned in ["<script", "onerror", "alert("] {
        assert!(!read.contains(banned), "{banned} survived: {read}");
    }
}

#[test]
fn scripts_and_handlers_never_reach_stored_html_on_sqlite() {
    scripts_and_handlers_never_reach_stored_html(Backend::Embedded);
}

#[test]
fn scripts_and_handlers_never_reach_stored_html_on_dynamodb() {
    scripts_and_handlers_never_reach_stored_html(Backend::Aws);
}

fn racing_patches_never_lose_a_field(backend: Backend) {
    let app = spawn_app_on(backend);
    let task = create_task(&app, &json!({ "title": "Race" }));
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());

    for round in 0..8 {
        let title = format!("title {round}");
        let html = format!("<p>html {round}</p>");
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| app.patch(&path, &json!({ "title": title })));
            let b = s.spawn(|| app.patch(&path, &json!({ "html": html })));
            (a.join().unwrap(), b.join().unwrap())
        });
        for reply in [&a, &b] {
            assert!(
                reply.status == 200 || (reply.status == 409 && reply.code() == "conflict"),
                "{}",
                reply.text
            );
        }
        let stored = app.get(&path).json["task"].clone();
        if a.status == 200 {
            assert_eq!(
                stored["title"],
                json!(title),
                "round {round} lost the title"
            );
        }
        if b.status == 200 {
            assert_eq!(stored["html"], json!(html), "round {round} lost the html");
        }
    }

    let version = app.get(&path).json["task"]["version"].as_u64().unwrap();
    let stale = (version - 1).to_string();
    let reply = send_as(
        &app,
        &app.api_key,
        &app.project_id,
        "PATCH",
        &path,
        Some(&json!({ "title": "x" })),
        &[("if-match", &stale)],
    );
    assert_eq!(
        (reply.status, reply.code()),
        (409, "conflict"),
        "{}",
        reply.text
    );
    let current = version.to_string();
    let reply = send_as(
        &app,
        &app.api_key,
        &app.project_id,
        "PATCH",
        &path,
        Some(&json!({ "title": "x" })),
        &[("if-match", &current)],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[test]
fn racing_patches_never_lose_a_field_on_sqlite() {
    racing_patches_never_lose_a_field(Backend::Embedded);
}

#[test]
fn racing_patches_never_lose_a_field_on_dynamodb() {
    racing_patches_never_lose_a_field(Backend::Aws);
}

#[test]
fn a_retried_create_with_the_same_idempotency_key_makes_one_task() {
    let app = spawn_app_on(Backend::Embedded);
    let body = json!({ "title": "Once", "comments": [{ "html": "<p>c</p>" }] });
    let key = [("idempotency-key", "create-once-1")];
    let first = send_as(
        &app,
        &app.api_key,
        &app.project_id,
        "POST",
        "/api/v1/tasks/",
        Some(&body),
        &key,
    );
    let again = send_as(
        &app,
        &app.api_key,
        &app.project_id,
        "POST",
        "/api/v1/tasks/",
        Some(&body),
        &key,
    );
    assert_eq!((first.status, again.status), (201, 201), "{}", again.text);
    assert_eq!(first.json, again.json);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = json!({ "title": "Different" });
    let reused = send_as(
        &app,
        &app.api_key,
        &app.project_id,
        "POST",
        "/api/v1/tasks/",
        Some(&other),
        &key,
    );
    assert_eq!(
        (reused.status, reused.code()),
        (409, "idempotency_key_reused")
    );
    assert_eq!(
        app.get("/api/v1/tasks/").json["tasks"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

fn lists_filter_by_status_assignee_and_update_time_and_page(backend: Backend) {
    let app = spawn_app_on(backend);
    let badding = add_member(&app, &app.project_id, "badding");
    let mut ids = Vec::new();
    for i in 0..5 {
        let status = if i % 2 == 0 { "active" } else { "complete" };
        let users = if i < 2 { json!(["badding"]) } else { json!([]) };
        let task = create_task(
            &app,
            &json!({ "title": format!("Task {i}"), "status": status, "users": users }),
        );
        ids.push(task["id"].as_str().unwrap().to_string());
    }
    let first_path = format!("/api/v1/tasks/{}", ids[0]);
    let touched = app
        .patch(&first_path, &json!({ "title": "Task 0, touched" }))
        .json["task"]
        .clone();

    let mut seen = Vec::new();
    let mut path = "/api/v1/tasks/?limit=2".to_string();
    loop {
        let page = app.get(&path);
        assert_eq!(page.status, 200, "{}", page.text);
        let tasks = page.json["tasks"].as_array().unwrap();
        assert!(tasks.len() <= 2);
        seen.extend(tasks.iter().map(|t| t["id"].as_str().unwrap().to_string()));
        match page.json["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/tasks/?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(seen[0], ids[0], "the last updated task comes first");

    let complete = app.get("/api/v1/tasks/?status=complete").json["tasks"].clone();
    assert_eq!(complete.as_array().unwrap().len(), 2);
    for who in ["badding".to_string(), badding.clone()] {
        let mine = app.get(&format!("/api/v1/tasks/?assignee={who}")).json["tasks"].clone();
        assert_eq!(mine.as_array().unwrap().len(), 2, "assignee={who}");
    }
    let since = touched["updated_at"].as_i64().unwrap();
    let recent = app
        .get(&format!("/api/v1/tasks/?updated_since={since}"))
        .json["tasks"]
        .clone();
    assert_eq!(recent[0]["id"], json!(ids[0]));
    let future = app
        .get("/api/v1/tasks/?updated_since=2100-01-01T00:00:00Z")
        .json["tasks"]
        .clone();
    assert_eq!(future, json!([]));

    assert_names_field(
        &app.get("/api/v1/tasks/?updated_since=yesterday"),
        "updated_since",
    );
    assert_names_field(&app.get("/api/v1/tasks/?status=open"), "status");
    assert_names_field(&app.get("/api/v1/tasks/?assignee=nobody"), "assignee");
    assert_names_field(&app.get("/api/v1/tasks/?cursor=bm9wZQ"), "cursor");
}

#[test]
fn lists_filter_by_status_assignee_and_update_time_and_page_on_sqlite() {
    lists_filter_by_status_assignee_and_update_time_and_page(Backend::Embedded);
}

#[test]
fn lists_filter_by_status_assignee_and_update_time_and_page_on_dynamodb() {
    lists_filter_by_status_assignee_and_update_time_and_page(Backend::Aws);
}

#[test]
fn each_task_route_needs_its_scope() {
    let app = spawn_app_on(Backend::Embedded);
    let task = create_task(&app, &json!({ "title": "Scoped" }));
    let path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    let comments = format!("{path}/comments");
    let pid = app.project_id.clone();
    let read = key_with(&app, &[format!("tasks:{pid}:read")]);
    let write = key_with(&app, &[format!("tasks:{pid}:write")]);
    let comment = key_with(&app, &[format!("tasks:{pid}:comment")]);
    let body = json!({ "title": "t" });
    let note = json!({ "html": "<p>n</p>" });
    let inline = json!({ "title": "t", "comments": [{ "html": "<p>n</p>" }] });

    for (key, method, route, body, status) in [
        (&read, "GET", "/api/v1/tasks/", None, 200),
        (&read, "GET", path.as_str(), None, 200),
        (&read, "POST", "/api/v1/tasks/", Some(&body), 403),
        (&read, "PATCH", path.as_str(), Some(&body), 403),
        (&write, "GET", "/api/v1/tasks/", None, 403),
        (&write, "POST", "/api/v1/tasks/", Some(&body), 201),
        (&write, "PATCH", path.as_str(), Some(&body), 200),
        (&write, "POST", comments.as_str(), Some(&note), 403),
        (&write, "POST", "/api/v1/tasks/", Some(&inline), 403),
        (&comment, "POST", comments.as_str(), Some(&note), 201),
        (&comment, "PATCH", path.as_str(), Some(&body), 403),
    ] {
        let reply = send_as(&app, key, &pid, method, route, body, &[]);
        assert_eq!(reply.status, status, "{method} {route}: {}", reply.text);
    }
}
