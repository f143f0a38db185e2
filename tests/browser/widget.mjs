// The embeddable vote in a real browser: a host page on another origin embeds the snippet;
// a voter goes from the email to the receipt with the keyboard only, is refused a second
// vote, and sees the published result; the ceremony screen follows the turnout. axe-core
// checks every state; screenshots go to $ARTIFACTS (default tests/browser/artifacts).
//
// Environment: API (the server's base URL), SERVER_LOG (its log, where the development
// mailer writes the codes), CHROMIUM (default /usr/bin/chromium).
import { createServer } from "node:http";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const API = process.env.API.replace(/\/$/, "");
const LOG = process.env.SERVER_LOG;
const ARTIFACTS = process.env.ARTIFACTS || new URL("./artifacts", import.meta.url).pathname;
const LABEL = process.env.LABEL || "sqlite";
mkdirSync(ARTIFACTS, { recursive: true });

function fail(message) {
  throw new Error(message);
}

async function api(method, path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${API}/api/v1${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await response.text();
  if (!response.ok) fail(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The last code the development mailer logged for this address. */
async function codeFor(email, after) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const log = readFileSync(LOG, "utf8").slice(after);
    const mentions = [...log.matchAll(/Prix du public : (\d{6})/g)];
    if (log.includes(email) && mentions.length) return mentions[mentions.length - 1][1];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail(`no code logged for ${email}`);
}

/** A host page on another origin, with the snippet the README gives. */
function hostPage(prize, lang, accent = "#8a1538") {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>CESER</title></head>
<body><h1>Le site du CESER</h1><p>Votez pour votre action préférée :</p>
<script src="${API}/widget/v1/embed.js" data-prize="${prize}" data-lang="${lang}" data-accent="${accent}" async></script>
</body></html>`;
}

async function startHost(prize) {
  const server = createServer((request, response) => {
    const query = new URL(request.url, "http://host").searchParams;
    const lang = query.get("lang") === "en" ? "en" : "fr";
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(hostPage(prize, lang, query.get("accent") || undefined));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

async function checkAccessibility(frame, state) {
  await frame.evaluate(axeSource);
  const result = await frame.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  if (result.violations.length) {
    const details = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`);
    fail(`axe found violations in the ${state} state:\n${details.join("\n")}`);
  }
  console.log(`  axe: no violation (${state})`);
}

async function widgetFrame(page) {
  const handle = await page.waitForSelector("iframe");
  const frame = await handle.contentFrame();
  await frame.waitForSelector("main[aria-busy=false]");
  return frame;
}

async function shoot(page, state) {
  await page.waitForTimeout(150); // the height message
  await page.screenshot({ path: `${ARTIFACTS}/${LABEL}-${state}.png`, fullPage: true });
}

async function expectText(frame, text, state) {
  await frame.waitForFunction((wanted) => document.body.innerText.includes(wanted), text, { timeout: 10000 })
    .catch(() => fail(`the ${state} state does not show "${text}"`));
}

/** Keyboard only: from the "Voter" button to the receipt, or to the refusal. */
async function voteWithKeyboard(page, frame, email, logOffset, checkSteps = false) {
  const check = (step) => (checkSteps ? checkAccessibility(frame, step) : Promise.resolve());
  await frame.focus("button:has-text('Voter')");
  await page.keyboard.press("Enter");
  await frame.waitForSelector("#email");
  const focused = () => frame.evaluate(() => document.activeElement && document.activeElement.outerHTML.slice(0, 60));
  if (!(await focused()).startsWith("<h2")) fail(`focus did not move to the step's heading: ${await focused()}`);
  await check("email step");
  await page.keyboard.press("Tab");
  if (!(await focused()).includes('id="email"')) fail(`Tab from the heading did not reach the email field: ${await focused()}`);
  await page.keyboard.type(email);
  await page.keyboard.press("Enter");
  await frame.waitForSelector("#code");
  const code = await codeFor(email, logOffset);
  await check("code step");
  await page.keyboard.press("Tab");
  await page.keyboard.type(code);
  await page.keyboard.press("Enter");
  await frame.waitForSelector("input[name=choice]");
  await check("choice step");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await frame.waitForSelector("button:has-text('Confirmer mon vote')");
  await check("confirmation step");
  await page.keyboard.press("Tab");
  if (!(await focused()).includes("Confirmer mon vote")) fail(`Tab did not reach the confirmation: ${await focused()}`);
  await page.keyboard.press("Enter");
}

const staff = (await api("POST", "/auth/token", { email: "secretariat@ceser-ara.example", password: "demo-secretariat-2026" })).access_token;
const sixth = await api("GET", `/editions/${(await api("GET", "/editions?status=audition")).items[0].id}`);
const prize = sixth.prizes.find((p) => p.kind === "public").id;
const organization = sixth.organization_id;
const host = await startHost(prize);

