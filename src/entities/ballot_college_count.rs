use sea_orm::entity::prelude::*;

/// A published councillors' ballot's count per college (by its name at publication) and
/// candidate.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ballot_college_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub prize_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub college: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: Uuid,
    pub votes: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
