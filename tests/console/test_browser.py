"""End to end in a real browser, headless Chromium: a community moderator works the queue
(claims and decides a grouped report, bulk-removes with the confirmation page, reads the audit
log); a superadmin sees the System section and the record of their look at an email address.

Debian's `chromium` and `chromium-driver` (installed by `make test` where it can; these
tests skip, saying why, where they are missing) driven by Selenium against a live server
on this machine. A screenshot of each step lands in var/test-artifacts/browser/ (a window of
1280x900); docs/console/ keeps a few of them for docs/operations.md.
"""

import os
import shutil
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from communities.models import AuditLogEntry
from content.models import Post, Report, ReportEntry
from content.services.reports import report_claim
from members.models import EmailView
from members.selectors.access import community_access
from tests.console.conftest import make_moderator, make_post, make_report
from tests.factories import TEST_PASSWORD, CommunityFactory, ReportEntryFactory, UserFactory, member_add

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
                 "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _log_in(server, browser, user, landmark: str) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.url + reverse("admin:index"))
    browser.find_element(By.NAME, "username").send_keys(user.email)
    browser.find_element(By.NAME, "password").send_keys(TEST_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The click may return before the login's redirect lands (a busy CI machine): wait for it.
    try:
        WebDriverWait(browser, 20).until(lambda driver: driver.find_elements(By.ID, landmark))
    except TimeoutException:
        pass  # the caller's assertion names the page it stayed on


def _absent(browser, scope, by: str, value: str) -> bool:
    """No such element in `scope`, asked without the implicit wait (which would wait it out)."""
    browser.implicitly_wait(0)
    try:
        return not scope.find_elements(by, value)
    finally:
        browser.implicitly_wait(5)


def _message(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text


@pytest.fixture
def plain_http_cookies(settings):
    # Plain http on loopback: the production cookie flags would keep the session cookie out.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


def test_a_community_moderator_claims_and_decides_a_grouped_report_and_bulk_removes(server, browser,
                                                                                   plain_http_cookies):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    alpha, beta = CommunityFactory(name="Alpha"), CommunityFactory(name="Beta")
    moderator = make_moderator(alpha, username="mod", email="mod@example.com")
    colleague = make_moderator(alpha, username="ola")
    def person(name: str):
        return member_add(alpha, user=UserFactory(username=name))

    spam = make_post(alpha, author=person("pillpusher"), title="Cheap pills here", content="buy now at example")
    report = make_report(spam, alpha, person("ana"))
    for name, text in (("ben", "same link in three channels"), ("cleo", "a bot, posting every minute")):
        ReportEntryFactory(report=report, reporter=person(name), category="spam", text=text)
    held = make_report(make_post(alpha, author=person("dora"), title="Is this allowed?"), alpha, person("eli"),
                       category="other")
    report_claim(report=held, moderator=colleague, access=community_access(community_id=alpha.pk, user=colleague))
    stale = [make_post(alpha, author=person(f"giver{n}"), title=f"Old giveaway {n}", content="expired")
             for n in (1, 2)]
    make_report(make_post(beta, title="Beta business"), beta)

    # Landing page: the moderator's work, their community only.
    _log_in(server, browser, moderator, "console-work")
    work = browser.find_element(By.ID, "console-work").text
    assert "Open reports in Alpha" in work and "Beta" not in work
    _shot(browser, "01-moderator-index")

    # The queue: three reports of one post are one item, with every reporter's reason; the
    # colleague's claim shows who holds the other item, and its buttons wait.
    browser.find_element(By.LINK_TEXT, "Moderation queue").click()
    item = browser.find_element(By.ID, f"report-{report.pk}")
    assert item.find_element(By.CLASS_NAME, "reporter-count").text == "3"
    assert "same link in three channels" in item.text and "a bot, posting every minute" in item.text
    other = browser.find_element(By.ID, f"report-{held.pk}")
    assert "Claimed by ola" in other.text and _absent(browser, other, By.CSS_SELECTOR, "button[value=remove]")
    assert "Beta business" not in browser.page_source
    browser.execute_script("arguments[0].scrollIntoView()", item)  # both items in the picture
    _shot(browser, "02-queue-grouped")

    item.find_element(By.CSS_SELECTOR, "button[value=claim]").click()
    assert "claimed by you until" in _message(browser)
    item = browser.find_element(By.ID, f"report-{report.pk}")
    assert "Claimed by you" in item.text
    _shot(browser, "03-queue-claimed")

    item.find_element(By.NAME, "reason").send_keys("pill spam")
    item.find_element(By.CSS_SELECTOR, "button[value=remove]").click()
    assert "Cheap pills here' by pillpusher in Alpha: removed; 3 reports resolved." in _message(browser)
    assert _absent(browser, browser, By.ID, f"report-{report.pk}")
    _shot(browser, "04-queue-decided")

    # Bulk remove from the posts list: a confirmation page lists what will change first.
    browser.get(server.url + reverse("admin:content_post_changelist") + "?q=giveaway")
    for post in stale:
        browser.find_element(By.CSS_SELECTOR, f"input[name=_selected_action][value='{post.pk}']").click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("remove_posts")
    browser.find_element(By.NAME, "index").click()
    will_change = browser.find_element(By.ID, "will-change").text
    assert "Old giveaway 1" in will_change and "Old giveaway 2" in will_change
    assert all(Post.objects.get(pk=post.pk).deleted_at is None for post in stale)  # nothing yet
    _shot(browser, "05-bulk-remove-confirm")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit][value='Yes, remove them']").click()
    assert "Removed 2 posts" in _message(browser)
    _shot(browser, "06-bulk-removed")

    # The audit log says who did what to what, in words.
    browser.get(server.url + reverse("admin:communities_auditlogentry_changelist"))
    rows = browser.find_element(By.ID, "result_list").text
    assert "Post removed" in rows and "pill spam" in rows and "Report resolved" in rows
    assert "Old giveaway 1" in rows
    _shot(browser, "07-audit-log")

    spam.refresh_from_db(), report.refresh_from_db()
    assert spam.deleted_at is not None and report.status == "resolved"
    assert ReportEntry.objects.filter(report=report).count() == 3
    assert Post.objects.filter(pk__in=[post.pk for post in stale], deleted_at__isnull=False).count() == 2
    assert set(AuditLogEntry.objects.filter(actor=moderator).values_list("action", flat=True)) == {
        "post.removed", "report.resolved"}
    assert Report.objects.get(pk=held.pk).status == "open"
    assert Report.objects.filter(community=beta, status="open").count() == 1


def test_a_superadmin_sees_the_system_section_and_their_look_at_an_address_is_recorded(server, browser,
                                                                                        plain_http_cookies):
    from selenium.webdriver.common.by import By

    alpha = CommunityFactory(name="Alpha")
    make_report(make_post(alpha, title="Cheap pills here"), alpha)
    boss = UserFactory(username="root", email="root@example.com", is_staff=True, is_superuser=True)
    bob = member_add(alpha, user=UserFactory(username="bob", email="bob@example.com"))

    _log_in(server, browser, boss, "console-operations")
    assert "Open reports in Alpha" in browser.find_element(By.ID, "console-work").text
    assert browser.find_element(By.ID, "console-operations").text  # the platform's health
    system = browser.find_element(By.CSS_SELECTOR, "div.app-system")
    assert "system" in system.text.lower() and "Email address views" in system.text
    _shot(browser, "08-superadmin-index")
    browser.execute_script("arguments[0].scrollIntoView()", system)
    _shot(browser, "09-superadmin-system")

    browser.get(server.url + reverse("admin:members_user_change", args=[bob.pk]))
    assert "bob@example.com" in browser.page_source
    _shot(browser, "10-superadmin-email-shown")

    browser.get(server.url + reverse("admin:members_emailview_changelist"))
    rows = browser.find_element(By.ID, "result_list").text
    assert "root" in rows and "bob" in rows and "user's page" in rows
    _shot(browser, "11-email-views-audited")
    assert EmailView.objects.filter(viewer=boss, subject=bob).exists()
