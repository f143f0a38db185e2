use sea_orm::entity::prelude::*;

/// The reminder of a round's scoring deadline, sent once per edition and round.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scoring_reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub edition_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub round: crate::domain::scoring::Round,
    pub sent_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
