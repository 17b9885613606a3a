//! Conversion between JSON items and DynamoDB attribute values, done only at the
//! adapter boundary: strings are `S`, numbers `N`, booleans `BOOL`, null `NULL`,
//! arrays `L` and objects `M`.
//!
//! DynamoDB keeps numbers as decimal text. On the way back a number without a
//! fraction or exponent becomes a JSON integer and any other a float; DynamoDB
//! normalises `2.0` to `2`, so a whole float comes back as an integer.

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Map, Number, Value};

use crate::ports::{Item, Key};

/// Attribute values by name, as DynamoDB items, keys and placeholders are sent.
pub(super) type AttrMap = HashMap<String, AttributeValue>;

/// A JSON value as an attribute value.
pub(super) fn to_attr(value: &Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(items) => AttributeValue::L(items.iter().map(to_attr).collect()),
        Value::Object(map) => AttributeValue::M(to_attrs(map)),
    }
}

/// A JSON object (an item, or a nested map) as attribute values.
pub(super) fn to_attrs(map: &Map<String, Value>) -> AttrMap {
    map.iter()
        .map(|(name, value)| (name.clone(), to_attr(value)))
        .collect()
}

/// The primary key attributes of `key`.
pub(super) fn key_attrs(key: &Key) -> AttrMap {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(key.pk.clone())),
        ("sk".to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

/// An attribute value read from DynamoDB as JSON. String and number sets, which this
/// adapter never writes, become arrays; binary values are refused.
pub(super) fn from_attr(attr: &AttributeValue) -> anyhow::Result<Value> {
    Ok(match attr {
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(n) => Value::Number(parse_number(n)?),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::L(items) => {
            Value::Array(items.iter().map(from_attr).collect::<anyhow::Result<_>>()?)
        }
        AttributeValue::M(map) => Value::Object(from_attrs(map)?),
        AttributeValue::Ss(items) => items.iter().map(|s| Value::String(s.clone())).collect(),
        AttributeValue::Ns(items) => items
            .iter()
            .map(|n| parse_number(n).map(Value::Number))
            .collect::<anyhow::Result<_>>()?,
        AttributeValue::B(_) | AttributeValue::Bs(_) => {
            bail!("binary attributes are not supported")
        }
        _ => bail!("unknown attribute value type"),
    })
}

/// Attribute values read from DynamoDB as a JSON object.
pub(super) fn from_attrs(map: &AttrMap) -> anyhow::Result<Item> {
    map.iter()
        .map(|(name, attr)| {
            let value = from_attr(attr).with_context(|| format!("attribute `{name}`"))?;
            Ok((name.clone(), value))
        })
        .collect()
}

/// A DynamoDB number: an integer when written without fraction or exponent and it fits
/// 64 bits, else a float.
fn parse_number(text: &str) -> anyhow::Result<Number> {
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(n) = text.parse::<i64>() {
            return Ok(n.into());
        }
        if let Ok(n) = text.parse::<u64>() {
            return Ok(n.into());
        }
    }
    let float: f64 = text
        .parse()
        .with_context(|| format!("invalid number `{text}`"))?;
    Number::from_f64(float).ok_or_else(|| anyhow!("number `{text}` is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(value: Value) -> Value {
        from_attr(&to_attr(&value)).expect("a value written by to_attr reads back")
    }

    #[test]
    fn every_json_type_survives_the_round_trip() {
        let value = json!({
            "s": "text", "empty": "", "int": -42, "big": u64::MAX, "float": 2.5,
            "small": -1.25e-3, "yes": true, "nothing": null,
            "list": [1, "two", [3.5], {"four": 4}], "map": {"nested": {"deep": [null]}}
        });
        assert_eq!(round_trip(value.clone()), value);
    }

    #[test]
    fn integers_and_floats_keep_their_kind() {
        assert!(round_trip(json!(7)).is_i64());
        assert!(round_trip(json!(7.25)).is_f64());
        assert_eq!(parse_number("1E+3").ok(), Number::from_f64(1000.0));
    }

    #[test]
    fn sets_read_as_arrays_and_binary_is_refused() {
        let set = AttributeValue::Ss(vec!["a".into(), "b".into()]);
        assert_eq!(from_attr(&set).ok(), Some(json!(["a", "b"])));
        let blob = AttributeValue::B(vec![1u8, 2].into());
        assert!(from_attr(&blob).is_err());
    }

    #[test]
    fn malformed_numbers_are_errors() {
        assert!(parse_number("12abc").is_err());
        assert!(from_attr(&AttributeValue::N("".into())).is_err());
    }
}
