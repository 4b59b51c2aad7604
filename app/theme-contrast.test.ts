import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * WCAG contrast of the theme tokens in globals.css, light and dark: body text at least 4.5:1
 * against every surface it sits on, focus rings at least 3:1.
 */

type Rgb = [red: number, green: number, blue: number];
type Oklch = { lightness: number; chroma: number; hue: number; alpha: number };

const css = readFileSync(path.join(import.meta.dirname, "globals.css"), "utf8");

function declarationsIn(selector: RegExp): Map<string, Oklch> {
  const block = selector.exec(css)?.[1];
  if (block === undefined) throw new Error(`globals.css has no ${selector.source} block`);
  const tokens = new Map<string, Oklch>();
  for (const [, name = "", value = ""] of block.matchAll(/--([\w-]+):\s*oklch\(([^)]*)\)/g)) {
    const [lightness = 0, chroma = 0, hue = 0, alpha = 1] = value
      .replace("/", " ")
      .trim()
      .split(/\s+/)
      .map(Number);
    tokens.set(name.replace(/^color-/, ""), { lightness, chroma, hue, alpha });
  }
  return tokens;
}

const lightTokens = new Map([
  ...declarationsIn(/@theme\s*\{([^}]*)\}/),
  ...declarationsIn(/^:root\s*\{([^}]*)\}/m),
]);
const THEMES = {
  light: lightTokens,
  dark: new Map([...lightTokens, ...declarationsIn(/^\.dark\s*\{([^}]*)\}/m)]),
};

/** OKLCH → linear-light sRGB (Björn Ottosson's matrices), clipped to the sRGB gamut. */
function linearRgbOf({ lightness, chroma, hue }: Oklch): Rgb {
  const a = chroma * Math.cos((hue * Math.PI) / 180);
  const b = chroma * Math.sin((hue * Math.PI) / 180);
  const l = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (lightness - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const clip = (channel: number) => Math.min(1, Math.max(0, channel));
  return [
    clip(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
    clip(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
    clip(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s),
  ];
}

const encode = (channel: number) =>
  channel <= 0.0031308 ? 12.92 * channel : 1.055 * channel ** (1 / 2.4) - 0.055;
const decode = (channel: number) =>
  channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;

/** A colour at `opacity` over an opaque one, composited the way browsers do (in encoded sRGB). */
function over(top: Rgb, opacity: number, bottom: Rgb): Rgb {
  return top.map((channel, index) =>
    decode(opacity * encode(channel) + (1 - opacity) * encode(bottom[index] ?? 0)),
  ) as Rgb;
}

function contrast(first: Rgb, second: Rgb): number {
  const luminance = ([red, green, blue]: Rgb) => 0.2126 * red + 0.7152 * green + 0.0722 * blue;
  const [lighter, darker] = [luminance(first), luminance(second)].sort((x, y) => y - x);
  return ((lighter ?? 0) + 0.05) / ((darker ?? 0) + 0.05);
}

/** `name` or `name/opacity-percent`, on the surface below it (`name` or `name/percent over name`). */
function resolve(tokens: Map<string, Oklch>, spec: string): Rgb {
  const [top = "", bottom] = spec.split(" over ");
  const [name = "", percent] = top.split("/");
  const token = tokens.get(name);
  if (!token) throw new Error(`no --color-${name} / --${name} token`);
  const rgb = linearRgbOf(token);
  const opacity = (percent === undefined ? 1 : Number(percent) / 100) * token.alpha;
  if (opacity === 1) return rgb;
  if (bottom === undefined) throw new Error(`${spec} is translucent: say what it lies over`);
  return over(rgb, opacity, resolve(tokens, bottom));
}

const TEXT_SURFACES = ["background", "card", "popover", "muted"];
/** [text, surface]: at least 4.5:1. */
const TEXT_PAIRS: [string, string][] = [
  ...TEXT_SURFACES.flatMap((surface): [string, string][] => [
    ["foreground", surface],
    ["muted-foreground", surface],
  ]),
  ["primary", "background"],
  ["primary", "card"],
  ["primary-foreground", "primary"],
  ["destructive", "background"],
  ["destructive", "card"],
  ["destructive", "destructive-muted"],
  ["destructive-foreground", "destructive"],
  ["success", "card"],
  ["success", "success-muted"],
  ["warning", "card"],
  ["warning", "warning-muted"],
  // The default badge, the destructive alert, the sidebar and a table's header row.
  ["primary", "primary/10 over card"],
  ["destructive", "destructive/5 over background"],
  ["muted-foreground", "muted/40 over background"],
  ["foreground", "muted/40 over background"],
  ["muted-foreground", "muted/50 over card"],
  // Highlighted code on a code block.
  ...["keyword", "string", "number", "comment", "title"].map((kind): [string, string] => [
    `code-${kind}`,
    "muted",
  ]),
];
/** [user-interface colour, surface]: at least 3:1. */
const UI_PAIRS: [string, string][] = [
  ["ring", "background"],
  ["ring", "card"],
];

describe.each(Object.entries(THEMES))("the %s theme", (_, tokens) => {
  it.each(TEXT_PAIRS)("%s text on %s reads at 4.5:1 or more", (text, surface) => {
    expect(contrast(resolve(tokens, text), resolve(tokens, surface))).toBeGreaterThanOrEqual(4.5);
  });

  it.each(UI_PAIRS)("%s stands out from %s at 3:1 or more", (part, surface) => {
    expect(contrast(resolve(tokens, part), resolve(tokens, surface))).toBeGreaterThanOrEqual(3);
  });
});

describe("the contrast check", () => {
  it("measures known pairs as WCAG does", () => {
    const white = linearRgbOf({ lightness: 1, chroma: 0, hue: 0, alpha: 1 });
    const black = linearRgbOf({ lightness: 0, chroma: 0, hue: 0, alpha: 1 });
    expect(contrast(white, black)).toBeCloseTo(21, 1);
    // #767676, the lightest grey that passes 4.5:1 on white.
    const grey = [0x76, 0x76, 0x76].map((channel) => decode(channel / 255)) as Rgb;
    expect(contrast(grey, white)).toBeCloseTo(4.54, 2);
    // Tailwind's blue-600 (#155dfc) is oklch(0.546 0.245 262.881).
    const blue = linearRgbOf({ lightness: 0.546, chroma: 0.245, hue: 262.881, alpha: 1 });
    expect(blue.map((channel) => Math.round(encode(channel) * 255))).toEqual([0x15, 0x5d, 0xfc]);
  });

  it("reads both themes from globals.css and finds them different", () => {
    expect(THEMES.dark.get("background")).not.toEqual(THEMES.light.get("background"));
    expect(THEMES.light.size).toBeGreaterThan(15);
  });
});
