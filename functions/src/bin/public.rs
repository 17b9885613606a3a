//! Lambda function `public`: OpenAPI and plugin documents (and, as they land, public
//! forms, legacy table submit and file links).

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run("public", Needs::STORE).await
}
