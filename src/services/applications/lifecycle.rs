//! Applications: drafting, submission, withdrawal, reopening, review and gallery visibility.
use super::*;

pub async fn create(
    db: &DatabaseConnection,
    caller: &Principal,
    edition_id: Uuid,
    patch: ApplicationPatch,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let edition = editions::find_visible(&txn, Some(caller), edition_id).await?;
    application_lifecycle::check_accepting(&phase(&edition))?;
    db::lock_on(&txn, caller.id).await?;
    let applications = application::Entity::find()
        .filter(application::Column::EditionId.eq(edition_id))
        .filter(application::Column::ApplicantId.eq(caller.id))
        .count(&txn)
        .await?;
    application_lifecycle::check_room_for_another(applications)?;
    let mut content = ApplicationContent::default();
    content.apply(patch);
    let inconsistencies = content.inconsistencies(&criteria_keys(&txn, edition_id).await?);
    if !inconsistencies.is_empty() {
        return Err(ApiError::Validation(inconsistencies));
    }
    let now = db::now();
    let id = Uuid::now_v7();
    let active = application::ActiveModel {
        id: Set(id),
        edition_id: Set(edition_id),
        applicant_id: Set(Some(caller.id)),
        status: Set(ApplicationStatus::Draft),
        public: Set(false),
        shortlisted: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    application::Entity::insert(active)
        .exec_without_returning(&txn)
        .await?;
    let model = application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let model = store_content(&txn, model.into_active_model(), &content).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "application.created",
            "application",
            id,
            json!({ "edition_id": edition_id }),
        ),
    )
    .await?;
    let application = view(&txn, model).await?;
    txn.commit().await?;
    Ok(application)
}

pub async fn update(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    patch: ApplicationPatch,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_owner(&txn, caller, id).await?;
    application_lifecycle::check_draft(model.status)?;
    application_lifecycle::check_accepting(&phase(&edition))?;
    let mut content = content_of(&txn, &model).await?;
    content.apply(patch);
    let inconsistencies = content.inconsistencies(&criteria_keys(&txn, edition.id).await?);
    if !inconsistencies.is_empty() {
        return Err(ApiError::Validation(inconsistencies));
    }
    let model = store_content(&txn, model.into_active_model(), &content).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            caller.id,
            "application.updated",
            "application",
            id,
            json!({}),
        ),
    )
    .await?;
    let application = view(&txn, model).await?;
    txn.commit().await?;
    Ok(application)
}

/// Submits a complete draft before the deadline and records the automatic eligibility check.
pub async fn submit(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_owner(&txn, caller, id).await?;
    application_lifecycle::check_draft(model.status)?;
    application_lifecycle::check_accepting(&phase(&edition))?;
    // An application is submitted by someone who proved they own the account's address.
    accounts::ensure_verified(&txn, caller.id).await?;
    let content = content_of(&txn, &model).await?;
    let missing = content.missing(&criteria_keys(&txn, edition.id).await?);
    if !missing.is_empty() {
        return Err(ApiError::Validation(missing));
    }
    let (Some(start), Some(end)) = (content.action.action_start, content.action.action_end) else {
        unreachable!("checked by `missing`")
    };
    let window = DateRange {
        start: edition.action_start,
        end: edition.action_end,
    };
    let check = check_eligibility(
        &window,
        &split_codes(&edition.departements),
        start,
        end,
        &content.action.locations,
    );
    let submitted_at = db::now();
    let summary = notify::application_summary(&content.action, Some(submitted_at));
    notify::send(
        &txn,
        &edition,
        NotificationKind::ApplicationSubmitted,
        model.applicant_id,
        json!({ "application": summary }),
        None,
    )
    .await?;
    let mut active = model.into_active_model();
    active.status = Set(ApplicationStatus::Submitted);
    active.submitted_at = Set(Some(submitted_at));
    active.auto_eligible = Set(Some(check.eligible));
    active.auto_findings = Set(Some(json!(check.findings).to_string()));
    save_and_record(
        txn,
        active,
        caller.id,
        "application.submitted",
        json!({ "automatic_check": check }),
    )
    .await
}

/// The applicant withdraws, until the selection day.
pub async fn withdraw(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_owner(&txn, caller, id).await?;
    application_lifecycle::check_withdrawal(model.status, &phase(&edition))?;
    let mut active = model.into_active_model();
    active.status = Set(ApplicationStatus::Withdrawn);
    active.public = Set(false);
    save_and_record(txn, active, caller.id, "application.withdrawn", json!({})).await
}

