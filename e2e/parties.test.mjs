// The party registry in the browser: create a party, link it from two
// engagements through the name suggestions, merge a duplicate record into
// it, and see both engagements on the surviving record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, login, shot, unique } from "./helpers.mjs";

test("create a party, link it twice, merge a duplicate, see both engagements", async () => {
  const { browser, page } = await launch();
  try {
    await login(page);
    const tag = unique();
    const name = `Meridian Test Polytechnic ${tag}`;

    // The party, created in the Parties section.
    await page.goto(`${BASE}/parties/new`);
    await page.fill("#legal_name", name);
    await page.fill("#country", "CL");
    await page.selectOption("#sector", "university");
    await Promise.all([page.waitForURL(/\/parties\/[0-9a-f-]{36}$/), page.click("button.primary[type=submit]")]);
    const survivorUrl = page.url();
    await shot(page, "10-party");

    // First engagement links it through the suggestion list.
    for (const title of [`Andes seismic array ${tag}`]) {
      await page.goto(`${BASE}/engagements/new`);
      await page.fill("#title", title);
      await page.selectOption("#kind", "research_collaboration");
      await page.locator("#partners-0-name").pressSequentially(`test polytechnic ${tag}`, { delay: 10 });
      const option = page.locator(".suggestions button", { hasText: name });
      await option.waitFor();
      await shot(page, "11-suggestions");
      await option.click();
      assert.equal(await page.inputValue("#partners-0-country"), "CL", "picking a suggestion fills the country");
      await Promise.all([page.waitForURL(/\/engagements\/[0-9a-f-]{36}$/), page.click("button.primary[type=submit]")]);
    }

    // A duplicate record, as an import might leave it (a typo in the name).
    await page.goto(`${BASE}/parties/new`);
    await page.fill("#legal_name", `Meridian Test Politechnic ${tag}`);
    await page.fill("#country", "CL");
    await Promise.all([page.waitForURL(/\/parties\/[0-9a-f-]{36}$/), page.click("button.primary[type=submit]")]);
    const duplicateUrl = page.url();

    // Second engagement names the duplicate by picking it from suggestions.
    await page.goto(`${BASE}/engagements/new`);
    await page.fill("#title", `Volcano gas sampling ${tag}`);
    await page.selectOption("#kind", "travel");
    await page.locator("#partners-0-name").pressSequentially(`Politechnic ${tag}`, { delay: 10 });
    const dupOption = page.locator(".suggestions button", { hasText: "Politechnic" });
    await dupOption.waitFor();
    await dupOption.click();
    await Promise.all([page.waitForURL(/\/engagements\/[0-9a-f-]{36}$/), page.click("button.primary[type=submit]")]);

    // The duplicate list pairs them; merge the duplicate into the survivor.
    await page.goto(survivorUrl);
    const merge = page.locator("ul.dups li", { hasText: "Politechnic" }).locator("button");
    await merge.waitFor();
    await shot(page, "12-possible-duplicate");
    await Promise.all([page.waitForLoadState("load"), merge.click()]);

    const engagements = await page.textContent("#party-engagements");
    assert.match(engagements, new RegExp(`Andes seismic array ${tag}`));
    assert.match(engagements, new RegExp(`Volcano gas sampling ${tag}`));
    assert.match(await page.textContent("#party-history"), /merged a duplicate into this record/);
    await shot(page, "13-merged-survivor");

    await page.goto(duplicateUrl);
    assert.match(await page.textContent("#merged-notice"), /merged into/);
  } finally {
    await browser.close();
  }
});
