/**
 * The steps of the guided dialogues (bot/core/dialog-state.ts keeps their state and questions):
 * each answer moves to the next step, and the last one runs the same use case as the one-line
 * command.
 */
import type { DecisionKind } from '../../api/rules/meeting-rules.ts';
import { DECISIONS } from '../../api/rules/meeting-rules.ts';
import { versionInForce } from '../../api/rules/rule.ts';
import { foldVietnamese } from '../../api/text/fold.ts';
import type { ChatAction } from './actions.ts';
import type { CommandContext } from './command.ts';
import type { Reply } from './reply.ts';
import {
  ABSENCE_REASONS,
  ask,
  CANCELLED,
  endDialog,
  isCancelWord,
  KIND_BUTTONS,
  save,
  type Dialog,
} from './dialog-state.ts';
import { openMotionReply, recordShowOfHandsReply, kindOfWords } from './commands/secretary-meeting.ts';
import { sendFeedbackReply } from './commands/feedback.ts';
import { reportAbsence } from './commands/meeting-info.ts';
import { agendaFromText } from '../../api/meetings/set-agenda.ts';
import {
  NO_PAPER_WORDS,
  paperNoneReply,
  recordPaperReply,
  setAgendaReply,
  setOfficersReply,
} from './commands/meeting-steps.ts';

/** The dialogue's answer to the member's next message or button. */
export async function continueDialog(
  ctx: CommandContext,
  d: Dialog,
  input: { text?: string; action?: ChatAction; photo?: boolean },
): Promise<Reply | Reply[]> {
  const text = input.text?.trim() ?? '';
  if (input.action?.kind === 'cancel' || (text && isCancelWord(text))) {
    await endDialog(ctx);
    return CANCELLED;
  }
  switch (d.flow) {
    case 'open-motion': {
      if (d.step === 'title') {
        if (!text) return ask(d);
        const title = text.replace(/\s+/g, ' ').slice(0, 500);
        const guessed = kindOfWords(title);
        // A title that names its kind ("kết nạp đồng chí A") needs no second question.
        if (guessed !== 'question') return next(ctx, { title }, guessed);
        return saveAndAsk(ctx, { flow: 'open-motion', step: 'kind', title });
      }
      if (d.step === 'kind') {
        const decision =
          input.action?.kind === 'motion-kind' ? input.action.decision : text ? kindFromText(text) : undefined;
        if (!decision) return ask(d);
        return next(ctx, d, decision);
      }
      const ballot =
        input.action?.kind === 'ballot'
          ? input.action.ballot
          : /\bkin\b/.test(foldVietnamese(text))
            ? 'secret'
            : /cong khai|gio tay/.test(foldVietnamese(text))
              ? 'open'
              : undefined;
      if (!ballot) return ask(d);
      await endDialog(ctx);
      return openMotionReply(ctx, { title: d.title, kind: d.decision, ballot });
    }
    case 'show-of-hands': {
      if (!/^\d{1,4}$/.test(text)) return { ...ask(d), text: `Xin gõ một số, ví dụ 12.\n${ask(d).text}` };
      const counts = [...d.counts, Number(text)];
      if (counts.length < 3) return saveAndAsk(ctx, { ...d, counts });
      await endDialog(ctx);
      return recordShowOfHandsReply(ctx, counts as [number, number, number]);
    }
    case 'feedback': {
      if (d.step === 'text') {
        if (input.photo) {
          await endDialog(ctx);
          return sendFeedbackReply(ctx, text, false);
        }
        if (!text) return ask(d);
        // No photo step where the chat cannot send one: the text is the whole feedback.
        if (d.noPhotos) {
          await endDialog(ctx);
          return sendFeedbackReply(ctx, text, false);
        }
        return saveAndAsk(ctx, { flow: 'feedback', step: 'photo', body: text });
      }
      if (input.photo || input.action?.kind === 'skip-photo') {
        await endDialog(ctx);
        return sendFeedbackReply(ctx, [d.body, text].filter(Boolean).join('\n'), false);
      }
      return ask(d);
    }
    case 'paper-count': {
      if (d.counts.length === 0 && NO_PAPER_WORDS.test(foldVietnamese(text))) {
        await endDialog(ctx);
        return paperNoneReply(ctx, d.motionId);
      }
      if (!/^\d{1,4}$/.test(text)) return { ...ask(d), text: `Xin gõ một số, ví dụ 12.\n${ask(d).text}` };
      const counts = [...d.counts, Number(text)];
      if (counts.length < d.keys.length) return saveAndAsk(ctx, { ...d, counts });
      await endDialog(ctx);
      return recordPaperReply(ctx, d.motionId, Object.fromEntries(d.keys.map((k, i) => [k, counts[i]])));
    }
    case 'officers': {
      const picked = /^\d{1,3}$/.test(text) ? d.people[Number(text) - 1]?.[0] : undefined;
      if (picked === undefined)
        return { ...ask(d), text: `Xin gõ số thứ tự từ 1 đến ${d.people.length}.\n${ask(d).text}` };
      if (d.step === 'chair') return saveAndAsk(ctx, { ...d, step: 'taker', chair: picked });
      await endDialog(ctx);
      return setOfficersReply(ctx, d.meetingId, d.chair!, picked);
    }
    case 'agenda': {
      const items = agendaFromText(text);
      if (!items.length) return ask(d);
      await endDialog(ctx);
      return setAgendaReply(ctx, d.meetingId, items);
    }
    case 'absence': {
      const reason = input.action?.kind === 'pick' ? ABSENCE_REASONS[input.action.index] : text;
      if (!reason) return ask(d);
      await endDialog(ctx);
      return reportAbsence(ctx, d.meetingId, reason);
    }
  }
}

async function saveAndAsk(ctx: CommandContext, d: Dialog): Promise<Reply> {
  await save(ctx, d);
  return ask(d);
}

/** After the kind: open at once, unless the rules let the meeting choose the ballot. */
async function next(ctx: CommandContext, d: { title: string }, decision: DecisionKind): Promise<Reply> {
  // rule: vote ballots — api/rules/meeting-rules.ts DECISIONS (secret for discipline, expulsion, elections)
  const rule = versionInForce(DECISIONS[decision], ctx.deps.clock.now().toISOString().slice(0, 10)).value;
  if (rule.ballot === 'choice')
    return saveAndAsk(ctx, { flow: 'open-motion', step: 'ballot', title: d.title, decision });
  await endDialog(ctx);
  return openMotionReply(ctx, { title: d.title, kind: decision });
}

function kindFromText(text: string): DecisionKind | undefined {
  const folded = foldVietnamese(text);
  const byLabel = KIND_BUTTONS.find(([, label]) => foldVietnamese(label) === folded)?.[0];
  if (byLabel) return byLabel;
  const guessed = kindOfWords(text);
  return guessed === 'question' && !/khac|bieu quyet/.test(folded) ? undefined : guessed;
}
