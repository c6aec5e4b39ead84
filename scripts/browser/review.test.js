// Drives the review page in headless Chromium (called by scripts/browser-test.sh).
//
// Env: BASE_URL (http://127.0.0.1:PORT), TOKEN, MODERATE (binary), DB, SCREENSHOT.
'use strict';

const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { BASE_URL, TOKEN, MODERATE, DB, SCREENSHOT } = process.env;
for (const [k, v] of Object.entries({ BASE_URL, TOKEN, MODERATE, DB, SCREENSHOT })) {
  if (!v) { console.error(`missing env ${k}`); process.exit(2); }
}

function assert(cond, msg) {
  if (!cond) { throw new Error('assertion failed: ' + msg); }
}

function dbItems() {
  const out = execFileSync(MODERATE, ['review', 'list', '--db', DB, '--status', 'all', '--json'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function step(msg) { console.log('  - ' + msg); }

(async () => {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moderate-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1200, height: 1000 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const problems = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('dialog', async (d) => { problems.push('a dialog opened (XSS?): ' + d.message()); await d.dismiss(); });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    let expect409 = false;
    page.on('console', (m) => {
      if (/Failed to load resource/.test(m.text())) { return; } // judged by status below
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) { problems.push('console: ' + m.text()); }
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !(expect409 && r.status() === 409)) { problems.push(`HTTP ${r.status()} for ${r.url()}`); }
    });

    step('open the URL printed by serve (token in the fragment)');
    await page.goto(`${BASE_URL}/#token=${encodeURIComponent(TOKEN)}`, { waitUntil: 'load' });
    await page.waitForSelector('article.item');
    assert((await page.evaluate(() => location.hash)) === '', 'token removed from the address bar');
    assert((await page.evaluate(() => sessionStorage.getItem('moderate-review-token'))) === TOKEN, 'token in sessionStorage');
    assert(await page.locator('#token-bar').isHidden(), 'token bar hidden once the token is known');

    step('hostile bodies are shown as text');
    const bodies = await page.locator('article.item .body').allTextContents();
    assert(bodies.some((b) => b.includes('<script>alert(1)</script>')), 'script body shown as text');
    assert(bodies.some((b) => b.includes('<img src=x onerror=alert(1)>')), 'img body shown as text');
    assert((await page.locator('article.item .body img, article.item .body script').count()) === 0, 'no live elements from bodies');
    assert((await page.locator('article.item .body mark').count()) > 0, 'spans highlighted');

    step('keyboard: j then a approves the first item');
    const first = await page.locator('article.item').first().getAttribute('data-id');
    await page.keyboard.press('j');
    assert(await page.locator(`#item-${first}.current`).count() === 1, 'j selects the first item');
    await page.keyboard.press('a');
    await page.waitForSelector(`#item-${first}[data-status="approved"]`, { timeout: 5000 });
    let row = dbItems().find((r) => String(r.item) === first);
    assert(row && row.status === 'approved', 'database says approved: ' + JSON.stringify(row && row.status));
    assert(row.last.via === 'web' && row.last.reviewer === 'browser-bot', 'recorded with reviewer and via=web');

    step('the focus moved to the next item; x selects it and the next, r rejects both');
    const second = await page.locator('article.item.current').getAttribute('data-id');
    assert(second !== first, 'current moved on after the decision');
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    const third = await page.locator('article.item.current').getAttribute('data-id');
    await page.keyboard.press('x');
    assert((await page.locator('#selection-count').textContent()) === '2 selected', 'two selected');
    await page.keyboard.press('k');
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    await page.keyboard.press('r');
    await page.waitForSelector(`#item-${third}[data-status="rejected"]`, { timeout: 5000 });
    const rows = dbItems();
    for (const id of [second, third]) {
      row = rows.find((r) => String(r.item) === id);
      assert(row && row.status === 'rejected', `#${id} rejected in the database`);
    }

    step('a stale decision gets 409 from the page origin');
    expect409 = true;
    const conflict = await page.evaluate(async ([id, token]) => {
      const res = await fetch(`/api/items/${id}/decision`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token },
        body: JSON.stringify({ action: 'reject', reviewer: 'late', expected_version: 0 }),
      });
      return [res.status, (await res.json()).error];
    }, [first, TOKEN]);
    assert(conflict[0] === 409, 'stale decision conflicts: ' + conflict);

    step('the page works with the CSP (no violations, no errors)');
    assert(problems.length === 0, problems.join('\n'));
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-after.png'), fullPage: true });
    console.log('browser test: ok (screenshot: ' + SCREENSHOT + ')');
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error('browser test FAILED: ' + (e && e.stack || e));
  process.exit(1);
});
