/**
 * The web chat at /chat: the same conversation core in a plain page, for members without
 * Telegram or Zalo, on a computer, or trying the product on a fresh machine with no bot
 * token. Sign-in is the one-time link code (or a member's API token).
 */
import { Type } from 'typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Deps } from '../../api/context.ts';
import { AppError } from '../../api/errors.ts';
import { ContentResponses, HtmlPage, Id, Responses } from '../../api/http/schemas.ts';
import { linkChatAccount } from '../../api/chat-accounts/link-chat-account.ts';
import { findActiveAccount, insertAccount } from '../../api/chat-accounts/repository.ts';
import { findTokenPrincipal } from '../../api/auth/tokens.ts';
import { findMember } from '../../api/members/repository.ts';
import { listChatMessages } from '../../api/outbox/list-chat-messages.ts';
import { findClosedMotionIds } from '../../api/meetings/motions.ts';
import type { BotChannel } from '../channel.ts';
import type { Reply } from '../core/reply.ts';
import type { InboxWorker } from '../inbox.ts';
import { issueWebToken, verifyWebToken } from './session-token.ts';
import { CHAT_PAGE } from './page.ts';
import { allowInlineScriptsOf } from '../../api/http/security-headers.ts';
import { WEB_BOT_KEY, type WebPayload } from './sender.ts';
import { renderWeb } from './render.ts';
import { ballotScript } from './ballot-script.ts';
import { ballotForDevice } from '../../api/meetings/ballot-for-device.ts';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';

export { WEB_BOT_KEY };

/** 32 bytes in base64url: a group element or a scalar. */
const B64_32 = { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } as const;
const RangeProofBody = {
  type: 'object',
  additionalProperties: false,
  required: ['challenges', 'responses'],
  properties: {
    challenges: { type: 'array', maxItems: 64, items: B64_32 },
    responses: { type: 'array', maxItems: 64, items: B64_32 },
  },
} as const;
/** A ballot encrypted in the browser (ballot-client.ts): ciphertexts and proofs, never a choice. */
const SealedBallotBody = {
  type: 'object',
  additionalProperties: false,
  required: ['motionId', 'sealed'],
  properties: {
    motionId: { type: 'integer', minimum: 1 },
    sealed: {
      type: 'object',
      additionalProperties: false,
      required: ['ciphertexts', 'proofs', 'sumProof'],
      properties: {
        ciphertexts: {
          type: 'array',
          minItems: 1,
          maxItems: 64,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['alpha', 'beta'],
            properties: { alpha: B64_32, beta: B64_32 },
          },
        },
        proofs: { type: 'array', maxItems: 64, items: RangeProofBody },
        sumProof: RangeProofBody,
      },
    },
  },
} as const;
const MAX_TEXT = 4000;

/** A reply as the page draws it (bot/web/render.ts). */
const WebReplyT = Type.Object({
  text: Type.String(),
  choices: Type.Optional(
    Type.Array(
      Type.Object({
        label: Type.String(),
        data: Type.String(),
        menu: Type.Optional(Type.Boolean({ description: 'an item of the main menu, drawn apart' })),
        secret: Type.Optional(
          Type.Boolean({ description: "a secret ballot's choice: the page echoes the press as 'Đã bỏ phiếu kín'" }),
        ),
        ballot: Type.Optional(
          Type.Object(
            { motionId: Id, choice: Type.String() },
            { description: 'a secret ballot the page encrypts in the browser (GET /chat/api/ballots/:id)' },
          ),
        ),
      }),
    ),
  ),
  link: Type.Optional(Type.Object({ label: Type.String(), url: Type.String() })),
  photo: Type.Optional(Type.String({ description: 'a QR code as a data: URL' })),
  closed: Type.Optional(Type.String({ description: 'why the buttons of this earlier message are gone' })),
  conceal: Type.Optional(
    Type.Boolean({ description: "answers a secret ballot: the page shows the member's message as 'Đã bỏ phiếu kín'" }),
  ),
});

