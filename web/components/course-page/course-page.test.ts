// The course page in Chromium, on the built site: every lab in labs/ is listed in course order
// as a link named by its title, not started in a fresh profile, and the verifier's whole rule
// catalog is shown.

import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { RULES } from '../../../core/verifier/rules.ts';
import { connectBrowser, newPage } from '../../testing/browser.ts';

const labsDir = new URL('../../../labs/', import.meta.url);
const labs = readdirSync(labsDir)
  .filter((name) => existsSync(new URL(`${name}/lab.json`, labsDir)))
  .map((name) => JSON.parse(readFileSync(new URL(`${name}/lab.json`, labsDir), 'utf8')) as { id: string; title: string; order: number })
  .sort((a, b) => a.order - b.order);

describe('the course page', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await connectBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('lists every lab in order as a link named by its title, with its progress, and the rule catalog', async () => {
    const context = await browser.newContext();
    const { page, errors } = await newPage(context);
    await page.goto(inject('siteUrl'));
    const list = page.getByRole('list', { name: 'Labs' });
    await list.waitFor();
    expect(labs.length).toBeGreaterThan(0);
    const links = list.getByRole('link');
    expect(await links.allTextContents()).toEqual(labs.map((l) => l.title));
    for (const lab of labs) {
      const link = page.getByRole('link', { name: lab.title, exact: true });
      expect(await link.getAttribute('href')).toBe(`#/lab/${lab.id}`);
      expect(await page.locator(`li[data-lab="${lab.id}"] .status`).textContent()).toBe('not started');
    }
    const ruleIds = await page.locator('rule-catalog tr[data-rule]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule')));
    expect(ruleIds).toEqual(RULES.map((r) => r.id));
    await page.getByRole('link', { name: labs[0]!.title, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: labs[0]!.title }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
