use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub edition_id: Uuid,
    pub applicant_id: Option<Uuid>,
    pub status: crate::domain::application::ApplicationStatus,
    pub applicant_kind: Option<crate::domain::application::ApplicantKind>,
    pub structure_name: Option<String>,
    pub siret: Option<String>,
    /// An association's RNA number, which it may give instead of a SIRET.
    pub rna: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub action_title: Option<String>,
    pub summary: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub action_start: Option<Date>,
    pub action_end: Option<Date>,
    pub video_url: Option<String>,
    pub website: Option<String>,
    pub auto_eligible: Option<bool>,
    /// JSON array of findings of the automatic check.
    #[sea_orm(column_type = "Text", nullable)]
    pub auto_findings: Option<String>,
    pub review_decision: Option<crate::domain::application::Eligibility>,
    #[sea_orm(column_type = "Text", nullable)]
    pub review_reason: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub public: bool,
    pub shortlisted: bool,
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
