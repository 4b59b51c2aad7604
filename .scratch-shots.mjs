import { chromium } from "@playwright/test";
const base = "http://localhost:3110";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const pages = process.argv.slice(2);
for (const [w, h] of [[390, 844], [1440, 900]]) {
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: { width: w, height: h }, colorScheme: scheme, storageState: "test-results/.auth/admin.json" });
    const page = await context.newPage();
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") console.log("CONSOLE", m.type(), m.text()); });
    for (const path of pages) {
      await page.goto(base + path);
      await page.waitForTimeout(2500);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const name = `${path.replace(/\//g, "_") || "root"}-${w}-${scheme}.png`;
      await page.screenshot({ path: `/tmp/shell-scratch/shots/${name}`, fullPage: true });
      console.log(name, "overflow", overflow);
    }
    await context.close();
  }
}
await browser.close();
