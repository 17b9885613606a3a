//! API keys, scopes, the project and actor rules, and the Users API.

use serde_json::json;

use crate::common::{App, Backend, spawn_app, spawn_app_on};

fn key_with(app: &App, scopes: &[String], extra: &[&str]) -> String {
    let mut args = vec![
        "key",
        "create",
        "--team",
        app.team_id.as_str(),
        "--name",
        "Test key",
    ];
    for scope in scopes {
        args.extend(["--scope", scope.as_str()]);
    }
    args.extend_from_slice(extra);
    let out = app.admin(&args);
    out["key"]["api_key"]
        .as_str()
        .expect("key create prints the key once")
        .to_string()
}

fn get_with(app: &App, key: &str, project: Option<&str>, path: &str) -> crate::common::Reply {
    let mut headers = vec![("x-api-key", key)];
    if let Some(project) = project {
        headers.push(("x-project-id", project));
    }
    app.send("GET", path, &headers, None)
}

fn assert_no_secret(app: &App, text: &str) {
    let secret = app.api_key.rsplit('_').next().unwrap_or_default();
    assert!(!text.contains(secret), "the key secret leaked: {text}");
    for word in ["salt", "hash"] {
        assert!(!text.contains(word), "{word} leaked: {text}");
    }
}

fn key_introspection_shows_safe_metadata_only(backend: Backend) {
    let app = spawn_app_on(backend);
    let reply = app.get("/api/v1/key");
    assert_eq!(reply.status, 200, "{}", reply.text);
    let key = &reply.json["key"];
    for field in [
        "id",
        "name",
        "permissions",
        "scopes",
        "created",
        "created_by",
        "last_used_at",
        "expires_at",
    ] {
        assert!(key.get(field).is_some(), "missing {field} in {key}");
    }
    assert_eq!(key["permissions"], json!(["read", "write", "comment"]));
    let scope = key["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["feature"] == "tasks")
        .unwrap();
    assert_eq!(scope["resource_id"], json!(app.project_id));
    assert_no_secret(&app, &reply.text);
    assert!(
        reply
            .header("x-request-id")
            .is_some_and(|id| !id.is_empty())
    );

    let log = app.log();
    assert!(
        log.contains("answered"),
        "the server logs each request: {log}"
    );
    assert_no_secret(&app, &log);

    let listed = app.admin(&["key", "list", "--team", &app.team_id]);
    let listed_text = listed.to_string();
    assert_no_secret(&app, &listed_text);
    let first = &listed["keys"][0];
    assert!(
        first["scopes"][0]["endpoints"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    assert!(
        first["scopes"][0]["headers"]
            .as_array()
            .is_some_and(|h| !h.is_empty())
    );
}

#[test]
fn key_introspection_shows_safe_metadata_only_on_sqlite() {
    key_introspection_shows_safe_metadata_only(Backend::Embedded);
}

#[test]
fn key_introspection_shows_safe_metadata_only_on_dynamodb() {
    key_introspection_shows_safe_metadata_only(Backend::Aws);
}

#[test]
fn missing_wrong_and_revoked_keys_are_refused() {
    let app = spawn_app();
    let missing = app.send("GET", "/api/v1/key", &[], None);
    assert_eq!((missing.status, missing.code()), (401, "missing_api_key"));
    assert!(
        missing.json["error"]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );

    let mut wrong = app.api_key.clone();
    wrong.pop();
    wrong.push(if app.api_key.ends_with('A') { 'B' } else { 'A' });
    for bad in [wrong.as_str(), "aamu_nope_nope", "not-a-key"] {
        let reply = get_with(&app, bad, None, "/api/v1/key");
        assert_eq!(
            (reply.status, reply.code()),
            (401, "invalid_api_key"),
            "case {bad}"
        );
    }

    let scope = format!("tasks:{}:read", app.project_id);
    let key = key_with(&app, &[scope], &[]);
    assert_eq!(get_with(&app, &key, None, "/api/v1/key").status, 200);
    let key_id = key.split('_').nth(1).unwrap().to_string();
    app.admin(&["key", "revoke", &key_id]);
    let reply = get_with(&app, &key, None, "/api/v1/key");
    assert_eq!((reply.status, reply.code()), (401, "invalid_api_key"));
}

#[test]
fn another_teams_project_is_not_found() {
    let app = spawn_app();
    let other = app.admin(&["bootstrap", "--team", "Team B", "--project", "B project"]);
    let other_project = other["project_id"].as_str().unwrap();
    let reply = get_with(&app, &app.api_key, Some(other_project), "/api/v1/users/");
    assert_eq!((reply.status, reply.code()), (404, "not_found"));
    let other_key = other["api_key"].as_str().unwrap();
    let reply = get_with(&app, other_key, Some(&app.project_id), "/api/v1/users/");
    assert_eq!(reply.status, 404);
}

#[test]
fn a_key_reaching_two_projects_needs_the_project_header() {
    let app = spawn_app();
    let second = app.admin(&[
        "project",
        "create",
        "--team",
        &app.team_id,
        "--name",
        "Second",
    ]);
    let second = second["project"]["id"].as_str().unwrap().to_string();
    let scopes = [
        format!("docs:{}:read", app.project_id),
        format!("docs:{second}:read"),
    ];
    let key = key_with(&app, &scopes, &[]);
    let reply = get_with(&app, &key, None, "/api/v1/users/");
    assert_eq!((reply.status, reply.code()), (400, "project_required"));
    assert_eq!(
        get_with(&app, &key, Some(&second), "/api/v1/users/").status,
        200
    );

    let single = key_with(&app, &[format!("helpdesk:{}:read", app.project_id)], &[]);
    let reply = get_with(&app, &single, None, "/api/v1/users/");
    assert_eq!(
        reply.status, 200,
        "one reachable project needs no header: {}",
        reply.text
    );
}

#[test]
fn a_key_without_read_scope_cannot_list_users() {
    let app = spawn_app();
    let key = key_with(&app, &[format!("tasks:{}:write", app.project_id)], &[]);
    let reply = get_with(&app, &key, Some(&app.project_id), "/api/v1/users/");
    assert_eq!((reply.status, reply.code()), (403, "missing_scope"));
    let webhooks_only = key_with(&app, &[format!("webhooks:{}:read", app.team_id)], &[]);
    let reply = get_with(
        &app,
        &webhooks_only,
        Some(&app.project_id),
        "/api/v1/users/",
    );
    assert_eq!(
        reply.status, 404,
        "a project the key cannot reach is not confirmed"
    );
}

#[test]
fn users_are_listed_filtered_and_found_by_username_or_id() {
    let app = spawn_app();
    let added = app.admin(&[
        "user",
        "add",
        "--project",
        &app.project_id,
        "--username",
        "badding",
        "--name",
        "Badding",
        "--email",
        "badding@example.com",
    ]);
    let id = added["user"]["id"].as_str().unwrap().to_string();

    let all = app.get("/api/v1/users/");
    assert_eq!(all.status, 200);
    let names: Vec<&str> = all.json["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"badding") && names.contains(&"ai") && names.contains(&"owner"),
        "{names:?}"
    );

    let filtered = app.get("/api/v1/users/?username=badding");
    assert_eq!(filtered.json["users"].as_array().unwrap().len(), 1);
    assert_eq!(filtered.json["users"][0]["id"], json!(id));

    for path in [
        "/api/v1/users/badding".to_string(),
        format!("/api/v1/users/{id}"),
    ] {
        let one = app.get(&path);
        assert_eq!(one.status, 200, "{path}");
        assert_eq!(
            one.json,
            json!({"user": {"id": id, "username": "badding", "name": "Badding", "email": "badding@example.com"}})
        );
    }
    assert_eq!(app.get("/api/v1/users/nobody").status, 404);

    let page = app.get("/api/v1/users/?limit=2");
    assert_eq!(page.json["users"].as_array().unwrap().len(), 2);
    let cursor = page.json["next_cursor"]
        .as_str()
        .expect("a second page exists")
        .to_string();
    let rest = app.get(&format!("/api/v1/users/?limit=2&cursor={cursor}"));
    assert_eq!(rest.json["users"].as_array().unwrap().len(), 1);
    let bad = app.get("/api/v1/users/?limit=500");
    assert_eq!((bad.status, bad.code()), (400, "validation_failed"));
    assert!(
        bad.json["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("limit")
    );
}

#[test]
fn an_unknown_actor_is_refused_naming_the_header() {
    let app = spawn_app();
    let headers = [
        ("x-api-key", app.api_key.as_str()),
        ("x-project-id", app.project_id.as_str()),
        ("x-aamu-actor", "stranger"),
    ];
    let reply = app.send("GET", "/api/v1/users/", &headers, None);
    assert_eq!(reply.status, 400);
    assert!(
        reply.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("x-aamu-actor"),
        "{}",
        reply.text
    );
    let ok = [("x-api-key", app.api_key.as_str()), ("x-aamu-actor", "ai")];
    assert_eq!(app.send("GET", "/api/v1/users/", &ok, None).status, 200);
}

#[test]
fn the_openapi_document_is_served_at_both_paths() {
    let app = spawn_app();
    for path in ["/.well-known/openapi.json", "/api/openapi.json"] {
        let reply = app.send("GET", path, &[], None);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.json["openapi"], json!("3.1.0"));
        assert!(reply.json["paths"]["/api/v1/key"].is_object());
    }
    let plugin = app.send("GET", "/.well-known/ai-plugin.json", &[], None);
    assert_eq!(
        plugin.json["api"]["url"],
        json!("/.well-known/openapi.json")
    );
}
