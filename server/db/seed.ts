import "server-only";
import { randomUUID } from "node:crypto";
import { hashPassword, verifyPassword } from "better-auth/crypto";
import { and, eq, inArray } from "drizzle-orm";
import type { Database, Transaction } from "./client";
import {
  DEMO_ADMIN,
  DEMO_TENANT_SLUG,
  SECOND_TENANT_OWNER,
  SECOND_TENANT_SLUG,
} from "./demo-accounts";
import {
  agentKnowledgeBases,
  agents,
  agentSkills,
  agentTemplates,
  accounts,
  guardrails,
  kbDocuments,
  knowledgeBases,
  memberships,
  skills,
  tenants,
  tenantSettings,
  users,
  type MemberRole,
} from "./schema";

/**
 * The demo accounts that exist here and still sign in with the published password (a database
 * seeded by `npm run dev` or an older `npm start`, now started without the demo): the launcher
 * warns about them.
 */
export async function accountsWithDemoPasswords(db: Database): Promise<string[]> {
  const demoAccounts = [DEMO_ADMIN, SECOND_TENANT_OWNER];
  const rows = await db
    .select({ email: users.email, hash: accounts.password })
    .from(users)
    .innerJoin(accounts, and(eq(accounts.userId, users.id), eq(accounts.providerId, "credential")))
    .where(
      inArray(
        users.email,
        demoAccounts.map((account) => account.email),
      ),
    );
  const exposed: string[] = [];
  for (const row of rows) {
    const demo = demoAccounts.find((account) => account.email === row.email);
    if (demo && row.hash && (await verifyPassword({ hash: row.hash, password: demo.password })))
      exposed.push(row.email);
  }
  return exposed;
}

async function createUser(
  tx: Transaction,
  person: { email: string; password: string; name: string },
) {
  const userId = randomUUID();
  await tx
    .insert(users)
    .values({ id: userId, email: person.email, name: person.name, emailVerified: true });
  await tx.insert(accounts).values({
    id: randomUUID(),
    userId,
    accountId: userId,
    providerId: "credential",
    password: await hashPassword(person.password),
  });
  return userId;
}

async function createTenant(tx: Transaction, name: string, slug: string) {
  const tenantId = randomUUID();
  await tx.insert(tenants).values({ id: tenantId, name, slug });
  await tx.insert(tenantSettings).values({ tenantId });
  return tenantId;
}

async function addMember(tx: Transaction, tenantId: string, userId: string, role: MemberRole) {
  await tx.insert(memberships).values({ id: randomUUID(), organizationId: tenantId, userId, role });
}

const HANDBOOK = [
  {
    title: "Vendor renewal policy",
    content:
      "Renewals above 50,000 EUR a year need finance approval 60 days before the renewal date. Northwind Logistics renews on 1 October; last year we negotiated a 4% price cap and quarterly service reviews.",
  },
  {
    title: "Incident severity levels",
    content:
      "SEV1: customer-facing outage or data loss, page the on-call lead immediately. SEV2: major feature degraded, respond within 30 minutes. SEV3: minor impact, next business day. SEV4: cosmetic.",
  },
  {
    title: "Support tone guide",
    content:
      "We answer within one business day, use the customer's name, never blame the customer, and always end with a concrete next step. Refunds over 500 EUR need a team lead's approval.",
  },
  {
    title: "Q3 operations goals",
    content:
      "Reduce median ticket resolution time from 19 to 12 hours, migrate the billing exports to the new warehouse, and renegotiate the Northwind contract with a service-credit clause.",
  },
  {
    title: "Release process",
    content:
      "Releases ship on Tuesdays. Breaking changes need a migration guide and two weeks' notice to customers on the Enterprise plan. Release notes are reviewed by product marketing.",
  },
];

/**
 * Demo data for a fresh installation: two tenants, their people, agents, a guardrail and a
 * knowledge base. Idempotent: it does nothing when the demo tenant already exists. The
 * built-in skills must be synced first (they are assigned to the demo agents).
 */
