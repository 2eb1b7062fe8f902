import { mayRun } from './command.js';
import { FlowError } from './flow.js';
import type { Caller } from '../../db/people.js';

/** An admin flow's save: the role may have been taken away while the admin was typing. */
export function requireAdmin(caller: Caller): void {
  if (!mayRun(caller, 'admin')) throw new FlowError('Bạn không còn quyền quản trị nên chưa lưu được. Gõ /huy để thoát.');
}
