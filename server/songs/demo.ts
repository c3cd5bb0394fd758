// PLACEHOLDER (threads issue replaces it): demo songs loaded into an empty database.
import type { ForumDeps } from '../deps';

export async function loadDemoIfEmpty(_deps: ForumDeps): Promise<void> {}
