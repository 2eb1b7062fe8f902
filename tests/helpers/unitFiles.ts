import { importUnitFile } from '../../bot/cli/unitFile.js';
import { CLI_ACTOR } from '../../db/bootstrap.js';
import { UnitImportError } from '../../db/unitImport.js';
import type { Harness } from './harness.js';

/** The errors an import of the file threw, as its "Dòng n: …" lines; an import that succeeds fails the test. */
export async function importErrors(h: Harness, path: string): Promise<string[]> {
  try {
    await importUnitFile(h.db, path, CLI_ACTOR, h.clock.now());
  } catch (error) {
    if (error instanceof UnitImportError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the import was expected to fail');
}
