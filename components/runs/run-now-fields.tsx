"use client";

import { useRef } from "react";
import { formatRelative } from "@/components/format";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import type { RunStatus } from "@/lib/enums";
import { runLabelText } from "./run-label";
import type { AgentForRunNow } from "./run-now-agent";

/**
 * The agent picker, saying why its agent is preselected and when its model cannot run here. An
 * agent runs only its own skills: the others are listed but cannot be picked.
 */
export function AgentField({
  idPrefix,
  skillId,
  agents,
  agentId,
  onChange,
  why,
}: {
  idPrefix: string;
  skillId: string;
  agents: (AgentForRunNow & { configured: boolean; model: string })[];
  agentId: string;
  onChange: (agentId: string) => void;
  /** Why the selected agent is the one selected, while it is. */
  why: string | null;
}) {
  const selected = agents.find((agent) => agent.id === agentId);
  const nobodyHasIt =
    agents.length > 0 && !agents.some((agent) => agent.skillIds.includes(skillId));
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`${idPrefix}-agent`}>Agent</Label>
      <Select
        id={`${idPrefix}-agent`}
        value={agentId}
        onChange={(event) => onChange(event.target.value)}
        disabled={agents.length === 0}
        aria-describedby={why || nobodyHasIt ? `${idPrefix}-agent-why` : undefined}
      >
        {agents.length === 0 && <option value="">No agents in this tenant</option>}
        {/* No single agent has the skill: the operator picks; the server refuses the others. */}
        {agents.length > 0 && agentId === "" && <option value="">Choose an agent…</option>}
        {agents.map((agent) => (
          <option key={agent.id} value={agent.id} disabled={!agent.skillIds.includes(skillId)}>
            {agent.name}
            {agent.isDefault ? " (default)" : ""}
            {agent.skillIds.includes(skillId) ? "" : " — does not have this skill"}
            {agent.configured ? "" : " — model not configured"}
          </option>
        ))}
      </Select>
      {nobodyHasIt ? (
        <p id={`${idPrefix}-agent-why`} className="text-warning text-xs">
          No agent has this skill yet, so it cannot run. An admin can give it to an agent on the
          agent&apos;s page.
        </p>
      ) : (
        why && (
          <p id={`${idPrefix}-agent-why`} className="text-muted-foreground text-xs">
            {why}
          </p>
        )
      )}
      {selected && !selected.configured && (
        <p className="text-warning text-xs">
          {selected.model} is not configured here; this run will fail with model_not_configured.
        </p>
      )}
    </div>
  );
}

type EarlierRun = Parameters<typeof runLabelText>[0] & {
  id: string;
  status: RunStatus;
  createdAt: Date;
};

/** The earlier runs of the skill whose inputs can fill the form. */
export function PrefillField({
  idPrefix,
  runs,
  loading,
  value,
  onChange,
}: {
  idPrefix: string;
  runs: EarlierRun[] | undefined;
  loading: boolean;
  value: string;
  onChange: (runId: string) => void;
}) {
  const list = runs ?? [];
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`${idPrefix}-prefill`}>Prefill from a previous run</Label>
      <Select
        id={`${idPrefix}-prefill`}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        disabled={!list.length}
      >
        <option value="">
          {loading ? "Loading…" : list.length ? "Choose a run…" : "No earlier runs"}
        </option>
        {list.map((run) => (
          <option key={run.id} value={run.id}>
            {runLabelText(run, formatRelative(run.createdAt), run.status)}
          </option>
        ))}
      </Select>
    </div>
  );
}

/** Asks before an earlier run's inputs replace values the operator typed. */
export function ConfirmReplaceTyped({
  typed,
  onKeep,
  onReplace,
}: {
  /** The titles of the inputs whose typed values would be replaced; null while nothing is asked. */
  typed: string[] | null;
  onKeep: () => void;
  onReplace: () => void;
}) {
  // Confirming closes the dialog too; only a close without Replace keeps what was typed.
  const replacing = useRef(false);
  return (
    <ConfirmDialog
      open={typed !== null}
      onOpenChange={(open) => {
        if (!open && !replacing.current) onKeep();
        if (!open) replacing.current = false;
      }}
      title="Replace what you typed?"
      description={`The earlier run's inputs would replace what you typed in ${typed?.join(", ") ?? "some inputs"}.`}
      cancelLabel="Keep what I typed"
      confirmLabel="Replace"
      destructive={false}
      onConfirm={() => {
        replacing.current = true;
        onReplace();
      }}
    />
  );
}
