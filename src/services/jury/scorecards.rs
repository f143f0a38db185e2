//! The jury: scorecards.
use super::*;
use crate::domain::jury_rules::{self, ScoringFacts};
use crate::domain::refusal::ProblemCode;
use crate::{
    domain::{
        calendar,
        notification::{self, NotificationKind},
    },
    entities::scoring_reminder,
    services::notify,
};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scorecard {
    pub id: Uuid,
    pub application_id: Uuid,
    pub user_id: Uuid,
    pub round: Round,
    /// `draft`, `submitted`, or `withdrawn` (a conflict recorded after submission: kept, out
    /// of every aggregate).
    #[schema(example = "submitted")]
    pub status: ScorecardStatus,
    #[schema(example = json!({"general_interest": 16, "reproducibility": 12}))]
    pub scores: BTreeMap<String, i32>,
    pub comment: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

pub(super) async fn scores_of(
    db: &impl ConnectionTrait,
    scorecard_id: Uuid,
) -> Result<BTreeMap<String, i32>, ApiError> {
    Ok(score::Entity::find()
        .filter(score::Column::ScorecardId.eq(scorecard_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.criterion_key, row.value))
        .collect())
}

pub(super) async fn scorecard_view(
    db: &impl ConnectionTrait,
    model: scorecard::Model,
    user_id: Uuid,
) -> Result<Scorecard, ApiError> {
    Ok(Scorecard {
        scores: scores_of(db, model.id).await?,
        id: model.id,
        application_id: model.application_id,
        user_id,
        round: model.round,
        status: model.status,
        comment: model.comment,
        submitted_at: model.submitted_at,
    })
}

/// The scoring context of a member on an application: checks every rule before a scorecard is written.
pub(super) async fn scoring_context(
    db: &impl ConnectionTrait,
    caller: &Principal,
    application_id: Uuid,
    round: Round,
) -> Result<(edition::Model, jury_member::Model, Vec<String>, ScoreScale), ApiError> {
    let application = application::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(db, application.edition_id).await?;
    let member = membership(db, edition.id, caller.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let applications = round_applications(db, edition.id, round).await?;
    if !applications
        .iter()
        .any(|candidate| candidate.id == application.id)
    {
        return Err(ApiError::NotFound);
    }
    let reviewers = reviewers(db, edition.id, round, &applications).await?;
    jury_rules::check_scoring(&ScoringFacts {
        round,
        edition: edition.status,
        conflicted: conflicted_members(db, application.id)
            .await?
            .contains(&member.id),
        assigned: reviewers
            .get(&application.id)
            .is_some_and(|set| set.contains(&member.id)),
    })?;
    let criteria = editions::criteria_of(db, edition.id)
        .await?
        .into_iter()
        .map(|c| c.key)
        .collect();
    let scale = ScoreScale {
        min: edition.score_min,
        max: edition.score_max,
    };
    Ok((edition, member, criteria, scale))
}

pub(super) async fn own_scorecard(
    db: &impl ConnectionTrait,
    application_id: Uuid,
    member_id: Uuid,
    round: Round,
) -> Result<Option<scorecard::Model>, ApiError> {
    Ok(scorecard::Entity::find()
        .filter(scorecard::Column::ApplicationId.eq(application_id))
        .filter(scorecard::Column::MemberId.eq(member_id))
        .filter(scorecard::Column::Round.eq(round))
        .one(db)
        .await?)
}

/// Saves the caller's draft scorecard (scores may be partial in a draft, but each must be
/// within the scale and name a criterion).
pub async fn save_scorecard(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
    round: Round,
    scores: BTreeMap<String, i32>,
    comment: String,
) -> Result<Scorecard, ApiError> {
    let txn = db::begin_write(db).await?;
    let (_, member, criteria, scale) = scoring_context(&txn, caller, application_id, round).await?;
    let errors: Vec<_> = scoring::check_scores(&scores, &criteria, scale)
        .into_iter()
        .filter(|error| error.code != "required")
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = db::now();
    let existing = own_scorecard(&txn, application_id, member.id, round).await?;
    jury_rules::check_card_open(existing.as_ref().map(|card| card.status))?;
    let model = match existing {
        Some(existing) => {
            let mut active = existing.into_active_model();
            active.comment = Set(comment);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            let id = Uuid::now_v7();
            scorecard::Entity::insert(scorecard::ActiveModel {
                id: Set(id),
                application_id: Set(application_id),
                member_id: Set(member.id),
                round: Set(round),
                status: Set(ScorecardStatus::Draft),
                comment: Set(comment),
                submitted_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await
            .map_err(|error| {
                if db::is_unique_violation(&error) {
                    ApiError::conflict(ProblemCode::ScorecardExists, text!("scorecard-exists"))
                } else {
                    error.into()
                }
            })?;
            scorecard::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(ApiError::NotFound)?
        }
    };
    score::Entity::delete_many()
        .filter(score::Column::ScorecardId.eq(model.id))
        .exec(&txn)
        .await?;
    if !scores.is_empty() {
        score::Entity::insert_many(scores.iter().map(|(key, value)| score::ActiveModel {
            scorecard_id: Set(model.id),
            criterion_key: Set(key.clone()),
            value: Set(*value),
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    let view = scorecard_view(&txn, model, caller.id).await?;
    txn.commit().await?;
    Ok(view)
}

/// Submits the caller's complete scorecard; it is then locked.
pub async fn submit_scorecard(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
    round: Round,
) -> Result<Scorecard, ApiError> {
    let txn = db::begin_write(db).await?;
    let (_, member, criteria, scale) = scoring_context(&txn, caller, application_id, round).await?;
    let model = own_scorecard(&txn, application_id, member.id, round)
        .await?
        .ok_or(ApiError::NotFound)?;
    jury_rules::check_card_open(Some(model.status))?;
    let errors = scoring::check_scores(&scores_of(&txn, model.id).await?, &criteria, scale);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut active = model.into_active_model();
    active.status = Set(ScorecardStatus::Submitted);
    active.submitted_at = Set(Some(db::now()));
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "scorecard.submitted",
            "application",
            application_id,
            json!({ "round": round, "scorecard_id": model.id }),
        ),
    )
    .await?;
    let view = scorecard_view(&txn, model, caller.id).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn reopen_scorecard(
    db: &DatabaseConnection,
    caller: &Principal,
    scorecard_id: Uuid,
    reason: String,
) -> Result<Scorecard, ApiError> {
    let txn = db::begin_write(db).await?;
    let model = scorecard::Entity::find_by_id(scorecard_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let member = jury_member::Entity::find_by_id(model.member_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    managed_running(&txn, caller, member.edition_id).await?;
    jury_rules::check_card_reopenable(model.status)?;
    let mut active = model.into_active_model();
    active.status = Set(ScorecardStatus::Draft);
    active.submitted_at = Set(None);
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "scorecard.reopened",
            "application",
            model.application_id,
            json!({ "scorecard_id": scorecard_id, "reason": reason }),
        ),
    )
    .await?;
    let view = scorecard_view(&txn, model, member.user_id).await?;
    txn.commit().await?;
    Ok(view)
}

/// The scorecards of an application. Staff see them all; a jury member sees the submitted ones only
/// once their own is submitted, and nothing on an application they are conflicted on.
pub async fn scorecards(
    db: &DatabaseConnection,
    caller: &Principal,
    application_id: Uuid,
    round: Round,
) -> Result<Vec<Scorecard>, ApiError> {
    let application = application::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = find_edition(db, application.edition_id).await?;
    let staff = match reach(db, caller, &edition).await? {
        Actor::Staff => true,
        Actor::Member(member) => {
            if conflicted_members(db, application.id)
                .await?
                .contains(&member.id)
            {
                return Err(ApiError::NotFound);
            }
            let own = own_scorecard(db, application.id, member.id, round).await?;
            let submitted: BTreeSet<Uuid> = own
                .filter(|card| card.status == ScorecardStatus::Submitted)
                .map(|card| card.application_id)
                .into_iter()
                .collect();
            check_may_see_others_scores(&BTreeSet::from([application.id]), &submitted)?;
            false
        }
    };
    let members: HashMap<Uuid, Uuid> = jury_members_of(db, edition.id)
        .await?
        .into_iter()
        .map(|m| (m.id, m.user_id))
        .collect();
    let mut query = scorecard::Entity::find()
        .filter(scorecard::Column::ApplicationId.eq(application.id))
        .filter(scorecard::Column::Round.eq(round));
    if !staff {
        query = query.filter(scorecard::Column::Status.eq(ScorecardStatus::Submitted));
    }
    let mut result = Vec::new();
    for model in query.order_by_asc(scorecard::Column::Id).all(db).await? {
        let user_id = members.get(&model.member_id).copied().unwrap_or_default();
        result.push(scorecard_view(db, model, user_id).await?);
    }
    Ok(result)
}

/// The files of `round` each juror still has to score: those they review (assigned, or every
/// file when the round uses no assignments; never one they are conflicted on) without a
/// submitted scorecard, by the juror's account, with the files' titles.
pub async fn files_left(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
    round: Round,
) -> Result<BTreeMap<Uuid, Vec<String>>, ApiError> {
    let applications = round_applications(db, edition_id, round).await?;
    let reviewers = reviewers(db, edition_id, round, &applications).await?;
    let accounts: HashMap<Uuid, Uuid> = jury_members_of(db, edition_id)
        .await?
        .into_iter()
        .map(|member| (member.id, member.user_id))
        .collect();
    let submitted: BTreeSet<(Uuid, Uuid)> = scorecard::Entity::find()
        .filter(scorecard::Column::Round.eq(round))
        .filter(scorecard::Column::Status.eq(ScorecardStatus::Submitted))
        .filter(
            scorecard::Column::ApplicationId
                .is_in(applications.iter().map(|application| application.id)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|card| (card.member_id, card.application_id))
        .collect();
    let mut left: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
    for application in &applications {
        for member in &reviewers[&application.id] {
            if !submitted.contains(&(*member, application.id))
                && let Some(account) = accounts.get(member)
            {
                left.entry(*account)
                    .or_default()
                    .push(application.action_title.clone().unwrap_or_default());
            }
        }
    }
    Ok(left)
}

/// Reminds the jurors of every edition whose round's scoring deadline is `days_before` days
/// away or nearer (`notification::reminder_due`) of the files they have left, once per edition
/// and round: the reminder is claimed in the transaction that sends it. The number of editions
/// reminded.
pub async fn remind_due(
    db: &DatabaseConnection,
    days_before: u32,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let scoring = edition::Entity::find()
        .filter(edition::Column::Status.is_in([EditionStatus::Selection, EditionStatus::Audition]))
        .order_by_asc(edition::Column::Id)
        .all(db)
        .await?;
    let mut reminded = 0;
    for edition in scoring {
        let Some(round) = Round::scored_at(edition.status) else {
            continue;
        };
        let deadline = round.deadline(&editions::calendar_of(&edition));
        let due = deadline.is_some_and(|deadline| {
            notification::reminder_due(calendar::today(now), deadline, days_before)
        });
        if !due
            || !notification::is_sent(
                NotificationKind::ScoringReminder,
                &notify::switched_off(&edition),
            )
        {
            continue;
        }
        let txn = db::begin_write(db).await?;
        let claimed = scoring_reminder::Entity::insert(scoring_reminder::ActiveModel {
            edition_id: Set(edition.id),
            round: Set(round),
            sent_at: Set(db::now()),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(&txn)
        .await?;
        if !matches!(claimed, sea_orm::TryInsertResult::Inserted(rows) if rows > 0) {
            continue;
        }
        for (juror, titles) in files_left(&txn, edition.id, round).await? {
            notify::juror_files(
                &txn,
                &edition,
                NotificationKind::ScoringReminder,
                (round, deadline),
                juror,
                &titles,
            )
            .await?;
        }
        txn.commit().await?;
        reminded += 1;
    }
    Ok(reminded)
}
