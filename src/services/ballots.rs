//! The councillors' and the public's ballots: opening and closing, casting a vote, receipts,
//! results, their publication, and the laureates of an edition.
//!
//! Secrecy: that a voter has voted (`ballot_voters`) and what they chose (`ballot_choices`)
//! are written in one transaction, in two tables with nothing linking them: the choice has a
//! random id, no time and no voter. One vote per voter is the primary key of `ballot_voters`.
use crate::domain::refusal::ProblemCode;
use chrono::{DateTime, Utc};
use rand::RngCore;
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
        ballot::{self, BallotState, Tally},
        edition::{CandidatePool, EditionStatus, PrizeKind},
        scoring::Round,
    },
    entities::{
        application, ballot as ballot_entity, ballot_choice, ballot_voter, councillor, edition,
        prize, prize_decision,
    },
    error::ApiError,
    services::{
        applications::{self, Candidate},
        audit::{self, AuditEntry},
        editions, jury, staff,
    },
};

fn entry(
    actor: Uuid,
    action: &'static str,
    prize_id: Uuid,
    details: serde_json::Value,
) -> AuditEntry {
    AuditEntry {
        actor_id: Some(actor),
        action,
        target_type: "prize",
        target_id: Some(prize_id.to_string()),
        details,
    }
}

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

