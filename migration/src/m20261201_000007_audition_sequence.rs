use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{self, NewColumn};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How many times an audition slot was moved: its calendar entry's `SEQUENCE` (RFC 5545), so
/// that a calendar replaces the entry it holds with the newer one.
#[derive(DeriveIden)]
enum Auditions {
    Table,
    Sequence,
}

fn columns() -> Vec<NewColumn> {
    vec![(
        Auditions::Table.into_iden(),
        integer(Auditions::Sequence).default(0).to_owned(),
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
