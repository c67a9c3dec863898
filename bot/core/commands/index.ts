/**
 * Every chat command. A new command is one file in this folder and one line here.
 */
import type { Command } from '../command.ts';
import { helpCommand } from './help.ts';
import { linkCommand } from './link.ts';
import { unlinkCommand } from './unlink.ts';
import { bindGroupCommand } from './bind-group.ts';

export const COMMANDS: Command[] = [helpCommand, linkCommand, unlinkCommand, bindGroupCommand];
