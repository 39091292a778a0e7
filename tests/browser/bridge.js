// The browser for the integration tests (tests/integration/browser.py): Debian's chromium
// driven by playwright-core. One JSON object a line on stdin, {"id": N, "js": BODY, "args": A}:
// BODY is the body of an async function of (s, args) run here, where s holds the browser,
// `s.pages` (named pages, each in its own context: its own cookies) and helpers; the answer is
// one line on stdout, {"id": N, "ok": true, "value": V} or {"id": N, "ok": false, "error": E}.
// No network beyond what the tests open: servers on 127.0.0.1 only.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { chromium } = require('playwright-core');

const AXE = fs.readFileSync(path.join(__dirname, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.TIPLINE_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions'],
  });
  const s = {
    browser,
    pages: {},
    // A page of its own (own cookies) named NAME, WIDTH px wide.
    async open(name, width, height) {
      if (s.pages[name]) await s.pages[name].context().close();
      const ctx = await browser.newContext({
        viewport: { width: width || 1280, height: height || 800 },
        ignoreHTTPSErrors: true,
        locale: 'vi-VN',
      });
      const page = await ctx.newPage();
      page.on('console', (m) => process.stderr.write(`[${name} console] ${m.text()}\n`));
      page.on('pageerror', (e) => process.stderr.write(`[${name} error] ${e}\n`));
      s.pages[name] = page;
      return page;
    },
    // axe-core's serious and critical violations of PAGE (injected, not served by us).
    async axe(page) {
      await page.evaluate(AXE);
      const r = await page.evaluate(async () => await window.axe.run(document));
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.slice(0, 3).map((n) => n.html) }));
    },
  };
  const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
  const rl = readline.createInterface({ input: process.stdin });
  out({ id: 0, ok: true, value: browser.version() });
  for await (const line of rl) {
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      out({ id: -1, ok: false, error: 'bad request line: ' + e });
      continue;
    }
    try {
      const value = await new AsyncFunction('s', 'args', req.js)(s, req.args || {});
      out({ id: req.id, ok: true, value: value === undefined ? null : value });
    } catch (e) {
      out({ id: req.id, ok: false, error: String(e && e.stack || e) });
    }
  }
  await browser.close();
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ id: 0, ok: false, error: String(e && e.stack || e) }) + '\n');
  process.exit(1);
});
