//! Scopes: `{feature, resource_id, permissions}`, and what each feature opens.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The features a key can be scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    Tasks,
    Docs,
    Meetings,
    Forms,
    Files,
    Database,
    Automations,
    Webhooks,
    Helpdesk,
    Emails,
    TeamBrain,
}

impl Feature {
    pub const ALL: [Feature; 11] = [
        Feature::Tasks,
        Feature::Docs,
        Feature::Meetings,
        Feature::Forms,
        Feature::Files,
        Feature::Database,
        Feature::Automations,
        Feature::Webhooks,
        Feature::Helpdesk,
        Feature::Emails,
        Feature::TeamBrain,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Feature::Tasks => "tasks",
            Feature::Docs => "docs",
            Feature::Meetings => "meetings",
            Feature::Forms => "forms",
            Feature::Files => "files",
            Feature::Database => "database",
            Feature::Automations => "automations",
            Feature::Webhooks => "webhooks",
            Feature::Helpdesk => "helpdesk",
            Feature::Emails => "emails",
            Feature::TeamBrain => "team-brain",
        }
    }

    pub fn parse(value: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == value)
    }

    /// Team-level features take the team id as resource; the others a project id.
    pub fn is_team_level(self) -> bool {
        self == Feature::Webhooks
    }

    /// The endpoints the feature opens, by the permission each needs.
    pub fn endpoints(self) -> &'static [(Permission, &'static str)] {
        use Permission::*;
        match self {
            Feature::Tasks => &[
                (Read, "GET /api/v1/tasks/"),
                (Read, "GET /api/v1/tasks/{id}"),
                (Write, "POST /api/v1/tasks/"),
                (Write, "PATCH /api/v1/tasks/{id}"),
                (Comment, "POST /api/v1/tasks/{id}/comments"),
                (Read, "GET /api/v1/users/"),
            ],
            Feature::Docs => &[
                (Read, "GET /api/v1/docs/"),
                (Read, "GET /api/v1/docs/{id}"),
                (Write, "POST /api/v1/docs/"),
                (Write, "PATCH /api/v1/docs/{id}"),
                (Read, "GET /api/v1/users/"),
            ],
            Feature::Meetings => &[
                (Read, "GET /api/v1/meetings/"),
                (Read, "GET /api/v1/meetings/{id}"),
                (Write, "POST /api/v1/meetings/"),
                (Write, "PATCH /api/v1/meetings/{id}"),
                (Read, "GET /api/v1/users/"),
            ],
            Feature::Forms => &[
                (Read, "GET /api/v1/forms/"),
                (Read, "GET /api/v1/forms/{id}"),
                (Write, "POST /api/v1/forms/"),
                (Write, "PATCH /api/v1/forms/{id}"),
                (Write, "POST /api/v1/forms/{id}/submissions"),
                (Read, "GET /api/v1/users/"),
            ],
            Feature::Files => &[
                (Read, "GET /api/v1/files/{id}"),
                (Write, "POST /api/v1/files/prepare-upload"),
                (Write, "POST /api/v1/files/complete-upload"),
                (Read, "GET /api/v1/users/"),
            ],
            Feature::Database => &[
                (Read, "GET /api/v1/databases/"),
                (Read, "GET /api/v1/databases/{id}"),
                (Read, "GET /api/v1/databases/{id}/tables"),
                (Read, "GET /api/v1/databases/{id}/tables/{table}"),
                (Read, "GET /api/v1/databases/{id}/tables/{table}/columns"),
                (Read, "GET /api/v1/databases/{id}/activity"),
                (Write, "POST /api/v1/databases/"),
                (Write, "POST /api/v1/databases/{id}/tables"),
                (Write, "POST /api/v1/databases/{id}/tables/{table}/columns"),
                (Read, "POST /api/v1/graphql/ (queries)"),
                (Write, "POST /api/v1/graphql/ (mutations)"),
                (Read, "GET /api/v1/users/"),
            ],
            Feature::Automations => &[
                (Read, "GET /api/v1/databases/{id}/automations"),
                (Read, "GET /api/v1/automations/{id}"),
                (Write, "POST /api/v1/databases/{id}/automations"),
                (Write, "PATCH /api/v1/automations/{id}"),
                (Write, "DELETE /api/v1/automations/{id}"),
            ],
            Feature::Webhooks => &[
                (Read, "GET /api/v1/webhooks/"),
                (Read, "GET /api/v1/webhooks/{id}"),
                (Read, "GET /api/v1/webhooks/logs"),
                (Write, "POST /api/v1/webhooks/"),
                (Write, "PATCH /api/v1/webhooks/{id}"),
                (Write, "DELETE /api/v1/webhooks/{id}"),
            ],
            Feature::Helpdesk => &[
                (Read, "GET /api/v1/helpdesk/tickets/"),
                (Read, "GET /api/v1/helpdesk/actors/{user}"),
                (Write, "PUT /api/v1/helpdesk/tickets/{id}/reply-draft"),
                (
                    Write,
                    "POST /api/v1/helpdesk/tickets/{id}/reply-draft/generate",
                ),
                (
                    Comment,
                    "POST /api/v1/helpdesk/tickets/{id}/reply-draft/send",
                ),
                (Read, "GET /api/v1/users/"),
            ],
            Feature::Emails => &[
                (Read, "GET /api/v1/emails/"),
                (Read, "GET /api/v1/emails/actors/{user}"),
                (Read, "GET /api/v1/emails/contacts/"),
                (Write, "POST /api/v1/emails/drafts/"),
                (Write, "PUT /api/v1/emails/{id}/reply-draft"),
                (Write, "POST /api/v1/emails/{id}/reply-draft/generate"),
                (Comment, "POST /api/v1/emails/"),
                (Comment, "POST /api/v1/emails/{id}/reply-draft/send"),
                (Read, "GET /api/v1/users/"),
            ],
            Feature::TeamBrain => &[
                (Read, "POST /api/v1/team-brain/retrieve"),
                (Read, "GET /api/v1/users/"),
            ],
        }
    }

    /// The headers the feature's endpoints need.
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Feature::Webhooks => &["x-api-key"],
            Feature::Database | Feature::Automations => &[
                "x-api-key",
                "x-project-id (POST /databases/ only)",
                "x-db-id (GraphQL)",
                "x-aamu-actor (optional)",
            ],
            _ => &[
                "x-api-key",
                "x-project-id (when the key reaches several projects)",
                "x-aamu-actor (optional, writes)",
            ],
        }
    }
}

