/**
 * The history and the plant link in Chromium, against a real Mosquitto: inspections arrive on their
 * topic with the right fields; with the broker down they wait in the outbox and after a restart arrive
 * once, in order; a second tab shares the history and is published once; a webhook gets the same; a crashed worker and a reload mid-batch lose no finished
 * result and the batch resumes; a full quota keeps the record and says so; the History view filters,
 * opens, reviews, exports, charts and reports, under the page's Content-Security-Policy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import path from 'node:path';
import mqtt from 'mqtt';
import { expect, test, type Page } from '@playwright/test';
import { crashInspectorAfter, missing, openWithBottle, photo, resultFor, scoreOf, scratchDir } from './fixtures';
import { Mosquitto, mosquittoMissing } from './mosquitto';

test.skip(() => missing() !== null, missing() ?? '');

const addPhotos = (page: Page, files: string[]) => page.getByLabel('Add photos', { exact: true }).setInputFiles(files);
const historyRows = (page: Page) => page.getByTestId('history-row');
const outbox = (page: Page) => page.getByTestId('outbox');

/** Collects Content-Security-Policy violations and console text from the page's start. */
async function watchPage(page: Page): Promise<{ console: string[] }> {
  const console: string[] = [];
  page.on('console', (m) => console.push(m.text()));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return { console };
}

const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

async function openHistory(page: Page, tab = 'Records'): Promise<void> {
  await page.getByRole('link', { name: 'History' }).click();
  await page.getByRole('tab', { name: tab }).click();
}

async function saveSettings(page: Page, fields: Record<string, string>, publish: 'no' | 'mqtt' | 'webhook'): Promise<void> {
  await openHistory(page, 'Publishing & storage');
  const form = page.getByRole('form', { name: 'Station and publishing' });
  await form.getByLabel('Publish records').selectOption(publish === 'no' ? 'off' : publish);
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label, { exact: true }).fill(value);
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(form.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
}

/** Copies a photo under a name of its own (the dataset reuses 000.jpg in every folder). */
function named(rel: string, name: string, dir: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, readFileSync(photo(rel)));
  return file;
}

interface Received {
  topic: string;
  message: Record<string, unknown>;
  messageIdProperty: unknown;
}

