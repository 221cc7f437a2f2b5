// The web pages as their three kinds of user meet them, in Debian's headless Chromium
// driven by playwright-core, against a running `ohjaus serve` whose mail goes to a real
// SMTP server (tests/interop/smtp_sink.py). Started by ./run.sh, which sets:
//
//   OHJAUS_URL          the server's base URL
//   OHJAUS_MAIL_DIR     the SMTP sink's folder of .eml files
//   OHJAUS_FIXTURE      the JSON printed by the browser_fixture example
//   OHJAUS_SCREENSHOTS  where each page's screenshot goes
//
// Every page is checked with axe-core: no serious or critical violation of WCAG 2.1 A/AA.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const base = process.env.OHJAUS_URL;
const mailDir = process.env.OHJAUS_MAIL_DIR;
const fixture = JSON.parse(fs.readFileSync(process.env.OHJAUS_FIXTURE, "utf8"));
const shots = process.env.OHJAUS_SCREENSHOTS || path.join(__dirname, "..", "..", "target", "screenshots");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
fs.mkdirSync(shots, { recursive: true });

const FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  // Date and time inputs drawn as a Finnish reader sees them.
  "--lang=fi-FI",
];

let browser;
let shotNumber = 0;
const checked = [];

test.before(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: FLAGS });
});

test.after(async () => {
  if (browser) { await browser.close(); }
  fs.writeFileSync(path.join(shots, "axe-summary.json"), JSON.stringify(checked, null, 2));
});

/** A screenshot of the whole page, numbered in story order. */
async function shot(page, name) {
  shotNumber += 1;
  const file = path.join(shots, `${String(shotNumber).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

/** axe-core on the page: fails on any serious or critical violation. */
async function accessible(page, name) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  checked.push({ page: name, url: page.url(), violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })) });
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe on ${name}`,
  );
}

/** Screenshot and accessibility check of the page as it is now. */
async function look(page, name) {
  await shot(page, name);
  await accessible(page, name);
}

/** The text of an .eml file with base64 and quoted-printable parts decoded. */
function decodeMail(raw) {
  let text = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  const blocks = raw.split(/\r?\n\r?\n/);
  for (let i = 0; i + 1 < blocks.length; i += 1) {
    if (/Content-Transfer-Encoding:\s*base64/i.test(blocks[i])) {
      const body = blocks[i + 1].split(/\r?\n--/)[0].replace(/\s+/g, "");
      text += "\n" + Buffer.from(body, "base64").toString("utf8");
    }
  }
  return text;
}

const seen = new Set();

