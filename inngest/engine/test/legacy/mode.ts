/** Imported first by every file here: its suite runs with checkpointing off (see harness.ts). */
process.env.ENGINE_CHECKPOINTING = "0";
