/** A tiny typed event hub: the runner emits, the live view / line log / tests subscribe. */
import type { RunEvent } from '../model.js';

export interface EventHub {
  emit(event: RunEvent): void;
  subscribe(listener: (event: RunEvent) => void): () => void;
}

export function createEventHub(): EventHub {
  const listeners = new Set<(event: RunEvent) => void>();
  return {
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
