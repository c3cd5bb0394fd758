// One zod schema per input; the server validates with them, the browser's forms use the same ones.
import { z } from 'zod';
import { LIMITS } from './limits';
import { cleanName } from './names';

// A field left out reads as one left empty ("reason: is required"), not as zod's "expected string, received undefined".
z.config({ customError: (issue) => (issue.input === undefined && issue.path?.length ? 'is required' : undefined) });

/** Trims, then requires 1..max characters. */
const text = (max: number, min = 1) => z.string().trim().min(min, min === 1 ? 'is required' : `must be at least ${min} characters`).max(max, `must be at most ${max} characters`);
/** A one-line name or place: invisible format and control characters removed first (shared/names.ts), then limits. */
const named = <T extends z.ZodType<string, string>>(then: T) => z.string().transform(cleanName).pipe(then);
export const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'is not a valid id');
export const clientId = z.string().trim().min(1).max(100).regex(/^[\w.:-]+$/, 'may hold letters, digits and . _ : - only');
export const slug = z.string().trim().min(1).max(200).regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'is not a valid song slug');

// Accounts
const { username: U, password: P } = LIMITS;
export const username = z.string().trim().min(U.min, `must be at least ${U.min} characters`).max(U.max, `must be at most ${U.max} characters`).regex(/^[A-Za-z0-9_-]+$/, 'may hold letters, digits, _ and - only');
export const password = z.string().min(P.min, `must be at least ${P.min} characters`).max(P.max, `must be at most ${P.max} characters`);
export const displayName = named(text(LIMITS.displayName));
export const location = named(z.string().max(LIMITS.location, `must be at most ${LIMITS.location} characters`));
/** A guest's name (also what a guest's typing notice shows). */
export const guestName = named(text(LIMITS.guestName));

export const registerInput = z.strictObject({
  username,
  password,
  displayName: displayName.optional(),
  location: location.optional(),
});
export const loginInput = z.strictObject({ username: z.string().max(100), password: z.string().max(200) });
export const updateMeInput = z.strictObject({
  displayName: displayName.optional(),
  location: location.nullable().optional(),
});
/** The new password goes through the same `password` schema as registration, so one policy holds for both. */
export const changePasswordInput = z.strictObject({ currentPassword: z.string().max(LIMITS.password.max), newPassword: password });

// Songs
export const chartPeak = z.strictObject({ region: text(10), peak: z.number().int().min(1).max(1000) });
export const createSongInput = z.strictObject({
  title: text(200),
  artist: text(200),
  featuring: z.array(text(200)).max(20).optional(),
  album: text(200).nullable().optional(),
  year: z.number().int().min(1000).max(3000).nullable().optional(),
  charts: z.array(chartPeak).max(10).optional(),
  facts: z.array(text(20_000)).max(200).optional(),
});

const pageLimit = z.coerce.number().int().min(1).max(100);
export const limit = pageLimit.default(20);
/**
 * `after` without a `limit` answers every visible comment after the id (the contract's catch-up), at most this many at
 * once: a gap wider than that (a reader away for a long time) continues by `nextCursor`, so no request reads a whole
 * long thread.
 */
export const AFTER_ALL_LIMIT = 200;
export const cursor = z.string().max(500).optional();
// A search is one line of text: control and invisible characters go (a NUL echoed back, say), as from names.
export const listSongsQuery = z.object({ q: named(z.string().max(LIMITS.search)).optional(), cursor, limit });

// Comments
export const commentStatus = z.enum(['visible', 'removed', 'pending', 'rejected']);
export const threadSort = z.enum(['newest', 'oldest', 'top']);
export const voteValue = z.union([z.literal(1), z.literal(0), z.literal(-1)]);
/**
 * Something a reader can see: not only white space and invisible format or control characters (a lone U+200B). Empty
 * text is left to the length check, which says "is required" alone.
 */
const visible = (s: string) => s === '' || /[^\s\p{Z}\p{Cf}\p{Cc}]/u.test(s);
export const commentBody = text(LIMITS.commentBody).refine(visible, 'has nothing to read: only spaces or invisible characters');
export const guestAuthor = z.strictObject({ name: guestName, location: location.optional() });
export const postCommentInput = z.strictObject({
  body: commentBody,
  parentId: objectId.nullable().optional(),
  clientId: clientId.optional(),
  author: guestAuthor.optional(),
});
export const editCommentInput = z.strictObject({ body: commentBody });
export const voteInput = z.strictObject({ value: voteValue });
export const flagInput = z.strictObject({ reason: text(LIMITS.flagReason) });
/** The signed-in member's own votes and reports among these comments (at most one page's worth). */
export const mineQuery = z.object({ ids: z.string().max(25 * 101).transform((v) => v.split(',').filter(Boolean)).pipe(z.array(objectId).max(100)) });
export const repliesQuery = z.object({ cursor, limit });
/** A guest's proof that a comment is theirs (edit or delete from the same browser within the edit window). */
export const guestToken = z.string().regex(/^[\w-]{20,100}$/, 'is not a valid guest token');
export const threadQuery = z
  .object({
    sort: threadSort.default('oldest'),
    cursor,
    limit: pageLimit.optional(),
    after: objectId.optional(),
  })
  .transform((q) => ({ ...q, limit: q.limit ?? (q.after ? AFTER_ALL_LIMIT : 20) }));

