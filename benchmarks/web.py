"""Web benchmarks in headless Chromium: page weight on first load, time to first answer."""

from __future__ import annotations

import time

from benchmarks.report import Report, percentiles
from tests.browser import browser, wait_until
from tests.stack import Stack

QUESTIONS = ("身份证丢了怎么补办", "护照要带什么材料", "公积金怎么提取", "社保卡怎么申领", "营业执照怎么办理")


def _page_weight(instance, url: str) -> dict:
    context = instance.new_context()
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: list[int] = []
    session.on("Network.loadingFinished", lambda event: sizes.append(int(event["encodedDataLength"])))
    page.goto(url, wait_until="networkidle")
    context.close()
    return {"kb": round(sum(sizes) / 1024, 1), "requests": len(sizes)}


def run(report: Report, stack: Stack) -> None:
    with browser() as instance:
        report.add("web", "page_weight_chat", _page_weight(instance, stack.app_url + "/"))
        report.add("web", "page_weight_elder", _page_weight(instance, stack.app_url + "/elder"))
        samples = []
        for question in QUESTIONS * 2:
            page = instance.new_page()
            page.goto(stack.app_url + "/")
            page.wait_for_selector(".msg.bot")
            page.fill("#message-input", question)
            started = time.perf_counter()
            page.keyboard.press("Enter")
            wait_until(page, "document.querySelectorAll('.msg.bot .citation').length > 0", interval=0.01)
            samples.append((time.perf_counter() - started) * 1000)
            page.close()
        report.add("web", "time_to_first_answer", percentiles(samples))
