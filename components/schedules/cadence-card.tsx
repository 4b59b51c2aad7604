"use client";

import { useWatch } from "react-hook-form";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { cadenceErrors, cronOfPreset } from "@/lib/schedules";
import { CadencePreview } from "./cadence-preview";
import { FieldError } from "./field-error";
import { presetFieldsOfCron, presetOf, TIME_HINT, type ScheduleForm } from "./schedule-form";

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const TIME_ZONES: string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];

/**
 * When a schedule fires: a preset helper that writes the cron expression, the expression itself
 * (checked as it is typed, and read back as its preset), the timezone, what the next fire times
 * are, and the overlap policy.
 */
export function CadenceCard({ form, idPrefix: id }: { form: ScheduleForm; idPrefix: string }) {
  const { errors } = form.formState;
  const [cron, timezone, preset] = useWatch({
    control: form.control,
    name: ["cron", "timezone", "cadencePreset.kind"],
  });
  // Live, so a typo shows as it is typed; each message on its own field.
  const live = cadenceErrors(cron, timezone);
  const cronError = live.cron ?? errors.cron?.message;
  const timezoneError = live.timezone ?? errors.timezone?.message;
  const timeError = errors.cadencePreset?.time?.message;

  const applyPreset = () => {
    const chosen = presetOf(form.getValues("cadencePreset"));
    if (chosen) form.setValue("cron", cronOfPreset(chosen), { shouldValidate: true });
  };
  const readCron = (typed: string) =>
    form.setValue("cadencePreset", presetFieldsOfCron(typed, form.getValues("cadencePreset")));

  return (
    <Card>
      <CardHeader>
        <CardTitle>When</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className="grid gap-3 sm:grid-cols-2">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-preset`}>Cadence</Label>
            <Select
              id={`${id}-preset`}
              {...form.register("cadencePreset.kind", { onChange: applyPreset })}
            >
              <option value="custom">Custom (cron)</option>
              <option value="hourly">Hourly</option>
              <option value="daily">Daily at</option>
              <option value="weekdays">Weekdays at</option>
              <option value="weekly">Weekly on</option>
              <option value="monthly">Monthly on</option>
            </Select>
          </div>
          {preset === "hourly" && (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-minute`}>Minute past the hour</Label>
              <Input
                id={`${id}-minute`}
                type="number"
                min={0}
                max={59}
                {...form.register("cadencePreset.minute", {
                  setValueAs: Number,
                  onChange: applyPreset,
                })}
              />
            </div>
          )}
          {preset === "weekly" && (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-weekday`}>Day</Label>
              <Select
                id={`${id}-weekday`}
                {...form.register("cadencePreset.day", {
                  setValueAs: Number,
                  onChange: applyPreset,
                })}
              >
                {WEEKDAYS.map((day, index) => (
                  <option key={day} value={index}>
                    {day}
                  </option>
                ))}
              </Select>
            </div>
          )}
          {preset === "monthly" && (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-monthday`}>Day of month (1–28)</Label>
              <Input
                id={`${id}-monthday`}
                type="number"
                min={1}
                max={28}
                {...form.register("cadencePreset.day", {
                  setValueAs: Number,
                  onChange: applyPreset,
                })}
              />
            </div>
          )}
          {preset !== "custom" && preset !== "hourly" && (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-time`}>Time (24 h)</Label>
              {/* Text, not type="time": the browser's time control shows AM/PM in some locales. */}
              <Input
                id={`${id}-time`}
                inputMode="numeric"
                autoComplete="off"
                maxLength={5}
                className="tabular-nums"
                {...form.register("cadencePreset.time", { onChange: applyPreset })}
                aria-invalid={timeError ? true : undefined}
                aria-describedby={timeError ? `${id}-time-error` : `${id}-time-hint`}
              />
              {timeError ? (
                <FieldError id={`${id}-time-error`} message={timeError} />
              ) : (
                <p id={`${id}-time-hint`} className="text-muted-foreground text-xs">
                  {TIME_HINT} in the schedule&apos;s timezone.
                </p>
              )}
            </div>
          )}
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-cron`}>Cron expression (5 fields)</Label>
          <Input
            id={`${id}-cron`}
            className="font-mono"
            autoComplete="off"
            {...form.register("cron", { onChange: (event) => readCron(event.target.value) })}
            aria-invalid={cronError ? true : undefined}
            aria-describedby={cronError ? `${id}-cron-error` : undefined}
          />
          <FieldError id={`${id}-cron-error`} label="Cron expression" message={cronError} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-timezone`}>Timezone</Label>
          <Input
            id={`${id}-timezone`}
            list={`${id}-timezones`}
            {...form.register("timezone")}
            aria-invalid={timezoneError ? true : undefined}
            aria-describedby={timezoneError ? `${id}-timezone-error` : undefined}
            autoComplete="off"
          />
          <datalist id={`${id}-timezones`}>
            {TIME_ZONES.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <FieldError id={`${id}-timezone-error`} label="Timezone" message={timezoneError} />
        </div>
        <CadencePreview cron={cron} timezone={timezone} />
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-overlap`}>If the previous run is still going</Label>
          <Select id={`${id}-overlap`} {...form.register("overlapPolicy")}>
            <option value="skip">Skip this slot (recorded as skipped)</option>
            <option value="allow">Start another run anyway</option>
          </Select>
        </div>
        <div className="flex items-center gap-2">
          <Checkbox id={`${id}-enabled`} {...form.register("enabled")} />
          <Label htmlFor={`${id}-enabled`}>Enabled</Label>
        </div>
      </CardContent>
    </Card>
  );
}
