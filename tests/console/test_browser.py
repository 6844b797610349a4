"""End to end in a real browser: a scoped moderator works the queue in headless Chromium.

Debian's `chromium` and `chromium-driver` (installed by `make test` where it can; this
test skips, saying why, where they are missing) driven by Selenium against a live server
on this machine. Screenshots of each step land in var/test-artifacts/browser/.
"""

import os
import shutil
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from communities.models import AuditLogEntry
from content.models import Post, Report
from tests.console.conftest import make_moderator, make_post, make_report
from tests.factories import TEST_PASSWORD, CommunityFactory, member_add

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", Path(settings.BASE_DIR) / "var" / "test-artifacts")) / "browser"
PORTS = range(18500, 18600)  # this project's range for servers started by tests

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (requirements/dev.txt)")
pytestmark = [
    pytest.mark.skipif(not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)),
                       reason="chromium and chromium-driver are not installed (make test installs them as root)"),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 18500-18599")


@pytest.fixture
def server():
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer(f"127.0.0.1:{_free_port()}")
    yield live
    live.stop()


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1280,1100"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_a_scoped_moderator_removes_a_reported_post_from_the_queue(server, browser, settings):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # Plain http on loopback: the production cookie flags would keep the session cookie out.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    alpha, beta = CommunityFactory(name="Alpha"), CommunityFactory(name="Beta")
    moderator = make_moderator(alpha, email="mod@example.com")
    spam = make_post(alpha, author=member_add(alpha), title="Cheap pills here", content="buy now at example")
    report = make_report(spam, alpha, member_add(alpha), member_add(alpha))
    make_report(make_post(beta, title="Beta business"), beta)

    browser.get(server.url + reverse("admin:index"))
    browser.find_element(By.NAME, "username").send_keys(moderator.email)
    browser.find_element(By.NAME, "password").send_keys(TEST_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()

    # Landing page: the index of the moderator's work; the click may return before the login's
    # redirect lands (a busy CI machine): wait for it. Then the queue: only Alpha's report, with
    # the content and two reporters.
    queue = reverse("admin:content_report_queue")
    try:
        WebDriverWait(browser, 20).until(lambda driver: driver.find_elements(By.ID, "console-work"))
    except TimeoutException:
        pass  # the assertion below names the page it stayed on
    work = browser.find_element(By.ID, "console-work").text
    assert "Open reports in Alpha" in work and "Beta" not in work
    _shot(browser, "0-index")
    browser.find_element(By.LINK_TEXT, "Moderation queue").click()
    assert browser.current_url.endswith(queue)
    item = browser.find_element(By.ID, f"report-{report.pk}")
    assert "Cheap pills here" in item.text and item.find_element(By.CLASS_NAME, "reporter-count").text == "2"
    assert "Beta business" not in browser.page_source
    _shot(browser, "1-queue")

    item.find_element(By.NAME, "reason").send_keys("pill spam")
    item.find_element(By.CSS_SELECTOR, "button[value=remove]").click()
    assert "remove: done, report resolved" in browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    assert "Nothing to review" in browser.page_source
    _shot(browser, "2-removed")

    browser.get(server.url + reverse("admin:communities_auditlogentry_changelist"))
    rows = browser.find_element(By.ID, "result_list").text
    assert "Post removed" in rows and "pill spam" in rows and "Report resolved" in rows
    _shot(browser, "3-audit-log")

    spam.refresh_from_db(), report.refresh_from_db()
    assert spam.deleted_at is not None and report.status == "resolved"
    assert set(AuditLogEntry.objects.filter(actor=moderator).values_list("action", flat=True)) == {
        "post.removed", "report.resolved"}
    assert Post.objects.filter(community=beta, deleted_at__isnull=True).count() == 1
    assert Report.objects.filter(community=beta, status="open").count() == 1
