import "server-only";

import {
  createSkillInput,
  deleteSkillInput,
  duplicateSkillInput,
  getSkillInput,
  getSkillVersionInput,
  listSkillsInput,
  listSkillVersionsInput,
  setSkillEnabledInput,
  updateSkillInput,
  validateSkillInput,
} from "@/lib/schemas/skills";
import {
  createSkill,
  deleteSkill,
  duplicateSkill,
  getSkillVersion,
  listSkillVersions,
  setSkillEnabled,
  updateSkill,
  validateSkillDraft,
} from "@/server/services/catalog/skill-admin";
import { getSkill, listSkills } from "@/server/services/catalog/skills";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

export const skillsRouter = createTRPCRouter({
  list: tenantProcedure
    .input(listSkillsInput)
    .query(({ ctx, input }) => listSkills(ctx.db, ctx.tenant.id, input)),

  get: tenantProcedure
    .input(getSkillInput)
    .query(({ ctx, input }) => getSkill(ctx.db, ctx.tenant.id, input.slug)),

  versions: tenantProcedure
    .input(listSkillVersionsInput)
    .query(({ ctx, input }) => listSkillVersions(ctx.db, ctx.tenant.id, input.skillId)),

  version: tenantProcedure
    .input(getSkillVersionInput)
    .query(({ ctx, input }) =>
      getSkillVersion(ctx.db, ctx.tenant.id, input.skillId, input.versionHash),
    ),

  validate: roleProcedure("admin")
    .input(validateSkillInput)
    .mutation(({ ctx, input }) => validateSkillDraft(ctx.db, ctx.tenant.id, input)),

  create: roleProcedure("admin")
    .input(createSkillInput)
    .mutation(({ ctx, input }) =>
      createSkill(
        ctx.db,
        { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
        input,
      ),
    ),

  update: roleProcedure("admin")
    .input(updateSkillInput)
    .mutation(({ ctx, input }) =>
      updateSkill(
        ctx.db,
        { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
        input.skillId,
        input.skill,
      ),
    ),

  setEnabled: roleProcedure("admin")
    .input(setSkillEnabledInput)
    .mutation(({ ctx, input }) =>
      setSkillEnabled(
        ctx.db,
        { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
        input.skillId,
        input.enabled,
      ),
    ),

  delete: roleProcedure("admin")
    .input(deleteSkillInput)
    .mutation(({ ctx, input }) =>
      deleteSkill(
        ctx.db,
        { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
        input.skillId,
      ),
    ),

  duplicate: roleProcedure("admin")
    .input(duplicateSkillInput)
    .mutation(({ ctx, input }) =>
      duplicateSkill(
        ctx.db,
        { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
        input,
      ),
    ),
});
