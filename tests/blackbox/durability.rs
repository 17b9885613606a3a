//! Durability: `aamu serve` killed with SIGKILL while it takes writes loses none that it
//! acknowledged, and serves them all after a restart.

use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::common::spawn_app;

#[test]
fn a_killed_server_keeps_every_acknowledged_write() {
    let app = spawn_app();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (base, key, project) = (
                app.base.clone(),
                app.api_key.clone(),
                app.project_id.clone(),
            );
            let acknowledged = acknowledged.clone();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(std::time::Duration::from_secs(5)))
                    .build()
                    .into();
                for i in 0.. {
                    let body = json!({ "title": format!("writer {w} task {i}") }).to_string();
                    let sent = agent
                        .post(format!("{base}/api/v1/tasks/"))
                        .header("x-api-key", &key)
                        .header("x-project-id", &project)
                        .header("content-type", "application/json")
                        .send(body);
                    // The server died: stop writing. Only answered writes count.
                    let Ok(mut response) = sent else { break };
                    if response.status() != 201 && response.status() != 200 {
                        break;
                    }
                    let text = response.body_mut().read_to_string().unwrap_or_default();
                    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    if let Some(id) = value["task"]["id"].as_str() {
                        acknowledged.lock().unwrap().push(id.to_string());
                    }
                }
            })
        })
        .collect();

    // Let the writers run, then kill the server in the middle of their writes.
    while acknowledged.lock().unwrap().len() < 200 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let app = app.kill_and_restart();
    for writer in writers {
        writer.join().unwrap();
    }

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 200);
    for id in &acknowledged {
        let reply = app.get(&format!("/api/v1/tasks/{id}"));
        assert_eq!(
            reply.status, 200,
            "acknowledged task {id} was lost by SIGKILL"
        );
    }
}