export function webChatRoutes(deps: Deps, inbox: InboxWorker, web: BotChannel): FastifyPluginAsync {
  allowInlineScriptsOf(CHAT_PAGE); // the page's one script passes the Content-Security-Policy
  return async (app) => {
    // A member's messages: never kept in a browser's cache (a cached inbox showed an evening's
    // messages as one, and on a shared computer would show them to the next person).
    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/chat/api/')) reply.header('cache-control', 'no-store');
    });
    app.get(
      '/chat',
      { schema: { hide: true, response: ContentResponses(200, { 'text/html': HtmlPage }, 'the page') } },
      async (_request, reply) =>
        reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(CHAT_PAGE),
    );

    app.post<{ Body: { code?: string } }>(
      '/chat/api/session',
      {
        schema: {
          tags: ['Web chat'],
          summary:
            'Sign in to the web chat with a one-time link code, or with a member API token (Authorization header)',
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { code: { type: 'string', minLength: 1, maxLength: 40 } },
          },
          response: Responses(
            Type.Object({
              token: Type.String({ description: 'Bearer token for the calls below' }),
              name: Type.String(),
            }),
          ),
        },
      },
      async (request) => {
        const { webId, token } = issueWebToken(deps.linkSecret);
        const now = deps.clock.now();
        if (request.body?.code) {
          const { member } = await linkChatAccount(deps, {
            channel: 'web',
            botKey: WEB_BOT_KEY,
            externalUserId: webId,
            chatId: webId,
            code: request.body.code,
            clientAddress: request.ip,
          });
          return { token, name: member.fullName };
        }
        const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        const found = bearer ? await findTokenPrincipal(deps.db, bearer, now) : undefined;
        if (!found?.principal.memberId) throw new AppError('unauthorized', 'Cần mã liên kết do bí thư chi bộ cấp.');
        const member = (await findMember(deps.db, found.principal.memberId))!;
        // The session remembers the token: revoking it ends the session.
        await insertAccount(
          deps.db,
          {
            channel: 'web',
            botKey: WEB_BOT_KEY,
            externalUserId: webId,
            chatId: webId,
            memberId: member.id,
            displayName: member.fullName,
            apiTokenId: found.tokenId,
          },
          now,
        );
        return { token, name: member.fullName };
      },
    );

    // The in-browser encryption, from our own origin (the page's CSP allows 'self' only).
    const script = { 'text/javascript': Type.String({ description: 'the bundled script' }) };
    const scriptSchema = { hide: true, response: ContentResponses(200, script, 'ballot encryption for the page') };
    app.get('/chat/ballot.js', { schema: scriptSchema }, async (request, reply) => {
      const { code, etag } = await ballotScript();
      reply.header('cache-control', 'no-cache').header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.header('content-type', 'text/javascript; charset=utf-8').send(code);
    });

    app.get<{ Params: { motionId: number } }>(
      '/chat/api/ballots/:motionId',
      {
        schema: {
          tags: ['Web chat'],
          summary: "A secret motion's public key and choices, for encrypting a ballot in the browser",
          params: Type.Object({ motionId: Id }),
          response: Responses(
            Type.Object({
              motionId: Id,
              title: Type.String(),
              publicKey: Type.String(),
              choices: Type.Array(Type.String()),
              labels: Type.Array(Type.String()),
              marks: Type.Union([Type.Object({ exactly: Type.Integer() }), Type.Object({ atMost: Type.Integer() })]),
            }),
          ),
        },
      },
      async (request) => {
        const { account } = await signedInWebAccount(deps, request);
        const member = await findMember(deps.db, account.memberId);
        if (!member?.active) throw new AppError('forbidden', 'Tài khoản đảng viên của đồng chí không còn hoạt động.');
        return ballotForDevice(deps, await ensureMemberPrincipal(deps.db, member.id), request.params.motionId);
      },
    );

    app.post<{ Body: { id: string; text?: string; choice?: string; ballot?: WebPayload['ballot'] } }>(
      '/chat/api/messages',
      {
        schema: {
          tags: ['Web chat'],
          summary: 'Send a message (or a button press) to the conversation core; returns the replies',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['id'],
            properties: {
              id: { type: 'string', pattern: '^[\\w-]{8,64}$' },
              text: { type: 'string', maxLength: MAX_TEXT },
              choice: { type: 'string', maxLength: 64 },
              ballot: SealedBallotBody,
            },
          },
          response: Responses(
            Type.Object({ replies: Type.Array(WebReplyT, { description: 'empty when the message id was seen' }) }),
          ),
        },
      },
      async (request) => {
        const webId = await signedInWebId(deps, request);
        const payload: WebPayload = {
          webId,
          id: request.body.id,
          text: request.body.text,
          choice: request.body.choice,
          ballot: request.body.ballot,
        };
        // Through the inbox like every channel: a message re-sent by a flaky connection is answered once.
        const replies = await inbox.processInline(web, payload, `${webId}:${request.body.id}`);
        return { replies: await Promise.all(replies.map(toJson)) };
      },
    );

    app.get<{ Querystring: { after?: number } }>(
      '/chat/api/inbox',
      {
        schema: {
          tags: ['Web chat'],
          summary: 'Messages sent to this web chat (notices, meeting announcements), after a cursor',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { after: { type: 'integer', minimum: 0 } },
          },
          response: Responses(Type.Object({ messages: Type.Array(Type.Object({ id: Id, ...WebReplyT.properties })) })),
        },
      },
      async (request) => {
        const webId = await signedInWebId(deps, request);
        const rows = await listChatMessages(
          deps.db,
          { channel: 'web', botKey: WEB_BOT_KEY, chatId: webId },
          request.query.after ?? 0,
        );
        // A vote that has closed since: its message is shown without buttons, saying so.
        const votedOn = (p: OutboundPayload) =>
          (p.choices ?? []).flatMap((c) =>
            'action' in c && c.action?.kind === 'vote' ? [(c.action as { motionId: number }).motionId] : [],
          );
        const closed = await findClosedMotionIds(deps.db, [...new Set(rows.flatMap((r) => votedOn(r.payload)))]);
        return {
          messages: await Promise.all(
            rows.map(async (r) => {
              const over = votedOn(r.payload).some((id) => closed.has(id));
              if (!over) return { id: r.id, ...(await toJson(r.payload)) };
              const message = await toJson({ ...r.payload, choices: undefined });
              return { id: r.id, ...message, closed: 'Biểu quyết này đã kết thúc.' };
            }),
          ),
        };
      },
    );
  };
}

/** The signed-in web chat's id and its linked account, from `Authorization: Bearer w.…`; 401 otherwise. */
async function signedInWebAccount(deps: Deps, request: FastifyRequest) {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const webId = verifyWebToken(deps.linkSecret, token);
  const account = webId ? await findActiveAccount(deps.db, 'web', WEB_BOT_KEY, webId) : undefined;
  if (!webId || !account) {
    throw new AppError('unauthorized', 'Phiên web chat đã hết hoặc chưa đăng nhập. Xin bí thư chi bộ cấp mã liên kết.');
  }
  return { webId, account };
}

const signedInWebId = async (deps: Deps, request: FastifyRequest) => (await signedInWebAccount(deps, request)).webId;

const toJson = (reply: Reply | OutboundPayload) => renderWeb(reply);
