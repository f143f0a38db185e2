use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An organization's colleges (the CESER's four), as records: each councillor belongs to one,
/// by a foreign key on (organization, college name) that follows a renamed college and keeps a
/// college with councillors from being deleted.
#[derive(DeriveIden)]
enum Colleges {
    Table,
    Id,
    OrganizationId,
    Name,
    Position,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Councillors {
    Table,
    OrganizationId,
    UserId,
    College,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

const COLLEGE_KEY: &str = "fk_councillors_college";

/// The councillors' table, with (`college_key`) or without the foreign key to their college.
fn councillors_table(name: &str, college_key: bool) -> TableCreateStatement {
    let table = Alias::new(name);
    let mut create = Table::create();
    create
        .table(table.clone())
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
                .from(table.clone(), Councillors::OrganizationId)
                .to(Organizations::Table, Organizations::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .from(table.clone(), Councillors::UserId)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );
    if college_key {
        create.foreign_key(&mut college_foreign_key(table));
    }
    create.to_owned()
}

fn college_foreign_key(table: Alias) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(COLLEGE_KEY)
        .from(table, (Councillors::OrganizationId, Councillors::College))
        .to(Colleges::Table, (Colleges::OrganizationId, Colleges::Name))
        .on_update(ForeignKeyAction::Cascade)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// SQLite adds no foreign key to a table: the table is rebuilt with or without it, its rows
/// copied over, in one batch on one connection (a pooled connection holding an older snapshot
/// would still see the dropped table).
async fn rebuild_councillors(manager: &SchemaManager<'_>, college_key: bool) -> Result<(), DbErr> {
    let create =
        councillors_table("councillors_rebuilt", college_key).to_string(SqliteQueryBuilder);
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "{create}; \
             INSERT INTO councillors_rebuilt (organization_id, user_id, college) \
             SELECT organization_id, user_id, college FROM councillors; \
             DROP TABLE councillors; \
             ALTER TABLE councillors_rebuilt RENAME TO councillors;"
        ))
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Colleges::Table)
                    .col(uuid(Colleges::Id).primary_key())
                    .col(uuid(Colleges::OrganizationId))
                    .col(string_len(Colleges::Name, 100))
                    .col(integer(Colleges::Position))
                    .col(timestamp_with_time_zone(Colleges::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Colleges::Table, Colleges::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_colleges_organization_name")
                    .table(Colleges::Table)
                    .col(Colleges::OrganizationId)
                    .col(Colleges::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The colleges the councillors and pending invitations already name become records.
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let named = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT organization_id, college FROM councillors \
                 UNION SELECT organization_id, college FROM invitations \
                 WHERE organization_id IS NOT NULL AND college IS NOT NULL \
                 ORDER BY 1, 2",
            ))
            .await?;
        let (mut previous, mut position) = (None, 0);
        for row in named {
            let organization: uuid::Uuid = row.try_get("", "organization_id")?;
            let name: String = row.try_get("", "college")?;
            position = if previous == Some(organization) {
                position + 1
            } else {
                1
            };
            previous = Some(organization);
            let insert = Query::insert()
                .into_table(Colleges::Table)
                .columns([
                    Colleges::Id,
                    Colleges::OrganizationId,
                    Colleges::Name,
                    Colleges::Position,
                    Colleges::CreatedAt,
                ])
                .values_panic([
                    uuid::Uuid::new_v4().into(),
                    organization.into(),
                    name.into(),
                    position.into(),
                    Expr::current_timestamp(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        match backend {
            DbBackend::Sqlite => rebuild_councillors(manager, true).await,
            _ => {
                manager
                    .create_foreign_key(college_foreign_key(Alias::new("councillors")))
                    .await
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => rebuild_councillors(manager, false).await?,
            _ => {
                manager
                    .drop_foreign_key(
                        ForeignKey::drop()
                            .name(COLLEGE_KEY)
                            .table(Councillors::Table)
                            .to_owned(),
                    )
                    .await?
            }
        }
        manager
            .drop_table(Table::drop().table(Colleges::Table).to_owned())
            .await
    }
}
