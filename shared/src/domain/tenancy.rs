//! Teams, projects, users and project membership.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::keys::{project_pk, team_pk};
use crate::domain::record::{from_item, object, to_item};
use crate::error::{Error, Result};
use crate::ids;
use crate::ports::{Clock, Cond, Item, ItemStore, Key, Query, SkRange, Table, WriteOp};

/// A team: the tenant that owns projects, users and API keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub created: i64,
}

/// A project inside a team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub team_id: String,
    pub name: String,
    /// The member writes fall back to when there is no `ai` member.
    pub owner_id: Option<String>,
    pub created: i64,
}

/// A user as the Users API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub name: String,
    pub email: String,
}

/// A validated username: 1 to 64 characters of letters, digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &str, value: &str) -> Result<Username> {
        let ok = (1..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !ok {
            return Err(Error::invalid(
                field,
                "must be 1-64 letters, digits, '.', '_' or '-'",
            ));
        }
        Ok(Username(value.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A syntactically valid email address (one `@`, a dotted domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(field: &str, value: &str) -> Result<EmailAddress> {
        let value = value.trim();
        let valid = value.len() <= 254
            && !value.contains(char::is_whitespace)
            && !value.contains(['<', '>', ',', ';', '"'])
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if !valid {
            return Err(Error::invalid(
                field,
                format!("{value:?} is not an email address"),
            ));
        }
        Ok(EmailAddress(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn member_sk(user_id: &str) -> String {
    format!("M#{user_id}")
}

fn username_sk(username: &str) -> String {
    format!("UN#{username}")
}

/// Creates a team.
pub async fn create_team(store: &dyn ItemStore, clock: &dyn Clock, name: &str) -> Result<Team> {
    let name = required_name("team", name)?;
    let now = clock.now_ms();
    let team = Team {
        id: ids::new_id(now),
        name,
        created: now,
    };
    store
        .put(
            Table::Items,
            to_item(team_pk(&team.id), "TEAM".into(), &team),
            &[Cond::NotExists],
        )
        .await?;
    Ok(team)
}

pub async fn get_team(store: &dyn ItemStore, team_id: &str) -> Result<Option<Team>> {
    let item = store
        .get(Table::Items, &Key::new(team_pk(team_id), "TEAM"))
        .await?;
    item.map(from_item).transpose()
}

fn required_name(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 200 {
        return Err(Error::invalid(field, "must be 1 to 200 characters"));
    }
    Ok(value.to_string())
}

/// Creates a project in an existing team.
pub async fn create_project(
    store: &dyn ItemStore,
    clock: &dyn Clock,
    team_id: &str,
    name: &str,
) -> Result<Project> {
    let name = required_name("name", name)?;
    if get_team(store, team_id).await?.is_none() {
        return Err(Error::NotFound("team"));
    }
    let now = clock.now_ms();
    let project = Project {
        id: ids::new_id(now),
        team_id: team_id.into(),
        name,
        owner_id: None,
        created: now,
    };
    let mut item = to_item(team_pk(team_id), format!("P#{}", project.id), &project);
    item.insert("gsi1pk".into(), project_index(&project.id).into());
    item.insert("gsi1sk".into(), "PROJECT".into());
    store.put(Table::Items, item, &[Cond::NotExists]).await?;
    Ok(project)
}

fn project_index(project_id: &str) -> String {
    format!("PROJECT#{project_id}")
}

/// The team of a project known only by id. For operators' commands: requests always
/// know their team from the key.
pub async fn team_of_project(store: &dyn ItemStore, project_id: &str) -> Result<Option<String>> {
    let query = Query::partition(Table::Items, project_index(project_id))
        .on_index()
        .limit(1);
    let page = store.query(&query).await?;
    let project = page
        .items
        .into_iter()
        .next()
        .map(from_item::<Project>)
        .transpose()?;
    Ok(project.map(|p| p.team_id))
}

pub async fn get_project(
    store: &dyn ItemStore,
    team_id: &str,
    project_id: &str,
) -> Result<Option<Project>> {
    let item = store
        .get(
            Table::Items,
            &Key::new(team_pk(team_id), format!("P#{project_id}")),
        )
        .await?;
    item.map(from_item).transpose()
}

/// Makes a member the project's owner (the last fallback actor).
pub async fn set_owner(store: &dyn ItemStore, project: &Project, user_id: &str) -> Result<Project> {
    let key = Key::new(team_pk(&project.team_id), format!("P#{}", project.id));
    let set = object(json!({ "owner_id": user_id }));
    let item = store
        .update(Table::Items, &key, set, &[Cond::Exists])
        .await?;
    from_item(item)
}

/// Adds a user to a project. A username new to the team creates the user; a known one
/// adds that user (whose name and email must then match) as a member.
pub async fn add_member(
    store: &dyn ItemStore,
    clock: &dyn Clock,
    team_id: &str,
    project_id: &str,
    username: &Username,
    name: &str,
    email: &EmailAddress,
) -> Result<User> {
    if get_project(store, team_id, project_id).await?.is_none() {
        return Err(Error::NotFound("project"));
    }
    let name = required_name("name", name)?;
    let existing = find_user_in_team(store, team_id, username.as_str()).await?;
    let mut ops = Vec::new();
    let user = match existing {
        Some(user) => user,
        None => {
            let user = User {
                id: ids::new_id(clock.now_ms()),
                username: username.as_str().into(),
                name,
                email: email.as_str().into(),
            };
            ops.push(WriteOp::Put {
                table: Table::Items,
                item: to_item(team_pk(team_id), format!("U#{}", user.id), &user),
                conds: vec![Cond::NotExists],
            });
            ops.push(WriteOp::Put {
                table: Table::Items,
                item: to_item(
                    team_pk(team_id),
                    username_sk(&user.username),
                    &json!({"user_id": user.id}),
                ),
                conds: vec![Cond::NotExists],
            });
            user
        }
    };
    ops.push(WriteOp::Put {
        table: Table::Items,
        item: to_item(project_pk(team_id, project_id), member_sk(&user.id), &user),
        conds: vec![Cond::NotExists],
    });
    store.transact(ops).await.map_err(|_| {
        Error::Conflict(format!(
            "{} is already a member of this project",
            user.username
        ))
    })?;
    Ok(user)
}

/// The team's user with this username, if any.
pub async fn find_user_in_team(
    store: &dyn ItemStore,
    team_id: &str,
    username: &str,
) -> Result<Option<User>> {
    let index = Key::new(
        team_pk(team_id),
        username_sk(&username.to_ascii_lowercase()),
    );
    let Some(entry) = store.get(Table::Items, &index).await? else {
        return Ok(None);
    };
    let Some(user_id) = entry.get("user_id").and_then(Value::as_str) else {
        return Ok(None);
    };
    let user = store
        .get(
            Table::Items,
            &Key::new(team_pk(team_id), format!("U#{user_id}")),
        )
        .await?;
    user.map(from_item).transpose()
}

/// The project member named by username or user id, if any.
pub async fn find_member(
    store: &dyn ItemStore,
    team_id: &str,
    project_id: &str,
    username_or_id: &str,
) -> Result<Option<User>> {
    let member = |user_id: String| Key::new(project_pk(team_id, project_id), member_sk(&user_id));
    if ids::looks_like_id(username_or_id)
        && let Some(item) = store
            .get(Table::Items, &member(username_or_id.into()))
            .await?
    {
        return Ok(Some(from_item(item)?));
    }
    let Some(user) = find_user_in_team(store, team_id, username_or_id).await? else {
        return Ok(None);
    };
    let item = store.get(Table::Items, &member(user.id)).await?;
    item.map(from_item).transpose()
}

/// One page of a project's members, ordered by user id.
pub async fn list_members(
    store: &dyn ItemStore,
    team_id: &str,
    project_id: &str,
    limit: usize,
    start_after: Option<Item>,
) -> Result<(Vec<User>, Option<Item>)> {
    let query = Query::partition(Table::Items, project_pk(team_id, project_id))
        .range(SkRange::BeginsWith("M#".into()))
        .limit(limit)
        .start_after(start_after);
    let page = store.query(&query).await?;
    let users = page
        .items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<User>>>()?;
    Ok((users, page.next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_emails_are_validated() {
        assert!(Username::parse("username", "badding").is_ok());
        assert!(Username::parse("username", "bad ding").is_err());
        assert!(Username::parse("username", "").is_err());
        assert!(EmailAddress::parse("email", "a@example.com").is_ok());
        for bad in [
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@example.com>",
            "plain",
        ] {
            assert!(EmailAddress::parse("email", bad).is_err(), "case {bad}");
        }
    }
}
