//! The project a request acts in and the user it acts as, from the key's scopes and the
//! `x-project-id` and `x-aamu-actor` headers.

use crate::auth::api_keys::ApiKey;
use crate::auth::scopes::{Feature, Permission};
use crate::domain::tenancy::{self, Project, User};
use crate::error::{Error, Result};
use crate::ports::ItemStore;

/// What a route asks of the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// This feature with this permission.
    Scope(Feature, Permission),
    /// Read access to any project feature (the Users API).
    AnyRead,
}

impl Need {
    fn matches(self, feature: Feature) -> bool {
        match self {
            Need::Scope(f, _) => f == feature,
            Need::AnyRead => !feature.is_team_level(),
        }
    }

    fn permission(self) -> Permission {
        match self {
            Need::Scope(_, p) => p,
            Need::AnyRead => Permission::Read,
        }
    }

    fn missing(self) -> Error {
        let (feature, permission) = match self {
            Need::Scope(f, p) => (f.name(), p.name()),
            Need::AnyRead => ("any project", "read"),
        };
        Error::MissingScope {
            feature: feature.into(),
            permission: permission.into(),
        }
    }
}

/// A request's resolved access: the key, its team and the project.
#[derive(Debug, Clone)]
pub struct Access {
    pub key: ApiKey,
    pub project: Project,
}

impl Access {
    pub fn team_id(&self) -> &str {
        &self.key.team_id
    }

    pub fn project_id(&self) -> &str {
        &self.project.id
    }

    /// Whether the key also holds `feature`/`permission` on this project.
    pub fn allows(&self, feature: Feature, permission: Permission) -> bool {
        allowed(
            &self.key,
            &self.project.id,
            Need::Scope(feature, permission),
        )
    }

    /// Fails with `missing_scope` unless the key holds `feature`/`permission` here.
    pub fn require(&self, feature: Feature, permission: Permission) -> Result<()> {
        let need = Need::Scope(feature, permission);
        if allowed(&self.key, &self.project.id, need) {
            Ok(())
        } else {
            Err(need.missing())
        }
    }
}

fn allowed(key: &ApiKey, project_id: &str, need: Need) -> bool {
    key.scopes.iter().any(|s| {
        s.resource_id == project_id && need.matches(s.feature) && s.allows(need.permission())
    })
}

/// Resolves the project for a project-scoped route.
///
/// With `x-project-id`, the project must exist in the key's team and be reached by some
/// scope of the key (else 404, so other tenants' ids are not confirmed); the route's
/// scope must then be there (else 403). Without the header, the key must reach exactly
/// one project for the route's feature.
pub async fn resolve_project(
    store: &dyn ItemStore,
    key: &ApiKey,
    project_header: Option<&str>,
    need: Need,
) -> Result<Access> {
    let project_id = match project_header.map(str::trim).filter(|p| !p.is_empty()) {
        Some(id) => {
            if !key
                .scopes
                .iter()
                .any(|s| s.resource_id == id && !s.feature.is_team_level())
            {
                return Err(Error::NotFound("project"));
            }
            id.to_string()
        }
        None => {
            let mut candidates: Vec<&str> = key
                .scopes
                .iter()
                .filter(|s| need.matches(s.feature))
                .map(|s| s.resource_id.as_str())
                .collect();
            candidates.sort();
            candidates.dedup();
            match candidates.as_slice() {
                [] => return Err(need.missing()),
                [only] => only.to_string(),
                _ => return Err(Error::ProjectRequired),
            }
        }
    };
    let project = tenancy::get_project(store, &key.team_id, &project_id)
        .await?
        .ok_or(Error::NotFound("project"))?;
    if !allowed(key, &project.id, need) {
        return Err(need.missing());
    }
    Ok(Access {
        key: key.clone(),
        project,
    })
}

/// Resolves the acting user: the `x-aamu-actor` member (username or id), else the
/// project's `ai` member, else its owner.
pub async fn resolve_actor(
    store: &dyn ItemStore,
    access: &Access,
    actor_header: Option<&str>,
) -> Result<User> {
    let team = access.team_id();
    let project = access.project_id();
    if let Some(actor) = actor_header.map(str::trim) {
        if actor.is_empty() {
            return Err(Error::invalid(
                "x-aamu-actor",
                "is empty; give a username or user id",
            ));
        }
        return tenancy::find_member(store, team, project, actor)
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "x-aamu-actor",
                    format!("{actor:?} is not a member of this project"),
                )
            });
    }
    if let Some(ai) = tenancy::find_member(store, team, project, "ai").await? {
        return Ok(ai);
    }
    if let Some(owner_id) = &access.project.owner_id
        && let Some(owner) = tenancy::find_member(store, team, project, owner_id).await?
    {
        return Ok(owner);
    }
    Err(Error::invalid(
        "x-aamu-actor",
        "the project has neither an ai user nor an owner; name a member in this header",
    ))
}
