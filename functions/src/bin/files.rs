//! Lambda function `files`: the Files API (prepare, complete, metadata).

use aamu::app::{self, Needs};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        aamu::http::files::router(),
        Needs {
            blobs: Some(app::s3_blobs),
            ..Needs::AWS_STORE
        },
    )
    .await
}
