//! The committed OpenAPI document is the one the code generates. Regenerate it with
//! `UPDATE_OPENAPI=1 cargo test --test api openapi`.

#[test]
fn committed_openapi_document_matches_the_code() {
    let generated = loyalty_server::startup::openapi_json().expect("generate");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write openapi/openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

#[test]
fn every_operation_has_a_verb_resource_id_and_a_problem_answer() {
    let doc = loyalty_server::http::openapi_document();
    let mut count = 0;
    for (path, item) in doc.paths.paths.iter() {
        for op in [&item.get, &item.post, &item.put, &item.delete]
            .into_iter()
            .flatten()
        {
            count += 1;
            let id = op.operation_id.as_deref().unwrap_or("");
            assert!(id.contains('_'), "{path}: operationId {id:?}");
            assert!(
                op.description.is_some() || op.summary.is_some(),
                "{path}: undocumented"
            );
            let json = serde_json::to_value(&op.responses).expect("responses");
            let responses = json.get("responses").unwrap_or(&json);
            let problem_answer =
                responses
                    .as_object()
                    .into_iter()
                    .flatten()
                    .any(|(status, answer)| {
                        (status.starts_with('4') || status.starts_with('5'))
                            && answer["content"]["application/problem+json"].is_object()
                    });
            // Liveness answers 200 whenever the process serves; every other operation
            // documents its problem answers.
            assert!(
                problem_answer || id == "get_liveness",
                "{path} {id}: no problem+json answer documented"
            );
        }
    }
    assert!(count >= 25, "only {count} operations documented");
}
