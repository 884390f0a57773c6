"""Screenshots of the spare-parts screens with headless Chromium (Debian's chromium).

    python scripts/spareparts_screenshots.py http://127.0.0.1:8000 docs/screenshots

Needs the demo data (``manage.py load_demo``). Logs in as the demo ``logistics`` user for
the stock page (desktop, 1366x900) and as ``technician`` for the parts used on a job card
(phone, 360x740), in English and Chinese.
"""

import argparse
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


def session(browser, base: str, lang: str, username: str, password: str, viewport: dict):
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#main form button")
    page.wait_for_load_state("networkidle")
    return context, page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("out")
    parser.add_argument("--password", default="demo-pass-2026")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.base.rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang in ("en", "zh-hans"):
            context, page = session(browser, base, lang, "logistics", args.password, DESKTOP)
            page.goto(f"{base}/spareparts/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"spareparts-stock-{lang}.png"), full_page=True)
            context.close()
            context, page = session(browser, base, lang, "technician", args.password, PHONE)
            page.goto(f"{base}/incidents/mine/")
            page.wait_for_load_state("networkidle")
            card = page.locator("details.sp-job[open]").first
            card.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(out / f"spareparts-used-phone-{lang}.png"))
            card.screenshot(path=str(out / f"spareparts-used-panel-{lang}.png"))
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
