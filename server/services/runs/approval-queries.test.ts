import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ZERO_USAGE } from "@/server/agent/usage";
import { skillRuns } from "@/server/db/schema";
import { createQueuedRun, openTestDatabase } from "@/test/fixtures";
import {
  countPendingApprovals,
  DRAFT_PREVIEW_CHARS,
  listPendingApprovals,
  pendingApprovalOf,
} from "./approval-queries";
import { pauseForApproval } from "./approvals";

const { db } = openTestDatabase();

/** A run of a fresh tenant paused on its draft deliverable. */
async function pausedOnDraft(draft: string) {
  const { ref } = await createQueuedRun(db);
  await db.update(skillRuns).set({ status: "running" }).where(eq(skillRuns.id, ref.runId));
  const approvalId = await pauseForApproval(
    db,
    ref,
    { kind: "deliverable", draft, usage: ZERO_USAGE, stepsUsed: 1 },
    3600,
  );
  if (!approvalId) throw new Error("the run did not pause");
  return { ref, approvalId };
}

describe("the approvals inbox reads", () => {
  it("lists a long draft cut to its preview, and reads the whole draft for one run", async () => {
    // Multi-byte characters: the cut counts characters, never splitting one.
    const draft = `${"é".repeat(DRAFT_PREVIEW_CHARS)}the rest of the draft`;
    const { ref, approvalId } = await pausedOnDraft(draft);

    const [listed] = await listPendingApprovals(db, ref.tenantId);
    expect(listed).toMatchObject({
      approvalId,
      draft: "é".repeat(DRAFT_PREVIEW_CHARS),
      draftChars: draft.length,
      draftTruncated: true,
    });

    expect(await pendingApprovalOf(db, ref)).toMatchObject({
      approvalId,
      draft,
      draftChars: draft.length,
      draftTruncated: false,
    });
    expect(await countPendingApprovals(db, ref.tenantId)).toBe(1);
  });

  it("lists a short draft whole, and a tool request with no draft", async () => {
    const { ref } = await pausedOnDraft("Short and sweet.");
    const [listed] = await listPendingApprovals(db, ref.tenantId);
    expect(listed).toMatchObject({
      draft: "Short and sweet.",
      draftChars: 16,
      draftTruncated: false,
    });

    const other = await createQueuedRun(db);
    await db.update(skillRuns).set({ status: "running" }).where(eq(skillRuns.id, other.ref.runId));
    await pauseForApproval(
      db,
      other.ref,
      {
        kind: "tool",
        toolCalls: [
          {
            approvalId: "call-approval",
            toolCallId: "call-1",
            toolName: "send_email",
            server: null,
            input: { to: "a@example.com" },
          },
        ],
        conversation: [],
        usage: ZERO_USAGE,
        stepsUsed: 1,
      },
      3600,
    );
    const [tool] = await listPendingApprovals(db, other.ref.tenantId);
    expect(tool).toMatchObject({
      kind: "tool",
      draft: null,
      draftChars: 0,
      draftTruncated: false,
    });
  });
});
