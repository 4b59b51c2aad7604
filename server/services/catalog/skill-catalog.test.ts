import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { skills, skillVersions } from "@/server/db/schema";
import { openTestDatabase } from "@/test/fixtures";
import { strToU8, zipSync } from "fflate";
import { readSkillArchive } from "./skill-archive-zip";
import { checkSkillDocument } from "./skill-document";
import {
  byCodeUnit,
  loadSkillCatalog,
  loadSkillFolder,
  SkillDefinitionError,
  syncBuiltInSkills,
} from "./skill-catalog";

const { db } = openTestDatabase();

const VALID_FRONTMATTER = `name: Demo skill
description: Does a demo.
inputs:
  type: object
  required: [topic]
  properties:
    topic:
      type: string
      title: Topic
    when:
      type: string
      format: date
      title: When
    notes:
      type: string
      title: Notes
      x-skillrun-widget: textarea`;

/** VALID_FRONTMATTER with an integer input and `x-skillrun-title` naming `name` (raw YAML). */
const withTitle = (name: string) =>
  `${VALID_FRONTMATTER.replace("  required: [topic]", `  required: [topic]\n  x-skillrun-title: ${name}`)}\n    count:\n      type: integer\n      title: Count`;

let catalogDir: string;
beforeEach(async () => {
  catalogDir = await mkdtemp(path.join(os.tmpdir(), "skillrun-catalog-"));
});
afterEach(async () => {
  await rm(catalogDir, { recursive: true, force: true });
});

async function writeSkill(slug: string, skillMd: string, references: Record<string, string> = {}) {
  await mkdir(path.join(catalogDir, slug, "references"), { recursive: true });
  await writeFile(path.join(catalogDir, slug, "SKILL.md"), skillMd);
  for (const [name, content] of Object.entries(references)) {
    await writeFile(path.join(catalogDir, slug, "references", name), content);
  }
}

const skillMd = (frontmatter: string, body = "# Demo\n\nDo it well.") =>
  `---\n${frontmatter}\n---\n${body}\n`;

async function loadError(slug: string): Promise<SkillDefinitionError> {
  const error = await loadSkillFolder(catalogDir, slug).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SkillDefinitionError);
  return error as SkillDefinitionError;
}

describe("the built-in catalog in skills/", () => {
  it("loads every skill and each has inputs with titles and instructions", async () => {
    const catalog = await loadSkillCatalog(path.resolve("skills"));
    expect(catalog.length).toBeGreaterThanOrEqual(5);
    for (const skill of catalog) {
      expect(Object.keys(skill.inputsSchema.properties).length).toBeGreaterThan(0);
      expect(skill.instructions.length).toBeGreaterThan(200);
      expect(skill.versionHash).toMatch(/^[0-9a-f]{12}$/);
    }
  });

  it("names each run by the input an operator would tell it by", async () => {
    const catalog = await loadSkillCatalog(path.resolve("skills"));
    expect(Object.fromEntries(catalog.map((skill) => [skill.slug, skill.titleInput]))).toEqual({
      "contract-clause-checklist": "contractText",
      "customer-email-reply": "customerName",
      "incident-postmortem": "title",
      "meeting-prep": "topic",
      "release-notes": "version",
      "weekly-status-digest": "teamName",
    });
  });

  // Inputs are stored and sent to the model with every run: no built-in input takes unbounded text or lists.
  it("bounds every text and list input: a maxLength, an enum or a date format; lists also a maxItems", async () => {
    type Property = {
      type?: string;
      enum?: unknown[];
      format?: string;
      maxLength?: number;
      maxItems?: number;
      items?: Property;
    };
    const boundedText = (property: Property) =>
      property.type !== "string" ||
      property.enum !== undefined ||
      property.format === "date" ||
      property.format === "date-time" ||
      property.maxLength !== undefined;
    const unbounded: string[] = [];
    for (const skill of await loadSkillCatalog(path.resolve("skills"))) {
      for (const [name, property] of Object.entries(
        skill.inputsSchema.properties as Record<string, Property>,
      )) {
        const bounded =
          property.type === "array"
            ? property.maxItems !== undefined &&
              property.items !== undefined &&
              boundedText(property.items)
            : boundedText(property);
        if (!bounded) unbounded.push(`${skill.slug}.${name}`);
      }
    }
    expect(unbounded).toEqual([]);
  });
});

