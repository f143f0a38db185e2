use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ballots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub prize_id: Uuid,
    pub state: crate::domain::ballot::BallotState,
    pub opens_at: Option<DateTimeUtc>,
    pub closes_at: Option<DateTimeUtc>,
    pub tie_break_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub tie_break_reason: Option<String>,
    pub updated_at: DateTimeUtc,
    /// When the councillors were told the ballot is open (`None`: not yet).
    pub opening_announced_at: Option<DateTimeUtc>,
    /// When its closing by its window was announced (`None`: not yet, or closed otherwise).
    pub closing_announced_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
