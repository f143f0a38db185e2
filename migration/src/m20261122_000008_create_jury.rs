use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261122_000001_create_users::Users, m20261122_000005_create_editions::Editions,
    m20261122_000006_create_applications::Applications,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum JuryMembers {
    Table,
    Id,
    EditionId,
    UserId,
    Seat,
    PreviousLaureate,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Conflicts {
    Table,
    Id,
    ApplicationId,
    MemberId,
    Reason,
    DeclaredBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReviewAssignments {
    Table,
    Round,
    ApplicationId,
    MemberId,
}

#[derive(DeriveIden)]
enum Scorecards {
    Table,
    Id,
    ApplicationId,
    MemberId,
    Round,
    Status,
    Comment,
    SubmittedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Scores {
    Table,
    ScorecardId,
    CriterionKey,
    Value,
}

#[derive(DeriveIden)]
enum Auditions {
    Table,
    ApplicationId,
    StartsAt,
    Place,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PrizeDecisions {
    Table,
    PrizeId,
    LaureateId,
    CastingVote,
    Mentions,
    DecidedBy,
    DecidedAt,
    Reason,
}

#[derive(DeriveIden)]
enum Prizes {
    Table,
    Id,
}

fn cascade(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JuryMembers::Table)
                    .col(uuid(JuryMembers::Id).primary_key())
                    .col(uuid(JuryMembers::EditionId))
                    .col(uuid(JuryMembers::UserId))
                    .col(string_len(JuryMembers::Seat, 32))
                    .col(boolean(JuryMembers::PreviousLaureate))
                    .col(timestamp_with_time_zone(JuryMembers::CreatedAt))
                    .foreign_key(&mut cascade(
                        (JuryMembers::Table, JuryMembers::EditionId),
                        (Editions::Table, Editions::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (JuryMembers::Table, JuryMembers::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_jury_members_edition_user")
                    .table(JuryMembers::Table)
                    .col(JuryMembers::EditionId)
                    .col(JuryMembers::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Conflicts::Table)
                    .col(uuid(Conflicts::Id).primary_key())
                    .col(uuid(Conflicts::ApplicationId))
                    .col(uuid(Conflicts::MemberId))
                    .col(text(Conflicts::Reason))
                    .col(uuid(Conflicts::DeclaredBy))
                    .col(timestamp_with_time_zone(Conflicts::CreatedAt))
                    .foreign_key(&mut cascade(
                        (Conflicts::Table, Conflicts::ApplicationId),
                        (Applications::Table, Applications::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Conflicts::Table, Conflicts::MemberId),
                        (JuryMembers::Table, JuryMembers::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_conflicts_application_member")
                    .table(Conflicts::Table)
                    .col(Conflicts::ApplicationId)
                    .col(Conflicts::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewAssignments::Table)
                    .col(string_len(ReviewAssignments::Round, 16))
                    .col(uuid(ReviewAssignments::ApplicationId))
                    .col(uuid(ReviewAssignments::MemberId))
                    .primary_key(
                        Index::create()
                            .col(ReviewAssignments::Round)
                            .col(ReviewAssignments::ApplicationId)
                            .col(ReviewAssignments::MemberId),
                    )
                    .foreign_key(&mut cascade(
                        (ReviewAssignments::Table, ReviewAssignments::ApplicationId),
                        (Applications::Table, Applications::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (ReviewAssignments::Table, ReviewAssignments::MemberId),
                        (JuryMembers::Table, JuryMembers::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Scorecards::Table)
                    .col(uuid(Scorecards::Id).primary_key())
                    .col(uuid(Scorecards::ApplicationId))
                    .col(uuid(Scorecards::MemberId))
                    .col(string_len(Scorecards::Round, 16))
                    .col(string_len(Scorecards::Status, 16))
                    .col(text(Scorecards::Comment))
                    .col(timestamp_with_time_zone_null(Scorecards::SubmittedAt))
                    .col(timestamp_with_time_zone(Scorecards::CreatedAt))
                    .col(timestamp_with_time_zone(Scorecards::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (Scorecards::Table, Scorecards::ApplicationId),
                        (Applications::Table, Applications::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Scorecards::Table, Scorecards::MemberId),
                        (JuryMembers::Table, JuryMembers::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_scorecards_application_member_round")
                    .table(Scorecards::Table)
                    .col(Scorecards::ApplicationId)
                    .col(Scorecards::MemberId)
                    .col(Scorecards::Round)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Scores::Table)
                    .col(uuid(Scores::ScorecardId))
                    .col(string_len(Scores::CriterionKey, 64))
                    .col(integer(Scores::Value))
                    .primary_key(
                        Index::create()
                            .col(Scores::ScorecardId)
                            .col(Scores::CriterionKey),
                    )
                    .foreign_key(&mut cascade(
                        (Scores::Table, Scores::ScorecardId),
                        (Scorecards::Table, Scorecards::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Auditions::Table)
                    .col(uuid(Auditions::ApplicationId).primary_key())
                    .col(timestamp_with_time_zone(Auditions::StartsAt))
                    .col(string_len(Auditions::Place, 300))
                    .col(timestamp_with_time_zone(Auditions::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (Auditions::Table, Auditions::ApplicationId),
                        (Applications::Table, Applications::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PrizeDecisions::Table)
                    .col(uuid(PrizeDecisions::PrizeId).primary_key())
                    .col(uuid(PrizeDecisions::LaureateId))
                    .col(boolean(PrizeDecisions::CastingVote))
                    // JSON array of application ids.
                    .col(text(PrizeDecisions::Mentions))
                    .col(uuid(PrizeDecisions::DecidedBy))
                    .col(timestamp_with_time_zone(PrizeDecisions::DecidedAt))
                    .col(text_null(PrizeDecisions::Reason))
                    .foreign_key(&mut cascade(
                        (PrizeDecisions::Table, PrizeDecisions::PrizeId),
                        (Prizes::Table, Prizes::Id),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PrizeDecisions::Table, PrizeDecisions::LaureateId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PrizeDecisions::Table.into_iden(),
            Auditions::Table.into_iden(),
            Scores::Table.into_iden(),
            Scorecards::Table.into_iden(),
            ReviewAssignments::Table.into_iden(),
            Conflicts::Table.into_iden(),
            JuryMembers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
