import { afterEach } from 'vitest';
import { OA_GROUP, OaBed, type OaBedOptions } from '../../bench/fakes/zaloOa/botBed.js';

/** Someone on the OA route: a member of the bed's group, and a follower who wrote to the OA when `follows`. */
export interface OaPerson {
  id: string;
  name: string;
}

/**
 * OA beds for a test file: each test starts its own (the people in the group, and as followers
 * when asked), and whatever a test left running is closed after it. `restart` hands the clean-up
 * over to the new process.
 */
export function oaBedsPerTest(people: { members: readonly OaPerson[]; followers?: readonly OaPerson[] }) {
  const beds: OaBed[] = [];
  afterEach(async () => {
    // The last bed owns the fake and the folder; stopped ones before it have nothing left open.
    const last = beds.at(-1);
    beds.length = 0;
    await last?.close();
  });
  return {
    async start(options: OaBedOptions = {}): Promise<OaBed> {
      const started = await OaBed.start({
        ...options,
        prepare: async (b) => {
          for (const person of people.followers ?? []) b.fake.addFollower(person.id, person.name);
          b.fake.groups.get(OA_GROUP)!.members.push(...people.members);
          await options.prepare?.(b);
        },
      });
      beds.push(started);
      return started;
    },
    /** A new process on the stopped bed's database and Zalo. */
    async restart(stopped: OaBed, options: Omit<OaBedOptions, 'reuse'> = {}): Promise<OaBed> {
      const again = await stopped.restart(options);
      beds.push(again);
      return again;
    },
  };
}
