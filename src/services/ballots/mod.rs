//! The councillors' and the public's ballots: opening and closing, casting a vote, receipts,
//! results, their publication, and the laureates of an edition.
//!
//! Secrecy: that a voter has voted (`ballot_voters`, keyed with the voter key) and what they
//! chose (`ballot_choices`, sealed with a key derived from it) are written in one transaction,
//! in two tables: the choice has a random id, no time and no voter. Their order on disk or a
//! shared transaction id may pair the two rows, which tells nothing without the voter key
//! (SECURITY.md). One vote per voter is the primary key of `ballot_voters`.
use crate::domain::refusal::ProblemCode;
use crate::domain::{Lang, language::in_language};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Principal, secret_token},
    db,
    domain::{
        Role,
        ballot::{self, BallotState, CandidateCount, Tally},
        edition::{CandidatePool, EditionStatus, PrizeKind},
        scoring::Round,
    },
    entities::{
        application, ballot as ballot_entity, ballot_choice, ballot_count, ballot_voter,
        councillor, edition, prize, prize_decision,
    },
    error::ApiError,
    services::{
        applications::{self, Candidate},
        audit::{self, AuditEntry},
        editions, jury, staff,
    },
};

mod conduct;
mod councillors;
mod document;
mod results;
mod votes;
mod writer;
pub use conduct::*;
pub use councillors::*;
pub use document::*;
pub use results::*;
pub use votes::*;
pub use writer::{NewVote, VoteWriter};

/// A ballot prize with its edition; other prizes are not voted on (404).
async fn ballot_prize(
    db: &impl ConnectionTrait,
    prize_id: Uuid,
) -> Result<(prize::Model, edition::Model), ApiError> {
    let prize = prize::Entity::find_by_id(prize_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !matches!(prize.kind, PrizeKind::Councillors | PrizeKind::Public) {
        return Err(ApiError::NotFound);
    }
    let edition = edition::Entity::find_by_id(prize.edition_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((prize, edition))
}

/// The sites that may embed the widget of this prize's ballot: its organization's embed
/// origins (`None`: unreadable), for a prize of a public edition (a public prize only for the
/// vote itself).
pub async fn embed_origins(
    db: &DatabaseConnection,
    prize_id: Uuid,
    vote: bool,
) -> Result<Option<Vec<String>>, ApiError> {
    let (prize, edition) = ballot_prize(db, prize_id).await?;
    if vote && prize.kind != PrizeKind::Public {
        return Err(ApiError::NotFound);
    }
    editions::find_visible(db, None, edition.id).await?;
    let organization = crate::entities::organization::Entity::find_by_id(edition.organization_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(crate::services::organizations::embed_origins(&organization))
}

/// The ballot of a prize, created `scheduled` on first use.
async fn ensure_ballot(
    db: &impl ConnectionTrait,
    prize_id: Uuid,
) -> Result<ballot_entity::Model, ApiError> {
    if let Some(existing) = ballot_entity::Entity::find_by_id(prize_id).one(db).await? {
        return Ok(existing);
    }
    let model = ballot_entity::Model {
        prize_id,
        state: BallotState::Scheduled,
        opens_at: None,
        closes_at: None,
        tie_break_id: None,
        tie_break_reason: None,
        updated_at: db::now(),
        opening_announced_at: None,
        closing_announced_at: None,
    };
    let inserted = ballot_entity::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(db)
        .await;
    match inserted {
        Ok(_) => Ok(model),
        // Created concurrently: read the winner's row.
        Err(error) if db::is_unique_violation(&error) => {
            ballot_entity::Entity::find_by_id(prize_id)
                .one(db)
                .await?
                .ok_or(ApiError::NotFound)
        }
        Err(error) => Err(error.into()),
    }
}

/// The ballot's state at `now`; its window opens it only while the edition is at one of the
/// opening stages of the prize's kind.
fn state_of(
    model: &ballot_entity::Model,
    kind: PrizeKind,
    edition: EditionStatus,
    now: DateTime<Utc>,
) -> BallotState {
    ballot::state_at(
        (model.state, model.opens_at, model.closes_at),
        kind,
        edition,
        now,
    )
}

async fn candidate_applications(
    db: &impl ConnectionTrait,
    prize: &prize::Model,
) -> Result<Vec<application::Model>, ApiError> {
    let round = match prize.pool {
        CandidatePool::Eligible => Round::Selection,
        _ => Round::Audition,
    };
    jury::round_applications(db, prize.edition_id, round).await
}

/// A prize's name as its organizer wrote it, and in the reader's language.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PrizeName {
    #[schema(example = "Prix du public")]
    pub prize_name: String,
    /// The name in English as written (null: none).
    #[schema(example = "Public's prize")]
    pub prize_name_en: Option<String>,
    /// The name in the answer's language (`Content-Language`): the English where written, else
    /// the French.
    #[schema(example = "Prix du public")]
    pub localized_prize_name: String,
}

impl PrizeName {
    pub fn of(prize: &prize::Model) -> Self {
        PrizeName {
            prize_name: prize.name.clone(),
            prize_name_en: prize.name_en.clone(),
            localized_prize_name: prize.name.clone(),
        }
        .in_language(Lang::default())
    }

    pub fn in_language(mut self, lang: Lang) -> Self {
        self.localized_prize_name =
            in_language(lang, &self.prize_name, self.prize_name_en.as_deref()).to_owned();
        self
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BallotView {
    pub prize_id: Uuid,
    pub kind: PrizeKind,
    #[serde(flatten)]
    pub name: PrizeName,
    pub state: BallotState,
    /// Opens by itself at this time (Europe/Paris times are sent with their offset).
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub candidates: Vec<Candidate>,
}

/// The ballot as the voting widget shows it (anonymous, for a public edition).
pub async fn get(db: &DatabaseConnection, prize_id: Uuid) -> Result<BallotView, ApiError> {
    let (prize, edition) = ballot_prize(db, prize_id).await?;
    editions::find_visible(db, None, edition.id).await?;
    let ballot = ensure_ballot(db, prize_id).await?;
    let mut candidates = Vec::new();
    for application in candidate_applications(db, &prize).await? {
        candidates.push(applications::candidate_view(db, application).await?);
    }
    Ok(BallotView {
        prize_id,
        kind: prize.kind,
        name: PrizeName::of(&prize),
        state: state_of(&ballot, prize.kind, edition.status, Utc::now()),
        opens_at: ballot.opens_at,
        closes_at: ballot.closes_at,
        candidates,
    })
}

async fn managed(
    db: &impl ConnectionTrait,
    caller: &Principal,
    prize_id: Uuid,
) -> Result<(prize::Model, edition::Model, ballot_entity::Model), ApiError> {
    let (prize, edition) = ballot_prize(db, prize_id).await?;
    staff::ensure_staff(db, caller, edition.organization_id).await?;
    let ballot = ensure_ballot(db, prize_id).await?;
    Ok((prize, edition, ballot))
}

// ----- The councillors of an organization -----