fn state_of(model: &ballot_entity::Model, now: DateTime<Utc>) -> BallotState {
    ballot::effective_state(model.state, model.opens_at, model.closes_at, now)
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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BallotView {
    pub prize_id: Uuid,
    pub kind: PrizeKind,
    pub prize_name: String,
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
        prize_name: prize.name,
        state: state_of(&ballot, Utc::now()),
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

/// Sets the opening and closing times of a scheduled ballot (staff).
pub async fn set_window(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
) -> Result<BallotView, ApiError> {
    let txn = db::begin_write(db).await?;
    let (_, edition, ballot) = managed(&txn, caller, prize_id).await?;
    ballot::check_window_change(state_of(&ballot, Utc::now()), edition.status)?;
    if let (Some(opens), Some(closes)) = (opens_at, closes_at)
        && closes <= opens
    {
        return Err(ApiError::invalid(
            "closes_at",
            "out_of_order",
            "must be after opens_at",
        ));
    }
    let mut active = ballot.into_active_model();
    active.opens_at = Set(opens_at.map(crate::domain::audit_chain::truncate_to_micros));
    active.closes_at = Set(closes_at.map(crate::domain::audit_chain::truncate_to_micros));
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    audit::record(
        &txn,
        entry(
            caller.id,
            "ballot.window_set",
            prize_id,
            json!({ "opens_at": opens_at, "closes_at": closes_at }),
        ),
    )
    .await?;
    txn.commit().await?;
    get(db, prize_id).await
}

/// Opens (`open`) or closes (`closed`) a ballot by hand (staff).
pub async fn set_state(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
    to: BallotState,
) -> Result<BallotView, ApiError> {
    let txn = db::begin_write(db).await?;
    let (_, edition, ballot) = managed(&txn, caller, prize_id).await?;
    let current = state_of(&ballot, Utc::now());
    ballot::check_manual_step(current, to, edition.status)?;
    let mut active = ballot.into_active_model();
    active.state = Set(to);
    if to == BallotState::Closed {
        // A closed ballot stays closed even if its closing time was later.
        active.closes_at = Set(Some(db::now()));
    }
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    audit::record(
        &txn,
        entry(
            caller.id,
            if to == BallotState::Open {
                "ballot.opened"
            } else {
                "ballot.closed"
            },
            prize_id,
            json!({ "from": current }),
        ),
    )
    .await?;
    txn.commit().await?;
    get(db, prize_id).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    /// Keep it: `GET /api/v1/prizes/{id}/receipts/{code}` confirms the ballot is counted.
    #[schema(example = "k3Jd9sQ2mX7pL0aV4nR8tY1cE6wB5zH2uF9gT3oI0qA")]
    pub receipt: String,
}

/// Who is voting: the key that makes one vote per voter, never stored with the choice.
fn voter_key(caller: &Principal) -> String {
    match caller.prize_scope {
        Some(_) => format!("public:{}", caller.id),
        None => format!("account:{}", caller.id),
    }
}

/// The state of a public prize's ballot (404 for other prizes or unpublished editions).
pub async fn public_ballot_state(
    db: &DatabaseConnection,
    prize_id: Uuid,
) -> Result<BallotState, ApiError> {
    let (prize, edition) = ballot_prize(db, prize_id).await?;
    if prize.kind != PrizeKind::Public {
        return Err(ApiError::NotFound);
    }
    editions::find_visible(db, None, edition.id).await?;
    Ok(
        match ballot_entity::Entity::find_by_id(prize_id).one(db).await? {
            Some(ballot) => state_of(&ballot, Utc::now()),
            None => BallotState::Scheduled,
        },
    )
}

/// What is the same for every vote of a ballot, kept in memory so that a vote costs only its
/// own transaction. Safe because a ballot's prize, organization and candidates are settled
/// before it opens (the shortlist is confirmed during the selection).
#[derive(Debug, Clone)]
struct BallotFacts {
    kind: PrizeKind,
    organization_id: Uuid,
    candidates: std::sync::Arc<std::collections::HashSet<Uuid>>,
}

#[derive(Debug, Default)]
pub struct BallotCache(std::sync::RwLock<std::collections::HashMap<Uuid, BallotFacts>>);

impl BallotCache {
    async fn facts(
        &self,
        db: &DatabaseConnection,
        prize_id: Uuid,
    ) -> Result<BallotFacts, ApiError> {
        if let Some(facts) = self.0.read().expect("ballot cache lock").get(&prize_id) {
            return Ok(facts.clone());
        }
        let (prize, edition) = ballot_prize(db, prize_id).await?;
        let facts = BallotFacts {
            kind: prize.kind,
            organization_id: edition.organization_id,
            candidates: std::sync::Arc::new(
                candidate_applications(db, &prize)
                    .await?
                    .into_iter()
                    .map(|application| application.id)
                    .collect(),
            ),
        };
        // Before the auditions the candidates may still change: do not keep them yet.
        if edition.status >= EditionStatus::Audition {
            self.0
                .write()
                .expect("ballot cache lock")
                .insert(prize_id, facts.clone());
        }
        Ok(facts)
    }
}

/// Casts the caller's vote: an open ballot, a candidate of it, an entitled voter, once.
/// One short transaction: the ballot's state (read under a share lock on PostgreSQL, so that
/// a vote racing the close commits before it or sees it closed) and the two inserts.
pub async fn vote(
    db: &DatabaseConnection,
    cache: &BallotCache,
    caller: &Principal,
    prize_id: Uuid,
    application_id: Uuid,
) -> Result<Receipt, ApiError> {
    let facts = cache.facts(db, prize_id).await?;
    let entitled = match facts.kind {
        PrizeKind::Councillors => {
            caller.prize_scope.is_none()
                && caller.has_role(Role::Councillor)
                && councillor::Entity::find_by_id((facts.organization_id, caller.id))
                    .one(db)
                    .await?
                    .is_some()
        }
        PrizeKind::Public => caller.has_role(Role::Public) && caller.prize_scope == Some(prize_id),
        _ => false,
    };
    if !entitled {
        return Err(ApiError::conflict(
            ProblemCode::NotEntitled,
            "You are not entitled to vote in this ballot.",
        ));
    }
    if !facts.candidates.contains(&application_id) {
        return Err(ApiError::invalid(
            "application_id",
            "invalid_value",
            "not a candidate of this ballot",
        ));
    }
    let txn = db::begin_write(db).await?;
    let mut query = ballot_entity::Entity::find_by_id(prize_id);
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_shared();
    }
    let state = query
        .one(&txn)
        .await?
        .map(|ballot| state_of(&ballot, Utc::now()));
    ballot::check_voting(state.unwrap_or(BallotState::Scheduled))?;
    let recorded = ballot_voter::Entity::insert(ballot_voter::ActiveModel {
        prize_id: Set(prize_id),
        voter_key: Set(voter_key(caller)),
    })
    .exec_without_returning(&txn)
    .await;
    if let Err(error) = recorded {
        return Err(if db::is_unique_violation(&error) {
            ApiError::conflict(
                ProblemCode::AlreadyVoted,
                "You have already voted in this ballot; a vote is final.",
            )
        } else {
            error.into()
        });
    }
    let receipt = secret_token::generate();
    let mut id = [0u8; 16];
    rand::rng().fill_bytes(&mut id);
    ballot_choice::Entity::insert(ballot_choice::ActiveModel {
        id: Set(uuid::Builder::from_random_bytes(id).into_uuid()),
        prize_id: Set(prize_id),
        application_id: Set(application_id),
        receipt_hash: Set(secret_token::digest(&receipt)),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(Receipt { receipt })
}

/// Whether the ballot with this receipt is in the count of the prize.
pub async fn check_receipt(
    db: &DatabaseConnection,
    prize_id: Uuid,
    code: &str,
) -> Result<(), ApiError> {
    ballot_choice::Entity::find()
        .filter(ballot_choice::Column::PrizeId.eq(prize_id))
        .filter(ballot_choice::Column::ReceiptHash.eq(secret_token::digest(code)))
        .one(db)
        .await?
        .map(|_| ())
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Results {
    pub prize_id: Uuid,
    pub state: BallotState,
    /// Ballots cast so far.
    pub turnout: u64,
    /// The split: staff once closed, everyone once published.
    pub tally: Option<Tally>,
    /// The winner once a tie, if any, is resolved.
    pub winner: Option<Uuid>,
    /// How a tie was resolved.
    pub tie_break_reason: Option<String>,
    /// SHA-256 of every receipt in the count (with the tally).
    pub receipt_hashes: Option<Vec<String>>,
}

/// Turnout only while open (staff); the tally for staff once closed; for everyone once
/// published. Nothing else reveals counts earlier.
pub async fn results(
    db: &DatabaseConnection,
    caller: Option<&Principal>,
    prize_id: Uuid,
) -> Result<Results, ApiError> {
    let (prize, edition) = ballot_prize(db, prize_id).await?;
    editions::find_visible(db, caller, edition.id).await?;
    let staff = match caller {
        Some(caller) => staff::staff_scope(db, caller)
            .await?
            .covers(edition.organization_id),
        None => false,
    };
    let ballot = ensure_ballot(db, prize_id).await?;
    let state = state_of(&ballot, Utc::now());
    let turnout = ballot_voter::Entity::find()
        .filter(ballot_voter::Column::PrizeId.eq(prize_id))
        .count(db)
        .await?;
    let show_tally = match state {
        BallotState::Published => true,
        BallotState::Closed if staff => true,
        _ if staff => false,
        _ => {
            return Err(ApiError::conflict(
                ProblemCode::ResultsNotPublished,
                "The results of this ballot are not published yet.",
            ));
        }
    };
    let (tally, receipt_hashes) = if show_tally {
        let choices = ballot_choice::Entity::find()
            .filter(ballot_choice::Column::PrizeId.eq(prize_id))
            .order_by_asc(ballot_choice::Column::ReceiptHash)
            .all(db)
            .await?;
        let candidates: Vec<Uuid> = candidate_applications(db, &prize)
            .await?
            .into_iter()
            .map(|application| application.id)
            .collect();
        let chosen: Vec<Uuid> = choices.iter().map(|choice| choice.application_id).collect();
        (
            Some(ballot::tally(&candidates, &chosen)),
            Some(
                choices
                    .into_iter()
                    .map(|choice| choice.receipt_hash)
                    .collect(),
            ),
        )
    } else {
        (None, None)
    };
    let winner = tally
        .as_ref()
        .and_then(|tally| match tally.leaders.as_slice() {
            [single] => Some(*single),
            _ => ballot.tie_break_id,
        });
    Ok(Results {
        prize_id,
        state,
        turnout,
        tally,
        winner,
        tie_break_reason: ballot.tie_break_reason,
        receipt_hashes,
    })
}

/// Staff resolve a tie for first place of a closed ballot, with a reason.
pub async fn break_tie(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
    application_id: Uuid,
    reason: String,
) -> Result<Results, ApiError> {
    let txn = db::begin_write(db).await?;
    let (_, _, ballot) = managed(&txn, caller, prize_id).await?;
    txn.commit().await?;
    let current = results(db, Some(caller), prize_id).await?;
    let leaders = current.tally.map(|tally| tally.leaders).unwrap_or_default();
    ballot::check_tie_break(current.state, &leaders)?;
    if !leaders.contains(&application_id) {
        return Err(ApiError::invalid(
            "application_id",
            "invalid_value",
            "must be one of the tied candidates",
        ));
    }
    let txn = db::begin_write(db).await?;
    let mut active = ballot.into_active_model();
    active.tie_break_id = Set(Some(application_id));
    active.tie_break_reason = Set(Some(reason.clone()));
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    audit::record(
        &txn,
        entry(
            caller.id,
            "ballot.tie_broken",
            prize_id,
            json!({ "winner": application_id, "tied": leaders, "reason": reason }),
        ),
    )
    .await?;
    txn.commit().await?;
    results(db, Some(caller), prize_id).await
}

/// Publishes a closed ballot's results (staff); a tie must be resolved first.
pub async fn publish(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
) -> Result<Results, ApiError> {
    // Staff of the prize's organization only: nobody else learns the ballot's state.
    managed(db, caller, prize_id).await?;
    let current = results(db, Some(caller), prize_id).await?;
    let txn = db::begin_write(db).await?;
    let (_, _, ballot) = managed(&txn, caller, prize_id).await?;
    let leaders = current
        .tally
        .as_ref()
        .map(|tally| tally.leaders.clone())
        .unwrap_or_default();
    ballot::check_publication(current.state, &leaders, current.winner)?;
    let mut active = ballot.into_active_model();
    active.state = Set(BallotState::Published);
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    audit::record(
        &txn,
        entry(
            caller.id,
            "ballot.published",
            prize_id,
            json!({ "turnout": current.turnout, "winner": current.winner }),
        ),
    )
    .await?;
    txn.commit().await?;
    results(db, Some(caller), prize_id).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Laureate {
    pub prize_id: Uuid,
    #[schema(example = "Prix du public")]
    pub prize_name: String,
    pub kind: PrizeKind,
    pub sponsors: Vec<String>,
    pub laureate: Candidate,
    /// Honourable mentions.
    pub mentions: Vec<Candidate>,
}

/// The published laureates of an edition: jury and category decisions once the edition's
/// results are published; ballot winners once their ballot is published.
pub async fn laureates(
    db: &DatabaseConnection,
    edition_id: Uuid,
) -> Result<Vec<Laureate>, ApiError> {
    let edition = editions::find_visible(db, None, edition_id).await?;
    let results_out = edition.status >= EditionStatus::ResultsPublished;
    let prizes = prize::Entity::find()
        .filter(prize::Column::EditionId.eq(edition_id))
        .order_by_asc(prize::Column::Position)
        .all(db)
        .await?;
    let mut laureates = Vec::new();
    for prize in prizes {
        let decision = prize_decision::Entity::find_by_id(prize.id).one(db).await?;
        let (winner, mentions) = match (decision, prize.kind) {
            (Some(decision), _) if results_out => (
                Some(decision.laureate_id),
                serde_json::from_str::<Vec<Uuid>>(&decision.mentions).unwrap_or_default(),
            ),
            (None, PrizeKind::Councillors | PrizeKind::Public) => {
                let published = ballot_entity::Entity::find_by_id(prize.id)
                    .one(db)
                    .await?
                    .is_some_and(|b| b.state == BallotState::Published);
                let winner = if published {
                    results(db, None, prize.id).await?.winner
                } else {
                    None
                };
                (winner, Vec::new())
            }
            _ => (None, Vec::new()),
        };
        let Some(winner) = winner else { continue };
        let view = |id: Uuid| async move {
            let model = application::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(ApiError::NotFound)?;
            applications::candidate_view(db, model).await
        };
        let mut mention_views = Vec::new();
        for mention in mentions {
            mention_views.push(view(mention).await?);
        }
        laureates.push(Laureate {
            prize_id: prize.id,
            prize_name: prize.name.clone(),
            kind: prize.kind,
            sponsors: serde_json::from_str(&prize.sponsors).unwrap_or_default(),
            laureate: view(winner).await?,
            mentions: mention_views,
        });
    }
    Ok(laureates)
}

// ----- The councillors of an organization -----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Councillor {
    pub user_id: Uuid,
    #[schema(example = "Collège 2 — syndicats de salariés")]
    pub college: String,
}

/// Changes the college of a councillor on the organization's roster (staff). Nobody is put on
/// a roster from here: the roster import invites them, and they accept.
pub async fn set_councillor(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    user_id: Uuid,
    college: String,
) -> Result<Councillor, ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, organization_id).await?;
    let councillor_role = crate::services::accounts::active_principal(&txn, user_id)
        .await?
        .ok_or(ApiError::NotFound)?
        .has_role(Role::Councillor);
    if !councillor_role {
        return Err(ApiError::conflict(
            ProblemCode::NotACouncillor,
            "Only accounts holding the councillor role can be on the roster.",
        ));
    }
    if councillor::Entity::find_by_id((organization_id, user_id))
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(ApiError::conflict(
            ProblemCode::NotOnRoster,
            "This account is not on the roster: invite it with the roster import; it joins once \
             its holder accepts.",
        ));
    }
    crate::services::roster::put_on_roster(&txn, organization_id, user_id, &college).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_id: Some(caller.id),
            action: "councillor.set",
            target_type: "organization",
            target_id: Some(organization_id.to_string()),
            details: json!({ "user_id": user_id, "college": college }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Councillor { user_id, college })
}

pub async fn councillors(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
) -> Result<Vec<Councillor>, ApiError> {
    staff::ensure_staff(db, caller, organization_id).await?;
    Ok(councillor::Entity::find()
        .filter(councillor::Column::OrganizationId.eq(organization_id))
        .order_by_asc(councillor::Column::UserId)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Councillor {
            user_id: row.user_id,
            college: row.college,
        })
        .collect())
}

