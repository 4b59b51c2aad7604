import type { MemberRole } from "@/lib/enums";

export type Member = {
  id: string;
  name: string;
  email: string;
  role: MemberRole;
  joinedAt: Date;
  isYou: boolean;
};

/** "a viewer", "an admin". */
export const article = (role: MemberRole) => (role === "viewer" ? "a" : "an");

export const without = <T>(record: Record<string, T>, key: string) =>
  Object.fromEntries(Object.entries(record).filter(([candidate]) => candidate !== key));
