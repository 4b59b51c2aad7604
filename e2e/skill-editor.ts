import type { Page } from "@playwright/test";

/** An inputs schema with a `date` and an `enum` input, and an optional free-text one. */
export const SCHEMA = JSON.stringify(
  {
    type: "object",
    required: ["day", "tone"],
    properties: {
      day: { type: "string", format: "date", title: "Day" },
      tone: { type: "string", enum: ["brief", "detailed"], title: "Tone" },
      notes: { type: "string", title: "Notes" },
    },
  },
  null,
  2,
);

/** Replaces the text of a CodeMirror editor, found by its accessible name. */
export async function typeInto(page: Page, name: string, text: string) {
  const editor = page.getByRole("textbox", { name, exact: true });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}
