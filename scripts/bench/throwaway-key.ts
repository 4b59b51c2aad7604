import { randomBytes } from "node:crypto";

// A bench's throwaway database seals its webhooks' secrets with a throwaway key: a bench machine
// has no app key. Imported before any app module reads the environment; forked servers inherit it.
process.env.SKILLRUN_ENCRYPTION_KEY ||= randomBytes(32).toString("base64");
