use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "prizes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub edition_id: Uuid,
    pub position: i32,
    pub kind: crate::domain::edition::PrizeKind,
    pub name: String,
    pub name_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_en: Option<String>,
    /// JSON array of sponsor names.
    #[sea_orm(column_type = "Text")]
    pub sponsors: String,
    pub pool: crate::domain::edition::CandidatePool,
    pub laureate_count: i32,
    pub mentions_allowed: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