test.describe('publishing to a real Mosquitto broker', () => {
  test.skip(() => mosquittoMissing() !== null, mosquittoMissing() ?? '');
  const broker = new Mosquitto();
  test.beforeAll(() => broker.start());
  test.afterAll(() => broker.stop());

  test('inspections arrive with their fields; with the broker down they wait in the outbox, then arrive once, in order', async ({ page }) => {
    const received: Received[] = [];
    // a persistent session: what is published while this subscriber is away waits for it at the broker, in order
    const connectPlant = async () => {
      const client = mqtt.connect(broker.tcpUrl, { username: broker.user, password: broker.password, protocolVersion: 5, clientId: 'e2e-plant', clean: false, properties: { sessionExpiryInterval: 600 }, reconnectPeriod: 300 });
      // listening before the connection is up: the broker sends the queue right after accepting it
      client.on('message', (topic, payload, packet) => received.push({ topic, message: JSON.parse(payload.toString()), messageIdProperty: packet.properties?.userProperties?.['message-id'] }));
      await new Promise((resolve) => client.once('connect', resolve));
      await client.subscribeAsync('pf-e2e/#', { qos: 1 });
      return client;
    };
    let subscriber = await connectPlant();
    try {
      const { console } = await watchPage(page);
      await openWithBottle(page);
      await saveSettings(page, { 'Station name': 'line 7', 'Broker URL': broker.wsUrl, 'Topic prefix': 'pf-e2e', 'User name': broker.user, Password: broker.password }, 'mqtt');
      await expect(page.getByTestId('link-state')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });

      const dir = scratchDir();
      await page.getByRole('link', { name: 'Inspect' }).click();
      await addPhotos(page, [photo('test/good/000.jpg'), named('test/broken_large/000.jpg', 'broken.jpg', dir)]);
      const shown = { '000.jpg': await scoreOf(page, '000.jpg'), 'broken.jpg': await scoreOf(page, 'broken.jpg') };
      await expect.poll(() => received.length, { timeout: 30_000 }).toBe(2);
      for (const { topic, message, messageIdProperty } of received) {
        expect(topic).toBe('pf-e2e/line 7/bottle/inspection');
        expect(message).toMatchObject({ kind: 'inspection', station: 'line 7', part: 'bottle', source: 'photo' });
        expect(message.messageId).toMatch(/^[0-9a-f-]{36}$/);
        expect(messageIdProperty).toBe(message.messageId);
        expect(message.modelId).toMatch(/^bottle/);
        expect(message.modelVersion).toMatch(/^r\d+ /);
        expect(Date.parse(message.time as string)).toBeGreaterThan(Date.now() - 600_000);
        const file = message.file as keyof typeof shown;
        expect(message.score).toBe(shown[file]);
        expect(message.verdict).toBe(await resultFor(page, file).getAttribute('data-verdict'));
        expect(message.verdict).toBe((message.score as number) >= (message.threshold as number) ? 'fail' : 'pass');
        expect(message).not.toHaveProperty('thumbnailJpeg');
      }
      await expect(outbox(page)).toHaveAttribute('data-value', '0');

      // the broker goes down: inspections go on, their messages wait in the outbox. The plant's subscriber
      // stays away until they are all at the broker: a broker may deliver a subscriber's queue and new
      // messages interleaved while it reconnects, which would say nothing about the app's order
      await subscriber.endAsync();
      await broker.stop();
      await expect(page.getByTestId('link-state')).toHaveAttribute('data-state', 'connecting', { timeout: 30_000 });
      const later = ['001.jpg', '002.jpg', '003.jpg', '004.jpg'];
      await addPhotos(page, later.map((n) => photo(`test/good/${n}`)));
      for (const n of later) await scoreOf(page, n);
      await expect(outbox(page)).toHaveAttribute('data-value', '4', { timeout: 10_000 });
      await page.waitForTimeout(2000);
      expect(received).toHaveLength(2);

      // back up: each arrives once, in the order inspected, and the outbox empties
      await broker.start();
      await expect(outbox(page)).toHaveAttribute('data-value', '0', { timeout: 60_000 });
      subscriber = await connectPlant();
      await expect.poll(() => received.length, { timeout: 30_000 }).toBe(6);
      const afterRestart = received.slice(2).map((r) => r.message);
      expect(afterRestart.map((m) => m.file)).toEqual(later);
      const times = afterRestart.map((m) => Date.parse(m.time as string));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(new Set(received.map((r) => r.message.messageId)).size).toBe(6);
      await expect(page.getByTestId('link-state')).toHaveAttribute('data-state', 'connected');

      // the operator's review goes to the plant too
      await openHistory(page);
      await historyRows(page).filter({ hasText: 'broken.jpg' }).click();
      const detail = page.getByTestId('history-detail');
      await detail.getByLabel(/accept the part/).check();
      await detail.getByLabel('Note').fill('seal scratched, cosmetic');
      await detail.getByRole('button', { name: 'Save review' }).click();
      await expect.poll(() => received.length, { timeout: 30_000 }).toBe(7);
      const review = received[6];
      expect(review.topic).toBe('pf-e2e/line 7/bottle/review');
      expect(review.message).toMatchObject({ kind: 'review', verdict: 'fail', override: 'pass', finalVerdict: 'pass', note: 'seal scratched, cosmetic' });
      expect(review.message.recordId).toBe(received.find((r) => r.message.file === 'broken.jpg')!.message.messageId);

      // a second tab shares the history; one tab publishes, so its inspection arrives once
      const second = await page.context().newPage();
      await openWithBottle(second);
      await expect(second.getByTestId('link-state')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
      await addPhotos(second, [photo('test/good/006.jpg')]);
      const fromSecond = await scoreOf(second, '006.jpg');
      await expect.poll(() => received.length, { timeout: 30_000 }).toBe(8);
      expect(received[7].message).toMatchObject({ file: '006.jpg', score: fromSecond });
      await expect(page.locator('[data-testid="history-row"][data-file="006.jpg"]')).toHaveCount(1, { timeout: 30_000 });
      await second.close();
      await page.waitForTimeout(2000);
      expect(received).toHaveLength(8);

      // credentials never leave the settings: not in the console, not in exports
      await page.getByRole('tab', { name: 'Records' }).click();
      for (const button of ['Export CSV', 'Export JSON']) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
        const text = readFileSync(await download.path(), 'utf8');
        expect(text).toContain('broken.jpg');
        expect(text).not.toContain(broker.password);
      }
      expect(console.join('\n')).not.toContain(broker.password);
      expect(await cspViolations(page)).toEqual([]);
    } finally {
      await subscriber.endAsync();
    }
  });
});

