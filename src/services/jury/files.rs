//! The jury: files as the jury sees them.
use super::*;
use crate::domain::application::ActionPresentation;

/// A file as the jury sees it: no contact details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JuryFile {
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

pub async fn files_for_jury(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    round: Round,
) -> Result<Vec<JuryFile>, ApiError> {
    let edition = find_edition(db, edition_id).await?;
    let member = membership(db, edition_id, caller.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let files = round_files(db, edition.id, round).await?;
    let reviewers = reviewers(db, edition.id, round, &files).await?;
    let mut result = Vec::with_capacity(files.len());
    for file in files {
        let content = applications::content_of(db, &file).await?;
        let mine = scorecard::Entity::find()
            .filter(scorecard::Column::ApplicationId.eq(file.id))
            .filter(scorecard::Column::MemberId.eq(member.id))
            .filter(scorecard::Column::Round.eq(round))
            .one(db)
            .await?;
        result.push(JuryFile {
            application_id: file.id,
            action: content.action,
            shortlisted: file.shortlisted,
            audition: audition_of(db, file.id).await?,
            to_score: reviewers
                .get(&file.id)
                .is_some_and(|set| set.contains(&member.id)),
            conflict: conflicted_members(db, file.id).await?.contains(&member.id),
            my_scorecard: mine.map(|card| card.status),
        });
    }
    Ok(result)
}
