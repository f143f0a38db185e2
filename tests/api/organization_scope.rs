//! An organization's staff manage their organization's people and read its audit trail,
//! nothing else; platform admins manage everything. Two organizations, every user and audit
//! operation.
use prix_ceser::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{applications::complete_file, helpers::*};

/// An organization with an open edition, a juror seated on it, a councillor on its roster
/// and an applicant with a draft file.
struct Populated {
    organization: TestOrganization,
    juror: TestUser,
    councillor: TestUser,
    applicant: TestUser,
}

async fn populate(app: &TestApp, short_name: &str) -> Populated {
    let organization = app.create_organization(short_name).await;
    let edition = app.open_edition(&organization).await;
    let edition = edition["id"].as_str().unwrap();
    let juror = app.create_user(&[Role::Jury]).await;
    let seated = app
        .request(
            Method::PUT,
            &format!("/api/v1/editions/{edition}/jury/{}", juror.id),
        )
        .json(&json!({"seat": "councillor"}))
        .bearer_auth(&organization.admin.token)
        .send()
        .await
        .unwrap();
    assert!(seated.status().is_success(), "{}", seated.status());
    let councillor = app.create_user(&[Role::Councillor]).await;
    app.join_roster(&organization, &councillor, "Collège 1")
        .await;
    let applicant = app.create_user(&[Role::Applicant]).await;
    let drafted = app
        .post(
            &format!("/api/v1/editions/{edition}/applications"),
            &complete_file(),
        )
        .bearer_auth(&applicant.token)
        .send()
        .await
        .unwrap();
    assert_eq!(drafted.status(), 201);
    Populated {
        organization,
        juror,
        councillor,
        applicant,
    }
}

async fn listed_ids(app: &TestApp, token: &str) -> Vec<String> {
    let page = json(
        app.get("/api/v1/users?limit=200")
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["id"].as_str().unwrap().to_owned())
        .collect()
}

