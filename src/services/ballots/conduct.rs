//! Ballots: how staff conduct them (window, opening, closing, tie-break, publication).
use super::*;
use crate::{
    domain::{
        edition_lifecycle::check_not_concluded, notification::NotificationKind, voter::VoterKeys,
    },
    entities::college,
    services::notify,
};
use sea_orm::{DatabaseTransaction, sea_query::Expr};

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

/// Opens (`open`) or closes (`closed`) a ballot by hand (staff); an opening is announced
/// (`announce_opening`) with `ballot_url`.
pub async fn set_state(
    db: &DatabaseConnection,
    caller: &Principal,
    prize_id: Uuid,
    to: BallotState,
    ballot_url: &str,
) -> Result<BallotView, ApiError> {
    let txn = db::begin_write(db).await?;
    // Waits for the batches of votes being written; those after it see the new state.
    db::lock_ballots(&txn, &[prize_id], false).await?;
    let (prize, edition, ballot) = managed(&txn, caller, prize_id).await?;
    let current = state_of(&ballot, prize.kind, edition.status, Utc::now());
    ballot::check_manual_step(current, to, edition.status, prize.kind)?;
    // Its window opened it and nobody has said so yet (the pass comes once a minute): it is
    // said now, before its closing, so that every `closed` follows an `opened`.
    let opened_unannounced = to == BallotState::Closed && ballot.state == BallotState::Scheduled;
    let now = db::now();
    let mut active = ballot.into_active_model();
    active.state = Set(to);
    match to {
        // Opened now, whatever time its window said.
        BallotState::Open => active.opens_at = Set(Some(now)),
        // A closed ballot stays closed even if its closing time was later.
        _ => active.closes_at = Set(Some(now)),
    }
    active.updated_at = Set(now);
    let ballot = active.update(&txn).await?;
    if opened_unannounced
        && claim(&txn, prize_id, ballot_entity::Column::OpeningAnnouncedAt).await?
    {
        audit::record(
            &txn,
            by_window("ballot.opened", prize_id, BallotState::Scheduled),
        )
        .await?;
    }
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
    if to == BallotState::Open {
        announce_opening(&txn, &prize, &edition, &ballot, ballot_url).await?;
    }
    txn.commit().await?;
    get(db, prize_id).await
}

/// Announces, once whoever opened it, that a ballot is open: the opening is recorded on the
/// ballot, and the councillors on the organizer's roster are told of their ballot with the
/// link to vote (`ballot_url`, the prize's id appended). False when it was announced already.
pub async fn announce_opening(
    txn: &DatabaseTransaction,
    prize: &prize::Model,
    edition: &edition::Model,
    ballot: &ballot_entity::Model,
    ballot_url: &str,
) -> Result<bool, ApiError> {
    if !claim(txn, prize.id, ballot_entity::Column::OpeningAnnouncedAt).await? {
        return Ok(false);
    }
    if prize.kind != PrizeKind::Councillors {
        return Ok(true);
    }
    let councillors = councillor::Entity::find()
        .filter(councillor::Column::OrganizationId.eq(edition.organization_id))
        .order_by_asc(councillor::Column::UserId)
        .all(txn)
        .await?;
    let link = format!("{ballot_url}{}", prize.id);
    let closes = ballot.closes_at.map(notify::paris_time);
    for councillor in councillors {
        let values = |lang| {
            json!({
                "prize": PrizeName::of(prize).in_language(lang).localized_prize_name,
                "link": link,
                "closes": closes,
            })
        };
        notify::send(
            txn,
            edition,
            NotificationKind::BallotOpened,
            Some(councillor.user_id),
            values,
            None,
        )
        .await?;
    }
    Ok(true)
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
    // Published after the edition's results: its laureate is news of its own.
    if edition.status >= EditionStatus::ResultsPublished {
        announce_laureates(&txn, keys, &edition, Some(prize_id)).await?;
    }
    txn.commit().await?;
    results(db, keys, Some(caller), prize_id).await
}

