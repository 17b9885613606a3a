//! Lambda function `users`: the Users API.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(aamu::http::users::router(), Needs::AWS_STORE).await
}
