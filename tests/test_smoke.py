from learning.accounts.models import Role


def test_pages_render_for_admin(client, make_user, login):
    admin = make_user(Role.ADMIN)
    login(admin)
    for url in ["/", "/cohorts", "/cohorts/new", "/people", "/people/invite", "/account",
                "/account/password", "/notifications", "/admin/audit", "/admin/outbox",
                "/healthz"]:
        response = client.get(url)
        assert response.status_code == 200, url
