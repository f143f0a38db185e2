//! Reads that several use cases share (an edition, its jury, its shortlist, an audition
//! slot): here, below them all, so that no use-case module needs another for them.
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::{
        ballot::{BallotState, CandidateCount, Tally},
        edition::EditionStatus,
        jury::{
            CompositionFinding, LaureateContact, PreviousEdition, Seat, check_previous_laureate,
            composition_findings,
        },
    },
    entities::{
        application, audition, ballot, ballot_count, edition, jury_member, prize, prize_decision,
        user,
    },
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
    let members = jury_members_of(db, edition_id).await?;
    let seats: Vec<(Seat, bool)> = members
        .iter()
        .map(|member| (member.seat, member.previous_laureate))
        .collect();
    let mut findings = composition_findings(&seats);
    // Checked again now: the previous edition may have been published, or renumbered, since
    // the member was seated.
    let marked: Vec<&jury_member::Model> = members.iter().filter(|m| m.previous_laureate).collect();
    if !marked.is_empty() {
        let previous = previous_edition(db, &find_edition(db, edition_id).await?).await?;
        for member in marked {
            let email = user::Entity::find_by_id(member.user_id)
                .one(db)
                .await?
                .map(|account| account.email)
                .unwrap_or_default();
            if let Err(refusal) =
                check_previous_laureate(member.user_id, &email, member.seat, previous.as_ref())
            {
                findings.push(CompositionFinding {
                    code: "previous_laureate_unverified",
                    message: refusal.detail,
                });
            }
        }
    }
    Ok(findings)
}

/// The edition before this one in its organization and, once its results are published, its
/// laureates' applicants and contact addresses: the prizes decided, and the winners of its
/// published ballots (from the count stored at publication, or the tie's resolution).
pub async fn previous_edition(
    db: &impl ConnectionTrait,
    edition: &edition::Model,
) -> Result<Option<PreviousEdition>, ApiError> {
    let Some(previous) = edition::Entity::find()
        .filter(edition::Column::OrganizationId.eq(edition.organization_id))
        .filter(edition::Column::Number.lt(edition.number))
        .order_by_desc(edition::Column::Number)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if previous.status < EditionStatus::ResultsPublished {
        return Ok(Some(PreviousEdition {
            number: previous.number,
            laureates: None,
        }));
    }
    let prizes: Vec<Uuid> = prize::Entity::find()
        .select_only()
        .column(prize::Column::Id)
        .filter(prize::Column::EditionId.eq(previous.id))
        .into_tuple()
        .all(db)
        .await?;
    let mut laureates: Vec<Uuid> = prize_decision::Entity::find()
        .select_only()
        .column(prize_decision::Column::LaureateId)
        .filter(prize_decision::Column::PrizeId.is_in(prizes.clone()))
        .into_tuple()
        .all(db)
        .await?;
    let published = ballot::Entity::find()
        .filter(ballot::Column::PrizeId.is_in(prizes))
        .filter(ballot::Column::State.eq(BallotState::Published))
        .all(db)
        .await?;
    for published in published {
        if let Some(tally) = stored_count(db, published.prize_id).await? {
            laureates.extend(tally.winner(published.tie_break_id));
        }
    }
    let laureates = application::Entity::find()
        .filter(application::Column::Id.is_in(laureates))
        .all(db)
        .await?
        .into_iter()
        .map(|application| LaureateContact {
            applicant: application.applicant_id,
            contact_email: application.contact_email,
        })
        .collect();
    Ok(Some(PreviousEdition {
        number: previous.number,
        laureates: Some(laureates),
    }))
}

/// The count a ballot's publication stored (`None` for a ballot not published, or published by
/// a version that did not store it).
pub async fn stored_count(
    db: &impl ConnectionTrait,
    prize_id: Uuid,
) -> Result<Option<Tally>, ApiError> {
    let counts = ballot_count::Entity::find()
        .filter(ballot_count::Column::PrizeId.eq(prize_id))
        .all(db)
        .await?;
    Ok((!counts.is_empty()).then(|| {
        Tally::of_counts(
            counts
                .into_iter()
                .map(|count| CandidateCount {
                    application_id: count.application_id,
                    votes: count.votes as u64,
                })
                .collect(),
        )
    }))
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
