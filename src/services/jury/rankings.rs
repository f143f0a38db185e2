//! The jury: rankings.
use super::*;

pub(super) async fn ranking_of(
    db: &impl ConnectionTrait,
    edition: &edition::Model,
    round: Round,
) -> Result<Vec<RankedApplication>, ApiError> {
    let applications = round_applications(db, edition.id, round).await?;
    let reviewers = reviewers(db, edition.id, round, &applications).await?;
    let weights: Vec<(String, f64)> = criterion::Entity::find()
        .filter(criterion::Column::EditionId.eq(edition.id))
        .order_by_asc(criterion::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.key, c.weight))
        .collect();
    let application_ids: Vec<Uuid> = applications
        .iter()
        .map(|application| application.id)
        .collect();
    let cards_models = scorecard::Entity::find()
        .filter(scorecard::Column::ApplicationId.is_in(application_ids))
        .filter(scorecard::Column::Round.eq(round))
        .filter(scorecard::Column::Status.eq(ScorecardStatus::Submitted))
        .all(db)
        .await?;
    let mut cards = Vec::with_capacity(cards_models.len());
    for model in cards_models {
        // Conflicted members' cards are withdrawn on declaration; stay safe anyway.
        if reviewers
            .get(&model.application_id)
            .is_some_and(|set| set.contains(&model.member_id))
        {
            cards.push(Card {
                juror: model.member_id,
                application: model.application_id,
                scores: scores_of(db, model.id).await?,
            });
        }
    }
    let to_rank: Vec<ApplicationToRank> = applications
        .iter()
        .map(|application| ApplicationToRank {
            application: application.id,
            expected: reviewers.get(&application.id).map_or(0, BTreeSet::len),
        })
        .collect();
    Ok(scoring::rank(&weights, &to_rank, &cards))
}

/// Staff, and the jury's president once their own cards of the round are submitted; the
/// president does not see the applications they are conflicted on.
pub async fn rankings(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<RankedApplication>, ApiError> {
    let edition = find_edition(db, edition_id).await?;
    let Actor::Member(member) = reach(db, caller, &edition).await? else {
        return ranking_of(db, &edition, round).await;
    };
    if member.seat != Seat::President {
        return Err(ApiError::Forbidden);
    }
    ensure_own_cards_submitted(db, &edition, &member, round).await?;
    let conflicted = conflicted_applications(db, member.id).await?;
    Ok(scoring::without_applications(
        ranking_of(db, &edition, round).await?,
        &conflicted,
    ))
}

/// The applications a member declared (or staff recorded) a conflict of interest on.
pub(super) async fn conflicted_applications(
    db: &impl ConnectionTrait,
    member_id: Uuid,
) -> Result<BTreeSet<Uuid>, ApiError> {
    Ok(conflict::Entity::find()
        .filter(conflict::Column::MemberId.eq(member_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.application_id)
        .collect())
}

/// A juror sees anything derived from the other jurors' scores of a round (rankings, the jury
/// prize's decision) only once their own cards of that round are all submitted.
pub(super) async fn ensure_own_cards_submitted(
    db: &impl ConnectionTrait,
    edition: &edition::Model,
    member: &jury_member::Model,
    round: Round,
) -> Result<(), ApiError> {
    let applications = round_applications(db, edition.id, round).await?;
    let owed: BTreeSet<Uuid> = reviewers(db, edition.id, round, &applications)
        .await?
        .into_iter()
        .filter(|(_, members)| members.contains(&member.id))
        .map(|(application, _)| application)
        .collect();
    let submitted: BTreeSet<Uuid> = scorecard::Entity::find()
        .filter(scorecard::Column::MemberId.eq(member.id))
        .filter(scorecard::Column::Round.eq(round))
        .filter(scorecard::Column::Status.eq(ScorecardStatus::Submitted))
        .all(db)
        .await?
        .into_iter()
        .map(|card| card.application_id)
        .collect();
    Ok(check_may_see_others_scores(&owed, &submitted)?)
}

/// The round whose ranking informs a prize's decision: the selection for a prize open to every
/// eligible application, the auditions otherwise.
pub(super) fn decision_round(prize: &prize::Model) -> Round {
    match prize.pool {
        CandidatePool::Eligible => Round::Selection,
        _ => Round::Audition,
    }
}