/// Staff send a submitted application back to draft, before the deadline, with a reason.
pub async fn reopen(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    reason: String,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_staff(&txn, caller, id).await?;
    application_lifecycle::check_reopening(model.status, &phase(&edition))?;
    let mut active = model.into_active_model();
    active.status = Set(ApplicationStatus::Draft);
    active.submitted_at = Set(None);
    active.auto_eligible = Set(None);
    active.auto_findings = Set(None);
    active.review_decision = Set(None);
    active.review_reason = Set(None);
    active.reviewed_by = Set(None);
    active.reviewed_at = Set(None);
    active.public = Set(false);
    save_and_record(
        txn,
        active,
        caller.id,
        "application.reopened",
        json!({ "reason": reason }),
    )
    .await
}

/// Staff confirm or override the automatic check; overriding needs a written reason.
pub async fn review(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    decision: Eligibility,
    reason: Option<String>,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    // Reviews of one application wait for each other: each sees what the one before decided.
    db::lock_on(&txn, id).await?;
    let (model, edition) = reach_as_staff(&txn, caller, id).await?;
    application_lifecycle::check_reviewable(model.status, edition.status)?;
    if decision == Eligibility::Pending {
        return Err(ApiError::invalid(
            "decision",
            "invalid_value",
            text!("field-must-be-eligible-or-ineligible"),
        ));
    }
    let eligible = decision == Eligibility::Eligible;
    let contradicts = notification::contradicts_check(eligible, model.auto_eligible);
    if contradicts && reason.is_none() {
        return Err(ApiError::invalid(
            "reason",
            "required",
            text!("field-a-written-reason-is-required"),
        ));
    }
    let content = content_of(&txn, &model).await?;
    let notice = notification::eligibility_notice(eligible, model.auto_eligible, reason.as_deref());
    let told_before = model
        .review_decision
        .filter(|before| *before != Eligibility::Pending)
        .map(|before| {
            let eligible = before == Eligibility::Eligible;
            notification::eligibility_notice(
                eligible,
                model.auto_eligible,
                model.review_reason.as_deref(),
            )
        });
    // The applicant hears of the decision once, and again only when what they are told changes.
    if told_before.as_ref() != Some(&notice) {
        notify::send(
            &txn,
            &edition,
            NotificationKind::EligibilityDecided,
            model.applicant_id,
            json!({
                "application": notify::application_summary(&content.action, model.submitted_at),
                "eligible": notice.eligible,
                "reason": notice.reason,
            }),
            None,
        )
        .await?;
    }
    let mut active = model.into_active_model();
    active.review_decision = Set(Some(decision));
    active.review_reason = Set(reason.clone());
    active.reviewed_by = Set(Some(caller.id));
    active.reviewed_at = Set(Some(db::now()));
    if decision == Eligibility::Ineligible {
        active.public = Set(false);
    }
    save_and_record(
        txn,
        active,
        caller.id,
        "application.reviewed",
        json!({ "decision": decision, "overrides_automatic_check": contradicts, "reason": reason }),
    )
    .await
}

/// Staff show or hide an eligible application in the public gallery.
pub async fn set_public(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    public: bool,
) -> Result<Application, ApiError> {
    let txn = db::begin_write(db).await?;
    let (model, edition) = reach_as_staff(&txn, caller, id).await?;
    application_lifecycle::check_visibility_change(
        model.status,
        eligibility_of(&model),
        edition.status,
        public,
    )?;
    let mut active = model.into_active_model();
    active.public = Set(public);
    save_and_record(
        txn,
        active,
        caller.id,
        "application.visibility_changed",
        json!({ "public": public }),
    )
    .await
}

/// Brings in an application decided elsewhere (a previous edition, the demo): submitted, reviewed
/// eligible, public, optionally shortlisted. Only for the command line.
pub async fn import(
    db: &DatabaseConnection,
    actor: Uuid,
    applicant: Option<Uuid>,
    edition_id: Uuid,
    content: &ApplicationContent,
    shortlisted: bool,
) -> Result<Uuid, ApiError> {
    let txn = db::begin_write(db).await?;
    let now = db::now();
    let id = Uuid::now_v7();
    application::Entity::insert(application::ActiveModel {
        id: Set(id),
        edition_id: Set(edition_id),
        applicant_id: Set(applicant),
        status: Set(ApplicationStatus::Submitted),
        auto_eligible: Set(Some(true)),
        auto_findings: Set(Some("[]".to_owned())),
        review_decision: Set(Some(Eligibility::Eligible)),
        reviewed_by: Set(Some(actor)),
        reviewed_at: Set(Some(now)),
        public: Set(true),
        shortlisted: Set(shortlisted),
        submitted_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    let model = application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    store_content(&txn, model.into_active_model(), content).await?;
    audit::record(
        &txn,
        AuditEntry::by(
            actor,
            "application.imported",
            "application",
            id,
            json!({ "edition_id": edition_id, "shortlisted": shortlisted }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}
