//! Bootstrapping a team: a project, its `owner` and `ai` users, and one key that
//! carries every project feature on that project plus the team-level features.

use serde::Serialize;

use crate::auth::api_keys::{self, NewKey};
use crate::auth::scopes::{Feature, Permission, Scope};
use crate::domain::tenancy::{self, EmailAddress, Username};
use crate::error::Result;
use crate::ports::{Clock, ItemStore};

/// What `aamu admin bootstrap --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Bootstrapped {
    pub team_id: String,
    pub project_id: String,
    pub owner_id: String,
    pub ai_user_id: String,
    /// The full key, shown once.
    pub api_key: String,
}

/// Every scope for one project (read, write, comment) and the team-level features.
pub fn full_scopes(team_id: &str, project_id: &str) -> Vec<Scope> {
    let all = vec![Permission::Read, Permission::Write, Permission::Comment];
    Feature::ALL
        .into_iter()
        .map(|feature| Scope {
            feature,
            resource_id: if feature.is_team_level() {
                team_id
            } else {
                project_id
            }
            .into(),
            permissions: all.clone(),
        })
        .collect()
}

/// Creates the team, project, users and key.
pub async fn bootstrap(
    store: &dyn ItemStore,
    clock: &dyn Clock,
    team_name: &str,
    project_name: &str,
) -> Result<Bootstrapped> {
    let team = tenancy::create_team(store, clock, team_name).await?;
    let project = tenancy::create_project(store, clock, &team.id, project_name).await?;
    let owner = tenancy::add_member(
        store,
        clock,
        &team.id,
        &project.id,
        &Username::parse("username", "owner")?,
        "Owner",
        &EmailAddress::parse("email", "owner@example.com")?,
    )
    .await?;
    let ai = tenancy::add_member(
        store,
        clock,
        &team.id,
        &project.id,
        &Username::parse("username", "ai")?,
        "Aamu AI",
        &EmailAddress::parse("email", "ai@example.com")?,
    )
    .await?;
    tenancy::set_owner(store, &project, &owner.id).await?;
    let (_, api_key) = api_keys::create(
        store,
        clock,
        NewKey {
            team_id: &team.id,
            name: "Bootstrap key",
            scopes: full_scopes(&team.id, &project.id),
            expires_in_days: None,
            created_by: Some(owner.id.clone()),
        },
    )
    .await?;
    Ok(Bootstrapped {
        team_id: team.id,
        project_id: project.id,
        owner_id: owner.id,
        ai_user_id: ai.id,
        api_key,
    })
}

/// The store-wide record that says the demo team was created.
fn demo_marker() -> crate::ports::Key {
    crate::ports::Key::new("INSTANCE", "DEMO")
}

/// On a store that has never been bootstrapped, creates the demo team and answers it
/// (with the key, to print once); otherwise answers `None`.
pub async fn ensure_demo(store: &dyn ItemStore, clock: &dyn Clock) -> Result<Option<Bootstrapped>> {
    use crate::ports::{Cond, Table};

    if store.get(Table::Items, &demo_marker()).await?.is_some() {
        return Ok(None);
    }
    let demo = bootstrap(store, clock, "Demo team", "Demo project").await?;
    let key = demo_marker();
    let marker = crate::domain::record::to_item(
        key.pk,
        key.sk,
        &serde_json::json!({ "team_id": demo.team_id, "created": clock.now_ms() }),
    );
    store.put(Table::Items, marker, &[Cond::NotExists]).await?;
    Ok(Some(demo))
}
