/**
 * Every chat command. A new command is one file in this folder and one line here.
 */
import type { Command } from '../command.ts';
import { helpCommand, moreCommand } from './help.ts';
import { linkCommand } from './link.ts';
import { unlinkCommand } from './unlink.ts';
import { bindGroupCommand } from './bind-group.ts';
import { absenceCommand, meetingInfoCommand } from './meeting-info.ts';
import { checkInCommand } from './check-in.ts';
import { voteCommand } from './vote.ts';
import { opinionCommand, rateCommand, tasksCommand } from './member-meeting.ts';
import { SECRETARY_MEETING_COMMANDS } from './secretary-meeting.ts';
import { MEETING_STEP_COMMANDS } from './meeting-steps.ts';
import { acknowledgeCommand, noticesCommand } from './notices.ts';
import { feedbackCommand, myFeedbackCommand } from './feedback.ts';
import { askCommand, sourcesCommand } from './ask.ts';
import { consoleCommand } from './console.ts';
import { scheduleMeetingCommand } from './schedule-meeting.ts';

export const COMMANDS: Command[] = [
  helpCommand,
  moreCommand,
  meetingInfoCommand,
  absenceCommand,
  checkInCommand,
  voteCommand,
  opinionCommand,
  rateCommand,
  tasksCommand,
  noticesCommand,
  acknowledgeCommand,
  feedbackCommand,
  myFeedbackCommand,
  askCommand,
  sourcesCommand,
  linkCommand,
  unlinkCommand,
  bindGroupCommand,
  ...SECRETARY_MEETING_COMMANDS,
  ...MEETING_STEP_COMMANDS,
  consoleCommand,
  scheduleMeetingCommand,
];