// The organization lists the host page's site: the widget may be framed there, nowhere else.
const current = await api("GET", `/organizations/${organization}`);
await api("PUT", `/organizations/${organization}`, {
  short_name: current.short_name, name: current.name, region: current.region,
  default_departements: current.default_departements, contact_email: current.contact_email,
  postal_addresses: current.postal_addresses, embed_origins: [host.url],
}, staff);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
  const page = await context.newPage();
  page.on("console", (message) => { if (message.type() === "error") console.log(`  browser console: ${message.text()}`); });

  console.log("scheduled");
  await page.goto(host.url);
  let frame = await widgetFrame(page);
  await expectText(frame, "pas encore ouvert", "scheduled");
  const height = await page.$eval("iframe", (iframe) => iframe.getBoundingClientRect().height);
  if (height < 300) fail(`the iframe was not resized to its content (${height}px)`);
  await checkAccessibility(frame, "scheduled");
  await shoot(page, "scheduled");

  console.log("ceremony screen");
  const screen = await context.newPage();
  await screen.goto(`${API}/widget/v1/prizes/${prize}/live?lang=fr`);
  await screen.waitForSelector(".turnout");

  console.log("open");
  await api("POST", `/prizes/${prize}/ballot/open`, {}, staff);
  await page.reload();
  frame = await widgetFrame(page);
  await expectText(frame, "Le vote est ouvert", "open");
  await checkAccessibility(frame, "open");
  await shoot(page, "open");
  await screen.waitForFunction(() => document.body.innerText.includes("Vote en cours"), null, { timeout: 10000 });
  const before = await screen.$eval(".turnout", (node) => node.textContent);

  console.log("vote, keyboard only");
  const email = `electrice.${Date.now()}@example.org`;
  let offset = readFileSync(LOG, "utf8").length;
  await voteWithKeyboard(page, frame, email, offset, true);
  await frame.waitForSelector("#receipt-code", { timeout: 10000 }).catch(() => fail("no receipt shown"));
  const receipt = (await frame.textContent("#receipt-code")).trim();
  if (!/^[A-Za-z0-9_-]{20,}$/.test(receipt)) fail(`unexpected receipt ${receipt}`);
  await checkAccessibility(frame, "receipt");
  await shoot(page, "receipt");
  await frame.click("button:has-text('Vérifier')");
  await expectText(frame, "Ce reçu est bien compté", "receipt check");
  await screen.waitForFunction((old) => document.querySelector(".turnout").textContent !== old, before, { timeout: 10000 })
    .catch(() => fail("the ceremony screen's turnout did not change"));
  await checkAccessibility(screen.mainFrame(), "ceremony screen, open");
  await screen.screenshot({ path: `${ARTIFACTS}/${LABEL}-ceremony-open.png` });
  console.log(`  ceremony screen: turnout ${before} -> ${await screen.$eval(".turnout", (node) => node.textContent)}`);

  console.log("a second vote is refused");
  await page.reload();
  frame = await widgetFrame(page);
  offset = readFileSync(LOG, "utf8").length;
  await voteWithKeyboard(page, frame, email, offset);
  await expectText(frame, "déjà voté", "second vote");
  const alert = await frame.textContent("[role=alert]");
  if (alert.includes("{") || alert.includes("already_voted")) fail(`raw API answer shown: ${alert}`);
  await checkAccessibility(frame, "refused");
  await shoot(page, "refused");

  console.log("a wrong code is explained");
  await page.reload();
  frame = await widgetFrame(page);
  await frame.click("button:has-text('Voter')");
  await frame.fill("#email", `autre.${Date.now()}@example.org`);
  await frame.press("#email", "Enter");
  await frame.waitForSelector("#code");
  await frame.fill("#code", "000000");
  await frame.press("#code", "Enter");
  await expectText(frame, "Ce code est faux", "wrong code");

  console.log("closed, then published");
  await api("POST", `/prizes/${prize}/ballot/close`, {}, staff);
  await page.reload();
  frame = await widgetFrame(page);
  await expectText(frame, "Le vote est clos", "closed");
  await checkAccessibility(frame, "closed");
  await shoot(page, "closed");
  await api("POST", `/prizes/${prize}/results/publish`, {}, staff);
  await page.reload();
  frame = await widgetFrame(page);
  await expectText(frame, "Lauréat", "published");
  await expectText(frame, "1 votant", "published");
  await checkAccessibility(frame, "published");
  await shoot(page, "published");
  await screen.waitForSelector(".laureate", { timeout: 10000 }).catch(() => fail("the ceremony screen did not show the result"));
  await checkAccessibility(screen.mainFrame(), "ceremony screen, result");
  await screen.screenshot({ path: `${ARTIFACTS}/${LABEL}-ceremony-result.png` });

  console.log("English, with a light accent colour");
  await page.goto(`${host.url}/?lang=en&accent=%23ffeb3b`);
  frame = await widgetFrame(page);
  await expectText(frame, "Laureate", "published, in English");
  await expectText(frame, "1 voter", "published, in English");
  await checkAccessibility(frame, "published, in English");
  await shoot(page, "published-en");

  console.log("another site may not frame it");
  const other = createServer((request, response) => {
    response.writeHead(200, { "Content-Type": "text/html" });
    response.end(hostPage(prize, "fr"));
  });
  await new Promise((resolve) => other.listen(0, "localhost", resolve));
  await page.goto(`http://localhost:${other.address().port}`);
  const handle = await page.waitForSelector("iframe");
  const blocked = await handle.contentFrame();
  await page.waitForTimeout(1000);
  const shown = blocked ? await blocked.evaluate(() => document.body && document.body.innerText).catch(() => "") : "";
  if (shown.includes("Résultats")) fail("a site the organization did not list framed the widget");
  other.close();
  console.log(`browser test passed (${LABEL}); screenshots in ${ARTIFACTS}`);
} finally {
  await browser.close();
  host.server.close();
}
