"""GraphiQL in real headless Chromium: it works offline and asks nothing outside localhost."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterator

import pytest

from tests.graphql_client import DEMO_PASSWORD
from tests.processes import web_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

LOGIN = (
    'mutation Login { login(tenant: "demo", username: "cp_worker", '
    f'password: "{DEMO_PASSWORD}") {{ accessToken expiresIn }} }}'
)


@pytest.fixture
def chromium() -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but Debian chromium/chromium-driver are missing")
        pytest.skip("Debian packages chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _requested_urls(driver: object) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):  # type: ignore[attr-defined]
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_graphiql_runs_login_and_asks_nothing_outside_localhost(chromium: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium
    with web_server() as base:
        # given GraphiQL opened with the login mutation
        driver.get(f"{base}/graphql#query={urllib.parse.quote(LOGIN)}")  # type: ignore[attr-defined]
        wait = WebDriverWait(driver, 60)
        button = wait.until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, "button.graphiql-execute-button"))
        )

        # when the user runs it
        button.click()

        # then the result pane shows an access token
        wait.until(
            ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".graphiql-response"), "accessToken")
        )
        response_text = driver.find_element(By.CSS_SELECTOR, ".graphiql-response").text  # type: ignore[attr-defined]
        assert '"expiresIn"' in response_text
        assert "errors" not in response_text

    urls = _requested_urls(driver)
    assert any(url.endswith("/graphql") for url in urls)
    outside = [
        url
        for url in urls
        if urllib.parse.urlsplit(url).scheme in {"http", "https", "ws", "wss"}
        and urllib.parse.urlsplit(url).hostname not in LOCAL_HOSTS
    ]
    assert outside == []
