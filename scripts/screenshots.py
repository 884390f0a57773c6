"""Take screenshots of the desk's main pages with headless Chromium (Debian's chromium).

    python scripts/screenshots.py http://127.0.0.1:8000 docs/screenshots [--password PW]

Logs in as the demo dispatcher and technician, and saves desktop (1366x900) and phone
(360x740) screenshots in English and Chinese.
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}


def login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#main form button")
    page.wait_for_load_state("networkidle")


def shoot(browser, base, out: Path, lang, username, password, viewport, pages):
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = context.new_page()
    login(page, base, username, password)
    for name, path in pages:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        if name == "intake":
            page.click("input[name=grade][value=I]")
            page.wait_for_timeout(600)
        page.screenshot(path=str(out / f"{name}-{lang}.png"), full_page=True)
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("out")
    parser.add_argument("--password", default="demo-pass-2026")
    parser.add_argument("--dispatcher", default="dispatcher")
    parser.add_argument("--technician", default="technician")
    parser.add_argument("--incident", default="", help="path of an incident page")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.base.rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        incident = args.incident
        if not incident:
            ctx = browser.new_context()
            page = ctx.new_page()
            login(page, base, args.dispatcher, args.password)
            page.goto(f"{base}/incidents/?grade=I")
            href = page.get_attribute("table a.mono", "href")
            incident = re.sub(r"^https?://[^/]+", "", href or "/incidents/")
            ctx.close()
        desk = [
            ("intake", "/incidents/new/"),
            ("list", "/incidents/"),
            ("incident", incident),
            ("home", "/"),
            ("dashboard", "/dashboard/"),
        ]
        for lang in ("en", "zh-hans"):
            shoot(browser, base, out, lang, args.dispatcher, args.password, DESKTOP, desk)
            shoot(
                browser,
                base,
                out,
                lang,
                args.technician,
                args.password,
                PHONE,
                [("myjobs-phone", "/incidents/mine/")],
            )
        browser.close()


if __name__ == "__main__":
    main()