test('a webhook receives each inspection as JSON, with its message id and credentials', async ({ page }) => {
  const posts: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    // the page is another origin: the webhook answers CORS
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'content-type, authorization, idempotency-key');
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      posts.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    await openWithBottle(page);
    await saveSettings(page, { 'Station name': 'line-9', 'Webhook URL': `http://127.0.0.1:${port}/inspections`, 'User name': 'mes', Password: 's3cret' }, 'webhook');
    await page.getByRole('link', { name: 'Inspect' }).click();
    await addPhotos(page, [photo('test/good/005.jpg')]);
    const score = await scoreOf(page, '005.jpg');
    await expect.poll(() => posts.length, { timeout: 30_000 }).toBe(1);
    expect(posts[0].body).toMatchObject({ kind: 'inspection', station: 'line-9', part: 'bottle', file: '005.jpg', score });
    expect(posts[0].headers['idempotency-key']).toBe(posts[0].body.messageId);
    expect(posts[0].headers.authorization).toBe(`Basic ${Buffer.from('mes:s3cret').toString('base64')}`);
    await expect(outbox(page)).toHaveAttribute('data-value', '0');
  } finally {
    server.close();
  }
});

test('a worker crash and a reload in the middle of a batch lose no finished result, and the batch resumes', async ({ page }) => {
  await openWithBottle(page);
  const names = Array.from({ length: 16 }, (_, i) => `${String(i).padStart(3, '0')}.jpg`);
  await addPhotos(page, names.map((n) => photo(`test/good/${n}`)));
  await crashInspectorAfter(page, 3);
  await expect.poll(() => page.locator('[data-testid="result"][data-verdict="pass"], [data-testid="result"][data-verdict="fail"]').count(), { timeout: 180_000 }).toBeGreaterThanOrEqual(5);
  // what the page shows as finished at the moment of the reload
  const shownBefore = await page.locator('[data-testid="result"]').evaluateAll((rows) =>
    rows.filter((r) => r.getAttribute('data-verdict') !== 'error').map((r) => ({ file: r.getAttribute('data-file')!, score: r.getAttribute('data-score')!, verdict: r.getAttribute('data-verdict')! })),
  );
  const crashed = await page.locator('[data-testid="result"][data-verdict="error"]').count();
  await page.reload();

  await openHistory(page);
  await expect.poll(() => historyRows(page).count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(shownBefore.length);
  const recorded = await historyRows(page).evaluateAll((rows) => rows.map((r) => ({ file: r.getAttribute('data-file')!, score: r.getAttribute('data-score')!, verdict: r.getAttribute('data-verdict')! })));
  for (const shown of shownBefore) expect(recorded).toContainEqual(shown);

  // the rest of the batch is offered, and resumes where it stopped
  const interrupted = page.getByTestId('interrupted-batch');
  await expect(interrupted).toBeVisible({ timeout: 30_000 });
  const left = Number(await interrupted.getAttribute('data-count'));
  expect(left + recorded.length + crashed).toBe(names.length);
  await interrupted.getByRole('button', { name: 'Resume batch' }).click();
  await expect(interrupted).toHaveCount(0, { timeout: 300_000 }); // once the part model has loaded
  await expect(page.locator('[data-testid="result"][data-verdict]')).toHaveCount(left, { timeout: 300_000 });
  await openHistory(page);
  await expect(page.getByTestId('history-count')).toHaveAttribute('data-value', String(names.length - crashed), { timeout: 30_000 });
  const files = await historyRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-file')));
  expect(new Set(files).size).toBe(files.length); // each photo recorded once
});

test('a full quota keeps the record (without pictures, or in reserve) and says so', async ({ page }) => {
  await openWithBottle(page);
  // the pictures are refused: the record is kept without them
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    const full = () => new DOMException('quota exceeded (test)', 'QuotaExceededError');
    Object.assign(window, {
      restorePut: () => (IDBObjectStore.prototype.put = put),
      refuse: (stores: string[]) =>
        (IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
          if (stores.includes(this.name)) throw full();
          return put.apply(this, args);
        }),
    });
    (window as unknown as { refuse: (s: string[]) => void }).refuse(['images']);
  });
  await addPhotos(page, [photo('test/good/010.jpg')]);
  await scoreOf(page, '010.jpg');
  await expect(page.getByTestId('storage-problem')).toContainText('Storage is full: the record of 010.jpg was kept without its pictures');

  // even the record is refused: it waits in reserve, and moves in once there is room
  await page.evaluate(() => (window as unknown as { refuse: (s: string[]) => void }).refuse(['images', 'records']));
  await addPhotos(page, [photo('test/good/011.jpg')]);
  await scoreOf(page, '011.jpg');
  await expect(page.getByTestId('storage-problem')).toContainText('record of 011.jpg');
  await expect(page.getByText('1 record waiting for storage space')).toBeVisible();
  await page.evaluate(() => (window as unknown as { restorePut: () => void }).restorePut());
  await addPhotos(page, [photo('test/good/012.jpg')]);
  await scoreOf(page, '012.jpg');

  await openHistory(page);
  await expect(historyRows(page)).toHaveCount(3, { timeout: 30_000 });
  expect(await historyRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-file')))).toEqual(['012.jpg', '011.jpg', '010.jpg']);
  await historyRows(page).filter({ hasText: '010.jpg' }).click();
  await expect(page.getByTestId('history-detail')).toContainText('not kept: the browser storage was full');
  await expect(page.getByText('waiting for storage space')).toHaveCount(0);
});