api_test!(async fn staff_see_and_manage_only_their_organizations_people(app) {
    let ara = populate(&app, "ceser-ara").await;
    let cress = populate(&app, "cress-auvergne").await;
    let platform = app.create_platform_admin().await;
    let outsider = app.create_user(&[Role::Applicant]).await;
    let admin = &ara.organization.admin.token;

    // Reading: their staff, jury, councillors and applicants; nobody else.
    let mut seen = listed_ids(&app, admin).await;
    seen.sort();
    let mut expected: Vec<String> = [&ara.organization.admin, &ara.juror, &ara.councillor, &ara.applicant].iter().map(|user| user.id.to_string()).collect();
    expected.sort();
    assert_eq!(seen, expected);
    for user in [&ara.juror, &ara.councillor, &ara.applicant] {
        let response = app.get(&format!("/api/v1/users/{}", user.id)).bearer_auth(admin).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    for user in [&cress.organization.admin, &cress.juror, &cress.councillor, &cress.applicant, &platform, &outsider] {
        let response = app.get(&format!("/api/v1/users/{}", user.id)).bearer_auth(admin).send().await.unwrap();
        assert_problem(response, 404, "not_found").await;
    }

    // Changing: another organization's admin, a platform admin, an outsider are out of reach.
    let pwn = json!({"roles": ["applicant"], "display_name": "pwned"});
    for user in [&cress.organization.admin, &cress.juror, &platform, &outsider] {
        let response = app.patch(&format!("/api/v1/users/{}", user.id), &pwn).bearer_auth(admin).send().await.unwrap();
        assert_problem(response, 404, "not_found").await;
        let response = app.patch(&format!("/api/v1/users/{}", user.id), &json!({"disabled": true})).bearer_auth(admin).send().await.unwrap();
        assert_problem(response, 404, "not_found").await;
    }
    assert_eq!(app.login(&platform.email, PASSWORD).await.status(), 200);
    assert_eq!(app.login(&cress.organization.admin.email, PASSWORD).await.status(), 200);
    let cress_admin = json(app.get(&format!("/api/v1/users/{}", cress.organization.admin.id)).bearer_auth(&platform.token).send().await.unwrap()).await;
    assert_eq!(cress_admin["roles"], json!(["admin"]));

    // Their applicants are read-only.
    let response = app.patch(&format!("/api/v1/users/{}", ara.applicant.id), &json!({"display_name": "Renamed"})).bearer_auth(admin).send().await.unwrap();
    assert_problem(response, 403, "forbidden").await;

    // Their jury and councillors: names, disabling, and withdrawing the roles an organization
    // grants; never giving one (that takes an invitation the holder accepts).
    let juror = format!("/api/v1/users/{}", ara.juror.id);
    for roles in [json!(["jury", "councillor"]), json!(["jury", "admin"]), json!(["jury", "applicant"])] {
        let response = app.patch(&juror, &json!({"roles": roles})).bearer_auth(admin).send().await.unwrap();
        assert_problem(response, 403, "forbidden").await;
    }
    let renamed = app.patch(&juror, &json!({"display_name": "Jeanne Juré"})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(json(renamed).await["display_name"], "Jeanne Juré");
    let withdrawn = app.patch(&juror, &json!({"roles": []})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(json(withdrawn).await["roles"], json!([]));
    let councillor = format!("/api/v1/users/{}", ara.councillor.id);
    let disabled = app.patch(&councillor, &json!({"disabled": true})).bearer_auth(admin).send().await.unwrap();
    assert_eq!(disabled.status(), 200);

    // Another organization's staff list is out of reach, to read or to change.
    let cress_admins = format!("/api/v1/organizations/{}/admins", cress.organization.id);
    assert_problem(app.get(&cress_admins).bearer_auth(admin).send().await.unwrap(), 404, "not_found").await;
    for method in [Method::PUT, Method::DELETE] {
        for user in [&ara.organization.admin, &cress.organization.admin] {
            let response = app.request(method.clone(), &format!("{cress_admins}/{}", user.id)).bearer_auth(admin).send().await.unwrap();
            assert_problem(response, 404, "not_found").await;
        }
    }
    // Nor can they bring a platform admin or another organization's admin into their own staff.
    let ara_admins = format!("/api/v1/organizations/{}/admins", ara.organization.id);
    for user in [&platform, &cress.organization.admin] {
        let response = app.request(Method::PUT, &format!("{ara_admins}/{}", user.id)).bearer_auth(admin).send().await.unwrap();
        assert_problem(response, 404, "not_found").await;
    }
    let staff = json(app.get(&ara_admins).bearer_auth(admin).send().await.unwrap()).await["items"].clone();
    assert_eq!(staff.as_array().unwrap().len(), 1);
    let cress_roster = format!("/api/v1/organizations/{}/councillors", cress.organization.id);
    assert_problem(app.get(&cress_roster).bearer_auth(admin).send().await.unwrap(), 404, "not_found").await;
    let response = app.request(Method::DELETE, &format!("{cress_roster}/{}", cress.councillor.id)).bearer_auth(admin).send().await.unwrap();
    assert_problem(response, 404, "not_found").await;

    // Accounts are created by platform admins; staff bring people in by invitation.
    let body = json!({"email": "new@example.fr", "password": PASSWORD, "display_name": "New", "roles": ["jury"]});
    let response = app.post("/api/v1/users", &body).bearer_auth(admin).send().await.unwrap();
    assert_problem(response, 403, "forbidden").await;

    // The platform admin sees and manages everyone.
    let everyone = listed_ids(&app, &platform.token).await;
    for user in [&ara.organization.admin, &cress.organization.admin, &cress.applicant, &outsider, &platform] {
        assert!(everyone.contains(&user.id.to_string()));
    }
    let response = app.patch(&format!("/api/v1/users/{}", cress.applicant.id), &json!({"display_name": "Renamed"})).bearer_auth(&platform.token).send().await.unwrap();
    assert_eq!(response.status(), 200);
});

async fn audit_items(app: &TestApp, token: &str) -> Vec<Value> {
    let page = json(
        app.get("/api/v1/audit?limit=200")
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

api_test!(async fn staff_read_only_their_organizations_audit_trail(app) {
    let ara = populate(&app, "ceser-ara").await;
    let cress = populate(&app, "cress-auvergne").await;
    let platform = app.create_platform_admin().await;
    // An action of CRESS's admin on one of their people.
    let response = app.patch(&format!("/api/v1/users/{}", cress.juror.id), &json!({"display_name": "Juré CRESS"})).bearer_auth(&cress.organization.admin.token).send().await.unwrap();
    assert_eq!(response.status(), 200);

    for (mine, theirs) in [(&ara, &cress), (&cress, &ara)] {
        let items = audit_items(&app, &mine.organization.admin.token).await;
        assert!(items.iter().any(|event| event["action"] == "edition.created"), "{items:?}");
        for event in &items {
            let own_organization = event["organization_id"] == json!(mine.organization.id);
            let own_action = event["actor_id"] == json!(mine.organization.admin.id.to_string());
            assert!(own_organization || own_action, "{event}");
            assert_ne!(event["organization_id"], json!(theirs.organization.id), "{event}");
        }
        // Filters cannot widen the view.
        let filtered = json(app.get(&format!("/api/v1/audit?target_id={}", theirs.organization.id)).bearer_auth(&mine.organization.admin.token).send().await.unwrap()).await;
        assert_eq!(filtered["items"], json!([]));
    }
    let cress_items = audit_items(&app, &cress.organization.admin.token).await;
    assert!(cress_items.iter().any(|event| event["action"] == "user.renamed"));
    let ara_items = audit_items(&app, &ara.organization.admin.token).await;
    assert!(!ara_items.iter().any(|event| event["action"] == "user.renamed"));

    let all = audit_items(&app, &platform.token).await;
    for organization in [&ara.organization.id, &cress.organization.id] {
        assert!(all.iter().any(|event| event["organization_id"] == json!(organization)));
    }
    assert!(all.iter().any(|event| event["organization_id"].is_null()));
});
