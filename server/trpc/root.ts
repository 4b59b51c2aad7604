import { createCallerFactory, createTRPCRouter } from "./init";
import { skillsRouter } from "./routers/skills";
import { viewerRouter } from "./routers/viewer";

export const appRouter = createTRPCRouter({
  viewer: viewerRouter,
  skills: skillsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
