//! Reads that several use cases share (an edition, its jury, its shortlist, an audition
//! slot): here, below them all, so that no use-case module needs another for them.
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::jury::{CompositionFinding, Seat, composition_findings},
    entities::{application, audition, edition, jury_member},
    error::ApiError,
};

pub async fn find_edition(db: &impl ConnectionTrait, id: Uuid) -> Result<edition::Model, ApiError> {
    edition::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub async fn jury_members_of(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
) -> Result<Vec<jury_member::Model>, ApiError> {
    Ok(jury_member::Entity::find()
        .filter(jury_member::Column::EditionId.eq(edition_id))
        .order_by_asc(jury_member::Column::Id)
        .all(db)
        .await?)
}

pub async fn composition_findings_of(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
) -> Result<Vec<CompositionFinding>, ApiError> {
    let seats: Vec<(Seat, bool)> = jury_members_of(db, edition_id)
        .await?
        .into_iter()
        .map(|member| (member.seat, member.previous_laureate))
        .collect();
    Ok(composition_findings(&seats))
}

pub async fn shortlisted_count(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
) -> Result<usize, ApiError> {
    Ok(application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .filter(application::Column::Shortlisted.eq(true))
        .count(db)
        .await? as usize)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditionSlot {
    pub starts_at: DateTime<Utc>,
    #[schema(example = "Hôtel de Région, Lyon — salle 3")]
    pub place: String,
}

pub async fn audition_of(
    db: &impl ConnectionTrait,
    application_id: Uuid,
) -> Result<Option<AuditionSlot>, ApiError> {
    Ok(audition::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .map(|slot| AuditionSlot {
            starts_at: slot.starts_at,
            place: slot.place,
        }))
}
