//! The black-box harness: starts the real `aamu serve` binary on a free loopback port
#![allow(dead_code)] // Each test module uses its own part of the harness.
//! with a fresh store, and speaks to it over HTTP as an integration would.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Which adapters the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file, local blob directory, outbox mail: the embedded default.
    Embedded,
    /// DynamoDB and S3 on the moto emulator (`AAMU_TEST_AWS_ENDPOINT`).
    Aws,
}

/// A running server and the demo team it created on first start.
pub struct App {
    pub base: String,
    pub api_key: String,
    pub team_id: String,
    pub project_id: String,
    pub data_dir: tempfile::TempDir,
    pub backend: Backend,
    env: Vec<(String, String)>,
    child: Child,
    agent: ureq::Agent,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The moto endpoint; tests that need it fail loudly without it.
pub fn moto_endpoint() -> String {
    std::env::var("AAMU_TEST_AWS_ENDPOINT").expect(
        "AAMU_TEST_AWS_ENDPOINT is not set: run the suite with scripts/test, which starts the moto emulator",
    )
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// The environment for a backend, besides the data directory.
fn backend_env(backend: Backend) -> Vec<(String, String)> {
    match backend {
        Backend::Embedded => vec![],
        Backend::Aws => {
            let endpoint = moto_endpoint();
            vec![
                ("AAMU_STORE".into(), "dynamodb".into()),
                ("AAMU_ITEMS_TABLE".into(), unique("items")),
                ("AAMU_ROWS_TABLE".into(), unique("rows")),
                ("AAMU_BLOBS".into(), "s3".into()),
                ("AAMU_BUCKET".into(), unique("files").to_lowercase()),
                ("AAMU_AWS_ENDPOINT".into(), endpoint),
                ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
                ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
                ("AWS_REGION".into(), "us-east-1".into()),
            ]
        }
    }
}

/// Runs `aamu` with arguments in the server's environment; answers stdout.
pub fn aamu(env: &[(String, String)], args: &[&str]) -> Result<String, String> {
    let output = Command::new(env!("CARGO_BIN_EXE_aamu"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Starts a fresh server on the embedded store.
pub fn spawn_app() -> App {
    spawn_app_on(Backend::Embedded)
}

/// Starts a fresh server on the given backend.
pub fn spawn_app_on(backend: Backend) -> App {
    let data_dir = tempfile::tempdir().expect("a temporary directory can be made");
    let mut env = backend_env(backend);
    env.push((
        "AAMU_DATA_DIR".into(),
        data_dir.path().display().to_string(),
    ));
    if backend == Backend::Aws {
        aamu(&env, &["admin", "store", "init"]).expect("creating tables and bucket in moto");
    }
    start(data_dir, env, backend)
}

/// The server's log (stderr), appended across restarts.
fn log_file(dir: &std::path::Path) -> Stdio {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .expect("the log file can be opened");
    Stdio::from(file)
}

fn start(data_dir: tempfile::TempDir, env: Vec<(String, String)>, backend: Backend) -> App {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aamu"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(log_file(data_dir.path()))
        .spawn()
        .expect("the aamu binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let (mut api_key, mut team_id, mut project_id, mut base) = (None, None, None, None);
    let deadline = Instant::now() + Duration::from_secs(30);
    while base.is_none() && Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        let value = |prefix: &str| {
            line.trim()
                .strip_prefix(prefix)
                .map(|v| v.trim().to_string())
        };
        api_key = api_key.or_else(|| value("api_key:"));
        team_id = team_id.or_else(|| value("team_id:"));
        project_id = project_id.or_else(|| value("project_id:"));
        if let Some(rest) = line.strip_prefix("aamu serve listening on ") {
            base = rest.split_whitespace().next().map(str::to_string);
        }
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    App {
        base: base.expect("the server printed its address"),
        api_key: api_key.unwrap_or_default(),
        team_id: team_id.unwrap_or_default(),
        project_id: project_id.unwrap_or_default(),
        data_dir,
        backend,
        env,
        child,
        agent,
    }
}

/// A response: status and parsed JSON body (null when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or_default()
    }
}

impl App {
    /// The environment the server runs with, for `aamu admin` calls on its store.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("server.log")).unwrap_or_default()
    }

    /// Runs `aamu admin ...` on this server's store and parses its JSON.
    pub fn admin(&self, args: &[&str]) -> Value {
        let mut all = vec!["admin"];
        all.extend_from_slice(args);
        all.push("--json");
        let out = aamu(&self.env, &all).unwrap_or_else(|e| panic!("aamu {all:?} failed: {e}"));
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("aamu {all:?} printed non-JSON ({e}): {out}"))
    }

    /// Kills the server at once (SIGKILL) and starts it again on the same store.
    pub fn kill_and_restart(self) -> App {
        let mut this = self;
        this.child.kill().expect("the server can be killed");
        this.child.wait().expect("the killed server is reaped");
        let (api_key, team_id, project_id) = (
            this.api_key.clone(),
            this.team_id.clone(),
            this.project_id.clone(),
        );
        let data_dir = tempfile::tempdir().expect("a placeholder directory");
        let data_dir = std::mem::replace(&mut this.data_dir, data_dir);
        let env = std::mem::take(&mut this.env);
        let mut restarted = start(data_dir, env, this.backend);
        restarted.api_key = api_key;
        restarted.team_id = team_id;
        restarted.project_id = project_id;
        restarted
    }

    /// Sends a request with headers and an optional body (JSON when `body` is JSON).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = http::Request::builder().method(method).uri(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if body.is_some()
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(body.unwrap_or_default().to_string())
            .expect("a valid request");
        let mut response = self
            .agent
            .run(request)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    /// A request with this app's key (and project, when `with_project`).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let body = body.map(Value::to_string);
        let headers = [
            ("x-api-key", self.api_key.as_str()),
            ("x-project-id", self.project_id.as_str()),
        ];
        self.send(method, path, &headers, body.as_deref())
    }

    pub fn get(&self, path: &str) -> Reply {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.call("POST", path, Some(body))
    }

    pub fn patch(&self, path: &str, body: &Value) -> Reply {
        self.call("PATCH", path, Some(body))
    }
}
