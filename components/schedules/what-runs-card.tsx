"use client";

import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { FieldError } from "./field-error";
import type { ScheduleForm } from "./schedule-form";

/** The schedule's name, the skill it runs and the agent that runs it. */
export function WhatRunsCard({
  form,
  idPrefix: id,
  skills,
  agents,
  skillGone,
}: {
  form: ScheduleForm;
  idPrefix: string;
  skills: { id: string; name: string }[];
  agents: { id: string; name: string; configured: boolean }[];
  /** The schedule's skill left the catalog: the picker asks for another. */
  skillGone: boolean;
}) {
  const { errors } = form.formState;
  return (
    <Card>
      <CardHeader>
        <CardTitle>What runs</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5 sm:col-span-2">
          <Label htmlFor={`${id}-name`}>Name</Label>
          <Input
            id={`${id}-name`}
            {...form.register("name")}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? `${id}-name-error` : `${id}-name-hint`}
            autoComplete="off"
          />
          {errors.name ? (
            <FieldError id={`${id}-name-error`} label="Name" message={errors.name.message} />
          ) : (
            <p id={`${id}-name-hint`} className="text-muted-foreground text-xs">
              How the schedule appears in lists and on the runs it starts.
            </p>
          )}
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-skill`}>Skill</Label>
          <Select
            id={`${id}-skill`}
            {...form.register("skillId")}
            aria-invalid={errors.skillId || skillGone ? true : undefined}
          >
            {skillGone && <option value="">Choose a skill…</option>}
            {skills.map((option) => (
              <option key={option.id} value={option.id}>
                {option.name}
              </option>
            ))}
          </Select>
          <FieldError label="Skill" message={errors.skillId?.message} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-agent`}>Agent</Label>
          <Select
            id={`${id}-agent`}
            {...form.register("agentId", { setValueAs: (value: string) => value || null })}
            aria-invalid={errors.agentId ? true : undefined}
          >
            <option value="">The tenant&apos;s default agent at fire time</option>
            {agents.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.name}
                {agent.configured ? "" : " — model not configured"}
              </option>
            ))}
          </Select>
          <FieldError label="Agent" message={errors.agentId?.message} />
        </div>
      </CardContent>
    </Card>
  );
}
