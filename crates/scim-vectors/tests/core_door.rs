//! Runs every vector in `tests/vectors` through scim-core directly.

#[test]
fn vectors_via_core() {
    let mut door = scim_vectors::CoreDoor::default();
    let report = scim_vectors::run_all(&mut door);
    println!("{}", report.summary("core"));
    assert!(report.ok(), "{}\n{}", report.problems.join("\n"), report.summary("core"));
    assert!(report.passed >= 1, "no vectors ran");
}
