import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { EditorView } from "@codemirror/view";
import { tags } from "@lezer/highlight";

/**
 * The editor in the console's own colours, one theme for light and dark: the surface is `muted`
 * and the highlighting uses the `--code-*` tokens, the pairs `app/theme-contrast.test.ts` checks
 * (CodeMirror's stock light and dark palettes failed axe's contrast check in the dark theme).
 */
const surface = EditorView.theme({
  "&": { backgroundColor: "var(--color-muted)", color: "var(--color-foreground)" },
  ".cm-content": { caretColor: "var(--color-foreground)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--color-foreground)" },
  ".cm-gutters": {
    backgroundColor: "var(--color-muted)",
    color: "var(--color-muted-foreground)",
    borderRight: "1px solid var(--color-border)",
  },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection": {
    backgroundColor: "color-mix(in oklch, var(--color-primary) 25%, transparent)",
  },
  ".cm-activeLineGutter": { backgroundColor: "transparent" },
  ".cm-matchingBracket": { outline: "1px solid var(--color-ring)", backgroundColor: "transparent" },
});

const highlighting = HighlightStyle.define([
  { tag: [tags.propertyName, tags.keyword, tags.heading], color: "var(--code-keyword)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--code-string)" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: "var(--code-number)" },
  { tag: [tags.comment, tags.meta, tags.processingInstruction], color: "var(--code-comment)" },
  { tag: [tags.link, tags.url], color: "var(--code-title)", textDecoration: "underline" },
  { tag: tags.heading, fontWeight: "bold" },
  { tag: tags.strong, fontWeight: "bold" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.monospace, color: "var(--code-title)" },
]);

export const consoleEditorTheme = [surface, syntaxHighlighting(highlighting)];
