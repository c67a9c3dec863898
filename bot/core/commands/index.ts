/**
 * Every chat command. A new command is one file in this folder and one line here.
 */
import type { Command } from '../command.ts';

export const COMMANDS: Command[] = [];
