use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000004_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Editions {
    Table,
    Id,
    OrganizationId,
    Number,
    Year,
    Title,
    Theme,
    ActionStart,
    ActionEnd,
    Departements,
    ShortlistSize,
    ScoreMin,
    ScoreMax,
    ApplicationsOpenOn,
    ApplicationsDeadline,
    SelectionOn,
    AuditionOn,
    CeremonyOn,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Criteria {
    Table,
    Id,
    EditionId,
    Key,
    Position,
    LabelFr,
    LabelEn,
    Description,
    Weight,
}

#[derive(DeriveIden)]
enum Prizes {
    Table,
    Id,
    EditionId,
    Position,
    Kind,
    Name,
    Sponsors,
    Pool,
    LaureateCount,
    MentionsAllowed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Editions::Table)
                    .col(uuid(Editions::Id).primary_key())
                    .col(uuid(Editions::OrganizationId))
                    .col(integer(Editions::Number))
                    .col(integer(Editions::Year))
                    .col(string_len(Editions::Title, 200))
                    .col(string_len_null(Editions::Theme, 200))
                    .col(date(Editions::ActionStart))
                    .col(date(Editions::ActionEnd))
                    .col(string_len(Editions::Departements, 400))
                    .col(integer(Editions::ShortlistSize))
                    .col(integer(Editions::ScoreMin))
                    .col(integer(Editions::ScoreMax))
                    // Civil dates, Europe/Paris.
                    .col(date_null(Editions::ApplicationsOpenOn))
                    .col(date_null(Editions::ApplicationsDeadline))
                    .col(date_null(Editions::SelectionOn))
                    .col(date_null(Editions::AuditionOn))
                    .col(date_null(Editions::CeremonyOn))
                    .col(string_len(Editions::Status, 32))
                    .col(timestamp_with_time_zone(Editions::CreatedAt))
                    .col(timestamp_with_time_zone(Editions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Editions::Table, Editions::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_editions_organization_number")
                    .table(Editions::Table)
                    .col(Editions::OrganizationId)
                    .col(Editions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Criteria::Table)
                    .col(uuid(Criteria::Id).primary_key())
                    .col(uuid(Criteria::EditionId))
                    .col(string_len(Criteria::Key, 64))
                    .col(integer(Criteria::Position))
                    .col(string_len(Criteria::LabelFr, 200))
                    .col(string_len(Criteria::LabelEn, 200))
                    .col(text(Criteria::Description))
                    .col(double(Criteria::Weight))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Criteria::Table, Criteria::EditionId)
                            .to(Editions::Table, Editions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_criteria_edition_key")
                    .table(Criteria::Table)
                    .col(Criteria::EditionId)
                    .col(Criteria::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Prizes::Table)
                    .col(uuid(Prizes::Id).primary_key())
                    .col(uuid(Prizes::EditionId))
                    .col(integer(Prizes::Position))
                    .col(string_len(Prizes::Kind, 32))
                    .col(string_len(Prizes::Name, 200))
                    // JSON array of sponsor names.
                    .col(text(Prizes::Sponsors))
                    .col(string_len(Prizes::Pool, 32))
                    .col(integer(Prizes::LaureateCount))
                    .col(boolean(Prizes::MentionsAllowed))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Prizes::Table, Prizes::EditionId)
                            .to(Editions::Table, Editions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_prizes_edition")
                    .table(Prizes::Table)
                    .col(Prizes::EditionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Prizes::Table.into_iden(),
            Criteria::Table.into_iden(),
            Editions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
