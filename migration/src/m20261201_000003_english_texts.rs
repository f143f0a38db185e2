use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{self, NewColumn};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What organizers write for visitors in English, beside the French (which stays required): an
/// edition's title and theme, a prize's name, a criterion's description, an organization's
/// name; and a prize's description, in both languages.
#[derive(DeriveIden)]
enum Editions {
    Table,
    TitleEn,
    ThemeEn,
}

#[derive(DeriveIden)]
enum Prizes {
    Table,
    NameEn,
    Description,
    DescriptionEn,
}

#[derive(DeriveIden)]
enum Criteria {
    Table,
    DescriptionEn,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    NameEn,
}

fn columns() -> Vec<NewColumn> {
    vec![
        (
            Editions::Table.into_iden(),
            string_len_null(Editions::TitleEn, 200),
        ),
        (
            Editions::Table.into_iden(),
            string_len_null(Editions::ThemeEn, 200),
        ),
        (
            Prizes::Table.into_iden(),
            string_len_null(Prizes::NameEn, 200),
        ),
        (Prizes::Table.into_iden(), text_null(Prizes::Description)),
        (Prizes::Table.into_iden(), text_null(Prizes::DescriptionEn)),
        (
            Criteria::Table.into_iden(),
            text_null(Criteria::DescriptionEn),
        ),
        (
            Organizations::Table.into_iden(),
            string_len_null(Organizations::NameEn, 200),
        ),
    ]
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
