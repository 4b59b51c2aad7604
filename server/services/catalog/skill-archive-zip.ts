import "server-only";
import { strToU8, Unzip, UnzipInflate, UnzipPassThrough, zipSync, type UnzipFile } from "fflate";
import {
  MAX_SKILL_ARCHIVE_BYTES,
  MAX_SKILL_ARCHIVE_ENTRIES,
  MAX_SKILL_ARCHIVE_UNPACKED_BYTES,
} from "@/lib/schemas/skill-archives";
import type { SkillReferenceFile } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import { byCodeUnit } from "./skill-catalog";

/** What is wrong with the zip as a whole: each problem in plain words, under `archive`. */
export class SkillArchiveInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "skill_archive_invalid";
  readonly fieldErrors: Record<string, string[]>;
  constructor(readonly problems: string[]) {
    super(`The zip cannot be imported: ${problems.join("; ")}.`);
    this.fieldErrors = { archive: problems };
  }
}

/** A skill folder read from a zip: its name (null when SKILL.md sits at the top) and its files. */
export type SkillArchiveContents = {
  folder: string | null;
  skillMd: string;
  referenceFiles: SkillReferenceFile[];
};

const KB = 1024;
const sizeOf = (bytes: number) =>
  bytes < KB * KB ? `${Math.ceil(bytes / KB)} KB` : `${(bytes / (KB * KB)).toFixed(1)} MB`;

/** Fed to the unzipper a little at a time, so a zip bomb is stopped after at most ~1 MB too much. */
const CHUNK_BYTES = 1024;

/** Zip tools add these beside the files; they are skipped, not refused. */
const isSystemFile = (name: string) =>
  name.startsWith("__MACOSX/") || name.split("/").pop() === ".DS_Store";

function unsafePath(name: string) {
  const segments = name.split("/");
  return (
    name.startsWith("/") ||
    name.includes("\\") ||
    /^[A-Za-z]:/.test(name) ||
    segments.some((segment) => segment === ".." || segment === ".")
  );
}

/**
 * Unpacks the zip's files in memory, refusing it whole on the first sign of trouble: too big,
 * too many entries, a path that climbs out (`..`, absolute), more bytes unpacked than allowed
 * (counted as they inflate, whatever the zip claims), damaged data.
 */
