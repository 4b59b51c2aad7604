import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { fullFormats } from "ajv-formats/dist/formats.js";
import type { InputsSchema, PropertySchema } from "./fields";
import { compileSkillInputs } from "./validate";

/**
 * Property: for skill input schemas within what the catalog accepts and arbitrary inputs (conforming
 * and near misses), the shared validator (`compileSkillInputs`, @cfworker/json-schema) accepts
 * exactly what the catalog's Ajv 2020 validator with ajv-formats accepts once the schema's
 * top-level defaults are filled in where a property is absent and the schema is closed
 * (`additionalProperties: false`, which the shared validator applies to every skill), and
 * returns exactly those values.
 */

/** FC_SEED (and FC_PATH) from a failure report replay that failure. */
const replay = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH }
  : {};

// Input names the catalog allows (letters, digits, _), including ones every object inherits.
const NAMES = [
  "topic",
  "count",
  "ratio",
  "urgent",
  "day",
  "at",
  "tags",
  "depth",
  "notes",
  "limit",
  "constructor",
  "toString",
];

const small = fc.oneof(
  fc.integer({ min: -5, max: 20 }),
  fc
    .double({ min: -5, max: 20, noNaN: true, noDefaultInfinity: true })
    .map((n) => Math.round(n * 4) / 4),
);
const length = fc.integer({ min: 0, max: 6 });
const word = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "grapheme", maxLength: 4 }),
  fc.constantFrom("brief", "deep", "😀", "é"),
);

const stringSchema = fc.oneof(
  fc.record(
    {
      type: fc.constant("string"),
      minLength: length,
      maxLength: length,
      enum: fc.uniqueArray(word, { minLength: 1, maxLength: 4 }),
      "x-skillrun-widget": fc.constant("textarea"),
    },
    { requiredKeys: ["type"] },
  ),
  fc.record(
    {
      type: fc.constant("string"),
      format: fc.constantFrom("date", "date-time"),
      minLength: length,
      maxLength: fc.integer({ min: 8, max: 40 }),
    },
    { requiredKeys: ["type", "format"] },
  ),
);
const numberSchema = fc.record(
  {
    type: fc.constantFrom("number", "integer"),
    minimum: small,
    maximum: small,
    exclusiveMinimum: small,
    exclusiveMaximum: small,
  },
  { requiredKeys: ["type"] },
);
const booleanSchema = fc.record({ type: fc.constant("boolean") });
const arraySchema = fc.record(
  {
    type: fc.constant("array"),
    items: fc.record(
      {
        type: fc.constant("string"),
        minLength: length,
        maxLength: length,
        enum: fc.uniqueArray(word, { minLength: 1, maxLength: 3 }),
      },
      { requiredKeys: ["type"] },
    ),
    minItems: fc.integer({ min: 0, max: 3 }),
    maxItems: fc.integer({ min: 0, max: 4 }),
  },
  { requiredKeys: ["type", "items"] },
);
const propertySchema: fc.Arbitrary<PropertySchema> = fc.oneof(
  stringSchema,
  numberSchema,
  booleanSchema,
  arraySchema,
);

// ---------------------------------------------------------------------------------------------
// Values: what fits a property schema, what nearly does, and anything else

const pad2 = (n: number) => String(n).padStart(2, "0");
const dateLike = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 1999, max: 2030 }),
      fc.constantFrom(0, 1900, 2000, 2100, 2400, 9999),
    ),
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 12 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 2, 13) },
    ),
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 28 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 29, 30, 31, 32) },
    ),
  )
  .map(([year, month, day]) => `${String(year).padStart(4, "0")}-${pad2(month)}-${pad2(day)}`);
const timeLike = fc
  .tuple(
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 23 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 23, 24) },
    ),
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 59 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 59, 60) },
    ),
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 59 }) },
      { weight: 1, arbitrary: fc.constantFrom(60, 61) },
    ),
    fc.constantFrom("", ".5", ".123456"),
    fc.constantFrom(
      "Z",
      "z",
      "",
      "+00:00",
      "+05:30",
      "-08:00",
      "-23:59",
      "+24:00",
      "+01:60",
      "+0530",
      "+05",
      "+01:00",
      "-00:01",
    ),
  )
  .map(([h, m, s, fraction, zone]) => `${pad2(h)}:${pad2(m)}:${pad2(s)}${fraction}${zone}`);
const dateTimeLike = fc
  .tuple(dateLike, fc.constantFrom("T", "t", " ", "_", "TT"), timeLike)
  .map(([date, separator, time]) => `${date}${separator}${time}`);
const anyJson = fc.jsonValue({ maxDepth: 2 });

function stringValue(schema: PropertySchema): fc.Arbitrary<unknown> {
  const lengths = [schema.minLength, schema.maxLength].filter((n): n is number => n !== undefined);
  const around = lengths.flatMap((n) => [n - 1, n, n + 1]).filter((n) => n >= 0);
  const dates =
    schema.format === "date"
      ? [dateLike, dateLike]
      : schema.format === "date-time"
        ? [dateTimeLike, dateTimeLike]
        : [];
  return fc.oneof(
    ...dates,
    word,
    fc.string({ unit: "binary", maxLength: 8 }),
    fc
      .constantFrom(...around, 0)
      .chain((n) =>
        fc.oneof(
          fc.constant("x".repeat(n)),
          fc.constant("😀".repeat(n)),
          fc.string({ unit: "grapheme", minLength: n, maxLength: n }),
        ),
      ),
    ...(schema.enum?.length
      ? [
          fc.constantFrom(...schema.enum),
          fc.constantFrom(...schema.enum).map((option) => `${String(option)} `),
        ]
      : []),
    dateLike,
    dateTimeLike,
    fc.constantFrom(
      "2024-02-29",
      "2023-02-29",
      "2026-11-24",
      "2026-11-24T08:30:00Z",
      "2026-11-24T23:59:60Z",
      "2026-12-31T23:59:60.5+00:00",
      "2026-06-30T15:59:60-08:00",
    ),
  );
}

