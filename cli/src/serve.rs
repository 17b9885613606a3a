//! `aamu serve`: every route group on one server over the embedded store (or whatever
//! the environment configures), with the outbox republisher on a timer.

use std::time::Duration;

use aamu::app::{App, Needs};
use aamu::config::Config;
use aamu::domain::{bootstrap, events};
use anyhow::Context;

use crate::args::Args;

/// How often the local timer republishes events left unsent.
const REPUBLISH_EVERY: Duration = Duration::from_secs(30);

pub async fn run(args: Args) -> anyhow::Result<()> {
    args.only(&["addr", "data-dir"])?;
    let addr = args.get("addr").unwrap_or("127.0.0.1:8787");
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;

    let mut config = Config::from_env()?;
    if let Some(dir) = args.get("data-dir") {
        config.data_dir = dir.into();
    }
    if std::env::var_os("AAMU_PUBLIC_URL").is_none() {
        config.public_url = format!("http://{local}");
    }
    aamu::telemetry::init(config.log_format);
    let app = App::build(config, Needs::ALL).await?;

    if let Some(demo) = bootstrap::ensure_demo(app.store.as_ref(), app.clock.as_ref()).await? {
        println!("Created a demo team on first start. This key has every scope and is shown once:");
        println!("  team_id:    {}", demo.team_id);
        println!("  project_id: {}", demo.project_id);
        println!("  api_key:    {}", demo.api_key);
    }
    tokio::spawn(republish_forever(app.clone()));

    let router = aamu::http::finish(aamu::http::all_groups(), app.clone());
    println!(
        "aamu serve listening on http://{local} (data in {})",
        app.config.data_dir.display()
    );
    tracing::info!(addr = %local, "listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")
}

async fn republish_forever(app: App) {
    let mut timer = tokio::time::interval(REPUBLISH_EVERY);
    loop {
        timer.tick().await;
        let result = events::republish_unsent(
            app.store.as_ref(),
            app.bus.as_ref(),
            app.clock.as_ref(),
            10_000,
        )
        .await;
        if let Err(err) = result {
            tracing::warn!(error = %err, "republishing the outbox failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
