export * from "./cadence";
export * from "./schedule-inputs";
