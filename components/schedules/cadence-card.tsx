"use client";

import { useWatch } from "react-hook-form";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { checkCadence, cronOfPreset } from "@/lib/schedules";
import { CadencePreview } from "./cadence-preview";
import { FieldError } from "./field-error";
import { cadenceFieldOf, presetOf, type ScheduleForm } from "./schedule-form";

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const TIME_ZONES: string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];

/**
 * When a schedule fires: a preset helper that writes the cron expression, the expression itself
 * (checked as it is typed), the timezone, what the next fire times are, and the overlap policy.
 */
export function CadenceCard({ form, idPrefix: id }: { form: ScheduleForm; idPrefix: string }) {
  const { errors } = form.formState;
  const [cron, timezone, preset] = useWatch({
    control: form.control,
    name: ["cron", "timezone", "cadencePreset.kind"],
  });
  const cadence = checkCadence(cron, timezone);
  const cadenceError = cadence.ok ? null : cadence.error;

  const applyPreset = () => {
    const { kind, time, day } = form.getValues("cadencePreset");
    if (kind === "custom") return;
    form.setValue("cron", cronOfPreset(presetOf(kind, time, day)), { shouldValidate: true });
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>When</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className="grid grid-cols-2 gap-3">
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
          {preset !== "custom" && (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-time`}>
                {preset === "hourly" ? "Minute past the hour" : "Time"}
              </Label>
              <Input
                id={`${id}-time`}
                type="time"
                {...form.register("cadencePreset.time", { onChange: applyPreset })}
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
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-cron`}>Cron expression (5 fields)</Label>
          <Input
            id={`${id}-cron`}
            className="font-mono"
            {...form.register("cron", {
              onChange: () => form.setValue("cadencePreset.kind", "custom"),
            })}
            aria-invalid={cadenceError || errors.cron ? true : undefined}
            aria-describedby={`${id}-cron-error`}
          />
          <FieldError
            id={`${id}-cron-error`}
            message={
              cadenceError && cadenceFieldOf(cadenceError) === "cron"
                ? cadenceError
                : errors.cron?.message
            }
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-timezone`}>Timezone</Label>
          <Input
            id={`${id}-timezone`}
            list={`${id}-timezones`}
            {...form.register("timezone")}
            aria-invalid={errors.timezone ? true : undefined}
            autoComplete="off"
          />
          <datalist id={`${id}-timezones`}>
            {TIME_ZONES.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <FieldError
            message={
              cadenceError && cadenceFieldOf(cadenceError) === "timezone"
                ? cadenceError
                : errors.timezone?.message
            }
          />
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
