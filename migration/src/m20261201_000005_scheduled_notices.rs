use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{self, NewColumn};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The notices sent once when a time comes rather than on a request: the reminder of a round's
/// scoring deadline (one per edition and round), and the councillors told that their ballot is
/// open (when it was, on the ballot).
#[derive(DeriveIden)]
enum ScoringReminders {
    Table,
    EditionId,
    Round,
    SentAt,
}

#[derive(DeriveIden)]
enum Editions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Ballots {
    Table,
    OpeningAnnouncedAt,
}

fn columns() -> Vec<NewColumn> {
    vec![(
        Ballots::Table.into_iden(),
        timestamp_with_time_zone_null(Ballots::OpeningAnnouncedAt),
    )]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ScoringReminders::Table)
                    .col(uuid(ScoringReminders::EditionId))
                    .col(string_len(ScoringReminders::Round, 20))
                    .col(timestamp_with_time_zone(ScoringReminders::SentAt))
                    .primary_key(
                        Index::create()
                            .col(ScoringReminders::EditionId)
                            .col(ScoringReminders::Round),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ScoringReminders::Table, ScoringReminders::EditionId)
                            .to(Editions::Table, Editions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        columns::add(manager, columns()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::drop(manager, columns()).await?;
        manager
            .drop_table(Table::drop().table(ScoringReminders::Table).to_owned())
            .await
    }
}
