//! Running a route group on AWS Lambda behind an API Gateway HTTP API.

use crate::app::{App, Needs};
use crate::config::Config;

/// Reads configuration, builds the ports once, and serves the named route group until
/// the Lambda runtime stops the process.
pub async fn run(group: &str, needs: Needs) -> Result<(), lambda_http::Error> {
    let config = Config::from_env()?;
    crate::telemetry::init(config.log_format);
    let app = App::build(config, needs).await?;
    let routes = crate::http::group(group).ok_or_else(|| format!("unknown route group {group}"))?;
    lambda_http::run(crate::http::finish(routes, app)).await
}
