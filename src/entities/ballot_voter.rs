use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ballot_voters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub prize_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub voter_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
