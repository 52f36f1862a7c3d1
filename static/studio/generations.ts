// Renders the Studio started, as their status arrives over the WebSocket (generation.updated):
// `wait(id)` resolves when one finishes, whether the push came before or after the call.
import { api, type Generation } from './api';

const FINISHED = ['completed', 'failed', 'canceled'];
export const isFinished = (g: Pick<Generation, 'status'>) => FINISHED.includes(g.status);

export class GenerationWatch {
  private seen = new Map<string, Generation>();
  private waiters = new Map<string, (g: Generation) => void>();
  private listeners = new Set<(g: Generation) => void>();

  /** Every update of a generation (to show its progress). */
  subscribe(fn: (g: Generation) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  update(g: Generation) {
    if (!g || !g.generationId) return;
    this.seen.set(g.generationId, g);
    this.listeners.forEach((fn) => fn(g));
    if (!isFinished(g)) return;
    const waiter = this.waiters.get(g.generationId);
    if (waiter) {
      this.waiters.delete(g.generationId);
      waiter(g);
    }
  }

  wait(id: string): Promise<Generation> {
    const seen = this.seen.get(id);
    if (seen && isFinished(seen)) return Promise.resolve(seen);
    return new Promise((resolve) => {
      this.waiters.set(id, resolve);
      // One safety check if no push came (a socket that dropped meanwhile) — not polling.
      window.setTimeout(async () => {
        if (!this.waiters.has(id)) return;
        try {
          const { data } = await api<Generation>('GET', `render/generations/${id}`);
          if (isFinished(data)) this.update(data);
        } catch {
          /* the push may still come */
        }
      }, 45000);
    });
  }
}
