//! DynamoDB expressions built with placeholders: every attribute name goes through
//! `#n<i>` and every value through `:v<i>`, so reserved words (`status`, `name`),
//! dots and dashes in attribute names are safe.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;

use super::value::{AttrMap, to_attr};
use crate::ports::{Cond, Item, Query, SkRange};

/// The names and values one request's expressions refer to.
#[derive(Debug, Default)]
pub(super) struct Expr {
    names: HashMap<String, String>,
    values: AttrMap,
}

impl Expr {
    /// The placeholder of an attribute name; the same name always gets the same one.
    pub(super) fn name(&mut self, name: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, n)| *n == name) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_owned());
        placeholder
    }

    /// The placeholder of a value.
    pub(super) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// `ExpressionAttributeNames`, when any name was used.
    pub(super) fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    /// `ExpressionAttributeValues`, when any value was used.
    pub(super) fn values(&self) -> Option<AttrMap> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }

    /// The condition expression requiring every condition, or `None` for none.
    pub(super) fn conditions(&mut self, conds: &[Cond]) -> Option<String> {
        let parts: Vec<String> = conds.iter().map(|c| self.condition(c)).collect();
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }

    /// The conditions plus "the item exists", as an update of an existing item needs
    /// (DynamoDB's UpdateItem would otherwise create it).
    pub(super) fn existing_and(&mut self, conds: &[Cond]) -> String {
        let exists = self.condition(&Cond::Exists);
        match self.conditions(conds) {
            Some(rest) => format!("{exists} AND {rest}"),
            None => exists,
        }
    }

    /// A condition that always holds, for a check that must name one.
    pub(super) fn always(&mut self) -> String {
        let pk = self.name("pk");
        format!("(attribute_exists({pk}) OR attribute_not_exists({pk}))")
    }

    fn condition(&mut self, cond: &Cond) -> String {
        match cond {
            Cond::Exists => format!("attribute_exists({})", self.name("pk")),
            Cond::NotExists => format!("attribute_not_exists({})", self.name("pk")),
            // DynamoDB cannot compare with NULL; a stored null has type NULL.
            Cond::Equals(attr, Value::Null) => {
                format!("attribute_type({}, {})", self.name(attr), self.null_type())
            }
            Cond::Equals(attr, value) => {
                format!("{} = {}", self.name(attr), self.value(to_attr(value)))
            }
            Cond::Missing(attr) => {
                let name = self.name(attr);
                let null = self.null_type();
                format!("(attribute_not_exists({name}) OR attribute_type({name}, {null}))")
            }
        }
    }

    fn null_type(&mut self) -> String {
        self.value(AttributeValue::S("NULL".into()))
    }

    /// The `SET ... REMOVE ...` expression of an update; a null value removes the
    /// attribute. `None` when `set` is empty.
    pub(super) fn update(&mut self, set: &Item) -> Option<String> {
        let (mut assigns, mut removes) = (Vec::new(), Vec::new());
        for (name, value) in set {
            let name = self.name(name);
            if value.is_null() {
                removes.push(name);
            } else {
                assigns.push(format!("{name} = {}", self.value(to_attr(value))));
            }
        }
        let mut clauses = Vec::new();
        if !assigns.is_empty() {
            clauses.push(format!("SET {}", assigns.join(", ")));
        }
        if !removes.is_empty() {
            clauses.push(format!("REMOVE {}", removes.join(", ")));
        }
        (!clauses.is_empty()).then(|| clauses.join(" "))
    }

    /// The key condition of a query, on the table's or the `gsi1` index's keys.
    pub(super) fn key_condition(&mut self, query: &Query) -> String {
        let (pk, sk) = if query.index {
            ("gsi1pk", "gsi1sk")
        } else {
            ("pk", "sk")
        };
        let partition = format!("{} = {}", self.name(pk), self.string(&query.pk));
        let range = match &query.sk {
            SkRange::All => return partition,
            // DynamoDB refuses an empty key value; every key begins with "".
            SkRange::BeginsWith(prefix) if prefix.is_empty() => return partition,
            SkRange::BeginsWith(prefix) => {
                format!("begins_with({}, {})", self.name(sk), self.string(prefix))
            }
            SkRange::Between(low, high) => {
                let name = self.name(sk);
                format!(
                    "{name} BETWEEN {} AND {}",
                    self.string(low),
                    self.string(high)
                )
            }
            SkRange::After(bound) => format!("{} > {}", self.name(sk), self.string(bound)),
            SkRange::Before(bound) => format!("{} < {}", self.name(sk), self.string(bound)),
        };
        format!("{partition} AND {range}")
    }

    fn string(&mut self, text: &str) -> String {
        self.value(AttributeValue::S(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::Table;
    use serde_json::json;

    #[test]
    fn conditions_use_placeholders_and_reuse_names() {
        let mut expr = Expr::default();
        let conds = [
            Cond::version(3),
            Cond::Missing("status".into()),
            Cond::Exists,
        ];
        let text = expr.conditions(&conds).expect("three conditions");
        assert_eq!(
            text,
            "#n0 = :v0 AND (attribute_not_exists(#n1) OR attribute_type(#n1, :v1)) \
             AND attribute_exists(#n2)"
        );
        let names = expr.names().expect("names");
        assert_eq!(names["#n1"], "status");
        assert_eq!(
            expr.values().expect("values")[":v0"],
            AttributeValue::N("3".into())
        );
        assert_eq!(Expr::default().conditions(&[]), None);
    }

    #[test]
    fn null_values_become_remove_clauses() {
        let mut expr = Expr::default();
        let set = json!({"a": 1, "b": null, "c.d": "x"});
        let set = set.as_object().expect("an object");
        assert_eq!(
            expr.update(set).as_deref(),
            Some("SET #n0 = :v0, #n2 = :v1 REMOVE #n1")
        );
        assert_eq!(expr.names().expect("names")["#n2"], "c.d");
    }

    #[test]
    fn key_conditions_cover_every_range() {
        let query = |sk| Query::partition(Table::Items, "p").on_index().range(sk);
        let cases = [
            (SkRange::All, "#n0 = :v0"),
            (SkRange::BeginsWith(String::new()), "#n0 = :v0"),
            (
                SkRange::BeginsWith("a".into()),
                "#n0 = :v0 AND begins_with(#n1, :v1)",
            ),
            (
                SkRange::Between("a".into(), "b".into()),
                "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2",
            ),
            (SkRange::After("a".into()), "#n0 = :v0 AND #n1 > :v1"),
            (SkRange::Before("a".into()), "#n0 = :v0 AND #n1 < :v1"),
        ];
        for (range, expected) in cases {
            let mut expr = Expr::default();
            assert_eq!(expr.key_condition(&query(range)), expected);
            assert_eq!(expr.names().expect("names")["#n0"], "gsi1pk");
        }
    }
}
