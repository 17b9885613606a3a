//! Lambda function `public`: OpenAPI and plugin documents, the editor's file links
//! (redirects to signed downloads) and the legacy table submit, which writes rows and
//! their events.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        "public",
        Needs {
            blobs: true,
            events: true,
            ..Needs::STORE
        },
    )
    .await
}
