// End-to-end check of the dashboard against the real service: real spec uploads, real HTTP
// traffic on loopback captured by the service's eBPF programs, a real browser (Debian's chromium).
//
// Environment:
//   GATELENS_URL           the dashboard's base URL (the service, or a vite preview proxying to it)
//   GATELENS_TRAFFIC_PORT  a free loopback port for this script's own API server (the traffic)
//   GATELENS_SCREENSHOTS   folder for a PNG of each view (default: a new temporary folder)
//   GATELENS_CHROMIUM      the browser (default /usr/bin/chromium)
//   GATELENS_TLS_PORT, GATELENS_TLS_PFX, GATELENS_TLS_PASSPHRASE
//                          optional: a free loopback port the service captures, and a PKCS#12 key and
//                          certificate for this script's TLS server; without them the TLS steps are left out
// Prints one line per step; exits 0 only when every step passed.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.GATELENS_URL ?? '').replace(/\/+$/, '');
const PORT = Number(process.env.GATELENS_TRAFFIC_PORT);
const SHOTS = process.env.GATELENS_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'gatelens-shots-'));
const CHROMIUM = process.env.GATELENS_CHROMIUM || '/usr/bin/chromium';
const TLS_PORT = Number(process.env.GATELENS_TLS_PORT);
const TLS_PFX = process.env.GATELENS_TLS_PFX;
const TLS_PASSPHRASE = process.env.GATELENS_TLS_PASSPHRASE ?? '';
const TLS_ON = Boolean(TLS_PFX) && Number.isInteger(TLS_PORT) && TLS_PORT > 0;
// statistics are flushed every 5 s; capture, ingest and a refresh of the page come on top
const CAPTURE_WAIT_MS = 60_000;

if (!BASE || !Number.isInteger(PORT) || PORT <= 0) {
  console.error('set GATELENS_URL (e.g. http://127.0.0.1:18480) and GATELENS_TRAFFIC_PORT (a free port)');
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'gatelens-e2e-'));

const SPEC_NAME = 'widgets';
const TRAFFIC_HOST = `127.0.0.1:${PORT}`;
const GET_ONE = { method: 'GET', path: '/widgets/{widgetId}', calls: 7 };
const LIST = { method: 'GET', path: '/widgets', calls: 3 };
const CREATE = { method: 'POST', path: '/widgets', calls: 2 };
const GET_ONE_SUMMARY = 'Fetch one widget by its id';
const XSS_SCRIPT = '<script>window.__xss=1</script>';
// no spaces may stand in a request line: '/' separates the attributes, as HTML parsers allow
const XSS_IMG = '"><img/src="x"/onerror=window.__xss=2>';
const XSS_PATH = `/widgets/${XSS_IMG}/${XSS_SCRIPT}`;

const SPEC_YAML = `openapi: 3.0.3
info:
  title: Widgets
  version: 1.0.0
servers:
  - url: http://${TRAFFIC_HOST}
paths:
  /widgets:
    get:
      operationId: listWidgets
      summary: List the widgets
      parameters:
        - name: limit
          in: query
          required: false
          description: at most this many widgets
          schema:
            type: integer
      responses:
        '200':
          description: the widgets
    post:
      operationId: createWidget
      summary: Create a widget
      responses:
        '201':
          description: created
  /widgets/{widgetId}:
    get:
      operationId: getWidget
      summary: ${GET_ONE_SUMMARY}
      parameters:
        - name: widgetId
          in: path
          required: true
          description: the widget's id
          schema:
            type: string
        - name: fields
          in: query
          required: false
          description: which fields to return
          schema:
            type: string
      responses:
        '200':
          description: the widget
        '404':
          description: no such widget
    delete:
      operationId: deleteWidget
      summary: Delete a widget (never called by this test, so a zombie)
      parameters:
        - name: widgetId
          in: path
          required: true
          schema:
            type: string
      responses:
        '204':
          description: deleted
`;

// a mapping whose value is an unclosed flow sequence: no YAML parser accepts it
const BROKEN_YAML = `openapi: 3.0.3
info:
  title: Broken widgets
  version: [1.0.0
paths:
  /widgets:
    get: {responses: {'200': {description: ok}}
`;