function numberValue(schema: PropertySchema): fc.Arbitrary<unknown> {
  const bounds = [
    schema.minimum,
    schema.maximum,
    schema.exclusiveMinimum,
    schema.exclusiveMaximum,
  ].filter((n): n is number => n !== undefined);
  const near = bounds.flatMap((n) => [
    n - 1,
    n - 0.5,
    n,
    n + 0.5,
    n + 1,
    n - Number.EPSILON * 8,
    n + Number.EPSILON * 8,
  ]);
  return fc.oneof(
    small,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    ...(near.length ? [fc.constantFrom(...near)] : []),
    fc.constantFrom(-0, 1e21, 2 ** 53 + 2, "3"),
  );
}

function valueFor(schema: PropertySchema): fc.Arbitrary<unknown> {
  const fitting: fc.Arbitrary<unknown> = (() => {
    switch (schema.type) {
      case "string":
        return stringValue(schema);
      case "number":
      case "integer":
        return numberValue(schema);
      case "boolean":
        return fc.oneof(fc.boolean(), fc.constantFrom("true", 0, 1));
      default: {
        const items = schema.items ?? {};
        const max = (schema.maxItems ?? 3) + 1;
        return fc.oneof(
          fc.array(stringValue(items), { maxLength: max }),
          fc.array(fc.oneof(stringValue(items), anyJson), { maxLength: max }),
          fc.constantFrom("a", null),
        );
      }
    }
  })();
  return fc.oneof({ weight: 6, arbitrary: fitting }, { weight: 1, arbitrary: anyJson });
}

const schemaArb: fc.Arbitrary<InputsSchema> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 })
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.tuple(...names.map(() => propertySchema)),
      fc.subarray(names),
      fc.boolean(),
    ),
  )
  .chain(([names, properties, required, closed]) =>
    // Defaults drawn from the same values as inputs: some fit the property, some do not.
    fc
      .tuple(...properties.map((property) => fc.option(valueFor(property), { freq: 2 })))
      .map((defaults) => {
        const schema: InputsSchema = { type: "object", properties: {} };
        names.forEach((name, index) => {
          const property: PropertySchema = { title: name, ...properties[index]! };
          if (defaults[index] !== null) property.default = defaults[index];
          schema.properties![name] = property;
        });
        if (required.length) schema.required = required;
        if (closed) schema.additionalProperties = false;
        return schema;
      }),
  );

const caseArb = schemaArb.chain((schema) => {
  const entries = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    fc
      .option(valueFor(property), { freq: 3, nil: undefined })
      .map((value) => [name, value] as const),
  );
  const extras = fc.option(
    fc.dictionary(fc.constantFrom("extra", "note", "Topic"), anyJson, { maxKeys: 2 }),
    { freq: 4, nil: undefined },
  );
  return fc.tuple(fc.constant(schema), fc.tuple(...entries), extras).map(([s, present, extra]) => {
    const inputs: Record<string, unknown> = { ...extra };
    for (const [name, value] of present) if (value !== undefined) inputs[name] = value;
    return { schema: s, inputs };
  });
});

// ---------------------------------------------------------------------------------------------

/**
 * The catalog's Ajv configuration (server/services/catalog/skill-inputs-schema.ts: draft 2020-12, strict,
 * all errors, ajv-formats, the UI keyword) with two corrections where Ajv departs from the spec,
 * both found by this property (the shared validator was right each time):
 * - `ownProperties`: by default Ajv's `properties` also looks at inherited ones, so `{}` fails a
 *   `toString: { type: "number" }` property (Object.prototype.toString is a function);
 * - `date-time`: ajv-formats takes offsets without a colon ("+05", "+0530"), which RFC 3339's
 *   time-numoffset ("+" / "-") time-hour ":" time-minute does not.
 */
const ajv = new Ajv2020({ strict: true, allErrors: true, ownProperties: true });
addFormats(ajv);
const ajvDateTime = fullFormats["date-time"] as { validate: (value: string) => boolean };
ajv.addFormat(
  "date-time",
  (value: string) => /(?:z|[+-]\d\d:\d\d)$/i.test(value) && ajvDateTime.validate(value),
);
ajv.addKeyword({ keyword: "x-skillrun-widget", metaSchema: { enum: ["textarea"] } });

/** The reference: the schema's defaults filled where a property is absent, then Ajv's verdict. */
function reference(schema: InputsSchema, inputs: Record<string, unknown>) {
  const filled = structuredClone(inputs);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (!Object.hasOwn(filled, name) && property.default !== undefined)
      filled[name] = structuredClone(property.default);
  }
  // Strict: a schema outside the catalog's subset would throw here.
  const validate = ajv.compile({ ...schema, additionalProperties: false });
  return { valid: validate(structuredClone(filled)), filled };
}

describe("compileSkillInputs (property)", () => {
  it("accepts exactly what Ajv 2020 accepts, and fills defaults exactly where a property is absent", () => {
    fc.assert(
      fc.property(caseArb, ({ schema, inputs }) => {
        const before = structuredClone(inputs);
        const expected = reference(schema, inputs);
        const result = compileSkillInputs(schema)(inputs);
        expect(result.valid).toBe(expected.valid);
        if (result.valid) expect(result.value).toEqual(expected.filled);
        else expect(Object.keys(result.fieldErrors).length).toBeGreaterThan(0);
        expect(inputs).toEqual(before);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 1500), ...replay },
    );
  });
});
