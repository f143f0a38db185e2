use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "prize_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub prize_id: Uuid,
    pub laureate_id: Uuid,
    pub casting_vote: bool,
    /// JSON array of application ids.
    #[sea_orm(column_type = "Text")]
    pub mentions: String,
    pub decided_by: Uuid,
    pub decided_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