/** Waits for a new message to `address` and answers its decoded text. */
async function nextMail(address, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const name of fs.readdirSync(mailDir).sort()) {
      if (!name.endsWith(".eml") || seen.has(name)) { continue; }
      const raw = fs.readFileSync(path.join(mailDir, name), "utf8");
      const to = raw.split(/\r?\n/, 1)[0];
      if (!to.toLowerCase().includes(address.toLowerCase())) { continue; }
      seen.add(name);
      return decodeMail(raw);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no message to ${address} within ${timeoutMs} ms`);
}

/** Waits for the sign-in link sent to `address`. */
async function signInLink(address) {
  for (;;) {
    const text = await nextMail(address);
    const found = text.match(/https?:\/\/[^\s"<>]+\/sign-in\/ohjlink_[A-Za-z0-9_-]+(\?[^\s"<>]*)?/);
    if (found) { return found[0].replace(/&amp;/g, "&"); }
  }
}

/** Signs in as `address` with the link from the SMTP sink; `name` prefixes the screenshots. */
async function signIn(page, address, name) {
  await page.goto(base + "/");
  assert.match(page.url(), /\/sign-in/);
  if (name) { await look(page, `${name}-sign-in`); }
  await page.fill("#email", address);
  await page.click("main button[type=submit]");
  await page.waitForSelector("text=Tarkista sähköpostisi");
  if (name) { await look(page, `${name}-check-email`); }
  const link = await signInLink(address);
  assert.ok(link.startsWith(base), `the link ${link} points at the server`);
  await page.goto(link);
  if (name) { await look(page, `${name}-confirm`); }
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
  return link;
}

async function newPage(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: "fi-FI", timezoneId: "Europe/Helsinki" });
  return context.newPage();
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

test("a coordinator signs in, previews and books a series, sees a conflict explained, moves a session", async () => {
  const page = await newPage();
  const link = await signIn(page, fixture.coordinator_email, "coordinator");
  assert.match(page.url(), /\/coordinator$/);
  await page.waitForSelector(`text=${fixture.series_title}`);
  await look(page, "coordinator-series");

  // The link worked once: a second use is refused.
  const again = await (await browser.newContext()).newPage();
  const gone = await again.goto(link);
  assert.equal(gone.status(), 410);
  await again.context().close();

  await page.click("text=Ihmiset ja ryhmät");
  await page.waitForSelector(`text=${fixture.team}`);
  await look(page, "coordinator-people");

  await page.click("nav.places >> text=Varaa sarja");
  await page.fill("#title", "Osasto 5A:n jatkosarja");
  await page.selectOption("#supervisor_id", { label: fixture.supervisor });
  await page.selectOption("#team_id", { label: fixture.team });
  await page.fill("#date", fixture.conflict.date);
  await page.fill("#time", fixture.conflict.time);
  await page.fill("#duration", "90");
  await page.fill("#interval", "2");
  await page.fill("#count", "6");
  await submit(page, "text=Esikatsele");
  const conflicts = page.locator(".conflicts");
  await conflicts.first().waitFor();
  const explained = await conflicts.first().innerText();
  assert.match(explained, /Tapaaminen 1/);
  assert.match(explained, /Ohjaajalla on jo tapaaminen/);
  await page.waitForSelector("#suggestions");
  await look(page, "coordinator-book-conflict");

  // Booking it anyway is refused, with the same explanation.
  await submit(page, "#book-form button.primary");
  assert.match(await page.locator(".conflicts").first().innerText(), /Ohjaajalla on jo tapaaminen/);

  await page.fill("#date", fixture.free.date);
  await page.fill("#time", fixture.free.time);
  await submit(page, "text=Esikatsele");
  await page.waitForSelector("text=Kaikki tapaamiset sopivat");
  assert.equal(await page.locator("ol.preview-sessions > li").count(), 6);
  await look(page, "coordinator-book-preview");

  await submit(page, "#book-form button.primary");
  assert.match(page.url(), /\/coordinator\/series\//);
  await page.waitForSelector("text=Sarja on varattu");
  await look(page, "coordinator-series-booked");

  await page.click("#session-2 summary");
  await page.fill("#move-date-2", fixture.move_to.date);
  await page.fill("#move-time-2", fixture.move_to.time);
  await submit(page, "#session-2 form[action$='/move'] button");
  await page.waitForSelector("text=Tapaaminen on siirretty");
  const [y, m, d] = fixture.move_to.date.split("-").map(Number);
  assert.match(await page.locator("#session-2 .when").innerText(), new RegExp(`${d}\\.${m}\\.${y} klo 11\\.00`));
  await look(page, "coordinator-session-moved");

  await page.click("text=Raportti");
  await page.waitForSelector("table.report");
  await look(page, "coordinator-report");
  const csvHref = await page.getAttribute("a[href^='/coordinator/report.csv']", "href");
  const csv = await page.request.get(base + csvHref);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()["content-type"], /text\/csv/);
  assert.match(await csv.text(), /Osasto 5A:n jatkosarja/);
  await page.context().close();
});

test("the supervisor signs in, sees the sessions ahead, records attendance and a private note", async () => {
  const page = await newPage();
  await signIn(page, fixture.supervisor_email);
  assert.match(page.url(), /\/supervisor$/);
  await page.waitForSelector("h2:has-text('Viikko')");
  assert.ok(await page.locator("text=Osasto 5A:n jatkosarja").count() > 0, "the series just booked is ahead");
  assert.ok(await page.locator(`text=${fixture.organization}`).count() > 0);
  await look(page, "supervisor-upcoming");

  const phone = await newPage({ width: 390, height: 844 });
  await phone.context().addCookies(await page.context().cookies());
  await phone.goto(base + "/supervisor");
  await shot(phone, "supervisor-upcoming-phone");
  await phone.context().close();

  await submit(page, "#recent ~ ul a");
  await page.waitForSelector("text=Osallistujat ja läsnäolo");
  await page.click("fieldset:has(legend:text-is('Liisa Korhonen')) label:text-is('Paikalla')");
  await page.click("fieldset:has(legend:text-is('Pekka Nieminen')) label:text-is('Paikalla')");
  await page.click("fieldset:has(legend:text-is('Sari Mäkinen')) label:text-is('Poissa')");
  await submit(page, "text=Tallenna läsnäolot");
  await page.waitForSelector("text=Läsnäolot on tallennettu");
  assert.ok(await page.isChecked("fieldset:has(legend:text-is('Liisa Korhonen')) input[value=present]"));

  await page.fill("#note-text", "Yksityinen havainto: vuorolistat kuormittavat ryhmää.");
  await submit(page, "text=Tallenna muistiinpano");
  await page.waitForSelector("text=Muistiinpano on tallennettu");
  await page.waitForSelector("text=Yksityinen havainto: vuorolistat kuormittavat ryhmää.");
  await look(page, "supervisor-session");

  await submit(page, "text=Sarjan tavoitteet ja arvioinnit");
  await page.waitForSelector("text=Vahvistetaan vuorovaikutusta vuoronvaihdoissa");
  await look(page, "supervisor-series");
  await page.context().close();
});

test("a participant signs in, sees their sessions, cannot see the note, says they can't attend, subscribes", async () => {
  const page = await newPage();
  await signIn(page, fixture.participant_email);
  assert.match(page.url(), /\/me$/);
  await page.waitForSelector(`text=${fixture.series_title}`);
  await look(page, "participant-sessions");

  await submit(page, `#series-heading ~ ul >> text=${fixture.series_title}`);
  await page.waitForSelector("text=Jaksaminen kuormittavissa tilanteissa");
  await look(page, "participant-series");
  await submit(page, "#sessions-heading ~ ol li:first-child a");
  await page.waitForSelector("text=Ohjaajan jakamat muistiinpanot");
  const body = await page.locator("body").innerText();
  assert.ok(!body.includes("vuorolistat kuormittavat"), "the private note is not shown to a participant");
  await look(page, "participant-session");

  await page.click("nav.places >> text=Omat tapaamiset");
  await submit(page, "ul.sessions li:first-child form button");
  await page.waitForSelector("text=Poissaolo on ilmoitettu ohjaajalle");
  await page.waitForSelector("text=Olet ilmoittanut, ettet pääse");
  const told = await nextMail(fixture.supervisor_email);
  assert.match(told, /Liisa Korhonen/);

  await submit(page, "text=Luo tilauslinkki");
  const feedUrl = await page.inputValue("#feed-url");
  assert.match(feedUrl, /\/calendar\/ohjcal_[A-Za-z0-9_-]+\.ics$/);
  assert.match(await page.getAttribute("#subscribe", "href"), /^webcal:\/\//);
  await look(page, "participant-calendar");
  const feed = await page.request.get(feedUrl);
  assert.equal(feed.status(), 200);
  assert.match(feed.headers()["content-type"], /text\/calendar/);
  assert.match(await feed.text(), /BEGIN:VCALENDAR/);

  await page.click("nav.places >> text=Omat tapaamiset");
  await page.click("text=På svenska");
  await page.waitForSelector("h1:text('Mina träffar')");
  assert.equal(await page.getAttribute("html", "lang"), "sv");
  await look(page, "participant-sessions-sv");
  await page.context().close();
});

