/**
 * A reply as the web chat page draws it: text, the choices and the main menu as large buttons
 * (each with its encoded action), a link, and a QR code as an image. The web chat has no deep
 * links: a deep link becomes a line saying what to type.
 */
import QRCode from 'qrcode';
import { choiceData, type Reply } from '../core/reply.ts';
import { deepLinkLine } from '../core/deep-link.ts';
import type { OutboundPayload } from '../../api/outbox/enqueue.ts';

export interface WebMessage {
  text: string;
  choices?: {
    label: string;
    data: string;
    menu?: true;
    secret?: true;
    /** A secret ballot's choice the page may encrypt itself (ballot-client.ts). */
    ballot?: { motionId: number; choice: string };
  }[];
  link?: { label: string; url: string };
  photo?: string;
  /** Answers a secret ballot: the page shows the member's own message as "Đã bỏ phiếu kín". */
  conceal?: true;
}

export async function renderWeb(reply: Reply | OutboundPayload): Promise<WebMessage> {
  const menu = 'menu' in reply ? (reply.menu ?? []) : [];
  const choices = [
    ...(reply.choices ?? []).map((c) => ({
      label: c.label,
      data: choiceData(c),
      ...('secret' in c && c.secret ? { secret: true as const, ...deviceBallot(c.action) } : {}),
    })),
    ...menu.map((c) => ({ label: c.label, data: choiceData(c), menu: true as const })),
  ];
  const qr = 'qr' in reply ? reply.qr : undefined;
  const line = deepLinkLine(reply.text, reply.deepLink);
  return {
    text: line ? `${reply.text}\n\n${line}` : reply.text,
    choices: choices.length ? choices : undefined,
    link: reply.link,
    photo: qr ? await QRCode.toDataURL(qr.text, { width: 360, margin: 2 }) : undefined,
    conceal: 'conceal' in reply && reply.conceal ? true : undefined,
  };
}

/** A secret vote's motion and choice, which the page encrypts in the browser rather than send. */
function deviceBallot(action: { kind: string } | undefined) {
  if (action?.kind !== 'vote') return {};
  const { motionId, choice } = action as { kind: 'vote'; motionId: number; choice: string };
  return { ballot: { motionId, choice } };
}
