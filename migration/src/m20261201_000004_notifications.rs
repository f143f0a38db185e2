use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{self, NewColumn};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The language each account reads its emails in; each queued email's language and its
/// attachment (an audition's calendar entry); the notifications an edition does not send.
#[derive(DeriveIden)]
enum Users {
    Table,
    Language,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Language,
    AttachmentName,
    AttachmentType,
    Attachment,
}

#[derive(DeriveIden)]
enum Editions {
    Table,
    NotificationsOff,
}

fn columns() -> Vec<NewColumn> {
    vec![
        (
            Users::Table.into_iden(),
            string_len(Users::Language, 2).default("fr").to_owned(),
        ),
        (
            Outbox::Table.into_iden(),
            string_len(Outbox::Language, 2).default("fr").to_owned(),
        ),
        (
            Outbox::Table.into_iden(),
            string_len_null(Outbox::AttachmentName, 100),
        ),
        (
            Outbox::Table.into_iden(),
            string_len_null(Outbox::AttachmentType, 100),
        ),
        (Outbox::Table.into_iden(), text_null(Outbox::Attachment)),
        (
            Editions::Table.into_iden(),
            text(Editions::NotificationsOff).default("[]").to_owned(),
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
