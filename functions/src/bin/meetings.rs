//! Lambda function `meetings`: the Meetings API.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        "meetings",
        Needs {
            blobs: true,
            ..Needs::STORE
        },
    )
    .await
}
