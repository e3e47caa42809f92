import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures';

const REAL_CSV = path.join(repoRoot, '../shared/data/mobile-price/train.csv');
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.join(repoRoot, 'test-artifacts/report.png');
const hasCsv = existsSync(REAL_CSV);
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasCsv)(
  hasCsv ? 'training report of the tuned recipe on the real CSV' : `training report: skipped, ${REAL_CSV} is absent`,
  () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'edgeml-report-')), 'phone-price');
    let testAccuracy: number;
    let html: string;

    beforeAll(() => {
      const trained = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'scripts/train.ts', '--data', REAL_CSV, '--recipe', 'tuned', '--out', out, '--json'],
        { cwd: repoRoot, encoding: 'utf8', timeout: 110_000 },
      );
      expect(trained.status, trained.stderr).toBe(0);
      expect(trained.stderr).toContain(`report: ${path.join(out, 'report.html')}`);
      testAccuracy = JSON.parse(trained.stdout).test_accuracy;
      html = readFileSync(path.join(out, 'report.html'), 'utf8');
    }, 120_000);
    afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));

    it('is written beside the bundle and the curves', () => {
      expect(existsSync(path.join(out, 'model.json'))).toBe(true);
      expect(readFileSync(path.join(out, 'training.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*polyline/);
      expect(html).toContain('<section id="sparsity">');
    });

    it.skipIf(!hasChromium)(
      hasChromium ? 'renders in Chromium, and is saved as test-artifacts/report.png' : `renders in Chromium: skipped, ${CHROMIUM} is not installed`,
      async () => {
        const browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
        });
        try {
          const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
          const problems: string[] = [];
          page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
          page.on('pageerror', (error) => problems.push(error.message));
          page.on('request', (request) => problems.push(`request for ${request.url()}`));
          await page.setContent(html, { waitUntil: 'load' });

          const boxes = await page.locator('svg').evaluateAll((svgs) =>
            svgs.map((svg) => {
              const { width, height } = svg.getBoundingClientRect();
              return { width, height };
            }),
          );
          expect(boxes).toHaveLength(3);
          for (const box of boxes) expect(box.width * box.height).toBeGreaterThan(10_000);
          await expect(page.locator('#headline').innerText()).resolves.toContain(`${(testAccuracy * 100).toFixed(1)}%`);
          await expect(page.locator('#sparsity').innerText()).resolves.toContain('battery_power');

          mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
          await page.screenshot({ path: SCREENSHOT, fullPage: true });
          expect(problems).toEqual([]);
        } finally {
          await browser.close();
        }
      },
    );
  },
);
