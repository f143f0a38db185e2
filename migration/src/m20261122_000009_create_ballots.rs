use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261122_000001_create_users::Users, m20261122_000004_create_organizations::Organizations,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Councillors {
    Table,
    OrganizationId,
    UserId,
    College,
}

#[derive(DeriveIden)]
enum Ballots {
    Table,
    PrizeId,
    State,
    OpensAt,
    ClosesAt,
    TieBreakId,
    TieBreakReason,
    UpdatedAt,
}

/// Who has voted: one row per voter and ballot, the key of one-vote-per-voter.
#[derive(DeriveIden)]
enum BallotVoters {
    Table,
    PrizeId,
    VoterKey,
}

/// What was voted: no voter, no time, a random id — nothing links a choice to a voter.
#[derive(DeriveIden)]
enum BallotChoices {
    Table,
    Id,
    PrizeId,
    ApplicationId,
    ReceiptHash,
}

#[derive(DeriveIden)]
enum Prizes {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Councillors::Table)
                    .col(uuid(Councillors::OrganizationId))
                    .col(uuid(Councillors::UserId))
                    .col(string_len(Councillors::College, 100))
                    .primary_key(
                        Index::create()
                            .col(Councillors::OrganizationId)
                            .col(Councillors::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Councillors::Table, Councillors::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Councillors::Table, Councillors::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Ballots::Table)
                    .col(uuid(Ballots::PrizeId).primary_key())
                    .col(string_len(Ballots::State, 16))
                    .col(timestamp_with_time_zone_null(Ballots::OpensAt))
                    .col(timestamp_with_time_zone_null(Ballots::ClosesAt))
                    .col(uuid_null(Ballots::TieBreakId))
                    .col(text_null(Ballots::TieBreakReason))
                    .col(timestamp_with_time_zone(Ballots::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Ballots::Table, Ballots::PrizeId)
                            .to(Prizes::Table, Prizes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BallotVoters::Table)
                    .col(uuid(BallotVoters::PrizeId))
                    .col(string_len(BallotVoters::VoterKey, 100))
                    // The database, not the code, guarantees one vote per voter and ballot.
                    .primary_key(
                        Index::create()
                            .col(BallotVoters::PrizeId)
                            .col(BallotVoters::VoterKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BallotVoters::Table, BallotVoters::PrizeId)
                            .to(Ballots::Table, Ballots::PrizeId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BallotChoices::Table)
                    .col(uuid(BallotChoices::Id).primary_key())
                    .col(uuid(BallotChoices::PrizeId))
                    .col(uuid(BallotChoices::ApplicationId))
                    .col(string_len_uniq(BallotChoices::ReceiptHash, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BallotChoices::Table, BallotChoices::PrizeId)
                            .to(Ballots::Table, Ballots::PrizeId)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ballot_choices_prize")
                    .table(BallotChoices::Table)
                    .col(BallotChoices::PrizeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BallotChoices::Table.into_iden(),
            BallotVoters::Table.into_iden(),
            Ballots::Table.into_iden(),
            Councillors::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
