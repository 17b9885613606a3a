//! Lambda function `docs`: the Docs API.

use aamu::app::{self, Needs};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        aamu::http::docs::router(),
        Needs {
            blobs: Some(app::s3_blobs),
            ..Needs::AWS_STORE
        },
    )
    .await
}
