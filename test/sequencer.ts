import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Files that spend most of their time waiting on a clock (a real cron minute, lock handovers),
 * started first: without cached timings (a clean clone, as in CI) Vitest runs the largest files
 * first, and these short files would end the run with one worker waiting and the other idle.
 */
const WAITING_FILES = [
  "inngest/engine/test/cron.test.ts",
  "inngest/engine/test/leadership.test.ts",
];

export class WaitingFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = WAITING_FILES.findIndex((suffix) => file.moduleId.endsWith(suffix));
      return index === -1 ? WAITING_FILES.length : index;
    };
    // Array.prototype.sort is stable: every other file keeps Vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
