// axe-core (Deque's accessibility rules engine) run inside a page: every rule it ships except the experimental
// ones, WCAG 2.x A and AA and its best practices, colour contrast included.
import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** One line per violation: rule, impact, what it asks, and the elements that break it. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Through the DevTools protocol, so the page's strict CSP (no eval, scripts from 'self' only) does not stop it.
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const found = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return found.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ')}]` : ''}`) }));
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`);
}
