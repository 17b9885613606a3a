//! Test support for every crate of the workspace: the conformance suites each adapter
//! of a port must pass, written once and run against the embedded and the AWS ones.

pub mod conformance;

/// A name unique to this run, such as `aamu-test-3f2a9c4be1d07a55`, so runs sharing
/// one emulator or one database never see each other's keys, tables or buckets.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{:016x}", rand::random::<u64>())
}
