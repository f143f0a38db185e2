use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ballot_choices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub prize_id: Uuid,
    /// The nil id: choices are sealed. Only choices of earlier versions held the candidate
    /// here, until sealed at start-up.
    pub application_id: Uuid,
    /// The choice, sealed with the ballot key (`VoterKeys::seal_choice`).
    pub sealed_choice: Option<Vec<u8>>,
    pub receipt_hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
