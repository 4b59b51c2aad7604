import {
  refusedByServer,
  runKeys,
  writeCheckpoints,
  writeFinalizes,
  writeIngests,
  writeLeases,
  writePersists,
  type CheckpointWrite,
  type FinalizeOutcome,
  type FinalizeWrite,
  type LeaseOutcome,
  type PersistOutcome,
  type PersistWrite,
} from "./batched-writes";
import type { EngineConfig } from "./engine-types";
import { GroupCommit } from "./group-commit";
import { ingestKeys, type IngestOutcome, type IngestPlan } from "./ingest-statement";
import type { Sql } from "./store";

export type EngineWriters = ReturnType<typeof createWriters>;

/**
 * Group commit (group-commit.ts): under load, the writes of one kind that arrive while a
 * statement of that kind is in flight go out together as the next one. Two writes of one run,
 * or of a run and the waiter it hands its slot to, never share a statement (`keys`).
 */
export function createWriters(
  sql: Sql,
  config: Pick<EngineConfig, "faults">,
  /** A statement failed in a way that may still have committed (see orphan-scan.ts). */
  onUnseenOutcome: () => void,
) {
  return {
    ingest: new GroupCommit<IngestPlan, IngestOutcome>({
      writeMany: (plans) => writeIngests(sql, plans),
      retryAlone: refusedByServer,
      onUnseenOutcome,
      keys: ingestKeys,
    }),
    lease: new GroupCommit<number, LeaseOutcome>({
      writeMany: (queueIds) => writeLeases(sql, queueIds),
      retryAlone: refusedByServer,
      onUnseenOutcome,
      keys: (queueId) => [`queue:${queueId}`],
    }),
    checkpoint: new GroupCommit<CheckpointWrite, boolean>({
      writeMany: (writes) => writeCheckpoints(sql, writes),
      retryAlone: refusedByServer,
      onUnseenOutcome,
      keys: (write) => runKeys(write.runId, undefined),
    }),
    persist: new GroupCommit<PersistWrite & { waiterRunId?: string }, PersistOutcome>({
      writeMany: async (writes) => {
        const outcomes = await writePersists(sql, writes);
        config.faults?.persistCommitted?.(writes.map((write) => write.runId));
        return outcomes;
      },
      retryAlone: refusedByServer,
      onUnseenOutcome,
      keys: (write) => [...runKeys(write.runId, write.waiterRunId), ...ingestKeys(write.plan)],
    }),
    finalize: new GroupCommit<FinalizeWrite & { waiterRunId?: string }, FinalizeOutcome>({
      writeMany: async (writes) => {
        const outcomes = await writeFinalizes(sql, writes);
        config.faults?.finalizeCommitted?.(writes.map((write) => write.runId));
        return outcomes;
      },
      retryAlone: refusedByServer,
      onUnseenOutcome,
      keys: (write) => [...runKeys(write.runId, write.waiterRunId), ...ingestKeys(write.plan)],
    }),
  };
}
