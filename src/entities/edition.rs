use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "editions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub number: i32,
    pub year: i32,
    pub title: String,
    pub theme: Option<String>,
    pub title_en: Option<String>,
    pub theme_en: Option<String>,
    pub action_start: Date,
    pub action_end: Date,
    /// Comma-separated département codes.
    pub departements: String,
    pub shortlist_size: i32,
    pub score_min: i32,
    pub score_max: i32,
    pub applications_open_on: Option<Date>,
    pub applications_deadline: Option<Date>,
    pub selection_on: Option<Date>,
    pub audition_on: Option<Date>,
    pub ceremony_on: Option<Date>,
    pub status: crate::domain::edition::EditionStatus,
    /// JSON array of the notification kinds this edition does not send.
    #[sea_orm(column_type = "Text")]
    pub notifications_off: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
