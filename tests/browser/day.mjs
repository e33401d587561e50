// Each role's day in a real browser, against a server running the demo
// (`jakpreneur serve --demo`): sign in, the home page, finding a member by number and by
// NIK, correcting it, recording a service, the trainer's classes, the partner's
// referrals, a supplier's orders and the public pages. Every page is visited at 1280 px
// and at 390 px (a phone): none may scroll sideways, axe-core may find no serious or
// critical accessibility violation, and each is saved as a screenshot.
//
//   BASE_URL=http://127.0.0.1:8080 SHOTS=target/browser-shots node day.mjs
//
// DAYS=sudin.jakpus,instruktur runs only those accounts' days (and `public` the public
// pages); CI runs them all.
//
// Chromium is Debian's (/usr/bin/chromium, or CHROMIUM); playwright-core never downloads
// a browser.

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const SHOTS = process.env.SHOTS ?? 'browser-shots';
const PASSWORD = process.env.DEMO_PASSWORD ?? 'ondel-ondel-kerak-telor';
// The published authenticator key of the demo's admin and officer accounts.
const TWO_FACTOR_KEY = process.env.DEMO_TWO_FACTOR_KEY ?? 'JAKPRENEURDEMOKEYONDELONDELKERAK';
const WIDTHS = [1280, 390];
const ONLY = process.env.DAYS ? process.env.DAYS.split(',').map((d) => d.trim()) : null;
const runs = (name) => ONLY === null || ONLY.includes(name);

mkdirSync(SHOTS, { recursive: true });
const failures = [];
let visited = 0;

function fail(where, what) {
  failures.push(`${where}: ${what}`);
  console.log(`  FAIL ${what}`);
}

/** The checks every page gets: status, no sideways scroll, axe, a screenshot. */
async function check(page, label, width, response) {
  visited += 1;
  const where = `${label} @${width}px (${new URL(page.url()).pathname})`;
  console.log(`- ${where}`);
  if (response && response.status() >= 500) fail(where, `HTTP ${response.status()}`);
  const wide = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    view: window.innerWidth,
  }));
  if (wide.page > wide.view + 1) fail(where, `scrolls sideways: ${wide.page}px wide in ${wide.view}px`);
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  );
  for (const v of result.violations) {
    if (v.impact === 'serious' || v.impact === 'critical') {
      const nodes = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
      fail(where, `axe ${v.impact} ${v.id}: ${v.help} — ${nodes}`);
    }
  }
  const file = `${SHOTS}/${label.replace(/[^a-z0-9]+/gi, '-')}-${width}.png`;
  await page.screenshot({ path: file, fullPage: true });
}

async function visit(page, label, width, path) {
  const res = await page.goto(BASE + path);
  await check(page, label, width, res);
  return res;
}

