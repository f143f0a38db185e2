//! The jury: the applications as the jury reads them.
use super::*;
use crate::domain::application::ActionPresentation;

/// An application as the jury sees it: no contact details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JuryApplication {
    pub application_id: Uuid,
    #[serde(flatten)]
    pub action: ActionPresentation,
    pub shortlisted: bool,
    pub audition: Option<AuditionSlot>,
    /// Whether the caller is expected to score it.
    pub to_score: bool,
    /// The caller declared a conflict of interest on it.
    pub conflict: bool,
    /// The status of the caller's scorecard, if any.
    pub my_scorecard: Option<ScorecardStatus>,
}

pub async fn applications_for_jury(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<JuryApplication>, ApiError> {
    let edition = find_edition(db, edition_id).await?;
    let member = membership(db, edition_id, caller.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let round_of = round_applications(db, edition.id, round).await?;
    let reviewers = reviewers(db, edition.id, round, &round_of).await?;
    let mut result = Vec::with_capacity(round_of.len());
    for application in round_of {
        let content = applications::content_of(db, &application).await?;
        let mine = scorecard::Entity::find()
            .filter(scorecard::Column::ApplicationId.eq(application.id))
            .filter(scorecard::Column::MemberId.eq(member.id))
            .filter(scorecard::Column::Round.eq(round))
            .one(db)
            .await?;
        result.push(JuryApplication {
            application_id: application.id,
            action: content.action,
            shortlisted: application.shortlisted,
            audition: audition_of(db, application.id).await?,
            to_score: reviewers
                .get(&application.id)
                .is_some_and(|set| set.contains(&member.id)),
            conflict: conflicted_members(db, application.id)
                .await?
                .contains(&member.id),
            my_scorecard: mine.map(|card| card.status),
        });
    }
    Ok(result)
}
