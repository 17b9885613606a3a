//! Lambda function `public`: OpenAPI and plugin documents, the editor's file links
//! (redirects to signed downloads) and the legacy table submit, which writes rows and
//! their events.

use aamu::app::{self, Needs};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        aamu::http::public_routes(),
        Needs {
            blobs: Some(app::s3_blobs),
            events: Some(app::eventbridge_events),
            ..Needs::AWS_STORE
        },
    )
    .await
}