export type RegisterInput = z.infer<typeof registerInput>;
export type LoginInput = z.infer<typeof loginInput>;
export type UpdateMeInput = z.infer<typeof updateMeInput>;
export type CreateSongInput = z.infer<typeof createSongInput>;
export type ListSongsQuery = z.infer<typeof listSongsQuery>;
export type PostCommentInput = z.infer<typeof postCommentInput>;
export type EditCommentInput = z.infer<typeof editCommentInput>;
export type VoteInput = z.infer<typeof voteInput>;
export type FlagInput = z.infer<typeof flagInput>;
export type ThreadQuery = z.infer<typeof threadQuery>;
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;
export type ThreadSort = z.infer<typeof threadSort>;
export type CommentStatus = z.infer<typeof commentStatus>;
export type VoteValue = z.infer<typeof voteValue>;

// Socket payloads
export const joinInput = z.strictObject({ slug });
export const socketPostInput = z.strictObject({
  slug,
  body: commentBody,
  parentId: objectId.nullable().optional(),
  clientId,
  author: guestAuthor.optional(),
});
/** `name`: a guest's name from their form, so guests show as typing too (members type under their own name). */
export const typingInput = z.strictObject({ slug, name: guestName.optional() });

// People: profiles and notifications
export const pageQuery = z.object({ cursor });
export const markReadInput = z.strictObject({ ids: z.array(objectId).max(100).optional() });
export type MarkReadInput = z.infer<typeof markReadInput>;

export type JoinInput = z.infer<typeof joinInput>;
/** What a client sends (before trimming and defaults). */
export type SocketPostPayload = z.input<typeof socketPostInput>;
export type SocketPostInput = z.infer<typeof socketPostInput>;
export type TypingInput = z.infer<typeof typingInput>;

// Moderation (v2)
export const premoderation = z.enum(['off', 'new', 'all']);
const word = z.string().trim().min(1, 'is empty').max(LIMITS.word, `must be at most ${LIMITS.word} characters`);
export const wordList = z.array(word).max(LIMITS.words, `may hold at most ${LIMITS.words} words`);
export const moderationSettings = z.strictObject({
  premoderation,
  guestPosting: z.boolean(),
  bannedWords: wordList,
  suspectWords: wordList,
  maxLinks: z.number({ error: 'must be a whole number from 0 to 100' }).int('must be a whole number from 0 to 100').min(0, 'must be a whole number from 0 to 100').max(100, 'must be a whole number from 0 to 100'),
  flagThreshold: z.number({ error: 'must be a whole number from 1 to 1000' }).int('must be a whole number from 1 to 1000').min(1, 'must be a whole number from 1 to 1000').max(1000, 'must be a whole number from 1 to 1000'),
});
export const settingsPatch = moderationSettings.partial();
export const queueStatus = z.enum(['pending', 'flagged', 'rejected']);
export const queueQuery = z.object({ status: queueStatus.default('pending'), song: slug.optional(), cursor, limit });
export const commentAction = z.enum(['approve', 'reject', 'restore', 'feature', 'unfeature', 'dismiss-flags']);
const reason = z.string().trim().max(LIMITS.moderationReason, `must be at most ${LIMITS.moderationReason} characters`);
/** `from`: the status the moderator saw; when the comment is no longer in it (another moderator acted first), 409. */
export const moderateCommentInput = z.strictObject({ action: commentAction, reason: reason.optional(), from: commentStatus.optional() });
export const role = z.enum(['member', 'moderator', 'admin']);
/** An ISO date and time, or an ISO date alone: the ban lasts to the end of that day, UTC. */
const UNTIL_FORMAT = 'must be an ISO date (2030-01-31) or date and time (2030-01-31T12:00:00Z)';
const banUntil = z.union([z.iso.datetime({ offset: true, error: UNTIL_FORMAT }), z.iso.date({ error: UNTIL_FORMAT }).transform((day) => `${day}T23:59:59Z`)], { error: UNTIL_FORMAT });
export const moderateUserInput = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('ban'),
    reason: text(LIMITS.moderationReason),
    until: banUntil.nullable().optional(),
    removeComments: z.boolean().optional(),
  }),
  z.strictObject({ action: z.literal('unban'), reason: reason.optional() }),
  z.strictObject({ action: z.literal('set-role'), role, reason: reason.optional() }),
], {
  // An action left out reads as any other missing field; an unknown one names the choices.
  error: (issue) => (issue.code !== 'invalid_union' ? undefined : (issue.input as { action?: unknown } | undefined)?.action === undefined ? 'is required' : "must be one of 'ban', 'unban', 'set-role'"),
});
export const usersQuery = z.object({ q: z.string().trim().max(LIMITS.search).optional(), cursor, limit });
export const pagedQuery = z.object({ cursor, limit });

export type ModerationSettings = z.infer<typeof moderationSettings>;
export type SettingsPatch = z.infer<typeof settingsPatch>;
export type Premoderation = z.infer<typeof premoderation>;
export type QueueStatus = z.infer<typeof queueStatus>;
export type QueueQuery = z.infer<typeof queueQuery>;
export type CommentAction = z.infer<typeof commentAction>;
export type ModerateCommentInput = z.infer<typeof moderateCommentInput>;
export type ModerateUserInput = z.infer<typeof moderateUserInput>;
export type UsersQuery = z.infer<typeof usersQuery>;