test('History filters, opens a record over its heat map, reviews, exports, charts, prints a shift report and prunes pictures', async ({ page }) => {
  await watchPage(page);
  const dir = scratchDir();
  // a name that would be markup if it were ever put into the page as HTML
  const trap = '<img src=x onerror=window.pwned=1>.jpg';
  await openWithBottle(page);
  // a shift that began an hour ago and runs for twelve: this run's records all fall in it
  const clock = (t: number) => new Date(t).toTimeString().slice(0, 5);
  await saveSettings(page, { 'Shifts start at': `${clock(Date.now() - 3600_000)}, ${clock(Date.now() + 11 * 3600_000)}` }, 'no');
  await page.getByRole('link', { name: 'Inspect' }).click();
  await addPhotos(page, [photo('test/good/013.jpg'), named('test/broken_large/001.jpg', 'broken-001.jpg', dir), named('test/good/014.jpg', trap, dir)]);
  const scores = { '013.jpg': await scoreOf(page, '013.jpg'), 'broken-001.jpg': await scoreOf(page, 'broken-001.jpg'), [trap]: await scoreOf(page, trap) };

  await openHistory(page);
  await expect(historyRows(page)).toHaveCount(3);
  for (const [file, score] of Object.entries(scores)) {
    const row = page.locator(`[data-testid="history-row"][data-file="${file}"]`);
    await expect(row).toHaveAttribute('data-score', String(score));
    await expect(row).toHaveAttribute('data-verdict', (await resultFor(page, file).getAttribute('data-verdict'))!);
  }
  await expect(page.getByRole('cell', { name: trap })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();

  // filters: verdict, part, time span; the address keeps them
  await page.getByLabel('Verdict filter').selectOption('fail');
  await expect(historyRows(page)).toHaveCount(1);
  await expect(historyRows(page)).toHaveAttribute('data-file', 'broken-001.jpg');
  expect(page.url()).toContain('verdict=fail');
  await page.getByLabel('Part filter').selectOption('bottle');
  await expect(historyRows(page)).toHaveCount(1);
  await page.reload();
  await expect(historyRows(page)).toHaveCount(1, { timeout: 60_000 });
  await page.getByLabel('Verdict filter').selectOption('');
  await expect(historyRows(page)).toHaveCount(3);
  await page.getByRole('button', { name: 'This shift' }).click();
  await expect(historyRows(page)).toHaveCount(3);

  // the detail: the stored picture under its heat map, drawn
  await historyRows(page).filter({ hasText: 'broken-001.jpg' }).click();
  const detail = page.getByTestId('history-detail');
  await expect(detail.getByTestId('overlay')).toHaveAttribute('data-drawn', 'true', { timeout: 30_000 });
  const reddened = await detail.getByTestId('overlay').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let red = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 180 && d[i + 2] < 80) red++;
    return red / (d.length / 4);
  });
  expect(reddened).toBeGreaterThan(0.002);

  // the operator overrides: kept beside the model's verdict; the note is text
  await detail.getByLabel(/accept the part/).check();
  await detail.getByLabel('Note').fill('<b>ok</b> after rework');
  await detail.getByRole('button', { name: 'Save review' }).click();
  await expect(detail.getByRole('status').filter({ hasText: 'Review saved.' })).toBeVisible();
  const overridden = historyRows(page).filter({ hasText: 'broken-001.jpg' });
  await expect(overridden).toHaveAttribute('data-verdict', 'fail');
  await expect(overridden).toHaveAttribute('data-final-verdict', 'pass');
  await page.getByLabel('Verdict filter').selectOption('overridden');
  await expect(historyRows(page)).toHaveCount(1);
  await expect(page.locator('.history-view b')).toHaveCount(0);

  // export of the filtered set
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const exported = JSON.parse(readFileSync(await json.path(), 'utf8'));
  expect(exported).toHaveLength(1);
  expect(exported[0]).toMatchObject({ file: 'broken-001.jpg', verdict: 'fail', finalVerdict: 'pass', note: '<b>ok</b> after rework', score: scores['broken-001.jpg'] });
  await page.getByLabel('Verdict filter').selectOption('');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toMatch(/^id,time,station,part,model_id,model_version,file,source,score,threshold,verdict,override,final_verdict,note,images$/);
  expect(lines).toHaveLength(4);

  // charts over the filtered records
  await page.getByRole('tab', { name: 'Charts' }).click();
  await expect(page.getByTestId('history-charts')).toHaveAttribute('data-records', '3', { timeout: 30_000 });
  await expect(page.getByTestId('score-chart')).toBeVisible();
  await expect(page.getByTestId('rate-chart')).toBeVisible();
  await expect(page.getByRole('img', { name: 'Score histogram of bottle' })).toBeVisible();

  // the shift report, as printed
  await page.getByRole('tab', { name: 'Shift report' }).click();
  const report = page.getByTestId('shift-report');
  await expect(report.getByTestId('report-total')).toHaveText('3', { timeout: 30_000 });
  await expect(report.getByTestId('report-fail')).toHaveText('0'); // the operator accepted the only FAIL
  await expect(report.getByTestId('worst-record').first()).toHaveAttribute('data-score', String(scores['broken-001.jpg']));
  await expect(report.getByTestId('worst-record').first().locator('canvas')).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('banner')).not.toBeVisible();
  await expect(report).toBeVisible();
  await page.screenshot({ path: path.join('test-results', 'history-report-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // storage: the readout, and pruning pictures (never records) older than a date
  await page.getByRole('tab', { name: 'Publishing & storage' }).click();
  const storage = page.getByRole('region', { name: 'Storage' });
  await expect(storage).toContainText(/this site uses .* of .*3 records/);
  const dayAfterTomorrow = new Date(Date.now() + 2 * 24 * 3600_000); // whatever the time zone, after today
  await storage.getByLabel('Prune pictures of records before').fill(dayAfterTomorrow.toISOString().slice(0, 10));
  await storage.getByRole('button', { name: "Prune 3 records' pictures" }).click();
  await storage.getByRole('button', { name: 'Yes, prune' }).click();
  await expect(storage.getByRole('status')).toHaveText('Pictures of 3 records pruned; the records are kept.', { timeout: 30_000 });
  await page.getByRole('tab', { name: 'Records' }).click();
  await page.getByLabel('Verdict filter').selectOption('');
  await expect(historyRows(page)).toHaveCount(3);
  await historyRows(page).filter({ hasText: '013.jpg' }).click();
  await expect(page.getByTestId('history-detail')).toContainText('pruned to save space');
  await expect(page.getByTestId('history-detail').getByTestId('overlay')).toHaveCount(0);

  expect(await cspViolations(page)).toEqual([]);
});
