// The review workflow end to end, as the people who do it: an admin adds the
// accounts; a researcher registers and submits; the department approver
// approves with a condition; the owner completes it and activates; a declined
// case is appealed up to the committee, which needs two approvals; the
// research office pauses and withdraws with a rationale; the auditor reads
// the timeline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, login, shot, signedIn, step, unique } from "./helpers.mjs";

const PW = "e2e-password-123456";

test("review workflow across roles, with conditions, committee quorum and audit", async () => {
  const { browser, page: admin } = await launch();
  try {
    const tag = unique();
    const user = (name) => `${name}${tag}`.toLowerCase();
    await login(admin);
    for (const [name, role, dept] of [["rita", "researcher", "Physics"], ["dana", "department_approver", "Physics"],
      ["olga", "research_office", ""], ["cmone", "committee_member", ""], ["cmtwo", "committee_member", ""], ["audrey", "auditor", ""]]) {
      await admin.goto(`${BASE}/admin/users`);
      await admin.fill("#u-username", user(name));
      await admin.selectOption("#u-role", role);
      await admin.fill("#u-dept", dept);
      await admin.fill("#u-password", PW);
      await Promise.all([admin.waitForLoadState("load"), admin.click("form.grid-form button[type=submit]")]);
      assert.match(await admin.textContent(".notice.ok"), new RegExp(`Created user ${user(name)}`));
    }

    // The researcher registers two engagements and submits both.
    const rita = await signedIn(browser, user("rita"), PW);
    const register = async (title) => {
      await rita.goto(`${BASE}/engagements/new`);
      await rita.fill("#title", title);
      await rita.selectOption("#kind", "research_collaboration");
      await rita.fill("#countries", "FI");
      await rita.fill("#department", "Physics");
      await Promise.all([rita.waitForURL(/\/engagements\/[0-9a-f-]{36}$/), rita.click("button.primary[type=submit]")]);
      const url = rita.url();
      await step(rita, "submit");
      assert.equal(await rita.textContent("#workflow-status"), "Submitted");
      return url;
    };
    const a = await register(`Arctic lidar ${tag}`);
    const b = await register(`Ice radar ${tag}`);

    // The department approver finds both in their tasks.
    const dana = await signedIn(browser, user("dana"), PW);
    await dana.goto(`${BASE}/tasks`);
    assert.match(await dana.textContent("#tasks"), new RegExp(`Arctic lidar ${tag}`));
    await shot(dana, "20-approver-tasks");
    await dana.goto(a);
    await step(dana, "start_review");
    await dana.check("#workflow-form input[name=action][value=approve_with_conditions]");
    await dana.fill("#cond-0-text", "Technology control plan signed");
    await dana.fill("#cond-0-owner", user("rita"));
    await dana.fill("#cond-0-due", "2030-01-31");
    await Promise.all([dana.waitForLoadState("load"), dana.click("#workflow-form button[type=submit]")]);
    assert.equal(await dana.textContent("#workflow-status"), "Approved with conditions");
    await shot(dana, "21-approved-with-condition");

    // The owner completes the condition and activates.
    await rita.goto(`${BASE}/tasks`);
    assert.match(await rita.textContent("#my-conditions"), /Technology control plan signed/);
    await rita.goto(a);
    await Promise.all([rita.waitForLoadState("load"), rita.click("#conditions-table button:has-text('Mark done')")]);
    assert.match(await rita.textContent("#conditions-table"), new RegExp(`done by ${user("rita")}`));
    await step(rita, "activate");
    assert.equal(await rita.textContent("#workflow-status"), "Active");

    // Four eyes: the approver declines B; the owner appeals up the routes.
    await dana.goto(b);
    await step(dana, "start_review");
    await step(dana, "decline");
    assert.match(await dana.textContent("#workflow-error"), /needs a rationale/, "declining without a reason is refused");
    await step(dana, "decline", "Partner's data handling is unclear");
    await rita.goto(b);
    await step(rita, "appeal", "Data-sharing agreement attached");
    const olga = await signedIn(browser, user("olga"), PW);
    await olga.goto(b);
    await step(olga, "decline", "Needs the committee's view on the partner");
    await rita.goto(b);
    await step(rita, "appeal", "Asking the committee");
    assert.match(await rita.textContent("#workflow"), /Risk committee/);

    // The committee needs two approvals.
    const cm1 = await signedIn(browser, user("cmone"), PW);
    await cm1.goto(b);
    await step(cm1, "approve");
    assert.match(await cm1.textContent("#committee-votes"), /1 of 2/);
    assert.equal(await cm1.textContent("#workflow-status"), "In review");
    const cm2 = await signedIn(browser, user("cmtwo"), PW);
    await cm2.goto(b);
    await step(cm2, "approve");
    assert.equal(await cm2.textContent("#workflow-status"), "Approved");
    await shot(cm2, "22-committee-approved");

    // The research office pauses, then withdraws, A — each with a rationale.
    await olga.goto(a);
    await step(olga, "pause", "Partner named in a new restricted-list entry");
    assert.equal(await olga.textContent("#workflow-status"), "Paused");
    await step(olga, "withdraw", "Risk cannot be mitigated");
    assert.equal(await olga.textContent("#workflow-status"), "Withdrawn");

    // The auditor sees the whole timeline, read-only.
    const audrey = await signedIn(browser, user("audrey"), PW);
    await audrey.goto(a);
    assert.equal(await audrey.locator("#workflow-form").count(), 0, "auditors take no steps");
    const decisions = await audrey.textContent("#decisions");
    for (const d of ["Submit for review", "Approve with conditions", "Mark active", "Pause", "Withdraw"]) assert.match(decisions, new RegExp(d));
    await audrey.goto(`${a}/audit`);
    const trail = await audrey.textContent("#audit-records");
    assert.match(trail, /engagement\.withdraw/);
    assert.match(trail, /condition\.done/);
    await shot(audrey, "23-auditor-timeline");
    await audrey.goto(`${BASE}/audit`);
    assert.match(await audrey.textContent("#audit-verify"), /Chain intact/);
  } finally {
    await browser.close();
  }
});
