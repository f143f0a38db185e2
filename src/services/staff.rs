//! Who manages which organization: the one lookup every staff-only use case starts from.
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::Principal,
    domain::Role,
    entities::{organization, organization_admin},
    error::ApiError,
};

/// Which organizations a caller manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffScope {
    All,
    Only(Vec<Uuid>),
}

impl StaffScope {
    pub fn covers(&self, organization_id: Uuid) -> bool {
        match self {
            StaffScope::All => true,
            StaffScope::Only(ids) => ids.contains(&organization_id),
        }
    }
}

pub async fn staff_scope(
    db: &impl ConnectionTrait,
    caller: &Principal,
) -> Result<StaffScope, DbErr> {
    let of_platform_admin = caller
        .token
        .as_ref()
        .is_some_and(|token| token.of_platform_admin);
    let scope = if caller.platform_admin || of_platform_admin {
        StaffScope::All
    } else if !caller.has_role(Role::Admin) {
        StaffScope::Only(Vec::new())
    } else {
        StaffScope::Only(organizations_of(db, caller.id).await?)
    };
    // An API token limited to some organizations acts on those only, of the ones its
    // account manages now.
    Ok(
        match caller
            .token
            .as_ref()
            .and_then(|token| token.organizations.as_ref())
        {
            Some(limited) => StaffScope::Only(
                limited
                    .iter()
                    .copied()
                    .filter(|organization| scope.covers(*organization))
                    .collect(),
            ),
            None => scope,
        },
    )
}

/// The organizations whose staff the account is on.
pub async fn organizations_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(organization_admin::Entity::find()
        .filter(organization_admin::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|membership| membership.organization_id)
        .collect())
}

/// The organization exists and the caller manages it; otherwise 404.
pub async fn ensure_staff(
    db: &impl ConnectionTrait,
    caller: &Principal,
    organization_id: Uuid,
) -> Result<(), ApiError> {
    let managed = match staff_scope(db, caller).await? {
        // A platform admin manages every organization there is.
        StaffScope::All => organization::Entity::find_by_id(organization_id)
            .one(db)
            .await?
            .is_some(),
        scope => scope.covers(organization_id),
    };
    if managed {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}
