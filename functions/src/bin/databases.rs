//! Lambda function `databases`: the Database REST API (schema and activity). It writes
//! no events, so it builds the item store only.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(aamu::http::databases::router(), Needs::AWS_STORE).await
}
