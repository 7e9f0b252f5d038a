// Helpers for the browser tests: connect to the shared Chromium, open the component harness and
// mount an element with properties, reach into the application's shadow roots, and drive the
// lab page (editor text, buttons, status).

import { inject, beforeAll, afterAll, expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export async function connectBrowser(): Promise<Browser> {
  return chromium.connect(inject('browserEndpoint'));
}

/** A page that fails the test on any uncaught error (collected in `errors`). */
export async function newPage(context: Browser | BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** Opens the component harness on the dev server. */
export async function harness(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const opened = await newPage(browser);
  await opened.page.goto(`${inject('devUrl')}/testing/harness.html`);
  return opened;
}

/**
 * For a describe block of component tests: one shared-browser connection and the harness page,
 * opened before the tests (`harnessed.page`) and checked after them for uncaught page errors.
 */
export function useHarness(): { readonly page: Page } {
  let browser: Browser | undefined;
  let opened: { page: Page; errors: string[] } | undefined;
  beforeAll(async () => {
    browser = await connectBrowser();
    opened = await harness(browser);
  });
  afterAll(async () => {
    expect(opened?.errors ?? []).toEqual([]);
    await browser?.close();
  });
  return {
    get page(): Page {
      if (!opened) throw new Error('the harness page is opened in beforeAll');
      return opened.page;
    },
  };
}

/** Loads a module (a path under web/) into the page. Passed as text: Vitest rewrites import() in test code. */
export async function load(page: Page, module: string): Promise<void> {
  await page.evaluate(`import(${JSON.stringify(module)}).then(() => undefined)`);
}

/**
 * Imports `module` (a path under web/, e.g. "/components/state-diagram/state-diagram.ts"),
 * creates `<tag>` with `props`, adds it to the page and waits for it to render.
 */
export async function mount(page: Page, module: string, tag: string, props: Record<string, unknown>): Promise<void> {
  await load(page, module);
  await page.evaluate(async ({ tag, props }) => {
    document.body.replaceChildren();
    const element = document.createElement(tag) as HTMLElement & { updateComplete?: Promise<unknown> };
    Object.assign(element, props);
    document.body.append(element);
    await element.updateComplete;
  }, { tag, props });
}

/** Sets properties on the mounted element and waits for it to render again. */
export async function update(page: Page, tag: string, props: Record<string, unknown>): Promise<void> {
  await page.evaluate(async ({ tag, props }) => {
    const element = document.querySelector(tag) as HTMLElement & { updateComplete?: Promise<unknown> };
    Object.assign(element, props);
    await element.updateComplete;
  }, { tag, props });
}

/** The lab page's editor text. */
export function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const app = document.querySelector('nic-lab-app')!;
    const lab = app.shadowRoot!.querySelector('lab-page')!;
    return (lab.shadowRoot!.querySelector('code-editor') as unknown as { value: string }).value;
  });
}

/** Replaces the editor's text as a learner would paste it. */
export async function pasteSource(page: Page, source: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: 'Driver source' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(source);
}

/** Opens a lab of the built site and waits until its draft is loaded into the editor. */
export async function openLab(page: Page, baseUrl: string, lab: string, query = ''): Promise<void> {
  await page.goto(`${baseUrl}/${query}#/lab/${lab}`);
  await page.getByRole('textbox', { name: 'Driver source' }).waitFor();
  await page.getByRole('button', { name: 'Run', exact: true }).and(page.locator(':enabled')).waitFor({ timeout: 30_000 });
}
