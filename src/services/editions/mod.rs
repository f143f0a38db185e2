//! Editions with their calendar, criteria and prizes, and the lifecycle transitions.
use crate::domain::{
    Lang, language::in_language, notification::NotificationKind, refusal::ProblemCode,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Principal,
    db,
    domain::{
        ballot::{self as ballot_rules, BallotState},
        calendar::Calendar,
        edition::{
            CandidatePool, CriterionSpec, DateRange, EditionSettings, EditionStatus, PrizeKind,
            PrizeSpec, ScoreScale, SettingsPart,
        },
        edition_lifecycle::{self, EditionFacts},
        pagination::{Page, PageRequest},
    },
    entities::{ballot, criterion, edition as edition_entity, organization, prize},
    error::ApiError,
    services::{
        audit::{self, AuditEntry},
        lookups,
        organizations::split_codes,
        staff::{self, StaffScope},
    },
};

mod settings;
pub use settings::*;

/// An edition's texts in one language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EditionTexts {
    #[schema(example = "CESER Prize 2026")]
    pub title: String,
    pub theme: Option<String>,
}

impl EditionTexts {
    pub fn of(
        lang: Lang,
        title: &str,
        title_en: Option<&str>,
        theme: Option<&str>,
        theme_en: Option<&str>,
    ) -> Self {
        EditionTexts {
            title: in_language(lang, title, title_en).to_owned(),
            theme: theme.map(|theme| in_language(lang, theme, theme_en).to_owned()),
        }
    }
}

/// A prize's texts in one language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrizeTexts {
    #[schema(example = "Jury's prize")]
    pub name: String,
    pub description: Option<String>,
}

impl PrizeTexts {
    pub fn of(
        lang: Lang,
        name: &str,
        name_en: Option<&str>,
        description: Option<&str>,
        description_en: Option<&str>,
    ) -> Self {
        PrizeTexts {
            name: in_language(lang, name, name_en).to_owned(),
            description: description.map(|text| in_language(lang, text, description_en).to_owned()),
        }
    }
}

/// A criterion's texts in one language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionTexts {
    #[schema(example = "General interest")]
    pub label: String,
    pub description: String,
}

