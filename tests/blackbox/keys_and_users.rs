//! API keys, scopes, project and actor rules, and the Users API.
