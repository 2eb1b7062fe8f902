/**
 * One chat's messages handled in order, different chats at once. Platforms that push messages
 * (Zalo's socket, the OA webhook) can deliver the next one before the last is handled; a person
 * answering a question must still be read after the question's own turn. A task that fails never
 * stops its chain: the next message of that chat is handled all the same.
 */
export class ChatChains {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly onError: (error: unknown, key: string) => void) {}

  /** Runs `task` after every task queued before it under `key`. */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => this.onError(error, key));
    this.chains.set(key, next);
    // Forget a chat once its chain is idle, so a deployment with many chats does not keep them all.
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  /** Resolves when every task queued so far has ended. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }
}