/// What a scope allows within its feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    Read,
    Write,
    Comment,
}

impl Permission {
    pub fn name(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::Comment => "comment",
        }
    }

    pub fn parse(value: &str) -> Option<Permission> {
        [Permission::Read, Permission::Write, Permission::Comment]
            .into_iter()
            .find(|p| p.name() == value)
    }
}

/// One grant of a key: a feature on one project (or team), with permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub feature: Feature,
    pub resource_id: String,
    pub permissions: Vec<Permission>,
}

impl Scope {
    /// Parses `FEATURE:RESOURCE_ID:read,write,comment`.
    pub fn parse(value: &str) -> Result<Scope> {
        let field = "scope";
        let mut parts = value.splitn(3, ':');
        let (Some(feature), Some(resource_id), Some(perms)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::invalid(
                field,
                format!("{value:?} is not FEATURE:RESOURCE_ID:PERMISSIONS"),
            ));
        };
        let feature = Feature::parse(feature).ok_or_else(|| {
            let names: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
            Error::invalid(
                field,
                format!("unknown feature {feature:?}; one of {}", names.join(", ")),
            )
        })?;
        if resource_id.is_empty() {
            return Err(Error::invalid(field, "the resource id is empty"));
        }
        let mut permissions = perms
            .split(',')
            .map(|p| {
                Permission::parse(p.trim()).ok_or_else(|| {
                    Error::invalid(
                        field,
                        format!("unknown permission {p:?}; use read, write or comment"),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        permissions.sort();
        permissions.dedup();
        Ok(Scope {
            feature,
            resource_id: resource_id.into(),
            permissions,
        })
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_name_bad_parts() {
        let scope = Scope::parse("team-brain:p1:write,read").unwrap();
        assert_eq!(scope.feature, Feature::TeamBrain);
        assert_eq!(scope.permissions, vec![Permission::Read, Permission::Write]);
        for bad in ["tasks:p1", "nope:p1:read", "tasks::read", "tasks:p1:delete"] {
            assert!(Scope::parse(bad).is_err(), "case {bad}");
        }
    }
}
