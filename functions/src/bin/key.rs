//! Lambda function `key`: `GET /api/v1/key`.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(aamu::http::key::router(), Needs::AWS_STORE).await
}