describe("loading one skill", () => {
  it("parses frontmatter, instructions and reference files", async () => {
    await writeSkill("demo", skillMd(VALID_FRONTMATTER), {
      "guide.md": "Guide text",
      "ignored.txt": "not markdown",
    });
    const skill = await loadSkillFolder(catalogDir, "demo");
    expect(skill).toMatchObject({ slug: "demo", name: "Demo skill", description: "Does a demo." });
    expect(skill.inputsSchema.required).toEqual(["topic"]);
    expect(skill.instructions).toBe("# Demo\n\nDo it well.");
    expect(skill.referenceFiles).toEqual([{ path: "references/guide.md", content: "Guide text" }]);
  });

  it("records the title input and the summary order, required inputs first", async () => {
    await writeSkill("titled", skillMd(withTitle("notes")));
    expect(await loadSkillFolder(catalogDir, "titled")).toMatchObject({
      titleInput: "notes",
      summaryOrder: ["topic", "when", "notes", "count"],
    });
    await writeSkill("untitled", skillMd(VALID_FRONTMATTER));
    // Without the keyword, the first required free-text input.
    expect(await loadSkillFolder(catalogDir, "untitled")).toMatchObject({ titleInput: "topic" });
  });

  it("changes the version hash when a reference file changes, and only then", async () => {
    await writeSkill("demo", skillMd(VALID_FRONTMATTER), { "guide.md": "v1" });
    const first = await loadSkillFolder(catalogDir, "demo");
    expect((await loadSkillFolder(catalogDir, "demo")).versionHash).toBe(first.versionHash);
    await writeSkill("demo", skillMd(VALID_FRONTMATTER), { "guide.md": "v2" });
    expect((await loadSkillFolder(catalogDir, "demo")).versionHash).not.toBe(first.versionHash);
  });

  it("orders reference files by code unit, whatever the locale, so every path gives the loader's hash", async () => {
    const names = ["ab.md", "a_b.md", "a.md", "B.md", "a-b.md"];
    const codeUnitOrder = ["B.md", "a-b.md", "a.md", "a_b.md", "ab.md"].map(
      (name) => `references/${name}`,
    );
    expect(names.map((name) => `references/${name}`).sort(byCodeUnit)).toEqual(codeUnitOrder);
    const referenceFiles = names.map((name) => ({
      path: `references/${name}`,
      content: `About ${name}`,
    }));
    const checked = checkSkillDocument("ordered", {
      name: "Demo skill",
      description: "Does a demo.",
      inputsSchema: { type: "object", properties: {} },
      instructions: "Do it well.",
      referenceFiles,
    });
    if ("errors" in checked) throw new Error(JSON.stringify(checked.errors));
    expect(checked.document.referenceFiles.map((file) => file.path)).toEqual(codeUnitOrder);

    await writeSkill(
      "ordered",
      checked.skillMd,
      Object.fromEntries(names.map((name) => [name, `About ${name}`])),
    );
    const loaded = await loadSkillFolder(catalogDir, "ordered");
    expect(loaded.referenceFiles.map((file) => file.path)).toEqual(codeUnitOrder);
    expect(loaded.versionHash).toBe(checked.versionHash);

    const archive = zipSync(
      Object.fromEntries([
        ["ordered/SKILL.md", strToU8(checked.skillMd)],
        ...referenceFiles.map((file) => [`ordered/${file.path}`, strToU8(file.content)]),
      ]) as Record<string, Uint8Array>,
    );
    expect(readSkillArchive(archive).referenceFiles.map((file) => file.path)).toEqual(
      codeUnitOrder,
    );
  });

  const invalid: { case: string; source: string; field: string | null; message: RegExp }[] = [
    {
      case: "no frontmatter",
      source: "# Just markdown\n",
      field: null,
      message: /must start with a --- YAML frontmatter block/,
    },
    {
      case: "YAML that does not parse",
      source: skillMd("name: [unclosed"),
      field: null,
      message: /not valid YAML/,
    },
    {
      case: "a missing name",
      source: skillMd(VALID_FRONTMATTER.replace("name: Demo skill\n", "")),
      field: "name",
      message: /is required/,
    },
    {
      case: "an unknown top-level field",
      source: skillMd(`${VALID_FRONTMATTER}\nauthor: me`),
      field: null,
      message: /Unrecognized key.*author/,
    },
    {
      case: "inputs that are not an object schema",
      source: skillMd(VALID_FRONTMATTER.replace("  type: object", "  type: array")),
      field: "inputs.type",
      message: /must be "object"/,
    },
    {
      case: "an input without a title",
      source: skillMd(VALID_FRONTMATTER.replace("      title: Topic\n", "")),
      field: "inputs.properties.topic.title",
      message: /is required/,
    },
    {
      case: "an unsupported input type",
      source: skillMd(
        VALID_FRONTMATTER.replace(
          "      type: string\n      title: Topic",
          "      type: object\n      title: Topic",
        ),
      ),
      field: "inputs.properties.topic.type",
      message: /must be one of/,
    },
    {
      case: "a required input that does not exist",
      source: skillMd(VALID_FRONTMATTER.replace("required: [topic]", "required: [topic, budget]")),
      field: "inputs.required",
      message: /"budget"/,
    },
    {
      case: "a misspelled JSON Schema keyword",
      source: skillMd(
        VALID_FRONTMATTER.replace("      title: Topic", "      title: Topic\n      minLenght: 3"),
      ),
      field: "inputs",
      message: /not a valid JSON Schema.*minLenght/,
    },
    {
      case: "an unknown widget hint",
      source: skillMd(
        VALID_FRONTMATTER.replace("x-skillrun-widget: textarea", "x-skillrun-widget: slider"),
      ),
      field: "inputs",
      message: /not a valid JSON Schema/,
    },
    {
      case: "no instructions",
      source: skillMd(VALID_FRONTMATTER, ""),
      field: null,
      message: /has no instructions/,
    },
    {
      case: "a title input that does not exist",
      source: skillMd(withTitle("budget")),
      field: "inputs.x-skillrun-title",
      message: /names "budget", which is not in inputs\.properties/,
    },
    {
      case: "a title input that is not a string",
      source: skillMd(withTitle("count")),
      field: "inputs.x-skillrun-title",
      message: /names "count", an integer input; a title must be a string input/,
    },
    {
      case: "a title that is not an input name",
      source: skillMd(withTitle("true")),
      field: "inputs.x-skillrun-title",
      message: /must name one of inputs\.properties/,
    },
    {
      case: "a title keyword on an input",
      source: skillMd(
        VALID_FRONTMATTER.replace(
          "      title: Topic",
          "      title: Topic\n      x-skillrun-title: true",
        ),
      ),
      field: "inputs.properties.topic.x-skillrun-title",
      message: /belongs on inputs/,
    },
    {
      case: "inputs open to undeclared keys",
      source: skillMd(
        VALID_FRONTMATTER.replace("  type: object", "  type: object\n  additionalProperties: true"),
      ),
      field: "inputs.additionalProperties",
      message: /may only be false/,
    },
    {
      case: "inputs declared by pattern",
      source: skillMd(
        VALID_FRONTMATTER.replace(
          "  type: object",
          '  type: object\n  patternProperties:\n    "^x": { type: string }',
        ),
      ),
      field: "inputs.patternProperties",
      message: /declare each input under properties/,
    },
  ];

  it.each(invalid)(
    "rejects $case, naming the file and field",
    async ({ source, field, message }) => {
      await writeSkill("broken", source);
      const error = await loadError("broken");
      expect(error.file).toBe(path.join(path.basename(catalogDir), "broken", "SKILL.md"));
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
      expect(error.message.startsWith(error.file)).toBe(true);
    },
  );

  it("rejects a folder name that is not a slug", async () => {
    await writeSkill("Bad_Name", skillMd(VALID_FRONTMATTER));
    expect((await loadError("Bad_Name")).message).toMatch(/lowercase slug/);
  });

  it("rejects a folder without SKILL.md", async () => {
    await mkdir(path.join(catalogDir, "empty"));
    expect((await loadError("empty")).message).toMatch(/SKILL\.md: is missing/);
  });
});

