/**
 * Every feature's HTTP routes, mounted by api/server.ts. A new feature adds one line.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from './context.ts';
import { authRoutes } from './auth/routes.ts';
import { orgRoutes } from './orgs/routes.ts';
import { memberRoutes } from './members/routes.ts';
import { chatAccountRoutes } from './chat-accounts/routes.ts';
import { meetingRoutes } from './meetings/routes.ts';
import { boardRoutes } from './meetings/board-routes.ts';
import { noticeRoutes } from './notices/routes.ts';
import { feedbackRoutes } from './feedback/routes.ts';
import { knowledgeRoutes } from './knowledge/routes.ts';
import { consoleRoutes } from './console/routes.ts';
import { homeRoutes } from './home/routes.ts';

export const FEATURE_ROUTES: FastifyPluginAsyncTypebox<{ deps: Deps }>[] = [
  authRoutes,
  orgRoutes,
  memberRoutes,
  chatAccountRoutes,
  meetingRoutes,
  boardRoutes,
  noticeRoutes,
  feedbackRoutes,
  knowledgeRoutes,
  consoleRoutes,
  homeRoutes,
];