function unpack(archive: Uint8Array): Map<string, Uint8Array> {
  if (archive.length === 0) throw new SkillArchiveInvalidError(["the file is empty"]);
  if (archive.length > MAX_SKILL_ARCHIVE_BYTES)
    throw new SkillArchiveInvalidError([
      `the zip is ${sizeOf(archive.length)}; a skill zip may be at most ${sizeOf(MAX_SKILL_ARCHIVE_BYTES)}`,
    ]);
  if (archive[0] !== 0x50 || archive[1] !== 0x4b || archive[2] !== 0x03 || archive[3] !== 0x04)
    throw new SkillArchiveInvalidError(["the file is not a zip archive"]);

  const files = new Map<string, Uint8Array>();
  const pending = new Set<string>();
  let entries = 0;
  let unpacked = 0;
  let refusal: string | null = null;
  const refuse = (problem: string, file?: UnzipFile) => {
    refusal ??= problem;
    file?.terminate();
  };

  const unzip = new Unzip((file) => {
    if (refusal) return;
    entries += 1;
    if (entries > MAX_SKILL_ARCHIVE_ENTRIES)
      return refuse(`the zip holds more than ${MAX_SKILL_ARCHIVE_ENTRIES} entries`);
    if (unsafePath(file.name))
      return refuse(`${file.name}: the path leaves the skill folder (.. or an absolute path)`);
    if (file.name.endsWith("/") || isSystemFile(file.name)) return;
    if (files.has(file.name) || pending.has(file.name))
      return refuse(`${file.name}: is in the zip twice`);
    const chunks: Uint8Array[] = [];
    pending.add(file.name);
    file.ondata = (error, chunk, final) => {
      if (error) return refuse(`${file.name}: could not be unpacked (the zip is damaged)`, file);
      unpacked += chunk.length;
      if (unpacked > MAX_SKILL_ARCHIVE_UNPACKED_BYTES)
        return refuse(
          `the zip unpacks to more than ${sizeOf(MAX_SKILL_ARCHIVE_UNPACKED_BYTES)}, the most a skill may hold`,
          file,
        );
      chunks.push(chunk);
      if (final) {
        pending.delete(file.name);
        files.set(file.name, concat(chunks));
      }
    };
    try {
      file.start();
    } catch {
      refuse(`${file.name}: is compressed in a way Skillrun cannot read (use plain zip, deflate)`);
    }
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  try {
    for (let offset = 0; offset < archive.length && !refusal; offset += CHUNK_BYTES)
      unzip.push(
        archive.subarray(offset, offset + CHUNK_BYTES),
        offset + CHUNK_BYTES >= archive.length,
      );
  } catch {
    refuse("the zip is damaged and could not be unpacked");
  }
  if (refusal) throw new SkillArchiveInvalidError([refusal]);
  if (pending.size) throw new SkillArchiveInvalidError(["the zip is damaged or cut short"]);
  return files;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

/** The folder the skill is in: "" for SKILL.md at the top, or the one top folder holding SKILL.md. */
function skillRoot(paths: string[]): string {
  if (paths.includes("SKILL.md")) return "";
  const folders = [
    ...new Set(paths.filter((path) => path.includes("/")).map((path) => path.split("/")[0])),
  ];
  const withSkill = folders.filter((folder) => paths.includes(`${folder}/SKILL.md`));
  if (withSkill.length > 1)
    throw new SkillArchiveInvalidError([
      `the zip holds more than one skill (${withSkill.join(", ")}); import one at a time`,
    ]);
  const [folder] = withSkill;
  if (folder === undefined)
    throw new SkillArchiveInvalidError([
      "the zip has no SKILL.md (expected <skill-folder>/SKILL.md, or SKILL.md at its top)",
    ]);
  return `${folder}/`;
}

const REFERENCE_FILE = /^references\/[^/]+\.md$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a skill from a zip in the Agent Skills layout: one folder holding SKILL.md and optional
 * references/*.md (or those at the zip's top). Anything else is listed and refused, not dropped.
 */
export function readSkillArchive(archive: Uint8Array): SkillArchiveContents {
  const files = unpack(archive);
  const root = skillRoot([...files.keys()]);
  const problems: string[] = [];
  const texts = new Map<string, string>();
  for (const [path, bytes] of files) {
    const inside = path.startsWith(root) ? path.slice(root.length) : null;
    if (inside !== "SKILL.md" && !(inside && REFERENCE_FILE.test(inside))) {
      problems.push(`${path}: is not part of a skill (only SKILL.md and references/*.md are)`);
      continue;
    }
    try {
      texts.set(inside, utf8.decode(bytes));
    } catch {
      problems.push(`${path}: is not UTF-8 text`);
    }
  }
  if (problems.length) throw new SkillArchiveInvalidError(problems);
  return {
    folder: root ? root.slice(0, -1) : null,
    skillMd: texts.get("SKILL.md") ?? "",
    referenceFiles: [...texts]
      .filter(([path]) => path !== "SKILL.md")
      .map(([path, content]) => ({ path, content }))
      .sort((a, b) => byCodeUnit(a.path, b.path)),
  };
}

/** A skill as a zip: `<slug>/SKILL.md` and `<slug>/references/*.md`. */
export function writeSkillArchive(
  slug: string,
  skillMd: string,
  referenceFiles: SkillReferenceFile[],
): Uint8Array {
  const entries: Record<string, Uint8Array> = { [`${slug}/SKILL.md`]: strToU8(skillMd) };
  for (const file of referenceFiles) entries[`${slug}/${file.path}`] = strToU8(file.content);
  return zipSync(entries, { level: 9 });
}