pub async fn remove_councillor(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, organization_id).await?;
    // Off the roster, and no pending invitation to come back on it.
    let removed = councillor::Entity::delete_by_id((organization_id, user_id))
        .exec(&txn)
        .await?
        .rows_affected
        > 0;
    let cancelled =
        crate::services::roster::cancel_invitations(&txn, organization_id, user_id).await?;
    if !removed && !cancelled {
        return Err(ApiError::NotFound);
    }
    audit::record(
        &txn,
        AuditEntry {
            actor_id: Some(caller.id),
            action: "councillor.removed",
            target_type: "organization",
            target_id: Some(organization_id.to_string()),
            details: json!({ "user_id": user_id, "invitation_cancelled": cancelled }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveTurnout {
    pub state: BallotState,
    pub turnout: u64,
}

/// What the ceremony screen shows.
pub enum LiveView {
    Turnout(LiveTurnout),
    Published(Results),
}

/// What the ceremony screen shows now: the turnout, or the results once published.
pub async fn live(db: &DatabaseConnection, prize_id: Uuid) -> Result<LiveView, ApiError> {
    let (_, edition) = ballot_prize(db, prize_id).await?;
    editions::find_visible(db, None, edition.id).await?;
    let state = match ballot_entity::Entity::find_by_id(prize_id).one(db).await? {
        Some(ballot) => state_of(&ballot, Utc::now()),
        None => BallotState::Scheduled,
    };
    if state == BallotState::Published {
        return Ok(LiveView::Published(results(db, None, prize_id).await?));
    }
    let turnout = ballot_voter::Entity::find()
        .filter(ballot_voter::Column::PrizeId.eq(prize_id))
        .count(db)
        .await?;
    Ok(LiveView::Turnout(LiveTurnout { state, turnout }))
}
