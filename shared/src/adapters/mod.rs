//! Adapters: one implementation of each port for the embedded store and one for AWS.

pub mod aws;
pub mod dynamodb;
pub mod eventbridge;
pub mod in_process;
pub mod local_files;
pub mod outbox_mail;
pub mod s3;
pub mod sesv2;
pub mod sqlite;
