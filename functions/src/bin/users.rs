//! Lambda function `users`: the Users API.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run("users", Needs::STORE).await
}