describe("syncing the catalog into the database", () => {
  const builtIn = (slug: string) =>
    db.query.skills.findFirst({ where: and(eq(skills.slug, slug), isNull(skills.tenantId)) });

  it("inserts, updates on change, and retires skills whose folder is gone", async () => {
    await writeSkill("alpha", skillMd(VALID_FRONTMATTER));
    await writeSkill("beta", skillMd(VALID_FRONTMATTER));
    expect(await syncBuiltInSkills(db, catalogDir)).toEqual({ loaded: 2, retired: [] });
    const alpha = await builtIn("alpha");
    expect(alpha).toMatchObject({ origin: "builtin", enabled: true, name: "Demo skill" });

    await writeSkill("alpha", skillMd(VALID_FRONTMATTER.replace("Demo skill", "Alpha skill")));
    await rm(path.join(catalogDir, "beta"), { recursive: true });
    expect(await syncBuiltInSkills(db, catalogDir)).toEqual({ loaded: 1, retired: ["beta"] });

    const updated = await builtIn("alpha");
    expect(updated?.id).toBe(alpha?.id);
    expect(updated?.name).toBe("Alpha skill");
    expect(updated?.versionHash).not.toBe(alpha?.versionHash);
    expect((await builtIn("beta"))?.enabled).toBe(false);
    // Each version the catalog had is kept, once, for the runs that pinned it.
    await syncBuiltInSkills(db, catalogDir);
    const versions = await db
      .select({ hash: skillVersions.versionHash })
      .from(skillVersions)
      .where(eq(skillVersions.skillId, alpha?.id ?? ""));
    expect(versions.map((version) => version.hash).sort()).toEqual(
      [alpha?.versionHash, updated?.versionHash].sort(),
    );

    await writeSkill("beta", skillMd(VALID_FRONTMATTER));
    expect(await syncBuiltInSkills(db, catalogDir)).toEqual({ loaded: 2, retired: [] });
    expect((await builtIn("beta"))?.enabled).toBe(true);
  });

  it("keeps the inputs in the order SKILL.md declares them", async () => {
    const declared = ["zulu", "topic", "alpha", "mike"];
    const properties = declared
      .map((name) => `    ${name}:\n      type: string\n      title: ${name}`)
      .join("\n");
    await writeSkill(
      "ordered",
      skillMd(
        `name: Ordered\ndescription: Order matters.\ninputs:\n  type: object\n  properties:\n${properties}`,
      ),
    );
    await syncBuiltInSkills(db, catalogDir);
    expect(Object.keys((await builtIn("ordered"))?.inputsSchema.properties ?? {})).toEqual(
      declared,
    );
  });

  it("fills in the title input and summary order of a skill stored before they existed", async () => {
    await writeSkill("older", skillMd(VALID_FRONTMATTER));
    await syncBuiltInSkills(db, catalogDir);
    await db
      .update(skills)
      .set({ summaryOrder: [], titleInput: null })
      .where(and(eq(skills.slug, "older"), isNull(skills.tenantId)));
    await syncBuiltInSkills(db, catalogDir);
    expect(await builtIn("older")).toMatchObject({
      titleInput: "topic",
      summaryOrder: ["topic", "when", "notes"],
    });
  });

  it("writes nothing when any skill is invalid", async () => {
    await writeSkill("gamma", skillMd(VALID_FRONTMATTER));
    await writeSkill("zeta", "no frontmatter");
    await expect(syncBuiltInSkills(db, catalogDir)).rejects.toBeInstanceOf(SkillDefinitionError);
    expect(await builtIn("gamma")).toBeUndefined();
  });
});
