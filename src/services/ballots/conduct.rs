//! Ballots: how staff conduct them (window, opening, closing, tie-break, publication).
use super::*;
use crate::{
    domain::{edition_lifecycle::check_not_concluded, voter::VoterKeys},
    entities::college,
};

/// Sets the opening and closing times of a scheduled ballot (staff).
pub async fn set_window(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
) -> Result<BallotView, ApiError> {
    let txn = db::begin_write(db).await?;
    let (prize, edition, ballot) = managed(&txn, caller, prize_id).await?;
    ballot::check_window_change(
        state_of(&ballot, prize.kind, edition.status, Utc::now()),
        edition.status,
    )?;
    ballot::check_window(opens_at, closes_at)?;
    let mut active = ballot.into_active_model();
    active.opens_at = Set(opens_at.map(crate::domain::audit_chain::truncate_to_micros));
    active.closes_at = Set(closes_at.map(crate::domain::audit_chain::truncate_to_micros));
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "ballot.window_set",
            "prize",
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
    // Waits for the batches of votes being written; those after it see the new state.
    db::lock_ballots(&txn, &[prize_id], false).await?;
    let (prize, edition, ballot) = managed(&txn, caller, prize_id).await?;
    let current = state_of(&ballot, prize.kind, edition.status, Utc::now());
    ballot::check_manual_step(current, to, edition.status, prize.kind)?;
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
        AuditEntry::by(
            caller.id,
            if to == BallotState::Open {
                "ballot.opened"
            } else {
                "ballot.closed"
            },
            "prize",
            prize_id,
            json!({ "from": current }),
        ),
    )
    .await?;
    txn.commit().await?;
    get(db, prize_id).await
}

/// Staff resolve a tie for first place of a closed ballot, with a reason, before the edition's
/// results are out. The count and the write hold the ballot, as its publication does: a
/// publication racing it sees the tie resolved, or refuses this one.
pub async fn break_tie(
    db: &DatabaseConnection,
    keys: &VoterKeys,
    caller: &Principal,
    prize_id: Uuid,
    application_id: Uuid,
    reason: String,
) -> Result<Results, ApiError> {
    // Staff of the prize's organization only: nobody else learns the ballot's state.
    managed(db, caller, prize_id).await?;
    let txn = db::begin_write(db).await?;
    db::lock_ballots(&txn, &[prize_id], false).await?;
    let (prize, edition, ballot) = managed(&txn, caller, prize_id).await?;
    check_not_concluded(edition.status)?;
    let state = state_of(&ballot, prize.kind, edition.status, Utc::now());
    let leaders = if state == BallotState::Closed {
        count_now(&txn, keys, &prize).await?.leaders
    } else {
        Vec::new()
    };
    ballot::check_tie_break(state, &leaders)?;
    if !leaders.contains(&application_id) {
        return Err(ApiError::invalid(
            "application_id",
            "invalid_value",
            text!("field-one-of-the-tied"),
        ));
    }
    let mut active = ballot.into_active_model();
    active.tie_break_id = Set(Some(application_id));
    active.tie_break_reason = Set(Some(reason.clone()));
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "ballot.tie_broken",
            "prize",
            prize_id,
            json!({ "winner": application_id, "tied": leaders, "reason": reason }),
        ),
    )
    .await?;
    txn.commit().await?;
    results(db, keys, Some(caller), prize_id).await
}

/// Publishes a closed ballot's results (staff); a tie must be resolved first.
pub async fn publish(
    db: &DatabaseConnection,
    keys: &VoterKeys,
    caller: &Principal,
    prize_id: Uuid,
) -> Result<Results, ApiError> {
    // Staff of the prize's organization only: nobody else learns the ballot's state.
    managed(db, caller, prize_id).await?;
    let txn = db::begin_write(db).await?;
    // One publication, of the count as it stands: a second one, or a tie-break, racing it
    // waits, then sees the ballot published.
    db::lock_ballots(&txn, &[prize_id], false).await?;
    let (prize, edition, ballot) = managed(&txn, caller, prize_id).await?;
    let state = state_of(&ballot, prize.kind, edition.status, Utc::now());
    let tally = if state == BallotState::Closed {
        Some(count_now(&txn, keys, &prize).await?)
    } else {
        None
    };
    let leaders = tally
        .as_ref()
        .map(|t| t.leaders.clone())
        .unwrap_or_default();
    let winner = tally
        .as_ref()
        .and_then(|tally| tally.winner(ballot.tie_break_id));
    ballot::check_publication(state, &leaders, winner)?;
    if let Some(tally) = &tally {
        store_count(&txn, prize_id, tally).await?;
    }
    if prize.kind == PrizeKind::Councillors && tally.is_some() {
        let colleges: Vec<(Uuid, String)> = college::Entity::find()
            .filter(college::Column::OrganizationId.eq(edition.organization_id))
            .order_by_asc(college::Column::Position)
            .all(&txn)
            .await?
            .into_iter()
            .map(|college| (college.id, college.name))
            .collect();
        let by_college = count_by_college(&txn, keys, &prize, &colleges).await?;
        store_college_counts(&txn, prize_id, &by_college).await?;
    }
    let turnout = tally.as_ref().map_or(0, |tally| tally.turnout);
    let mut active = ballot.into_active_model();
    active.state = Set(BallotState::Published);
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "ballot.published",
            "prize",
            prize_id,
            json!({ "turnout": turnout, "winner": winner }),
        ),
    )
    .await?;
    txn.commit().await?;
    results(db, keys, Some(caller), prize_id).await
}
