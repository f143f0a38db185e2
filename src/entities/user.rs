use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub disabled: bool,
    /// Manages every organization (made by `create-admin --platform`).
    pub platform_admin: bool,
    pub created_at: DateTimeUtc,
    /// When the holder proved they own the address (a link or token emailed to it).
    pub email_verified_at: Option<DateTimeUtc>,
    /// Access tokens issued before this are refused (every session ended).
    pub sessions_revoked_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// The language the holder reads emails in (`fr`, `en`).
    pub language: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::user_role::Entity")]
    UserRole,
}

impl Related<super::user_role::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserRole.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
