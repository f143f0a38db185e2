use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use uuid::Uuid;

use crate::{
    domain::Role,
    error::{ApiError, AuthFailure},
};

/// The authenticated caller, set by the access middleware on every non-public operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub id: Uuid,
    pub roles: Vec<Role>,
    /// Manages every organization.
    pub platform_admin: bool,
    /// For a public voter's token: the only prize it may vote for.
    pub prize_scope: Option<Uuid>,
    /// For an API token: what it may do of what its account may.
    pub token: Option<TokenLimits>,
}

/// What an API token narrows its account's rights to (never more than the account has now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLimits {
    pub id: Uuid,
    /// Reads only (`GET`, `HEAD`).
    pub read_only: bool,
    /// The organizations it may act on as staff; `None`: all the account manages.
    pub organizations: Option<Vec<Uuid>>,
    /// Its account is a platform admin (the token, limited to some organizations, is not:
    /// it manages those of them that exist).
    pub of_platform_admin: bool,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            request
                .extensions()
                .get::<Principal>()
                .cloned()
                .ok_or(ApiError::Unauthorized(AuthFailure::MissingToken)),
        )
    }
}
