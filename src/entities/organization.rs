use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub short_name: String,
    pub name: String,
    pub name_en: Option<String>,
    pub region: String,
    /// Comma-separated département codes.
    pub default_departements: String,
    pub contact_email: String,
    /// JSON array of postal addresses.
    #[sea_orm(column_type = "Text")]
    pub postal_addresses: String,
    /// JSON array of the origins allowed to embed the voting widget (empty: any).
    #[sea_orm(column_type = "Text")]
    pub embed_origins: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