/// Announces every ballot its window opened by `now` and nobody announced yet
/// (`announce_opening`), each in its own transaction: an opening by the window is audited, with
/// no actor, as staff's opening is. The number announced.
pub async fn announce_due_openings(
    db: &DatabaseConnection,
    ballot_url: &str,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let due = ballot_entity::Entity::find()
        .filter(ballot_entity::Column::OpeningAnnouncedAt.is_null())
        .filter(ballot_entity::Column::State.is_in([BallotState::Scheduled, BallotState::Open]))
        .filter(ballot_entity::Column::OpensAt.lte(now))
        .order_by_asc(ballot_entity::Column::PrizeId)
        .all(db)
        .await?;
    let mut announced = 0;
    for candidate in due {
        let txn = db::begin_write(db).await?;
        let Some((prize, edition, ballot)) = reloaded(&txn, candidate.prize_id).await? else {
            continue;
        };
        if state_of(&ballot, prize.kind, edition.status, now) != BallotState::Open
            || !announce_opening(&txn, &prize, &edition, &ballot, ballot_url).await?
        {
            continue;
        }
        if ballot.state == BallotState::Scheduled {
            audit::record(&txn, by_window("ballot.opened", prize.id, ballot.state)).await?;
        }
        txn.commit().await?;
        announced += 1;
    }
    Ok(announced)
}

/// Announces every ballot that was announced open and that its window closed by `now` (its
/// state still the one staff left it in), each in its own transaction and once: audited with no
/// actor, as staff's closing is, so that its webhook fires. The number announced.
pub async fn announce_due_closings(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let due = ballot_entity::Entity::find()
        .filter(ballot_entity::Column::ClosingAnnouncedAt.is_null())
        .filter(ballot_entity::Column::OpeningAnnouncedAt.is_not_null())
        .filter(ballot_entity::Column::State.is_in([BallotState::Scheduled, BallotState::Open]))
        .filter(ballot_entity::Column::ClosesAt.lte(now))
        .order_by_asc(ballot_entity::Column::PrizeId)
        .all(db)
        .await?;
    let mut announced = 0;
    for candidate in due {
        let txn = db::begin_write(db).await?;
        let Some((prize, edition, ballot)) = reloaded(&txn, candidate.prize_id).await? else {
            continue;
        };
        if state_of(&ballot, prize.kind, edition.status, now) != BallotState::Closed
            || !claim(&txn, prize.id, ballot_entity::Column::ClosingAnnouncedAt).await?
        {
            continue;
        }
        audit::record(
            &txn,
            by_window("ballot.closed", prize.id, BallotState::Open),
        )
        .await?;
        txn.commit().await?;
        announced += 1;
    }
    Ok(announced)
}

/// A ballot found due, read again under its lock (staff opening or closing it by hand meanwhile
/// wait, or are waited for): its prize, its edition and itself.
async fn reloaded(
    txn: &DatabaseTransaction,
    prize_id: Uuid,
) -> Result<Option<(prize::Model, edition::Model, ballot_entity::Model)>, ApiError> {
    db::lock_ballots(txn, &[prize_id], false).await?;
    let (prize, edition) = ballot_prize(txn, prize_id).await?;
    let ballot = ballot_entity::Entity::find_by_id(prize_id).one(txn).await?;
    Ok(ballot.map(|ballot| (prize, edition, ballot)))
}

/// Records that the ballot's announcement kept in `column` is made: false when it was already.
async fn claim(
    txn: &DatabaseTransaction,
    prize_id: Uuid,
    column: ballot_entity::Column,
) -> Result<bool, ApiError> {
    let claimed = ballot_entity::Entity::update_many()
        .col_expr(column, Expr::value(db::now()))
        .filter(ballot_entity::Column::PrizeId.eq(prize_id))
        .filter(column.is_null())
        .exec(txn)
        .await?
        .rows_affected;
    Ok(claimed == 1)
}

/// What a ballot's window did (`action`), from the state `from`: audited with no actor.
fn by_window(action: &'static str, prize_id: Uuid, from: BallotState) -> AuditEntry {
    AuditEntry {
        actor_id: None,
        action,
        target_type: "prize",
        target_id: Some(prize_id.to_string()),
        details: json!({ "from": from, "by": "window" }),
    }
}
