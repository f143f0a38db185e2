//! The jury: decisions.
use super::*;
use crate::domain::jury_rules::{self, DecisionFacts, Proposal};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Decision {
    pub prize_id: Uuid,
    pub laureate_id: Uuid,
    /// The president's casting vote broke a tie for first place.
    pub casting_vote: bool,
    /// Honourable mentions.
    pub mentions: Vec<Uuid>,
    pub decided_by: Uuid,
    pub decided_at: DateTime<Utc>,
    /// Why a decision was changed.
    pub reason: Option<String>,
}

impl From<prize_decision::Model> for Decision {
    fn from(model: prize_decision::Model) -> Self {
        Self {
            prize_id: model.prize_id,
            laureate_id: model.laureate_id,
            casting_vote: model.casting_vote,
            mentions: serde_json::from_str(&model.mentions).unwrap_or_default(),
            decided_by: model.decided_by,
            decided_at: model.decided_at,
            reason: model.reason,
        }
    }
}

pub struct DecisionRequest {
    pub laureate: Uuid,
    pub casting_vote: bool,
    pub mentions: Vec<Uuid>,
    pub reason: Option<String>,
}

/// The jury's decision on a jury or category prize, by the jury's president or staff.
/// A jury prize goes to the top of the ranking of its pool (a tie for first place needs the
/// president's casting vote), or to another candidate with the deliberation's reason. An
/// existing decision is changed by staff only, with a reason, until results are published.
pub async fn decide(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
    request: DecisionRequest,
) -> Result<Decision, ApiError> {
    let txn = db::begin_write(db).await?;
    let prize = prize::Entity::find_by_id(prize_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    // The edition's stage holds until this decision is written (`editions::transition_in`).
    db::lock_on(&txn, prize.edition_id).await?;
    let edition = find_edition(&txn, prize.edition_id).await?;
    let round = decision_round(&prize);
    let staff = match reach(&txn, caller, &edition).await? {
        Actor::Staff => true,
        Actor::Member(member) if member.seat == Seat::President => {
            // Every answer below is derived from the ranking: the president's own
            // judgement comes first, and a president conflicted on a candidate leaves the
            // decision to staff (its answers would tell how that candidate ranks).
            ensure_own_cards_submitted(&txn, &edition, &member, round).await?;
            let candidates: BTreeSet<Uuid> = round_applications(&txn, edition.id, round)
                .await?
                .iter()
                .map(|application| application.id)
                .collect();
            let conflicted = conflicted_applications(&txn, member.id).await?;
            jury_rules::check_president_free(!conflicted.is_disjoint(&candidates))?;
            false
        }
        Actor::Member(_) => return Err(ApiError::Forbidden),
    };
    let kind = prize.kind;
    let pool: BTreeSet<Uuid> = round_applications(&txn, edition.id, round)
        .await?
        .into_iter()
        .map(|f| f.id)
        .collect();
    let first_place = if kind == PrizeKind::Jury {
        scoring::first_place(&ranking_of(&txn, &edition, round).await?)
    } else {
        Vec::new()
    };
    let existing = prize_decision::Entity::find_by_id(prize_id)
        .one(&txn)
        .await?;
    let facts = DecisionFacts {
        edition: edition.status,
        kind,
        pool: &pool,
        mentions_allowed: prize.mentions_allowed,
        first_place: &first_place,
        already_decided: existing.is_some(),
        staff_with_reason: staff && request.reason.is_some(),
    };
    let proposal = Proposal {
        laureate: request.laureate,
        mentions: &request.mentions,
        casting_vote: request.casting_vote,
        with_reason: request.reason.is_some(),
    };
    jury_rules::check_decision(&facts, &proposal)?;
    let model = prize_decision::ActiveModel {
        prize_id: Set(prize_id),
        laureate_id: Set(request.laureate),
        casting_vote: Set(request.casting_vote),
        mentions: Set(json!(request.mentions).to_string()),
        decided_by: Set(caller.id),
        decided_at: Set(db::now()),
        reason: Set(request.reason.clone()),
    };
    let previous = existing.as_ref().map(|decision| decision.laureate_id);
    prize_decision::Entity::insert(model)
        .on_conflict(
            OnConflict::column(prize_decision::Column::PrizeId)
                .update_columns([
                    prize_decision::Column::LaureateId,
                    prize_decision::Column::CastingVote,
                    prize_decision::Column::Mentions,
                    prize_decision::Column::DecidedBy,
                    prize_decision::Column::DecidedAt,
                    prize_decision::Column::Reason,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    audit::record(&txn, AuditEntry::by(caller.id, "prize.decided", "prize", prize_id, json!({
        "laureate": request.laureate, "casting_vote": request.casting_vote, "mentions": request.mentions,
        "reason": request.reason, "previous_laureate": previous,
    })))
    .await?;
    let decision = prize_decision::Entity::find_by_id(prize_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    txn.commit().await?;
    Ok(decision.into())
}

/// Staff and the edition's jury (the public sees results once published).
pub async fn decision(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
) -> Result<Decision, ApiError> {
    let prize = prize::Entity::find_by_id(prize_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(db, prize.edition_id).await?;
    if let Actor::Member(member) = reach(db, caller, &edition).await? {
        ensure_own_cards_submitted(db, &edition, &member, decision_round(&prize)).await?;
    }
    Ok(prize_decision::Entity::find_by_id(prize_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?
        .into())
}

/// Records the decision of a past edition (the demo's archived editions). Command line only.
pub async fn import_decision(
    db: &DatabaseConnection,
    actor: Uuid,
    prize_id: Uuid,
    laureate: Uuid,
    mentions: &[Uuid],
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    prize_decision::Entity::insert(prize_decision::ActiveModel {
        prize_id: Set(prize_id),
        laureate_id: Set(laureate),
        casting_vote: Set(false),
        mentions: Set(json!(mentions).to_string()),
        decided_by: Set(actor),
        decided_at: Set(db::now()),
        reason: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        AuditEntry::by(
            actor,
            "prize.decision_imported",
            "prize",
            prize_id,
            json!({ "laureate": laureate, "mentions": mentions }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
