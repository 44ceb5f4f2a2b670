"""The web chat, the elderly page and the staff page in real headless Chromium against the running system."""

from __future__ import annotations

import sqlite3
import time

import httpx
import pytest

from govbot.security.sessions import COOKIE, WebSession, session_id
from tests.browser import browser, wait_until
from tests.conftest import PROJECT

ARTIFACTS = PROJECT / "var" / "test-artifacts"
UNLABELED_JS = """
() => [...document.querySelectorAll('button, textarea, input')]
  .filter(e => !(e.innerText.trim() || e.getAttribute('aria-label')
                 || (e.id && document.querySelector(`label[for="${e.id}"]`))))
  .map(e => e.outerHTML)
"""
CONTRAST_JS = """
(selector) => {
  const parse = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bg = (el) => {
    while (el) {
      const c = getComputedStyle(el).backgroundColor;
      if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return parse(c);
      el = el.parentElement;
    }
    return [255, 255, 255];
  };
  const el = document.querySelector(selector);
  const a = lum(parse(getComputedStyle(el).color)), b = lum(bg(el));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


@pytest.fixture(scope="module")
def chromium():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with browser() as instance:
        yield instance


def _session_cookie(page) -> dict:
    return next(c for c in page.context.cookies() if c["name"] == COOKIE)


def _bot_count(page) -> int:
    return page.locator(".msg.bot").count()


def _ask(page, text: str) -> None:
    before = _bot_count(page)
    page.fill("#message-input", text)
    page.keyboard.press("Enter")
    wait_until(page, f"document.querySelectorAll('.msg.bot').length > {before}", timeout=30_000)
    page.wait_for_selector("#typing", state="hidden", timeout=30_000)


def test_web_chat(stack, chromium):
    page = chromium.new_page(viewport={"width": 1000, "height": 900})
    page.goto(stack.app_url + "/")
    assert page.locator("#messages").get_attribute("aria-live") == "polite"
    _ask(page, "护照要带什么材料")
    answer = page.locator(".msg.bot", has_text="普通护照办理")
    assert answer.count() == 1
    assert answer.locator(".answer-title").inner_text() == "普通护照办理"
    assert answer.locator(".passage .section-heading").first.inner_text() == "申请材料"
    assert "办理流程" in [b.inner_text() for b in answer.locator(".choices button").all()]
    link = answer.locator(".citation a")
    assert link.get_attribute("href") == "https://zwfw.shili.example/guide/passport"
    assert "来源：" in answer.locator(".citation").inner_text()
    _ask(page, "公积金")
    page.get_by_role("button", name="住房公积金贷款").last.click()
    wait_until(
        page, "[...document.querySelectorAll('.msg.bot .answer-title')].some(m => m.innerText === '住房公积金贷款')"
    )
    page.wait_for_selector("#typing", state="hidden")
    page.locator(".msg.bot .feedback button[aria-label='没用']").last.click()
    wait_until(page, "[...document.querySelectorAll('.msg.bot')].some(m => m.innerText.includes('反馈已记录'))")
    cookie = _session_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    session = session_id(cookie["value"], stack.secret("session_secret"), max_age=3600)
    sender = WebSession(session).chat_sender
    with sqlite3.connect(stack.database) as db:
        rows = db.execute("select doc_id, rating from feedback where sender = ?", (sender,)).fetchall()
    assert rows == [("housing-fund-loan", -1)]
    page.screenshot(path=str(ARTIFACTS / "web-chat.png"), full_page=True)
    shown = page.locator(".msg").count()
    page.reload()
    wait_until(page, f"document.querySelectorAll('.msg').length >= {shown - 1}")
    assert "普通护照办理" in page.locator("#messages .answer-title").first.inner_text()
    assert _session_cookie(page)["value"] == cookie["value"]


def test_injection_is_rendered_as_text(stack, chromium):
    page = chromium.new_page()
    page.goto(stack.app_url + "/")
    payload = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    _ask(page, payload)
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator(".msg.user").last.inner_text().endswith(payload)
    assert page.locator("#messages img").count() == 0 and page.locator("#messages script").count() == 0


def test_limits_retry_typing_and_phone_layout(stack, chromium):
    page = chromium.new_page(viewport={"width": 360, "height": 740}, is_mobile=True)
    page.goto(stack.app_url + "/")
    page.fill("#message-input", "办" * 600)
    assert len(page.input_value("#message-input")) == 500
    page.dispatch_event("#message-input", "input")
    assert "500" in page.inner_text("#input-error")
    page.fill("#message-input", "")
    failures = {"n": 0}

    def fail_once(route):
        if failures["n"] == 0:
            failures["n"] += 1
            route.abort()
        else:
            time.sleep(0.8)
            route.continue_()

    page.route("**/api/chat", fail_once)
    page.fill("#message-input", "社保卡丢了怎么补办")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg.error button")
    page.click(".msg.error button")
    page.wait_for_selector("#typing", state="visible")
    wait_until(page, "[...document.querySelectorAll('.msg.bot')].some(m => m.innerText.includes('社会保障卡'))")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "web-chat-360.png"), full_page=True)


def test_accessibility(stack, chromium):
    page = chromium.new_page()
    page.goto(stack.app_url + "/")
    unlabeled = page.evaluate(UNLABELED_JS)
    assert unlabeled == []
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "message-input":
            break
    assert page.evaluate("document.activeElement.id") == "message-input"
    page.keyboard.type("结婚登记要带什么")
    page.keyboard.press("Enter")
    wait_until(page, "[...document.querySelectorAll('.msg.bot')].some(m => m.innerText.includes('结婚登记'))")
    for selector in (
        ".msg.bot .bubble",
        ".msg.user .bubble",
        "#send",
        ".quick button",
        ".citation",
        ".top h1",
        ".note",
    ):
        ratio = page.evaluate(CONTRAST_JS, selector)
        assert ratio >= 4.5, (selector, ratio)


def test_elderly_page(stack, chromium):
    context = chromium.new_context(viewport={"width": 900, "height": 1000})
    context.add_init_script(
        """
        window.__spoken = [];
        const voice = {lang: 'zh-CN', name: 'test-zh', default: true, localService: true, voiceURI: 'test-zh'};
        Object.defineProperty(window, 'speechSynthesis', {value: {
          getVoices: () => [voice], cancel: () => {}, speak: (u) => window.__spoken.push(u.text), speaking: false,
        }});
        """
    )
    page = context.new_page()
    page.goto(stack.app_url + "/elder")
    assert float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")) >= 24
    assert float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('#reply')).fontSize)")) >= 24
    heights = page.evaluate(
        "[...document.querySelectorAll('.services button')].map(b => b.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 60
    assert page.get_by_role("button", name="找人工客服").is_visible()
    page.get_by_role("button", name="养老金认证").click()
    wait_until(page, "document.querySelector('#reply').innerText.includes('养老金')")
    assert page.evaluate("window.__spoken.length") == 1
    assert page.evaluate("window.__spoken[0]") == page.inner_text("#reply")
    page.click("#repeat")
    assert page.evaluate("window.__spoken.length") == 2
    page.fill("#ask-input", "公积金")
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelector('#reply').innerText.includes('请回复数字')")
    options = page.inner_text("#reply")
    number = options.split("住房公积金贷款")[0].strip()[-1]
    page.fill("#ask-input", number)
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelector('#reply').innerText.startsWith('住房公积金贷款')")
    ratio = page.evaluate(CONTRAST_JS, "#reply")
    assert ratio >= 7
    page.screenshot(path=str(ARTIFACTS / "elder.png"), full_page=True)
    context.close()


def test_elderly_page_without_browser_speech_uses_server_tts(stack, chromium):
    context = chromium.new_context()
    context.add_init_script("Object.defineProperty(window, 'speechSynthesis', {value: undefined});")
    page = context.new_page()
    page.goto(stack.app_url + "/elder")
    page.get_by_role("button", name="高龄津贴").click()
    wait_until(page, "document.querySelector('#tts-audio').src.includes('/tts?text=')")
    src = page.evaluate("document.querySelector('#tts-audio').src")
    audio = httpx.get(src, timeout=60)
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF" and audio.content[8:12] == b"WAVE"
    context.close()


def test_staff_edit_changes_the_bots_answer(stack, chromium):
    token = (stack.var_dir / "admin_tokens").read_text().split("\n")[1].split()[1]
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(stack.app_url + "/admin")
    page.fill("#token", "wrong-token")
    page.click("#login button[type=submit]")
    wait_until(page, "document.querySelector('#login-error').innerText.length > 0")
    page.fill("#token", token)
    page.click("#login button[type=submit]")
    page.wait_for_selector("#doc-rows tr")
    page.fill("#doc-search", "驾驶证")
    page.wait_for_selector("a[data-doc='driver-license-renewal']")
    page.click("a[data-doc='driver-license-renewal']")
    wait_until(page, "document.querySelector('#doc-text').value.includes('收费标准')")
    text = page.input_value("#doc-text")
    assert "工本费 10 元" in text
    page.fill("#doc-text", text.replace("工本费 10 元", "工本费 15 元"))
    wait_until(page, "document.querySelector('#preview').innerText.includes('工本费 15 元')")
    page.click("#save")
    wait_until(page, "document.querySelector('#save-status').innerText.includes('已上线')", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "admin-editor.png"), full_page=True)
    page.click("[data-tab=hit]")
    page.fill("#hit-q", "驾驶证补证多少钱")
    page.click("#hit-go")
    page.wait_for_selector("#hit-result table")
    assert "driver-license-renewal" in page.inner_text("#hit-result")
    page.click("[data-tab=stats]")
    page.wait_for_selector("#stats svg")
    page.screenshot(path=str(ARTIFACTS / "admin-analytics.png"), full_page=True)
    chat = chromium.new_page()
    chat.goto(stack.app_url + "/")
    _ask(chat, "驾驶证补证多少钱")
    answer = chat.locator(".msg.bot", has=chat.locator(".answer-title", has_text="机动车驾驶证换证与补证")).last
    assert answer.locator(".section-heading").first.inner_text() == "收费标准"
    assert "工本费 15 元" in answer.inner_text() and "10 元" not in answer.inner_text()


def test_staff_create_an_event_from_its_template(stack, chromium):
    token = (stack.var_dir / "admin_tokens").read_text().split("\n")[1].split()[1]
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(stack.app_url + "/admin")
    page.fill("#token", token)
    page.click("#login button[type=submit]")
    page.wait_for_selector("#doc-rows tr")
    page.select_option("#new-type", "event")
    page.click("#new-doc")
    wait_until(page, "document.querySelector('#doc-text').value.includes('steps:')")
    wait_until(page, "document.querySelector('#problems').innerText.includes('第 1 步')")
    text = (
        page.input_value("#doc-text")
        .replace("id: \n", "id: pet-adoption\n")
        .replace("title: \n", "title: 领养宠物\n")
        .replace("department: \n", "department: 示例市政务服务和数据管理局\n")
        .replace("  - guide: \n  - guide: \n    condition: \n    ask: \n", "  - guide: dog-licence\n")
    )
    page.fill("#doc-id", "pet-adoption")
    page.fill("#doc-text", text)
    wait_until(page, "document.querySelector('#problems').innerText.includes('dog-licence 不存在')")
    page.fill("#doc-text", text.replace("dog-licence", "id-card"))
    wait_until(page, "document.querySelector('#problems').innerText.trim() === ''")
    page.click("#save")
    wait_until(page, "document.querySelector('#save-status').innerText.includes('已上线')", timeout=30_000)
    assert "type: event" in (stack.kb_dir / "pet-adoption.md").read_text("utf-8")


def test_event_checklist_ticks_stay_in_the_browser(stack, chromium):
    page = chromium.new_page(viewport={"width": 1000, "height": 900})
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Security Policy" in message.text else None)
    page.goto(stack.app_url + "/")
    _ask(page, "我想开一家麻辣烫店，需要办哪些手续")
    checklist = page.locator(".event-checklist").last
    wait_until(page, "document.querySelectorAll('.event-checklist .event-tick').length >= 2")
    first = checklist.locator(".event-tick").first
    assert not first.is_checked()
    checklist.locator("label").first.click()  # the label ticks the box
    assert first.is_checked() and "done" in (checklist.locator("li").first.get_attribute("class") or "")
    stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('govbot.event-ticks.'))")
    assert stored == ["govbot.event-ticks.open-restaurant"]
    page.screenshot(path=str(ARTIFACTS / "event-checklist.png"), full_page=True)
    page.reload()  # the conversation comes back from the server; the ticks from this browser only
    wait_until(page, "document.querySelectorAll('.event-checklist .event-tick').length >= 2")
    assert page.locator(".event-checklist").last.locator(".event-tick").first.is_checked()
    other = chromium.new_context().new_page()
    other.goto(stack.app_url + "/")
    assert other.evaluate("localStorage.length") == 0
    assert not violations
