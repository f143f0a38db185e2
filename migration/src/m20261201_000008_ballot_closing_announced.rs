use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{self, NewColumn};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// When a ballot's closing by its window was announced (audited, its webhook sent): once, as
/// its opening is.
#[derive(DeriveIden)]
enum Ballots {
    Table,
    ClosingAnnouncedAt,
}

fn columns() -> Vec<NewColumn> {
    vec![(
        Ballots::Table.into_iden(),
        timestamp_with_time_zone_null(Ballots::ClosingAnnouncedAt),
    )]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::add(manager, columns()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        columns::drop(manager, columns()).await
    }
}
