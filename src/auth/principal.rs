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
