import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** WCAG 2.x contrast checks on the design tokens, both themes. */
const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "tokens.css"), "utf8");

function block(selector: string): Record<string, string> {
  const i = css.indexOf(selector);
  const body = css.slice(css.indexOf("{", i) + 1, css.indexOf("}", i));
  const vars: Record<string, string> = {};
  for (const m of body.matchAll(/(--[\w-]+):\s*([^;]+);/g)) vars[m[1]] = m[2].trim();
  return vars;
}
const base = block(":root {");
const themes = { dark: { ...base, ...block('[data-theme="dark"] {') }, light: { ...base, ...block('[data-theme="light"] {') } };

function resolve(vars: Record<string, string>, name: string): string {
  let v = vars[name];
  for (let i = 0; v && v.startsWith("var(") && i < 5; i++) v = vars[v.slice(4, -1).trim()];
  if (!v || !/^#[0-9a-f]{6}$/i.test(v)) throw new Error(`${name} is not a hex colour: ${v}`);
  return v;
}
function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

const TEXT_PAIRS: [string, string][] = [
  ["--color-text", "--color-bg"], ["--color-text", "--color-surface"], ["--color-text", "--color-surface-2"], ["--color-text", "--color-surface-3"],
  ["--color-text-muted", "--color-bg"], ["--color-text-muted", "--color-surface"], ["--color-text-muted", "--color-surface-2"],
  ["--color-accent", "--color-bg"], ["--color-accent", "--color-surface"], ["--color-accent", "--color-surface-2"],
  ["--color-accent-strong", "--color-surface-3"], ["--color-on-primary", "--color-primary"], ["--color-on-primary", "--color-primary-hover"],
  ["--color-on-cta", "--color-cta"], ["--color-on-cta", "--color-cta-hover"], ["--color-on-cta", "--color-cta-active"],
  ["--color-on-onair", "--color-onair"], ["--color-danger", "--color-danger-bg"], ["--color-danger", "--color-surface"],
  ["--color-success", "--color-surface"], ["--color-warning", "--color-surface-2"], ["--color-on-accent", "--color-accent"],
  // Placeholders sit on the field's own background (surface-2).
  ["--color-placeholder", "--color-surface-2"], ["--color-placeholder", "--color-surface"],
];

/** Non-text contrast (WCAG 1.4.11): a field's border against everything around and inside it. */
const UI_PAIRS: [string, string][] = [
  ["--color-field-border", "--color-bg"], ["--color-field-border", "--color-surface"], ["--color-field-border", "--color-surface-2"],
];

describe("design tokens meet WCAG AA", () => {
  for (const [theme, vars] of Object.entries(themes)) {
    for (const [fg, bg] of TEXT_PAIRS) {
      it(`${theme}: ${fg} on ${bg} ≥ 4.5:1`, () => {
        expect(contrast(resolve(vars, fg), resolve(vars, bg))).toBeGreaterThanOrEqual(4.5);
      });
    }
    for (const [fg, bg] of UI_PAIRS) {
      it(`${theme}: ${fg} against ${bg} ≥ 3:1`, () => {
        expect(contrast(resolve(vars, fg), resolve(vars, bg))).toBeGreaterThanOrEqual(3);
      });
    }
    it(`${theme}: focus ring stands out from the page (≥ 3:1)`, () => {
      expect(contrast(resolve(vars, "--color-focus"), resolve(vars, "--color-bg"))).toBeGreaterThanOrEqual(3);
      expect(contrast(resolve(vars, "--color-focus"), resolve(vars, "--color-surface"))).toBeGreaterThanOrEqual(3);
    });
  }
  it("computes contrast like WCAG", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });
});
