// Thin HTTP adapters for songs: validate with the shared schemas, call the service, send the DTO.
import { Router, type Request } from 'express';
import { createSongInput, listSongsQuery } from '../../shared/schemas';
import type { UserDTO } from '../../shared/types';
import type { ForumDeps } from '../deps';
import { createSong, getSong, listSongs } from './service';

/** The signed-in member (passport puts a UserDTO on req.user), or null for a reader. */
export const userOf = (req: Request): UserDTO | null => (req.user as unknown as UserDTO | undefined) ?? null;

export function songRoutes(deps: ForumDeps): Router {
  const r = Router();
  r.get('/songs', async (req, res) => {
    res.json(await listSongs(deps, listSongsQuery.parse(req.query)));
  });
  r.get('/songs/:slug', async (req, res) => {
    res.json(await getSong(deps, req.params.slug));
  });
  r.post('/songs', async (req, res) => {
    res.status(201).json(await createSong(deps, userOf(req), createSongInput.parse(req.body ?? {})));
  });
  return r;
}
