//! Date inputs: epoch milliseconds or ISO 8601 (RFC 3339) text, as the guide shows.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::{Iso8601, Rfc3339};

use crate::error::{Error, Result};

/// Reads a date field: a whole number of epoch milliseconds or an ISO 8601 timestamp
/// with a time zone (`2026-05-27T09:00:00.000Z`).
pub fn parse_ms(field: &str, value: &Value) -> Result<i64> {
    let bad = || {
        Error::invalid(
            field,
            "must be epoch milliseconds or an ISO 8601 date-time such as 2026-05-27T09:00:00.000Z",
        )
    };
    match value {
        Value::Number(n) => n
            .as_i64()
            .filter(|ms| (0..=253_402_300_799_999).contains(ms))
            .ok_or_else(bad),
        Value::String(s) => {
            let parsed = OffsetDateTime::parse(s, &Rfc3339)
                .or_else(|_| OffsetDateTime::parse(s, &Iso8601::DEFAULT));
            let parsed = parsed.map_err(|_| bad())?;
            Ok((parsed.unix_timestamp_nanos() / 1_000_000) as i64)
        }
        _ => Err(bad()),
    }
}

/// Formats epoch milliseconds as RFC 3339 in UTC.
pub fn to_rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_forms_of_the_guide_parse_to_the_same_instant() {
        assert_eq!(
            parse_ms("start_at", &json!("2026-05-27T09:00:00.000Z")).unwrap(),
            1779872400000
        );
        assert_eq!(
            parse_ms("start_at", &json!(1779872400000i64)).unwrap(),
            1779872400000
        );
        for bad in [
            json!("tomorrow"),
            json!(-5),
            json!(true),
            json!("2026-13-01T00:00:00Z"),
        ] {
            let err = parse_ms("start_at", &bad).unwrap_err();
            assert!(err.to_string().starts_with("start_at"), "case {bad}");
        }
    }
}