impl CriterionTexts {
    /// `labels`: the French and the English one.
    pub fn of(
        lang: Lang,
        (label_fr, label_en): (&str, Option<&str>),
        description: &str,
        description_en: Option<&str>,
    ) -> Self {
        CriterionTexts {
            label: in_language(lang, label_fr, label_en).to_owned(),
            description: in_language(lang, description, description_en).to_owned(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Criterion {
    pub id: Uuid,
    #[schema(example = "general_interest")]
    pub key: String,
    #[schema(example = "Intérêt général")]
    pub label_fr: String,
    /// The label in English as written (null: none).
    #[schema(example = "General interest")]
    pub label_en: Option<String>,
    pub description: String,
    /// The description in English as written (null: none).
    pub description_en: Option<String>,
    /// The label and the description in the answer's language (`Content-Language`): the
    /// English where written, else the French.
    pub localized: CriterionTexts,
    #[schema(example = 1.0)]
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Prize {
    pub id: Uuid,
    pub edition_id: Uuid,
    pub kind: PrizeKind,
    #[schema(example = "Prix du jury")]
    pub name: String,
    /// The name in English as written (null: none).
    #[schema(example = "Jury's prize")]
    pub name_en: Option<String>,
    /// What the prize rewards.
    pub description: Option<String>,
    /// The description in English as written (null: none).
    pub description_en: Option<String>,
    /// The name and the description in the answer's language (`Content-Language`): the
    /// English where written, else the French.
    pub localized: PrizeTexts,
    pub sponsors: Vec<String>,
    pub pool: CandidatePool,
    pub laureate_count: i32,
    pub mentions_allowed: bool,
}

impl From<prize::Model> for Prize {
    fn from(model: prize::Model) -> Self {
        Self {
            id: model.id,
            edition_id: model.edition_id,
            kind: model.kind,
            localized: PrizeTexts::of(
                Lang::default(),
                &model.name,
                model.name_en.as_deref(),
                model.description.as_deref(),
                model.description_en.as_deref(),
            ),
            name: model.name,
            name_en: model.name_en,
            description: model.description,
            description_en: model.description_en,
            sponsors: serde_json::from_str(&model.sponsors).unwrap_or_default(),
            pool: model.pool,
            laureate_count: model.laureate_count,
            mentions_allowed: model.mentions_allowed,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Edition {
    pub id: Uuid,
    pub organization_id: Uuid,
    #[schema(example = 6)]
    pub number: i32,
    #[schema(example = 2026)]
    pub year: i32,
    #[schema(example = "Prix du CESER 2026")]
    pub title: String,
    pub theme: Option<String>,
    /// The title in English as written (null: none).
    #[schema(example = "CESER Prize 2026")]
    pub title_en: Option<String>,
    /// The theme in English as written (null: none).
    pub theme_en: Option<String>,
    /// The title and the theme in the answer's language (`Content-Language`): the English where
    /// written, else the French. `title` and `theme` stay the French as written, whatever the
    /// language: what a front end sends back keeps it.
    pub localized: EditionTexts,
    /// Actions must have taken place within this window.
    pub action_window: DateRange,
    /// Where actions must take place (at least one location).
    pub departements: Vec<String>,
    #[schema(example = 5)]
    pub shortlist_size: i32,
    pub scoring_scale: ScoreScale,
    pub calendar: Calendar,
    /// The notifications the edition does not send (every kind is sent unless listed).
    pub notifications_off: Vec<NotificationKind>,
    pub status: EditionStatus,
    pub criteria: Vec<Criterion>,
    pub prizes: Vec<Prize>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn calendar_of(model: &edition_entity::Model) -> Calendar {
    Calendar {
        applications_open_on: model.applications_open_on,
        applications_deadline: model.applications_deadline,
        selection_on: model.selection_on,
        audition_on: model.audition_on,
        ceremony_on: model.ceremony_on,
    }
}

fn criterion_view(model: criterion::Model) -> Criterion {
    Criterion {
        id: model.id,
        key: model.key,
        localized: CriterionTexts::of(
            Lang::default(),
            (&model.label_fr, model.label_en.as_deref()),
            &model.description,
            model.description_en.as_deref(),
        ),
        label_fr: model.label_fr,
        label_en: model.label_en,
        description: model.description,
        description_en: model.description_en,
        weight: model.weight,
    }
}

pub async fn criteria_of(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
) -> Result<Vec<Criterion>, ApiError> {
    Ok(criterion::Entity::find()
        .filter(criterion::Column::EditionId.eq(edition_id))
        .order_by_asc(criterion::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(criterion_view)
        .collect())
}

pub async fn view(
    db: &impl ConnectionTrait,
    model: edition_entity::Model,
) -> Result<Edition, ApiError> {
    let criteria = criteria_of(db, model.id).await?;
    let prizes = prize::Entity::find()
        .filter(prize::Column::EditionId.eq(model.id))
        .order_by_asc(prize::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(Prize::from)
        .collect();
    Ok(Edition {
        id: model.id,
        organization_id: model.organization_id,
        number: model.number,
        year: model.year,
        title: model.title.clone(),
        theme: model.theme.clone(),
        title_en: model.title_en.clone(),
        theme_en: model.theme_en.clone(),
        localized: EditionTexts::of(
            Lang::default(),
            &model.title,
            model.title_en.as_deref(),
            model.theme.as_deref(),
            model.theme_en.as_deref(),
        ),
        action_window: DateRange {
            start: model.action_start,
            end: model.action_end,
        },
        departements: split_codes(&model.departements),
        shortlist_size: model.shortlist_size,
        scoring_scale: ScoreScale {
            min: model.score_min,
            max: model.score_max,
        },
        calendar: calendar_of(&model),
        notifications_off: crate::services::notify::switched_off(&model),
        status: model.status,
        criteria,
        prizes,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

/// The edition, if the caller may see it: public once out of draft, else its staff only.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    caller: Option<&Principal>,
    id: Uuid,
) -> Result<edition_entity::Model, ApiError> {
    let model = edition_entity::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !model.status.is_public() {
        let caller = caller.ok_or(ApiError::NotFound)?;
        staff::ensure_staff(db, caller, model.organization_id).await?;
    }
    Ok(model)
}

/// The edition, if the caller manages its organization; otherwise 404.
pub async fn find_managed(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<edition_entity::Model, ApiError> {
    let model = edition_entity::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    staff::ensure_staff(db, caller, model.organization_id).await?;
    Ok(model)
}

pub async fn get(
    db: &DatabaseConnection,
    caller: Option<&Principal>,
    id: Uuid,
) -> Result<Edition, ApiError> {
    let model = find_visible(db, caller, id).await?;
    view(db, model).await
}

#[derive(Debug, Default)]
pub struct EditionFilter {
    pub organization_id: Option<Uuid>,
    pub status: Option<EditionStatus>,
}

/// Public editions, plus the drafts of the organizations the caller manages.
pub async fn list(
    db: &DatabaseConnection,
    caller: Option<&Principal>,
    filter: EditionFilter,
    page: PageRequest<Uuid>,
) -> Result<Page<Edition>, ApiError> {
    let scope = match caller {
        Some(caller) => staff::staff_scope(db, caller).await?,
        None => StaffScope::Only(Vec::new()),
    };
    let visibility = match scope {
        StaffScope::All => Condition::all(),
        StaffScope::Only(ids) => Condition::any()
            .add(edition_entity::Column::Status.ne(EditionStatus::Draft.as_str()))
            .add(edition_entity::Column::OrganizationId.is_in(ids)),
    };
    let mut query = edition_entity::Entity::find()
        .filter(visibility)
        .order_by_asc(edition_entity::Column::Id)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        query = query.filter(edition_entity::Column::Id.gt(after));
    }
    if let Some(organization_id) = filter.organization_id {
        query = query.filter(edition_entity::Column::OrganizationId.eq(organization_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(edition_entity::Column::Status.eq(status.as_str()));
    }
    let mut editions = Vec::new();
    for model in query.all(db).await? {
        editions.push(view(db, model).await?);
    }
    Ok(page.paginate(editions, |edition: &Edition| edition.id.to_string()))
}

/// A new edition: its settings, criteria (the five of the Prix du CESER unless given) and prizes.
pub struct NewEdition {
    pub settings: EditionSettings,
    pub criteria: Vec<CriterionSpec>,
    pub prizes: Vec<PrizeSpec>,
}

fn settings_columns(active: &mut edition_entity::ActiveModel, settings: EditionSettings) {
    active.number = Set(settings.number);
    active.year = Set(settings.year);
    active.title = Set(settings.title.trim().to_owned());
    active.theme = Set(settings.theme.map(|theme| theme.trim().to_owned()));
    active.title_en = Set(settings.title_en.map(|title| title.trim().to_owned()));
    let mut off = settings.notifications_off;
    off.sort();
    off.dedup();
    active.notifications_off = Set(json!(off).to_string());
    active.theme_en = Set(settings.theme_en.map(|theme| theme.trim().to_owned()));
    active.action_start = Set(settings.action_window.start);
    active.action_end = Set(settings.action_window.end);
    active.departements = Set(settings.departements.join(","));
    active.shortlist_size = Set(settings.shortlist_size);
    active.score_min = Set(settings.scoring_scale.min);
    active.score_max = Set(settings.scoring_scale.max);
    active.applications_open_on = Set(settings.calendar.applications_open_on);
    active.applications_deadline = Set(settings.calendar.applications_deadline);
    active.selection_on = Set(settings.calendar.selection_on);
    active.audition_on = Set(settings.calendar.audition_on);
    active.ceremony_on = Set(settings.calendar.ceremony_on);
}

fn number_taken() -> ApiError {
    ApiError::conflict(
        ProblemCode::EditionNumberTaken,
        text!("edition-number-taken"),
    )
}

async fn insert_criteria(
    db: &impl ConnectionTrait,
    edition_id: Uuid,
    criteria: &[CriterionSpec],
) -> Result<(), ApiError> {
    criterion::Entity::insert_many(criteria.iter().enumerate().map(|(position, spec)| {
        criterion::ActiveModel {
            id: Set(Uuid::now_v7()),
            edition_id: Set(edition_id),
            key: Set(spec.key.clone()),
            position: Set(position as i32),
            label_fr: Set(spec.label_fr.trim().to_owned()),
            label_en: Set(written(&spec.label_en).map(|label| label.trim().to_owned())),
            description: Set(spec.description.clone()),
            description_en: Set(written(&spec.description_en)),
            weight: Set(spec.weight),
        }
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// An optional text as stored: none when blank.
fn written(text: &Option<String>) -> Option<String> {
    text.clone().filter(|text| !text.trim().is_empty())
}

fn prize_model(edition_id: Uuid, position: i32, spec: &PrizeSpec) -> prize::ActiveModel {
    prize::ActiveModel {
        id: Set(Uuid::now_v7()),
        edition_id: Set(edition_id),
        position: Set(position),
        kind: Set(spec.kind),
        name: Set(spec.name.trim().to_owned()),
        name_en: Set(spec.name_en.as_deref().map(|name| name.trim().to_owned())),
        description: Set(written(&spec.description)),
        description_en: Set(written(&spec.description_en)),
        sponsors: Set(
            json!(spec.sponsors.iter().map(|s| s.trim()).collect::<Vec<_>>()).to_string(),
        ),
        pool: Set(spec.pool),
        laureate_count: Set(spec.laureate_count),
        mentions_allowed: Set(spec.mentions_allowed),
    }
}

pub async fn create(
    db: &DatabaseConnection,
    caller: &Principal,
    organization_id: Uuid,
    new: NewEdition,
) -> Result<Edition, ApiError> {
    let txn = db::begin_write(db).await?;
    staff::ensure_staff(&txn, caller, organization_id).await?;
    organization::Entity::find_by_id(organization_id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = db::now();
    let id = Uuid::now_v7();
    let mut active = edition_entity::ActiveModel {
        id: Set(id),
        organization_id: Set(organization_id),
        status: Set(EditionStatus::Draft),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let (number, year) = (new.settings.number, new.settings.year);
    settings_columns(&mut active, new.settings);
    edition_entity::Entity::insert(active)
        .exec_without_returning(&txn)
        .await
        .map_err(|error| {
            if db::is_unique_violation(&error) {
                number_taken()
            } else {
                error.into()
            }
        })?;
    insert_criteria(&txn, id, &new.criteria).await?;
    for (position, spec) in new.prizes.iter().enumerate() {
        prize::Entity::insert(prize_model(id, position as i32, spec))
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "edition.created",
            "edition",
            id,
            json!({ "organization_id": organization_id, "number": number, "year": year }),
        ),
    )
    .await?;
    let model = edition_entity::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let edition = view(&txn, model).await?;
    txn.commit().await?;
    Ok(edition)
}

/// Settings change as the edition's status allows (`EditionStatus::check_change`).
pub async fn update(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    change: impl FnOnce(&Edition) -> Result<EditionSettings, ApiError>,
) -> Result<Edition, ApiError> {
    let txn = db::begin_write(db).await?;
    let model = find_managed(&txn, caller, id).await?;
    let current = view(&txn, model.clone()).await?;
    let settings = change(&current)?;
    let status = current.status;
    status.check_change(widest_change(&current, &settings))?;
    if status == EditionStatus::ApplicationsOpen
        && settings.calendar.missing().len() > current.calendar.missing().len()
    {
        return Err(ApiError::invalid(
            "calendar",
            "required",
            text!("field-dates-cannot-be-removed-once"),
        ));
    }
    let mut active = model.into_active_model();
    settings_columns(&mut active, settings);
    active.updated_at = Set(db::now());
    let model = active.update(&txn).await.map_err(|error| {
        if db::is_unique_violation(&error) {
            number_taken()
        } else {
            error.into()
        }
    })?;
    audit::record(
        &txn,
        AuditEntry::by(caller.id, "edition.updated", "edition", id, json!({})),
    )
    .await?;
    let edition = view(&txn, model).await?;
    txn.commit().await?;
    Ok(edition)
}

/// The widest part of the settings that `settings` change.
fn widest_change(current: &Edition, settings: &EditionSettings) -> SettingsPart {
    let trimmed = |text: &Option<String>| text.as_deref().map(str::trim).map(str::to_owned);
    let mut off = settings.notifications_off.clone();
    off.sort();
    off.dedup();
    if settings.number != current.number
        || settings.year != current.year
        || settings.action_window != current.action_window
        || settings.departements != current.departements
        || settings.shortlist_size != current.shortlist_size
        || settings.scoring_scale != current.scoring_scale
    {
        SettingsPart::Rules
    } else if settings.calendar != current.calendar
        || settings.title.trim() != current.title
        || trimmed(&settings.theme) != current.theme
        || trimmed(&settings.title_en) != current.title_en
        || trimmed(&settings.theme_en) != current.theme_en
    {
        SettingsPart::CalendarAndTexts
    } else if off != current.notifications_off {
        SettingsPart::Notifications
    } else {
        SettingsPart::Nothing
    }
}

/// Ends the voting in the edition's ballots as they stand at the stage it leaves
/// (`ballot::closing_time`).
async fn close_ballots(
    txn: &DatabaseTransaction,
    edition_id: Uuid,
    leaving: EditionStatus,
) -> Result<(), ApiError> {
    let now = db::now();
    let kinds: std::collections::HashMap<Uuid, PrizeKind> = prize::Entity::find()
        .select_only()
        .column(prize::Column::Id)
        .column(prize::Column::Kind)
        .filter(prize::Column::EditionId.eq(edition_id))
        .into_tuple::<(Uuid, PrizeKind)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let prizes: Vec<Uuid> = kinds.keys().copied().collect();
    // As a ballot's own close: after the votes being written, before any later one.
    db::lock_ballots(txn, &prizes, false).await?;
    let unclosed = ballot::Entity::find()
        .filter(ballot::Column::PrizeId.is_in(prizes))
        .filter(ballot::Column::State.is_in([BallotState::Scheduled, BallotState::Open]))
        .all(txn)
        .await?;
    for model in unclosed {
        let window = (model.state, model.opens_at, model.closes_at);
        let Some(closes_at) =
            ballot_rules::closing_time(window, kinds[&model.prize_id], leaving, now)
        else {
            continue;
        };
        let mut active = model.into_active_model();
        active.state = Set(BallotState::Closed);
        active.closes_at = Set(Some(closes_at));
        active.updated_at = Set(now);
        active.update(txn).await?;
    }
    Ok(())
}

/// Moves the edition to `to` inside the caller's transaction, checking the guards with the
/// edition's current facts, and records the transition.
pub async fn transition_in(
    txn: &DatabaseTransaction,
    caller: &Principal,
    id: Uuid,
    to: EditionStatus,
    reason: Option<String>,
) -> Result<edition_entity::Model, ApiError> {
    // Transitions of one edition, and the decisions that depend on its stage, wait for each
    // other: a second publication racing the first sees the edition published.
    db::lock_on(txn, id).await?;
    let model = find_managed(txn, caller, id).await?;
    let from = model.status;
    let calendar = calendar_of(&model);
    let facts = EditionFacts {
        status: from,
        calendar: &calendar,
        criteria: criterion::Entity::find()
            .filter(criterion::Column::EditionId.eq(id))
            .count(txn)
            .await? as usize,
        prizes: prize::Entity::find()
            .filter(prize::Column::EditionId.eq(id))
            .count(txn)
            .await? as usize,
        shortlisted: lookups::shortlisted_count(txn, id).await?,
        jury_findings: lookups::composition_findings_of(txn, id)
            .await?
            .into_iter()
            .map(|finding| finding.message)
            .collect(),
        now: Utc::now(),
    };
    edition_lifecycle::check_transition(&facts, to, reason.is_some())?;
    let mut active = model.into_active_model();
    active.status = Set(to);
    active.updated_at = Set(db::now());
    let model = active.update(txn).await?;
    if edition_lifecycle::ends_voting(to) {
        close_ballots(txn, id, from).await?;
    }
    audit::record(
        txn,
        AuditEntry::by(
            caller.id,
            "edition.transitioned",
            "edition",
            id,
            json!({ "from": from, "to": to, "forced": reason.is_some(), "reason": reason }),
        ),
    )
    .await?;
    Ok(model)
}
