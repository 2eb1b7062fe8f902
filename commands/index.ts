import type { Command } from '../bot/command.js';
import type { Flow } from '../bot/flow.js';
import { dangky, dangkyFlow } from './dangky.js';
import { huongdan } from './huongdan.js';
import { huy } from './huy.js';
import { quaylai } from './quaylai.js';

/** Every command, in the order /huongdan lists them. */
export const COMMANDS: readonly Command[] = [huongdan, dangky, huy, quaylai];

/** Every conversation flow, so a persisted conversation can resume after a restart. */
export const FLOWS: readonly Flow[] = [dangkyFlow];