/** Waits for the voting link sent to `address` (the invitation to a rhythm poll). */
async function voteLink(address) {
  for (;;) {
    const text = await nextMail(address);
    const found = text.match(/https?:\/\/[^\s"<>]+\/vote\/ohjvote_[A-Za-z0-9_-]+/);
    if (found) { return found[0]; }
  }
}

test("a rhythm poll: the coordinator proposes, the group votes without an account, the coordinator chooses", async () => {
  const page = await newPage();
  await signIn(page, fixture.coordinator_email);
  await page.click("nav.places >> text=Rytmikyselyt");
  await page.waitForSelector("h1:text('Rytmikyselyt')");
  await page.click("text=Uusi kysely");
  await page.fill("#title", "Osasto 5A:n kevään rytmi");
  await page.selectOption("#supervisor_id", { label: fixture.supervisor });
  await page.selectOption("#team_id", { label: fixture.team });
  await page.fill("#deadline_date", fixture.poll.deadline.date);
  await page.fill("#deadline_time", fixture.poll.deadline.time);
  const options = [fixture.poll.conflict, fixture.poll.free];
  for (const [i, option] of options.entries()) {
    await page.fill(`#date-${i}`, option.date);
    await page.fill(`#time-${i}`, option.time);
    await page.fill(`#duration-${i}`, "90");
    await page.fill(`#interval-${i}`, "2");
    await page.fill(`#count-${i}`, "4");
    await page.fill(`#location-${i}`, i === 0 ? "Neuvotteluhuone 2, B-siipi" : "Kirjasto");
  }
  await look(page, "coordinator-poll-new");
  await submit(page, "#poll-form button.primary");
  await page.waitForSelector("text=Kysely on luotu");
  const precheck = await page.locator("#option-1 .precheck").innerText();
  assert.match(precheck, /Ohjaajalla on jo tapaaminen/);
  await page.waitForSelector("#option-2 >> text=Esitarkistus: kaikki tapaamiset sopivat");
  await look(page, "coordinator-poll-created");
  const pollUrl = page.url().split("?")[0];

  // Liisa votes on a phone, without JavaScript.
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 }, locale: "fi-FI", timezoneId: "Europe/Helsinki", javaScriptEnabled: false,
  });
  const voter = await phone.newPage();
  const liisaLink = await voteLink(fixture.participant_email);
  assert.ok(liisaLink.startsWith(base), `the link ${liisaLink} points at the server`);
  await voter.goto(liisaLink);
  await voter.waitForSelector("h1:text('Osasto 5A:n kevään rytmi')");
  await voter.check("fieldset:has(legend:text-is('Vaihtoehto 1')) label:text-is('Ei sovi')");
  await voter.check("fieldset:has(legend:text-is('Vaihtoehto 2')) label:text-is('Sopii')");
  await voter.fill("#comment", "Iltapäivä sopii vuorolistaan parhaiten.");
  await shot(voter, "poll-vote-nojs");
  await submit(voter, "#ballot button.primary");
  await voter.waitForSelector("text=Vastauksesi on tallennettu");
  // Changed: the first if need be.
  await voter.check("fieldset:has(legend:text-is('Vaihtoehto 1')) label:text-is('Tarvittaessa')");
  await submit(voter, "#ballot button.primary");
  await voter.waitForSelector("text=Vastauksesi on tallennettu");
  assert.ok(await voter.isChecked("fieldset:has(legend:text-is('Vaihtoehto 1')) input[value=if_need_be]"));
  assert.ok(await voter.isChecked("fieldset:has(legend:text-is('Vaihtoehto 2')) input[value=yes]"));
  await phone.close();

  // The same page on a phone with JavaScript: the saved answers, and axe.
  const withScript = await newPage({ width: 390, height: 844 });
  await withScript.goto(liisaLink);
  assert.ok(await withScript.isChecked("fieldset:has(legend:text-is('Vaihtoehto 2')) input[value=yes]"));
  await look(withScript, "poll-vote-phone");
  await withScript.context().close();

  // Pekka on a desktop browser, with JavaScript.
  const desk = await newPage();
  await desk.goto(await voteLink("pekka.nieminen@kaukola.example"));
  await desk.check("fieldset:has(legend:text-is('Vaihtoehto 1')) label:text-is('Ei sovi')");
  await desk.check("fieldset:has(legend:text-is('Vaihtoehto 2')) label:text-is('Tarvittaessa')");
  await look(desk, "poll-vote");
  await submit(desk, "#ballot button.primary");
  await desk.waitForSelector("text=Vastauksesi on tallennettu");

  // A tampered link: the site's 404.
  const tampered = await desk.goto(liisaLink.slice(0, -1) + (liisaLink.endsWith("A") ? "B" : "A"));
  assert.equal(tampered.status(), 404);
  await desk.context().close();

  // The tally names who answered what; the conflicting option is refused, the free one booked.
  await page.goto(pollUrl);
  const yes = await page.locator("#option-2 tr.answer-yes").innerText();
  assert.match(yes, new RegExp(fixture.participant_name));
  assert.match(await page.locator("#option-2 tr.answer-none").innerText(), /Sari Mäkinen/);
  assert.match(await page.locator("#comments-heading ~ ul").innerText(), /Iltapäivä sopii/);
  await look(page, "coordinator-poll");
  await submit(page, "#option-1 button.primary");
  assert.match(await page.locator("#option-1 .conflicts[role=alert]").innerText(), /Ohjaajalla on jo tapaaminen/);
  await submit(page, "#option-2 button.primary");
  assert.match(page.url(), /\/coordinator\/series\//);
  await page.waitForSelector("text=Rytmi on valittu");
  await page.waitForSelector("text=Kirjasto");
  await look(page, "coordinator-poll-booked");
  await page.context().close();

  // Liisa's link now shows the outcome, and the decision reached her.
  const after = await newPage();
  await after.goto(liisaLink);
  await after.waitForSelector("text=Valittu rytmi");
  await look(after, "poll-vote-decided");
  await after.context().close();
  for (;;) {
    const text = await nextMail(fixture.participant_email);
    if (/valittiin vaihtoehto 2/.test(text)) { break; }
  }
});
