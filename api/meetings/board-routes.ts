/**
 * A closed secret motion's bulletin board (issue 28): for a signed-in caller of the cell
 * (`GET /motions/:id/board`), and behind the signed link of the result message, as a page for
 * members and as the JSON `npm run verify-ballots` reads.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Deps } from '../context.ts';
import { requirePrincipal } from '../auth/authenticate.ts';
import { ContentResponses, HtmlPage, IdParams, Responses, SignedLinkPart } from '../http/schemas.ts';
import { verifyLink } from '../http/signed-link.ts';
import { errorPage, sendPage } from '../http/public-page.ts';
import { notFound } from '../errors.ts';
import { getBulletinBoard } from './get-bulletin-board.ts';
import { loadBulletinBoard } from './sealed-ballots.ts';
import { boardPage } from './board-page.ts';

const tags = ['Sinh hoạt chi bộ (meetings)'];
const B64 = Type.String({ description: '32 bytes, base64url' });
const CiphertextT = Type.Object({ alpha: B64, beta: B64 });
const RangeProofT = Type.Object({ challenges: Type.Array(B64), responses: Type.Array(B64) });
const BoardT = Type.Object({
  format: Type.String(),
  motionId: Type.Integer(),
  title: Type.String(),
  publicKey: B64,
  choices: Type.Array(Type.String()),
  labels: Type.Array(Type.String()),
  marks: Type.Object({ exactly: Type.Optional(Type.Integer()), atMost: Type.Optional(Type.Integer()) }),
  ballots: Type.Array(
    Type.Object({
      tracker: Type.String(),
      ciphertexts: Type.Array(CiphertextT),
      proofs: Type.Array(RangeProofT),
      sumProof: RangeProofT,
    }),
  ),
  paper: Type.Array(CiphertextT),
  aggregate: Type.Array(CiphertextT),
  totals: Type.Array(Type.Integer()),
  proofs: Type.Array(Type.Object({ share: B64, challenge: B64, response: B64 })),
});
const LinkParams = Type.Object({ motion: SignedLinkPart, exp: SignedLinkPart, sig: SignedLinkPart });

export const boardRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/motions/:id/board',
    {
      schema: {
        tags,
        summary: "A closed secret motion's bulletin board: trackers, ciphertexts, proofs, decrypted totals",
        params: IdParams,
        response: Responses(BoardT),
      },
    },
    async (request) => getBulletinBoard(deps, requirePrincipal(request), request.params.id),
  );

  const signed = (p: { motion: string; exp: string; sig: string }) =>
    verifyLink(deps.linkSecret, 'ballot-board', [p.motion], p.exp, p.sig, deps.clock.now());
  const refused = () =>
    errorPage(
      'Không mở được bảng kiểm phiếu',
      'Đường dẫn không hợp lệ hoặc đã hết hạn. Xin đồng chí mở lại từ tin nhắn kết quả biểu quyết.',
    );

  app.get(
    '/b/:motion/:exp/:sig',
    {
      schema: {
        hide: true,
        params: LinkParams,
        querystring: Type.Object({ ma: Type.Optional(Type.String({ maxLength: 40 })) }),
        response: {
          ...ContentResponses(200, { 'text/html': HtmlPage }, 'the board'),
          403: { content: { 'text/html': { schema: HtmlPage } } },
        },
      },
    },
    async (request, reply) => {
      if (!signed(request.params)) return sendPage(reply, 403, refused());
      const board = await loadBulletinBoard(deps.db, Number(request.params.motion));
      if (!board) throw notFound('bảng kiểm phiếu');
      const { motion, exp, sig } = request.params;
      return sendPage(reply, 200, boardPage(board, `/b/${motion}/${exp}/${sig}/board.json`, request.query.ma));
    },
  );

  app.get(
    '/b/:motion/:exp/:sig/board.json',
    { schema: { hide: true, params: LinkParams, response: Responses(BoardT) } },
    async (request, reply) => {
      if (!signed(request.params)) return reply.status(403).send({ error: 'forbidden', message: 'Đường dẫn hết hạn.' });
      const board = await loadBulletinBoard(deps.db, Number(request.params.motion));
      if (!board) throw notFound('bảng kiểm phiếu');
      return board;
    },
  );
};
