/**
 * What the UX walk (ux-walk.spec.ts) checks on every page it shows: nothing scrolls sideways,
 * no serious accessibility violation, and a full-page screenshot in the report for a reviewer.
 */
import { AxeBuilder } from "@axe-core/playwright";
import type { Locator, Page, TestInfo } from "@playwright/test";
import type { Result } from "axe-core";
import { expect } from "./support";

/**
 * Waits until `ready` shows, nothing is loading (no busy region, no skeleton) and no finite
 * animation (a dialog opening) runs.
 */
export async function settle(page: Page, ready: Locator) {
  await expect(ready).toBeVisible();
  await expect(page.locator('[aria-busy="true"], [data-slot="skeleton"]')).toHaveCount(0);
  await page.waitForFunction(finiteAnimationsDone);
}

/** In the page: no animation or transition that ends (a dialog opening, a colour fading) runs. */
const finiteAnimationsDone = () =>
  document
    .getAnimations()
    .every(
      (animation) =>
        animation.playState !== "running" ||
        animation.effect?.getComputedTiming().endTime === Infinity,
    );

export type OverflowReport = {
  clientWidth: number;
  scrollWidth: number;
  /** Where the overflow starts or grows: elements reaching further right than their parent. */
  culprits: { element: string; right: number; width: number }[];
};

/** How far the page scrolls sideways, and which elements push it. */
export function measureOverflow(page: Page): Promise<OverflowReport> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const viewportRight = root.clientWidth;
    const describe = (element: Element) => {
      const testId = element.getAttribute("data-testid");
      const label = element.getAttribute("aria-label");
      const classes = [...element.classList].slice(0, 4).join(".");
      const text = (element.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
      return [
        element.tagName.toLowerCase(),
        element.id ? `#${element.id}` : "",
        testId ? `[data-testid="${testId}"]` : "",
        label ? `[aria-label="${label}"]` : "",
        classes ? `.${classes}` : "",
        text ? ` "${text}"` : "",
      ].join("");
    };
    // Content inside a box that clips or scrolls sideways cannot widen the page.
    const clipsSideways = (element: Element) =>
      ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(element).overflowX);
    const culprits: OverflowReport["culprits"] = [];
    const visit = (element: Element) => {
      const reach = Math.max(viewportRight, element.getBoundingClientRect().right);
      for (const child of element.children) {
        if (getComputedStyle(child).position === "fixed") continue;
        const box = child.getBoundingClientRect();
        if (box.right > reach + 0.5)
          culprits.push({
            element: describe(child),
            right: Math.round(box.right),
            width: Math.round(box.width),
          });
        if (!clipsSideways(child)) visit(child);
      }
    };
    visit(document.body);
    culprits.sort((a, b) => b.right - a.right);
    return {
      clientWidth: root.clientWidth,
      scrollWidth: root.scrollWidth,
      culprits: culprits.slice(0, 6),
    };
  });
}

export function describeOverflow({ clientWidth, scrollWidth, culprits }: OverflowReport) {
  return [
    `the page scrolls sideways by ${scrollWidth - clientWidth} px (scrollWidth ${scrollWidth} > clientWidth ${clientWidth}); widest offenders:`,
    ...culprits.map(
      ({ element, right, width }) => `  right edge ${right} px, ${width} px wide: ${element}`,
    ),
  ].join("\n");
}

const BLOCKING_IMPACTS = new Set(["serious", "critical"]);

/**
 * Axe's serious and critical violations on the page as it is now, or in `scope` (a selector)
 * when what matters is an overlay whose page was checked on its own.
 */
export async function seriousViolations(page: Page, scope?: string): Promise<Result[]> {
  const builder = new AxeBuilder({ page });
  // Legacy mode runs axe in the page itself; the default opens a blank page per check to merge
  // frame results, which doubles the check's time, and the console has no iframes.
  builder.setLegacyMode(true);
  // Only the violations are read: axe then details one node per passing rule instead of all.
  builder.options({ resultTypes: ["violations"] });
  if (scope) builder.include(scope);
  const { violations } = await builder.analyze();
  return violations.filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ""));
}

export function describeViolations(violations: Result[]) {
  return violations
    .flatMap(({ id, impact, help, helpUrl, nodes }) => [
      `[${impact}] ${id}: ${help} (${helpUrl})`,
      ...nodes
        .slice(0, 8)
        .map(
          (node) => `  - ${node.target.join(" ")}  ${node.html.replace(/\s+/g, " ").slice(0, 100)}`,
        ),
      ...(nodes.length > 8 ? [`  … and ${nodes.length - 8} more`] : []),
    ])
    .join("\n");
}

const COLOR_SCHEMES = ["light", "dark"] as const;

/** Switches `prefers-color-scheme` and waits for the page to repaint and its transitions to end. */
async function showColorScheme(page: Page, colorScheme: (typeof COLOR_SCHEMES)[number]) {
  await page.emulateMedia({ colorScheme });
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
  await page.waitForFunction(finiteAnimationsDone);
}

/**
 * The checks every page of the walk gets, as soft assertions so one run lists every page's
 * problems: no sideways scroll; in light and in dark, no serious or critical accessibility
 * violation (in `axeScope`, a selector, if given) and a full-page screenshot in the report.
 */
export async function checkPage(
  page: Page,
  testInfo: TestInfo,
  name: string,
  { axeScope }: { axeScope?: string } = {},
) {
  const overflow = await measureOverflow(page);
  expect
    .soft(
      overflow.scrollWidth > overflow.clientWidth ? describeOverflow(overflow) : "",
      `${name}: no horizontal overflow`,
    )
    .toBe("");
  for (const colorScheme of COLOR_SCHEMES) {
    await showColorScheme(page, colorScheme);
    const violations = await seriousViolations(page, axeScope);
    expect
      .soft(
        describeViolations(violations),
        `${name} (${colorScheme}): no serious or critical axe violations`,
      )
      .toBe("");
    await testInfo.attach(`${name} (${colorScheme})`, {
      body: await page.screenshot({ fullPage: true }),
      contentType: "image/png",
    });
  }
}
