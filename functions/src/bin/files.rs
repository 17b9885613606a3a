//! Lambda function `files`: the Files API (prepare, complete, metadata).

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        "files",
        Needs {
            blobs: true,
            ..Needs::STORE
        },
    )
    .await
}
