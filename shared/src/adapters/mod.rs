//! Adapters: one implementation of each port for the embedded store and one for AWS.

pub mod aws;
pub mod dynamodb;
pub mod eventbridge;
pub mod s3;
pub mod sesv2;
