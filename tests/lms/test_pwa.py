"""The installable web app: a manifest per language, the service worker at the site's root, and
the page it shows offline for pages never visited."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from lms import pwa

pytestmark = pytest.mark.django_db


def manifest(client, language):
    response = client.get(f"/{language}/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    return json.loads(response.content)


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_manifest_starts_the_app_in_its_language(client, language):
    fields = manifest(client, language)
    assert fields["start_url"] == f"/{language}/"
    assert fields["lang"] == language
    assert fields["scope"] == "/"
    assert fields["display"] == "standalone"
    assert fields["name"] == fields["short_name"] == "Komek"


def test_manifest_description_is_in_the_language_of_its_address(client):
    assert "волонтёр" in manifest(client, "ru")["description"]
    assert manifest(client, "en")["description"] == (
        "Learning and certification for medical volunteers"
    )
    assert manifest(client, "kk")["description"] != manifest(client, "en")["description"]


def test_manifest_colours_are_the_site_stylesheets(client):
    fields = manifest(client, "ru")
    css = Path(finders.find("lms/komek.css")).read_text(encoding="utf-8")
    assert f"--brand: {fields['theme_color']};" in css
    assert f"--wash: {fields['background_color']};" in css


def test_manifest_icons_exist_at_their_declared_sizes(client):
    icons = manifest(client, "ru")["icons"]
    assert {(icon["sizes"], icon["purpose"]) for icon in icons} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }
    for icon in icons:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"


def test_every_page_links_its_languages_manifest(client):
    assert (
        '<link rel="manifest" href="/kk/manifest.webmanifest">'
        in client.get("/kk/offline/").content.decode()
    )


def test_service_worker_is_served_from_the_root_as_javascript_never_from_a_stale_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"


def test_service_worker_cache_is_named_after_the_static_files_version(client):
    body = client.get("/sw.js").content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", body).group(1))
    assert config["version"] == pwa.static_version()
    assert "/static/lms/komek.css" in config["shell"]
    assert config["offlinePages"] == {
        "ru": "/ru/offline/",
        "kk": "/kk/offline/",
        "en": "/en/offline/",
    }


def test_static_version_changes_when_a_shell_file_changes(tmp_path, settings, monkeypatch):
    before = pwa.static_version()
    pwa.static_version.cache_clear()
    changed = tmp_path / "komek.css"
    changed.write_text("body { color: red; }")
    original_find = finders.find
    monkeypatch.setattr(
        finders,
        "find",
        lambda name, *args, **kwargs: (
            str(changed) if name == "lms/komek.css" else original_find(name, *args, **kwargs)
        ),
    )
    try:
        assert pwa.static_version() != before
    finally:
        pwa.static_version.cache_clear()


def test_service_worker_never_stores_admin_accounts_certificates_or_check_in(client):
    body = client.get("/sw.js").content.decode()
    patterns = [
        re.compile(p)
        for p in json.loads(re.search(r"const CONFIG = (\{.*\});", body).group(1))["neverCached"]
    ]

    def never(path):
        return any(p.search(path) for p in patterns)

    for path in [
        "/admin/pages/",
        "/certificates/ABCD/pdf/",
        "/media/private/certificates/x.pdf",
        "/check-in/3/abc/",
        "/ru/coordination/events/3/check-in/",
        "/ru/accounts/login/",
        "/calendar/secret.ics",
        "/record-book/some-token/",
        "/ru/record-book/pdf/3/",
    ]:
        assert never(path), path
    for path in ["/ru/courses/first-aid/lesson-1/", "/static/lms/komek.css", "/ru/"]:
        assert not never(path), path


def test_service_worker_answers_only_gets_and_stores_no_post(client):
    body = client.get("/sw.js").content.decode()
    assert 'if (request.method !== "GET") return;' in body


def test_csp_allows_the_worker_and_the_manifest_from_the_site_itself(client):
    policy = client.get("/ru/offline/")["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert "'self'" in directives["worker-src"]
    assert "'self'" in directives.get("manifest-src", directives["default-src"])
    assert "'self'" in directives["script-src"]


@pytest.mark.parametrize(
    ("language", "heading"),
    [("ru", "Нет подключения"), ("kk", "Байланыс жоқ"), ("en", "No connection")],
)
def test_offline_page_says_there_is_no_connection_in_its_language(client, language, heading):
    response = client.get(f"/{language}/offline/")
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_offline_page_shows_no_one_s_account_links(client, volunteer):
    client.force_login(volunteer)
    html = client.get("/ru/offline/").content.decode()
    assert "/ru/accounts/logout/" not in html
    assert 'data-user-key=""' not in html  # the queue still knows whose page it is
