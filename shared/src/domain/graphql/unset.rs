//! Arguments bound to variables the request left out. GraphQL treats such an argument
//! as not given, but the executor hands resolvers a null for it, which an update would
//! read as "clear this cell". The request's own document tells them apart, so root
//! fields (where every row write happens) are checked here before execution.

use std::collections::HashSet;

use async_graphql::Name;
use async_graphql::Variables;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::parser::{Positioned, parse_query};
use async_graphql_value::Value;

/// The arguments left unset, as `"<response key>.<argument>"`, or
/// `"<response key>.<argument>.<field>"` for a field of an input object literal.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Unset(pub HashSet<String>);

impl Unset {
    /// Finds them in the operation the request runs.
    pub fn of(query: &str, operation_name: Option<&str>, variables: &Variables) -> Unset {
        let Ok(document) = parse_query(query) else {
            return Unset::default();
        };
        let Some(operation) = operation(&document, operation_name) else {
            return Unset::default();
        };
        let absent: HashSet<&Name> = operation
            .variable_definitions
            .iter()
            .map(|v| &v.node)
            .filter(|v| v.default_value.is_none() && !variables.contains_key(&v.name.node))
            .map(|v| &v.name.node)
            .collect();
        let mut unset = HashSet::new();
        if !absent.is_empty() {
            collect(&document, &operation.selection_set, &absent, &mut unset, 0);
        }
        Unset(unset)
    }

    /// Whether the argument (or input field) at `path` of the root field `key` is unset.
    pub fn contains(&self, key: &str, path: &str) -> bool {
        self.0.contains(&format!("{key}.{path}"))
    }
}

fn operation<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| &op.node),
    }
}

fn collect(
    document: &ExecutableDocument,
    selection: &Positioned<SelectionSet>,
    absent: &HashSet<&Name>,
    unset: &mut HashSet<String>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    for item in &selection.node.items {
        match &item.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.as_str();
                for (name, value) in &field.node.arguments {
                    let path = format!("{key}.{}", name.node);
                    mark(&path, &value.node, absent, unset);
                }
            }
            Selection::InlineFragment(fragment) => collect(
                document,
                &fragment.node.selection_set,
                absent,
                unset,
                depth + 1,
            ),
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect(
                        document,
                        &fragment.node.selection_set,
                        absent,
                        unset,
                        depth + 1,
                    );
                }
            }
        }
    }
}

fn mark(path: &str, value: &Value, absent: &HashSet<&Name>, unset: &mut HashSet<String>) {
    match value {
        Value::Variable(name) if absent.contains(name) => {
            unset.insert(path.to_string());
        }
        Value::Object(fields) => {
            for (name, value) in fields {
                if let Value::Variable(var) = value
                    && absent.contains(var)
                {
                    unset.insert(format!("{path}.{name}"));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_out_variables_are_found_by_field_and_argument() {
        let query = "mutation U($id: ID!, $a: String, $b: String = \"x\", $c: String) { \
                     done: updateT(id: $id, a: $a, b: $b) { id } createT(input: { c: $c }) { id } }";
        let variables = Variables::from_json(serde_json::json!({ "id": "1" }));
        let unset = Unset::of(query, None, &variables);
        assert!(unset.contains("done", "a"));
        assert!(!unset.contains("done", "b"), "a default counts as given");
        assert!(!unset.contains("done", "id"));
        assert!(unset.contains("createT", "input.c"));
    }
}
