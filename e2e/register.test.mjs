// A researcher's path through the register: sign in, register an engagement
// (first with a bad country code, which is refused with the message beside
// the field), find it with the list filter, edit it, and read its history.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, login, shot, unique } from "./helpers.mjs";

test("register, find, edit and see the history of an engagement", async () => {
  const { browser, page } = await launch();
  try {
    await login(page);
    await shot(page, "02-engagements");
    assert.match(await page.textContent("footer"), /Meridian \d+\.\d+\.\d+/);

    const title = `Glacier sensors ${unique()}`;
    await page.click("text=Register an engagement");
    await page.fill("#title", title);
    await page.selectOption("#kind", "research_collaboration");
    await page.fill("#countries", "NO");
    await page.fill("#partners-0-name", "Fjordland Polar Institute");
    await page.fill("#partners-0-country", "ZZ");
    await page.selectOption("#partners-0-sector", "university");
    await page.fill("#research_areas", "glaciology");
    await Promise.all([page.waitForLoadState("load"), page.click("button.primary[type=submit]")]);
    const errorText = await page.textContent("#form-errors");
    assert.match(errorText, /partners\[0\]\.country/);
    assert.match(await page.locator("#partners-0-country").locator("xpath=..").textContent(), /'ZZ' is not an ISO 3166-1 country code/);
    assert.equal(await page.inputValue("#title"), title, "what was typed is kept");
    await shot(page, "03-form-error");

    await page.fill("#partners-0-country", "NO");
    await Promise.all([page.waitForURL(/\/engagements\/[0-9a-f-]{36}$/), page.click("button.primary[type=submit]")]);
    assert.equal(await page.textContent("h1"), title);
    await shot(page, "04-engagement");

    await page.goto(`${BASE}/engagements`);
    await page.fill("#f-q", title.split(" ").pop());
    await page.selectOption("#f-country", "NO");
    await Promise.all([page.waitForLoadState("load"), page.click("form.filters button[type=submit]")]);
    assert.equal(await page.locator("#engagement-list tbody tr").count(), 1);
    await shot(page, "05-filtered-list");
    await Promise.all([page.waitForURL(/\/engagements\/[0-9a-f-]{36}$/), page.click(`text=${title}`)]);

    await page.click("text=Edit");
    await page.fill("#title", `${title} (phase 2)`);
    await page.check("input[name='data.personal_data']");
    await Promise.all([page.waitForURL(/\/engagements\/[0-9a-f-]{36}$/), page.click("button.primary[type=submit]")]);
    const history = await page.textContent("#history-list");
    assert.match(history, /created by admin/);
    assert.match(history, /edited by admin/);
    assert.match(history, /phase 2/);
    await shot(page, "06-history");
  } finally {
    await browser.close();
  }
});
