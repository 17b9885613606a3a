//! Lambda function `public`: OpenAPI and plugin documents (and, as they land, public
//! forms and file links) and the legacy table submit, which writes rows and their events.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        "public",
        Needs {
            events: true,
            ..Needs::STORE
        },
    )
    .await
}
