//! Lambda function `public`: OpenAPI and plugin documents and the editor's file links,
//! which redirect to signed downloads (and, as they land, public forms and legacy
//! table submit).

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        "public",
        Needs {
            blobs: true,
            ..Needs::STORE
        },
    )
    .await
}
