//! Storage keys. Every partition key starts with the team id, so no request of one team
//! ever reads another's partition.

/// The team's own partition: team, projects, users, API keys, idempotency records.
pub fn team_pk(team_id: &str) -> String {
    format!("T#{team_id}")
}

/// A project's partition: members and the project's items.
pub fn project_pk(team_id: &str, project_id: &str) -> String {
    format!("T#{team_id}#P#{project_id}")
}
