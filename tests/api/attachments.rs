use prix_ceser::domain::Role;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::{
    applications::{complete_file, draft, setup},
    helpers::*,
};

pub const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00";

pub fn form(name: &str, bytes: &[u8], declared_type: &str) -> Form {
    Form::new().part(
        "file",
        Part::bytes(bytes.to_vec())
            .file_name(name.to_owned())
            .mime_str(declared_type)
            .unwrap(),
    )
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    application_id: &str,
    form: Form,
) -> reqwest::Response {
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/applications/{application_id}/attachments"),
    )
    .bearer_auth(token)
    .multipart(form)
    .send()
    .await
    .unwrap()
}

api_test!(async fn upload_list_download_delete(app) {
    let setup = setup(&app).await;
    let file = json(draft(&app, &setup, &complete_file()).await).await;
    let id = file["id"].as_str().unwrap();
    let response = upload(&app, &setup.applicant.token, id, form("../budget 2025.pdf", PDF, "application/octet-stream")).await;
    assert_eq!(response.status(), 201);
    let attachment = json(response).await;
    assert_eq!(attachment["filename"], "budget 2025.pdf");
    assert_eq!(attachment["content_type"], "application/pdf");
    assert_eq!(attachment["size_bytes"], PDF.len());
    assert_eq!(app.stored_files().len(), 1);

    let listed = json(app.get(&format!("/api/v1/applications/{id}/attachments")).bearer_auth(&setup.organization.admin.token).send().await.unwrap()).await;
    assert_eq!(listed, json!([attachment]));
    let path = format!("/api/v1/attachments/{}", attachment["id"].as_str().unwrap());
    for token in [&setup.applicant.token, &setup.organization.admin.token] {
        let download = app.get(&path).bearer_auth(token).send().await.unwrap();
        assert_eq!(download.status(), 200);
        assert_eq!(download.headers()["content-type"], "application/pdf");
        assert_eq!(download.headers()["content-disposition"], "attachment; filename=\"budget 2025.pdf\"");
        assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
    }
    let stranger = app.create_user(&[Role::Applicant]).await;
    assert_problem(app.get(&path).bearer_auth(&stranger.token).send().await.unwrap(), 404, "not_found").await;
    assert_problem(upload(&app, &stranger.token, id, form("x.pdf", PDF, "application/pdf")).await, 404, "not_found").await;
    let staff_delete = app.request(reqwest::Method::DELETE, &path).bearer_auth(&setup.organization.admin.token).send().await.unwrap();
    assert_problem(staff_delete, 403, "forbidden").await;

    let deleted = app.request(reqwest::Method::DELETE, &path).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(app.stored_files().is_empty());
    assert_problem(app.get(&path).bearer_auth(&setup.applicant.token).send().await.unwrap(), 404, "not_found").await;

    // Once submitted, the file's attachments are frozen.
    app.post(&format!("/api/v1/applications/{id}/submit"), &json!({})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_problem(upload(&app, &setup.applicant.token, id, form("late.pdf", PDF, "application/pdf")).await, 409, "not_a_draft").await;
});

api_test!(async fn disguised_files_are_refused_and_leave_nothing(app) {
    let setup = setup(&app).await;
    let file = json(draft(&app, &setup, &complete_file()).await).await;
    let id = file["id"].as_str().unwrap();
    for (name, bytes) in [("dossier.pdf", EXE), ("photo.png", b"GIF89a\x01\x00\x01\x00".as_slice()), ("notes.pdf", b"plain text".as_slice())] {
        let response = upload(&app, &setup.applicant.token, id, form(name, bytes, "application/pdf")).await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], "unsupported_type", "{name}");
    }
    let empty = upload(&app, &setup.applicant.token, id, form("empty.pdf", b"", "application/pdf")).await;
    assert_problem(empty, 422, "validation_failed").await;
    let no_file = upload(&app, &setup.applicant.token, id, Form::new().text("comment", "hello")).await;
    assert_problem(no_file, 422, "validation_failed").await;
    let not_multipart = app.post(&format!("/api/v1/applications/{id}/attachments"), &json!({"file": "x"})).bearer_auth(&setup.applicant.token).send().await.unwrap();
    assert_problem(not_multipart, 415, "unsupported_media_type").await;
    assert!(app.stored_files().is_empty(), "{:?}", app.stored_files());
});

api_test!(async fn oversized_uploads_are_413_and_leave_nothing(app) env ["PRIX_MAX_UPLOAD_BYTES" = "2048"] {
    let setup = setup(&app).await;
    let file = json(draft(&app, &setup, &complete_file()).await).await;
    let mut big = PDF.to_vec();
    big.resize(5000, b' ');
    let response = upload(&app, &setup.applicant.token, file["id"].as_str().unwrap(), form("big.pdf", &big, "application/pdf")).await;
    assert_problem(response, 413, "payload_too_large").await;
    assert!(app.stored_files().is_empty(), "{:?}", app.stored_files());
});

api_test!(async fn at_most_ten_attachments(app) {
    let setup = setup(&app).await;
    let file = json(draft(&app, &setup, &complete_file()).await).await;
    let id = file["id"].as_str().unwrap();
    for index in 0..10 {
        let response = upload(&app, &setup.applicant.token, id, form(&format!("page{index}.pdf"), PDF, "application/pdf")).await;
        assert_eq!(response.status(), 201);
    }
    let eleventh = upload(&app, &setup.applicant.token, id, form("page10.pdf", PDF, "application/pdf")).await;
    assert_problem(eleventh, 409, "too_many_attachments").await;
    assert_eq!(app.stored_files().len(), 10);
});
