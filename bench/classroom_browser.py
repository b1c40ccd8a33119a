"""One real Chromium tab beside the classroom benchmark's learners (bench/classroom_load.py --browser).

It times Step to the redrawn page and checks that each screen the learners open also draws; it reports
into the row and leaves the learners' figures alone.
"""

from __future__ import annotations

import asyncio

from bench.classroom_report import Row
from bench.classroom_scripts import Script


async def browser_session(url: str, script: Script, row: Row, done: asyncio.Event) -> None:
    """One real Chromium tab beside the learners: Step latency to the redrawn page, and each
    screen the learners open checked for drawn figures and no exception."""
    from playwright.async_api import async_playwright

    from deploy.browser import CHROMIUM_FLAGS, chromium_path

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            await page.goto(url + "/train")
            step_button = page.get_by_role("button", name="Step", exact=True)
            await step_button.wait_for(timeout=60_000)
            await settled(page)
            for _ in range(script.steps):
                text_ms, settled_ms = await page.evaluate(CLICK_AND_MEASURE)
                row.other_seconds.setdefault("browser: text", []).append(text_ms / 1000)
                row.other_seconds.setdefault("browser: redrawn", []).append(settled_ms / 1000)
                await asyncio.sleep(script.pause)
            for name in script.pages:
                before = page.url
                link = page.locator('[data-testid="stSidebarNav"] a', has_text=name.capitalize())
                await link.first.click()
                await page.wait_for_function("url => location.href !== url", arg=before)
                await settled(page)
                row.notes.append(f"browser, {name}: {await describe_drawing(page)}")
        except Exception as error:  # the browser check reports; it must not hide the table
            row.errors.append(f"browser: {error!r}"[:300])
        finally:
            await browser.close()


async def settled(page) -> None:
    """Wait until Streamlit has finished the run and no element is stale."""
    await page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 && !document.querySelector('[data-stale="true"]')""", timeout=120_000)
    await page.wait_for_timeout(300)


async def describe_drawing(page) -> str:
    """Wait (up to 30 s) for every chart on the screen to draw, then say what is there."""
    try:  # a chart kit chart holds a .ck-pending mark until its script has drawn it (ui/chart_kit.py)
        await page.wait_for_function("() => !document.querySelector('.ck-pending')", timeout=30_000)
    except Exception:
        pass  # reported below as charts not drawn
    report = await page.evaluate(
        """() => {
            const pending = document.querySelectorAll('.ck-pending').length;
            const canvases = [...document.querySelectorAll('[data-testid="stMain"] canvas')];
            return {
                exceptions: document.querySelectorAll('[data-testid="stException"]').length,
                images: [...document.querySelectorAll('[data-testid="stMain"] img')]
                    .filter(img => img.complete && img.naturalWidth > 0).length,
                charts: document.querySelectorAll('svg.ck-svg').length + pending,
                drawn: document.querySelectorAll('svg.ck-svg').length,
                canvases: canvases.filter(canvas => canvas.width > 0 && canvas.height > 0).length,
            };
        }""")
    verdict = "ok" if report["exceptions"] == 0 and report["drawn"] == report["charts"] else "PROBLEM"
    return (f"{verdict}: {report['exceptions']} exceptions, {report['images']} images, "
            f"{report['drawn']} of {report['charts']} chart kit charts drawn, "
            f"{report['canvases']} drawn canvases (panels, the surface component)")


# Clicks Step in the page and measures, with the page's own clock, until the position text shows
# the next step, then until no element is stale (everything redrawn).
CLICK_AND_MEASURE = """async () => {
    const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Step');
    const position = () => (document.body.innerText.match(/Step ([\\d,]+) ·/) || [])[1];
    const before = parseInt((position() || '0').replace(/,/g, ''));
    const t0 = performance.now();
    let textAt = null;
    await new Promise(resolve => {
        const check = () => {
            const now = parseInt((position() || '-1').replace(/,/g, ''));
            if (textAt === null && now === before + 1) textAt = performance.now();
            if (textAt !== null && !document.querySelector('[data-stale="true"]')
                    && !document.querySelector('[data-testid="stStatusWidget"]')) {
                observer.disconnect(); resolve();
            }
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
        button.click();
    });
    return [textAt - t0, performance.now() - t0];
}"""
