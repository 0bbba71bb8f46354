// A list update in the browser: the compliance side points a source at the
// (local) publisher, presses "Update now", and the demo partner that the new
// version lists gets an alert on its engagement, which goes back to review.
// CI serves e2e/publisher/ on 127.0.0.1 and passes its address.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, login, shot } from "./helpers.mjs";

const PUB = process.env.MERIDIAN_PUBLISHER_URL;

test("a list update that newly lists a demo partner raises an alert", { skip: PUB ? false : "set MERIDIAN_PUBLISHER_URL to a server of e2e/publisher/" }, async () => {
  const { browser, page } = await launch();
  try {
    await login(page);
    await page.goto(`${BASE}/admin/lists`);
    const row = page.locator("#source-us_ofac_cons");
    await row.locator("summary", { hasText: "Configure" }).click();
    const urls = ["cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"].map((f) => `${PUB}/${f}`).join("\n");
    await row.locator("textarea[name=urls]").fill(urls);
    await Promise.all([page.waitForLoadState("load"), row.locator("form.stack button[type=submit]").click()]);
    await Promise.all([page.waitForLoadState("load"), page.locator("#source-us_ofac_cons button", { hasText: "Update now" }).click()]);
    const report = await page.textContent("#update-report");
    assert.match(report, /us_ofac_cons: installed/, report);
    assert.ok(Number(await page.textContent("#alerts-raised")) >= 1, report);
    await shot(page, "30-list-updated");

    await page.goto(`${BASE}/tasks`);
    // The partner and the funder are the same company: two alerts, one engagement.
    const open = page.locator("#open-alerts a", { hasText: "Satellite antenna co-design" }).first();
    await open.waitFor();
    await Promise.all([page.waitForURL(/\/engagements\//), open.click()]);
    const alerts = await page.textContent("#alerts");
    assert.match(alerts, /GULF ORBITAL SYSTEMS LLC/);
    assert.match(alerts, /us_ofac_cons/);
    assert.equal(await page.textContent("#workflow-status"), "Review required");
    await shot(page, "31-alert-on-engagement");

    await page.locator("#alerts input[name=reason]").first().fill("Checked: the listed entity is the same company; escalated to the committee");
    await Promise.all([page.waitForLoadState("load"), page.locator("#alerts button[type=submit]").first().click()]);
    assert.match(await page.textContent("#alerts"), /Dismissed by admin/);
  } finally {
    await browser.close();
  }
});
