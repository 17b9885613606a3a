//! The shared AWS SDK configuration every AWS adapter is built from.

use aws_config::{BehaviorVersion, Region, SdkConfig};

/// Loads the SDK configuration for `region` with the default credential chain
/// (environment, profile, web identity, container and instance roles).
///
/// `endpoint` replaces the AWS endpoint of every service, as the moto emulator needs.
pub async fn sdk_config(region: &str, endpoint: Option<&str>) -> SdkConfig {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).region(Region::new(region.to_owned()));
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}
