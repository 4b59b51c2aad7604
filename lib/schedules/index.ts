export * from "./cadence";
export * from "./schedule-inputs";
export * from "./slot-health";
