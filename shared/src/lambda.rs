//! Running a route group on AWS Lambda behind an API Gateway HTTP API.

use axum::Router;

use crate::app::{App, Needs};
use crate::config::Config;

/// Reads configuration, builds the ports `needs` names once, and serves `routes` until
/// the Lambda runtime stops the process. Taking the router itself (not a group name)
/// keeps every other route group out of the function's binary.
pub async fn run(routes: Router<App>, needs: Needs) -> Result<(), lambda_http::Error> {
    let config = Config::from_env()?;
    crate::telemetry::init(config.log_format);
    let app = App::build(config, needs).await?;
    lambda_http::run(crate::http::finish(routes, app)).await
}