export async function seedDemoData(db: Database): Promise<{ created: boolean }> {
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: tenants.id })
      .from(tenants)
      .where(eq(tenants.slug, DEMO_TENANT_SLUG));
    if (existing) return { created: false };

    const acmeId = await createTenant(tx, "Acme Operations", DEMO_TENANT_SLUG);
    const globexId = await createTenant(tx, "Globex Research", SECOND_TENANT_SLUG);
    const adminId = await createUser(tx, DEMO_ADMIN);
    const globexOwnerId = await createUser(tx, SECOND_TENANT_OWNER);
    await addMember(tx, acmeId, adminId, "owner");
    await addMember(tx, globexId, globexOwnerId, "owner");
    // The demo admin also sees Globex, read-only, so the tenant switcher has something to switch.
    await addMember(tx, globexId, adminId, "viewer");

    const [guardrail] = await tx
      .insert(guardrails)
      .values({
        tenantId: acmeId,
        name: "Standard",
        description: "Masks personal data and keeps deliverables to a readable length.",
        rules: {
          deniedTerms: ["internal-only"],
          deniedPatterns: [],
          pii: "mask",
          maxDeliverableChars: 40_000,
        },
        isTenantDefault: true,
      })
      .returning({ id: guardrails.id });

    const [analyst, writer] = await tx
      .insert(agentTemplates)
      .values([
        {
          tenantId: acmeId,
          name: "Operations analyst",
          description: "Careful, factual, cites its sources.",
          systemPrompt:
            "You are an operations analyst at Acme. Be precise and brief. Use the tools you are given to find facts; cite the documents you rely on; say so when you do not know.",
          maxSteps: 8,
          timeoutSeconds: 300,
        },
        {
          tenantId: acmeId,
          name: "Customer-facing writer",
          description: "Writes for customers; no access to internal reference files.",
          systemPrompt:
            "You write on behalf of Acme to customers and partners. Be warm, clear and honest; never promise what the facts do not support.",
          blockedTools: ["read_skill_reference"],
          guardrailId: guardrail?.id ?? null,
          maxSteps: 6,
          timeoutSeconds: 180,
        },
      ])
      .returning({ id: agentTemplates.id });
    if (!analyst || !writer || !guardrail) throw new Error("seed: templates were not created");

    const [opsAssistant, supportWriter, releaseCaptain] = await tx
      .insert(agents)
      .values([
        {
          tenantId: acmeId,
          name: "Ops Assistant",
          description: "The default agent for operations work.",
          templateId: analyst.id,
          isDefault: true,
          pairedUserId: adminId,
        },
        {
          tenantId: acmeId,
          name: "Support Writer",
          description: "Drafts customer replies.",
          templateId: writer.id,
        },
        {
          tenantId: acmeId,
          name: "Release Captain",
          description: "Release notes and postmortems.",
          templateId: analyst.id,
        },
      ])
      .returning({ id: agents.id });
    if (!opsAssistant || !supportWriter || !releaseCaptain)
      throw new Error("seed: agents were not created");

    const builtIn = await tx
      .select({ id: skills.id, slug: skills.slug })
      .from(skills)
      .where(
        inArray(skills.slug, [
          "meeting-prep",
          "weekly-status-digest",
          "incident-postmortem",
          "release-notes",
          "customer-email-reply",
          "contract-clause-checklist",
        ]),
      );
    const skillId = (slug: string) => builtIn.find((skill) => skill.slug === slug)?.id;
    const assignments = [
      [
        opsAssistant.id,
        [
          "meeting-prep",
          "weekly-status-digest",
          "incident-postmortem",
          "contract-clause-checklist",
        ],
      ],
      [supportWriter.id, ["customer-email-reply"]],
      [releaseCaptain.id, ["release-notes", "incident-postmortem"]],
    ] as const;
    const agentSkillRows = assignments.flatMap(([agentId, slugs]) =>
      slugs.flatMap((slug) => {
        const id = skillId(slug);
        return id ? [{ agentId, skillId: id }] : [];
      }),
    );
    if (agentSkillRows.length) await tx.insert(agentSkills).values(agentSkillRows);

    const [handbook] = await tx
      .insert(knowledgeBases)
      .values({
        tenantId: acmeId,
        name: "Acme handbook",
        description: "Policies, goals and processes.",
      })
      .returning({ id: knowledgeBases.id });
    if (!handbook) throw new Error("seed: knowledge base was not created");
    await tx
      .insert(kbDocuments)
      .values(HANDBOOK.map((doc) => ({ ...doc, tenantId: acmeId, knowledgeBaseId: handbook.id })));
    await tx.insert(agentKnowledgeBases).values([
      { agentId: opsAssistant.id, knowledgeBaseId: handbook.id },
      { agentId: supportWriter.id, knowledgeBaseId: handbook.id },
    ]);

    // Globex gets its own minimal setup so isolation is visible from both sides.
    const [globexTemplate] = await tx
      .insert(agentTemplates)
      .values({
        tenantId: globexId,
        name: "Researcher",
        systemPrompt: "You are a research assistant at Globex.",
      })
      .returning({ id: agentTemplates.id });
    if (!globexTemplate) throw new Error("seed: Globex template was not created");
    const [globexResearcher] = await tx
      .insert(agents)
      .values({
        tenantId: globexId,
        name: "Globex Researcher",
        templateId: globexTemplate.id,
        isDefault: true,
      })
      .returning({ id: agents.id });
    // An agent runs only its own skills: Globex's one agent has the whole built-in catalog.
    if (globexResearcher && builtIn.length)
      await tx
        .insert(agentSkills)
        .values(builtIn.map((skill) => ({ agentId: globexResearcher.id, skillId: skill.id })));

    return { created: true };
  });
}