const steps = [];
let failed = false;
let passedCount = 0;

/** Runs one step unless an earlier one failed; prints its line. */
async function step(name, body) {
  if (failed) {
    steps.push(name);
    console.log(`SKIP ${steps.length}. ${name}`);
    return;
  }
  steps.push(name);
  const n = steps.length;
  const started = Date.now();
  try {
    const detail = await body();
    passedCount++;
    console.log(`PASS ${n}. ${name}${detail ? `: ${detail}` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed = true;
    console.log(`FAIL ${n}. ${name}: ${e instanceof Error ? e.message : String(e)}`);
    await page.screenshot({ path: join(SHOTS, `failed-step-${n}.png`), fullPage: true }).catch(() => {});
    if (process.env.E2E_DEBUG) console.log(await page.evaluate(() => document.querySelector('.filters')?.outerHTML));
    console.log(`  page: ${page.url()}; screenshot failed-step-${n}.png${consoleErrors.length ? `; console: ${consoleErrors.join(' | ')}` : ''}`);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function until(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (last.ok) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs / 1000} s (last seen: ${last.seen})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function apiJson(path, init) {
  const response = await fetch(`${BASE}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

// --- the traffic: this script's own small API on loopback ---------------------------------------

const widgets = new Map([
  ['1', { id: '1', name: 'sprocket' }],
  ['2', { id: '2', name: 'gear' }],
  ['3', { id: '3', name: 'cog' }],
]);

function startTrafficServer() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(JSON.stringify(body));
    };
    const one = /^\/widgets\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/widgets' && req.method === 'GET') return send(200, [...widgets.values()]);
    if (url.pathname === '/widgets' && req.method === 'POST') {
      req.resume();
      return req.on('end', () => send(201, { id: String(widgets.size + 1) }));
    }
    if (one && req.method === 'GET') {
      const w = widgets.get(one[1]);
      return w ? send(200, w) : send(404, { error: 'no such widget' });
    }
    send(404, { error: 'not found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORT, '127.0.0.1', () => resolve(server));
  });
}

/** One request over its own connection, so each is one transaction on the wire. */
function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: PORT,
        method,
        path,
        agent: false,
        headers: { Connection: 'close', 'Content-Type': 'application/json', Host: TRAFFIC_HOST },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A request line with raw bytes no HTTP client would send. */
function rawRequest(path) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(PORT, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${TRAFFIC_HOST}\r\nConnection: close\r\n\r\n`);
    });
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('end', () => resolve(answer.split('\r\n')[0]));
    socket.on('error', reject);
  });
}

// --- TLS traffic: this script's own TLS server on loopback ----------------------------------------

const TLS_SNI = 'tls.e2e.test';
// markup in a server name: Node sends it as is; the collector escapes nothing of it (all printable ASCII)
const TLS_XSS_SNI = '"><img/src=x/onerror=window.__xss=3>.e2e.test';
// per client: how many connections, the versions it allows; SECLEVEL=0 lets OpenSSL 3 speak TLS 1.0 and 1.1
const TLS_CLIENTS = [
  { label: 'TLS 1.3', count: 5, options: {} },
  { label: 'TLS 1.2', count: 3, options: { maxVersion: 'TLSv1.2' } },
  { label: 'TLS 1.1', count: 1, options: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' } },
  { label: 'TLS 1.0', count: 1, options: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } },
];
const NODE_VERSION_NAMES = { TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3' };

function startTlsServer() {
  const server = tls.createServer(
    {
      pfx: readFileSync(TLS_PFX),
      passphrase: TLS_PASSPHRASE,
      ALPNProtocols: ['h2', 'http/1.1'],
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    },
    (socket) => socket.end('hello\n'),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(TLS_PORT, '127.0.0.1', () => resolve(server));
  });
}

/** One TLS connection: the version the handshake negotiated, as the client saw it. */
function tlsConnect(servername, options) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port: TLS_PORT, servername, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], ...options },
      () => {
        const version = NODE_VERSION_NAMES[socket.getProtocol()] ?? socket.getProtocol();
        socket.on('data', () => {});
        socket.on('end', () => {
          socket.end();
          resolve(version);
        });
      },
    );
    socket.on('error', reject);
  });
}

// --- page helpers -------------------------------------------------------------------------------

const pageErrors = [];
const consoleErrors = [];

function takePageErrors() {
  return pageErrors.splice(0, pageErrors.length);
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

async function go(page, hash, readySelector) {
  await page.goto(`${BASE}/${hash}`);
  await page.waitForSelector(readySelector, { timeout: 15_000 });
}

/** The endpoint table as the page shows it. */
function tableRows(page) {
  return page.$$eval('[data-testid="endpoint-row"]', (trs) =>
    trs.map((tr) => ({
      method: tr.querySelector('[data-testid="method"]')?.textContent ?? '',
      path: tr.querySelector('[data-testid="endpoint-link"]')?.textContent ?? '',
      calls: tr.querySelector('[data-testid="cell-calls"]')?.textContent ?? '',
      kind: tr.getAttribute('data-kind'),
    })),
  );
}

/** Pixels of about this colour on a canvas: the series was drawn, not just the axes. */
function pixelsOfColour(page, canvasSelector, [r, g, b]) {
  return page.$eval(
    canvasSelector,
    (canvas, rgb) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200 && Math.abs(data[i] - rgb[0]) < 24 && Math.abs(data[i + 1] - rgb[1]) < 24 && Math.abs(data[i + 2] - rgb[2]) < 24) n++;
      }
      return n;
    },
    [r, g, b],
  );
}

// --- the steps ----------------------------------------------------------------------------------

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
if (process.env.E2E_DEBUG) page.on('response', (r) => console.log('  resp', r.status(), r.url()));
let trafficServer;
const baseline = new Map();

try {
  await step('overview renders', async () => {
    await go(page, '#/overview', '[data-testid="view-overview"]');
    await page.waitForSelector('[data-testid="capture-state"]', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="chart-calls"] canvas, [data-testid="overview-empty"]', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="loading"]', { state: 'detached', timeout: 15_000 });
    const errors = await page.$$eval('[data-testid="error"]', (els) => els.map((e) => e.textContent));
    check(errors.length === 0, `the overview shows errors: ${errors.join(' | ')}`);
    const capture = await page.textContent('[data-testid="capture-state"]');
    check(capture.startsWith('running'), `collector health says capture is "${capture}", expected running`);
    check(takePageErrors().length === 0, 'the page threw');
    await shot(page, '01-overview.png');
    return `capture ${capture}`;
  });

  await step('spec uploaded through the file picker is listed with its host', async () => {
    const existing = await apiJson(`/api/specs/${SPEC_NAME}`);
    check(existing.status === 404, `the service already has a spec named ${SPEC_NAME}: run against a fresh store`);
    const file = join(work, `${SPEC_NAME}.yaml`);
    writeFileSync(file, SPEC_YAML);
    await go(page, '#/specs', '[data-testid="spec-dropzone"]');
    await page.setInputFiles('[data-testid="spec-file-input"]', file);
    const result = page.locator('[data-testid="upload-result"]', { hasText: `${SPEC_NAME}.yaml` });
    await result.waitFor({ timeout: 15_000 });
    await page.waitForSelector('[data-testid="upload-result"]:not([data-outcome="pending"])', { timeout: 15_000 });
    const outcome = await result.getAttribute('data-outcome');
    check(outcome === 'ok', `upload outcome ${outcome}: ${await result.textContent()}`);
    const row = page.locator(`[data-testid="spec-row"][data-spec="${SPEC_NAME}"]`);
    await row.waitFor({ timeout: 15_000 });
    const hosts = await row.locator('[data-testid="spec-hosts"]').textContent();
    check(hosts.includes(TRAFFIC_HOST), `the spec row shows hosts "${hosts}", expected ${TRAFFIC_HOST}`);
    await shot(page, '02-specs-uploaded.png');
    return `bound to ${hosts}`;
  });

  await step('traffic sent to the widgets API', async () => {
    const before = await apiJson(`/api/endpoints?spec=${SPEC_NAME}&from=now-1h`);
    for (const e of before.body.endpoints) baseline.set(`${e.method} ${e.path}`, e.calls);
    trafficServer = await startTrafficServer();
    const statuses = [];
    for (const id of ['1', '2', '3', '1', '2', '404', 'nope']) statuses.push(await call('GET', `/widgets/${id}`));
    for (let i = 0; i < LIST.calls; i++) statuses.push(await call('GET', '/widgets'));
    for (let i = 0; i < CREATE.calls; i++) statuses.push(await call('POST', '/widgets', '{"name":"flange"}'));
    statuses.push(await call('GET', '/gadgets'));
    const expected = [200, 200, 200, 200, 200, 404, 404, 200, 200, 200, 201, 201, 404];
    check(JSON.stringify(statuses) === JSON.stringify(expected), `statuses ${statuses}, expected ${expected}`);
    return `${statuses.length} requests (${statuses.filter((s) => s === 404).length} answered 404)`;
  });

  await step('endpoints view, filtered by the spec, counts the calls exactly', async () => {
    await go(page, '#/endpoints?range=1h&refresh=5s', '[data-testid="filter-spec"]');
    // Preact sets an option's value as a property, not an attribute: ask the element
    await page.waitForFunction(
      (name) => [...document.querySelectorAll('[data-testid="filter-spec"] option')].some((o) => o.value === name),
      SPEC_NAME,
      { timeout: 15_000 },
    );
    await page.selectOption('[data-testid="filter-spec"]', SPEC_NAME);
    check(page.url().includes(`spec=${SPEC_NAME}`), `the URL does not keep the spec filter: ${page.url()}`);
    const want = [GET_ONE, LIST, CREATE].map((e) => ({ ...e, calls: e.calls + (baseline.get(`${e.method} ${e.path}`) ?? 0) }));
    await until('rows with the calls sent', CAPTURE_WAIT_MS, async () => {
      const rows = await tableRows(page).catch(() => []);
      const seen = want.map((w) => rows.find((r) => r.method === w.method && r.path === w.path)?.calls ?? 'no row');
      return { ok: want.every((w, i) => seen[i] === String(w.calls)), seen: want.map((w, i) => `${w.method} ${w.path} = ${seen[i]}`).join(', ') };
    });
    const rows = await tableRows(page);
    check(rows.every((r) => r.kind === 'operation'), 'the spec filter lets other rows through');
    // the link alone reproduces the view: a fresh tab on the same URL shows the same filtered table
    const copy = await context.newPage();
    try {
      await copy.goto(page.url());
      await copy.waitForSelector('[data-testid="endpoints-table"]', { timeout: 15_000 });
      const copied = await copy.$eval('[data-testid="filter-spec"]', (el) => el.value);
      const copiedRows = (await tableRows(copy)).map((r) => `${r.method} ${r.path}`).sort();
      check(copied === SPEC_NAME, `a fresh tab on ${page.url()} filters by "${copied}"`);
      check(JSON.stringify(copiedRows) === JSON.stringify(rows.map((r) => `${r.method} ${r.path}`).sort()), `a fresh tab on the link shows ${copiedRows}`);
    } finally {
      await copy.close();
    }
    check(takePageErrors().length === 0, 'the page threw');
    await shot(page, '04-endpoints.png');
    return want.map((w) => `${w.method} ${w.path} = ${w.calls}`).join(', ');
  });

  await step('endpoint detail draws its charts beside the spec summary and parameters', async () => {
    const row = page
      .locator('[data-testid="endpoint-row"]')
      .filter({ has: page.getByTestId('endpoint-link').getByText(GET_ONE.path, { exact: true }) })
      .filter({ has: page.getByTestId('method').getByText(GET_ONE.method, { exact: true }) });
    await row.locator('[data-testid="endpoint-link"]').click();
    await page.waitForSelector('[data-testid="chart-latency"] canvas', { timeout: 15_000 });
    const title = await page.textContent('[data-testid="endpoint-title"]');
    check(title.includes(GET_ONE.path), `the detail title is "${title}"`);
    // p50 line colour (#3182ce): the data was drawn, not only the axes and grid
    await until('the latency line on the canvas', 10_000, async () => {
      const n = await pixelsOfColour(page, '[data-testid="chart-latency"] canvas', [0x31, 0x82, 0xce]);
      return { ok: n > 20, seen: `${n} pixels of the p50 colour` };
    });
    const dataUrlLength = await page.$eval('[data-testid="chart-calls"] canvas', (c) => c.toDataURL().length);
    const blankLength = await page.$eval('[data-testid="chart-calls"] canvas', (c) => {
      const blank = document.createElement('canvas');
      blank.width = c.width;
      blank.height = c.height;
      return blank.toDataURL().length;
    });
    check(dataUrlLength > blankLength * 2, `the calls chart looks blank (${dataUrlLength} vs ${blankLength} bytes)`);
    const summary = await page.locator('[data-testid="spec-summary"]').textContent({ timeout: 10_000 });
    check(summary === GET_ONE_SUMMARY, `the summary shown is "${summary}"`);
    await page.waitForSelector('[data-testid="spec-parameter"]', { timeout: 10_000 });
    const params = await page.$$eval('[data-testid="spec-parameter"]', (trs) => trs.map((tr) => tr.textContent));
    check(params.some((p) => p.includes('widgetId') && p.includes('path')), `parameters shown: ${params.join(' | ')}`);
    check(params.some((p) => p.includes('fields') && p.includes('query')), `parameters shown: ${params.join(' | ')}`);
    // the tooltip follows the cursor with the values at that point: walk left from the right edge
    // to the minute that has the calls
    const over = await page.locator('[data-testid="chart-latency"] .u-over').boundingBox();
    const tip = page.locator('[data-testid="chart-latency"] [data-testid="chart-tooltip"]');
    let tipText = '';
    for (let dx = 2; dx < over.width && !/p50: [\d.,]+ ms/.test(tipText); dx += 2) {
      await page.mouse.move(over.x + over.width - dx, over.y + over.height / 2);
      tipText = (await tip.isVisible()) ? (await tip.locator('div').allTextContents()).join('; ') : '';
    }
    check(/p50: [\d.,]+ ms/.test(tipText), `no tooltip with a p50 latency in ms along the latency chart (last: "${tipText}")`);
    check(takePageErrors().length === 0, 'the page threw');
    await shot(page, '05-endpoint-detail.png');
    return `${params.length} parameters, tooltip "${tipText}"`;
  });

  await step('a broken spec dropped on the page shows the parser messages, the list is unchanged', async () => {
    await go(page, '#/specs', '[data-testid="specs-table"]');
    const before = await page.$$eval('[data-testid="spec-row"]', (trs) => trs.map((tr) => tr.getAttribute('data-spec')));
    const fileName = 'broken-widgets.yaml';
    const dataTransfer = await page.evaluateHandle(
      ({ name, text }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], name, { type: 'application/yaml' }));
        return dt;
      },
      { name: fileName, text: BROKEN_YAML },
    );
    await page.dispatchEvent('[data-testid="spec-dropzone"]', 'dragover', { dataTransfer });
    await page.dispatchEvent('[data-testid="spec-dropzone"]', 'drop', { dataTransfer });
    const result = page.locator('[data-testid="upload-result"]', { hasText: fileName });
    await result.locator('[data-testid="upload-error"]').waitFor({ timeout: 15_000 });
    const shown = await result.locator('[data-testid="upload-messages"] li').allTextContents();
    const direct = await apiJson('/api/specs', { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: BROKEN_YAML });
    check(direct.status === 400, `the service answered the broken spec with ${direct.status}`);
    check(shown.length > 0, `no parser message next to ${fileName}: "${await result.textContent()}"`);
    check(JSON.stringify(shown) === JSON.stringify(direct.body.messages), `shown ${JSON.stringify(shown)}, the service says ${JSON.stringify(direct.body.messages)}`);
    const after = await page.$$eval('[data-testid="spec-row"]', (trs) => trs.map((tr) => tr.getAttribute('data-spec')));
    check(JSON.stringify(after) === JSON.stringify(before), `spec list changed from ${before} to ${after}`);
    await shot(page, '06-spec-rejected.png');
    return `${shown.length} message(s), first: "${shown[0].split('\n')[0]}"`;
  });

  await step('a path carrying markup is shown as text, nothing runs', async () => {
    const status = await rawRequest(XSS_PATH);
    check(status.startsWith('HTTP/1.1 '), `the raw request got "${status}"`);
    await go(page, '#/shadow?range=1h&refresh=5s', '[data-testid="view-shadow"]');
    await until('the markup path in the shadow view', CAPTURE_WAIT_MS, async () => {
      const paths = await page.$$eval('[data-testid="shadow-path"]', (as) => as.map((a) => a.textContent)).catch(() => []);
      return { ok: paths.includes(XSS_PATH), seen: paths.length ? paths.join(' | ') : 'no shadow rows' };
    });
    // the endpoints view shows it too, found by text
    await go(page, `#/endpoints?range=1h&refresh=off&q=${encodeURIComponent('__xss')}`, '[data-testid="endpoints-table"]');
    const listed = (await tableRows(page)).map((r) => r.path);
    check(listed.includes(XSS_PATH), `the endpoints view lists ${listed.join(' | ')}`);
    const injected = await page.evaluate(() => ({
      xss: window.__xss,
      handlers: document.querySelectorAll('img[onerror], [onload], [onerror]').length,
      scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__xss')).length,
    }));
    check(injected.xss === undefined, `window.__xss is ${injected.xss}: the markup ran`);
    check(injected.handlers === 0, `${injected.handlers} injected element(s) with event handlers in the DOM`);
    check(injected.scripts === 0, `${injected.scripts} injected script element(s) in the DOM`);
    const visible = page.getByText(XSS_SCRIPT, { exact: false }).first();
    check(await visible.isVisible(), 'the literal text <script> is not visible');
    await shot(page, '07-xss-as-text.png');
    return `listed as text: ${XSS_PATH}`;
  });

  await step('shadow and zombie views say why each endpoint is listed', async () => {
    await go(page, '#/shadow?range=1h&refresh=off', '[data-testid="shadow-table"]');
    const shadow = await page.$$eval('[data-testid="shadow-row"]', (trs) =>
      trs.map((tr) => ({ path: tr.querySelector('[data-testid="shadow-path"]').textContent, why: tr.querySelector('[data-testid="shadow-why"]').textContent })),
    );
    const gadgets = shadow.find((r) => r.path === '/gadgets');
    check(gadgets, `no /gadgets shadow row: ${shadow.map((r) => r.path).join(' | ')}`);
    check(gadgets.why.includes('no operation'), `why /gadgets is shadow: "${gadgets.why}"`);
    check(shadow.every((r) => r.why.trim().length > 0), 'a shadow row has no why');
    await shot(page, '08-shadow.png');
    await go(page, `#/zombie?range=1h&refresh=off&spec=${SPEC_NAME}`, '[data-testid="zombie-table"]');
    const zombies = await page.$$eval('[data-testid="zombie-row"]', (trs) =>
      trs.map((tr) => ({
        method: tr.querySelector('[data-testid="method"]').textContent,
        path: tr.querySelector('[data-testid="zombie-path"]').textContent,
        why: tr.querySelector('[data-testid="zombie-why"]').textContent,
      })),
    );
    const label = zombies.map((z) => `${z.method} ${z.path}`);
    check(JSON.stringify(label) === JSON.stringify(['DELETE /widgets/{widgetId}']), `zombies of ${SPEC_NAME}: ${label.join(' | ')}`);
    check(zombies[0].why.includes('no call'), `why DELETE is a zombie: "${zombies[0].why}"`);
    check(takePageErrors().length === 0, 'the page threw');
    await shot(page, '08-zombie.png');
    // and the overview now has traffic to chart
    await go(page, '#/overview?range=1h&refresh=off', '[data-testid="chart-calls"] canvas');
    await page.waitForSelector('[data-testid="loading"]', { state: 'detached', timeout: 15_000 });
    // the shadow and zombie counts come from their own requests: wait until both show a number
    await page.waitForFunction(() => ['stat-shadow', 'stat-zombie'].every((id) =>
      /^\d+$/.test(document.querySelector(`[data-testid="${id}"] .stat-value`)?.textContent?.trim() ?? '')), null, { timeout: 15_000 });
    const shadowCount = await page.textContent('[data-testid="stat-shadow"] .stat-value');
    const zombieCount = await page.textContent('[data-testid="stat-zombie"] .stat-value');
    check(Number(shadowCount) >= 2, `the overview counts ${shadowCount} shadow endpoints, expected at least 2`);
    check(Number(zombieCount) >= 1, `the overview counts ${zombieCount} zombie endpoints, expected at least 1`);
    await shot(page, '09-overview-with-traffic.png');
    return `${shadow.length} shadow, zombie: ${label[0]}; overview counts ${shadowCount} shadow, ${zombieCount} zombie`;
  });

  if (!TLS_ON) {
    console.log('(TLS steps left out: GATELENS_TLS_PORT and GATELENS_TLS_PFX are not set)');
  } else {
    const negotiated = new Map();
    let tlsServer;
    await step('TLS handshakes sent: TLS 1.3, 1.2 and legacy 1.1 and 1.0 clients, one with markup in its server name', async () => {
      tlsServer = await startTlsServer();
      for (const client of TLS_CLIENTS) {
        for (let i = 0; i < client.count; i++) {
          const version = await tlsConnect(TLS_SNI, client.options);
          check(version === client.label, `a ${client.label} client negotiated ${version}`);
          negotiated.set(version, (negotiated.get(version) ?? 0) + 1);
        }
      }
      await tlsConnect(TLS_XSS_SNI, {});
      return [...negotiated].map(([v, n]) => `${n} × ${v}`).join(', ') + ' to ' + TLS_SNI;
    });

    const expected = [...negotiated.values()].reduce((a, b) => a + b, 0);
    await step('TLS view lists the server name with its exact handshakes and versions, legacy highlighted', async () => {
      await go(page, '#/tls?range=1h&refresh=5s', '[data-testid="view-tls"]');
      const row = await until(`${expected} handshakes to ${TLS_SNI} in the TLS view`, CAPTURE_WAIT_MS, async () => {
        const rows = await page.$$eval('[data-testid="tls-row"]', (trs) =>
          trs.map((tr) => ({
            name: tr.querySelector('[data-testid="tls-front-link"]')?.textContent ?? '',
            handshakes: tr.querySelector('[data-testid="tls-cell-handshakes"]')?.textContent ?? '',
            chips: [...tr.querySelectorAll('[data-testid="tls-cell-versions"] [data-testid="mix-chip"]')].map((c) => ({
              text: c.textContent,
              legacy: c.getAttribute('data-legacy'),
            })),
            legacyTone: tr.querySelector('[data-testid="tls-cell-legacy"]')?.getAttribute('data-tone'),
            alpn: tr.querySelector('[data-testid="tls-cell-alpn"]')?.textContent ?? '',
          })),
        ).catch(() => []);
        const mine = rows.find((r) => r.name === TLS_SNI);
        return { ok: mine?.handshakes === String(expected) && rows.some((r) => r.name === TLS_XSS_SNI), seen: rows.map((r) => `${r.name}: ${r.handshakes}`).join(' | ') || 'no rows', ...mine };
      });
      const chips = row.chips.map((c) => c.text).join(' · ');
      check(chips.startsWith('TLS 1.3 50 %'), `versions of ${TLS_SNI}: ${chips}`);
      check(row.chips.some((c) => c.legacy === 'true'), `no chip marked legacy: ${chips}`);
      check(row.legacyTone === 'bad', `2 of ${expected} handshakes at TLS 1.1 or older, shown as ${row.legacyTone}`);
      check(row.alpn.includes('h2') && row.alpn.includes('http/1.1'), `ALPN offered: ${row.alpn}`);
      const injected = await page.evaluate(() => ({ xss: window.__xss, handlers: document.querySelectorAll('img[onerror], [onerror]').length }));
      check(injected.xss === undefined && injected.handlers === 0, `markup in a server name ran: ${JSON.stringify(injected)}`);
      check(takePageErrors().length === 0, 'the page threw');
      await shot(page, '10-tls.png');
      return `${TLS_SNI}: ${row.handshakes} handshakes, ${chips}; the markup SNI listed as text`;
    });

    await step('TLS front detail charts the versions and lists the version, ALPN, cipher and JA4 tables', async () => {
      await go(page, '#/tls?range=1h&refresh=off', '[data-testid="tls-table"]');
      await page.click(`[data-testid="tls-front-link"]:text-is("${TLS_SNI}")`);
      await page.waitForSelector('[data-testid="chart-tls-versions"] canvas', { timeout: 15_000 });
      const title = await page.textContent('[data-testid="tls-front-title"]');
      check(title.trim() === TLS_SNI, `the detail is of "${title}"`);
      const versions = await page.$$eval('[data-testid="tls-versions-table"] [data-testid="mix-row"]', (trs) =>
        trs.map((tr) => `${tr.querySelector('.mix-name').textContent}${tr.getAttribute('data-legacy') === 'true' ? ' (legacy)' : ''}`),
      );
      check(versions.join(',') === 'TLS 1.3,TLS 1.2,TLS 1.0 (legacy),TLS 1.1 (legacy)', `versions table: ${versions.join(', ')}`);
      const alpn = await page.$$eval('[data-testid="tls-alpn-offered-table"] .mix-name', (els) => els.map((e) => e.textContent));
      check(alpn.includes('h2'), `ALPN offered: ${alpn.join(', ')}`);
      const ciphers = await page.$$eval('[data-testid="tls-ciphers-table"] [data-testid="mix-row"]', (trs) => trs.length);
      check(ciphers >= 2, `${ciphers} cipher suites listed`);
      const ja4 = await page.$$eval('[data-testid="ja4-fingerprint"]', (els) => els.map((e) => e.textContent));
      check(ja4.length >= 2 && ja4.every((f) => /^t1[0-3]d/.test(f)), `JA4 table: ${ja4.join(' | ')}`);
      check(takePageErrors().length === 0, 'the page threw');
      await shot(page, '11-tls-front.png');
      return `${versions.join(', ')}; ${ja4.length} JA4 fingerprints`;
    });

    await step("a spec's endpoints show the TLS front of the hosts it serves", async () => {
      const spec = `openapi: 3.0.3\ninfo: {title: TLS front, version: "1"}\nservers: [{url: "https://${TLS_SNI}:${TLS_PORT}/api"}]\n`
        + `paths:\n  /hello:\n    get: {operationId: hello, responses: {'200': {description: ok}}}\n`;
      const uploaded = await apiJson('/api/specs?name=tlsfront', { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: spec });
      check(uploaded.status === 201, `spec upload answered ${uploaded.status}`);
      await go(page, '#/endpoints?range=1h&refresh=off&spec=tlsfront', '[data-testid="tls-summary"]');
      await page.waitForSelector('[data-testid="tls-summary-row"]', { timeout: 15_000 });
      const rows = await page.$$eval('[data-testid="tls-summary-row"]', (trs) => trs.map((tr) => tr.textContent));
      check(rows.length === 1 && rows[0].startsWith(TLS_SNI) && rows[0].includes(String(expected)), `the spec's TLS front: ${rows.join(' | ')}`);
      await shot(page, '12-spec-tls-front.png');
      return rows[0];
    });
    tlsServer?.close();
  }
} finally {
  const errors = takePageErrors();
  if (errors.length) console.log(`page errors: ${errors.join(' | ')}`);
  await browser.close();
  trafficServer?.close();
}

console.log(`screenshots in ${SHOTS}`);
const skipped = steps.length - passedCount - (failed ? 1 : 0);
console.log(`${passedCount} passed, ${failed ? 1 : 0} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(passedCount === steps.length && steps.length > 0 ? 0 : 1);