/** RFC 4648 base32 to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The six-digit code an authenticator app shows for `key` at `ms` (RFC 6238, SHA-1, 30 s). */
function totp(key, ms = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const mac = createHmac('sha1', base32(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function signIn(page, username, width) {
  // The server allows a few sign-in attempts a minute from one address (the whole day
  // comes from one): a refused attempt (429) waits for the limit to let the next through.
  for (let attempt = 0; ; attempt += 1) {
    await page.goto(`${BASE}/login`);
    await page.fill('#username', username);
    await page.fill('#password', PASSWORD);
    const [res] = await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
    if (res?.status() !== 429 || attempt >= 10) break;
    await page.waitForTimeout(7_000);
  }
  // Admins and officers take a second step: the code of the published demo key. A code
  // works once, so a second sign-in within the same half minute waits for the next one.
  for (let attempt = 0; new URL(page.url()).pathname === '/login/code' && attempt < 3; attempt += 1) {
    if (attempt === 0) await check(page, 'login-code', width, null);
    else await page.waitForTimeout(30_000 - (Date.now() % 30_000) + 500);
    await page.fill('#code', totp(TWO_FACTOR_KEY));
    await Promise.all([page.waitForNavigation(), page.click('form[action="/login/code"] button[type=submit]')]);
  }
  const who = await page.locator('nav.who').innerText();
  if (!who.includes(username)) throw new Error(`${username} is not signed in: ${who}`);
}

/** Submits the form that holds `button` and waits for the page it leads to. */
async function submit(page, button) {
  const [res] = await Promise.all([page.waitForNavigation(), button.click()]);
  return res;
}

const days = {
  // A district officer's morning: tasks, a member by number and by NIK, a correction,
  // a service recorded, the lists of the day.
  async gambir(page, width) {
    await visit(page, 'officer-home', width, '/');
    await visit(page, 'officer-members', width, '/members?sort=business');
    const no = (await page.locator('table.members tbody tr td a').first().innerText()).trim();
    if (!/^JP-3171-/.test(no)) throw new Error(`no Gambir member in the list: ${no}`);
    const business = (await page.locator('table.members tbody tr td').nth(1).innerText()).trim();
    if (width <= 400) {
      // On a phone the list reflows: each row a card, each value under its column's name.
      const card = await page.evaluate(() => {
        const td = document.querySelector('table.reflow tbody tr td');
        return td && {
          row: getComputedStyle(td.parentElement).display,
          label: getComputedStyle(td, '::before').content,
        };
      });
      if (!card || card.row !== 'block' || !card.label || card.label === 'none' || card.label.length < 4) {
        fail('members list on a phone', `rows do not reflow: ${JSON.stringify(card)}`);
      }
    }
    // The header's search box, by business name: the list of that name, counted.
    await page.fill('form.search input[name=q]', business);
    let found = await submit(page, page.locator('form.search button'));
    await check(page, 'officer-search-name', width, found);
    const listed = await page.locator('table.members tbody tr').count();
    if (listed < 1 || !(await page.locator('table.members tbody').innerText()).includes(business)) {
      fail('search by name', `"${business}" found ${listed} rows`);
    }
    // The header's search box, by member number.
    await page.fill('form.search input[name=q]', no);
    let res = await submit(page, page.locator('form.search button'));
    await check(page, 'officer-search-number', width, res);
    if (!(await page.content()).includes(no)) fail('search by number', `${no} not found`);
    // The member page; the NIK shown (an audited act), then found again by it.
    await page.goto(`${BASE}/members/${no}`);
    res = await submit(page, page.locator(`form[action="/members/${no}/nik"] button`));
    const nik = (await page.locator('dd .mono').first().innerText()).trim();
    if (!/^\d{16}$/.test(nik)) throw new Error(`the revealed NIK is not 16 digits: ${nik}`);
    await page.goto(`${BASE}/members`);
    await page.fill('form.search input[name=q]', nik);
    res = await submit(page, page.locator('form.search button'));
    if (!page.url().endsWith(`/members/${no}`)) fail('search by NIK', `landed on ${page.url()}`);
    if (page.url().includes(nik)) fail('search by NIK', 'the NIK is in the address');
    await check(page, 'officer-member', width, res);
    for (const tab of ['services', 'training', 'permits', 'finance']) {
      await page.goto(`${BASE}/members/${no}#${tab}`);
      await check(page, `officer-member-${tab}`, width, null);
    }
    // A correction: a new phone number.
    res = await page.goto(`${BASE}/members/${no}/edit`);
    await check(page, 'officer-edit', width, res);
    const phone = `0812${String(Date.now()).slice(-8)}`;
    await page.fill('#phone', phone);
    res = await submit(page, page.locator('form.record button[type=submit]'));
    if (!page.url().includes('updated=1')) fail('edit', `not saved: ${page.url()} ${res.status()}`);
    // A service: a training session attended today.
    await page.goto(`${BASE}/members/${no}#services`);
    await page.selectOption('#kind', 'training_attended');
    await page.fill('#occurred_on', new Date().toISOString().slice(0, 10));
    res = await submit(page, page.locator(`form[action="/members/${no}/events"] button[type=submit]`));
    if (res.status() >= 400) fail('record a service', `HTTP ${res.status()}`);
    await check(page, 'officer-service-recorded', width, res);
    for (const [label, path] of [
      ['officer-new-member', '/members/new'],
      ['officer-training', '/training'],
      ['officer-permits-expiring', '/permits/expiring'],
      ['officer-follow-ups', '/follow-ups/overdue'],
      ['officer-market', '/market-events'],
      ['officer-curation', '/curation'],
      ['officer-import', '/import'],
      ['officer-orders', '/orders'],
      ['officer-statistik', '/statistik'],
    ]) {
      await visit(page, label, width, path);
    }
  },
  async admin(page, width) {
    await visit(page, 'admin-home', width, '/');
    await visit(page, 'admin-users', width, '/admin/users');
    await visit(page, 'admin-audit', width, '/admin/audit');
    // Two-step verification: the state, then a new app's QR code (nothing changes until a
    // code from it is confirmed).
    await visit(page, 'admin-two-factor', width, '/account/two-factor');
    const res = await submit(page, page.locator('form[action="/account/two-factor/start"] button'));
    await check(page, 'admin-two-factor-enrol', width, res);
    if (await page.locator('svg.qr').count() !== 1) fail('admin two-factor', 'no QR code on the enrolment page');
  },
  async pelatih(page, width) {
    await visit(page, 'trainer-home', width, '/');
    await visit(page, 'trainer-training', width, '/training');
    const href = await page.locator('a[href^="/training/classes/"]').first().getAttribute('href');
    if (href) await visit(page, 'trainer-class', width, href);
    else fail('trainer', 'no class in /training');
  },
  // The manpower department's Central Jakarta office: its trainees, one who reached
  // placement, a wrong enrolment on purpose, and a service recorded.
  async 'sudin.jakpus'(page, width) {
    await visit(page, 'manpower-trainees', width, '/pelatihan-kerja?reached=K4');
    const href = await page.locator('a[href^="/pelatihan-kerja/PK-3171-"]').first().getAttribute('href');
    if (!href) throw new Error('no Central Jakarta trainee who reached placement');
    await visit(page, 'manpower-trainee', width, href);
    if (!(await page.locator('main').innerText()).includes('K4')) fail('trainee page', 'no stage K4 shown');
    await visit(page, 'manpower-enrol', width, '/pelatihan-kerja');
    await page.click('details#enrol > summary');
    await page.fill('#nik', '12345');
    await page.fill('#full_name', 'Salah Ketik');
    const bad = await submit(page, page.locator('form[method=post][action="/pelatihan-kerja"] button[type=submit]'));
    await check(page, 'manpower-enrol-refused', width, bad);
    if (bad.status() !== 422) fail('enrol with a wrong NIK', `HTTP ${bad.status()}, not 422`);
    if ((await page.inputValue('#full_name')) !== 'Salah Ketik') fail('enrol refused', 'the typed name is lost');
    if ((await page.locator('#nik-error').count()) !== 1) fail('enrol refused', 'no error beside the NIK');
    // The centres, a class, and the city's job fair with a wrong vacancy on purpose.
    await visit(page, 'manpower-centres', width, '/pelatihan-kerja/pusat');
    await visit(page, 'manpower-classes', width, '/pelatihan-kerja/kelas');
    const cls = await page.locator('a[href^="/pelatihan-kerja/kelas/"]').first().getAttribute('href');
    if (cls) await visit(page, 'manpower-class', width, cls);
    else fail('manpower classes', 'no class listed');
    await visit(page, 'manpower-fairs', width, '/pelatihan-kerja/bursa');
    const fair = await page.locator('tr', { hasText: 'Jakarta Pusat' }).locator('a[href^="/pelatihan-kerja/bursa/"]').first().getAttribute('href');
    if (!fair) throw new Error('no Central Jakarta job fair');
    await visit(page, 'manpower-fair', width, fair);
    await page.click('details:has(form[action$="/lowongan"]) > summary');
    await page.fill('#vacancy-employer', 'PT Salah Isi');
    await page.fill('#vacancy-position', 'Operator');
    const refused = await submit(page, page.locator('form[action$="/lowongan"] button[type=submit]'));
    await check(page, 'manpower-vacancy-refused', width, refused);
    if (refused.status() !== 422) fail('a vacancy without openings', `HTTP ${refused.status()}, not 422`);
    if ((await page.inputValue('#vacancy-employer')) !== 'PT Salah Isi') fail('vacancy refused', 'the typed employer is lost');
    if ((await page.locator('#vacancy-openings-error').count()) !== 1) fail('vacancy refused', 'no error beside the openings');
  },
  // A job-training instructor in Gambir: the classes, and one class's sessions and trainees.
  async instruktur(page, width) {
    await visit(page, 'instructor-classes', width, '/pelatihan-kerja/kelas');
    const cls = await page.locator('a[href^="/pelatihan-kerja/kelas/"]').first().getAttribute('href');
    if (cls) await visit(page, 'instructor-class', width, cls);
    else fail('instructor', 'no class listed');
  },
  async mitra(page, width) {
    await visit(page, 'partner-home', width, '/');
    await visit(page, 'partner-financing', width, '/financing');
  },
  // A member (here a supplier): its own pages from the home page, then its orders.
  async penjual(page, width) {
    await visit(page, 'supplier-home', width, '/');
    const own = await page.locator('a[href$="#profil"]').first().getAttribute('href');
    if (!own) throw new Error('no link to the member\'s own record on its home page');
    await visit(page, 'member-own-record', width, own);
    for (const tab of ['training', 'finance']) {
      await page.goto(`${BASE}${own.replace('#profil', '')}#${tab}`);
      await check(page, `member-own-${tab}`, width, null);
    }
    await visit(page, 'member-own-products', width, `${own.replace('#profil', '')}/products`);
    await visit(page, 'supplier-orders', width, '/orders');
    const href = await page.locator('a[href^="/orders/"]').first().getAttribute('href');
    if (href) await visit(page, 'supplier-order', width, href);
  },
  async 'bendahara.dppkukm'(page, width) {
    await visit(page, 'treasurer-home', width, '/');
    await visit(page, 'treasurer-orders', width, '/orders');
  },
};

const publicPages = [
  ['public-home', '/'],
  ['public-cek', '/cek?q=warung'],
  ['public-katalog', '/katalog'],
  ['public-statistik', '/statistik'],
  ['public-placement', '/statistik/pelatihan-kerja'],
  ['public-privasi-pelatihan-kerja', '/privasi/pelatihan-kerja'],
  ['public-privasi', '/privasi'],
  ['public-login', '/login'],
  ['public-signup', '/akun/daftar'],
  ['public-signup-code', '/akun/daftar/kode'],
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const width of WIDTHS) {
    const viewport = { width, height: width < 600 ? 844 : 900 };
    {
      const context = await browser.newContext({ viewport, bypassCSP: true });
      const page = await context.newPage();
      for (const [label, path] of publicPages) if (runs('public')) await visit(page, label, width, path);
      await context.close();
    }
    for (const [user, day] of Object.entries(days)) {
      if (!runs(user)) continue;
      console.log(`${user} at ${width}px`);
      const context = await browser.newContext({ viewport, bypassCSP: true });
      const page = await context.newPage();
      try {
        await signIn(page, user, width);
        await day(page, width);
      } catch (e) {
        fail(`${user} @${width}px`, e.message.split('\n')[0]);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
console.log(`\n${visited} page visits, ${failures.length} failures; screenshots in ${SHOTS}/`);
for (const f of failures) console.log(`  ${f}`);
process.exit(failures.length === 0 ? 0 : 1);
