//! Applications: lists for applicants and staff, the export, and the public gallery.
use super::*;

#[derive(Debug, Default)]
pub struct ApplicationFilter {
    pub edition_id: Option<Uuid>,
    pub status: Option<ApplicationStatus>,
    pub eligibility: Option<Eligibility>,
}

/// The caller's own applications, and those of the editions of the organizations they manage.
pub async fn list(
    db: &DatabaseConnection,
    caller: &Principal,
    filter: ApplicationFilter,
    page: PageRequest<Uuid>,
) -> Result<Page<Application>, ApiError> {
    let managed = match staff::staff_scope(db, caller).await? {
        StaffScope::All => Condition::all(),
        StaffScope::Only(ids) => Condition::all().add(
            application::Column::EditionId.in_subquery(
                Query::select()
                    .column(edition::Column::Id)
                    .from(edition::Entity)
                    .and_where(edition::Column::OrganizationId.is_in(ids))
                    .to_owned(),
            ),
        ),
    };
    let mut query = application::Entity::find()
        .filter(
            Condition::any()
                .add(application::Column::ApplicantId.eq(caller.id))
                .add(managed),
        )
        .order_by_asc(application::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(application::Column::Id.gt(after));
    }
    if let Some(edition_id) = filter.edition_id {
        query = query.filter(application::Column::EditionId.eq(edition_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(application::Column::Status.eq(status.as_str()));
    }
    match filter.eligibility {
        Some(Eligibility::Pending) => {
            query = query.filter(application::Column::ReviewDecision.is_null())
        }
        Some(decision) => {
            query = query.filter(application::Column::ReviewDecision.eq(decision.as_str()))
        }
        None => {}
    }
    let mut applications = Vec::new();
    for model in query.all(db).await? {
        applications.push(view(db, model).await?);
    }
    Ok(page.paginate(applications, |application: &Application| {
        application.id.to_string()
    }))
}

/// Every application of an edition (staff), oldest first, for the CSV export.
pub async fn all_of_edition(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
) -> Result<(Vec<String>, Vec<Application>), ApiError> {
    editions::find_managed(db, caller, edition_id).await?;
    let models = application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    let mut applications = Vec::with_capacity(models.len());
    for model in models {
        applications.push(view(db, model).await?);
    }
    Ok((criteria_keys(db, edition_id).await?, applications))
}

/// A candidate as the public gallery shows it: no personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub id: Uuid,
    #[schema(example = "Résonansemble")]
    pub action_title: String,
    pub summary: Option<String>,
    /// Communes where the action takes place.
    #[schema(example = json!(["Lyon", "Villeurbanne"]))]
    pub communes: Vec<String>,
    #[schema(example = "https://www.youtube.com/watch?v=dQw4w9WgXcQ")]
    pub video_url: Option<String>,
    /// Where the video plays embedded, on its host's privacy-enhanced player.
    #[schema(example = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")]
    pub video_embed_url: Option<String>,
    pub shortlisted: bool,
}

/// The candidates the organizer made public (and the shortlisted ones), of a public edition.
pub async fn candidates(
    db: &DatabaseConnection,
    edition_id: Uuid,
) -> Result<Vec<Candidate>, ApiError> {
    editions::find_visible(db, None, edition_id).await?;
    let models = application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .filter(application::Column::Status.eq(ApplicationStatus::Submitted.as_str()))
        .filter(
            Condition::any()
                .add(application::Column::Public.eq(true))
                .add(application::Column::Shortlisted.eq(true)),
        )
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    let mut candidates = Vec::with_capacity(models.len());
    for model in models {
        candidates.push(candidate_view(db, model).await?);
    }
    Ok(candidates)
}

/// The public view of an application.
pub async fn candidate_view(
    db: &impl ConnectionTrait,
    model: application::Model,
) -> Result<Candidate, ApiError> {
    let content = content_of(db, &model).await?;
    Ok(Candidate {
        id: model.id,
        action_title: content.action.action_title.unwrap_or_default(),
        summary: content.action.summary,
        communes: content
            .action
            .locations
            .into_iter()
            .map(|location| location.commune)
            .collect(),
        video_embed_url: content
            .action
            .video_url
            .as_deref()
            .and_then(crate::domain::application::video_embed_url),
        video_url: content.action.video_url,
        shortlisted: model.shortlisted,
    })
}
