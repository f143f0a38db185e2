use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A published councillors' ballot's count per college and candidate, in clear: written once
/// at publication, by the college's name then, so that the published results stay as they were
/// whatever becomes of the college.
#[derive(DeriveIden)]
enum BallotCollegeCounts {
    Table,
    PrizeId,
    College,
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
                    .table(BallotCollegeCounts::Table)
                    .col(uuid(BallotCollegeCounts::PrizeId))
                    .col(string_len(BallotCollegeCounts::College, 100))
                    .col(uuid(BallotCollegeCounts::ApplicationId))
                    .col(big_integer(BallotCollegeCounts::Votes))
                    .primary_key(
                        Index::create()
                            .col(BallotCollegeCounts::PrizeId)
                            .col(BallotCollegeCounts::College)
                            .col(BallotCollegeCounts::ApplicationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BallotCollegeCounts::Table, BallotCollegeCounts::PrizeId)
                            .to(Ballots::Table, Ballots::PrizeId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BallotCollegeCounts::Table).to_owned())
            .await
    }
}
