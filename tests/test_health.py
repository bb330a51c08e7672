"""The liveness probe answers without a database or a session."""


def test_healthz_answers_ok_without_touching_the_database(
    db, client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
