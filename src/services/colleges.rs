//! An organization's colleges, kept by its staff: each councillor on its roster belongs to one
//! (a foreign key follows a renamed college and keeps one with councillors from deletion).
use crate::domain::refusal::ProblemCode;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Principal,
    db,
    domain::college,
    entities::{college as college_entity, councillor, invitation, organization},
    error::ApiError,
    services::{
        audit::{self, AuditEntry},
        staff,
    },
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct College {
    pub id: Uuid,
    #[schema(example = "Collège 3 — associations")]
    pub name: String,
    /// Its place in the organization's list, from 1.
    pub position: i32,
}

impl From<college_entity::Model> for College {
    fn from(model: college_entity::Model) -> Self {
        College {
            id: model.id,
            name: model.name,
            position: model.position,
        }
    }
}

fn name_taken(error: sea_orm::DbErr) -> ApiError {
    if db::is_unique_violation(&error) {
        ApiError::conflict(ProblemCode::CollegeNameTaken, text!("college-name-taken"))
    } else {
        error.into()
    }
}

async fn colleges_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> Result<Vec<college_entity::Model>, ApiError> {
    Ok(college_entity::Entity::find()
        .filter(college_entity::Column::OrganizationId.eq(organization_id))
        .order_by_asc(college_entity::Column::Position)
        .order_by_asc(college_entity::Column::Name)
        .all(db)
        .await?)
}

/// The names of the organization's colleges, in order: what a councillor may be put in.
pub async fn names(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> Result<Vec<String>, ApiError> {
    Ok(colleges_of(db, organization_id)
        .await?
        .into_iter()
        .map(|college| college.name)
        .collect())
}

/// The colleges of an organization, for anyone: an assembly's composition is public.
pub async fn list(
    db: &DatabaseConnection,
    organization_id: Uuid,
) -> Result<Vec<College>, ApiError> {
    organization::Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(colleges_of(db, organization_id)
        .await?
        .into_iter()
        .map(College::from)
        .collect())
}

pub async fn create(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    name: String,
) -> Result<College, ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, organization_id).await?;
    // Changes to one organization's colleges wait for each other (and for the writers that
    // name a college): the bound and the names hold under a race.
    db::lock_on(&txn, organization_id).await?;
    let existing = colleges_of(&txn, organization_id).await?;
    college::check_room(existing.len())?;
    let names: Vec<String> = existing.iter().map(|c| c.name.clone()).collect();
    college::check_name_free(&name, &names)?;
    let model = college_entity::Model {
        id: Uuid::now_v7(),
        organization_id,
        name,
        position: existing.iter().map(|c| c.position).max().unwrap_or(0) + 1,
        created_at: db::now(),
    };
    college_entity::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await
        .map_err(name_taken)?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "college.created",
            "organization",
            organization_id,
            json!({ "college_id": model.id, "name": model.name }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(model.into())
}

async fn find_managed(
    db: &impl ConnectionTrait,
    caller: &Principal,
    organization_id: Uuid,
    college_id: Uuid,
) -> Result<college_entity::Model, ApiError> {
    staff::ensure_staff(db, caller, organization_id).await?;
    college_entity::Entity::find_by_id(college_id)
        .filter(college_entity::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Renames a college: its councillors follow (the foreign key cascades), and so do the pending
/// invitations to it.
pub async fn rename(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    college_id: Uuid,
    name: String,
) -> Result<College, ApiError> {
    let txn = db::begin_write(db).await?;
    // The colleges held still: the roster import, a councillor's move and an invitation's
    // acceptance name a college under the same lock.
    db::lock_on(&txn, organization_id).await?;
    let model = find_managed(&txn, caller, organization_id, college_id).await?;
    let previous = model.name.clone();
    if previous == name {
        return Ok(model.into());
    }
    let others: Vec<String> = colleges_of(&txn, organization_id)
        .await?
        .into_iter()
        .filter(|other| other.id != college_id)
        .map(|other| other.name)
        .collect();
    college::check_name_free(&name, &others)?;
    let mut active = model.into_active_model();
    active.name = Set(name.clone());
    let model = active.update(&txn).await.map_err(name_taken)?;
    invitation::Entity::update_many()
        .col_expr(invitation::Column::College, Expr::value(name.clone()))
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(invitation::Column::College.eq(previous.as_str()))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "college.renamed",
            "organization",
            organization_id,
            json!({ "college_id": college_id, "from": previous, "to": name }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(model.into())
}

pub async fn delete(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    college_id: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    db::lock_on(&txn, organization_id).await?;
    let model = find_managed(&txn, caller, organization_id, college_id).await?;
    let councillors = councillor::Entity::find()
        .filter(councillor::Column::OrganizationId.eq(organization_id))
        .filter(councillor::Column::College.eq(model.name.as_str()))
        .count(&txn)
        .await?;
    let invited = invitation::Entity::find()
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(invitation::Column::College.eq(model.name.as_str()))
        .filter(invitation::Column::UsedAt.is_null())
        .count(&txn)
        .await?;
    college::check_deletable(councillors + invited)?;
    college_entity::Entity::delete_by_id(college_id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "college.deleted",
            "organization",
            organization_id,
            json!({ "college_id": college_id, "name": model.name }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
