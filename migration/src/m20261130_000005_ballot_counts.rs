use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A ballot's published count, per candidate, in clear: written once at publication, so that
/// the results are read without opening the sealed choices again.
#[derive(DeriveIden)]
enum BallotCounts {
    Table,
    PrizeId,
    ApplicationId,
    Votes,
}

#[derive(DeriveIden)]
enum Ballots {
    Table,
    PrizeId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BallotCounts::Table)
                    .col(uuid(BallotCounts::PrizeId))
                    .col(uuid(BallotCounts::ApplicationId))
                    .col(big_integer(BallotCounts::Votes))
                    .primary_key(
                        Index::create()
                            .col(BallotCounts::PrizeId)
                            .col(BallotCounts::ApplicationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BallotCounts::Table, BallotCounts::PrizeId)
                            .to(Ballots::Table, Ballots::PrizeId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BallotCounts::Table).to_owned())
            .await
    }
}
