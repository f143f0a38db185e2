//! The jury: rounds and assignments.
use super::*;
use crate::{domain::notification::NotificationKind, services::notify};

/// The applications of a round: eligible applications for the selection, shortlisted ones for the audition.
pub async fn round_applications(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<application::Model>, ApiError> {
    let mut query = application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .filter(application::Column::Status.eq(ApplicationStatus::Submitted.as_str()));
    query = match round {
        Round::Selection => {
            query.filter(application::Column::ReviewDecision.eq(Eligibility::Eligible.as_str()))
        }
        Round::Audition => query.filter(application::Column::Shortlisted.eq(true)),
    };
    Ok(query.order_by_asc(application::Column::Id).all(db).await?)
}

/// Who should score each application of the round: its assigned reviewers when the round uses
/// assignments, every member otherwise; never a conflicted member.
pub(super) async fn reviewers(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
    round: Round,
    applications: &[application::Model],
) -> Result<HashMap<Uuid, BTreeSet<Uuid>>, ApiError> {
    let members: BTreeSet<Uuid> = jury_members_of(db, edition_id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let application_ids: Vec<Uuid> = applications
        .iter()
        .map(|application| application.id)
        .collect();
    let assignments = review_assignment::Entity::find()
        .filter(review_assignment::Column::Round.eq(round))
        .filter(review_assignment::Column::ApplicationId.is_in(application_ids.clone()))
        .all(db)
        .await?;
    let conflicts = conflict::Entity::find()
        .filter(conflict::Column::ApplicationId.is_in(application_ids))
        .all(db)
        .await?;
    let uses_assignments = !assignments.is_empty();
    let mut result = HashMap::new();
    for application in applications {
        let mut set: BTreeSet<Uuid> = if uses_assignments {
            assignments
                .iter()
                .filter(|a| a.application_id == application.id)
                .map(|a| a.member_id)
                .collect()
        } else {
            members.clone()
        };
        for row in conflicts
            .iter()
            .filter(|c| c.application_id == application.id)
        {
            set.remove(&row.member_id);
        }
        result.insert(application.id, set);
    }
    Ok(result)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    pub round: Round,
    pub application_id: Uuid,
    pub user_id: Uuid,
}

/// Assigns `per_file` reviewers to every file of the round, balancing the load and never
/// assigning a conflicted member. Replaces the round's previous assignments.
pub async fn assign(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
    per_file: usize,
) -> Result<Vec<Assignment>, ApiError> {
    let txn = db::begin_write(db).await?;
    let edition = managed_running(&txn, caller, edition_id).await?;
    // The edition's assignments are replaced, or adjusted, one writer at a time.
    db::lock_on(&txn, edition_id).await?;
    let members = jury_members_of(&txn, edition_id).await?;
    check_assignment(members.len(), false)?;
    let applications = round_applications(&txn, edition_id, round).await?;
    let application_ids: Vec<Uuid> = applications
        .iter()
        .map(|application| application.id)
        .collect();
    let before = files_by_member(
        review_assignment::Entity::find()
            .filter(review_assignment::Column::Round.eq(round))
            .filter(review_assignment::Column::ApplicationId.is_in(application_ids.clone()))
            .all(&txn)
            .await?
            .into_iter()
            .map(|row| (row.member_id, row.application_id)),
    );
    review_assignment::Entity::delete_many()
        .filter(review_assignment::Column::Round.eq(round))
        .filter(review_assignment::Column::ApplicationId.is_in(application_ids))
        .exec(&txn)
        .await?;
    let mut load: BTreeMap<Uuid, usize> = members.iter().map(|m| (m.id, 0)).collect();
    let mut rows = Vec::new();
    for application in &applications {
        let conflicted = conflicted_members(&txn, application.id).await?;
        let mut candidates: Vec<(usize, Uuid)> = load
            .iter()
            .filter(|(member, _)| !conflicted.contains(member))
            .map(|(member, count)| (*count, *member))
            .collect();
        candidates.sort();
        for (_, member) in candidates.into_iter().take(per_file) {
            *load.get_mut(&member).expect("member is loaded") += 1;
            rows.push(review_assignment::ActiveModel {
                round: Set(round),
                application_id: Set(application.id),
                member_id: Set(member),
            });
        }
    }
    let after = files_by_member(
        rows.iter()
            .map(|row| (*row.member_id.as_ref(), *row.application_id.as_ref())),
    );
    if !rows.is_empty() {
        review_assignment::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    // Each juror whose files changed hears which are now theirs.
    for member in &members {
        let files = after.get(&member.id);
        if files.is_some() && files != before.get(&member.id) {
            let titles: Vec<String> = applications
                .iter()
                .filter(|application| files.is_some_and(|files| files.contains(&application.id)))
                .map(|application| application.action_title.clone().unwrap_or_default())
                .collect();
            tell_assigned(&txn, &edition, round, member, &titles).await?;
        }
    }
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "jury.reviewers_assigned",
            "edition",
            edition_id,
            json!({ "round": round, "per_file": per_file }),
        ),
    )
    .await?;
    let result = assignments_of(&txn, edition_id, round).await?;
    txn.commit().await?;
    Ok(result)
}

/// Tells `member` the files of `round` given to them (`titles`), and the round's deadline.
async fn tell_assigned(
    txn: &impl ConnectionTrait,
    edition: &edition::Model,
    round: Round,
    member: &jury_member::Model,
    titles: &[String],
) -> Result<(), ApiError> {
    let deadline = round.deadline(&editions::calendar_of(edition));
    let kind = NotificationKind::FilesAssigned;
    notify::juror_files(
        txn,
        edition,
        kind,
        (round, deadline),
        member.user_id,
        titles,
    )
    .await
}

/// (member, application) pairs gathered by member.
fn files_by_member(pairs: impl Iterator<Item = (Uuid, Uuid)>) -> HashMap<Uuid, BTreeSet<Uuid>> {
    let mut files: HashMap<Uuid, BTreeSet<Uuid>> = HashMap::new();
    for (member, application) in pairs {
        files.entry(member).or_default().insert(application);
    }
    files
}

pub(super) async fn assignments_of(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<Assignment>, ApiError> {
    let members: HashMap<Uuid, Uuid> = jury_members_of(db, edition_id)
        .await?
        .into_iter()
        .map(|m| (m.id, m.user_id))
        .collect();
    Ok(review_assignment::Entity::find()
        .filter(review_assignment::Column::Round.eq(round))
        .filter(review_assignment::Column::MemberId.is_in(members.keys().copied()))
        .order_by_asc(review_assignment::Column::ApplicationId)
        .order_by_asc(review_assignment::Column::MemberId)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Assignment {
            round,
            application_id: row.application_id,
            user_id: members[&row.member_id],
        })
        .collect())
}

pub async fn assignments(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<Assignment>, ApiError> {
    editions::find_managed(db, caller, edition_id).await?;
    assignments_of(db, edition_id, round).await
}

/// Adds (`assigned`) or removes one reviewer by hand.
pub async fn adjust_assignment(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
    application_id: Uuid,
    user_id: Uuid,
    assigned: bool,
) -> Result<(), ApiError> {
    let txn = db::begin_write(db).await?;
    let edition = managed_running(&txn, caller, edition_id).await?;
    db::lock_on(&txn, edition_id).await?;
    let member = membership(&txn, edition_id, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let application = application::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
        .filter(|f| f.edition_id == edition_id)
        .ok_or(ApiError::NotFound)?;
    let key = (round, application.id, member.id);
    if assigned {
        let conflicted = conflicted_members(&txn, application.id)
            .await?
            .contains(&member.id);
        check_assignment(1, conflicted)?;
        let inserted = review_assignment::Entity::insert(review_assignment::ActiveModel {
            round: Set(round),
            application_id: Set(application.id),
            member_id: Set(member.id),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(&txn)
        .await?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(rows) if rows > 0) {
            let title = application.action_title.clone().unwrap_or_default();
            tell_assigned(&txn, &edition, round, &member, &[title]).await?;
        }
    } else if review_assignment::Entity::delete_by_id(key)
        .exec(&txn)
        .await?
        .rows_affected
        == 0
    {
        return Err(ApiError::NotFound);
    }
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "jury.assignment_adjusted",
            "application",
            application_id,
            json!({ "round": round, "user_id": user_id, "assigned": assigned }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
