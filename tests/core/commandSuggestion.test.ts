import { describe, expect, it } from 'vitest';
import { editDistance, suggestCommand } from '../../core/commandSuggestion.js';
import { COMMANDS } from '../../commands/index.js';

const guess = (name: string, args = '') => suggestCommand(COMMANDS, name, args);

describe('the command meant', () => {
  it('joins a name split by a space', () => {
    expect(guess('dang', 'ky')).toEqual({ name: 'dangky', args: '', joined: true });
    expect(guess('dang', 'ký')).toEqual({ name: 'dangky', args: '', joined: true });
    expect(guess('dang', 'ki')).toEqual({ name: 'dangky', args: '', joined: true });
    expect(guess('bao', 'cao quý IV 2025')).toEqual({ name: 'baocao', args: 'quý IV 2025', joined: true });
    expect(guess('cap', 'nhat DVK-2026-0001')).toEqual({ name: 'capnhat', args: 'DVK-2026-0001', joined: true });
  });

  it('finds a name one or two edits away', () => {
    expect(guess('dangki')).toEqual({ name: 'dangky', args: '', joined: false });
    expect(guess('dnagky')).toEqual({ name: 'dangky', args: '', joined: false });
    expect(guess('capnhap', 'DVK-2026-0001')).toEqual({ name: 'capnhat', args: 'DVK-2026-0001', joined: false });
    expect(guess('huongdn')).toEqual({ name: 'huongdan', args: '', joined: false });
    expect(guess('huongdaan')).toEqual({ name: 'huongdan', args: '', joined: false });
  });

  it.each(['lenhthu', 'lenhthunhat', 'lenhrieng', 'abc', 'xy', 'quantri'])('guesses nothing for %j', (name) => {
    expect(guess(name)).toBeUndefined();
  });

  it('guesses nothing when two commands are equally near', () => {
    const two = [{ name: 'abcdef' }, { name: 'abcdeg' }];
    expect(suggestCommand(two, 'abcdex', '')).toBeUndefined();
    expect(suggestCommand(two, 'abcdef', '')).toEqual({ name: 'abcdef', args: '', joined: false });
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('dangky', 'dnagky')).toBe(1);
    expect(editDistance('dangky', 'dangki')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
