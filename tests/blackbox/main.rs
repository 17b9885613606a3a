//! Black-box tests: the real `aamu serve` binary over real sockets, on the embedded
//! store and on DynamoDB and S3 in the moto emulator.

mod common;
mod databases;
mod docs_meetings;
mod durability;
mod files;
mod keys_and_users;
mod tasks;
